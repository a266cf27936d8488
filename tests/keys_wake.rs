//! Keys must wake the UI at once, never wait for a timer.
//!
//! The real binary runs in a real pty (no tmux between) with the tick timer slowed to a minute
//! (`[ui] tick_ms = 60000`). Every movement key must move the selection on screen within a few
//! seconds: a key that waited for the tick would take up to a minute. This is a check of how the
//! loop wakes, not a performance target (those are in `cargo bench --bench keys_pty`), so the
//! bound is generous for a loaded CI machine.

mod common;

use std::time::Duration;

use common::pty::{Pty, selected_row};
use common::{bin_in, emulator_env, write_config};

const APP: &str = common::APP;
/// Far below the tick (60 s), far above any real answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

#[test]
fn every_key_is_answered_without_waiting_for_the_tick() {
    let emu = common::tmux::emu(None);
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[ui]\ntick_ms = 60000\n");
    let mut cmd = bin_in(home.path());
    emulator_env(&mut cmd, &emu.handle.base_url());
    cmd.env("TERM", "xterm-256color")
        .env("REVIEWDESK_LOG_FILE", home.path().join("reviewdesk.log"))
        .args(["--app", APP]);
    let mut pty = Pty::spawn(cmd, 80, 24);

    let listed = pty.wait_until(Duration::from_secs(30), |s| {
        selected_row(s).is_some() && s.contents().contains(" reviews · ")
    });
    assert!(listed.is_some(), "the list never showed its reviews:\n{}", pty.text());
    // Whatever the start still draws (eligibility of the first review), then quiet.
    pty.settle(Duration::from_millis(500), Duration::from_secs(10));
    let top = selected_row(pty.parser.screen()).expect("a selected row");

    for i in 0..12 {
        let (key, row) = if i % 2 == 0 { (b"j", top + 1) } else { (b"k", top) };
        let sent = pty.send(key);
        let seen = pty.wait_until(ANSWER_WITHIN, |s| selected_row(s) == Some(row));
        assert!(
            seen.is_some(),
            "key {i} ({}) was not on screen within {ANSWER_WITHIN:?} (sent {:?} ago): the loop waits for a timer\n{}",
            key[0] as char,
            sent.elapsed(),
            pty.text()
        );
        // A person's pace, so each key meets an idle loop (the case that used to wait).
        std::thread::sleep(Duration::from_millis(150));
    }

    pty.send(b"q");
    let status = pty.wait_exit(Duration::from_secs(10)).expect("the program quits on q");
    assert!(status.success(), "exit status {status:?}");
}
