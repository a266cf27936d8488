//! Headless flows of the setup form and the profiles screen: keys in, `Command`s out (save,
//! test, remove, switch), the worker's answers given by hand. Throughout, the secret must be in
//! no `Debug` output of the app or the commands and in no drawn frame.

mod common;

use common::tui::{APP, CLIENT, H, SECRET, TENANT, kernel_keyring, report, rows};
use ratatui::crossterm::event::KeyCode;
use reviewdesk::keymap::KeyContext;
use reviewdesk::profiles::ops::{ProfileDraft, SecretState};
use reviewdesk::profiles::{Profile, parse_app_list};
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::ProfilesCommand;
use reviewdesk::tui::app::profile_form::{FormField, TestState};
use reviewdesk::tui::app::profiles::ProfileConfirm;
use reviewdesk::tui::app::{Command, Mode};
use secrecy::{ExposeSecret, SecretString};

fn expected_draft(name: &str) -> ProfileDraft {
    ProfileDraft {
        name: name.into(),
        profile: Profile {
            tenant: TENANT.into(),
            client_id: CLIENT.into(),
            apps: parse_app_list(&format!("{APP}=Contoso Photo, 9WZDNCRFJ3Q8")).unwrap(),
            ..Profile::default()
        },
        secret: Some(SecretString::from(SECRET)),
        new: true,
    }
}

fn save_of(cmds: &[Command]) -> (u64, ProfileDraft) {
    match cmds {
        [Command::Profiles(ProfilesCommand::SaveProfile { request, draft })] => (*request, draft.clone()),
        other => panic!("expected one SaveProfile: {other:?}"),
    }
}

#[test]
fn setup_saves_then_switches_to_the_new_profile() {
    let mut h = H::setup(80, 24);
    assert_eq!(
        h.log,
        [Command::Profiles(ProfilesCommand::ListProfiles { request: 1 })],
        "the store is probed at once"
    );
    assert_eq!(h.app.context(), KeyContext::ProfileForm);
    h.listed(Vec::new(), &[]);
    h.fill("contoso-prod");
    h.assert_secret_nowhere();
    let (request, draft) = save_of(&h.ctrl('s'));
    assert_eq!(draft, expected_draft("contoso-prod"));
    assert_eq!(
        draft.secret.as_ref().unwrap().expose_secret(),
        SECRET,
        "no newline, nothing else"
    );
    let text = h.render();
    assert!(text.contains("Saving…"), "{text}");
    // A second Ctrl-s while saving does nothing; typing is ignored too.
    assert!(h.ctrl('s').is_empty());
    h.typ("x");
    assert_eq!(
        h.app.profiles.form.as_ref().unwrap().apps,
        format!("{APP}=Contoso Photo, 9WZDNCRFJ3Q8")
    );
    // A stale answer is ignored.
    h.update(Action::ProfileSaved {
        request: request + 100,
        name: "contoso-prod".into(),
        result: Ok(kernel_keyring()),
    });
    assert!(h.app.profiles.form.is_some());
    let cmds = h.update(Action::ProfileSaved {
        request,
        name: "contoso-prod".into(),
        result: Ok(kernel_keyring()),
    });
    match &cmds[..] {
        [Command::SwitchProfile { name, notice: Some(n) }] => {
            assert_eq!(name, "contoso-prod");
            assert!(n.contains("the kernel keyring") && n.contains("reboot"), "{n}");
        }
        other => panic!("{other:?}"),
    }
    assert!(h.app.profiles.form.is_none(), "the form (and the secret in it) is gone");
    h.assert_secret_nowhere();
}

#[test]
fn a_failed_save_keeps_the_form_and_can_be_retried() {
    let mut h = H::setup(80, 24);
    h.listed(Vec::new(), &[]);
    h.fill("contoso-prod");
    let (request, _) = save_of(&h.ctrl('s'));
    h.update(Action::ProfileSaved {
        request,
        name: "contoso-prod".into(),
        result: Err("no secret store works here (…); run under `keyctl session -`".into()),
    });
    let text = h.render();
    assert!(text.contains("Not saved") && text.contains("keyctl session"), "{text}");
    let (_, draft) = save_of(&h.ctrl('s'));
    assert_eq!(draft, expected_draft("contoso-prod"), "everything typed is still there");
    h.assert_secret_nowhere();
}

