use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;

use super::super::data::{Review, generate_app};
use super::at;

const NOW: &str = "2025-06-15T12:00:00Z";

fn newest_first(reviews: &[Review]) -> Vec<&Review> {
    let mut v: Vec<&Review> = reviews.iter().collect();
    v.sort_by_key(|r| std::cmp::Reverse(r.date));
    v
}

fn has_escape(r: &Review) -> bool {
    [&r.review_title, &r.review_text, &r.reviewer_name].iter().any(|f| {
        f.as_deref().is_some_and(|s| {
            s.chars()
                .any(|c| c == '\x1b' || ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{202e}')
        })
    })
}

#[test]
fn same_seed_same_json_other_seed_differs() {
    let now = at(NOW);
    let a = serde_json::to_string(&generate_app("9NBLGGGZ5QDR", 200, 42, now).reviews).unwrap();
    let b = serde_json::to_string(&generate_app("9NBLGGGZ5QDR", 200, 42, now).reviews).unwrap();
    let c = serde_json::to_string(&generate_app("9NBLGGGZ5QDR", 200, 43, now).reviews).unwrap();
    let d = serde_json::to_string(&generate_app("9WZDNCRFJ3Q8", 200, 42, now).reviews).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, d, "each app has its own stream");
}

#[test]
fn sample_data_has_the_promised_shape() {
    let now = at(NOW);
    let app = generate_app("9NBLGGGZ5QDR", 4000, 7, now);
    let r = &app.reviews;
    assert_eq!(r.len(), 4000);
    let pct = |f: &dyn Fn(&Review) -> bool| r.iter().filter(|x| f(x)).count() * 100 / r.len();
    let answered = pct(&|x| x.response_text.is_some());
    assert!((20..=30).contains(&answered), "answered {answered}%");
    let opted = pct(&|x| x.opted_out);
    assert!((5..=11).contains(&opted), "opted out {opted}%");
    let revised_after = r
        .iter()
        .filter(|x| x.is_revised && x.response_date.is_some_and(|d| d < x.date))
        .count();
    assert!(revised_after > 100, "revised after answer: {revised_after}");
    assert!(
        pct(&|x| x.review_title.is_none()) >= 4,
        "Windows Phone style reviews without title"
    );
    assert!(r.iter().any(|x| x.review_text.is_none()));
    for stars in 1..=5 {
        assert!(r.iter().any(|x| x.rating == stars));
    }
    assert!(pct(&|x| x.rating == 5) > pct(&|x| x.rating == 3), "J-shaped ratings");
    let markets: HashSet<_> = r.iter().filter_map(|x| x.market.as_deref()).collect();
    for m in [
        "US", "GB", "DE", "FR", "ES", "JP", "CN", "KR", "SA", "IL", "BR", "IN", "TR",
    ] {
        assert!(markets.contains(m), "market {m}");
    }
    assert!(pct(&|x| x.device_model.is_none()) > 50, "device fields often omitted");
    let age_days = |x: &Review| (now - x.date).num_days();
    assert!(r.iter().all(|x| x.date <= now && age_days(x) <= 400));
    let old = pct(&|x| age_days(x) >= 100);
    assert!((1..=5).contains(&old), "old reviews {old}%");
    assert!(r.iter().filter(|x| age_days(x) < 100).all(|x| age_days(x) < 85));
    assert!(r.iter().all(|x| x.response_date.is_none_or(|d| d <= now)));
    let all: String = r
        .iter()
        .flat_map(|x| [x.review_text.clone(), x.review_title.clone()])
        .flatten()
        .collect();
    let scripts = [
        ("Latin-1", '\u{c0}', '\u{ff}'),
        ("combining marks", '\u{300}', '\u{36f}'),
        ("Arabic", '\u{600}', '\u{6ff}'),
        ("Hebrew", '\u{5d0}', '\u{5ea}'),
        ("Devanagari", '\u{900}', '\u{97f}'),
        ("Hiragana", '\u{3040}', '\u{309f}'),
        ("CJK", '\u{4e00}', '\u{9fff}'),
        ("Hangul", '\u{ac00}', '\u{d7a3}'),
        ("emoji", '\u{1f300}', '\u{1faff}'),
    ];
    for (name, lo, hi) in scripts {
        assert!(all.chars().any(|c| (lo..=hi).contains(&c)), "no {name} text");
    }
    let ids: HashSet<_> = r.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids.len(), r.len());
}

#[test]
fn hostile_reviews_cover_every_payload_and_one_is_among_the_newest() {
    for n in [60, 100_000] {
        let app = generate_app("9WZDNCRFJ3Q8", n, 42, at(NOW));
        assert!(
            newest_first(&app.reviews).iter().take(10).any(|r| has_escape(r)),
            "n={n}"
        );
        let all: String = app
            .reviews
            .iter()
            .filter(|r| has_escape(r))
            .map(|r| format!("{:?}{:?}{:?}", r.review_title, r.review_text, r.reviewer_name))
            .collect();
        for payload in [
            "\\u{1b}]52;c;aGVsbG8=\\u{7}",
            "\\u{1b}]0;pwned\\u{7}",
            "\\u{1b}P+q544e\\u{1b}\\\\",
            "\\u{1b}[2J",
            "\\u{9b}",
            "\\u{202e}",
        ] {
            assert!(all.contains(payload), "n={n} missing {payload}");
        }
    }
}

#[test]
fn absent_fields_are_omitted_never_null() {
    let app = generate_app("9NBLGGGZ5QDR", 500, 1, at(NOW));
    let v: Value = serde_json::to_value(&app.reviews).unwrap();
    let items = v.as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|i| i.as_object().unwrap().values().all(|x| !x.is_null()))
    );
    assert!(items.iter().any(|i| i.get("deviceRAM").is_some()));
    assert!(items.iter().any(|i| i.get("deviceModel").is_none()));
    assert!(items.iter().all(|i| i.get("optedOut").is_none()), "hidden flag leaks");
    let first = items[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert!(keys.contains(&"applicationName") && keys.contains(&"isRevised") && keys.contains(&"id"));
}

#[test]
fn generating_100k() {
    let t = Instant::now();
    let app = generate_app("9NBLGGGZ5QDR", 100_000, 42, at(NOW));
    let took = t.elapsed();
    assert_eq!(app.reviews.len(), 100_000);
    // How long it takes is printed, not asserted: timed assertions fail on loaded machines.
    eprintln!("generating 100k reviews took {took:?}");
}
