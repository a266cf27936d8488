//! The numbers against a fixture computed by hand (the arithmetic is in the comments).

use std::collections::HashMap;

use super::*;
use crate::db::{EarlierRating, ReviewFacts};

const D: i64 = 86_400;
const H: i64 = 3_600;
/// A round "now": day 100 since the epoch, so the 30-day window starts at day 70.
const NOW: i64 = 100 * D;

fn review(id: &str, age_days: i64, rating: Option<i64>) -> ReviewFacts {
    ReviewFacts {
        id: Some(id.into()),
        date_ts: NOW - age_days * D,
        rating,
        market: None,
        package_version: None,
        answered: false,
        response_ts: None,
    }
}

fn low(mut r: ReviewFacts, market: &str, version: Option<&str>) -> ReviewFacts {
    r.market = Some(market.into());
    r.package_version = version.map(Into::into);
    r
}

fn answered(mut r: ReviewFacts, after: i64) -> ReviewFacts {
    r.answered = true;
    r.response_ts = Some(r.date_ts + after);
    r
}

fn earlier(date_ts: i64, rating: i64, response_ts: Option<i64>) -> EarlierRating {
    EarlierRating {
        date_ts: Some(date_ts),
        rating: Some(rating),
        answered: response_ts.is_some(),
        response_ts,
    }
}

