//! Commerce R&R rows in the profile's database: the import journal, and the two steps that keep
//! a site's cached export (in `reviews`, see `commerce::cache`) current. An import row is
//! claimed (`sending`, with this process as owner) in a durable commit before its request
//! leaves, and marked `sent` in another after the answer; a row left `sending` by a process
//! that is gone is `unconfirmed`, to be verified against an export.

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
    /// The `fetched_at` for a site export being cached: now, but always later than any stamp
    /// the site's rows already carry, so [`Db::site_mark_unseen`] can tell this export's rows
    /// from earlier ones even when two exports fall within one second.
    pub fn site_fetch_stamp(&self, app: &str, now: i64) -> Result<i64> {
        let path = self.path.clone();
        let newest: Option<i64> = self
            .conn
            .query_row("SELECT MAX(fetched_at) FROM reviews WHERE app = ?1", [app], |r| {
                r.get(0)
            })
            .at(&path)?;
        Ok(newest.map_or(now, |n| now.max(n + 1)))
    }

    /// After a whole export was cached with `stamp`: the dated reviews of the site it did not
    /// bring are marked gone (kept, never deleted; a later export clears the mark, as
    /// `upsert_reviews` does). Undated ones are never marked, as for the Store. Answers how
    /// many were newly marked.
    pub fn site_mark_unseen(&mut self, app: &str, stamp: i64) -> Result<usize> {
        self.write_tx(false, |tx, path| {
            tx.execute(
                "UPDATE reviews SET vanished = 1
                 WHERE app = ?1 AND fetched_at < ?2 AND vanished = 0 AND date_ts IS NOT NULL",
                params![app, stamp],
            )
            .at(path)
        })
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
    use crate::commerce::CommerceReview;
    use crate::commerce::listed::{Moderation, from_review};
    use crate::store::Review;

    /// A database as `commerce export` left it before the site's reviews were kept once: every
    /// migration before the one that moves them, and rows in `commerce_reviews`.
    fn database_with_the_second_copy(dir: &std::path::Path, profile: &str, rows: &[(&str, &str)]) {
        let conn = rusqlite::Connection::open(dir.join(format!("{profile}.sqlite3"))).unwrap();
        let migrations = super::super::migrations::MIGRATIONS;
        let before = migrations
            .iter()
            .position(|m| m.contains("DROP TABLE commerce_reviews"))
            .unwrap();
        for m in &migrations[..before] {
            conn.execute_batch(m).unwrap();
        }
        conn.execute_batch(&format!("PRAGMA user_version = {before}")).unwrap();
        for (id, json) in rows {
            conn.execute(
                "INSERT INTO commerce_reviews (id, product_id, submitted, fetched_at, raw_json) VALUES (?1, NULL, NULL, 7, ?2)",
                [id, json],
            )
            .unwrap();
        }
    }

    #[test]
    fn an_old_database_opens_with_its_site_reviews_moved_into_the_one_cache() {
        let dir = tempfile::tempdir().unwrap();
        let responded = r#"{"reviewId":"r1","productId":"p1","productName":"Boot","rating":3.5,"title":"Snug \u001b[2J","reviewText":"Fits","userName":"Léa","submittedDateTime":"2026-11-20T10:00:00Z","isPublished":true,"updatedSinceResponse":true,"responderName":"Ann","responseText":"Thanks","responseDateTime":"2026-11-21T09:00:00Z","legalEntity":"USRT","Shoe size":"44"}"#;
        let taken_down = r#"{"reviewId":"r2","rating":1,"title":"Spam","submittedDateTime":"2026-11-22T10:00:00Z","isTakenDown":true}"#;
        database_with_the_second_copy(dir.path(), "fabrikam-app", &[("r1", responded), ("r2", taken_down)]);
        let (db, _) = Db::open(dir.path(), "fabrikam-app").unwrap();
        let gone: i64 = db
            .conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'commerce_reviews'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(gone, 0, "one copy left");
        let cached = db.load_reviews("site:fabrikam-app").unwrap();
        assert_eq!(cached.len(), 2, "{cached:?}");
        let r1 = cached.iter().find(|r| r.id == "r1").unwrap();
        assert_eq!((r1.date_ts, r1.fetched_at), (Some(1_795_168_800), 7));
        let review: Review = serde_json::from_str(&r1.raw_json).unwrap();
        let old = CommerceReview::from_json(serde_json::from_str(responded).unwrap());
        assert_eq!(from_review(&review), Some(old), "nothing of the row lost");
        assert_eq!((review.rating, review.is_answered()), (Some(4), true));
        let m = Moderation::of(&review).unwrap();
        assert_eq!(m.state, "updated since response");
        let r2: Review = serde_json::from_str(&cached.iter().find(|r| r.id == "r2").unwrap().raw_json).unwrap();
        assert_eq!(Moderation::of(&r2).unwrap().state, "taken down");
        assert!(r2.review_text.is_none() && r2.response_text.is_none());
        let facts = db.review_facts("site:fabrikam-app", 0, &|_| true).unwrap();
        assert_eq!(facts.len(), 2, "the stats columns are filled");
        assert!(facts.iter().any(|f| f.answered && f.rating == Some(4)));
    }

    #[test]
    fn a_second_export_marks_what_it_no_longer_has_and_clears_what_is_back() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, _) = Db::open(dir.path(), "site").unwrap();
        let row = |id: &str, date: Option<i64>| crate::db::CachedReview {
            id: id.into(),
            date_ts: date,
            raw_json: "{}".into(),
        };
        let app = "site:site";
        let first = db.site_fetch_stamp(app, 100).unwrap();
        db.upsert_reviews(app, &[row("a", Some(1)), row("b", Some(2)), row("u", None)], first)
            .unwrap();
        assert_eq!(db.site_mark_unseen(app, first).unwrap(), 0);
        // The same second again: the stamp still moves on, so "b" is told apart.
        let second = db.site_fetch_stamp(app, 100).unwrap();
        assert!(second > first);
        db.upsert_reviews(app, &[row("a", Some(1))], second).unwrap();
        assert_eq!(db.site_mark_unseen(app, second).unwrap(), 1, "b gone; undated u never");
        let third = db.site_fetch_stamp(app, 100).unwrap();
        db.upsert_reviews(app, &[row("b", Some(2))], third).unwrap();
        assert_eq!(db.site_mark_unseen(app, third).unwrap(), 1, "a gone now");
        let vanished: Vec<(String, bool)> = db
            .load_reviews(app)
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.vanished))
            .collect();
        assert!(vanished.contains(&("b".into(), false)) && vanished.contains(&("a".into(), true)));
    }

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
