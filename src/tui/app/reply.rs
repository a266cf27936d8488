//! Writing, confirming and sending a reply, and what comes back.

use super::editor::{Draft, Editor};

use super::OutboxCommand;
use super::{App, Command, Mode};
use crate::db::OutboxState;
use crate::keymap::KeyAction;
use crate::tui::action::{Eligibility, ReplyState};

impl App {
    pub(super) fn open_editor(&mut self) -> Vec<Command> {
        // A source that takes no answers from here (a Commerce site) says where they are given.
        // Shown whole (the hint line would cut it), until the next key.
        if !self.sources.can(crate::provider::Feature::Respond) {
            let why = self.sources.source().instead(crate::provider::Feature::Respond);
            let id = self
                .selected_id()
                .map(|id| format!(" (review {}; c copies its ID)", crate::sanitize::sanitize_line(id)));
            self.status.notice = Some(format!("{why}{}.", id.unwrap_or_default()));
            return Vec::new();
        }
        let Some(review) = self.selected_review() else {
            return Vec::new();
        };
        let Some(id) = review.id.clone() else {
            self.status
                .notices
                .warn("This review has no ID, so the Store cannot take a response to it");
            return Vec::new();
        };
        if self.list.vanished.contains(&id) {
            self.status.notices.warn(
                "Removed by Microsoft (spam or pre-release): this review is no longer live and cannot be answered",
            );
            return Vec::new();
        }
        if review.is_answered() && !review.revised_after_response() {
            self.status
                .notices
                .warn("Already answered: the Store takes a new response only after the customer revises the review");
            return Vec::new();
        }
        match self.replies.state.get(&id) {
            Some(ReplyState::Sending) => {
                self.status.notices.warn("A reply to this review is being sent");
                return Vec::new();
            }
            Some(ReplyState::Queued(_) | ReplyState::Unconfirmed(_)) => {
                self.status
                    .notices
                    .warn("A reply to this review is in the outbox: o to edit, retry or discard it");
                return Vec::new();
            }
            _ => {}
        }
        match self.replies.eligibility.get(&id) {
            Some(Eligibility::OptedOut) => {
                self.status
                    .notices
                    .warn("The customer opted out of responses: this review cannot be answered");
                return Vec::new();
            }
            Some(Eligibility::ApiDown(why)) => self.status.notices.error(why.clone()),
            _ => {}
        }
        // The listing's support email; else the profile's (the check may not have answered, or
        // the reviews API may be down while the reply is queued anyway).
        let default_email = match self.replies.eligibility.get(&id) {
            Some(Eligibility::CanRespond {
                support_email: Some(email),
            }) => email.clone(),
            _ => self.settings.default_support_email.clone().unwrap_or_default(),
        };
        let mut draft = self.replies.drafts.get(&id).cloned().unwrap_or(Draft {
            text: String::new(),
            public: self.settings.default_public,
            email: String::new(),
        });
        // A draft saved before the eligibility check answered has no email yet.
        if draft.email.is_empty() {
            draft.email = default_email;
        }
        self.editor = Some(Editor::open(self.app_id(), &id, draft));
        self.screen.mode = Mode::Editor;
        // Ask again if the earlier check failed.
        let mut cmds = self.prefetch_eligibility();
        cmds.extend(self.want_reply_history());
        cmds
    }