/// Thirteen reviews, twelve of them in the 30-day window (five weeks: the oldest is 2 days,
/// starting at day 70; then days 72, 79, 86 and 93, the last holding `now`).
fn fixture() -> Inputs {
    let reviews = vec![
        low(review("a", 1, Some(1)), "US", Some("3.1.4.0")),
        answered(low(review("b", 2, Some(2)), "US", Some("3.1.4.0")), 2 * H),
        low(review("c", 5, Some(1)), "DE", Some("3.1.3.0")),
        // Exactly 7 days old: still in the last week.
        answered(review("d", 7, Some(5)), 10 * H),
        // Answered from here a day later; the fetch has not brought the response back yet.
        review("e", 10, Some(4)),
        // A hostile market name, no version.
        low(review("f", 20, Some(2)), "FR\u{1b}]52;c;eA==\u{7}", None),
        answered(review("g", 29, Some(3)), 4 * D),
        // 31 days old: outside the window, whatever it holds.
        review("h", 31, Some(1)),
        // Revised 3 days ago to 4★ after our reply at day -11 to its 1★ version of day -12.
        review("i", 3, Some(4)),
        // Revised twice: 3★ (day -25, answered day -24), 4★ (day -20), now 2★ answered 1 h on.
        answered(low(review("j", 15, Some(2)), "US", Some("3.1.3.0")), H),
        // Revised, never replied to.
        review("k", 4, Some(5)),
        // Unrated, dated now.
        review("l", 0, None),
        // Revised after our reply of day -8, same rating.
        review("m", 6, Some(5)),
    ];
    let replies = HashMap::from([
        ("e".to_owned(), vec![NOW - 10 * D + D]),
        ("i".to_owned(), vec![NOW - 11 * D]),
        ("m".to_owned(), vec![NOW - 8 * D]),
        ("h".to_owned(), vec![NOW - 40 * D]),
    ]);
    let earlier = HashMap::from([
        ("i".to_owned(), vec![earlier(NOW - 12 * D, 1, Some(NOW - 11 * D))]),
        (
            "j".to_owned(),
            vec![
                earlier(NOW - 25 * D, 3, Some(NOW - 24 * D)),
                earlier(NOW - 20 * D, 4, None),
            ],
        ),
        ("k".to_owned(), vec![earlier(NOW - 6 * D, 2, None)]),
        ("m".to_owned(), vec![earlier(NOW - 9 * D, 5, None)]),
        ("h".to_owned(), vec![earlier(NOW - 45 * D, 5, None)]),
    ]);
    Inputs {
        reviews,
        replies,
        earlier,
        second_breakdown: "version",
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn the_fixture_gives_the_numbers_worked_out_by_hand() {
    let s = compute(&fixture(), 30, NOW);
    assert_eq!((s.window_days, s.from_ts, s.now), (30, 70 * D, NOW));
    // a b c d e f g i j k l m (not h).
    assert_eq!(s.reviews, 12);

    // Week of a review `age` days old: 5 - ceil(age / 7), at least one week back.
    // week 0 (day 70): g (3★)                 → 1, avg 3
    // week 1 (day 72): none                   → 0
    // week 2 (day 79): f (2★, 20d), j (2★, 15d) → 2, avg 2
    // week 3 (day 86): e (4★, 10d)            → 1, avg 4
    // week 4 (day 93): a1 b2 c1 d5 i4 k5 m5 and unrated l → 8, avg 23/7
    let starts: Vec<i64> = s.weeks.iter().map(|w| w.start_ts / D).collect();
    assert_eq!(starts, [70, 72, 79, 86, 93]);
    let counts: Vec<u64> = s.weeks.iter().map(|w| w.reviews).collect();
    assert_eq!(counts, [1, 0, 2, 1, 8]);
    assert!(close(s.weeks[0].average, 3.0));
    assert_eq!(s.weeks[1].average, None);
    assert!(close(s.weeks[2].average, 2.0));
    assert!(close(s.weeks[3].average, 4.0));
    assert!(close(s.weeks[4].average, 23.0 / 7.0));

    // 1★ a c; 2★ b f j; 3★ g; 4★ e i; 5★ d k m. Mean (2 + 6 + 3 + 8 + 15) / 11.
    assert_eq!(s.distribution, [2, 3, 1, 2, 3]);
    assert!(close(s.average, 34.0 / 11.0));

    // 1–2★ in the window: a (US 3.1.4.0), b (US 3.1.4.0), c (DE 3.1.3.0), f (FR…, none),
    // j (US 3.1.3.0). Markets US 3/5, DE 1/5, FR 1/5; versions 3.1.3.0 2/5, 3.1.4.0 2/5,
    // unknown 1/5 (ties by name).
    let w = &s.low_ratings.window;
    assert_eq!(s.low_ratings.second_breakdown, "version");
    assert_eq!(w.reviews, 5);
    let names = |v: &[Share]| v.iter().map(|x| (x.name.clone(), x.reviews)).collect::<Vec<_>>();
    assert_eq!(
        w.markets[0],
        Share {
            name: "US".into(),
            reviews: 3,
            percent: 60.0
        }
    );
    assert_eq!(w.markets[1].name, "DE");
    let hostile = &w.markets[2].name;
    assert!(
        hostile.starts_with("FR") && !hostile.chars().any(char::is_control),
        "{hostile:?}"
    );
    assert_eq!(
        names(&w.versions),
        [("3.1.3.0".into(), 2), ("3.1.4.0".into(), 2), ("unknown".into(), 1)]
    );
    assert_eq!(w.versions[0].percent, 40.0);
    // This week's: a b c. US 2/3, DE 1/3; 3.1.4.0 2/3, 3.1.3.0 1/3.
    let t = &s.low_ratings.this_week;
    assert_eq!(t.reviews, 3);
    assert_eq!(names(&t.markets), [("US".into(), 2), ("DE".into(), 1)]);
    assert_eq!(names(&t.versions), [("3.1.4.0".into(), 2), ("3.1.3.0".into(), 1)]);
    assert!((t.versions[0].percent - 200.0 / 3.0).abs() < 1e-9);

    // Answered: b d g j (shown) and e (sent a day after it) = 5 of 12.
    // i and m were answered before their latest version: unanswered now.
    let a = &s.answering;
    assert_eq!(a.answered, 5);
    assert!(close(a.response_rate, 500.0 / 12.0));
    // Delays j 1 h, b 2 h, d 10 h, e 24 h, g 96 h: the median is 10 h.
    assert_eq!((a.median_reply_secs, a.replies_timed), (Some(10 * H), 5));
    // Unanswered by age: l 0d, a 1d | i 3d, k 4d, c 5d, m 6d | f 20d.
    assert_eq!(
        a.backlog,
        Backlog {
            fresh: 2,
            this_week: 4,
            older: 1
        }
    );

    // Revised after a reply: i 1→4 (reply day -11, version of day -12), j 3→2 (first reply
    // day -24, to the version of day -25; the 4★ one of day -20 came after it), m 5→5.
    // k was never replied to; h is outside the window.
    // Before (1 + 3 + 5) / 3 = 3, after (4 + 2 + 5) / 3 = 11/3, change 2/3.
    let e = &s.reply_effect;
    assert_eq!((e.reviews, e.improved, e.unchanged, e.worse), (3, 1, 1, 1));
    assert!(close(e.mean_before, 3.0));
    assert!(close(e.mean_after, 11.0 / 3.0));
    assert!(close(e.mean_change, 2.0 / 3.0));
    let moves: Vec<(i64, i64, u64)> = e.moves.iter().map(|m| (m.before, m.after, m.reviews)).collect();
    assert_eq!(moves, [(1, 4, 1), (3, 2, 1), (5, 5, 1)]);
}

#[test]
fn an_empty_cache_gives_empty_numbers_not_divisions_by_zero() {
    let s = compute(&Inputs::default(), 90, NOW);
    // 90 days: 13 weeks, the oldest 6 days long (91 - 90 = 1 day cut).
    assert_eq!(s.weeks.len(), 13);
    assert_eq!(s.weeks[0].start_ts, NOW - 90 * D);
    assert_eq!(s.weeks[1].start_ts, NOW - 12 * 7 * D);
    assert_eq!((s.reviews, s.average, s.answering.response_rate), (0, None, None));
    assert_eq!(s.answering.median_reply_secs, None);
    assert_eq!(s.reply_effect.mean_change, None);
    assert!(s.low_ratings.window.markets.is_empty());
    // 365 days: 53 weeks (52 whole and one of a day).
    assert_eq!(compute(&Inputs::default(), 365, NOW).weeks.len(), 53);
}

#[test]
fn an_even_number_of_replies_takes_the_mean_of_the_middle_two() {
    let inputs = Inputs {
        reviews: vec![
            answered(review("a", 1, Some(5)), H),
            answered(review("b", 1, Some(5)), 2 * H),
            answered(review("c", 1, Some(5)), 4 * H),
            answered(review("d", 1, Some(5)), 9 * H),
        ],
        ..Inputs::default()
    };
    // 1 2 4 9 hours: (2 + 4) / 2 = 3 h.
    assert_eq!(compute(&inputs, 30, NOW).answering.median_reply_secs, Some(3 * H));
}

#[test]
fn a_response_older_than_the_latest_version_answers_it_but_is_not_timed() {
    let mut r = review("a", 2, Some(1));
    r.answered = true;
    r.response_ts = Some(NOW - 5 * D);
    let inputs = Inputs {
        reviews: vec![r],
        ..Inputs::default()
    };
    let s = compute(&inputs, 30, NOW);
    assert_eq!((s.answering.answered, s.answering.replies_timed), (1, 0));
}

#[test]
fn a_commerce_export_is_counted_by_product_without_taken_down_reviews() {
    // As the export gives them, then as the cache keeps them.
    let exported = [
        r#"{"id":"1","productName":"Desk lamp","market":"US","rating":1.0,"submittedDateTime":"1970-04-09T00:00:00Z","userResponse":{"responseText":"Sorry","submittedDateTime":"1970-04-09T06:00:00Z"}}"#,
        r#"{"id":"2","productName":"Desk lamp","rating":2,"submittedDateTime":"1970-04-08T00:00:00Z"}"#,
        r#"{"id":"3","productName":"Chair","rating":5,"submittedDateTime":"1970-04-08T00:00:00Z","isTakenDown":true}"#,
        r#"{"id":"4","rating":4}"#,
    ];
    let mut cached: Vec<String> = exported
        .iter()
        .map(|json| {
            let review = crate::commerce::CommerceReview::from_json(serde_json::from_str(json).unwrap());
            serde_json::to_string(&crate::commerce::listed::to_review(&review)).unwrap()
        })
        .collect();
    cached.push("not json".into());
    cached.push(r#"{"id":"store","rating":1,"date":"1970-04-08T00:00:00Z"}"#.into());
    let inputs = commerce_inputs(cached.iter().map(String::as_str));
    assert_eq!(
        inputs.reviews.len(),
        2,
        "taken down, undated, unreadable and not-a-site ones left out"
    );
    let s = compute(&inputs, 30, NOW);
    assert_eq!(s.low_ratings.second_breakdown, "product");
    assert_eq!(s.low_ratings.window.versions[0].name, "Desk lamp");
    assert_eq!(s.low_ratings.window.versions[0].reviews, 2);
    assert_eq!(s.distribution, [1, 1, 0, 0, 0]);
    // Day 98 (1970-04-09) answered 6 h later.
    assert_eq!(s.answering.median_reply_secs, Some(6 * H));
}

#[test]
fn names_that_differ_only_in_escape_sequences_count_as_one() {
    let inputs = Inputs {
        reviews: vec![
            low(review("a", 1, Some(1)), "US", Some("3.1.4.0")),
            low(
                review("b", 1, Some(1)),
                "US\u{1b}[0m",
                Some("3.1.4.0\u{1b}]0;title\u{7}"),
            ),
            low(review("c", 1, Some(2)), "DE", Some("3.1.3.0")),
        ],
        ..Inputs::default()
    };
    let w = compute(&inputs, 30, NOW).low_ratings.window;
    assert_eq!((w.markets[0].name.as_str(), w.markets[0].reviews), ("US", 2));
    assert_eq!((w.versions[0].name.as_str(), w.versions[0].reviews), ("3.1.4.0", 2));
    assert_eq!(w.markets.len(), 2);
}

/// Read from a real database, every review is counted without its id and only the reviews
/// with replies or earlier versions are read again with it, and the numbers are those of the
/// same reviews with every id: the reply, the revision and the reply effect are still found.
#[test]
fn from_the_database_only_reviews_with_replies_or_versions_keep_their_id() {
    use crate::db::{CachedReview, HistoryRow};
    let dir = tempfile::tempdir().unwrap();
    let (mut db, _) = Db::open(dir.path(), "stats").unwrap();
    let cached = |id: &str, age_days: i64, rating: i64| CachedReview {
        id: id.into(),
        date_ts: Some(NOW - age_days * D),
        raw_json: format!(r#"{{"id":"{id}","rating":{rating},"market":"US"}}"#),
    };
    db.upsert_reviews(
        "app",
        &[cached("plain", 2, 3), cached("replied", 4, 1), cached("revised", 9, 1)],
        NOW - 8 * D,
    )
    .unwrap();
    // Answered from here a day after its 1★; revised to 4★ five days ago.
    db.append_history(&HistoryRow {
        profile: "stats".into(),
        app: "app".into(),
        review: "revised".into(),
        at: NOW - 8 * D,
        text: "Sorry, fixed.".into(),
        result: "sent".into(),
    })
    .unwrap();
    db.append_history(&HistoryRow {
        profile: "stats".into(),
        app: "app".into(),
        review: "replied".into(),
        at: NOW - 3 * D,
        text: "Thanks".into(),
        result: "sent".into(),
    })
    .unwrap();
    db.upsert_reviews("app", &[cached("revised", 5, 4)], NOW - 5 * D)
        .unwrap();

    let (mut each, mut named) = (Vec::new(), Vec::new());
    db.visit_review_facts(
        "app",
        window_start(NOW, 30),
        &mut |r| each.push(r.id.map(str::to_owned)),
        &mut |r| named.push(r.id.map(str::to_owned)),
    )
    .unwrap();
    assert_eq!(each, [None, None, None], "every review once, without its id");
    named.sort();
    assert_eq!(named, [Some("replied".to_owned()), Some("revised".to_owned())]);
    let inputs = store_inputs(&db, "app", window_start(NOW, 30)).unwrap();
    let stats = compute(&inputs, 30, NOW);
    // The revised review's reply answered its earlier version, not this one.
    assert_eq!((stats.reviews, stats.answering.answered), (3, 1));
    assert_eq!(stats.answering.median_reply_secs, Some(D));
    assert_eq!((stats.reply_effect.reviews, stats.reply_effect.improved), (1, 1));
    assert_eq!(
        stats.reply_effect.moves,
        vec![Move {
            before: 1,
            after: 4,
            reviews: 1
        }]
    );
    assert_eq!(for_app(&db, "app", 30, NOW).unwrap(), stats);
}