#[test]
fn setup_tests_the_connection_in_the_background() {
    let mut h = H::setup(80, 24);
    h.listed(Vec::new(), &[]);
    // Without credentials, the test says what is missing instead of running.
    assert!(h.ctrl('t').is_empty());
    assert_eq!(h.app.profiles.form.as_ref().unwrap().current(), FormField::Tenant);
    h.code(KeyCode::BackTab);
    h.fill("contoso-prod");
    let cmds = h.ctrl('t');
    let request = match &cmds[..] {
        [Command::Profiles(ProfilesCommand::TestProfile { request, draft })] => {
            assert_eq!(draft, &expected_draft("contoso-prod"));
            *request
        }
        other => panic!("{other:?}"),
    };
    assert!(h.app.is_busy(), "the spinner runs while testing");
    h.update(Action::ProfileTested {
        request,
        result: Ok(report(false)),
    });
    let form = h.app.profiles.form.as_ref().unwrap();
    assert_eq!(form.test, Some(TestState::Done(Ok(report(false)))));
    let text = h.render();
    assert!(
        text.contains("✓ got a token") && text.contains("✗ 9NBLGGGZ5QDR"),
        "{text}"
    );
    h.assert_secret_nowhere();
}

#[test]
fn fields_are_checked_when_left_and_fixed_by_typing() {
    let mut h = H::setup(80, 24);
    h.typ("prod");
    h.tab();
    h.typ("nope");
    h.tab();
    let form = h.app.profiles.form.as_ref().unwrap();
    assert!(form.errors[0].is_none());
    assert!(form.errors[1].as_deref().unwrap().contains("not a tenant ID"));
    // ↑ goes back; typing clears the problem.
    h.code(KeyCode::Up);
    h.typ(".example");
    assert!(h.app.profiles.form.as_ref().unwrap().errors[1].is_none());
    h.code(KeyCode::Down);
    assert!(
        h.app.profiles.form.as_ref().unwrap().errors[1].is_none(),
        "nope.example is a domain"
    );
    // The secret's ID instead of its Value is caught on the way out of the field.
    h.tab();
    h.paste("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b");
    h.tab();
    let err = h.app.profiles.form.as_ref().unwrap().errors[3].clone().unwrap();
    assert!(err.contains("secret's ID"), "{err}");
}

#[test]
fn esc_quits_the_setup_but_asks_when_something_was_typed() {
    let mut h = H::setup(80, 24);
    assert_eq!(h.code(KeyCode::Esc), [Command::Quit], "nothing typed: quits at once");

    let mut h = H::setup(80, 24);
    h.typ("prod");
    assert!(h.code(KeyCode::Esc).is_empty());
    assert_eq!(h.app.context(), KeyContext::Confirm);
    assert!(h.render().contains("Quit?"));
    // Typing while asked changes nothing.
    h.typ("x");
    h.paste("y");
    assert_eq!(h.app.profiles.form.as_ref().unwrap().name, "prod");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.context(), KeyContext::ProfileForm, "n / Esc: keep editing");
    h.code(KeyCode::Esc);
    assert_eq!(h.typ("y"), [Command::Quit]);
}

fn profiles(h: &mut H) {
    assert!(matches!(
        h.typ("p")[..],
        [Command::Profiles(ProfilesCommand::ListProfiles { .. })]
    ));
    assert_eq!(h.app.screen.mode, Mode::Profiles);
    h.listed(
        rows(),
        &[
            ("contoso-prod", SecretState::Stored),
            ("fabrikam-test", SecretState::Stored),
        ],
    );
}

