//! The application state and its one update function. Every change of state happens in
//! [`App::update`]; side effects come back as [`Command`]s for the event loop to carry out.

mod command;
pub mod drafts;
pub mod editor;
pub mod filter_form;
mod keys;
mod loading;
pub mod notices;
pub mod outbox;
pub mod profile_form;
pub mod profiles;
mod reply;
pub mod view;

pub use command::{Command, DbCommand, OutboxCommand, ProfilesCommand, StoreCommand};
pub use loading::{describe_age, sanitize_review};

use std::collections::{HashMap, HashSet};

use ratatui::crossterm::event::KeyEvent;

use self::drafts::DraftSync;
use self::editor::{Draft, Editor};
use self::filter_form::FilterForm;
use self::notices::{Activity, Notices, Topic};
use self::outbox::OutboxView;
use self::profile_form::ProfileForm;
use self::profiles::ProfilesScreen;
use self::view::Filters;
use super::action::{Action, Eligibility, ReplyState};
use super::ids::IdIndex;
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

/// What is kept of an app while another one is shown.
#[derive(Debug, Default)]
struct AppCache {
    reviews: Vec<Review>,
    haystacks: Vec<Box<str>>,
    ids: IdIndex,
    complete: bool,
    vanished: HashSet<String>,
    last_sync: Option<i64>,
}

/// `Debug` shows everything but secrets: the form's secret field redacts itself.
#[derive(Debug)]
pub struct App {
    pub keymap: Keymap,
    pub profile: String,
    pub apps: Vec<AppEntry>,
    pub app_index: usize,
    pub app_picker: usize,
    pub reviews: Vec<Review>,
    haystacks: Vec<Box<str>>,
    /// Where each of `reviews` is, by id: a page merges without a pass over the whole list.
    ids: IdIndex,
    /// The `LoadCache` still answering (in parts), even after a refresh took over `loading`.
    cache_request: Option<u64>,
    pub complete: bool,
    pub view: Vec<usize>,
    pub selected: usize,
    pub list_offset: usize,
    pub focus: Focus,
    pub mode: Mode,
    pub detail_scroll: u16,
    pub help_scroll: u16,
    pub eligibility: HashMap<String, Eligibility>,
    pub replies: HashMap<String, ReplyState>,
    pub drafts: HashMap<String, Draft>,
    pub draft_sync: DraftSync,
    pub editor: Option<Editor>,
    pub search: Search,
    search_origin: usize,
    pub filters: Filters,
    pub filter_form: Option<FilterForm>,
    pub unanswered_first: bool,
    pub loading: Option<Loading>,
    pub activity: Option<Activity>,
    /// Messages for the hint line, with levels; see `notices` for how they show and expire.
    pub notices: Notices,
    pub spinner: usize,
    pub size: (u16, u16),
    pub default_public: bool,
    /// The profile's support email, when the eligibility check gives none.
    pub default_support_email: Option<String>,
    pub no_color: bool,
    /// The session's database is temporary (removed when the UI ends).
    pub temporary: bool,
    unanswered: usize,
    /// The current app's reviews the service stopped returning (removed by Microsoft).
    pub vanished: HashSet<String>,
    /// How old the cached reviews shown were when read; `None` once a fetch completed.
    pub cache_age: Option<i64>,
    /// The current app's last complete refresh, from the cache.
    last_sync: Option<i64>,
    next_request: u64,
    pending_info: HashMap<String, u64>,
    other_apps: HashMap<String, AppCache>,
    pub should_quit: bool,
    pub profiles: ProfilesScreen,
    pub profile_form: Option<ProfileForm>,
    /// Shown once over the reviews until a key is pressed ("Saved profile …").
    pub notice: Option<String>,
    /// Confirmed replies on their way to the Store, kept on disk until they arrive.
    pub outbox: OutboxView,
}

