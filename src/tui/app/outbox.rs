//! The outbox as the person sees it: the replies confirmed but not yet known to be sent (and
//! those sent this run), what happened to each, and what can be done about it — retry, edit,
//! discard, copy, or "answered in Partner Center" when Microsoft's reviews API is down. Also the
//! history of replies, on the view's second tab.

use super::OutboxCommand;
use std::collections::HashSet;

use super::editor::{Draft, Editor};
use super::notices::{Activity, Topic};
use super::{App, Command, Mode};
use crate::db::{HistoryEntry, OutboxItem, OutboxState};
use crate::keymap::KeyAction;
use crate::outbox_sender::{Delivery, Outcome};
pub use crate::outbox_sender::{describe, short_id};
use crate::tui::action::ReplyState;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutboxTab {
    #[default]
    Queue,
    History,
}

#[derive(Debug, Default)]
pub struct OutboxView {
    pub items: Vec<OutboxItem>,
    pub selected: usize,
    pub tab: OutboxTab,
    pub history: Option<Result<Vec<HistoryEntry>, String>>,
    pub history_selected: usize,
    /// Asking "discard this reply?" about this item (by id: the list may change meanwhile).
    pub confirm_discard: Option<i64>,
    /// The editor is open on this item's text (an edit, not a new reply).
    pub editing: Option<i64>,
    /// The edit put the item on hold, so closing the editor releases it (an item already held,
    /// say while answered in Partner Center, stays held).
    pub editing_hold: bool,
    /// Reviews whose confirmed reply is on its way to the outbox (not yet written).
    pub enqueueing: HashSet<String>,
    /// The reviews API is in its documented outage: the message, with the way out.
    pub api_down: Option<String>,
    /// One line about the last thing done here ("Copied …").
    pub notice: Option<String>,
    /// The last "sent" line of the notice and how many replies it counts.
    pub sent_line: Option<(usize, String)>,
    /// When the service was last told it answered (Unix seconds): once in a while is enough.
    nudged_at: i64,
}

impl OutboxView {
    /// Replies still to go out: queued, sending, unclear, or on their way to the outbox.
    pub fn pending(&self) -> usize {
        self.items.iter().filter(|i| i.state.is_live()).count() + self.enqueueing.len()
    }

    /// When the next queued reply is tried, if it waits out a backoff.
    pub fn next_try(&self, now: i64) -> Option<i64> {
        self.items
            .iter()
            // One in its undo-send window has its own countdown.
            .filter(|i| i.state == OutboxState::Queued && i.next_attempt_at > now && !i.held())
            .filter(|i| !super::volume::in_window(i, now))
            .map(|i| i.next_attempt_at)
            .min()
    }

    /// Whether the review's reply is on its way: queued, sending, unclear, or being written to
    /// the outbox.
    pub fn is_live(&self, review: &str) -> bool {
        self.enqueueing.contains(review) || self.items.iter().any(|i| i.review == review && i.state.is_live())
    }

    /// Replies that still go out from here: pending ones, less those answered in Partner
    /// Center (only waiting for a refresh to confirm them). Quitting asks about these.
    pub fn to_send(&self) -> usize {
        self.items.iter().filter(|i| i.state.is_live() && !i.manual).count() + self.enqueueing.len()
    }

    pub fn selected_item(&self) -> Option<&OutboxItem> {
        self.items.get(self.selected)
    }
}

/// How an outbox item shows on its review.
pub fn reply_state(item: &OutboxItem) -> ReplyState {
    match item.state {
        OutboxState::Queued => ReplyState::Queued(item.reason.clone()),
        OutboxState::Sending => ReplyState::Sending,
        OutboxState::Sent => ReplyState::Sent,
        OutboxState::Failed => ReplyState::Failed(item.reason.clone().unwrap_or_default()),
        OutboxState::Unconfirmed => ReplyState::Unconfirmed(item.reason.clone().unwrap_or_default()),
    }
}

impl App {
    pub(super) fn open_outbox(&mut self) -> Vec<Command> {
        self.screen.mode = Mode::Outbox;
        self.outbox.confirm_discard = None;
        self.outbox.notice = None;
        if self.outbox.tab == OutboxTab::History {
            return vec![Command::Outbox(OutboxCommand::LoadHistory)];
        }
        Vec::new()
    }

