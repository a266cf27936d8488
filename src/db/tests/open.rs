//! Opening: migrations, permissions, newer files, damaged files.

use std::fs;

use super::super::{CachedReview, Db, DbError, DraftRow, SCHEMA_VERSION};
use super::{open, reply, temp};

#[cfg(unix)]
fn assert_mode(path: &std::path::Path, expected: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, expected, "{}", path.display());
}

#[cfg(not(unix))]
fn assert_mode(_path: &std::path::Path, _expected: u32) {}

fn user_version(db: &Db) -> i64 {
    db.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

fn tables(db: &Db) -> Vec<String> {
    let mut stmt = db
        .conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn migrates_from_empty_and_reopens_idempotently() {
    let dir = temp();
    let data = dir.path().join("nested/data");
    let (db, report) = Db::open(&data, "main").unwrap();
    assert!(report.created && !report.recreated && report.message().is_none());
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    let mode_wal: String = db.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode_wal, "wal");
    let fk: i64 = db.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = db.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 1, "NORMAL");
    let expected = [
        "commerce_import",
        "drafts",
        "history",
        "outbox",
        "review_versions",
        "reviews",
        "sqlite_sequence",
        "sync_state",
        "watch_apps",
        "watch_delivered",
    ];
    assert_eq!(tables(&db), expected);
    db.save_draft(
        "app",
        "r1",
        &DraftRow {
            text: "hello".into(),
            public: true,
            email: String::new(),
        },
        1,
    )
    .unwrap();

    assert_eq!(db.path(), data.join("main.sqlite3"));
    assert_mode(&data, 0o700);
    assert_mode(db.path(), 0o600);
    assert_mode(&data.join("main.sqlite3-wal"), 0o600);
    drop(db);

    for _ in 0..2 {
        let (db, report) = Db::open(&data, "main").unwrap();
        assert!(!report.created && !report.recreated);
        assert_eq!(user_version(&db), SCHEMA_VERSION);
        assert_eq!(tables(&db), expected);
        assert_eq!(db.draft("app", "r1").unwrap().unwrap().draft.text, "hello");
    }
}

