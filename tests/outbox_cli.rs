//! `reviewdesk outbox` against the emulator over TCP: two processes sending one profile's outbox
//! at once send every reply exactly once; a reply left unclear by a killed run is read back, not
//! posted again; an outage keeps replies queued.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::tmux::{APP, Emu, emu};
use reviewdesk::db::{Db, OutboxNew};
use reviewdesk::emulator::FaultSpec;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data").join("reviewdesk")
    }

    /// The database the UI uses with `REVIEWDESK_*` credentials: "env".
    fn db(&self) -> Db {
        Db::open(&self.data_dir(), "env").unwrap().0
    }

    /// A config with a 1 s request timeout: a cut-off request then settles in 11 s.
    fn short_timeout(&self) {
        common::write_config(self.dir.path(), "[network]\nrequest_timeout_secs = 1\n");
    }

    fn cmd(&self, e: &Emu, args: &[&str]) -> Command {
        let mut c = common::bin_in(self.dir.path());
        common::emulator_env(&mut c, &e.handle.base_url());
        c.arg("outbox").args(args);
        c
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `n` reviews in the emulator, each with a queued reply in the outbox.
fn seed(e: &Emu, home: &Home, n: usize) -> Vec<(String, String)> {
    let mut db = home.db();
    (0..n)
        .map(|i| {
            let id = e.handle.add_review(
                APP,
                serde_json::json!({"reviewTitle": format!("Review {i}"), "rating": 2}),
            );
            let text = format!("Reply number {i}, thank you.");
            db.enqueue(
                &OutboxNew {
                    app: APP.into(),
                    review: id.clone(),
                    text: text.clone(),
                    support_email: "help@example.com".into(),
                    public: true,
                },
                // Confirmed in the UI five minutes ago.
                chrono::Utc::now().timestamp() - 300,
            )
            .unwrap();
            (id, text)
        })
        .collect()
}

#[test]
fn two_processes_on_one_profile_send_every_reply_exactly_once() {
    let e = emu(Some(FaultSpec {
        // Each batch's request takes 1.5 s: the first process cannot send all three before the
        // second is up and claiming, however slowly a loaded machine starts it (with 60 ms, one
        // process once sent everything before the other had started).
        delay_ms: Some(1500),
        ..FaultSpec::default()
    }));
    let home = Home::new();
    // Three batches' worth (outbox_sender::DEFAULT_BATCH): each process claims some.
    let replies = seed(&e, &home, 3 * reviewdesk::outbox_sender::DEFAULT_BATCH);
    let spawn = || {
        home.cmd(&e, &["send"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn();
    // The second starts once the first has claimed its first batch.
    let waited = std::time::Instant::now();
    while !home
        .db()
        .outbox(None, 0)
        .unwrap()
        .iter()
        .any(|i| i.state == reviewdesk::db::OutboxState::Sending)
    {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "the first send claimed nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let b = spawn();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    // Both took part: each sent some (the claims interleave).
    for o in [&a, &b] {
        assert!(stderr(o).contains(": sent"), "{}", stderr(o));
    }
    let st = e.handle.stats();
    for (id, _) in &replies {
        assert_eq!(st.applied_responses.get(id), Some(&1), "review {id}: {st:?}");
    }
    assert_eq!(st.submitted_items, replies.len() as u64, "{st:?}");
    let db = home.db();
    let history = db.history(1000).unwrap();
    assert_eq!(history.len(), replies.len());
    assert!(history.iter().all(|h| h.row.result == "sent"), "{history:?}");
    assert_eq!(db.outbox_pending().unwrap(), 0);
}

#[test]
fn a_reply_a_killed_run_left_unclear_is_read_back_not_posted_again() {
    let e = emu(None);
    let home = Home::new();
    let replies = seed(&e, &home, 2);
    // A run that claimed both two minutes ago and died: one reply had reached the Store, the
    // other had not.
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let dead = format!("4194301@{}", boot.trim());
    {
        let mut db = home.db();
        let then = chrono::Utc::now().timestamp() - 120;
        assert!(db.claim_next(&dead, then, 600).unwrap().is_some());
        assert!(db.claim_next(&dead, then, 600).unwrap().is_some());
    }
    assert!(e.handle.respond_in_partner_center(APP, &replies[0].0, &replies[0].1));
    home.short_timeout();
    let out = home.cmd(&e, &["send"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("left unclear by an earlier run"), "{err}");
    assert!(err.contains("not sent again"), "{err}");
    let st = e.handle.stats();
    assert_eq!(st.submitted_items, 1, "only the one that had not arrived: {st:?}");
    assert_eq!(st.applied_responses.get(&replies[1].0), Some(&1));
    assert_eq!(
        st.applied_responses.get(&replies[0].0),
        None,
        "never posted through the API"
    );
}

/// Killed with a request in flight: the Store may still be processing it, so the review is not
/// read back (and nothing re-sent) until the request could have settled; then it is.
#[test]
fn a_request_cut_off_is_left_to_settle_before_the_review_is_read_back() {
    let e = emu(None);
    let home = Home::new();
    let replies = seed(&e, &home, 1);
    home.short_timeout();
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let dead = format!("4194301@{}", boot.trim());
    {
        let mut db = home.db();
        let now = chrono::Utc::now().timestamp();
        assert!(db.claim_next(&dead, now, 600).unwrap().is_some());
    }
    let started = std::time::Instant::now();
    let child = home
        .cmd(&e, &["send"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(5));
    let st = e.handle.stats();
    assert_eq!(
        (st.submit_requests, st.review_page_requests),
        (0, 0),
        "nothing yet: {st:?}"
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(10),
        "waited for the settle time"
    );
    assert!(stderr(&out).contains("waiting"), "{}", stderr(&out));
    let st = e.handle.stats();
    assert_eq!(st.applied_responses.get(&replies[0].0), Some(&1), "{st:?}");
    assert_eq!(st.submitted_items, 1, "{st:?}");
}

#[test]
fn an_outage_keeps_replies_queued_and_says_so() {
    let e = emu(Some(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    }));
    let home = Home::new();
    seed(&e, &home, 3);
    let out = home.cmd(&e, &["send"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("kept in the queue") && err.contains("Partner Center"),
        "{err}"
    );
    assert!(err.contains("3 left in the outbox"), "{err}");
    // One attempt, then the round stops: the next would fare the same.
    assert_eq!(e.handle.stats().submit_requests, 1);
    let list = home.cmd(&e, &["list", "--format", "json"]).output().unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["state"] == "queued"), "{items:?}");
    // The table for people: the same three, fitted to the terminal's width.
    let table = home.cmd(&e, &["list"]).env("COLUMNS", "100").output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    assert_eq!(table.lines().filter(|l| l.contains(" queued ")).count(), 3, "{table}");
    for line in table.lines() {
        assert!(
            reviewdesk::sanitize::display_width(line) <= 100,
            "wider than COLUMNS: {line:?}"
        );
    }

    // The service is back: the next send takes them all.
    e.handle.clear_faults();
    let out = home.cmd(&e, &["send"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 sent; 0 left"), "{}", stderr(&out));
    assert_eq!(e.handle.stats().submitted_items, 3);
}

#[test]
fn discard_gives_the_text_back_and_a_missing_database_is_explained() {
    let e = emu(None);
    let home = Home::new();
    let out = home.cmd(&e, &["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("has no local database"), "{}", stderr(&out));
    assert!(!home.data_dir().join("env.sqlite3").exists(), "nothing created");

    let replies = seed(&e, &home, 1);
    let out = home.cmd(&e, &["discard", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), replies[0].1);
    let out = home.cmd(&e, &["discard", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("outbox item 1 is not in"), "{}", stderr(&out));
    assert_eq!(e.handle.stats().submit_requests, 0);
}
