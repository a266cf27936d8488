//! The earlier versions of revised reviews, and the columns the stats read.

use super::super::migrations::MIGRATIONS;
use super::super::{CachedReview, Db, HistoryRow};
use super::{open, temp};

fn review(id: &str, date_ts: i64, rating: i64, text: &str, extra: &str) -> CachedReview {
    CachedReview {
        id: id.to_owned(),
        date_ts: Some(date_ts),
        raw_json: format!(
            r#"{{"id":"{id}","rating":{rating},"reviewText":"{text}","market":"DE","packageVersion":"3.1.4.0"{extra}}}"#
        ),
    }
}

#[test]
fn a_revised_review_keeps_its_earlier_rating_and_text() {
    let dir = temp();
    let mut db = open(dir.path());
    db.upsert_reviews(
        "app",
        &[review(
            "a",
            100,
            1,
            "crashes",
            r#","responseText":"Fixed in 3.1.5","responseDate":"2024-05-02T10:00:00.0000000""#,
        )],
        1_000,
    )
    .unwrap();
    // Fetched again unchanged, then with only its helpful count changed: not a revision.
    db.upsert_reviews(
        "app",
        &[review(
            "a",
            100,
            1,
            "crashes",
            r#","responseText":"Fixed in 3.1.5","responseDate":"2024-05-02T10:00:00.0000000""#,
        )],
        2_000,
    )
    .unwrap();
    db.upsert_reviews(
        "app",
        &[review(
            "a",
            100,
            1,
            "crashes",
            r#","helpfulCount":3,"responseText":"Fixed in 3.1.5","responseDate":"2024-05-02T10:00:00.0000000""#,
        )],
        3_000,
    )
    .unwrap();
    assert!(db.review_versions("app", "a").unwrap().is_empty(), "no revision yet");

    // Revised: another rating, text and date; the Store drops the response.
    db.upsert_reviews("app", &[review("a", 500, 4, "works now", "")], 4_000)
        .unwrap();
    // Only the text changes: a revision too.
    db.upsert_reviews("app", &[review("a", 500, 4, "works now!", "")], 5_000)
        .unwrap();
    let versions = db.review_versions("app", "a").unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    let first = &versions[0];
    assert_eq!(
        (first.date_ts, first.rating, first.answered, first.replaced_at),
        (Some(100), Some(1), true, 4_000)
    );
    // 2024-05-02T10:00:00Z
    assert_eq!(first.response_ts, Some(1_714_644_000));
    assert!(
        first.raw_json.contains(r#""reviewText":"crashes""#),
        "{}",
        first.raw_json
    );
    assert_eq!((versions[1].rating, versions[1].replaced_at), (Some(4), 5_000));
    assert!(versions[1].raw_json.contains("works now\""));
    // Another app's review of the same id is its own.
    db.upsert_reviews("other", &[review("a", 600, 2, "meh", "")], 6_000)
        .unwrap();
    assert_eq!(db.review_versions("app", "a").unwrap().len(), 2);
    assert!(db.review_versions("other", "a").unwrap().is_empty());
    let earlier = db.earlier_ratings("app").unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        earlier["a"].iter().map(|v| v.rating).collect::<Vec<_>>(),
        [Some(1), Some(4)],
        "oldest first"
    );

    // The current version's columns, as the stats read them; the id only where asked for.
    let facts = db.review_facts("app", 0, &|id| id == "a").unwrap();
    assert_eq!(facts[0].id.as_deref(), Some("a"));
    assert_eq!(db.review_facts("app", 0, &|_| false).unwrap()[0].id, None);
    assert_eq!(facts.len(), 1);
    assert_eq!(
        (
            facts[0].date_ts,
            facts[0].rating,
            facts[0].answered,
            facts[0].response_ts
        ),
        (500, Some(4), false, None)
    );
    // Market and version only for 1–2★ reviews.
    assert_eq!(facts[0].market, None);
    let other = db.review_facts("other", 0, &|_| true).unwrap();
    assert_eq!(other[0].market.as_deref(), Some("DE"));
    assert_eq!(other[0].package_version.as_deref(), Some("3.1.4.0"));
    assert!(
        db.review_facts("app", 501, &|_| true).unwrap().is_empty(),
        "dated before the window"
    );
}

