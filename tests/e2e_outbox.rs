//! The outbox end to end: the real binary in a real terminal (tmux, 80x24) against the emulator
//! over TCP. A confirmed reply is written to the profile's database before any request; outages,
//! quitting, `kill -9` and late answers never lose it and never send it twice (the emulator
//! counts every submission and every applied response).

mod common;

use std::time::{Duration, Instant};

use common::tmux::*;
use reviewdesk::emulator::{FaultSpec, Stats};

fn outage() -> FaultSpec {
    FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    }
}

/// Polls the emulator's counters until `ok` holds.
fn wait_stats(e: &Emu, what: &str, limit: Duration, ok: impl Fn(&Stats) -> bool) -> Stats {
    let start = Instant::now();
    loop {
        let st = e.handle.stats();
        if ok(&st) {
            return st;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}: {st:?}");
        std::thread::sleep(POLL);
    }
}

/// Opens the editor on the selected review, types `text` (and, when the eligibility check could
/// not supply one, a support email) and confirms it.
fn reply_and_confirm(t: &Term, text: &str, email: Option<&str>) {
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.type_text(text);
    t.wait_for(&format!("{}/1000", text.chars().count()));
    if let Some(email) = email {
        t.keys(&["Tab"]);
        t.type_text(email);
        t.wait_for(email);
    }
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    t.keys(&["y"]);
}

/// `reviewdesk history --format json` for the same HOME and credentials: what the database says.
fn history(e: &Emu, t: &Term) -> Vec<serde_json::Value> {
    let out = t.cli(e, &["history", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A review of our own, at the top of the list, answered in the outage.
fn queue_in_outage(e: &Emu, t: &Term, title: &str, text: &str) {
    wait_detail_title(t, title);
    t.wait_until("the outage shown on the review", |s| {
        pane_text(s, "┌ Review ─").contains("Microsoft's reviews API")
    });
    reply_and_confirm(t, text, Some("help@example.com"));
    // Degraded mode: the outbox opens on the reply, with the way out.
    let s = t.wait_until("the outbox in degraded mode", |s| {
        s.contains("Outbox · 1 waiting") && s.contains("partner.microsoft.com")
    });
    assert!(s.contains("copies the reply"), "{s}");
    let st = e.handle.stats();
    assert!(st.applied_responses.is_empty(), "nothing applied in the outage: {st:?}");
}

#[test]
fn a_reply_queued_in_an_outage_goes_out_once_at_the_next_start() {
    require_tmux!();
    let e = emu(Some(outage()));
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Outbox after quit", "reviewerName": "Ola", "rating": 2}),
    );
    let t = Term::launch(&e, Launch::default());
    let text = "Thanks, Ola: version 3.3 fixes the crash.";
    queue_in_outage(&e, &t, "Outbox after quit", text);
    t.keys(&["Escape"]);
    t.wait_for("outbox 1, API down");
    t.keys(&["q"]);
    let s = t.wait_for("still in the outbox");
    assert!(s.contains("will go out the next time"), "{s}");
    t.keys(&["y"]);
    assert_eq!(t.exit_code(), 0);
    let before = e.handle.stats();
    assert!(before.applied_responses.is_empty(), "{before:?}");

    // The service is back; a new start sends it, with exactly one request.
    e.handle.clear_faults();
    t.restart();
    wait_stats(&e, "the reply applied", TIMEOUT, |st| {
        st.applied_responses.get(&id) == Some(&1)
    });
    wait_detail_title(&t, "Outbox after quit");
    t.wait_until("the review showing the reply", |s| {
        pane_text(s, "┌ Review ─").contains("Your response")
    });
    std::thread::sleep(Duration::from_secs(2));
    let st = e.handle.stats();
    assert_eq!(st.applied_responses.get(&id), Some(&1), "{st:?}");
    assert_eq!(
        st.submitted_items, 1,
        "exactly one submission reached the Store: {st:?}"
    );
    assert_eq!(
        st.submit_requests,
        before.submit_requests + 1,
        "one request once the service was back: {st:?}"
    );
    let h = history(&e, &t);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(
        (h[0]["review"].as_str(), h[0]["text"].as_str()),
        (Some(id.as_str()), Some(text))
    );
    assert_eq!(h[0]["result"], "sent");
}

#[test]
fn kill_9_after_confirming_and_the_reply_goes_out_once_on_return() {
    require_tmux!();
    let e = emu(Some(outage()));
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Outbox after kill", "reviewerName": "Kim", "rating": 1}),
    );
    let t = Term::launch(&e, Launch::default());
    let text = "Sorry, Kim: sync is fixed in 3.3.";
    queue_in_outage(&e, &t, "Outbox after kill", text);
    t.signal("-KILL");
    t.wait_for("EXIT=137");

    e.handle.clear_faults();
    t.restart();
    wait_stats(&e, "the reply applied", TIMEOUT, |st| {
        st.applied_responses.get(&id) == Some(&1)
    });
    // Quit and start once more: nothing is left to send, nothing is sent again.
    wait_list(&t);
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0, "no question: nothing is waiting");
    t.restart();
    wait_list(&t);
    std::thread::sleep(Duration::from_secs(2));
    let st = e.handle.stats();
    assert_eq!(st.applied_responses.get(&id), Some(&1), "{st:?}");
    assert_eq!(st.submitted_items, 1, "{st:?}");
}