    /// A confirmed reply: into the outbox (or, when editing a queued one, over it).
    pub(super) fn queue_reply(&mut self, editor: Editor) -> Vec<Command> {
        if let Some(id) = self.outbox.editing.take() {
            self.screen.mode = Mode::Outbox;
            self.outbox.notice = Some("Reply changed; it goes out with the next attempt".to_owned());
            return vec![Command::Outbox(OutboxCommand::OutboxEdit {
                id,
                text: editor.body(),
                support_email: editor.email_value(),
                public: editor.public,
            })];
        }
        self.screen.mode = Mode::Normal;
        // Whatever went wrong while writing it (an editor that would not start, a check that
        // failed) is behind the person now.
        self.status.notices.clear(Topic::Reply);
        self.replies
            .state
            .insert(editor.review_id.clone(), ReplyState::Queued(None));
        self.outbox.enqueueing.insert(editor.review_id.clone());
        // What `z` takes back while it waits out the undo window.
        self.volume.last_group = vec![editor.review_id.clone()];
        self.volume.show_review = false;
        self.status.activity = Some(Activity::WritingReply);
        vec![Command::Outbox(OutboxCommand::Enqueue {
            app: editor.app_id.clone(),
            review: editor.review_id.clone(),
            text: editor.body(),
            support_email: editor.email_value(),
            public: editor.public,
        })]
    }

    pub(super) fn on_enqueued(&mut self, review: String, result: Result<i64, String>) -> Vec<Command> {
        self.outbox.enqueueing.remove(&review);
        if self.status.activity == Some(Activity::WritingReply) {
            self.status.activity = None;
        }
        if let Err(why) = result {
            self.replies.state.remove(&review);
            self.status.notices.error_about(
                Topic::Reply,
                format!("The reply was not queued: {why}. It is kept as a draft: r to try again"),
            );
        }
        Vec::new()
    }

    /// Every reply state comes from the outbox when there is one.
    pub(super) fn on_outbox_snapshot(&mut self, items: Vec<OutboxItem>) {
        // The countdown of a reply just queued starts from now, not from the last tick.
        self.volume.now = crate::outbox_sender::now();
        self.replies.state.clear();
        for item in &items {
            self.replies.state.insert(item.review.clone(), reply_state(item));
        }
        for review in &self.outbox.enqueueing {
            self.replies.state.insert(review.clone(), ReplyState::Queued(None));
        }
        // The selection (and a pending question) follow their item, not its position.
        let selected = self.outbox.selected_item().map(|i| i.id);
        self.outbox.items = items;
        self.outbox.selected = selected
            .and_then(|id| self.outbox.items.iter().position(|i| i.id == id))
            .unwrap_or(self.outbox.selected)
            .min(self.outbox.items.len().saturating_sub(1));
        if let Some(id) = self.outbox.confirm_discard
            && !self.outbox.items.iter().any(|i| i.id == id)
        {
            self.outbox.confirm_discard = None;
        }
    }

    pub(super) fn on_outbox_outcome(&mut self, o: Outcome) -> Vec<Command> {
        let Outcome { item, what } = o;
        let short = short_id(&item.review);
        let mut out = Vec::new();
        match what {
            Delivery::Sent | Delivery::VerifiedSent => {
                out.extend(self.mark_answered(&item.app, &item.review, &item.text));
                self.outbox.api_down = None;
                self.status.activity = None;
                let text = format!(
                    "Reply to review {short} sent{}",
                    if what == Delivery::VerifiedSent {
                        " (found on the review after an unclear answer; not sent again)"
                    } else {
                        ""
                    }
                );
                self.sent_notice(text);
            }
            Delivery::VerifiedNotApplied => {
                self.status.activity = Some(Activity::Resending {
                    review: short.to_owned(),
                })
            }
            Delivery::Failed(why) => {
                self.status.activity = None;
                self.status.notices.error_about(
                    Topic::Reply,
                    format!("Reply to review {short} failed: {why} (o: outbox)"),
                );
            }
            // The status bar shows the outbox and its next try; the reason is on the review.
            Delivery::Retrying { .. } => self.status.activity = None,
            Delivery::ApiDown { message, .. } => {
                self.status.activity = None;
                self.outbox.api_down = Some(message);
                // Degraded mode: show the outbox with this item, unless the person is busy.
                if self.screen.mode == Mode::Normal {
                    self.outbox.tab = OutboxTab::Queue;
                    self.screen.mode = Mode::Outbox;
                    if let Some(pos) = self.outbox.items.iter().position(|i| i.id == item.id) {
                        self.outbox.selected = pos;
                    }
                }
            }
            Delivery::Unconfirmed(_) => {
                self.status.activity = Some(Activity::CheckingReply {
                    review: short.to_owned(),
                })
            }
            Delivery::StillUnknown(why) => {
                self.status.activity = Some(Activity::ReplyUnknown {
                    review: short.to_owned(),
                    why,
                })
            }
        }
        out
    }

