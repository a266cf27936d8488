//! The application state and its one update function. Every change of state happens in
//! [`App::update`]; side effects come back as [`Command`]s for the event loop to carry out.

pub mod editor;
pub mod filter_form;
mod loading;
mod reply;
pub mod view;

pub use loading::sanitize_review;

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use self::editor::{Draft, Editor};
use self::filter_form::FilterForm;
use self::view::{Filters, search};
use super::action::{Action, Bound, Eligibility, ReplyState};
use super::keymap::{KeyContext, Keymap};
use super::layout::list_rows;
use crate::store::{ResponseItem, Review};

/// How many reviews after the selected one get their eligibility fetched ahead of time.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    FetchReviews { request: u64, app: String },
    CheckEligibility { request: u64, app: String, review: String },
    Submit { request: u64, items: Vec<ResponseItem> },
    OpenExternalEditor { text: String },
    Suspend,
    Quit,
}

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

#[derive(Clone, Debug)]
pub struct Loading {
    pub request: u64,
    pub pages: u32,
    pub total: Option<u64>,
}

/// What is kept of an app while another one is shown.
#[derive(Default)]
struct AppCache {
    reviews: Vec<Review>,
    haystacks: Vec<Box<str>>,
    complete: bool,
}

pub struct App {
    pub keymap: Keymap,
    pub profile: String,
    pub apps: Vec<AppEntry>,
    pub app_index: usize,
    pub app_picker: usize,
    pub reviews: Vec<Review>,
    haystacks: Vec<Box<str>>,
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
    pub editor: Option<Editor>,
    pub search: Search,
    search_origin: usize,
    pub filters: Filters,
    pub filter_form: Option<FilterForm>,
    pub unanswered_first: bool,
    pub loading: Option<Loading>,
    pub activity: Option<String>,
    pub last_error: Option<String>,
    pub spinner: usize,
    pub size: (u16, u16),
    pub default_public: bool,
    pub no_color: bool,
    unanswered: usize,
    /// During a refresh: the review to select again once a page brings it back.
    restore_selection: Option<String>,
    next_request: u64,
    pending_info: HashMap<String, u64>,
    sending: HashMap<u64, Vec<String>>,
    other_apps: HashMap<String, AppCache>,
    pub should_quit: bool,
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
            editor: None,
            search: Search::default(),
            search_origin: 0,
            filters: Filters::default(),
            filter_form: None,
            unanswered_first: false,
            loading: None,
            activity: None,
            last_error: None,
            spinner: 0,
            size,
            default_public: true,
            no_color: false,
            unanswered: 0,
            restore_selection: None,
            next_request: 0,
            pending_info: HashMap::new(),
            sending: HashMap::new(),
            other_apps: HashMap::new(),
            should_quit: false,
        }
    }

    /// The first commands: fetch the current app's reviews.
    pub fn start(&mut self) -> Vec<Command> {
        self.fetch_reviews()
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

    pub fn is_busy(&self) -> bool {
        self.loading.is_some() || !self.sending.is_empty() || !self.pending_info.is_empty()
    }

    pub fn sending_count(&self) -> usize {
        self.sending.values().map(Vec::len).sum()
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
        match action {
            Action::Key(b) => self.on_key(b),
            Action::Input(ev) => self.on_input(ev),
            Action::Paste(text) => {
                match self.mode {
                    Mode::Editor => {
                        if let Some(e) = self.editor.as_mut() {
                            e.paste(&text)
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
                    _ => {}
                }
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
                Vec::new()
            }
            Action::Tick => {
                if self.is_busy() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
                Vec::new()
            }
            Action::ExternalEditorDone(result) => {
                match (result, self.editor.as_mut()) {
                    (Ok(text), Some(e)) => e.replace_text(text.trim_end_matches('\n')),
                    (Err(why), _) => self.last_error = Some(why),
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
            } => self.on_reviews(request, app, reviews, total, done),
            Action::ReviewsFailed { request, error } => {
                if self.loading.as_ref().is_some_and(|l| l.request == request) {
                    self.loading = None;
                    self.activity = None;
                    self.last_error = Some(error);
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
                        self.last_error = Some(why.clone());
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
                    self.eligibility.insert(review, result);
                }
                Vec::new()
            }
            Action::SubmitDone {
                request,
                outcomes,
                error,
            } => self.on_submitted(request, outcomes, error),
            Action::Activity(text) => {
                self.activity = Some(text);
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, b: Bound) -> Vec<Command> {
        match self.mode {
            Mode::Normal => self.normal_key(b),
            Mode::Search => {
                match b {
                    Bound::Confirm => {
                        self.mode = Mode::Normal;
                        if let Some(&first) = self.search.matches.first() {
                            self.search.current = 0;
                            return self.select(first);
                        }
                    }
                    Bound::Back => {
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
                Bound::Confirm => self.send(),
                Bound::Back => {
                    self.mode = Mode::Editor;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::QuitConfirm => match b {
                Bound::Confirm => {
                    self.should_quit = true;
                    vec![Command::Quit]
                }
                Bound::Back => {
                    self.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Help => {
                match b {
                    Bound::Back => self.mode = Mode::Normal,
                    Bound::MoveDown => self.help_scroll = self.help_scroll.saturating_add(1),
                    Bound::MoveUp => self.help_scroll = self.help_scroll.saturating_sub(1),
                    _ => {}
                }
                Vec::new()
            }
            Mode::Filters => self.filters_key(b),
            Mode::Apps => match b {
                Bound::MoveDown => {
                    self.app_picker = (self.app_picker + 1).min(self.apps.len().saturating_sub(1));
                    Vec::new()
                }
                Bound::MoveUp => {
                    self.app_picker = self.app_picker.saturating_sub(1);
                    Vec::new()
                }
                Bound::Confirm => {
                    self.mode = Mode::Normal;
                    self.switch_app(self.app_picker)
                }
                Bound::Back => {
                    self.mode = Mode::Normal;
                    Vec::new()
                }
                _ => Vec::new(),
            },
        }
    }

    fn normal_key(&mut self, b: Bound) -> Vec<Command> {
        let page = list_rows(self.size).max(1);
        match b {
            Bound::MoveDown if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(1);
                Vec::new()
            }
            Bound::MoveUp if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1);
                Vec::new()
            }
            Bound::PageDown if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(page as u16);
                Vec::new()
            }
            Bound::PageUp if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(page as u16);
                Vec::new()
            }
            Bound::MoveDown => self.select(self.selected.saturating_add(1)),
            Bound::MoveUp => self.select(self.selected.saturating_sub(1)),
            Bound::PageDown => self.select(self.selected.saturating_add(page)),
            Bound::PageUp => self.select(self.selected.saturating_sub(page)),
            Bound::First => self.select(0),
            Bound::Last => self.select(self.view.len().saturating_sub(1)),
            Bound::FocusDetail => {
                self.focus = Focus::Detail;
                Vec::new()
            }
            Bound::SwitchPane => {
                self.focus = if self.focus == Focus::List {
                    Focus::Detail
                } else {
                    Focus::List
                };
                Vec::new()
            }
            Bound::Back => {
                if self.last_error.take().is_some() {
                } else if !self.search.query.is_empty() {
                    self.search = Search::default();
                } else {
                    self.focus = Focus::List;
                }
                Vec::new()
            }
            Bound::Reply => self.open_editor(),
            Bound::Search => {
                self.mode = Mode::Search;
                self.search = Search::default();
                self.search_origin = self.selected;
                Vec::new()
            }
            Bound::NextMatch | Bound::PrevMatch => {
                let n = self.search.matches.len();
                if n == 0 {
                    if !self.search.query.is_empty() {
                        self.last_error = Some(format!("No review matches \"{}\"", self.search.query));
                    }
                    return Vec::new();
                }
                self.search.current = if b == Bound::NextMatch {
                    (self.search.current + 1) % n
                } else {
                    (self.search.current + n - 1) % n
                };
                self.select(self.search.matches[self.search.current])
            }
            Bound::Filters => {
                self.filter_form = Some(FilterForm::new(&self.filters));
                self.mode = Mode::Filters;
                Vec::new()
            }
            Bound::UnansweredFirst => {
                self.unanswered_first = !self.unanswered_first;
                self.rebuild_view()
            }
            Bound::Refresh => self.fetch_reviews(),
            Bound::SwitchApp => {
                if self.apps.len() < 2 {
                    self.last_error = Some("Only one app: name more with --app to switch between them".to_owned());
                } else {
                    self.app_picker = self.app_index;
                    self.mode = Mode::Apps;
                }
                Vec::new()
            }
            Bound::Help => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
                Vec::new()
            }
            Bound::Quit => {
                if self.sending_count() > 0 || !self.drafts.is_empty() {
                    self.mode = Mode::QuitConfirm;
                    Vec::new()
                } else {
                    self.should_quit = true;
                    vec![Command::Quit]
                }
            }
            Bound::Suspend => vec![Command::Suspend],
            _ => Vec::new(),
        }
    }

    fn on_input(&mut self, ev: KeyEvent) -> Vec<Command> {
        match self.mode {
            Mode::Editor => {
                if let Some(e) = self.editor.as_mut() {
                    e.input(ev);
                }
            }
            Mode::Search => {
                match ev.code {
                    KeyCode::Char(c) => self.search.query.push(c),
                    KeyCode::Backspace => {
                        self.search.query.pop();
                    }
                    _ => return Vec::new(),
                }
                return self.run_search();
            }
            Mode::Filters => {
                if let Some(f) = self.filter_form.as_mut() {
                    f.input(ev);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn run_search(&mut self) -> Vec<Command> {
        let q = self.search.query.to_lowercase();
        self.search.matches = search(&self.view, &self.haystacks, &q);
        // Incremental: jump to the first match at or after where the search began.
        let pos = self
            .search
            .matches
            .iter()
            .position(|&m| m >= self.search_origin)
            .unwrap_or(0);
        self.search.current = pos;
        match self.search.matches.get(pos) {
            Some(&m) => self.select(m),
            None => Vec::new(),
        }
    }

    fn filters_key(&mut self, b: Bound) -> Vec<Command> {
        let Some(form) = self.filter_form.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            Bound::MoveDown => form.move_by(1),
            Bound::MoveUp => form.move_by(-1),
            Bound::Back => {
                self.filter_form = None;
                self.mode = Mode::Normal;
            }
            Bound::Confirm => match form.finish() {
                Ok(f) => {
                    self.filters = f;
                    self.filter_form = None;
                    self.mode = Mode::Normal;
                    return self.rebuild_view();
                }
                Err(why) => form.problem = Some(why),
            },
            _ => {}
        }
        Vec::new()
    }
}
