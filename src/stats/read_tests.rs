//! [`for_app`]'s read (each review counted as SQLite hands it over, ids only where the history
//! or the kept versions name the review) against the straightforward one ([`store_inputs`]:
//! every review collected with its id, then [`compute`]), on random caches in real database
//! files: revised reviews, vanished ones, replies sent and failed, a Commerce site's rows and
//! another app's rows with the same ids beside the app's.

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;
use crate::db::{CachedReview, HistoryRow};
use crate::store::Review;

const D: i64 = 86_400;
/// Not on a day's boundary, so that windows and weeks cut through days.
const NOW: i64 = 400 * D + 13 * 3_600 + 17;
const APP: &str = "9NBLGGH4R315";
/// Names the breakdowns see: repeated, blank, padded, hostile.
const NAMES: [&str; 6] = ["US", "DE", " US ", "", "FR\u{1b}]52;c;eA==\u{7}", "3.1.4.0"];

#[derive(Clone, Debug)]
struct Spec {
    /// Seconds before `NOW` (negative: a clock ahead).
    age: i64,
    rating: Option<i64>,
    market: Option<usize>,
    version: Option<usize>,
    /// The response's time from the review's date (negative: it answered an earlier version).
    response_after: Option<i64>,
    /// Replies in the history, from the review's date, and whether each was sent.
    replies: Vec<(i64, bool)>,
    /// Revised this many seconds later, to this rating, its response kept or not.
    revised: Option<(i64, Option<i64>, bool)>,
    vanished: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let rating = prop_oneof![Just(None), (0i64..=6).prop_map(Some)];
    (
        -2 * D..400 * D,
        rating.clone(),
        proptest::option::of(0..NAMES.len()),
        proptest::option::of(0..NAMES.len()),
        proptest::option::of(-3 * D..10 * D),
        proptest::collection::vec((-2 * D..20 * D, any::<bool>()), 0..3),
        proptest::option::of((1..30 * D, rating, any::<bool>())),
        proptest::bool::weighted(0.1),
    )
        .prop_map(
            |(age, rating, market, version, response_after, replies, revised, vanished)| Spec {
                age,
                rating,
                market,
                version,
                response_after,
                replies,
                revised,
                vanished,
            },
        )
}

fn date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn review(id: &str, s: &Spec, date_ts: i64, rating: Option<i64>, response: bool) -> Review {
    let response_ts = s.response_after.filter(|_| response).map(|after| date_ts + after);
    Review {
        id: Some(id.into()),
        date: Some(date(date_ts).into()),
        timestamp: Some(date_ts),
        market: s.market.map(|i| NAMES[i].into()),
        package_version: s.version.map(|i| NAMES[i].into()),
        rating,
        review_text: Some(format!("text of {date_ts}")),
        response_text: response_ts.map(|_| "Thanks".into()),
        response_date: response_ts.map(|t| date(t).into()),
        ..Review::default()
    }
}

