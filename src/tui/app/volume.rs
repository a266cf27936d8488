//! Answering at volume: what the session loaded for it (templates, saved views, the policy
//! check), the marks, the saved view shown, and the undo-send window as the person sees it.
//! The template picker is in `picker`, the bulk composer in `bulk`.

use std::sync::Arc;

use super::bulk::{BulkComposer, plural};
use super::editor::Draft;
use super::marks::Marks;
use super::picker::TemplatePicker;
use super::{App, Command, DbCommand, Mode, OutboxCommand};
use crate::db::{HOLD, OutboxItem, OutboxState};
use crate::policy::{HistoryIndex, Policy, SentReply};
use crate::store::Review;
use crate::templates::Template;
use crate::tui::action::{Eligibility, ReplyState};
use crate::views::View;

/// What a session answers with, loaded once when it starts.
#[derive(Clone, Debug)]
pub struct VolumeSetup {
    pub templates: Vec<Template>,
    /// The shipped examples stand in: the person has no templates of their own yet.
    pub examples: bool,
    pub views: Vec<View>,
    /// Why the templates or views of the config could not be used, for a notice at the start.
    pub problem: Option<String>,
}

impl Default for VolumeSetup {
    /// The built-in views and the shipped example templates.
    fn default() -> Self {
        VolumeSetup {
            templates: example_templates(),
            examples: true,
            views: crate::views::all(&[]).unwrap_or_default(),
            problem: None,
        }
    }
}

impl VolumeSetup {
    /// The config's templates folder and views. A folder or view that does not load is
    /// reported (with file and line) and left out, rather than stopping the UI.
    pub fn from_config(config: &crate::config::Config) -> VolumeSetup {
        let mut problems = Vec::new();
        let loaded = match crate::templates::templates_dir(config) {
            Some(dir) => crate::templates::load_dir(&dir).unwrap_or_else(|e| {
                problems.push(format!("Templates not loaded: {e:#}"));
                Vec::new()
            }),
            None => Vec::new(),
        };
        let views = crate::views::all(&config.views).unwrap_or_else(|e| {
            problems.push(format!("Saved views of config.toml not loaded: {e:#}"));
            crate::views::all(&[]).unwrap_or_default()
        });
        let examples = loaded.is_empty() && problems.is_empty();
        VolumeSetup {
            templates: if examples { example_templates() } else { loaded },
            examples,
            views,
            problem: (!problems.is_empty()).then(|| problems.join("\n")),
        }
    }
}

/// The templates shipped in `assets/templates`, compiled in: a new user has something to pick.
fn example_templates() -> Vec<Template> {
    const FILES: [(&str, &str); 4] = [
        (
            "crash-fixed",
            include_str!("../../../assets/templates/crash-fixed.toml"),
        ),
        (
            "feature-request",
            include_str!("../../../assets/templates/feature-request.toml"),
        ),
        (
            "need-details",
            include_str!("../../../assets/templates/need-details.toml"),
        ),
        ("thanks", include_str!("../../../assets/templates/thanks.toml")),
    ];
    FILES
        .iter()
        .filter_map(|(name, text)| {
            let path = std::path::Path::new("assets/templates").join(format!("{name}.toml"));
            crate::templates::parse_template(name, &path, text).ok()
        })
        .collect()
}

/// The sent replies the canned-reply rule compares with: read on the db thread when a reply is
/// first written, then kept (and grown by the replies the Store takes).
#[derive(Clone, Debug, Default)]
pub enum ReplyHistory {
    #[default]
    NotAsked,
    Loading,
    Loaded(Arc<HistoryIndex>),
    /// Could not be read: canned replies are not looked for (said once).
    Unavailable,
}

/// The answering-at-volume part of the app.
#[derive(Debug)]
pub struct Volume {
    pub templates: Vec<Template>,
    pub examples: bool,
    pub views: Vec<View>,
    pub policy: Policy,
    pub history: ReplyHistory,
    /// Marked reviews: kept across refreshes and merges (ids do not change).
    pub marks: Marks,
    /// The saved view shown, as an index into `views`; `None` shows every review.
    pub view: Option<usize>,
    pub picker: Option<TemplatePicker>,
    pub bulk: Option<BulkComposer>,
    /// The reviews of the last confirmation (one, or a bulk batch): what the undo key takes
    /// back first.
    pub last_group: Vec<String>,
    /// Quitting waits for the replies sent early to leave the outbox.
    pub quit_when_sent: bool,
    /// At 80x24: the review is shown in place of the editor.
    pub show_review: bool,
    /// Wall-clock seconds at the last tick: what the countdown counts from (drawing stays a
    /// pure function of the app).
    pub now: i64,
}