#[test]
fn the_stats_columns_read_lenient_json_and_vanished_reviews_are_left_out() {
    let dir = temp();
    let mut db = open(dir.path());
    let rows = [
        CachedReview {
            id: "s".into(),
            date_ts: Some(10),
            // A rating as a string, a US response date: both as the Store sends them at times.
            raw_json: r#"{"rating":"2","market":"US","responseText":"  ","responseDate":"3/5/2021 12:48:33 PM"}"#
                .into(),
        },
        CachedReview {
            id: "bad".into(),
            date_ts: Some(10),
            raw_json: r#"{"rating":"five","market":"FR","responseText":"ok"}"#.into(),
        },
        CachedReview {
            id: "gone".into(),
            date_ts: Some(10),
            raw_json: r#"{"rating":1}"#.into(),
        },
    ];
    db.upsert_reviews("app", &rows, 1).unwrap();
    db.mark_vanished("app", 0, 20, &["s".to_owned(), "bad".to_owned()].into())
        .unwrap();
    let mut facts = db.review_facts("app", 0, &|_| true).unwrap();
    facts.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(facts.len(), 2, "the vanished one is not counted");
    assert_eq!(
        (facts[0].id.as_deref(), facts[0].rating, facts[0].answered),
        (Some("bad"), None, true)
    );
    assert_eq!(facts[0].market, None, "no rating: not among the 1–2★");
    // A blank response is no answer; 2021-03-05T12:48:33Z.
    assert_eq!(
        (facts[1].rating, facts[1].answered, facts[1].response_ts),
        (Some(2), false, Some(1_614_948_513))
    );
    assert_eq!(facts[1].market.as_deref(), Some("US"));
}

#[test]
fn replies_sent_are_read_by_review_and_failures_are_not() {
    let dir = temp();
    let mut db = open(dir.path());
    let row = |review: &str, at: i64, result: &str| HistoryRow {
        profile: "main".into(),
        app: "app".into(),
        review: review.into(),
        at,
        text: "Thanks".into(),
        result: result.into(),
    };
    db.append_history(&row("a", 50, "sent")).unwrap();
    db.append_history(&row("a", 20, "sent in Partner Center")).unwrap();
    db.append_history(&row("b", 30, "failed: 400")).unwrap();
    let times = db.reply_times("app").unwrap();
    assert_eq!(times.len(), 1);
    assert_eq!(times["a"], vec![20, 50]);
}

#[test]
fn the_migration_fills_the_stats_columns_of_reviews_cached_before_it() {
    let dir = temp();
    let path = dir.path().join("main.sqlite3");
    {
        // A database as the release before the stats' columns left it: the migrations before
        // the one that adds them (found by what it does: more may be appended after it).
        let conn = rusqlite::Connection::open(&path).unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|m| m.contains("ALTER TABLE reviews ADD COLUMN rating"))
            .unwrap();
        for m in &MIGRATIONS[..before] {
            conn.execute_batch(m).unwrap();
        }
        conn.execute_batch(&format!("PRAGMA user_version = {before}")).unwrap();
        conn.execute(
            "INSERT INTO reviews (app, id, date_ts, fetched_at, raw_json) VALUES ('app', 'old', 100, 1, ?1)",
            [r#"{"rating":"1","market":"JP","packageVersion":"2.0.0.0","responseText":"Sorry","responseDate":"2024-05-02T10:00:00.0000000"}"#],
        )
        .unwrap();
    }
    let (mut db, _) = Db::open(dir.path(), "main").unwrap();
    let facts = db.review_facts("app", 0, &|_| true).unwrap();
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_eq!(
        (
            f.rating,
            f.market.as_deref(),
            f.package_version.as_deref(),
            f.answered,
            f.response_ts
        ),
        (Some(1), Some("JP"), Some("2.0.0.0"), true, Some(1_714_644_000))
    );
    // And the first revision fetched after the upgrade keeps this version.
    db.upsert_reviews(
        "app",
        &[CachedReview {
            id: "old".into(),
            date_ts: Some(200),
            raw_json: r#"{"rating":5}"#.into(),
        }],
        2,
    )
    .unwrap();
    assert_eq!(db.review_versions("app", "old").unwrap()[0].rating, Some(1));
}
