//! Autosaved drafts: when the open editor's draft goes to the profile's local database, and what
//! the database's answers change. The writes themselves are the db thread's (`tui::db_worker`).
//!
//! A change in the editor marks the draft dirty; the first tick that sees it notes the time, and
//! the tick [`SAVE_AFTER`] later saves it. Ticks come every 120 ms, so a change is on disk at
//! most about 480 ms after it was made, however fast the person keeps typing (the wait runs
//! from the first unsaved change, not the last), and one save covers a whole burst of keys.

use super::DbCommand;
use std::time::{Duration, Instant};

use super::editor::{Draft, Editor};
use super::{App, Command};
use crate::db::StoredDraft;

/// From the first tick that saw an unsaved change to the save.
pub const SAVE_AFTER: Duration = Duration::from_millis(360);

/// Where drafts are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DraftStore {
    /// Only in memory: no database (yet, or it could not be opened); quitting loses them.
    #[default]
    Memory,
    /// In the profile's database: every change is saved.
    Database,
    /// The database was opened but a save failed: what is in memory may be newer.
    Failing,
}

#[derive(Debug, Default)]
pub struct DraftSync {
    pub store: DraftStore,
    /// The editor changed since its draft was last saved.
    dirty: bool,
    /// When the first tick saw the unsaved change.
    since: Option<Instant>,
}

impl App {
    /// Whether every draft is on disk, so quitting or switching profiles loses none.
    pub fn drafts_safe(&self) -> bool {
        // A temporary database is removed at the end: its drafts do not outlive the run.
        self.replies.draft_sync.store == DraftStore::Database && !self.settings.temporary
    }

    /// Whether a draft waits for a tick to be saved (the event loop ticks for it).
    pub fn draft_waiting(&self) -> bool {
        self.replies.draft_sync.dirty && self.replies.draft_sync.store != DraftStore::Memory
    }

    /// Something the person did changed the open editor.
    pub(super) fn draft_changed(&mut self) {
        self.replies.draft_sync.dirty = true;
    }

    pub(super) fn draft_tick(&mut self, now: Instant) -> Vec<Command> {
        if !self.draft_waiting() {
            return Vec::new();
        }
        let since = *self.replies.draft_sync.since.get_or_insert(now);
        if now.saturating_duration_since(since) >= SAVE_AFTER {
            self.save_editor_draft()
        } else {
            Vec::new()
        }
    }

    /// Leaving or suspending: the open editor's draft, if changed, now.
    pub(super) fn save_now(&mut self) -> Vec<Command> {
        if self.replies.draft_sync.dirty {
            self.save_editor_draft()
        } else {
            Vec::new()
        }
    }

    /// Keeps the open editor's draft in memory and, with a database, saves it; empty text
    /// deletes it instead.
    pub(super) fn save_editor_draft(&mut self) -> Vec<Command> {
        self.replies.draft_sync.dirty = false;
        self.replies.draft_sync.since = None;
        let Some(editor) = self.editor.as_ref() else {
            return Vec::new();
        };
        let (app, review, draft) = (editor.app_id.clone(), editor.review_id.clone(), editor.draft());
        if draft.text.trim().is_empty() {
            let had = self.replies.drafts.remove(&review).is_some();
            return self.draft_command(had, Command::Db(DbCommand::DeleteDraft { app, review }));
        }
        self.replies.drafts.insert(review.clone(), draft.clone());
        self.draft_command(true, Command::Db(DbCommand::SaveDraft { app, review, draft }))
    }

    /// The Store took the reply: its draft goes.
    pub(super) fn drop_draft(&mut self, app: &str, review: &str) -> Option<(Draft, Vec<Command>)> {
        let draft = self.replies.drafts.remove(review)?;
        let cmds = self.draft_command(
            true,
            Command::Db(DbCommand::DeleteDraft {
                app: app.to_owned(),
                review: review.to_owned(),
            }),
        );
        Some((draft, cmds))
    }

    /// Text coming back from the outbox (a discarded reply) becomes the review's draft.
    pub(super) fn restore_draft(&mut self, app: &str, review: &str, draft: Draft) -> Vec<Command> {
        self.replies.drafts.insert(review.to_owned(), draft.clone());
        self.draft_command(
            true,
            Command::Db(DbCommand::SaveDraft {
                app: app.to_owned(),
                review: review.to_owned(),
                draft,
            }),
        )
    }

    fn draft_command(&self, wanted: bool, cmd: Command) -> Vec<Command> {
        if wanted && self.replies.draft_sync.store != DraftStore::Memory {
            vec![cmd]
        } else {
            Vec::new()
        }
    }

    pub(super) fn on_drafts_loaded(
        &mut self,
        result: Result<(Vec<StoredDraft>, Option<String>), String>,
    ) -> Vec<Command> {
        let (stored, message) = match result {
            Ok(loaded) => loaded,
            Err(why) => {
                self.status.notices.error(format!(
                    "Drafts cannot be saved ({why}); they are kept only while reviewdesk runs"
                ));
                return Vec::new();
            }
        };
        self.replies.draft_sync.store = DraftStore::Database;
        if message.is_some() {
            // A missing or replaced database is never silent, and the sentence is too long for
            // the one-line error: it goes in the notice box, wrapped, until a key is pressed.
            self.status.notice = message;
        }
        // Drafts written in the moment before the database answered are newer than its own.
        let mut out = Vec::new();
        let app = self.app_id().to_owned();
        for (review, draft) in &self.replies.drafts {
            let shown = self
                .list
                .reviews
                .iter()
                .any(|r| r.id.as_deref() == Some(review.as_str()));
            let editing = self.editor.as_ref().is_some_and(|e| &e.review_id == review);
            if shown && !editing {
                out.push(Command::Db(DbCommand::SaveDraft {
                    app: app.clone(),
                    review: review.clone(),
                    draft: draft.clone(),
                }));
            }
        }
        let known: Vec<&str> = self.sources.apps.iter().map(|a| a.id.as_str()).collect();
        for s in stored {
            if !known.contains(&s.app.as_str()) || self.replies.drafts.contains_key(&s.review) {
                continue;
            }
            let draft = Draft {
                text: s.draft.text,
                public: s.draft.public,
                email: s.draft.email,
            };
            // The editor opened on this review before the drafts came, and nothing is typed yet.
            if let Some(ed) = self.editor.as_mut()
                && ed.review_id == s.review
                && ed.app_id == s.app
            {
                if self.replies.draft_sync.dirty || !ed.body().is_empty() {
                    continue;
                }
                *ed = Editor::open(&s.app, &s.review, draft.clone());
            }
            self.replies.drafts.insert(s.review, draft);
        }
        out
    }

    pub(super) fn on_draft_store_failed(&mut self, why: String) {
        self.replies.draft_sync.store = DraftStore::Failing;
        self.status.notices.error(format!(
            "A draft could not be saved: {why}. Drafts are kept in memory; quitting asks first"
        ));
    }
}
