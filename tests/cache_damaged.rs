//! The db thread reads the cache beside `Db::open`, before the file has passed its
//! `quick_check`. When the check then fails, the file is moved aside and replaced, and what was
//! shown from it is taken back in one sentence: the list empties, and the fresh file's (empty)
//! answer follows. A real file, really damaged: one page of an index that the cache read does not
//! use, so the read succeeds and only the check finds it.

mod common;

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

use common::flows::*;
use reviewdesk::tui::action::{Action, CachedReviews};
use reviewdesk::tui::app::{Command, DbCommand};
use reviewdesk::tui::db_worker::{self, DraftsAt};

use common::db_thread::{next_action as next, seed_cache};

/// Overwrites the root page of `index` in the database at `path` with garbage (after moving
/// the WAL into the file, so that the page is not read from the WAL instead).
fn damage(path: &Path, index: &str) {
    let (page_size, root) = {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let root: i64 = conn
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [index], |r| {
                r.get(0)
            })
            .unwrap();
        (page_size as u64, root as u64)
    };
    let mut file = OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
    file.write_all(&vec![0xA5; page_size as usize]).unwrap();
    file.sync_all().unwrap();
}

#[test]
fn reviews_shown_from_a_file_that_then_fails_its_check_are_taken_back() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let n = db_worker::FIRST_PART + 150;
    seed_cache(&at, APP, n);
    let file = at.dir.join("test.sqlite3");
    // Reading by date and scanning the table never touch the index by id; `quick_check` does.
    damage(&file, "reviews_by_id");

    // The open waits for this lock (another process opening the profile): the first part is
    // then surely shown before the check has run.
    let lock = File::open(at.dir.join("test.sqlite3.lock")).expect("the lock file Db::open made");
    // SAFETY: flock on a descriptor we own.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);

    let mut h = H::cached(&[APP], CachedReviews::default(), Vec::new());
    let load = h
        .take()
        .into_iter()
        .find_map(|c| match c {
            Command::Db(cmd @ DbCommand::LoadCache { .. }) => Some(cmd),
            _ => None,
        })
        .expect("the app reads the cache first");
    let DbCommand::LoadCache { request, .. } = load else {
        unreachable!()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    worker.send(load);
    match next(&mut rx) {
        Some(a @ Action::CacheLoaded { result: Ok(_), .. }) => {
            h.act(a);
        }
        other => panic!("the newest reviews first, before the check: {other:?}"),
    }
    assert_eq!(
        h.app.list.reviews.len(),
        db_worker::FIRST_PART,
        "shown from the unchecked file"
    );

    // SAFETY: as above.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_UN) }, 0);
    let mut seen = Vec::new();
    loop {
        let a = next(&mut rx).expect("the cache read is answered to the end");
        let last = matches!(&a, Action::CacheLoaded { request: r, result, .. }
            if *r == request && !result.as_ref().expect("the fresh file reads").more);
        seen.push(format!("{a:?}").chars().take(60).collect::<String>());
        let withdrawn = match &a {
            Action::CacheWithdrawn { why, .. } => Some(why.clone()),
            _ => None,
        };
        h.act(a);
        if let Some(why) = withdrawn {
            assert!(
                why.contains(&format!("{} cached reviews", db_worker::FIRST_PART)) && why.contains("taken back"),
                "{why}"
            );
            assert!(h.app.list.reviews.is_empty(), "taken back at once");
            assert!(h.app.list.view.is_empty());
        }
        if last {
            break;
        }
    }
    worker.finish();
    let at_least_once = |what: &str| seen.iter().any(|s| s.starts_with(what));
    assert!(
        at_least_once("CacheWithdrawn"),
        "what was shown is taken back: {seen:?}"
    );
    assert!(at_least_once("DraftsLoaded"), "{seen:?}");
    assert!(h.app.list.reviews.is_empty(), "nothing of the damaged file is listed");
    // The fetch follows, as after any cache read.
    assert!(
        h.take().iter().any(|c| matches!(
            c,
            Command::Store(reviewdesk::tui::app::StoreCommand::FetchReviews { .. })
        )),
        "the reviews are fetched again"
    );
    let mut said = Vec::new();
    while let Some(text) = h.app.status.notices.shown_text() {
        said.push(text.to_owned());
        h.app.status.notices.dismiss();
    }
    assert!(said.iter().any(|s| s.contains("taken back")), "{said:?}");
    let boxed = h.app.status.notice.clone().unwrap_or_default();
    assert!(
        boxed.contains("was damaged"),
        "the open's report is shown too: {boxed:?}"
    );
    // The damaged file was moved aside, not written to.
    let aside: Vec<_> = std::fs::read_dir(&at.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert!(!aside.is_empty(), "the damaged file is kept aside");
}