impl App {
    pub fn new(keymap: Keymap, profile: String, apps: Vec<AppEntry>, size: (u16, u16)) -> App {
        App {
            keymap,
            profile,
            apps,
            app_index: 0,
            app_picker: 0,
            reviews: Vec::new(),
            haystacks: Vec::new(),
            ids: IdIndex::default(),
            cache_request: None,
            complete: false,
            view: Vec::new(),
            selected: 0,
            list_offset: 0,
            focus: Focus::List,
            mode: Mode::Normal,
            detail_scroll: 0,
            help_scroll: 0,
            eligibility: HashMap::new(),
            replies: HashMap::new(),
            drafts: HashMap::new(),
            draft_sync: DraftSync::default(),
            editor: None,
            search: Search::default(),
            search_origin: 0,
            filters: Filters::default(),
            filter_form: None,
            unanswered_first: false,
            loading: None,
            activity: None,
            notices: Notices::default(),
            spinner: 0,
            size,
            default_public: true,
            default_support_email: None,
            no_color: false,
            temporary: false,
            unanswered: 0,
            vanished: HashSet::new(),
            cache_age: None,
            last_sync: None,
            next_request: 0,
            pending_info: HashMap::new(),
            other_apps: HashMap::new(),
            should_quit: false,
            profiles: ProfilesScreen::default(),
            profile_form: None,
            notice: None,
            outbox: OutboxView::default(),
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

    pub fn app_id(&self) -> &str {
        &self.apps[self.app_index].id
    }

    pub fn selected_review(&self) -> Option<&Review> {
        self.view.get(self.selected).map(|&i| &self.reviews[i])
    }

    pub fn selected_id(&self) -> Option<&str> {
        self.selected_review().and_then(|r| r.id.as_deref())
    }

    /// Whether the service stopped returning the review (Microsoft removed it).
    pub fn is_vanished(&self, r: &Review) -> bool {
        r.id.as_deref().is_some_and(|id| self.vanished.contains(id))
    }

    pub fn is_busy(&self) -> bool {
        self.loading.is_some()
            || !self.pending_info.is_empty()
            || !self.outbox.enqueueing.is_empty()
            || self.profiles_busy()
    }

    /// Kept up to date by `rebuild_view`: counting 100,000 reviews every frame would cost more
    /// than drawing it.
    pub fn unanswered_count(&self) -> usize {
        self.unanswered
    }

    /// The key context the current mode reads keys in.
    pub fn context(&self) -> KeyContext {
        match self.mode {
            Mode::Normal => KeyContext::Normal,
            Mode::Search => KeyContext::Search,
            Mode::Editor => KeyContext::Editor,
            Mode::Confirm | Mode::QuitConfirm => KeyContext::Confirm,
            Mode::Help => KeyContext::Help,
            Mode::Filters => KeyContext::Filters,
            Mode::Apps => KeyContext::Apps,
            Mode::Profiles => KeyContext::Profiles,
            Mode::ProfileConfirm => KeyContext::Confirm,
            Mode::ProfileForm if self.profile_form.as_ref().is_some_and(|f| f.confirm_discard) => KeyContext::Confirm,
            Mode::ProfileForm => KeyContext::ProfileForm,
            Mode::Outbox if self.outbox.confirm_discard.is_some() => KeyContext::Confirm,
            Mode::Outbox => KeyContext::Outbox,
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
            self.notice = None;
        }
        match action {
            Action::Key(b) => self.on_key(b),
            Action::Input(ev) => self.on_input(ev),
            Action::Paste(text) => {
                match self.mode {
                    Mode::Editor => {
                        if let Some(e) = self.editor.as_mut() {
                            e.paste(&text);
                            self.draft_changed();
                        }
                    }
                    Mode::Search => {
                        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
                        self.search.query.push_str(&clean);
                        self.run_search();
                    }
                    Mode::Filters => {
                        if let Some(f) = self.filter_form.as_mut() {
                            f.paste(&text)
                        }
                    }
                    Mode::ProfileForm => {
                        if let Some(f) = self.profile_form.as_mut().filter(|f| !f.confirm_discard) {
                            // Takes the text: a pasted secret is zeroised there.
                            f.paste(text)
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
                Vec::new()
            }
            Action::Tick(now) => {
                if self.is_busy() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
                self.notices.expire(now);
                self.draft_tick(now)
            }
            Action::SaveNow => self.save_now(),
            Action::DraftsLoaded(result) => self.on_drafts_loaded(result),
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
                    (Err(why), _) => self.notices.error(why),
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
            Action::CacheStoreFailed(why) => {
                self.notices
                    .error(format!("Could not keep reviews in the local cache: {why}"));
                Vec::new()
            }
            Action::FetchWindow {
                request,
                start_ts,
                end_ts,
            } => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.request == request && !l.from_cache) {
                    l.window = Some((start_ts, end_ts));
                }
                Vec::new()
            }
            Action::ReviewsFailed { request, error } => {
                if self
                    .loading
                    .as_ref()
                    .is_some_and(|l| l.request == request && !l.from_cache)
                {
                    self.loading = None;
                    self.activity = None;
                    self.notices.error_about(Topic::Fetch, error);
                }
                Vec::new()
            }
            Action::EligibilityResult {
                request,
                app,
                review,
                result,
            } => {
                if app == self.app_id() && self.pending_info.get(&review) == Some(&request) {
                    self.pending_info.remove(&review);
                    if let Eligibility::ApiDown(why) = &result {
                        self.notices.error(why.clone());
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
                    self.eligibility.insert(review, result);
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
                    Err(why) => self.notices.error(format!(
                        "The outbox could not be opened ({why}): replies cannot be confirmed now, and stay as drafts"
                    )),
                }
                Vec::new()
            }
            Action::OutboxSnapshot(items) => {
                self.on_outbox_snapshot(items);
                Vec::new()
            }
            Action::OutboxOutcome(o) => self.on_outbox_outcome(o),
            Action::Enqueued { review, result, .. } => self.on_enqueued(review, result),
            Action::OutboxDiscarded(item) => self.on_outbox_discarded(item),
            Action::OutboxFailed(why) => {
                if self.mode == Mode::Outbox {
                    self.outbox.notice = Some(why);
                } else {
                    self.notices.error(why);
                }
                Vec::new()
            }
            Action::HistoryLoaded(result) => {
                self.outbox.history = Some(result);
                self.outbox.history_selected = 0;
                Vec::new()
            }
            Action::Activity(text) => {
                self.activity = Some(Activity::Service(text));
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
        match self.mode {
            Mode::Normal => self.normal_key(b),
            Mode::Search => {
                match b {
                    KeyAction::Confirm => {
                        self.mode = Mode::Normal;
                        if let Some(&first) = self.search.matches.first() {
                            self.search.current = 0;
                            return self.select(first);
                        }
                    }
                    KeyAction::Back => {
                        self.mode = Mode::Normal;
                        self.search = Search::default();
                        return self.select(self.search_origin);
                    }
                    _ => {}
                }
                Vec::new()
            }
            Mode::Editor => self.editor_key(b),
            Mode::Confirm => match b {
                KeyAction::Confirm => self.send(),
                KeyAction::Back => {
                    self.mode = Mode::Editor;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::QuitConfirm => match b {
                KeyAction::Confirm => {
                    self.should_quit = true;
                    vec![Command::Quit]
                }
                KeyAction::Back => {
                    self.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Help => {
                match b {
                    KeyAction::Back => self.mode = Mode::Normal,
                    KeyAction::MoveDown => self.help_scroll = self.help_scroll.saturating_add(1),
                    KeyAction::MoveUp => self.help_scroll = self.help_scroll.saturating_sub(1),
                    _ => {}
                }
                Vec::new()
            }
            Mode::Filters => self.filters_key(b),
            Mode::Apps => match b {
                KeyAction::MoveDown => {
                    self.app_picker = (self.app_picker + 1).min(self.apps.len().saturating_sub(1));
                    Vec::new()
                }
                KeyAction::MoveUp => {
                    self.app_picker = self.app_picker.saturating_sub(1);
                    Vec::new()
                }
                KeyAction::Confirm => {
                    self.mode = Mode::Normal;
                    self.switch_app(self.app_picker)
                }
                KeyAction::Back => {
                    self.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Profiles => self.profiles_key(b),
            Mode::ProfileForm => self.form_key(b),
            Mode::ProfileConfirm => self.profile_confirm_key(b),
            Mode::Outbox => self.outbox_key(b),
        }
    }
}