/// The cache the specs describe, in a real database file; the site's and the other app's
/// rows reuse the app's ids.
fn cache(dir: &std::path::Path, specs: &[Spec]) -> Db {
    let (mut db, _) = Db::open(dir, "stats").unwrap();
    let id = |i: usize| format!("review-{i}");
    let first: Vec<CachedReview> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, s)| CachedReview::of(&review(&id(i), s, NOW - s.age, s.rating, true)))
        .collect();
    db.upsert_reviews(APP, &first, NOW - 40 * D).unwrap();
    db.upsert_reviews("9OTHERAPP000", &first, NOW - 40 * D).unwrap();
    db.upsert_reviews(&crate::provider::site_source_id("stats"), &first, NOW - 40 * D)
        .unwrap();
    for (i, s) in specs.iter().enumerate() {
        for &(after, sent) in &s.replies {
            for app in [APP, "9OTHERAPP000"] {
                db.append_history(&HistoryRow {
                    profile: "stats".into(),
                    app: app.into(),
                    review: id(i),
                    at: NOW - s.age + after,
                    text: "Thanks".into(),
                    result: if sent { "sent" } else { "failed: HTTP 500" }.into(),
                })
                .unwrap();
            }
        }
    }
    let revised: Vec<CachedReview> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (later, rating, response) = s.revised?;
            CachedReview::of(&review(&id(i), s, NOW - s.age + later, rating, response))
        })
        .collect();
    db.upsert_reviews(APP, &revised, NOW - 20 * D).unwrap();
    let seen: HashSet<String> = (0..specs.len()).filter(|&i| !specs[i].vanished).map(id).collect();
    db.mark_vanished(APP, i64::MIN / 2, i64::MAX / 2, &seen).unwrap();
    db
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn the_counted_read_gives_the_numbers_of_the_collected_one(specs in proptest::collection::vec(spec(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let db = cache(dir.path(), &specs);
        for days in WINDOWS {
            let collected = compute(&store_inputs(&db, APP, window_start(NOW, days)).unwrap(), days, NOW);
            prop_assert_eq!(for_app(&db, APP, days, NOW).unwrap(), collected);
        }
    }
}

/// A cache large enough to hold every case at once (each kind of review many times), so that
/// the equivalence does not rest on the random cases alone.
#[test]
fn a_few_hundred_reviews_of_every_kind_give_the_same_numbers_both_ways() {
    let mut specs = Vec::new();
    for i in 0..600i64 {
        specs.push(Spec {
            age: (i * 7_919 * 60) % (380 * D) - D,
            rating: (i % 8 != 7).then_some(i % 7),
            market: (i % 9 != 0).then_some(i as usize % NAMES.len()),
            version: (i % 4 != 0).then_some((i as usize / 3) % NAMES.len()),
            response_after: (i % 3 != 2).then_some((i % 11 - 2) * 3_600 * 7),
            replies: if i % 5 == 0 {
                vec![((i % 13 - 3) * 3_600 * 5, i % 7 != 3)]
            } else {
                vec![]
            },
            revised: (i % 6 == 1).then_some(((i % 17 + 1) * 3_600 * 9, Some((i + 2) % 6), i % 12 == 1)),
            vanished: i % 23 == 0,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let db = cache(dir.path(), &specs);
    for days in WINDOWS {
        let counted = for_app(&db, APP, days, NOW).unwrap();
        assert_eq!(
            counted,
            compute(&store_inputs(&db, APP, window_start(NOW, days)).unwrap(), days, NOW)
        );
        if days == 365 {
            // The cache does hold what the comparison is about.
            assert!(counted.reply_effect.reviews > 5, "{:?}", counted.reply_effect);
            assert!(counted.answering.replies_timed > 50 && counted.answering.backlog.older > 50);
            assert!(counted.low_ratings.window.markets.len() > 2);
        }
    }
}

/// The `s` screen and `reviewdesk stats` count a site through the one function, without the
/// reviews moderation took down.
#[test]
fn a_site_source_is_counted_from_its_export_without_taken_down_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let (mut db, _) = Db::open(dir.path(), "fabrikam").unwrap();
    let exported = [
        r#"{"id":"1","productName":"Desk lamp","market":"US","rating":1,"submittedDateTime":"1971-02-03T00:00:00Z"}"#,
        r#"{"id":"2","productName":"Chair","rating":5,"submittedDateTime":"1971-02-03T00:00:00Z","isTakenDown":true}"#,
    ];
    let cached: Vec<CachedReview> = exported
        .iter()
        .map(|json| {
            let review = crate::commerce::CommerceReview::from_json(serde_json::from_str(json).unwrap());
            CachedReview::of(&crate::commerce::listed::to_review(&review)).unwrap()
        })
        .collect();
    let source = crate::provider::site_source_id("fabrikam");
    db.upsert_reviews(&source, &cached, NOW).unwrap();
    let s = for_source(&db, &source, 30, NOW).unwrap();
    assert_eq!((s.reviews, s.distribution), (1, [1, 0, 0, 0, 0]));
    assert_eq!(s.low_ratings.second_breakdown, "product");
    assert_eq!(s.low_ratings.window.versions[0].name, "Desk lamp");
    // A Store app is still read from its columns.
    assert_eq!(
        for_source(&db, APP, 30, NOW).unwrap(),
        for_app(&db, APP, 30, NOW).unwrap()
    );
}
