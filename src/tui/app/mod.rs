//! The application state and its one update function. Every change of state happens in
//! [`App::update`]; side effects come back as [`Command`]s for the event loop to carry out.

pub mod bulk;
mod cache_withdrawn;
mod command;
pub mod drafts;
pub mod editor;
pub mod filter_form;
mod keys;
mod loading;
pub mod marks;
pub mod notices;
pub mod outbox;
pub mod parts;
pub mod picker;
pub mod profile_form;
pub mod profiles;
mod reply;
pub mod stats;
pub mod view;
pub mod volume;

pub use command::{Command, DbCommand, OutboxCommand, ProfilesCommand, StoreCommand};
pub use loading::{describe_age, sanitize_review};
pub use parts::{ListFilters, Replies, ReviewList, Screen, Settings, Sources, Status};

use std::collections::HashSet;

use ratatui::crossterm::event::KeyEvent;

use self::editor::Editor;
use self::notices::{Activity, Topic};
use self::outbox::OutboxView;
use self::profiles::ProfilesScreen;
use super::action::{Action, Eligibility};
use crate::keymap::KeyAction;
use crate::keymap::{KeyContext, Keymap};
use crate::store::Review;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Search,
    Editor,
    Confirm,
    Help,
    Filters,
    Apps,
    QuitConfirm,
    Profiles,
    /// The profile form: first-run setup, add or edit.
    ProfileForm,
    ProfileConfirm,
    /// The outbox and the history of replies.
    Outbox,
    /// How the reviews and answers are going (`s`).
    Stats,
    /// The template picker, over the editor or the bulk composer.
    Picker,
    /// The bulk composer, and its confirmation.
    Bulk,
    BulkConfirm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Clone, Debug)]
pub struct AppEntry {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Search {
    pub query: String,
    /// Positions in the view.
    pub matches: Vec<usize>,
    pub current: usize,
    /// The last query's hits, so that typing one more letter searches only those.
    pub last: Option<crate::tui::search_text::Narrowing>,
}

#[derive(Clone, Debug, Default)]
pub struct Loading {
    pub request: u64,
    pub pages: u32,
    pub total: Option<u64>,
    /// Reading the cache (`LoadCache`), not fetching.
    pub from_cache: bool,
    /// The dates the fetch covers, once the worker said.
    pub window: Option<(i64, i64)>,
    /// Ids the fetch brought so far.
    pub seen: HashSet<String>,
}

/// `Debug` shows everything but secrets: the form's secret field redacts itself.
#[derive(Debug)]
pub struct App {
    pub keymap: Keymap,
    /// What the session started with: read by drawing, never written after `new`.
    pub(crate) settings: Settings,
    pub sources: Sources,
    /// The shown source's reviews.
    pub list: ReviewList,
    pub filters: ListFilters,
    pub replies: Replies,
    pub editor: Option<Editor>,
    pub screen: Screen,
    pub status: Status,
    /// Confirmed replies on their way to the Store, kept on disk until they arrive.
    pub outbox: OutboxView,
    pub profiles: ProfilesScreen,
    pub stats: stats::StatsView,
    /// Templates, marks, saved views, the bulk composer and the undo-send window.
    pub volume: volume::Volume,
    next_request: u64,
}

impl App {
    pub fn new(keymap: Keymap, settings: Settings, profile: String, apps: Vec<AppEntry>, size: (u16, u16)) -> App {
        App {
            keymap,
            settings,
            sources: Sources {
                profile,
                apps,
                ..Sources::default()
            },
            list: ReviewList::default(),
            filters: ListFilters::default(),
            replies: Replies::default(),
            editor: None,
            screen: Screen::new(size),
            status: Status::default(),
            outbox: OutboxView::default(),
            profiles: ProfilesScreen::default(),
            stats: stats::StatsView::default(),
            volume: volume::Volume::default(),
            next_request: 0,
        }
    }

    /// The first commands: read the current app's cached reviews, or without a cache fetch them
    /// (in the setup form: find out which secret store will be used).
    pub fn start(&mut self) -> Vec<Command> {
        if self.in_setup() {
            return self.list_profiles();
        }
        self.load_reviews()
    }