    /// A bulk batch sends many at once: one line counts them instead of one line each.
    fn sent_notice(&mut self, text: String) {
        let shown = self.status.notice.as_deref().unwrap_or("");
        match self.outbox.sent_line.take() {
            Some((n, line)) if self.screen.mode != Mode::Outbox && shown.ends_with(&line) => {
                let counted = format!("{} replies sent", n + 1);
                let earlier = shown[..shown.len() - line.len()].to_owned();
                self.status.notice = Some(format!("{earlier}{counted}"));
                self.status.activity = None;
                self.outbox.sent_line = Some((n + 1, counted));
            }
            _ => {
                self.notice_or_activity(text.clone());
                self.outbox.sent_line = Some((1, text));
            }
        }
    }

    fn notice_or_activity(&mut self, text: String) {
        if self.screen.mode == Mode::Outbox {
            self.outbox.notice = Some(text);
        } else {
            self.status.activity = None;
            self.add_notice(text);
        }
    }

    /// Shown until a key is pressed; one not yet seen (a replaced database, say) is kept above.
    pub(super) fn add_notice(&mut self, text: String) {
        self.status.notice = Some(match self.status.notice.take() {
            Some(earlier) => format!("{earlier}\n{text}"),
            None => text,
        });
    }

    /// The Store answered: replies waiting out a backoff may go now (at most every 10 s).
    pub(super) fn service_answered(&mut self) -> Vec<Command> {
        let now = chrono::Utc::now().timestamp();
        // Unconfirmed ones too: a refresh may be what shows a response given in Partner Center.
        let waiting = self.outbox.items.iter().any(|i| {
            (i.state == OutboxState::Queued && i.next_attempt_at > now) || i.state == OutboxState::Unconfirmed
        });
        if !waiting || now - self.outbox.nudged_at < 10 {
            return Vec::new();
        }
        self.outbox.nudged_at = now;
        vec![Command::Outbox(OutboxCommand::ServiceAnswered)]
    }

