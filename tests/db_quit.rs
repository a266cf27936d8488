//! Quitting does not wait for a fetch's pages to reach the cache, and never drops a draft.
//! Deterministic: the db thread is held at its open (the file lock `Db::open` takes) while the
//! pages, a draft and the quit are sent, so everything is still queued when the quit is asked.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::time::Duration;

use reviewdesk::db::Db;
use reviewdesk::store::Review;
use reviewdesk::tui::app::DbCommand;
use reviewdesk::tui::app::editor::Draft;
use reviewdesk::tui::db_worker::{self, DraftsAt};

const APP: &str = "9NBLGGH4R315";

fn review(i: usize) -> Review {
    Review {
        id: Some(format!("r{i:05}")),
        timestamp: Some(1_750_000_000 + i as i64),
        rating: Some(2),
        review_text: Some(format!("text {i}")),
        ..Review::default()
    }
}

#[test]
fn quitting_drops_queued_cache_pages_and_keeps_every_draft() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    // A first run makes the file (and its lock file) with one cached review.
    let (tx, _rx) = tokio::sync::mpsc::channel(1024);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    worker.send(DbCommand::CacheReviews {
        app: APP.into(),
        reviews: vec![review(0)],
    });
    worker.finish();

    let lock = File::open(at.dir.join("test.sqlite3.lock")).expect("the lock file Db::open made");
    // SAFETY: flock on a descriptor we own.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let (tx, _rx) = tokio::sync::mpsc::channel(1024);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    for page in (1..20_001).collect::<Vec<_>>().chunks(1000) {
        worker.send(DbCommand::CacheReviews {
            app: APP.into(),
            reviews: page.iter().map(|&i| review(i)).collect(),
        });
    }
    worker.send(DbCommand::SaveDraft {
        app: APP.into(),
        review: "r00007".into(),
        draft: Draft {
            text: "Thanks, a fix is on its way".into(),
            public: true,
            email: String::new(),
        },
    });
    let quitting = std::thread::spawn(move || worker.quit());
    // Let the quit be asked while the open still waits for the lock.
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: as above.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_UN) }, 0);
    quitting.join().expect("quit returned");

    let (db, _) = Db::open(&at.dir, "test").unwrap();
    let drafts = db.drafts(APP).unwrap();
    assert!(
        drafts.iter().any(|d| d.draft.text == "Thanks, a fix is on its way"),
        "the draft typed before quitting is kept: {drafts:?}"
    );
    assert_eq!(
        db.review_count(APP).unwrap(),
        1,
        "the 20,000 fetched reviews queued at the quit were left to the next fetch"
    );
}
