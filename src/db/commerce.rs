//! Commerce R&R rows in the profile's database: the cache of exported reviews, and the import
//! journal. A row is claimed (`sending`, with this process as owner) in a durable commit
//! before its request leaves, and marked `sent` in another after the answer; a row left
//! `sending` by a process that is gone is `unconfirmed`, to be verified against an export.

use rusqlite::{OptionalExtension, params};

use super::{At, Db, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportState {
    Pending,
    Sending,
    Sent,
    Unconfirmed,
    Failed,
}

impl ImportState {
    fn as_str(self) -> &'static str {
        match self {
            ImportState::Pending => "pending",
            ImportState::Sending => "sending",
            ImportState::Sent => "sent",
            ImportState::Unconfirmed => "unconfirmed",
            ImportState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> ImportState {
        match s {
            "sending" => ImportState::Sending,
            "sent" => ImportState::Sent,
            "unconfirmed" => ImportState::Unconfirmed,
            "failed" => ImportState::Failed,
            _ => ImportState::Pending,
        }
    }
}

pub struct NewImportRow<'a> {
    pub row_key: &'a str,
    pub content_key: &'a str,
    pub source: &'a str,
    pub line: u64,
    pub request_json: &'a str,
}

#[derive(Clone, Debug)]
pub struct ImportRow {
    pub row_key: String,
    pub content_key: String,
    pub state: ImportState,
    pub owner: Option<String>,
    pub attempts: i64,
    pub reason: Option<String>,
}

impl Db {
    /// Caches exported reviews (`(id, product, submitted, json)`), replacing older copies.
    pub fn commerce_cache_reviews(
        &mut self,
        rows: &[(String, Option<String>, Option<String>, String)],
        now: i64,
    ) -> Result<()> {
        self.write_tx(false, |tx, path| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO commerce_reviews (id, product_id, submitted, fetched_at, raw_json)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id,
                        submitted = excluded.submitted, fetched_at = excluded.fetched_at,
                        raw_json = excluded.raw_json",
                )
                .at(path)?;
            for (id, product, submitted, json) in rows {
                stmt.execute(params![id, product, submitted, now, json]).at(path)?;
            }
            Ok(())
        })
    }

    /// The cached reviews' JSON, newest first.
    pub fn commerce_cached_reviews(&self) -> Result<Vec<String>> {
        let path = self.path.clone();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT raw_json FROM commerce_reviews ORDER BY submitted DESC, id")
            .at(&path)?;
        let rows = stmt.query_map([], |r| r.get(0)).at(&path)?;
        rows.collect::<rusqlite::Result<Vec<String>>>().at(&path)
    }

    /// Adds the rows not in the journal yet (one durable commit); rows already there keep
    /// their state, which is what makes a re-run continue rather than start over.
    pub fn import_register(&mut self, rows: &[NewImportRow<'_>], now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO commerce_import
                        (row_key, content_key, source, line, request_json, state, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                )
                .at(path)?;
            for r in rows {
                stmt.execute(params![
                    r.row_key,
                    r.content_key,
                    r.source,
                    r.line as i64,
                    r.request_json,
                    now
                ])
                .at(path)?;
            }
            Ok(())
        })
    }

    pub fn import_row(&self, row_key: &str) -> Result<Option<ImportRow>> {
        let path = self.path.clone();
        self.conn
            .query_row(
                "SELECT row_key, content_key, state, owner, attempts, reason FROM commerce_import WHERE row_key = ?1",
                [row_key],
                |r| {
                    Ok(ImportRow {
                        row_key: r.get(0)?,
                        content_key: r.get(1)?,
                        state: ImportState::parse(&r.get::<_, String>(2)?),
                        owner: r.get(3)?,
                        attempts: r.get(4)?,
                        reason: r.get(5)?,
                    })
                },
            )
            .optional()
            .at(&path)
    }

    /// Rows left `sending` by processes that are gone become `unconfirmed`: their request may
    /// have been applied. Answers how many.
    pub fn import_release_abandoned(&mut self, now: i64) -> Result<usize> {
        self.write_tx(true, |tx, path| {
            let owners: Vec<(String, String)> = {
                let mut stmt = tx
                    .prepare_cached("SELECT row_key, owner FROM commerce_import WHERE state = 'sending'")
                    .at(path)?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).at(path)?;
                rows.collect::<rusqlite::Result<_>>().at(path)?
            };
            let mut n = 0;
            for (key, owner) in owners {
                if super::owner_gone(&owner) {
                    n += tx
                        .execute(
                            "UPDATE commerce_import SET state = 'unconfirmed', owner = NULL, updated_at = ?2,
                                reason = 'the run sending it ended before its answer came'
                             WHERE row_key = ?1 AND state = 'sending'",
                            params![key, now],
                        )
                        .at(path)?;
                }
            }
            Ok(n)
        })
    }

    /// The `unconfirmed` rows, by content key.
    pub fn import_unconfirmed(&self) -> Result<Vec<ImportRow>> {
        let path = self.path.clone();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT row_key, content_key, state, owner, attempts, reason FROM commerce_import
                 WHERE state = 'unconfirmed' ORDER BY content_key, row_key",
            )
            .at(&path)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ImportRow {
                    row_key: r.get(0)?,
                    content_key: r.get(1)?,
                    state: ImportState::Unconfirmed,
                    owner: r.get(3)?,
                    attempts: r.get(4)?,
                    reason: r.get(5)?,
                })
            })
            .at(&path)?;
        rows.collect::<rusqlite::Result<_>>().at(&path)
    }

    /// How many rows with this content are known `sent`.
    pub fn import_sent_with_content(&self, content_key: &str) -> Result<u64> {
        let path = self.path.clone();
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM commerce_import WHERE content_key = ?1 AND state = 'sent'",
                [content_key],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .at(&path)
    }

    /// Claims a `pending` row for `owner` in a durable commit; `false` when it is not pending
    /// (sent, failed, unconfirmed, or claimed by another process meanwhile).
    pub fn import_claim(&mut self, row_key: &str, owner: &str, now: i64) -> Result<bool> {
        self.write_tx(true, |tx, path| {
            let n = tx
                .execute(
                    "UPDATE commerce_import SET state = 'sending', owner = ?2, attempts = attempts + 1, updated_at = ?3
                     WHERE row_key = ?1 AND state = 'pending'",
                    params![row_key, owner, now],
                )
                .at(path)?;
            Ok(n == 1)
        })
    }

    /// Records what became of a row: `sent` (with the service's answer), `pending` again
    /// (nothing was applied), `unconfirmed` or `failed` (with the reason).
    pub fn import_mark(
        &mut self,
        row_key: &str,
        state: ImportState,
        reason: Option<&str>,
        answer: Option<&str>,
        now: i64,
    ) -> Result<()> {
        debug_assert!(state != ImportState::Sending, "claim with import_claim");
        self.write_tx(true, |tx, path| {
            tx.execute(
                "UPDATE commerce_import SET state = ?2, owner = NULL, reason = ?3, answer = COALESCE(?4, answer),
                    updated_at = ?5, sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END
                 WHERE row_key = ?1",
                params![row_key, state.as_str(), reason, answer, now],
            )
            .at(path)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_claimed_once_and_stays_sent() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, _) = Db::open(dir.path(), "site").unwrap();
        let row = |k: &'static str| NewImportRow {
            row_key: k,
            content_key: "c",
            source: "f.csv",
            line: 2,
            request_json: "{}",
        };
        db.import_register(&[row("a#1"), row("a#2")], 1).unwrap();
        db.import_register(&[row("a#1")], 2).unwrap();
        assert!(db.import_claim("a#1", "me", 3).unwrap());
        assert!(!db.import_claim("a#1", "other", 3).unwrap(), "claimed once");
        db.import_mark("a#1", ImportState::Sent, None, Some("\"id\""), 4)
            .unwrap();
        assert!(
            db.import_mark("a#1", ImportState::Pending, None, None, 5).is_err(),
            "sent is final"
        );
        db.import_register(&[row("a#1")], 6).unwrap();
        assert_eq!(
            db.import_row("a#1").unwrap().unwrap().state,
            ImportState::Sent,
            "a re-run keeps it"
        );
        assert_eq!(db.import_sent_with_content("c").unwrap(), 1);
        // A claim by a process that is gone becomes unconfirmed; a live one is left alone.
        assert!(db.import_claim("a#2", "999999999@unknown", 7).unwrap());
        assert_eq!(db.import_release_abandoned(8).unwrap(), 1);
        assert_eq!(db.import_unconfirmed().unwrap().len(), 1);
    }
}