    pub(super) fn outbox_key(&mut self, b: KeyAction) -> Vec<Command> {
        if let Some(id) = self.outbox.confirm_discard.take() {
            return match b {
                KeyAction::Confirm => vec![Command::Outbox(OutboxCommand::OutboxDiscard { id })],
                _ => Vec::new(),
            };
        }
        self.outbox.notice = None;
        if self.outbox.tab == OutboxTab::History {
            let len = self
                .outbox
                .history
                .as_ref()
                .and_then(|h| h.as_ref().ok())
                .map_or(0, Vec::len);
            match b {
                KeyAction::MoveDown => {
                    self.outbox.history_selected = (self.outbox.history_selected + 1).min(len.saturating_sub(1))
                }
                KeyAction::MoveUp => self.outbox.history_selected = self.outbox.history_selected.saturating_sub(1),
                KeyAction::SwitchPane => self.outbox.tab = OutboxTab::Queue,
                KeyAction::Back | KeyAction::Outbox => self.screen.mode = Mode::Normal,
                _ => {}
            }
            return Vec::new();
        }
        let len = self.outbox.items.len();
        let Some(item) = self.outbox.selected_item().cloned() else {
            match b {
                KeyAction::SwitchPane => return self.show_history(),
                KeyAction::Back | KeyAction::Outbox => self.screen.mode = Mode::Normal,
                _ => {}
            }
            return Vec::new();
        };
        use OutboxState::{Failed, Queued, Sending, Sent, Unconfirmed};
        match b {
            KeyAction::MoveDown => self.outbox.selected = (self.outbox.selected + 1).min(len.saturating_sub(1)),
            KeyAction::MoveUp => self.outbox.selected = self.outbox.selected.saturating_sub(1),
            KeyAction::SwitchPane => return self.show_history(),
            KeyAction::Back | KeyAction::Outbox => self.screen.mode = Mode::Normal,
            KeyAction::Retry => match item.state {
                Failed | Queued | Unconfirmed if !item.manual => {
                    self.outbox.notice = Some(match item.state {
                        Unconfirmed => "Reading the review back to see whether the reply arrived".to_owned(),
                        _ => "Sending it now".to_owned(),
                    });
                    return vec![Command::Outbox(OutboxCommand::OutboxRetry { id: item.id })];
                }
                _ => self.outbox.notice = Some(format!("This reply ({}) is not retried", describe(&item))),
            },
            KeyAction::Edit => match item.state {
                Queued | Failed => {
                    let draft = Draft {
                        text: item.text.clone(),
                        public: item.public,
                        email: item.support_email.clone(),
                    };
                    self.editor = Some(Editor::open(&item.app, &item.review, draft));
                    self.outbox.editing = Some(item.id);
                    self.screen.mode = Mode::Editor;
                    // Not sent while it is being changed; saving or closing the editor lets it go.
                    self.outbox.editing_hold = item.state == Queued && !item.held();
                    if self.outbox.editing_hold {
                        return vec![Command::Outbox(OutboxCommand::OutboxHold {
                            id: item.id,
                            reason: "held while it is being edited".to_owned(),
                        })];
                    }
                }
                _ => {
                    self.outbox.notice = Some(format!(
                        "This reply ({}) cannot be edited: it may already be with the Store",
                        describe(&item)
                    ))
                }
            },
            KeyAction::Remove => match item.state {
                Queued | Failed => self.outbox.confirm_discard = Some(item.id),
                _ => {
                    self.outbox.notice = Some(format!(
                        "This reply ({}) cannot be discarded: it may already be with the Store",
                        describe(&item)
                    ))
                }
            },
            KeyAction::TakeBack if super::volume::in_window(&item, self.volume.now) => {
                return vec![Command::Outbox(OutboxCommand::TakeBack { ids: vec![item.id] })];
            }
            KeyAction::TakeBack => {
                self.outbox.notice = Some(format!(
                    "This reply ({}) is past its undo window: d discards a queued or failed one",
                    describe(&item)
                ))
            }
            KeyAction::Copy => {
                let held = item.held();
                let mut cmds = vec![Command::CopyToClipboard { text: item.text }];
                // Copying in the outage means answering in Partner Center: the reply must not
                // also go out from here should the API come back meanwhile.
                if self.outbox.api_down.is_some() && item.state == Queued && !held {
                    cmds.push(Command::Outbox(OutboxCommand::OutboxHold {
                        id: item.id,
                        reason: "held: copied to answer in Partner Center; r sends it from here instead".to_owned(),
                    }));
                    self.outbox.notice =
                        Some("Copied and held: r sends it from here; m once you answered in Partner Center".to_owned());
                } else {
                    self.outbox.notice = Some(
                        "Copied the reply to the clipboard (OSC 52; in tmux this needs set-clipboard on)".to_owned(),
                    );
                }
                return cmds;
            }
            KeyAction::MarkAnswered => match item.state {
                Queued | Failed | Unconfirmed if !item.manual => {
                    self.outbox.notice = Some(
                        "Marked answered in Partner Center: never sent from here; a refresh confirms it".to_owned(),
                    );
                    return vec![Command::Outbox(OutboxCommand::OutboxAnsweredElsewhere { id: item.id })];
                }
                Sending | Sent => {
                    self.outbox.notice = Some(format!("This reply ({}) needs nothing more", describe(&item)))
                }
                _ => self.outbox.notice = Some("Already marked as answered in Partner Center".to_owned()),
            },
            _ => {}
        }
        Vec::new()
    }

    fn show_history(&mut self) -> Vec<Command> {
        self.outbox.tab = OutboxTab::History;
        vec![Command::Outbox(OutboxCommand::LoadHistory)]
    }

    /// The text of a discarded reply comes back as its review's draft: nothing typed is lost.
    pub(super) fn on_outbox_discarded(&mut self, item: OutboxItem) -> Vec<Command> {
        self.outbox.notice = Some("Discarded; its text is back in the review's draft".to_owned());
        let draft = Draft {
            text: item.text,
            public: item.public,
            email: item.support_email,
        };
        self.restore_draft(&item.app, &item.review, draft)
    }
}

/// Unix seconds as the local wall-clock time.
pub fn clock(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M:%S").to_string())
        .unwrap_or_default()
}
