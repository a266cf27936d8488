//! Autosaved drafts, one per review. A save is a single UPSERT committed with
//! `synchronous=NORMAL` in WAL mode: no fsync, tens of microseconds, and it survives the process
//! being killed.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::{At, Db, Result};

/// What the reply editor holds for one review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DraftRow {
    pub text: String,
    pub public: bool,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDraft {
    pub app: String,
    pub review: String,
    pub draft: DraftRow,
    pub updated_at: i64,
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDraft> {
    Ok(StoredDraft {
        app: r.get(0)?,
        review: r.get(1)?,
        draft: DraftRow {
            text: r.get(2)?,
            public: r.get(3)?,
            email: r.get(4)?,
        },
        updated_at: r.get(5)?,
    })
}

const COLUMNS: &str = "app, review, text, public, email, updated_at";

impl Db {
    /// Saves the draft of one review (drafts are keyed by app and review). A save older than
    /// the stored one (`updated_at` smaller: another process wrote later) is ignored, so two
    /// windows on one review end with the newest text. Saving empty text keeps an empty draft:
    /// call [`Db::delete_draft`] when the editor is cleared, if that should remove the mark.
    pub fn save_draft(&self, app: &str, review: &str, draft: &DraftRow, updated_at: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO drafts (app, review, text, public, email, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (app, review) DO UPDATE SET
                     text = excluded.text, public = excluded.public, email = excluded.email,
                     updated_at = excluded.updated_at
                 WHERE excluded.updated_at >= drafts.updated_at",
            )
            .at(&self.path)?
            .execute(params![app, review, draft.text, draft.public, draft.email, updated_at])
            .at(&self.path)?;
        Ok(())
    }

    pub fn draft(&self, app: &str, review: &str) -> Result<Option<StoredDraft>> {
        self.conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM drafts WHERE app = ?1 AND review = ?2"))
            .at(&self.path)?
            .query_row([app, review], stored)
            .optional()
            .at(&self.path)
    }

    /// All drafts of `app`, most recently edited first.
    pub fn drafts(&self, app: &str) -> Result<Vec<StoredDraft>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM drafts WHERE app = ?1 ORDER BY updated_at DESC, review"
            ))
            .at(&self.path)?;
        let rows = stmt.query_map([app], stored).at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }

    /// The reviews of `app` that have a draft, for marking the list.
    pub fn draft_reviews(&self, app: &str) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT review FROM drafts WHERE app = ?1")
            .at(&self.path)?;
        let rows = stmt.query_map([app], |r| r.get(0)).at(&self.path)?;
        rows.collect::<rusqlite::Result<HashSet<_>>>().at(&self.path)
    }

    /// Returns whether there was one. A reply that reaches `sent` deletes its draft by itself.
    pub fn delete_draft(&self, app: &str, review: &str) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM drafts WHERE app = ?1 AND review = ?2")
            .at(&self.path)?
            .execute([app, review])
            .at(&self.path)?;
        Ok(n > 0)
    }
}