#[test]
fn a_late_answer_is_verified_on_the_review_and_not_posted_again() {
    require_tmux!();
    let e = emu(None);
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Late answer", "reviewerName": "Lu", "rating": 3}),
    );
    // The Store applies the reply, then answers after 6 s; reviewdesk gives up after 2 s.
    let t = Term::launch(
        &e,
        Launch {
            config: Some("[network]\nrequest_timeout_secs = 2\n".to_owned()),
            ..Launch::default()
        },
    );
    wait_detail_title(&t, "Late answer");
    t.wait_for("can respond");
    e.handle.set_faults(FaultSpec {
        late_reply_ms: Some(6000),
        ..FaultSpec::default()
    });
    reply_and_confirm(&t, "Thanks, Lu.", None);
    // Unclear after 2 s; read back once the request has settled (timeout + 10 s).
    t.wait_until("the reply unclear on its review", |s| {
        pane_text(s, "┌ Review ─").contains("? Unconfirmed")
    });
    let start = Instant::now();
    let s = loop {
        let s = t.screen();
        if s.contains("not sent again") {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never verified:\n{s}");
        std::thread::sleep(POLL);
    };
    assert!(s.contains("found on the review"), "{s}");
    // Not read back before the request could have settled (the timeout plus 10 s from the
    // unclear answer; a little less from when the screen showed it).
    assert!(
        start.elapsed() >= Duration::from_secs(8),
        "read back after {:?}",
        start.elapsed()
    );
    std::thread::sleep(Duration::from_secs(2));
    let st = e.handle.stats();
    assert_eq!(st.applied_responses.get(&id), Some(&1), "{st:?}");
    assert_eq!(st.submitted_items, 1, "verified, not re-posted: {st:?}");
    let h = history(&e, &t);
    assert_eq!(h[0]["result"], "sent (verified after an unclear answer)", "{h:?}");
}

