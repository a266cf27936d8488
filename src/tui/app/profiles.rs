//! The profiles screen (`p`) and the profile form (first-run setup, add, edit): their state, their
//! keys, and the worker's answers. Nothing here touches the disk or the keyring: that is asked
//! for with `Command`s and comes back as `Action`s carrying the request id.

use super::ProfilesCommand;
use std::collections::HashMap;

use super::profile_form::{FormKind, ProfileForm, TestState};
use super::{App, Command, Mode};
use crate::keymap::KeyAction;
use crate::profiles::ops::{ProfileDraft, SecretState, TestReport};
use crate::tui::action::{Action, ProfileRow, StoreInfo};

/// Where the secret store stands, as far as the screen knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StoreStatus {
    #[default]
    Checking,
    Ready(StoreInfo),
    Failed(String),
}

/// A question the profiles screen asks before doing something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileConfirm {
    Remove(String),
    /// Switching would drop unsent drafts or replies being sent.
    Switch(String),
}

#[derive(Debug, Default)]
pub struct ProfilesScreen {
    /// Profiles can be managed (not in the demo).
    pub available: bool,
    /// The profile in use; `None` when the credentials came from `REVIEWDESK_*`.
    pub current: Option<String>,
    /// `REVIEWDESK_TENANT_ID`, `_CLIENT_ID` and `_CLIENT_SECRET` are set and in use.
    pub env_credentials: bool,
    pub rows: Vec<ProfileRow>,
    pub loaded: bool,
    pub selected: usize,
    pub secrets: HashMap<String, SecretState>,
    pub store: StoreStatus,
    /// The outcome of the last operation: (good news?, text).
    pub message: Option<(bool, String)>,
    /// An operation under way: its request and what it is doing.
    pub busy: Option<(u64, String)>,
    /// The last connection test, for the profile named.
    pub test: Option<(String, TestState)>,
    pub confirm: Option<ProfileConfirm>,
    /// The profile form: first-run setup, add or edit.
    pub form: Option<ProfileForm>,
    list_request: u64,
    /// The row to select once the list is read again (a profile just saved).
    select_after_list: Option<String>,
    /// The profile in use was changed here: Enter on it opens it again, with the changes.
    current_changed: bool,
}

impl ProfilesScreen {
    pub fn selected_row(&self) -> Option<&ProfileRow> {
        self.rows.get(self.selected)
    }
}

impl App {
    /// The first-run setup: only the form, no reviews.
    pub fn setup(keymap: crate::keymap::Keymap, settings: super::Settings, size: (u16, u16)) -> App {
        let mut app = App::new(keymap, settings, String::new(), Vec::new(), size);
        app.profiles.available = true;
        app.profiles.form = Some(ProfileForm::setup());
        app.screen.mode = Mode::ProfileForm;
        app
    }

    /// In the setup form: there are no reviews to show.
    pub fn in_setup(&self) -> bool {
        self.profiles.form.as_ref().is_some_and(|f| f.kind == FormKind::Setup)
    }

    pub(super) fn profiles_busy(&self) -> bool {
        self.profiles.busy.is_some()
            || matches!(self.profiles.test, Some((_, TestState::Running(_))))
            || self.profiles.form.as_ref().is_some_and(ProfileForm::busy)
    }

    pub(super) fn list_profiles(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.profiles.list_request = request;
        self.profiles.store = StoreStatus::Checking;
        vec![Command::Profiles(ProfilesCommand::ListProfiles { request })]
    }

    pub(super) fn open_profiles(&mut self) -> Vec<Command> {
        if !self.profiles.available {
            self.status
                .notices
                .warn("Profiles cannot be managed here (the demo uses made-up credentials)");
            return Vec::new();
        }
        self.screen.mode = Mode::Profiles;
        self.profiles.message = None;
        self.profiles.confirm = None;
        self.list_profiles()
    }