    pub(super) fn editor_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(editor) = self.editor.as_mut() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            KeyAction::Back => {
                self.volume.show_review = false;
                // Saved at once, not at the next tick: kept in memory, and on disk with a database.
                self.draft_changed();
                let cmds = self.save_editor_draft();
                self.editor = None;
                let mut cmds = cmds;
                self.screen.mode = match self.outbox.editing.take() {
                    Some(id) => {
                        // Held while edited: closing without saving lets it go as it was.
                        if std::mem::take(&mut self.outbox.editing_hold)
                            && self
                                .outbox
                                .items
                                .iter()
                                .any(|i| i.id == id && i.state == OutboxState::Queued)
                        {
                            cmds.push(Command::Outbox(OutboxCommand::OutboxRetry { id }));
                        }
                        Mode::Outbox
                    }
                    None => Mode::Normal,
                };
                return cmds;
            }
            KeyAction::TogglePublic => {
                if editor.public {
                    match self.replies.eligibility.get(&editor.review_id) {
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
                self.draft_changed();
            }
            KeyAction::NextField => editor.next_field(),
            KeyAction::Templates => {
                let review = editor.review_id.clone();
                return self.open_picker(review, super::picker::PickerTarget::Editor { from_list: false });
            }
            KeyAction::ShowReview => self.volume.show_review = !self.volume.show_review,
            KeyAction::ExternalEditor => return vec![Command::OpenExternalEditor { text: editor.body() }],
            KeyAction::Send => {
                // An edit of a queued reply was checked when it was first confirmed.
                if self.outbox.editing.is_some() {
                    editor.problem = editor.check().err();
                    if editor.problem.is_none() {
                        self.screen.mode = Mode::Confirm;
                    }
                    return Vec::new();
                }
                // A reply can be queued while the service is unreachable or down: the outbox
                // keeps it, and it is sent (or answered in Partner Center) later.
                // What stops the reply whatever is typed comes first, then the text and email.
                let blocked = match self.replies.eligibility.get(&editor.review_id) {
                    Some(Eligibility::OptedOut) => {
                        Some("The customer opted out: this review cannot be answered".to_owned())
                    }
                    _ => None,
                };
                // A placeholder left in the text (typed, or a template value the review lacks)
                // would be published as written.
                let unfilled = crate::policy::unfilled_placeholders(&editor.body());
                let unfilled = (!unfilled.is_empty()).then(|| {
                    format!(
                        "Fill in or remove {}: the review has no value for {}",
                        unfilled
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if unfilled.len() == 1 { "it" } else { "them" }
                    )
                });
                editor.problem = blocked.or_else(|| editor.check().err()).or(unfilled);
                if editor.problem.is_some() {
                    return Vec::new();
                }
                // Also while the check is unanswered, failed or the API is down: queued, a reply
                // the Store refuses (an opted-out customer) fails visibly in the outbox; waiting
                // for a check an outage may never answer would not.
                self.screen.mode = Mode::Confirm;
            }
            KeyAction::Suspend => return vec![Command::Suspend],
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn send(&mut self) -> Vec<Command> {
        // The draft stays until the Store confirms: nothing typed is lost if sending fails, or
        // if reviewdesk ends before the answer.
        self.draft_changed();
        let mut out = self.save_editor_draft();
        let Some(editor) = self.editor.take() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        out.extend(self.queue_reply(editor));
        out
    }

    /// The Store has the reply: the review shows it as answered, and its draft goes.
    pub(super) fn mark_answered(&mut self, app: &str, review: &str, text: &str) -> Vec<Command> {
        // The review may belong to an app that is not shown now: look there too.
        let out = self.drop_draft(app, review).map(|(_, cmds)| cmds).unwrap_or_default();
        self.remember_sent(review, text);
        let now = chrono::Utc::now();
        let mark = |r: &mut crate::store::Review| {
            r.response_text = Some(crate::sanitize::sanitize_text(text));
            r.response_date = Some(now.format("%Y-%m-%dT%H:%M:%SZ").to_string().into());
            r.response_timestamp = Some(now.timestamp());
        };
        if let Some(r) = self
            .list
            .ids
            .get(review, &self.list.reviews)
            .map(|i| &mut self.list.reviews[i])
        {
            if !r.is_answered() {
                self.list.unanswered = self.list.unanswered.saturating_sub(1);
            }
            mark(r);
        } else if let Some(r) = self
            .sources
            .parked
            .values_mut()
            .flat_map(|c| c.reviews.iter_mut())
            .find(|r| r.id.as_deref() == Some(review))
        {
            mark(r);
        }
        out
    }
}