    /// The shown app's id; empty in the first-run form, which has none and asks nothing of
    /// the Store or the cache.
    pub fn app_id(&self) -> &str {
        self.sources.current().map_or("", |a| a.id.as_str())
    }

    pub fn selected_review(&self) -> Option<&Review> {
        self.list.selected_review()
    }

    pub fn selected_id(&self) -> Option<&str> {
        self.list.selected_id()
    }

    /// Whether the service stopped returning the review (Microsoft removed it).
    pub fn is_vanished(&self, r: &Review) -> bool {
        self.list.is_vanished(r)
    }

    pub fn is_busy(&self) -> bool {
        self.list.loading.is_some()
            || !self.replies.pending_info.is_empty()
            || !self.outbox.enqueueing.is_empty()
            || self.profiles_busy()
    }

    /// Kept up to date by `rebuild_view` (see `ReviewList::unanswered`).
    pub fn unanswered_count(&self) -> usize {
        self.list.unanswered
    }

    /// The key context the current mode reads keys in.
    pub fn context(&self) -> KeyContext {
        match self.screen.mode {
            Mode::Normal => KeyContext::Normal,
            Mode::Search => KeyContext::Search,
            Mode::Editor => KeyContext::Editor,
            Mode::Confirm | Mode::QuitConfirm => KeyContext::Confirm,
            Mode::Help => KeyContext::Help,
            Mode::Filters => KeyContext::Filters,
            Mode::Apps => KeyContext::Apps,
            Mode::Profiles => KeyContext::Profiles,
            Mode::ProfileConfirm => KeyContext::Confirm,
            Mode::ProfileForm if self.profiles.form.as_ref().is_some_and(|f| f.confirm_discard) => KeyContext::Confirm,
            Mode::ProfileForm => KeyContext::ProfileForm,
            Mode::Outbox if self.outbox.confirm_discard.is_some() => KeyContext::Confirm,
            Mode::Outbox => KeyContext::Outbox,
            Mode::Stats => KeyContext::Stats,
            Mode::Picker => KeyContext::Picker,
            Mode::Bulk => KeyContext::Bulk,
            Mode::BulkConfirm => KeyContext::Confirm,
        }
    }

    /// A key press, looked up in the keymap of the current context.
    pub fn key(&mut self, ev: KeyEvent) -> Vec<Command> {
        match self.keymap.lookup(self.context(), &ev) {
            Some(b) => self.update(Action::Key(b)),
            None => self.update(Action::Input(ev)),
        }
    }