impl Default for Volume {
    fn default() -> Self {
        let setup = VolumeSetup::default();
        Volume {
            templates: setup.templates,
            examples: setup.examples,
            views: setup.views,
            policy: Policy::default(),
            history: ReplyHistory::default(),
            marks: Marks::default(),
            view: None,
            picker: None,
            bulk: None,
            last_group: Vec::new(),
            quit_when_sent: false,
            show_review: false,
            now: crate::outbox_sender::now(),
        }
    }
}

/// Whether an outbox item waits in its undo-send window at `now`: queued, never claimed, not
/// held, not yet due.
pub fn in_window(item: &OutboxItem, now: i64) -> bool {
    item.state == OutboxState::Queued
        && item.attempts == 0
        && !item.manual
        && item.next_attempt_at > now
        && item.next_attempt_at < HOLD
}

impl App {
    /// Loads what the session answers with; the problem, if any, is shown once.
    pub fn set_volume(&mut self, setup: VolumeSetup) {
        self.volume.templates = setup.templates;
        self.volume.examples = setup.examples;
        self.volume.views = setup.views;
        if let Some(p) = setup.problem {
            self.status.notices.error(p);
        }
    }

    /// The reply history for the canned-reply check, asked for once: when the first reply is
    /// being written (not at start, where the db thread reads the review cache first).
    pub(super) fn want_reply_history(&mut self) -> Option<Command> {
        if !matches!(self.volume.history, ReplyHistory::NotAsked) {
            return None;
        }
        self.volume.history = ReplyHistory::Loading;
        Some(Command::Db(DbCommand::LoadReplyHistory))
    }

    pub(super) fn on_reply_history(&mut self, result: Result<Arc<HistoryIndex>, String>) {
        self.volume.history = match result {
            Ok(index) => ReplyHistory::Loaded(index),
            Err(why) => {
                self.status.notices.warn(format!(
                    "The reply history could not be read ({why}): replies are not checked for being canned"
                ));
                ReplyHistory::Unavailable
            }
        };
    }

    /// The history index, once read.
    pub fn reply_history(&self) -> Option<&HistoryIndex> {
        match &self.volume.history {
            ReplyHistory::Loaded(index) => Some(index),
            _ => None,
        }
    }

    /// A reply the Store took joins the history the next replies are compared with.
    pub(super) fn remember_sent(&mut self, review: &str, text: &str) {
        let review_text = self.review_by_id(review).and_then(|r| r.review_text.clone());
        if let ReplyHistory::Loaded(index) = &mut self.volume.history {
            Arc::make_mut(index).push(&SentReply {
                review: review.to_owned(),
                reply: text.to_owned(),
                review_text,
            });
        }
    }

    /// A picker or composer opened: what was said about an earlier key ("Already answered…")
    /// would read as if about what is open now. Errors stay until dismissed, as everywhere.
    pub(super) fn drop_passing_notices(&mut self) {
        while self
            .status
            .notices
            .shown()
            .is_some_and(|n| n.level != super::notices::Level::Error)
        {
            self.status.notices.dismiss();
        }
    }

    /// The replies in their undo-send window, oldest first.
    pub fn waiting_to_go(&self) -> Vec<&OutboxItem> {
        let now = self.volume.now;
        self.outbox.items.iter().filter(|i| in_window(i, now)).collect()
    }

    /// The countdown needs ticks while anything waits out its window.
    pub fn counting_down(&self) -> bool {
        !self.waiting_to_go().is_empty() || self.volume.quit_when_sent
    }

    /// Marks shown in this list (marks of another app's reviews wait for it).
    pub fn marked_here(&self) -> Vec<String> {
        let source = self.app_id();
        if self.volume.marks.count(source) == 0 {
            return Vec::new();
        }
        self.list
            .view
            .iter()
            .filter_map(|&i| self.list.reviews[i].id.as_ref())
            .filter(|id| self.volume.marks.contains(source, id))
            .cloned()
            .collect()
    }

