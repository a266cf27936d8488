//! What `reviewdesk watch` has delivered: per app, when watching began, and every review
//! revision handed on (printed, or given to `--exec` and accepted), so that none is handed on
//! twice, whoever else (the terminal UI) refreshes the same cache in between.

use rusqlite::{OptionalExtension, params};

use super::{At, Db, Result};

impl Db {
    /// When watching `app` began; `None` before its first round.
    pub fn watch_started(&self, app: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT started_at FROM watch_apps WHERE app = ?1")
            .at(&self.path)?
            .query_row([app], |r| r.get(0))
            .optional()
            .at(&self.path)
    }

    /// Records that watching `app` began at `at` (kept if it began earlier), and marks every
    /// `(id, revision)` in `seen` as delivered: what was there before watching is not news.
    pub fn start_watch(&mut self, app: &str, at: i64, seen: &[(String, String)]) -> Result<()> {
        self.write_tx(true, |tx, path| {
            tx.execute(
                "INSERT INTO watch_apps (app, started_at) VALUES (?1, ?2) ON CONFLICT (app) DO NOTHING",
                params![app, at],
            )
            .at(path)?;
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO watch_delivered (app, id, revision, delivered_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                )
                .at(path)?;
            for (id, revision) in seen {
                stmt.execute(params![app, id, revision, at]).at(path)?;
            }
            Ok(())
        })
    }

    /// Whether this revision of the review was delivered already.
    pub fn was_delivered(&self, app: &str, id: &str, revision: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM watch_delivered WHERE app = ?1 AND id = ?2 AND revision = ?3")
            .at(&self.path)?
            .query_row([app, id, revision], |_| Ok(()))
            .optional()
            .at(&self.path)
            .map(|r| r.is_some())
    }

    /// Whether any revision of the review was delivered (or recorded when watching began): a
    /// new revision of it is then "revised", not "new".
    pub fn delivered_before(&self, app: &str, id: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM watch_delivered WHERE app = ?1 AND id = ?2 LIMIT 1")
            .at(&self.path)?
            .query_row([app, id], |_| Ok(()))
            .optional()
            .at(&self.path)
            .map(|r| r.is_some())
    }

    /// Records one delivery, durably: once this returns, a crash does not deliver it again.
    pub fn mark_delivered(&mut self, app: &str, id: &str, revision: &str, at: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            tx.execute(
                "INSERT INTO watch_delivered (app, id, revision, delivered_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![app, id, revision, at],
            )
            .at(path)
            .map(drop)
        })
    }
}
