//! The append-only record of replies: what was sent (or failed), where and when. There is no
//! API to change or remove a row, and triggers abort any `UPDATE` or `DELETE` on the table.
//!
//! Outbox transitions to `sent` and `failed` append their row themselves, in the same
//! transaction; [`Db::append_history`] is for anything else worth recording.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::{At, Db, Result};

/// A row to append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub profile: String,
    pub app: String,
    pub review: String,
    /// Unix seconds.
    pub at: i64,
    pub text: String,
    /// What happened, in words: "sent", "failed: …", "sent (verified after an unclear answer)".
    pub result: String,
}

/// A stored row: what `reviewdesk history --format json` prints, one object per entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    #[serde(flatten)]
    pub row: HistoryRow,
    /// The outbox item it came from, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub outbox_id: Option<i64>,
}

pub(crate) fn append(
    conn: &Connection,
    path: &std::path::Path,
    row: &HistoryRow,
    outbox_id: Option<i64>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO history (profile, app, review, at, text, result, outbox_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .at(path)?
    .execute(params![
        row.profile,
        row.app,
        row.review,
        row.at,
        row.text,
        row.result,
        outbox_id
    ])
    .at(path)?;
    Ok(conn.last_insert_rowid())
}

impl Db {
    /// Appends one row, durably; returns its id.
    pub fn append_history(&mut self, row: &HistoryRow) -> Result<i64> {
        self.write_tx(true, |tx, path| append(tx, path, row, None))
    }

    /// The newest `limit` entries, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<HistoryEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, profile, app, review, at, text, result, outbox_id FROM history
                 ORDER BY at DESC, id DESC LIMIT ?1",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(HistoryEntry {
                    id: r.get(0)?,
                    row: HistoryRow {
                        profile: r.get(1)?,
                        app: r.get(2)?,
                        review: r.get(3)?,
                        at: r.get(4)?,
                        text: r.get(5)?,
                        result: r.get(6)?,
                    },
                    outbox_id: r.get(7)?,
                })
            })
            .at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }
}

impl Db {
    /// The newest `limit` replies that reached the Store, each with the text of the review it
    /// answered when the review cache has it: what the policy check compares a reply with.
    pub fn sent_replies(&self, limit: usize) -> Result<Vec<crate::policy::SentReply>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT h.review, h.text,
                        CASE WHEN json_valid(r.raw_json) THEN json_extract(r.raw_json, '$.reviewText') END
                 FROM history h LEFT JOIN reviews r ON r.app = h.app AND r.id = h.review
                 WHERE h.result LIKE 'sent%'
                 ORDER BY h.at DESC, h.id DESC LIMIT ?1",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(crate::policy::SentReply {
                    review: r.get(0)?,
                    reply: r.get(1)?,
                    review_text: r.get::<_, Option<String>>(2).ok().flatten(),
                })
            })
            .at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }
}