    /// The marks of the source shown (the status line's count).
    pub fn mark_count(&self) -> usize {
        self.volume.marks.count(self.app_id())
    }

    pub fn is_marked(&self, r: &Review) -> bool {
        r.id.as_deref()
            .is_some_and(|id| self.volume.marks.contains(self.app_id(), id))
    }

    pub(super) fn toggle_mark(&mut self) -> Vec<Command> {
        let Some(id) = self.selected_id().map(str::to_owned) else {
            return Vec::new();
        };
        let source = self.app_id().to_owned();
        if !self.volume.marks.remove(&source, &id) {
            self.volume.marks.insert(&source, &id);
        }
        // On to the next review, as in a mail client: marking a run is Space, Space, Space.
        self.select(self.list.selected.saturating_add(1))
    }

    pub(super) fn mark_all_shown(&mut self) -> Vec<Command> {
        let searching = !self.list.search.query.is_empty();
        let source = self.app_id().to_owned();
        let list = &self.list;
        let id_at = |i: usize| list.reviews[i].id.as_deref();
        // The ids are read where they are, not copied out first: this is 100,000 in a frame.
        let added = if searching {
            let shown = list
                .search
                .matches
                .iter()
                .filter_map(|&pos| list.view.get(pos).copied());
            self.volume.marks.insert_all(&source, shown.filter_map(id_at))
        } else {
            self.volume
                .marks
                .insert_all(&source, list.view.iter().filter_map(|&i| id_at(i)))
        };
        let marked = self.volume.marks.count(&source);
        let what = if searching {
            format!(
                "the matches of \"{}\"",
                crate::sanitize::sanitize_line(&self.list.search.query)
            )
        } else {
            "every review shown".to_owned()
        };
        self.status.notices.info(format!(
            "Marked {what}: {added} more, {marked} marked (r answers them, X clears)"
        ));
        Vec::new()
    }

    pub(super) fn clear_marks(&mut self) -> Vec<Command> {
        let source = self.app_id().to_owned();
        let n = self.volume.marks.clear(&source);
        self.status
            .notices
            .info(format!("Cleared {n} {}", plural(n, "mark", "marks")));
        Vec::new()
    }

    /// The next saved view, then none, then the first again.
    pub(super) fn next_view(&mut self) -> Vec<Command> {
        let n = self.volume.views.len();
        self.volume.view = match self.volume.view {
            None if n > 0 => Some(0),
            Some(i) if i + 1 < n => Some(i + 1),
            _ => None,
        };
        let cmds = self.rebuild_view();
        let shown = self.list.view.len();
        match self.view_name() {
            Some(name) => self.status.notices.info(format!(
                "View \"{}\": {shown} {} (v: next view)",
                crate::sanitize::sanitize_line(name),
                plural(shown, "review", "reviews")
            )),
            None => self
                .status
                .notices
                .info(format!("Every review: {shown} (v: first view)")),
        }
        cmds
    }

    pub fn view_name(&self) -> Option<&str> {
        self.volume
            .view
            .and_then(|i| self.volume.views.get(i))
            .map(|v| v.name.as_str())
    }

    /// Narrows the freshly built view to the saved view shown (called by `rebuild_view`).
    pub(super) fn apply_saved_view(&mut self) {
        if let Some(view) = self.volume.view.and_then(|i| self.volume.views.get(i)) {
            let reviews = &self.list.reviews;
            self.list.view.retain(|&i| view.matches(&reviews[i]));
        }
    }

    /// Whether the review at `i` of the list passes the saved view shown (any, without one).
    pub(super) fn in_saved_view(&self, i: usize) -> bool {
        self.volume
            .view
            .and_then(|v| self.volume.views.get(v))
            .is_none_or(|v| v.matches(&self.list.reviews[i]))
    }