#[test]
fn enter_switches_after_a_background_check() {
    let mut h = H::main(80, 24);
    profiles(&mut h);
    assert!(h.code(KeyCode::Enter).is_empty(), "the profile in use: nothing to do");
    h.typ("j");
    let cmds = h.code(KeyCode::Enter);
    let request = match &cmds[..] {
        [Command::Profiles(ProfilesCommand::CheckSwitch { request, name })] if name == "fabrikam-test" => *request,
        other => panic!("{other:?}"),
    };
    let cmds = h.update(Action::SwitchChecked {
        request,
        name: "fabrikam-test".into(),
        result: Ok(()),
    });
    assert_eq!(
        cmds,
        [Command::SwitchProfile {
            name: "fabrikam-test".into(),
            notice: None
        }]
    );
    // A failed check stays on the screen and says why.
    let cmds = h.code(KeyCode::Enter);
    let [Command::Profiles(ProfilesCommand::CheckSwitch { request, .. })] = cmds[..] else {
        panic!("{cmds:?}")
    };
    let cmds = h.update(Action::SwitchChecked {
        request,
        name: "fabrikam-test".into(),
        result: Err("no client secret is stored for it".into()),
    });
    assert!(cmds.is_empty());
    assert!(h.render().contains("Cannot switch to fabrikam-test"));
}

#[test]
fn switching_with_a_draft_asks_first() {
    let mut h = H::main(80, 24);
    h.app.replies.drafts.insert("r1".into(), Default::default());
    profiles(&mut h);
    h.typ("j");
    assert!(h.code(KeyCode::Enter).is_empty());
    assert_eq!(
        h.app.profiles.confirm,
        Some(ProfileConfirm::Switch("fabrikam-test".into()))
    );
    assert!(h.render().contains("switching discards them"));
    assert!(h.typ("n").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Profiles);
    h.code(KeyCode::Enter);
    assert!(matches!(
        h.typ("y")[..],
        [Command::Profiles(ProfilesCommand::CheckSwitch { .. })]
    ));
}

#[test]
fn edit_keeps_the_stored_secret_unless_a_new_one_is_typed() {
    let mut h = H::main(120, 40);
    profiles(&mut h);
    h.typ("e");
    assert_eq!(h.app.screen.mode, Mode::ProfileForm);
    // Down to the apps: tenant → client → secret → apps.
    for _ in 0..3 {
        h.tab();
    }
    h.ctrl('u');
    h.typ(APP);
    let (request, draft) = save_of(&h.ctrl('s'));
    assert_eq!(
        (draft.name.as_str(), draft.new, draft.secret.is_none()),
        ("contoso-prod", false, true)
    );
    assert_eq!(draft.profile.apps.len(), 1);
    assert_eq!(draft.profile.support_email.as_deref(), Some("help@contoso.example"));
    let cmds = h.update(Action::ProfileSaved {
        request,
        name: "contoso-prod".into(),
        result: Ok(kernel_keyring()),
    });
    assert!(
        matches!(cmds[..], [Command::Profiles(ProfilesCommand::ListProfiles { .. })]),
        "the list is read again"
    );
    assert_eq!(h.app.screen.mode, Mode::Profiles);
    assert!(h.render().contains("Saved profile contoso-prod; its secret"));
    // The profile in use changed: Enter opens it again.
    let cmds = h.code(KeyCode::Enter);
    let [Command::Profiles(ProfilesCommand::CheckSwitch { request, ref name })] = cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(name, "contoso-prod");
    h.update(Action::SwitchChecked {
        request,
        name: name.clone(),
        result: Err("stay here".into()),
    });

    // Rotating: a pasted secret goes with the draft.
    h.typ("e");
    h.code(KeyCode::Down);
    h.code(KeyCode::Down);
    h.paste(SECRET);
    let (_, draft) = save_of(&h.ctrl('s'));
    assert_eq!(draft.secret.unwrap().expose_secret(), SECRET);
    h.assert_secret_nowhere();
}

