//! The application state and its one update function. Every change of state happens in
//! [`App::update`]; side effects come back as [`Command`]s for the event loop to carry out.

pub mod editor;
pub mod filter_form;
pub mod view;

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use self::editor::{Draft, Editor};
use self::filter_form::FilterForm;
use self::view::{Filters, build_view, haystack, search};
use super::action::{Action, Bound, Eligibility, ReplyState};
use super::keymap::{KeyContext, Keymap};
use super::layout::list_rows;
use crate::store::{ResponseItem, Review};

/// How many reviews after the selected one get their eligibility fetched ahead of time.
const PREFETCH: usize = 3;

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

    pub fn unanswered_count(&self) -> usize {
        self.reviews.iter().filter(|r| !r.is_answered()).count()
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

    /// Moves the selection (clamped), resets the text scroll, keeps the row on screen and asks
    /// for the eligibility of the selected review and the next few.
    pub fn select(&mut self, pos: usize) -> Vec<Command> {
        let pos = pos.min(self.view.len().saturating_sub(1));
        if pos != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = pos;
        self.keep_selection_visible();
        self.prefetch_eligibility()
    }

    fn keep_selection_visible(&mut self) {
        let rows = list_rows(self.size).max(1);
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + rows {
            self.list_offset = self.selected + 1 - rows;
        }
        let max_offset = self.view.len().saturating_sub(rows);
        self.list_offset = self.list_offset.min(max_offset);
    }

    fn prefetch_eligibility(&mut self) -> Vec<Command> {
        let app = self.app_id().to_owned();
        let wanted: Vec<String> = self
            .view
            .iter()
            .skip(self.selected)
            .take(PREFETCH + 1)
            .filter_map(|&i| self.reviews[i].id.clone())
            .filter(|id| !self.pending_info.contains_key(id))
            .filter(|id| {
                !matches!(
                    self.eligibility.get(id),
                    Some(Eligibility::CanRespond { .. } | Eligibility::OptedOut)
                )
            })
            .collect();
        let mut out = Vec::new();
        for review in wanted {
            // A failed check is tried again only for the selected review, on purpose.
            if matches!(
                self.eligibility.get(&review),
                Some(Eligibility::Failed(_) | Eligibility::ApiDown(_))
            ) && Some(review.as_str()) != self.selected_id()
            {
                continue;
            }
            let request = self.request_id();
            self.pending_info.insert(review.clone(), request);
            self.eligibility.insert(review.clone(), Eligibility::Checking);
            out.push(Command::CheckEligibility {
                request,
                app: app.clone(),
                review,
            });
        }
        out
    }

    fn fetch_reviews(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.loading = Some(Loading {
            request,
            pages: 0,
            total: None,
        });
        self.activity = Some("fetching reviews".to_owned());
        self.last_error = None;
        vec![Command::FetchReviews {
            request,
            app: self.app_id().to_owned(),
        }]
    }

    fn on_reviews(
        &mut self,
        request: u64,
        app: String,
        mut page: Vec<Review>,
        total: Option<u64>,
        done: bool,
    ) -> Vec<Command> {
        let Some(loading) = self.loading.as_mut().filter(|l| l.request == request) else {
            return Vec::new();
        };
        if app != self.apps[self.app_index].id {
            return Vec::new();
        }
        let first_page = loading.pages == 0;
        loading.pages += 1;
        loading.total = total;
        let pages_text = match total {
            Some(t) => format!(
                "fetching reviews: {} of {t}",
                self.reviews.len() * usize::from(!first_page) + page.len()
            ),
            None => format!("fetching reviews: page {}", loading.pages),
        };
        let keep = self.selected_id().map(str::to_owned);
        for r in &mut page {
            sanitize_review(r);
        }
        if first_page {
            // A refresh replaces what was there; answers sent meanwhile stay visible through
            // `replies`.
            self.reviews.clear();
            self.haystacks.clear();
        }
        self.haystacks.extend(page.iter().map(haystack));
        self.reviews.extend(page);
        if done {
            self.loading = None;
            self.activity = None;
            self.complete = true;
        } else {
            self.activity = Some(pages_text);
        }
        let mut cmds = self.rebuild_view();
        if let Some(id) = keep
            && let Some(pos) = self
                .view
                .iter()
                .position(|&i| self.reviews[i].id.as_deref() == Some(&id))
        {
            cmds = self.select(pos);
        }
        cmds
    }

    fn rebuild_view(&mut self) -> Vec<Command> {
        let keep = self.selected_id().map(str::to_owned);
        self.view = build_view(&self.reviews, &self.filters, self.unanswered_first);
        if !self.search.query.is_empty() {
            self.search.matches = search(&self.view, &self.haystacks, &self.search.query.to_lowercase());
            self.search.current = 0;
        }
        let pos = keep
            .and_then(|id| {
                self.view
                    .iter()
                    .position(|&i| self.reviews[i].id.as_deref() == Some(&id))
            })
            .unwrap_or(0);
        self.selected = usize::MAX; // force the select() bookkeeping
        self.select(pos)
    }

    fn switch_app(&mut self, index: usize) -> Vec<Command> {
        if index == self.app_index || index >= self.apps.len() {
            return Vec::new();
        }
        let old = self.apps[self.app_index].id.clone();
        self.other_apps.insert(
            old,
            AppCache {
                reviews: std::mem::take(&mut self.reviews),
                haystacks: std::mem::take(&mut self.haystacks),
                complete: self.complete,
            },
        );
        self.app_index = index;
        self.pending_info.clear();
        self.loading = None;
        self.search = Search::default();
        self.selected = 0;
        self.list_offset = 0;
        let id = self.apps[index].id.clone();
        match self.other_apps.remove(&id) {
            Some(cache) if cache.complete => {
                self.reviews = cache.reviews;
                self.haystacks = cache.haystacks;
                self.complete = true;
                self.rebuild_view()
            }
            _ => {
                self.complete = false;
                self.view.clear();
                self.fetch_reviews()
            }
        }
    }

    fn open_editor(&mut self) -> Vec<Command> {
        let Some(review) = self.selected_review() else {
            return Vec::new();
        };
        let Some(id) = review.id.clone() else {
            self.last_error = Some("This review has no ID, so the Store cannot take a response to it".to_owned());
            return Vec::new();
        };
        if review.is_answered() && !review.revised_after_response() {
            self.last_error = Some(
                "Already answered: the Store takes a new response only after the customer revises the review"
                    .to_owned(),
            );
            return Vec::new();
        }
        if matches!(self.replies.get(&id), Some(ReplyState::Sending)) {
            self.last_error = Some("A reply to this review is being sent".to_owned());
            return Vec::new();
        }
        match self.eligibility.get(&id) {
            Some(Eligibility::OptedOut) => {
                self.last_error =
                    Some("The customer opted out of responses: this review cannot be answered".to_owned());
                return Vec::new();
            }
            Some(Eligibility::ApiDown(why)) => self.last_error = Some(why.clone()),
            _ => {}
        }
        let default_email = match self.eligibility.get(&id) {
            Some(Eligibility::CanRespond { support_email }) => support_email.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let draft = self.drafts.get(&id).cloned().unwrap_or(Draft {
            text: String::new(),
            public: self.default_public,
            email: default_email,
        });
        self.editor = Some(Editor::open(self.app_id(), &id, draft));
        self.mode = Mode::Editor;
        // Ask again if the earlier check failed.
        self.prefetch_eligibility()
    }

    fn editor_key(&mut self, b: Bound) -> Vec<Command> {
        let Some(editor) = self.editor.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            Bound::Back => {
                let draft = editor.draft();
                let id = editor.review_id.clone();
                if draft.text.trim().is_empty() {
                    self.drafts.remove(&id);
                } else {
                    self.drafts.insert(id, draft);
                }
                self.editor = None;
                self.mode = Mode::Normal;
            }
            Bound::TogglePublic => {
                if editor.public {
                    match self.eligibility.get(&editor.review_id) {
                        Some(Eligibility::CanRespond { .. }) => editor.public = false,
                        Some(Eligibility::Checking) | None => {
                            editor.problem = Some("Private (email) responses wait for the eligibility check".to_owned())
                        }
                        _ => {
                            editor.problem = Some(
                                "Private responses are not possible: the eligibility check did not allow it".to_owned(),
                            )
                        }
                    }
                } else {
                    editor.public = true;
                }
            }
            Bound::NextField => editor.next_field(),
            Bound::ExternalEditor => return vec![Command::OpenExternalEditor { text: editor.body() }],
            Bound::Send => {
                if let Err(why) = editor.check() {
                    editor.problem = Some(why);
                    return Vec::new();
                }
                match self.eligibility.get(&editor.review_id) {
                    Some(Eligibility::CanRespond { .. }) => self.mode = Mode::Confirm,
                    Some(Eligibility::Checking) | None => {
                        editor.problem =
                            Some("Still checking whether this review can be answered; try again in a moment".to_owned())
                    }
                    Some(Eligibility::OptedOut) => {
                        editor.problem = Some("The customer opted out: this review cannot be answered".to_owned())
                    }
                    Some(Eligibility::ApiDown(why) | Eligibility::Failed(why)) => editor.problem = Some(why.clone()),
                }
            }
            Bound::Suspend => return vec![Command::Suspend],
            _ => {}
        }
        Vec::new()
    }

    fn send(&mut self) -> Vec<Command> {
        let Some(editor) = self.editor.take() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        let item = ResponseItem {
            application_id: editor.app_id.clone(),
            review_id: editor.review_id.clone(),
            response_text: editor.body(),
            support_email: editor.email_value(),
            is_public: editor.public,
        };
        // The draft stays until the Store confirms: nothing typed is lost if sending fails.
        self.drafts.insert(editor.review_id.clone(), editor.draft());
        self.replies.insert(editor.review_id.clone(), ReplyState::Sending);
        let request = self.request_id();
        self.sending.insert(request, vec![editor.review_id.clone()]);
        self.mode = Mode::Normal;
        self.activity = Some("sending the reply".to_owned());
        vec![Command::Submit {
            request,
            items: vec![item],
        }]
    }

    fn on_submitted(
        &mut self,
        request: u64,
        outcomes: Vec<(String, ReplyState)>,
        error: Option<String>,
    ) -> Vec<Command> {
        if self.sending.remove(&request).is_none() {
            return Vec::new();
        }
        if self.sending.is_empty() && self.loading.is_none() {
            self.activity = None;
        }
        if let Some(e) = error {
            self.last_error = Some(e);
        }
        for (review, state) in outcomes {
            if state == ReplyState::Sent {
                if let Some(d) = self.drafts.remove(&review)
                    && let Some(r) = self.reviews.iter_mut().find(|r| r.id.as_deref() == Some(&review))
                {
                    r.response_text = Some(crate::sanitize::sanitize_text(&d.text));
                    r.response_date = Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
                    r.response_timestamp = Some(chrono::Utc::now().timestamp());
                }
            } else if let ReplyState::Failed(why) | ReplyState::Unconfirmed(why) = &state {
                self.last_error = Some(why.clone());
            }
            self.replies.insert(review, state);
        }
        Vec::new()
    }
}

/// Review text is written by strangers: it is cleaned once, where it enters the UI model.
pub fn sanitize_review(r: &mut Review) {
    use crate::sanitize::{is_forbidden, sanitize_line, sanitize_text};
    let dirty = |s: &str| s.chars().any(|c| is_forbidden(c) || c == '\r' || c == '\t');
    for field in [&mut r.review_title, &mut r.review_text, &mut r.response_text] {
        if let Some(s) = field.as_mut()
            && dirty(s)
        {
            *s = sanitize_text(s);
        }
    }
    for field in [
        &mut r.reviewer_name,
        &mut r.market,
        &mut r.package_version,
        &mut r.device_model,
        &mut r.device_type,
        &mut r.os_version,
        &mut r.date,
        &mut r.application_name,
    ] {
        if let Some(s) = field.as_mut()
            && (dirty(s) || s.contains('\n'))
        {
            *s = sanitize_line(s);
        }
    }
}