    /// Why the review cannot be answered now, in a few words; `None` when it can (or may: an
    /// unanswered check queues the reply anyway, as a single reply does).
    pub fn cannot_answer(&self, id: &str) -> Option<&'static str> {
        let Some(r) = self.list.ids.get(id, &self.list.reviews).map(|i| &self.list.reviews[i]) else {
            return Some("not in this list");
        };
        if self.list.vanished.contains(id) {
            return Some("removed by Microsoft");
        }
        if r.is_answered() && !r.revised_after_response() {
            return Some("already answered");
        }
        if self.outbox.is_live(id)
            || matches!(
                self.replies.state.get(id),
                Some(ReplyState::Queued(_) | ReplyState::Sending | ReplyState::Unconfirmed(_))
            )
        {
            return Some("already in the outbox");
        }
        if matches!(self.replies.eligibility.get(id), Some(Eligibility::OptedOut)) {
            return Some("opted out");
        }
        None
    }

    /// The support email a reply to this review goes out with: the listing's, else the
    /// profile's.
    pub fn support_email_for(&self, id: &str) -> Option<String> {
        match self.replies.eligibility.get(id) {
            Some(Eligibility::CanRespond {
                support_email: Some(email),
            }) => Some(email.clone()),
            _ => self.settings.default_support_email.clone(),
        }
    }

    /// `z`: takes back the last confirmed replies still in their window (else the newest one
    /// waiting).
    pub(super) fn take_back_last(&mut self) -> Vec<Command> {
        let waiting = self.waiting_to_go();
        let mut ids: Vec<i64> = waiting
            .iter()
            .filter(|i| self.volume.last_group.contains(&i.review))
            .map(|i| i.id)
            .collect();
        if ids.is_empty() {
            ids.extend(waiting.last().map(|i| i.id));
        }
        if ids.is_empty() {
            self.status
                .notices
                .warn("Nothing to take back: every confirmed reply has left the undo window (o shows the outbox)");
            return Vec::new();
        }
        vec![Command::Outbox(OutboxCommand::TakeBack { ids })]
    }

    /// The outbox gave replies back: one goes back to its editor, several to the composer.
    pub(super) fn on_taken_back(&mut self, items: Vec<OutboxItem>, too_late: usize) -> Vec<Command> {
        if too_late > 0 {
            self.status.notices.warn(format!(
                "{too_late} {} already on {} way and could not be taken back",
                plural(too_late, "reply was", "replies were"),
                plural(too_late, "its", "their")
            ));
        }
        let mut out = Vec::new();
        for item in &items {
            self.replies.state.remove(&item.review);
            self.outbox.items.retain(|i| i.id != item.id);
            let draft = Draft {
                text: item.text.clone(),
                public: item.public,
                email: item.support_email.clone(),
            };
            out.extend(self.restore_draft(&item.app, &item.review, draft));
        }
        self.volume.last_group.retain(|r| !items.iter().any(|i| &i.review == r));
        match items.as_slice() {
            [] => {}
            [one] => {
                self.editor = Some(super::editor::Editor::open(
                    &one.app,
                    &one.review,
                    Draft {
                        text: one.text.clone(),
                        public: one.public,
                        email: one.support_email.clone(),
                    },
                ));
                self.outbox.editing = None;
                self.screen.mode = Mode::Editor;
                self.status
                    .notices
                    .info("Taken back: nothing was sent; the reply is in the editor");
            }
            many => {
                for i in many {
                    self.volume.marks.insert(&i.app, &i.review);
                }
                self.volume.bulk = Some(BulkComposer::taken_back(self.app_id(), many));
                self.screen.mode = Mode::Bulk;
                self.status.notices.info(format!(
                    "Taken back: none of the {} replies was sent; they are in the composer",
                    many.len()
                ));
            }
        }
        out
    }

    /// Quitting in the undo window, `s`: the waiting replies go now, and the UI ends once the
    /// outbox has none left to send.
    pub(super) fn send_now_then_quit(&mut self) -> Vec<Command> {
        let ids: Vec<i64> = self.waiting_to_go().iter().map(|i| i.id).collect();
        self.volume.quit_when_sent = true;
        self.screen.mode = Mode::Normal;
        self.status
            .notices
            .info("Sending the waiting replies; reviewdesk ends when they are out (q quits now)");
        vec![Command::Outbox(OutboxCommand::SendNow { ids })]
    }

    /// After an outbox snapshot: the quit asked for once everything is out.
    pub(super) fn quit_if_sent(&mut self) -> Vec<Command> {
        if self.volume.quit_when_sent && self.outbox.to_send() == 0 {
            self.screen.should_quit = true;
            return vec![Command::Quit];
        }
        Vec::new()
    }
}