    pub(super) fn profiles_key(&mut self, b: KeyAction) -> Vec<Command> {
        let row = self.profiles.selected_row().cloned();
        match b {
            KeyAction::MoveDown => {
                self.profiles.selected = (self.profiles.selected + 1).min(self.profiles.rows.len().saturating_sub(1));
            }
            KeyAction::MoveUp => self.profiles.selected = self.profiles.selected.saturating_sub(1),
            KeyAction::Back => self.screen.mode = Mode::Normal,
            KeyAction::Add => {
                let taken = self.profiles.rows.iter().map(|r| r.name.clone()).collect();
                let mut form = ProfileForm::add(taken);
                form.stored_secrets = self
                    .profiles
                    .rows
                    .iter()
                    .filter(|r| self.profiles.secrets.get(&r.name) == Some(&SecretState::Stored))
                    .map(|r| (r.name.clone(), r.profile.tenant.clone(), r.profile.client_id.clone()))
                    .collect();
                self.profiles.form = Some(form);
                self.screen.mode = Mode::ProfileForm;
            }
            _ if self.profiles.busy.is_some() => {
                self.profiles.message = Some((false, "Wait for the operation under way to finish".to_owned()));
            }
            KeyAction::Edit | KeyAction::Remove | KeyAction::Test | KeyAction::Confirm if row.is_none() => {
                self.profiles.message = Some((false, "No profile yet: add one with a".to_owned()));
            }
            KeyAction::Edit => {
                let row = row.expect("checked");
                self.profiles.form = Some(ProfileForm::edit(&row.name, &row.profile));
                self.screen.mode = Mode::ProfileForm;
            }
            KeyAction::Remove => {
                self.profiles.confirm = Some(ProfileConfirm::Remove(row.expect("checked").name));
                self.screen.mode = Mode::ProfileConfirm;
            }
            KeyAction::Test => {
                let row = row.expect("checked");
                let request = self.request_id();
                self.profiles.test = Some((row.name.clone(), TestState::Running(request)));
                let draft = ProfileDraft {
                    name: row.name,
                    profile: row.profile,
                    secret: None,
                    new: false,
                };
                return vec![Command::Profiles(ProfilesCommand::TestProfile { request, draft })];
            }
            KeyAction::Confirm => {
                let name = row.expect("checked").name;
                if self.profiles.current.as_deref() == Some(name.as_str()) && !self.profiles.current_changed {
                    self.profiles.message = Some((true, format!("{name} is the profile in use")));
                } else if self.outbox.to_send() > 0 || (!self.replies.drafts.is_empty() && !self.drafts_safe()) {
                    self.profiles.confirm = Some(ProfileConfirm::Switch(name));
                    self.screen.mode = Mode::ProfileConfirm;
                } else {
                    return self.check_switch(name);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn check_switch(&mut self, name: String) -> Vec<Command> {
        let request = self.request_id();
        self.profiles.busy = Some((request, format!("Opening {name}…")));
        self.profiles.message = None;
        vec![Command::Profiles(ProfilesCommand::CheckSwitch { request, name })]
    }

    pub(super) fn profile_confirm_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(question) = self.profiles.confirm.take() else {
            self.screen.mode = Mode::Profiles;
            return Vec::new();
        };
        match b {
            KeyAction::Confirm => {
                self.screen.mode = Mode::Profiles;
                match question {
                    ProfileConfirm::Remove(name) => {
                        let request = self.request_id();
                        self.profiles.busy = Some((request, format!("Removing {name}…")));
                        self.profiles.message = None;
                        vec![Command::Profiles(ProfilesCommand::RemoveProfile { request, name })]
                    }
                    ProfileConfirm::Switch(name) => self.check_switch(name),
                }
            }
            KeyAction::Back => {
                self.screen.mode = Mode::Profiles;
                Vec::new()
            }
            _ => {
                self.profiles.confirm = Some(question);
                Vec::new()
            }
        }
    }

    pub(super) fn form_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(form) = self.profiles.form.as_mut() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        if form.confirm_discard {
            match b {
                KeyAction::Confirm => return self.close_form(),
                KeyAction::Back => form.confirm_discard = false,
                _ => {}
            }
            return Vec::new();
        }
        match b {
            KeyAction::MoveDown => form.move_by(1),
            KeyAction::MoveUp => form.move_by(-1),
            KeyAction::Back if form.dirty => form.confirm_discard = true,
            KeyAction::Back => return self.close_form(),
            KeyAction::Save if form.saving.is_some() => {}
            KeyAction::Save => {
                if let Some(draft) = form.to_save() {
                    let request = self.request_id();
                    let form = self.profiles.form.as_mut().expect("open");
                    form.saving = Some(request);
                    form.problem = None;
                    form.progress = Some("Saving…".to_owned());
                    return vec![Command::Profiles(ProfilesCommand::SaveProfile { request, draft })];
                }
            }
            KeyAction::Test => {
                if let Some(draft) = form.to_test() {
                    let request = self.request_id();
                    self.profiles.form.as_mut().expect("open").test = Some(TestState::Running(request));
                    return vec![Command::Profiles(ProfilesCommand::TestProfile { request, draft })];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Esc (confirmed when something was typed): the setup quits, add and edit go back.
    fn close_form(&mut self) -> Vec<Command> {
        let setup = self.in_setup();
        self.profiles.form = None;
        if setup {
            self.screen.should_quit = true;
            return vec![Command::Quit];
        }
        self.screen.mode = Mode::Profiles;
        Vec::new()
    }

    fn is_busy_with(&self, request: u64) -> bool {
        self.profiles.busy.as_ref().is_some_and(|(r, _)| *r == request)
    }

    /// The worker's answers about profiles.
    pub(super) fn on_profile_action(&mut self, action: Action) -> Vec<Command> {
        let mut out = Vec::new();
        match action {
            Action::ProfilesListed { request, result } if request == self.profiles.list_request => match result {
                Ok(rows) => {
                    self.profiles.rows = rows;
                    self.profiles.loaded = true;
                    if let Some(name) = self.profiles.select_after_list.take()
                        && let Some(i) = self.profiles.rows.iter().position(|r| r.name == name)
                    {
                        self.profiles.selected = i;
                    }
                    self.profiles.selected = self.profiles.selected.min(self.profiles.rows.len().saturating_sub(1));
                }
                Err(e) => self.profiles.message = Some((false, e)),
            },
            Action::SecretsChecked { request, result } if request == self.profiles.list_request => match result {
                Ok((store, states)) => {
                    self.profiles.store = StoreStatus::Ready(store);
                    self.profiles.secrets = states.into_iter().collect();
                }
                Err(e) => self.profiles.store = StoreStatus::Failed(e),
            },
            Action::ProfileProgress { request, text } => {
                if let Some(f) = self.profiles.form.as_mut().filter(|f| f.saving == Some(request)) {
                    f.progress = Some(text);
                } else if let Some((r, t)) = self.profiles.busy.as_mut()
                    && *r == request
                {
                    *t = text;
                }
            }
            Action::ProfileSaved { request, name, result } => {
                let Some(form) = self.profiles.form.as_mut().filter(|f| f.saving == Some(request)) else {
                    return out;
                };
                form.saving = None;
                form.progress = None;
                match result {
                    Err(e) => form.problem = Some(e),
                    Ok(store) => {
                        let mut text = match form.secret_shared_with().filter(|_| form.secret.is_empty()) {
                            Some(other) => format!(
                                "Saved profile {name} with the secret stored for profile {other} (the same app registration), in {}.",
                                store.name
                            ),
                            None => saved_text(&name, &store, form.secret.is_empty()),
                        };
                        if self.profiles.current.as_deref() == Some(name.as_str()) {
                            self.profiles.current_changed = true;
                            text.push_str(" It is the profile in use: Enter opens it again with the changes.");
                        }
                        if self.in_setup() {
                            // The secret leaves memory with the form.
                            self.profiles.form = None;
                            out.push(Command::SwitchProfile {
                                name,
                                notice: Some(text),
                            });
                        } else {
                            self.profiles.form = None;
                            self.screen.mode = Mode::Profiles;
                            self.profiles.message = Some((true, text));
                            self.profiles.select_after_list = Some(name);
                            out.extend(self.list_profiles());
                        }
                    }
                }
            }
            Action::ProfileRemoved { request, name, result } if self.is_busy_with(request) => {
                self.profiles.busy = None;
                self.profiles.message = Some(match result {
                    Ok((had_secret, store)) => {
                        let secret = if had_secret {
                            format!(" and its secret from {}", store.name)
                        } else {
                            " (no secret was stored)".to_owned()
                        };
                        let in_use = if self.profiles.current.as_deref() == Some(name.as_str()) {
                            "; it stays in use until you switch or quit"
                        } else {
                            ""
                        };
                        (true, format!("Removed profile {name}{secret}{in_use}."))
                    }
                    Err(e) => (false, format!("Could not remove {name}: {e}")),
                });
                out.extend(self.list_profiles());
            }
            Action::ProfileTested { request, result } => {
                if let Some(f) = self.profiles.form.as_mut()
                    && f.test == Some(TestState::Running(request))
                {
                    f.test = Some(TestState::Done(result));
                } else if let Some((_, t)) = self.profiles.test.as_mut()
                    && *t == TestState::Running(request)
                {
                    *t = TestState::Done(result);
                }
            }
            Action::SwitchChecked { request, name, result } if self.is_busy_with(request) => {
                self.profiles.busy = None;
                match result {
                    Ok(()) => out.push(Command::SwitchProfile { name, notice: None }),
                    Err(e) => self.profiles.message = Some((false, format!("Cannot switch to {name}: {e}"))),
                }
            }
            _ => {}
        }
        out
    }
}

/// "Saved profile prod. The secret is in the kernel keyring, kept until the machine reboots…"
fn saved_text(name: &str, store: &StoreInfo, kept_secret: bool) -> String {
    if kept_secret {
        format!("Saved profile {name}; its secret in {} is unchanged.", store.name)
    } else {
        format!(
            "Saved profile {name}. The secret is in {}, kept {}.",
            store.name, store.persistence
        )
    }
}

/// The report's lines with their marks, for drawing.
pub fn report_lines(report: &TestReport) -> Vec<(bool, String)> {
    std::iter::once(&report.token)
        .chain(&report.apps)
        .map(|c| (c.ok, format!("{} {}", if c.ok { "✓" } else { "✗" }, c.text)))
        .collect()
}
