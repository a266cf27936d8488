//! The first screen of cached reviews does not wait for the database to be opened and checked
//! (`Db::open` runs `quick_check` over the whole file, half a second at a million reviews): the
//! db thread reads the newest reviews beside the open. Shown here by holding the open back (the
//! file lock `Db::open` takes) and seeing the first part arrive meanwhile, then the rest, each
//! review once.

mod common;

use std::fs::File;
use std::os::fd::AsRawFd;

use reviewdesk::tui::action::{Action, CachedReviews};
use reviewdesk::tui::app::DbCommand;
use reviewdesk::tui::db_worker::{self, DraftsAt};

const APP: &str = "9NBLGGH4R315";

use common::db_thread::{next_action as next, seed_cache};

#[test]
fn the_newest_cached_reviews_arrive_while_the_database_is_still_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let n = db_worker::FIRST_PART + 150;
    seed_cache(&at, APP, n);

    // Another process opening the same profile: `Db::open` waits for this lock.
    let lock = File::open(at.dir.join("test.sqlite3.lock")).expect("the lock file Db::open made");
    // SAFETY: flock on a descriptor we own.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);

    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    worker.send(DbCommand::LoadCache {
        request: 5,
        app: APP.into(),
        view: Default::default(),
    });
    let first = match next(&mut rx) {
        Some(Action::CacheLoaded {
            request: 5,
            result: Ok(part),
            ..
        }) => part,
        other => panic!("the newest reviews first, before the database is open: {other:?}"),
    };
    assert!(first.more, "more follow");
    assert_eq!(first.reviews.len(), db_worker::FIRST_PART);
    let newest: Vec<&str> = first.reviews.iter().take(2).filter_map(|r| r.id.as_deref()).collect();
    assert_eq!(newest, [format!("r{:04}", n - 1), format!("r{:04}", n - 2)]);
    assert_eq!(
        first.haystacks.len(),
        first.reviews.len(),
        "search text made off the UI thread"
    );

    // SAFETY: as above.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_UN) }, 0);
    let mut drafts_loaded = false;
    let mut parts: Vec<CachedReviews> = Vec::new();
    while parts.last().is_none_or(|p| p.more) {
        match next(&mut rx) {
            Some(Action::DraftsLoaded(result)) => {
                result.expect("the database opens once the lock is free");
                drafts_loaded = true;
            }
            Some(Action::CacheLoaded { request: 5, result, .. }) => parts.push(result.expect("read")),
            Some(_) => {}
            None => panic!("the rest of the cache never came"),
        }
    }
    worker.finish();
    assert!(
        drafts_loaded,
        "the database was opened (and checked) before the rest was read"
    );
    assert_eq!(parts.len(), 1, "the first part is not sent a second time");
    let whole = &parts[0];
    assert!(whole.whole);
    assert_eq!(whole.reviews.len(), n);
    let ids =
        |p: &CachedReviews, k: usize| -> Vec<String> { p.reviews[..k].iter().filter_map(|r| r.id.clone()).collect() };
    assert_eq!(
        ids(whole, first.reviews.len()),
        ids(&first, first.reviews.len()),
        "in front, in the same places"
    );
    let mut all = ids(whole, n);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "every cached review once");
}
