//! The bulk composer: one reply (a template or free text with placeholders) rendered for every
//! marked review, stepped through one by one so any can be personalised or skipped; which
//! reviews cannot be answered and why; one confirmation; then every reply goes into the outbox
//! like a single one (one item per review).

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::editor::{Draft, fill_area, text_area, undo_fill};
use super::notices::Topic;
use super::{App, Command, Mode, OutboxCommand};
use crate::db::OutboxItem;
use crate::keymap::KeyAction;
use crate::policy::{Finding, Severity};
use crate::templates::{Body, Values};
use crate::tui::action::{Eligibility, ReplyState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkStage {
    /// Writing the shared text (or choosing a template), with a preview for one review.
    Body,
    /// Stepping through the reviews and their rendered replies.
    Step,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkEntry {
    pub review: String,
    /// A personalised reply; `None` = the shared text rendered for this review.
    pub own: Option<String>,
    pub skipped: bool,
}

#[derive(Debug)]
pub struct BulkComposer {
    pub app_id: String,
    pub entries: Vec<BulkEntry>,
    pub stage: BulkStage,
    pub body: TextArea<'static>,
    /// The template chosen, while the shared text is still its body (its language variants
    /// then apply per review).
    pub template: Option<usize>,
    /// The entry shown.
    pub current: usize,
    /// The shown entry's reply, while stepping.
    pub reply: TextArea<'static>,
    pub problem: Option<String>,
    /// The summary the confirmation shows, while it is shown.
    pub confirming: Option<BulkSummary>,
    /// A template just replaced typed text (see `editor::fill_area`): one Ctrl-u brings it back.
    filled_over: Option<String>,
}

/// Where one marked review stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    Checking,
    Cannot(&'static str),
    Skipped,
    /// The reply cannot go as it is: the first blocking finding, or why it did not render.
    Blocked(String),
    Ready {
        warnings: usize,
    },
}

/// What confirming would do.
#[derive(Clone, Debug, Default)]
pub struct BulkSummary {
    /// (review, text, support email) of every reply that goes.
    pub send: Vec<(String, String, String)>,
    /// Reasons and how many reviews each.
    pub cannot: Vec<(&'static str, usize)>,
    pub skipped: usize,
    pub checking: usize,
    /// Entries whose reply blocks.
    pub blocked: Vec<usize>,
    /// Rule name, how many replies, the words that triggered it (a few).
    pub warnings: Vec<(&'static str, usize, Vec<String>)>,
}

impl BulkSummary {
    /// "Send 18 public replies? 2 cannot be answered: 1 opted out, 1 already answered."
    pub fn sentence(&self) -> String {
        let n = self.send.len();
        let mut s = format!("Send {n} public {}?", plural(n, "reply", "replies"));
        let cannot: usize = self.cannot.iter().map(|(_, c)| c).sum();
        if cannot > 0 {
            let why: Vec<String> = self.cannot.iter().map(|(r, c)| format!("{c} {r}")).collect();
            s.push_str(&format!(" {cannot} cannot be answered: {}.", why.join(", ")));
        }
        if self.skipped > 0 {
            s.push_str(&format!(" {} skipped by you.", self.skipped));
        }
        s
    }
}

pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

const BODY_HINT: &str = "One reply for all; {reviewer|there}, {app}, {version}… fill in per review (Ctrl-t: template)";

impl BulkComposer {
    fn new(app_id: &str, reviews: Vec<String>) -> BulkComposer {
        BulkComposer {
            app_id: app_id.to_owned(),
            entries: reviews
                .into_iter()
                .map(|review| BulkEntry {
                    review,
                    own: None,
                    skipped: false,
                })
                .collect(),
            stage: BulkStage::Body,
            body: text_area("", BODY_HINT),
            template: None,
            current: 0,
            reply: text_area("", ""),
            problem: None,
            confirming: None,
            filled_over: None,
        }
    }

    /// Replies taken back from the outbox: each keeps its text, the composer shows the first.
    pub fn taken_back(app_id: &str, items: &[OutboxItem]) -> BulkComposer {
        let mut c = BulkComposer::new(app_id, items.iter().map(|i| i.review.clone()).collect());
        for (e, i) in c.entries.iter_mut().zip(items) {
            e.own = Some(i.text.clone());
        }
        c.stage = BulkStage::Step;
        c.reply = text_area(&items[0].text, "");
        c
    }

    pub fn body_text(&self) -> String {
        self.body.lines().join("\n")
    }

    pub fn reply_text(&self) -> String {
        self.reply.lines().join("\n")
    }

    pub fn current_entry(&self) -> Option<&BulkEntry> {
        self.entries.get(self.current)
    }
}

impl App {
    /// `r` with marks: the composer for the marked reviews shown (resumed if it was left).
    pub(super) fn open_bulk(&mut self) -> Vec<Command> {
        let marked = self.marked_here();
        let app = self.app_id().to_owned();
        let composer = match self.volume.bulk.take() {
            Some(mut c) if c.app_id == app => {
                // The same composer, for the marks as they are now; personal texts are kept.
                let old = std::mem::take(&mut c.entries);
                c.entries = marked
                    .iter()
                    .map(|r| {
                        old.iter().find(|e| &e.review == r).cloned().unwrap_or(BulkEntry {
                            review: r.clone(),
                            own: None,
                            skipped: false,
                        })
                    })
                    .collect();
                c.current = c.current.min(c.entries.len().saturating_sub(1));
                c
            }
            _ => BulkComposer::new(&app, marked.clone()),
        };
        self.volume.bulk = Some(composer);
        self.load_current_reply();
        self.screen.mode = Mode::Bulk;
        self.drop_passing_notices();
        let mut cmds = self.check_marked(&marked);
        cmds.extend(self.want_reply_history());
        cmds
    }

    /// Eligibility for every marked review not known yet: it decides what the confirmation says.
    fn check_marked(&mut self, reviews: &[String]) -> Vec<Command> {
        let app = self.app_id().to_owned();
        let mut out = Vec::new();
        for review in reviews {
            let known = matches!(
                self.replies.eligibility.get(review),
                Some(Eligibility::CanRespond { .. } | Eligibility::OptedOut)
            );
            if known || self.replies.pending_info.contains_key(review) || self.cannot_answer(review).is_some() {
                continue;
            }
            out.push(self.ask_eligibility(&app, review.clone()));
        }
        out
    }

    /// The shared text rendered for one review; `Err` says why it cannot be.
    pub fn bulk_rendered(&self, review: &str) -> Result<String, String> {
        let Some(c) = self.volume.bulk.as_ref() else {
            return Err("no composer".to_owned());
        };
        let r = self.review_by_id(review).ok_or("the review is not in this list")?;
        let email = self.support_email_for(review);
        let source = c.body_text();
        if let Some(t) = c.template.and_then(|i| self.volume.templates.get(i))
            && t.body.source == source
        {
            return Ok(t.render_for(r, email.as_deref()).text.trim_end().to_owned());
        }
        if source.trim().is_empty() {
            return Err("write the reply first (or Ctrl-t for a template)".to_owned());
        }
        let body = Body::parse(&source).map_err(|e| e.to_string())?;
        Ok(body
            .render(&Values::for_review(r, email.as_deref()))
            .text
            .trim_end()
            .to_owned())
    }

    /// The reply an entry would send: its own, else the shared text rendered.
    pub fn bulk_reply(&self, entry: &BulkEntry) -> Result<String, String> {
        match &entry.own {
            Some(t) => Ok(t.clone()),
            None => self.bulk_rendered(&entry.review),
        }
    }

    pub fn entry_status(&self, entry: &BulkEntry) -> (EntryStatus, Vec<Finding>) {
        if let Some(why) = self.cannot_answer(&entry.review) {
            return (EntryStatus::Cannot(why), Vec::new());
        }
        if entry.skipped {
            return (EntryStatus::Skipped, Vec::new());
        }
        if matches!(self.replies.eligibility.get(&entry.review), Some(Eligibility::Checking)) {
            return (EntryStatus::Checking, Vec::new());
        }
        let text = match self.bulk_reply(entry) {
            Ok(t) => t,
            Err(why) => return (EntryStatus::Blocked(why), Vec::new()),
        };
        if self.support_email_for(&entry.review).is_none() {
            return (
                EntryStatus::Blocked("no support email: add one to the profile (p)".to_owned()),
                Vec::new(),
            );
        }
        let findings = self.check_reply(&text, &entry.review);
        if let Some(f) = findings.iter().find(|f| f.severity == Severity::Block) {
            return (EntryStatus::Blocked(f.to_string()), findings);
        }
        let warnings = findings.len();
        (EntryStatus::Ready { warnings }, findings)
    }

    pub fn bulk_summary(&self) -> BulkSummary {
        let mut s = BulkSummary::default();
        let Some(c) = self.volume.bulk.as_ref() else { return s };
        for (n, e) in c.entries.iter().enumerate() {
            let (status, findings) = self.entry_status(e);
            match status {
                EntryStatus::Checking => s.checking += 1,
                EntryStatus::Cannot(why) => match s.cannot.iter_mut().find(|(r, _)| *r == why) {
                    Some((_, count)) => *count += 1,
                    None => s.cannot.push((why, 1)),
                },
                EntryStatus::Skipped => s.skipped += 1,
                EntryStatus::Blocked(_) => s.blocked.push(n),
                EntryStatus::Ready { .. } => {
                    // Counted per reply: one reply with two links is one reply that promotes.
                    let mut seen = Vec::new();
                    for f in &findings {
                        if seen.contains(&f.rule) {
                            if let Some((_, _, words)) = s.warnings.iter_mut().find(|(r, _, _)| *r == f.rule.name()) {
                                for w in &f.words {
                                    if words.len() < 3 && !words.contains(w) {
                                        words.push(w.clone());
                                    }
                                }
                            }
                            continue;
                        }
                        seen.push(f.rule);
                        match s.warnings.iter_mut().find(|(r, _, _)| *r == f.rule.name()) {
                            Some((_, count, words)) => {
                                *count += 1;
                                for w in &f.words {
                                    if words.len() < 3 && !words.contains(w) {
                                        words.push(w.clone());
                                    }
                                }
                            }
                            None => s
                                .warnings
                                .push((f.rule.name(), 1, f.words.iter().take(3).cloned().collect())),
                        }
                    }
                    let text = self.bulk_reply(e).unwrap_or_default();
                    let email = self.support_email_for(&e.review).unwrap_or_default();
                    s.send.push((e.review.clone(), text, email));
                }
            }
        }
        s
    }

    /// Puts the shown entry's reply into the text area (stepping), from its own text or the
    /// rendered one.
    fn load_current_reply(&mut self) {
        let Some(c) = self.volume.bulk.as_ref() else { return };
        if c.stage != BulkStage::Step {
            return;
        }
        let text = c.current_entry().map(|e| self.bulk_reply(e).unwrap_or_default());
        if let (Some(c), Some(text)) = (self.volume.bulk.as_mut(), text) {
            c.reply = text_area(&text, "");
        }
    }

    /// Keeps what was typed in the shown entry's reply: a change makes it personal.
    fn store_current_reply(&mut self) {
        let Some(c) = self.volume.bulk.as_ref() else { return };
        if c.stage != BulkStage::Step {
            return;
        }
        let Some(entry) = c.current_entry() else { return };
        let typed = c.reply_text();
        let rendered = self.bulk_rendered(&entry.review).ok();
        let own = (rendered.as_deref() != Some(typed.as_str())).then_some(typed);
        if let Some(e) = self.volume.bulk.as_mut().and_then(|c| c.entries.get_mut(c.current)) {
            e.own = own;
        }
    }

    fn move_entry(&mut self, forward: bool) {
        self.store_current_reply();
        if let Some(c) = self.volume.bulk.as_mut() {
            c.current = if forward {
                (c.current + 1).min(c.entries.len().saturating_sub(1))
            } else {
                c.current.saturating_sub(1)
            };
        }
        self.load_current_reply();
    }

    pub(super) fn bulk_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(c) = self.volume.bulk.as_mut() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        c.problem = None;
        c.filled_over = None;
        let stage = c.stage;
        match b {
            KeyAction::NextReply => self.move_entry(true),
            KeyAction::PrevReply => self.move_entry(false),
            KeyAction::Skip => {
                if let Some(e) = c.entries.get_mut(c.current) {
                    e.skipped = !e.skipped;
                }
            }
            KeyAction::Templates => {
                let review = c.current_entry().map(|e| e.review.clone()).unwrap_or_default();
                return self.open_picker(review, super::picker::PickerTarget::Bulk);
            }
            KeyAction::Back if stage == BulkStage::Step => {
                self.store_current_reply();
                if let Some(c) = self.volume.bulk.as_mut() {
                    c.stage = BulkStage::Body;
                }
            }
            // Kept (text and personal replies) until the marks are answered: `r` comes back.
            KeyAction::Back => self.screen.mode = Mode::Normal,
            KeyAction::Send if stage == BulkStage::Body => {
                let source = c.body_text();
                let from_template = c
                    .template
                    .and_then(|i| self.volume.templates.get(i))
                    .is_some_and(|t| t.body.source == source);
                let problem = if source.trim().is_empty() {
                    Some("Write the reply first, or Ctrl-t for a template".to_owned())
                } else if from_template {
                    None
                } else {
                    Body::parse(&source)
                        .err()
                        .map(|e| format!("The reply does not render: {e}"))
                };
                match problem {
                    Some(p) => self.bulk_problem(p),
                    None => {
                        c.stage = BulkStage::Step;
                        self.load_current_reply();
                    }
                }
            }
            KeyAction::Send => {
                self.store_current_reply();
                let s = self.bulk_summary();
                if s.checking > 0 {
                    self.bulk_problem(format!(
                        "{} {} still being checked with the Store: a moment, then Ctrl-s again",
                        s.checking,
                        plural(s.checking, "review is", "reviews are")
                    ));
                } else if let Some(&first) = s.blocked.first() {
                    if let Some(c) = self.volume.bulk.as_mut() {
                        c.current = first;
                        c.stage = BulkStage::Step;
                    }
                    self.load_current_reply();
                    self.bulk_problem(format!(
                        "{} {} cannot go as {} written (shown here): fix or skip (Ctrl-x)",
                        s.blocked.len(),
                        plural(s.blocked.len(), "reply", "replies"),
                        plural(s.blocked.len(), "it is", "they are")
                    ));
                } else if s.send.is_empty() {
                    self.bulk_problem(
                        "Nothing to send: every marked review is skipped or cannot be answered".to_owned(),
                    );
                } else {
                    // What the question says is what `y` sends: kept, not worked out again
                    // per frame (a policy check per reply) nor changed by a late answer.
                    if let Some(c) = self.volume.bulk.as_mut() {
                        c.confirming = Some(s);
                    }
                    self.screen.mode = Mode::BulkConfirm;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn bulk_problem(&mut self, why: String) {
        if let Some(c) = self.volume.bulk.as_mut() {
            c.problem = Some(why);
        }
    }

    pub(super) fn bulk_input(&mut self, ev: KeyEvent) {
        if let Some(c) = self.volume.bulk.as_mut() {
            c.problem = None;
            let area = match c.stage {
                BulkStage::Body => &mut c.body,
                BulkStage::Step => &mut c.reply,
            };
            if !undo_fill(area, &mut c.filled_over, &ev) {
                area.input(ev);
            }
        }
    }

    pub(super) fn bulk_paste(&mut self, text: &str) {
        let clean = crate::sanitize::sanitize_text(text);
        if let Some(c) = self.volume.bulk.as_mut() {
            match c.stage {
                BulkStage::Body => c.body.insert_str(&clean),
                BulkStage::Step => c.reply.insert_str(&clean),
            };
        }
    }

    /// A template chosen in the picker: the shared text (Body), or the shown review's reply.
    pub(super) fn bulk_use_template(&mut self, index: usize) {
        let Some(t) = self.volume.templates.get(index).cloned() else {
            return;
        };
        let review = self
            .volume
            .bulk
            .as_ref()
            .and_then(|c| c.current_entry())
            .map(|e| e.review.clone());
        let rendered = review.as_deref().and_then(|id| {
            let r = self.review_by_id(id)?;
            Some(t.render_for(r, self.support_email_for(id).as_deref()).text)
        });
        let Some(c) = self.volume.bulk.as_mut() else { return };
        match c.stage {
            // Undoable with one Ctrl-u, as in the editor.
            BulkStage::Body => {
                c.filled_over = fill_area(&mut c.body, &t.body.source);
                c.template = Some(index);
            }
            BulkStage::Step => {
                if let Some(text) = rendered.map(|t| t.trim_end().to_owned()) {
                    c.filled_over = fill_area(&mut c.reply, &text);
                }
            }
        }
    }

    /// Whether choosing a template would replace text the person typed.
    pub(super) fn bulk_has_typed_text(&self) -> bool {
        self.volume.bulk.as_ref().is_some_and(|c| match c.stage {
            BulkStage::Body => {
                let body = c.body_text();
                !body.trim().is_empty()
                    && c.template
                        .and_then(|i| self.volume.templates.get(i))
                        .is_none_or(|t| t.body.source != body)
            }
            BulkStage::Step => c
                .current_entry()
                .is_some_and(|e| self.bulk_rendered(&e.review).ok() != Some(c.reply_text())),
        })
    }

    /// `y` on the confirmation: one outbox item per reply, each also kept as its review's
    /// draft until the Store has it.
    pub(super) fn confirm_bulk(&mut self) -> Vec<Command> {
        let Some(summary) = self.volume.bulk.as_mut().and_then(|c| c.confirming.take()) else {
            self.screen.mode = Mode::Bulk;
            return Vec::new();
        };
        let app = self.app_id().to_owned();
        let mut out = Vec::new();
        self.status.notices.clear(Topic::Reply);
        for (review, text, email) in &summary.send {
            let draft = Draft {
                text: text.clone(),
                public: true,
                email: email.clone(),
            };
            out.extend(self.restore_draft(&app, review, draft));
            self.replies.state.insert(review.clone(), ReplyState::Queued(None));
            self.outbox.enqueueing.insert(review.clone());
            self.volume.marks.remove(&app, review);
            out.push(Command::Outbox(OutboxCommand::Enqueue {
                app: app.clone(),
                review: review.clone(),
                text: text.clone(),
                support_email: email.clone(),
                public: true,
            }));
        }
        self.volume.last_group = summary.send.iter().map(|(r, _, _)| r.clone()).collect();
        self.volume.bulk = None;
        self.screen.mode = Mode::Normal;
        let n = summary.send.len();
        self.status.notices.info(format!(
            "{n} {} queued: {} wait{} out the undo window (z takes {} back)",
            plural(n, "reply", "replies"),
            plural(n, "it", "they"),
            plural(n, "s", ""),
            plural(n, "it", "them")
        ));
        out
    }
}
