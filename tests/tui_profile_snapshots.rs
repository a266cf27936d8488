//! Snapshots of the first-run setup form, the profile form, the profiles screen and its
//! questions, at 80x24 and 120x40. Every frame is also checked for the secret (see `H::render`).

mod common;

use common::tui::{H, SECRET, rows};
use ratatui::crossterm::event::KeyCode;
use reviewdesk::profiles::ops::SecretState;
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::Command;
use reviewdesk::tui::app::ProfilesCommand;
use reviewdesk::tui::app::profile_form::TestState;

fn both(name: &str, build: impl Fn(u16, u16) -> H) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = build(w, h);
        let text = s.render();
        s.assert_secret_nowhere();
        let desc = format!("mode: {:?}", s.app.screen.mode);
        insta::with_settings!({ description => desc, omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
        });
    }
}

fn states() -> [(&'static str, SecretState); 2] {
    [
        ("contoso-prod", SecretState::Stored),
        ("fabrikam-test", SecretState::Missing),
    ]
}

#[test]
fn setup_form_empty() {
    both("setup_empty", |w, h| {
        let mut s = H::setup(w, h);
        s.listed(Vec::new(), &[]);
        s
    });
}

#[test]
fn setup_form_still_checking_the_store() {
    let mut s = H::setup(80, 24);
    let text = s.render();
    assert!(text.contains("Secret store: checking"), "{text}");
}

#[test]
fn setup_form_with_inline_errors() {
    both("setup_errors", |w, h| {
        let mut s = H::setup(w, h);
        s.listed(Vec::new(), &[]);
        s.typ("bad name");
        s.code(KeyCode::Tab);
        s.typ("not-a-tenant");
        s.code(KeyCode::Tab);
        s.typ("12345");
        s.code(KeyCode::Tab);
        // The secret's ID instead of its Value: the most common mistake.
        s.paste("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b");
        s.code(KeyCode::Tab);
        s.typ("XYZ");
        s.code(KeyCode::Tab);
        s.typ("not-an-email");
        assert!(s.ctrl('s').is_empty(), "nothing is saved");
        s
    });
}

#[test]
fn setup_form_filled_secret_masked_and_tested() {
    both("setup_filled", |w, h| {
        let mut s = H::setup(w, h);
        s.listed(Vec::new(), &[]);
        s.fill("contoso-prod");
        let text = s.render();
        let bullets = "•".repeat(SECRET.chars().count());
        assert!(text.contains(&bullets), "one • per character:\n{text}");
        s.ctrl('t');
        let request = match s.app.profiles.form.as_ref().unwrap().test {
            Some(TestState::Running(r)) => r,
            ref other => panic!("{other:?}"),
        };
        s.update(Action::ProfileTested {
            request,
            result: Ok(common::tui::report(true)),
        });
        s
    });
}

#[test]
fn setup_form_saving() {
    both("setup_saving", |w, h| {
        let mut s = H::setup(w, h);
        s.listed(Vec::new(), &[]);
        s.fill("contoso-prod");
        s.ctrl('s');
        let request = s.request(|c| match c {
            Command::Profiles(ProfilesCommand::SaveProfile { request, .. }) => Some(*request),
            _ => None,
        });
        s.update(Action::ProfileProgress {
            request,
            text: "Storing the secret in the kernel keyring and writing config.toml…".into(),
        });
        s
    });
}

#[test]
fn profiles_screen() {
    both("profiles", |w, h| {
        let mut s = H::main(w, h);
        s.typ("p");
        s.listed(rows(), &states());
        s.typ("j");
        s.typ("t");
        let request = s.request(|c| match c {
            Command::Profiles(ProfilesCommand::TestProfile { request, .. }) => Some(*request),
            _ => None,
        });
        s.update(Action::ProfileTested {
            request,
            result: Err(
                "no client secret is stored for fabrikam-test in the kernel keyring: edit the profile (e) and enter it"
                    .into(),
            ),
        });
        s
    });
}

#[test]
fn profiles_screen_with_environment_credentials() {
    both("profiles_env", |w, h| {
        let mut s = H::main(w, h);
        s.app.profiles.current = None;
        s.app.profiles.env_credentials = true;
        s.typ("p");
        s.listed(rows(), &states());
        s
    });
}

#[test]
fn remove_confirmation() {
    both("profiles_remove", |w, h| {
        let mut s = H::main(w, h);
        s.typ("p");
        s.listed(rows(), &states());
        s.typ("d");
        s
    });
}

#[test]
fn edit_form_prefilled() {
    both("profile_edit", |w, h| {
        let mut s = H::main(w, h);
        s.typ("p");
        s.listed(rows(), &states());
        s.typ("e");
        s
    });
}

#[test]
fn notice_after_setup() {
    both("notice", |w, h| {
        let mut s = H::main(w, h);
        s.app.status.notice = Some(
            "Saved profile contoso-prod. The secret is in the kernel keyring, kept until the machine reboots; \
             unused for ~3 days it expires (kernel persistent keyring)."
                .into(),
        );
        s
    });
}