/// Degraded mode: the reply is copied to the terminal's clipboard (OSC 52), answered by hand in
/// Partner Center and marked so; the next refresh that shows the response confirms it. Nothing
/// is ever submitted through the API.
#[test]
fn answered_in_partner_center_during_an_outage_is_confirmed_by_a_refresh() {
    require_tmux!();
    let e = emu(Some(outage()));
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Answered by hand", "reviewerName": "Pia", "rating": 2}),
    );
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            ..Launch::default()
        },
    );
    let text = "Hello Pia, thanks for the report.";
    queue_in_outage(&e, &t, "Answered by hand", text);
    t.keys(&["c"]);
    // The hold is written by the outbox worker and shown when it answers, which on a loaded
    // machine can be a frame after "Copied": wait for both (a hold that never comes fails).
    let s = flat(&t.wait_until("copied and held", |s| {
        let s = flat(s);
        s.contains("Copied") && s.contains("Held")
    }));
    assert!(s.contains("Held"), "copying in the outage holds the reply: {s}");
    use base64::Engine as _;
    let osc52 = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    );
    t.recording_until(osc52.as_bytes());
    t.keys(&["m"]);
    t.wait_for("Answered in Partner Center");

    e.handle
        .respond_in_partner_center(APP, &id, "Hello Pia, thanks (typed in Partner Center).");
    t.keys(&["Escape"]);
    wait_detail_title(&t, "Answered by hand");
    t.keys(&["R"]);
    let h = {
        let start = Instant::now();
        loop {
            let h = history(&e, &t);
            if !h.is_empty() || start.elapsed() > TIMEOUT {
                break h;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["result"], "sent in Partner Center");
    t.wait_until("the outbox empty", |s| !s.contains("outbox 1"));
    let st = e.handle.stats();
    assert_eq!(st.submitted_items, 0, "never submitted through the API: {st:?}");
}

/// The screen's words in one line: what wraps in a box reads as one sentence.
fn flat(screen: &str) -> String {
    screen
        .replace(['║', '│', '┃'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The profile's database file, as the binary names it with `REVIEWDESK_*` credentials.
fn db_file(t: &Term) -> std::path::PathBuf {
    t.dir.path().join("data").join("reviewdesk").join("env.sqlite3")
}

/// A draft and a queued reply, then quit (answering the question).
fn leave_a_draft_and_a_queued_reply(e: &Emu, t: &Term) {
    e.handle.set_faults(outage());
    let s = wait_list(t);
    let first = detail_title(&s);
    t.wait_until("the outage shown on the review", |s| {
        pane_text(s, "┌ Review ─").contains("Microsoft's reviews API")
    });
    reply_and_confirm(t, "Queued before the file went away.", Some("help@example.com"));
    t.wait_for("Outbox · 1 waiting");
    t.keys(&["Escape"]);
    t.wait_for("outbox 1");
    t.keys(&["j"]);
    wait_selected_moved(t, &first);
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.type_text("A draft that was on disk.");
    t.wait_for("25/1000");
    t.keys(&["Escape"]);
    t.wait_until("two reviews marked with a draft", |s| {
        list_rows(s).iter().filter(|r| r.contains('✎')).count() == 2
    });
    t.keys(&["q"]);
    t.wait_for("still in the outbox");
    t.keys(&["y"]);
    assert_eq!(t.exit_code(), 0);
}

fn wait_selected_moved(t: &Term, from: &str) -> String {
    t.wait_until("another review selected", |s| {
        let d = detail_title(s);
        !d.is_empty() && d != from
    })
}

#[test]
fn a_deleted_database_is_reported_not_silently_replaced() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    leave_a_draft_and_a_queued_reply(&e, &t);
    let file = db_file(&t);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    e.handle.clear_faults();
    t.restart();
    let s = flat(&t.wait_until("the notice", |s| s.contains("was missing (deleted?)")));
    assert!(
        s.contains("any drafts and unsent replies it held are gone"),
        "says what is lost: {s}"
    );
    // A fresh cache: the reviews are fetched again and the list works.
    t.keys(&["j"]);
    wait_list(&t);
    assert!(file.exists(), "a fresh database");
    assert_eq!(
        e.handle.stats().submitted_items,
        0,
        "the lost reply cannot be sent: it is gone"
    );
}

#[test]
fn a_damaged_database_is_moved_aside_and_what_was_saved_is_reported() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    leave_a_draft_and_a_queued_reply(&e, &t);
    let file = db_file(&t);
    // Damage the header: SQLite no longer knows the file (partial damage, and what is recovered
    // from it, is covered by the database's own tests).
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[..100].fill(0xA5);
    std::fs::write(&file, &bytes).unwrap();
    e.handle.clear_faults();
    t.restart();
    let s = flat(&t.wait_until("the notice", |s| s.contains("was damaged")));
    assert!(
        s.contains("has been replaced") && s.contains("lost an unknown number of drafts"),
        "{s}"
    );
    t.keys(&["j"]);
    wait_list(&t);
    let aside: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("damaged") || n.contains("corrupt") || n.contains(".bad"))
        .collect();
    assert!(!aside.is_empty(), "the damaged file is kept aside");
}

/// The UI and `reviewdesk outbox send` on one profile at the same time (two windows of one
/// person): every queued reply goes out exactly once, whichever process claims it.
#[test]
fn the_ui_and_outbox_send_side_by_side_send_each_reply_once() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    wait_list(&t);
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    // Replies confirmed earlier, waiting in the outbox: three batches' worth
    // (outbox_sender::DEFAULT_BATCH), so that both processes get some to send.
    let replies: Vec<(String, String)> = {
        let (mut db, _) = reviewdesk::db::Db::open(&t.dir.path().join("data").join("reviewdesk"), "env").unwrap();
        (0..3 * reviewdesk::outbox_sender::DEFAULT_BATCH)
            .map(|i| {
                let id = e.handle.add_review(
                    APP,
                    serde_json::json!({"reviewTitle": format!("Queued {i}"), "rating": 3}),
                );
                let text = format!("Answer number {i}.");
                let new = reviewdesk::db::OutboxNew {
                    app: APP.into(),
                    review: id.clone(),
                    text: text.clone(),
                    support_email: "help@example.com".into(),
                    public: true,
                };
                db.enqueue(&new, chrono::Utc::now().timestamp() - 60).unwrap();
                (id, text)
            })
            .collect()
    };
    // Slow enough that both are sending at once.
    e.handle.set_faults(FaultSpec {
        delay_ms: Some(200),
        ..FaultSpec::default()
    });
    t.restart();
    let cli = t.cli(&e, &["outbox", "send"]).output().unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let st = wait_stats(&e, "every reply applied", Duration::from_secs(30), |st| {
        replies.iter().all(|(id, _)| st.applied_responses.contains_key(id))
    });
    std::thread::sleep(Duration::from_secs(2));
    let st2 = e.handle.stats();
    for (id, _) in &replies {
        assert_eq!(st2.applied_responses.get(id), Some(&1), "review {id}: {st2:?}");
    }
    assert_eq!(st2.submitted_items, replies.len() as u64, "{st:?}");
    let log = String::from_utf8_lossy(&cli.stderr).into_owned();
    let by_cli = log.matches(": sent").count();
    assert!(by_cli < replies.len(), "the UI sent some too:\n{log}");
    assert_eq!(history(&e, &t).len(), replies.len());
}
