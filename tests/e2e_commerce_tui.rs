//! End to end: a merchant's first run with a Commerce site. The real binary in a real terminal
//! (tmux) with no profile: the setup form switched to a Commerce site (Ctrl-k), filled with keys,
//! tested and saved (the secret to the kernel keyring); then the site's reviews, exported from
//! the emulator's Ratings & Reviews side over TCP, in the list; the moderation state in the
//! detail pane; `r` saying where such a review is answered.

mod common;

use std::process::Command;

use common::tmux::*;
use reviewdesk::emulator::commerce::{DEFAULT_REGISTRATION_NAME, Registration};
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};

/// The screen's text without borders and line breaks: a wrapped sentence reads whole again.
fn flat(screen: &str) -> String {
    screen
        .replace(['│', '┃', '║'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn first_run_with_a_commerce_site_shows_its_reviews_and_where_to_answer() {
    require_tmux!();
    if !Command::new("keyctl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "keyctl is not installed, but CI is set: install keyutils"
        );
        eprintln!("SKIPPED: keyctl (package keyutils) is not installed");
        return;
    }
    let e = emu(None);
    let url = e.handle.base_url();
    let t = Term::launch(
        &e,
        Launch {
            first_run: true,
            ..Launch::default()
        },
    );
    t.wait_for("Set up reviewdesk");
    t.wait_for("Secret store: the kernel keyring");
    t.keys(&["C-k"]);
    t.wait_for("Service: a Commerce site");
    t.type_text("Fabrikam Outdoor");
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_TENANT_ID);
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_CLIENT_ID);
    t.keys(&["Tab"]);
    t.paste(&format!("{DEFAULT_CLIENT_SECRET}\n"));
    t.wait_for(&"•".repeat(DEFAULT_CLIENT_SECRET.chars().count()));
    t.keys(&["Tab"]);
    t.type_text(&url);
    t.wait_for("R&R URL");
    // The site's registration names another Client App ID: the test says which step of site
    // builder allow-lists this one, and names the profile the form will save.
    e.handle.put_commerce_registration(
        DEFAULT_REGISTRATION_NAME,
        Registration {
            name: DEFAULT_REGISTRATION_NAME.into(),
            client_app_id: "00000000-0000-0000-0000-00000000abcd".into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
        },
    );
    t.keys(&["C-t"]);
    let s = t.wait_until("the refusal explained", |s| {
        let flat = flat(s);
        flat.contains("Service-to-Service (S2S) Authentication → Manage")
            && flat.contains("`reviewdesk profile edit fabrikam-outdoor --scope …` sets it")
    });
    assert!(flat(&s).contains(&format!("Client App ID {DEFAULT_CLIENT_ID}")), "{s}");
    e.handle.put_commerce_registration(
        DEFAULT_REGISTRATION_NAME,
        Registration {
            name: DEFAULT_REGISTRATION_NAME.into(),
            client_app_id: DEFAULT_CLIENT_ID.into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
        },
    );
    // The test gets a token for the site and calls the export, as `profile test` does.
    t.keys(&["C-t"]);
    let s = t.wait_for("Export All Reviews answered");
    assert!(s.contains("✓ got a token"), "{s}");
    t.keys(&["C-s"]);
    let s = t.wait_until("the site's reviews", |s| {
        s.contains("Saved profile fabrikam-outdoor") || s.contains("Moderation:")
    });
    assert!(!s.contains(DEFAULT_CLIENT_SECRET), "{s}");
    t.keys(&["j"]);
    let s = t.wait_until("the site's reviews listed, with the moderation state", |s| {
        s.contains("Moderation:") && s.contains("Fabrikam Outdoor")
    });
    assert!(s.contains("Add a response"), "where to answer: {s}");
    assert!(!s.contains("checking whether this review can be answered"), "{s}");
    assert!(e.handle.stats().commerce.blob_downloads >= 1, "exported over TCP");
    let config = std::fs::read_to_string(t.dir.path().join("config/reviewdesk/config.toml")).unwrap();
    assert!(
        config.contains("[profiles.fabrikam-outdoor]") && config.contains("kind = \"commerce\""),
        "{config}"
    );
    assert!(!config.contains(DEFAULT_CLIENT_SECRET), "the secret is not in the file");
    // r explains instead of opening an editor; the next key takes the explanation away.
    t.keys(&["r"]);
    let s = t.wait_for("Add a response");
    assert!(!s.contains("Send") && !s.contains("Ctrl-s"), "no editor: {s}");
    t.keys(&["j"]);
    t.wait_until("the explanation gone", |s| !s.contains(" Notice "));
    // The same Entra registration for Store apps too: its secret is not typed a second time.
    t.keys(&["p"]);
    t.wait_until("the site's profile listed with its secret", |s| {
        s.contains("fabrikam-outdoor") && s.contains("stored")
    });
    t.keys(&["a"]);
    t.wait_for("Add a profile");
    t.type_text("store-too");
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_TENANT_ID);
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_CLIENT_ID);
    t.keys(&["Tab"]);
    t.wait_for("the secret stored for this registration is used");
    t.keys(&["Tab"]);
    t.type_text(APP);
    t.keys(&["C-s"]);
    t.wait_for("with the secret stored for profile fabrikam-outdoor");
    t.wait_until("both profiles with their secrets stored", |s| {
        s.contains("store-too") && s.matches("stored").count() >= 2
    });
    t.keys(&["Escape"]);
    t.wait_for("Moderation:");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0, "{}", t.screen());
    t.assert_restored();
}
