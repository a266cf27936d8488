//! End to end, first run: the real binary with no profile in a real terminal, the setup form
//! filled with keys, the secret in the kernel keyring, then the reviews.

mod common;

use std::io::Write;
use std::process::Command;

use common::tmux::*;
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};

/// The first run, as a new user meets it: no profile, no credentials in the environment. The
/// setup form is filled with keys (the secret pasted), tested, saved to the kernel keyring, and
/// the reviews open with the new profile. The secret never reaches the screen, the terminal's
/// bytes, the log or any file.
#[test]
fn first_run_setup_form_saves_a_profile_and_opens_the_reviews() {
    require_tmux!();
    if !Command::new("keyctl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        if std::env::var_os("CI").is_some() || std::env::var("REVIEWDESK_REQUIRE_REAL_KEYRING").as_deref() == Ok("1") {
            panic!("keyctl is not installed, but CI is set: install keyutils");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED first_run_setup_form_saves_a_profile_and_opens_the_reviews: keyctl (package keyutils) is not installed !!!!!!!!\n"
        );
        return;
    }
    let e = emu(None);
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            first_run: true,
            ..Launch::default()
        },
    );
    t.wait_for("Set up reviewdesk");
    t.wait_for("Secret store: the kernel keyring");
    t.type_text("e2e-first");
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_TENANT_ID);
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_CLIENT_ID);
    t.keys(&["Tab"]);
    // As copied from the portal: with a trailing newline.
    t.paste(&format!("{DEFAULT_CLIENT_SECRET}\n"));
    let bullets = "•".repeat(DEFAULT_CLIENT_SECRET.chars().count());
    t.wait_for(&bullets);
    t.keys(&["Tab"]);
    t.type_text(&format!("{APP}=Contoso Photo"));
    t.wait_for("Contoso Photo▏");
    t.keys(&["C-t"]);
    let s = t.wait_for("may respond to reviews");
    assert!(s.contains("✓ got a token"), "{s}");
    assert_eq!(e.handle.stats().submit_requests, 0);
    t.keys(&["C-s"]);
    // The reviews of the new profile, and where its secret went.
    let s = t.wait_until("the reviews of the new profile", |s| {
        s.contains("unanswered") && !s.contains(" 0 reviews") && s.contains("e2e-first ·")
    });
    assert!(s.contains("Saved profile e2e-first"), "{s}");
    assert!(s.contains("kernel keyring"), "{s}");
    t.keys(&["j"]);
    t.wait_until("the notice gone", |s| !s.contains("Saved profile"));
    let config = std::fs::read_to_string(t.dir.path().join("config/reviewdesk/config.toml")).unwrap();
    assert!(
        config.contains("[profiles.e2e-first]") && config.contains("default_profile = \"e2e-first\""),
        "{config}"
    );

    // The profiles screen: the secret is stored, and the test reads it back from the keyring.
    t.keys(&["p"]);
    t.wait_until("the profile listed with its secret stored", |s| {
        s.contains("● e2e-first *") && s.contains("stored")
    });
    t.keys(&["t"]);
    t.wait_for("Connection test of e2e-first");
    t.wait_for("may respond to reviews");
    // A second profile with the same registration, added here, then switched to.
    t.keys(&["a"]);
    t.wait_for("Add a profile");
    t.fill_profile_form("e2e-second", DEFAULT_CLIENT_SECRET, "9WZDNCRFJ3Q8");
    t.wait_for("9WZDNCRFJ3Q8▏");
    t.keys(&["C-s"]);
    t.wait_for("Saved profile e2e-second");
    t.wait_until("e2e-second listed and selected", |s| s.contains("▸  e2e-second"));
    t.keys(&["Enter"]);
    t.wait_until("the reviews of e2e-second", |s| {
        s.contains("e2e-second · 9WZDNCRFJ3Q8") && !s.contains(" 0 reviews")
    });
    // The first one removed, its secret with it.
    t.keys(&["p"]);
    t.wait_until("both profiles, e2e-second in use", |s| {
        s.contains("▸  e2e-first *") && s.contains("● e2e-second")
    });
    t.keys(&["d"]);
    t.wait_for("Remove profile e2e-first?");
    t.keys(&["y"]);
    t.wait_for("Removed profile e2e-first and its secret from the kernel keyring");
    t.keys(&["Escape"]);
    t.wait_for("e2e-second · 9WZDNCRFJ3Q8");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    t.assert_restored();
    let config = std::fs::read_to_string(t.dir.path().join("config/reviewdesk/config.toml")).unwrap();
    assert!(
        !config.contains("e2e-first") && config.contains("[profiles.e2e-second]"),
        "{config}"
    );
    let mut files = vec![t.log_path(), t.recording_path()];
    for sub in ["config", "state", "data", "cache"] {
        common::files_under(&t.dir.path().join(sub), &mut files);
    }
    let log = std::fs::read_to_string(t.log_path()).unwrap();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "the log is at trace level"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            find(&bytes, DEFAULT_CLIENT_SECRET.as_bytes()).is_none(),
            "the secret is in {}",
            f.display()
        );
    }
}
