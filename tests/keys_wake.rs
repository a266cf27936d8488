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

/// The terminal is never asked where its cursor is: not at the start, not when `$EDITOR` hands
/// it back. Each question is a round trip (slow over SSH) that ends the session with "The cursor
/// position could not be read within a normal duration" when the answer is late or is swallowed
/// by the previous event reader; CI saw exactly that after `Ctrl-e`.
#[test]
fn neither_the_start_nor_the_editor_asks_the_terminal_for_its_cursor() {
    let emu = common::tmux::emu(None);
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "");
    let editor = home.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf ' Edited in the editor.' >> \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut cmd = bin_in(home.path());
    emulator_env(&mut cmd, &emu.handle.base_url());
    cmd.env("TERM", "xterm-256color")
        .env("EDITOR", &editor)
        .env("VISUAL", "")
        .env("REVIEWDESK_LOG_FILE", home.path().join("reviewdesk.log"))
        .args(["--app", APP]);
    let mut pty = Pty::spawn(cmd, 100, 30);

    let ready = pty.wait_until(Duration::from_secs(30), |s| s.contents().contains("can respond"));
    assert!(
        ready.is_some(),
        "the first review never showed that it can be answered:\n{}",
        pty.text()
    );
    pty.send(b"r");
    assert!(
        pty.wait_until(ANSWER_WITHIN, |s| s.contents().contains("Reply"))
            .is_some(),
        "{}",
        pty.text()
    );
    pty.send(b"Thanks");
    assert!(
        pty.wait_until(ANSWER_WITHIN, |s| s.contents().contains("Thanks"))
            .is_some(),
        "{}",
        pty.text()
    );
    pty.send(b"\x05"); // Ctrl-e
    let back = pty.wait_until(Duration::from_secs(15), |s| {
        s.contents().contains("Edited in the editor.")
    });
    assert!(back.is_some(), "the edited reply never came back:\n{}", pty.text());
    // Whatever the program would still write after the editor, including a late query.
    pty.settle(Duration::from_millis(500), Duration::from_secs(5));
    assert_eq!(
        pty.cursor_queries, 0,
        "reviewdesk asked the terminal for its cursor position"
    );

    pty.send(b"\x1b");
    pty.settle(Duration::from_millis(300), Duration::from_secs(5));
    pty.send(b"q");
    let status = pty.wait_exit(Duration::from_secs(10)).expect("the program quits on q");
    assert!(status.success(), "exit status {status:?}\n{}", pty.text());
}