#[test]
fn add_refuses_a_name_in_use_and_esc_goes_back() {
    let mut h = H::main(80, 24);
    profiles(&mut h);
    h.typ("a");
    h.fill("fabrikam-test");
    assert!(h.ctrl('s').is_empty());
    let form = h.app.profiles.form.as_ref().unwrap();
    assert!(form.errors[0].as_deref().unwrap().contains("exists already"));
    assert_eq!(form.current(), FormField::Name);
    h.code(KeyCode::Esc);
    assert_eq!(
        h.typ("y"),
        Vec::<Command>::new(),
        "discarding an add goes back, it does not quit"
    );
    assert_eq!(h.app.screen.mode, Mode::Profiles);
    assert!(h.app.profiles.form.is_none());
    h.assert_secret_nowhere();
}

#[test]
fn remove_asks_then_removes_and_lists_again() {
    let mut h = H::main(80, 24);
    profiles(&mut h);
    h.typ("j");
    assert!(h.typ("d").is_empty());
    assert_eq!(h.app.context(), KeyContext::Confirm);
    assert!(h.code(KeyCode::Esc).is_empty());
    assert_eq!(h.app.screen.mode, Mode::Profiles);
    h.typ("d");
    let cmds = h.typ("y");
    let request = match &cmds[..] {
        [Command::Profiles(ProfilesCommand::RemoveProfile { request, name })] if name == "fabrikam-test" => *request,
        other => panic!("{other:?}"),
    };
    assert!(h.render().contains("Removing fabrikam-test"));
    // Nothing else starts meanwhile.
    assert!(h.typ("d").is_empty() && h.typ("t").is_empty());
    let cmds = h.update(Action::ProfileRemoved {
        request,
        name: "fabrikam-test".into(),
        result: Ok((true, kernel_keyring())),
    });
    assert!(matches!(
        cmds[..],
        [Command::Profiles(ProfilesCommand::ListProfiles { .. })]
    ));
    assert!(
        h.render()
            .contains("Removed profile fabrikam-test and its secret from the kernel keyring")
    );
}

#[test]
fn test_uses_the_stored_secret() {
    let mut h = H::main(80, 24);
    profiles(&mut h);
    let cmds = h.typ("t");
    let request = match &cmds[..] {
        [Command::Profiles(ProfilesCommand::TestProfile { request, draft })] => {
            assert_eq!((draft.name.as_str(), draft.secret.is_none()), ("contoso-prod", true));
            *request
        }
        other => panic!("{other:?}"),
    };
    h.update(Action::ProfileTested {
        request,
        result: Ok(report(true)),
    });
    let text = h.render();
    assert!(
        text.contains("Connection test of contoso-prod") && text.contains("may respond"),
        "{text}"
    );
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
}

#[test]
fn without_profile_management_p_says_why() {
    let mut h = H::main(80, 24);
    h.app.profiles.available = false;
    assert!(h.typ("p").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.status.notices.shown_text().unwrap().contains("demo"));
}

#[test]
fn the_notice_goes_with_the_first_key() {
    let mut h = H::main(80, 24);
    h.app.status.notice = Some("Saved profile contoso-prod.".into());
    assert!(h.render().contains("Saved profile contoso-prod."));
    h.typ("j");
    assert!(h.app.status.notice.is_none());
}

#[test]
fn a_new_profile_is_selected_once_listed() {
    let mut h = H::main(80, 24);
    profiles(&mut h);
    h.typ("a");
    h.fill("zeta");
    let (request, draft) = save_of(&h.ctrl('s'));
    assert_eq!(draft, expected_draft("zeta"));
    h.update(Action::ProfileSaved {
        request,
        name: "zeta".into(),
        result: Ok(kernel_keyring()),
    });
    let mut listed = rows();
    let mut zeta = listed[1].clone();
    zeta.name = "zeta".into();
    listed.push(zeta);
    h.listed(listed, &[("zeta", SecretState::Stored)]);
    assert_eq!(h.app.profiles.selected_row().unwrap().name, "zeta");
    let text = h.render();
    assert!(
        text.contains("Saved profile zeta. The secret is in the kernel keyring"),
        "{text}"
    );
    h.assert_secret_nowhere();
}
