//! `profile add` asking for the secret on a real terminal (a pty, as a person types it): the
//! typing is not echoed, Backspace edits it, and the secret stored is exactly the one meant
//! (`profile test` signs in with it). The kernel keyring, in a session keyring of its own.
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;
use std::time::Duration;

use common::keyring::tools;
use common::pty::Pty;
use reviewdesk::emulator::{self, DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, EmulatorConfig};

const BIN: &str = env!("CARGO_BIN_EXE_reviewdesk");

fn command(home: &std::path::Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new("keyctl");
    c.args(["session", "-", BIN]).args(args);
    common::private_home(&mut c, home);
    c.env("REVIEWDESK_SECRETS_BACKEND", "keyutils")
        .env("REVIEWDESK_LOGIN_URL", url)
        .env("REVIEWDESK_API_URL", url)
        .env("REVIEWDESK_LOG_FILE", home.join("log"));
    c
}

#[test]
fn the_typed_secret_is_hidden_edited_and_stored_exactly() {
    if !tools(
        "the_typed_secret_is_hidden_edited_and_stored_exactly",
        &[("keyctl", "keyutils")],
    ) {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator::start(EmulatorConfig::default())).unwrap();
    let url = emu.base_url();
    let home = tempfile::tempdir().unwrap();
    let add = command(
        home.path(),
        &url,
        &[
            "profile",
            "add",
            "--name",
            "typed",
            "--tenant",
            DEFAULT_TENANT_ID,
            "--client",
            DEFAULT_CLIENT_ID,
            "--app",
            "9NBLGGGZ5QDR",
        ],
    );
    let mut pty = Pty::spawn(add, 100, 30);
    assert!(
        pty.wait_until(Duration::from_secs(20), |s| s.contents().contains("input hidden"))
            .is_some(),
        "the prompt:\n{}",
        pty.text()
    );
    // Echo is already off when the prompt shows: a paste at that moment is neither echoed nor
    // thrown away (it was, when the prompt came first: this test then hung under load).
    assert!(!pty.echoes(), "the prompt showed while the terminal still echoed");
    // The emulator's secret, with a slip corrected on the way: `9`, Backspace, `2`.
    pty.send(b"emu~Secret+/=&%49\x7f2.local\r");
    let status = pty.wait_exit(Duration::from_secs(30)).expect("profile add ends");
    let screen = pty.text();
    assert!(status.success(), "{status:?}\n{screen}");
    for part in ["emu~", "Secret", "local"] {
        assert!(!screen.contains(part), "{part:?} was echoed:\n{screen}");
    }

    let tested = command(home.path(), &url, &["profile", "test", "typed"])
        .output()
        .unwrap();
    assert!(
        tested.status.success(),
        "the stored secret signs in: {}{}",
        String::from_utf8_lossy(&tested.stdout),
        String::from_utf8_lossy(&tested.stderr)
    );
    rt.block_on(emu.shutdown());
}