#[test]
fn profiles_have_separate_files_and_names_are_checked() {
    let dir = temp();
    let a = open(dir.path());
    let (b, _) = Db::open(dir.path(), "other.profile").unwrap();
    a.save_draft("app", "r", &DraftRow::default(), 1).unwrap();
    assert!(b.draft("app", "r").unwrap().is_none());
    assert_eq!(b.profile(), "other.profile");
    for bad in ["", "../x", "a/b", ".hidden", "x y", &"n".repeat(65)] {
        let err = Db::open(dir.path(), bad).unwrap_err();
        assert!(matches!(err, DbError::BadProfile { .. }), "{bad:?}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn tightens_an_existing_open_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let _db = open(dir.path());
    assert_mode(dir.path(), 0o700);
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_alone() {
    let dir = temp();
    let db = open(dir.path());
    db.conn
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    let path = db.path().to_owned();
    drop(db);
    let err = Db::open(dir.path(), "main").unwrap_err();
    assert!(
        matches!(err, DbError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("made by a newer reviewdesk") && text.contains(&path.display().to_string()),
        "{text}"
    );
    assert!(path.exists());
    let others: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "main.sqlite3" && name != "main.sqlite3.lock")
        .collect();
    assert!(others.is_empty(), "{others:?}");
}

#[test]
fn garbage_is_moved_aside_and_a_fresh_database_made() {
    let dir = temp();
    let path = dir.path().join("main.sqlite3");
    fs::write(
        &path,
        "this is not a database, just text someone saved here\n".repeat(200),
    )
    .unwrap();
    fs::write(dir.path().join("main.sqlite3-wal"), b"junk wal").unwrap();
    let (mut db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(report.recreated && !report.created, "{report:?}");
    let moved = report.moved_to.clone().unwrap();
    assert!(
        moved
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("main.sqlite3.corrupt-")
    );
    assert!(
        fs::read_to_string(&moved)
            .unwrap()
            .starts_with("this is not a database")
    );
    assert!(
        fs::read(format!("{}-wal", moved.display())).unwrap() == b"junk wal",
        "the WAL goes with it"
    );
    assert_eq!(
        (report.lost_drafts, report.lost_outbox),
        (None, None),
        "nothing could be counted"
    );
    assert!(report.damage.is_some());
    let message = report.message().unwrap();
    assert!(message.contains("unknown number of drafts") && message.contains(&moved.display().to_string()));
    // The fresh file works.
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    db.enqueue(&reply("app", "r", "thanks"), 1).unwrap();
    drop(db);
    let (_db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(!report.recreated);
}

fn review(i: usize) -> CachedReview {
    CachedReview {
        id: format!("review-{i:06}"),
        date_ts: Some(i as i64),
        raw_json: format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(400)),
    }
}

/// A real database with drafts and outbox items written first (early pages), then enough
/// reviews that cutting the file in half damages only the cache.
fn populated(dir: &std::path::Path) -> std::path::PathBuf {
    let mut db = open(dir);
    for i in 0..5 {
        db.save_draft(
            "app",
            &format!("d{i}"),
            &DraftRow {
                text: format!("draft {i}"),
                public: i % 2 == 0,
                email: "e@x".into(),
            },
            i,
        )
        .unwrap();
    }
    let a = db.enqueue(&reply("app", "q1", "queued one"), 10).unwrap();
    db.enqueue(&reply("app", "q2", "being sent"), 11).unwrap();
    let claimed = db.claim_next("old", 12, 60).unwrap().unwrap();
    assert_eq!(claimed.id, a);
    let sent = db.enqueue(&reply("app", "q3", "sent one"), 13).unwrap();
    db.mark_sent(sent, 15).unwrap();
    let reviews: Vec<_> = (0..3000).map(review).collect();
    db.upsert_reviews("app", &reviews, 20).unwrap();
    let path = db.path().to_owned();
    drop(db); // the last connection checkpoints and removes the WAL
    assert!(!dir.join("main.sqlite3-wal").exists());
    path
}

#[test]
fn a_truncated_database_is_replaced_and_its_drafts_and_outbox_recovered() {
    let dir = temp();
    let path = populated(dir.path());
    let half = truncate_to_half(&path);

    let (db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(report.recreated, "{report:?}");
    assert_eq!(fs::metadata(report.moved_to.as_ref().unwrap()).unwrap().len(), half);
    assert_eq!(
        (report.recovered_drafts, report.lost_drafts),
        (5, Some(0)),
        "{report:?}"
    );
    assert_eq!(
        (report.recovered_outbox, report.lost_outbox),
        (2, Some(0)),
        "{report:?}"
    );
    assert_eq!(report.recovered_history, 1);
    assert!(report.message().unwrap().contains("nothing unsent was lost"));

    assert_eq!(db.drafts("app").unwrap().len(), 5);
    assert_eq!(db.draft("app", "d3").unwrap().unwrap().draft.text, "draft 3");
    let items = db.outbox(None, 0).unwrap();
    let states: Vec<_> = items.iter().map(|i| (i.review.as_str(), i.state.as_str())).collect();
    // The claimed item may have gone out: it comes back unconfirmed, never queued.
    assert_eq!(states, [("q1", "unconfirmed"), ("q2", "queued")]);
    assert_eq!(db.history(10).unwrap()[0].row.text, "sent one");
    assert_eq!(db.review_count("app").unwrap(), 0, "the cache is fetched again");
    assert_eq!(db.last_sync("app").unwrap(), None);
}

#[test]
fn damaged_pages_fail_quick_check_and_are_replaced() {
    let dir = temp();
    let path = populated(dir.path());
    let mut bytes = fs::read(&path).unwrap();
    // Scribble over the middle of the file (b-tree pages of the cache), keeping the header.
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64 * 1024] {
        *b = 0x5a;
    }
    fs::write(&path, &bytes).unwrap();
    let (db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(report.recreated, "{report:?}");
    assert_eq!(
        report.recovered_drafts + report.lost_drafts.unwrap_or(0),
        5,
        "{report:?}"
    );
    assert_eq!(db.drafts("app").unwrap().len(), report.recovered_drafts);
}

#[test]
fn a_deleted_file_is_noticed_while_open_and_reported_as_new_at_start() {
    let dir = temp();
    let db = open(dir.path());
    db.check_file().unwrap();
    fs::remove_file(db.path()).unwrap();
    let err = db.check_file().unwrap_err();
    assert!(matches!(err, DbError::FileGone { .. }), "{err}");
    drop(db);
    let (_db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(report.created && report.missing && !report.recreated, "{report:?}");
    assert!(report.message().unwrap().contains("missing (deleted?)"));
}

#[test]
fn a_first_start_has_nothing_to_report() {
    let dir = temp();
    let (_db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(
        report.created && !report.missing && report.message().is_none(),
        "{report:?}"
    );
    assert!(dir.path().join("main.sqlite3.lock").exists());
}

#[test]
fn processes_opening_a_damaged_file_together_replace_it_once() {
    let dir = temp();
    let path = populated(dir.path());
    truncate_to_half(&path);
    let data = dir.path().to_owned();
    let openers: Vec<_> = (0..3)
        .map(|_| {
            let data = data.clone();
            std::thread::spawn(move || {
                Db::open(&data, "main").map(|(db, report)| (db.drafts("app").unwrap().len(), report))
            })
        })
        .collect();
    let results: Vec<_> = openers.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
    assert_eq!(results.iter().filter(|(_, r)| r.recreated).count(), 1, "{results:?}");
    assert!(results.iter().all(|(drafts, _)| *drafts == 5), "{results:?}");
    let aside: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".corrupt-") && !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
}

#[test]
fn an_empty_file_is_a_new_database() {
    let dir = temp();
    fs::write(dir.path().join("main.sqlite3"), b"").unwrap();
    let (_db, report) = Db::open(dir.path(), "main").unwrap();
    assert!(report.created && !report.recreated);
}

#[test]
fn errors_name_the_file_and_what_to_do() {
    let dir = temp();
    let file = dir.path().join("not-a-dir");
    fs::write(&file, b"x").unwrap();
    let err = Db::open(&file, "main").unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, DbError::Io { .. }) && text.contains("not-a-dir") && text.contains("check"),
        "{text}"
    );
}

/// Cuts the file to half its length, as a crash or a full disk can leave it; the new length.
fn truncate_to_half(path: &std::path::Path) -> u64 {
    let len = fs::metadata(path).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    len / 2
}
