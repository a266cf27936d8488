//! Review cache, sync state and drafts.

use std::collections::HashSet;

use super::super::{CachedReview, DraftRow};
use super::{open, temp};

fn r(id: &str, date: Option<i64>, body: &str) -> CachedReview {
    CachedReview {
        id: id.to_owned(),
        date_ts: date,
        raw_json: format!("{{\"id\":\"{id}\",\"text\":\"{body}\"}}"),
    }
}

fn seen(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn upsert_and_load_newest_first_per_app() {
    let dir = temp();
    let mut db = open(dir.path());
    let n = db.upsert_reviews(
        "app1",
        &[
            r("a", Some(100), "old"),
            r("b", Some(300), "new"),
            r("c", None, "undated"),
        ],
        1000,
    );
    assert_eq!(n.unwrap(), 3);
    db.upsert_reviews("app2", &[r("a", Some(200), "other app")], 1000)
        .unwrap();
    // A revised review replaces the stored one.
    db.upsert_reviews("app1", &[r("a", Some(150), "revised")], 2000)
        .unwrap();

    let loaded = db.load_reviews("app1").unwrap();
    let ids: Vec<_> = loaded.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["b", "a", "c"]);
    let a = &loaded[1];
    assert!(a.raw_json.contains("revised") && a.fetched_at == 2000 && a.date_ts == Some(150) && !a.vanished);
    assert_eq!(loaded[0].fetched_at, 1000);
    assert_eq!(db.review_count("app2").unwrap(), 1);
    assert!(db.review("app2", "a").unwrap().unwrap().raw_json.contains("other app"));
    assert!(db.review("app2", "b").unwrap().is_none());
}

#[test]
fn the_newest_part_is_the_start_of_the_whole_load() {
    let dir = temp();
    let mut db = open(dir.path());
    // Ties on the date, undated ones, another app's rows in between, and a revision (an update
    // keeps the row where it is).
    let dates = [5, 0, 9, 5, 7, 0, 9, 1, 5].map(|d: i64| (d > 0).then_some(d));
    for (i, d) in dates.iter().enumerate() {
        db.upsert_reviews("app", &[r(&format!("r{i}"), *d, "x")], 1).unwrap();
        db.upsert_reviews("other", &[r(&format!("o{i}"), Some(8), "x")], 1)
            .unwrap();
    }
    db.upsert_reviews("app", &[r("r0", Some(5), "revised")], 2).unwrap();
    let all: Vec<String> = db.load_reviews("app").unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(all, ["r2", "r6", "r4", "r0", "r3", "r8", "r7", "r1", "r5"]);
    for n in 0..=all.len() + 1 {
        let newest: Vec<String> = db
            .load_newest_reviews("app", n)
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect();
        assert_eq!(newest, all[..n.min(all.len())], "the newest {n}");
    }
    let first = db.load_newest_reviews("app", 1).unwrap();
    assert_eq!((first[0].fetched_at, first[0].vanished), (1, false));
}

#[test]
fn reviews_missing_from_a_fetched_window_are_marked_not_deleted() {
    let dir = temp();
    let mut db = open(dir.path());
    let all: Vec<_> = [100, 200, 300, 400, 500]
        .iter()
        .map(|d| r(&format!("r{d}"), Some(*d), "x"))
        .collect();
    db.upsert_reviews("app", &all, 1).unwrap();
    db.upsert_reviews("app", &[r("undated", None, "x")], 1).unwrap();

    // The service returned r200 and r400 for the window 150..=450: r300 vanished.
    assert_eq!(db.mark_vanished("app", 150, 450, &seen(&["r200", "r400"])).unwrap(), 1);
    let vanished = |db: &super::super::Db| -> Vec<String> {
        db.load_reviews("app")
            .unwrap()
            .into_iter()
            .filter(|x| x.vanished)
            .map(|x| x.id)
            .collect()
    };
    assert_eq!(vanished(&db), ["r300"]);
    assert_eq!(db.review_count("app").unwrap(), 6, "kept");
    // Idempotent; the window's ends are inclusive; other apps untouched.
    assert_eq!(db.mark_vanished("app", 150, 450, &seen(&["r200", "r400"])).unwrap(), 0);
    assert_eq!(db.mark_vanished("app", 100, 100, &seen(&[])).unwrap(), 1);
    assert_eq!(db.mark_vanished("other", 0, 1000, &seen(&[])).unwrap(), 0);
    assert_eq!(vanished(&db), ["r300", "r100"]);
    // A later sighting clears the mark, by upsert or by a window that sees it.
    db.upsert_reviews("app", &[r("r300", Some(300), "back")], 2).unwrap();
    assert_eq!(db.mark_vanished("app", 0, 150, &seen(&["r100"])).unwrap(), 0);
    assert!(vanished(&db).is_empty());
    // Undated reviews are never in a window.
    assert_eq!(
        db.mark_vanished(
            "app",
            i64::MIN,
            i64::MAX,
            &seen(&["r100", "r200", "r300", "r400", "r500"])
        )
        .unwrap(),
        0
    );
}

#[test]
fn last_sync_per_app() {
    let dir = temp();
    let db = open(dir.path());
    assert_eq!(db.last_sync("app").unwrap(), None);
    db.set_last_sync("app", 10).unwrap();
    db.set_last_sync("app", 20).unwrap();
    db.set_last_sync("other", 5).unwrap();
    assert_eq!(db.last_sync("app").unwrap(), Some(20));
    assert_eq!(db.last_sync("other").unwrap(), Some(5));
}

#[test]
fn drafts_round_trip_and_newest_save_wins() {
    let dir = temp();
    let db = open(dir.path());
    let d = |t: &str| DraftRow {
        text: t.to_owned(),
        public: false,
        email: "me@example.com".to_owned(),
    };
    db.save_draft("app", "r1", &d("first"), 10).unwrap();
    db.save_draft("app", "r1", &d("first words\nsecond line ✓"), 11)
        .unwrap();
    db.save_draft("app", "r2", &d("other"), 12).unwrap();
    db.save_draft("app2", "r1", &d("other app"), 13).unwrap();
    // A stale save (another window, earlier) does not overwrite.
    db.save_draft("app", "r1", &d("stale"), 9).unwrap();

    let got = db.draft("app", "r1").unwrap().unwrap();
    assert_eq!(got.draft, d("first words\nsecond line ✓"));
    assert_eq!(got.updated_at, 11);
    let all: Vec<_> = db.drafts("app").unwrap().into_iter().map(|x| x.review).collect();
    assert_eq!(all, ["r2", "r1"]);
    assert_eq!(db.draft_reviews("app").unwrap(), seen(&["r1", "r2"]));
    assert!(db.delete_draft("app", "r1").unwrap());
    assert!(!db.delete_draft("app", "r1").unwrap());
    assert!(db.draft("app", "r1").unwrap().is_none());
    assert!(db.draft("app2", "r1").unwrap().is_some());
}

#[test]
fn a_draft_survives_the_connection_being_dropped_without_close() {
    let dir = temp();
    let db = open(dir.path());
    db.save_draft(
        "app",
        "r",
        &DraftRow {
            text: "typed".into(),
            public: true,
            email: String::new(),
        },
        1,
    )
    .unwrap();
    // Like kill -9: the connection is never closed, the WAL is never checkpointed.
    std::mem::forget(db);
    let (db, _) = super::super::Db::open(dir.path(), "main").unwrap();
    assert_eq!(db.draft("app", "r").unwrap().unwrap().draft.text, "typed");
}