    fn request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    pub fn update(&mut self, action: Action) -> Vec<Command> {
        if matches!(action, Action::Key(_) | Action::Input(_) | Action::Paste(_)) {
            self.status.notice = None;
        }
        match action {
            Action::Key(b) => self.on_key(b),
            Action::Input(ev) => self.on_input(ev),
            Action::Paste(text) => {
                match self.screen.mode {
                    Mode::Editor => {
                        if let Some(e) = self.editor.as_mut() {
                            e.paste(&text);
                            self.draft_changed();
                        }
                    }
                    Mode::Search => {
                        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
                        self.list.search.query.push_str(&clean);
                        self.run_search();
                    }
                    Mode::Filters => {
                        if let Some(f) = self.filters.form.as_mut() {
                            f.paste(&text)
                        }
                    }
                    Mode::Picker => self.picker_paste(&text),
                    Mode::Bulk => self.bulk_paste(&text),
                    Mode::ProfileForm => {
                        if let Some(f) = self.profiles.form.as_mut().filter(|f| !f.confirm_discard) {
                            // Takes the text: a pasted secret is zeroised there.
                            f.paste(text)
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.screen.size = (w, h);
                self.keep_selection_visible();
                Vec::new()
            }
            Action::Tick(now) => {
                if self.is_busy() {
                    self.screen.spinner = self.screen.spinner.wrapping_add(1);
                }
                self.status.notices.expire(now);
                self.volume.now = crate::outbox_sender::now();
                self.draft_tick(now)
            }
            Action::SaveNow => self.save_now(),
            Action::DraftsLoaded(result) => self.on_drafts_loaded(result),
            Action::StatsComputed { request, result } => {
                self.on_stats(request, result);
                Vec::new()
            }
            Action::DraftStoreFailed(why) => {
                self.on_draft_store_failed(why);
                Vec::new()
            }
            Action::ExternalEditorDone(result) => {
                match (result, self.editor.as_mut()) {
                    (Ok(text), Some(e)) => {
                        e.replace_text(text.trim_end_matches('\n'));
                        self.draft_changed();
                    }
                    (Err(why), _) => self.status.notices.error(why),
                    _ => {}
                }
                Vec::new()
            }
            Action::ReviewsPage {
                request,
                app,
                reviews,
                total,
                done,
            } => {
                let mut cmds = self.on_reviews(request, app, reviews, total, done);
                if done {
                    cmds.extend(self.service_answered());
                }
                cmds
            }
            Action::CacheLoaded { request, app, result } => self.on_cache_loaded(request, app, result),
            Action::CacheWithdrawn { request, app, why } => self.on_cache_withdrawn(request, &app, why),
            Action::CacheStoreFailed(why) => {
                self.status
                    .notices
                    .error(format!("Could not keep reviews in the local cache: {why}"));
                Vec::new()
            }
            Action::FetchWindow {
                request,
                start_ts,
                end_ts,
            } => {
                if let Some(l) = self
                    .list
                    .loading
                    .as_mut()
                    .filter(|l| l.request == request && !l.from_cache)
                {
                    l.window = Some((start_ts, end_ts));
                }
                Vec::new()
            }
            Action::ReviewsFailed { request, error } => {
                if self
                    .list
                    .loading
                    .as_ref()
                    .is_some_and(|l| l.request == request && !l.from_cache)
                {
                    self.list.loading = None;
                    self.status.activity = None;
                    self.status.notices.error_about(Topic::Fetch, error);
                }
                Vec::new()
            }
            Action::EligibilityResult {
                request,
                app,
                review,
                result,
            } => {
                if app == self.app_id() && self.replies.pending_info.get(&review) == Some(&request) {
                    self.replies.pending_info.remove(&review);
                    if let Eligibility::ApiDown(why) = &result {
                        self.status.notices.error(why.clone());
                    }
                    // The answer may come after the editor opened: fill the support email then,
                    // unless the person already typed one.
                    if let (
                        Eligibility::CanRespond {
                            support_email: Some(email),
                        },
                        Some(ed),
                    ) = (&result, self.editor.as_mut())
                        && ed.review_id == review
                        && ed.email_value().is_empty()
                    {
                        ed.set_email(email);
                    }
                    let answered = matches!(result, Eligibility::CanRespond { .. } | Eligibility::OptedOut);
                    self.replies.eligibility.insert(review, result);
                    if answered {
                        return self.service_answered();
                    }
                }
                Vec::new()
            }
            Action::OutboxOpened(result) => {
                match result {
                    Ok(recovered) if !recovered.is_empty() => self.add_notice(format!(
                        "{} {} left unclear by an earlier run: the reviews are read back before anything is sent again",
                        recovered.len(),
                        if recovered.len() == 1 {
                            "reply was"
                        } else {
                            "replies were"
                        }
                    )),
                    Ok(_) => {}
                    Err(why) => self.status.notices.error(format!(
                        "The outbox could not be opened ({why}): replies cannot be confirmed now, and stay as drafts"
                    )),
                }
                Vec::new()
            }
            Action::OutboxSnapshot(items) => {
                self.on_outbox_snapshot(items);
                self.quit_if_sent()
            }
            Action::TakenBack { items, too_late } => self.on_taken_back(items, too_late),
            Action::OutboxOutcome(o) => self.on_outbox_outcome(o),
            Action::Enqueued { review, result, .. } => self.on_enqueued(review, result),
            Action::OutboxDiscarded(item) => self.on_outbox_discarded(item),
            Action::OutboxFailed(why) => {
                if self.screen.mode == Mode::Outbox {
                    self.outbox.notice = Some(why);
                } else {
                    self.status.notices.error(why);
                }
                Vec::new()
            }
            Action::ReplyHistoryLoaded(result) => {
                self.on_reply_history(result);
                Vec::new()
            }
            Action::HistoryLoaded(result) => {
                self.outbox.history = Some(result);
                self.outbox.history_selected = 0;
                Vec::new()
            }
            Action::Activity(text) => {
                self.status.activity = Some(Activity::Service(text));
                Vec::new()
            }
            profile @ (Action::ProfilesListed { .. }
            | Action::SecretsChecked { .. }
            | Action::ProfileProgress { .. }
            | Action::ProfileSaved { .. }
            | Action::ProfileRemoved { .. }
            | Action::ProfileTested { .. }
            | Action::SwitchChecked { .. }) => self.on_profile_action(profile),
        }
    }

    fn on_key(&mut self, b: KeyAction) -> Vec<Command> {
        match self.screen.mode {
            Mode::Normal => self.normal_key(b),
            Mode::Search => {
                match b {
                    KeyAction::Confirm => {
                        self.screen.mode = Mode::Normal;
                        if let Some(&first) = self.list.search.matches.first() {
                            self.list.search.current = 0;
                            return self.select(first);
                        }
                    }
                    KeyAction::Back => {
                        self.screen.mode = Mode::Normal;
                        self.list.search = Search::default();
                        return self.select(self.list.search_origin);
                    }
                    _ => {}
                }
                Vec::new()
            }
            Mode::Editor => self.editor_key(b),
            Mode::Confirm => match b {
                KeyAction::Confirm => self.send(),
                KeyAction::Back => {
                    self.screen.mode = Mode::Editor;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::QuitConfirm => match b {
                KeyAction::SendNow if !self.waiting_to_go().is_empty() => self.send_now_then_quit(),
                KeyAction::Confirm => {
                    self.screen.should_quit = true;
                    vec![Command::Quit]
                }
                KeyAction::Back => {
                    self.screen.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Help => {
                // Stop at the text's last line; a resize may have left the offset past it.
                let end = crate::tui::help::max_scroll(&self.keymap, self.screen.size);
                let at = self.screen.help_scroll.min(end);
                match b {
                    KeyAction::Back => self.screen.mode = Mode::Normal,
                    KeyAction::MoveDown => self.screen.help_scroll = (at + 1).min(end),
                    KeyAction::MoveUp => self.screen.help_scroll = at.saturating_sub(1),
                    _ => {}
                }
                Vec::new()
            }
            Mode::Filters => self.filters_key(b),
            Mode::Apps => match b {
                KeyAction::MoveDown => {
                    self.sources.picker = (self.sources.picker + 1).min(self.sources.apps.len().saturating_sub(1));
                    Vec::new()
                }
                KeyAction::MoveUp => {
                    self.sources.picker = self.sources.picker.saturating_sub(1);
                    Vec::new()
                }
                KeyAction::Confirm => {
                    self.screen.mode = Mode::Normal;
                    self.switch_app(self.sources.picker)
                }
                KeyAction::Back => {
                    self.screen.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Profiles => self.profiles_key(b),
            Mode::ProfileForm => self.form_key(b),
            Mode::ProfileConfirm => self.profile_confirm_key(b),
            Mode::Outbox => self.outbox_key(b),
            Mode::Stats => self.stats_key(b),
            Mode::Picker => self.picker_key(b),
            Mode::Bulk => self.bulk_key(b),
            Mode::BulkConfirm => match b {
                KeyAction::Confirm => self.confirm_bulk(),
                KeyAction::Back => {
                    if let Some(c) = self.volume.bulk.as_mut() {
                        c.confirming = None;
                    }
                    self.screen.mode = Mode::Bulk;
                    Vec::new()
                }
                _ => Vec::new(),
            },
        }
    }
}
