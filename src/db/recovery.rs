//! Opening with a health check, and what to do with a damaged file: move it aside (with its
//! `-wal` and `-shm`, which would otherwise be replayed into the fresh file), start a fresh one,
//! and copy over whatever can still be read of the drafts, unsent outbox items and history.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, params};

use super::migrations::{check_not_newer, migrate};
use super::{At, DbError, Result, configure, connect, ensure_private_file};

/// What [`Db::open`](super::Db::open) found. Show [`OpenReport::message`] when it has one
/// (`recreated` or `missing`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// No database existed (or the file was empty): a first start, or the file was deleted.
    pub created: bool,
    /// A database had been made here before but its file is gone (deleted): drafts and unsent
    /// replies that were in it are lost, how many is unknown. Tell the person.
    pub missing: bool,
    /// The file was damaged and has been replaced by a fresh one.
    pub recreated: bool,
    /// Why it was judged damaged (SQLite's words).
    pub damage: Option<String>,
    /// Where the damaged file now is.
    pub moved_to: Option<PathBuf>,
    /// Drafts and unsent outbox items copied from the damaged file into the fresh one.
    pub recovered_drafts: usize,
    pub recovered_outbox: usize,
    pub recovered_history: usize,
    /// What could not be copied; `None` when the old file could not even be counted.
    pub lost_drafts: Option<usize>,
    pub lost_outbox: Option<usize>,
}

impl OpenReport {
    /// One or two sentences for the person, when there is something to say.
    pub fn message(&self) -> Option<String> {
        if self.missing {
            return Some(
                "The local database was missing (deleted?) and a fresh one was made: any drafts and unsent replies it held are gone; reviews will be fetched again.".to_owned(),
            );
        }
        if !self.recreated {
            return None;
        }
        let aside = self
            .moved_to
            .as_ref()
            .map(|p| format!(" (kept as {})", p.display()))
            .unwrap_or_default();
        let count = |n: Option<usize>, what: &str| match n {
            Some(0) => None,
            Some(n) => Some(format!("{n} {what}")),
            None => Some(format!("an unknown number of {what}")),
        };
        let lost: Vec<String> = [
            count(self.lost_drafts, "drafts"),
            count(self.lost_outbox, "unsent replies"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let lost = if lost.is_empty() {
            "nothing unsent was lost".to_owned()
        } else {
            format!("lost {}", lost.join(" and "))
        };
        Some(format!(
            "The local database was damaged{aside} and has been replaced: recovered {} drafts and {} unsent replies, {lost}; reviews will be fetched again.",
            self.recovered_drafts, self.recovered_outbox
        ))
    }
}

enum Checked {
    Healthy(Connection),
    Damaged { conn: Option<Connection>, detail: String },
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase)
    )
}

/// Opens, checks and migrates; on damage, moves the file aside and starts again.
pub(super) fn open_checked(path: &Path, existed: bool) -> Result<(Connection, OpenReport)> {
    ensure_private_file(path)?;
    let mut report = OpenReport {
        created: !existed,
        ..OpenReport::default()
    };
    match check(path)? {
        Checked::Healthy(conn) => Ok((conn, report)),
        Checked::Damaged { conn, detail } => {
            let salvage = conn.as_ref().map(Salvage::read).unwrap_or_default();
            drop(conn);
            let moved = move_aside(path)?;
            ensure_private_file(path)?;
            let conn = match check(path)? {
                Checked::Healthy(conn) => conn,
                Checked::Damaged { detail, .. } => {
                    return Err(DbError::Corrupt {
                        path: path.to_owned(),
                        detail,
                    });
                }
            };
            let (drafts, outbox, history) = salvage.write(&conn, path)?;
            report.recreated = true;
            report.damage = Some(detail);
            report.moved_to = Some(moved);
            report.recovered_drafts = drafts;
            report.recovered_outbox = outbox;
            report.recovered_history = history;
            report.lost_drafts = salvage.drafts_total.map(|n| n.saturating_sub(drafts));
            report.lost_outbox = salvage.outbox_total.map(|n| n.saturating_sub(outbox));
            Ok((conn, report))
        }
    }
}

/// Opens and vets the file. Busy, permission and disk errors are errors; only SQLite's
/// "corrupt" and "not a database", or a failed `quick_check`, count as damage.
fn check(path: &Path) -> Result<Checked> {
    let mut conn = connect(path)?;
    // Until the file is judged healthy, closing must not checkpoint the WAL into it or delete
    // the WAL: if damaged, both go aside as they are.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .at(path)?;
    let damaged = |conn, e: DbError| match e {
        DbError::Corrupt { detail, .. } => Ok(Checked::Damaged { conn, detail }),
        other => Err(other),
    };
    // The check reads every page: mapped, SQLite reads them without a copy through read(2)
    // (at a million reviews, 1.1 GB: 0.24 s of system time instead of 1.2 s). Only for the
    // check: the connection is kept afterwards, and a long-lived mapping would turn an I/O
    // error later into a signal instead of an error.
    conn.pragma_update(None, "mmap_size", super::READ_THROUGH_MAP)
        .at(path)?;
    let problems = match quick_check(&conn, path) {
        Ok(p) => p,
        Err(e) => return damaged(Some(conn), e),
    };
    conn.pragma_update(None, "mmap_size", 0).at(path)?;
    if !problems.is_empty() {
        return Ok(Checked::Damaged {
            conn: Some(conn),
            detail: problems.join("; "),
        });
    }
    // Not damaged (whether healthy or refused): closing may tidy the WAL up again.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)
        .at(path)?;
    check_not_newer(&conn, path)?;
    if let Err(e) = configure(&conn, path).and_then(|()| migrate(&mut conn, path)) {
        return damaged(Some(conn), e);
    }
    Ok(Checked::Healthy(conn))
}

/// `PRAGMA quick_check`: the problems found, at most five; empty when healthy.
fn quick_check(conn: &Connection, path: &Path) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)").at(path)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).at(path)?;
    let mut problems = Vec::new();
    for row in rows {
        let line = row.at(path)?;
        if line != "ok" {
            problems.push(line);
        }
    }
    Ok(problems)
}

/// Renames the file and its companions to `<name>.corrupt-<unix time>[-wal|-shm]`.
fn move_aside(path: &Path) -> Result<PathBuf> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = path.with_file_name(format!("{name}.corrupt-{now}"));
    let mut n = 1;
    while target.exists() {
        target = path.with_file_name(format!("{name}.corrupt-{now}.{n}"));
        n += 1;
    }
    fs::rename(path, &target).map_err(|source| DbError::MoveAside {
        path: path.to_owned(),
        source,
    })?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        if companion.exists() {
            let to = PathBuf::from(format!("{}{suffix}", target.display()));
            fs::rename(&companion, &to).map_err(|source| DbError::MoveAside {
                path: companion.clone(),
                source,
            })?;
        }
    }
    Ok(target)
}

type DraftCols = (String, String, String, bool, String, i64);
type OutboxCols = (
    i64,
    String,
    String,
    String,
    String,
    bool,
    String,
    Option<String>,
    bool,
    i64,
    i64,
    i64,
);
type HistoryCols = (i64, String, String, String, i64, String, String, Option<i64>);

/// What could be read from a damaged file. Rows are read one by one until the first error.
#[derive(Default)]
struct Salvage {
    drafts: Vec<DraftCols>,
    drafts_total: Option<usize>,
    outbox: Vec<OutboxCols>,
    outbox_total: Option<usize>,
    history: Vec<HistoryCols>,
}

fn count(conn: &Connection, sql: &str) -> Option<usize> {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .ok()
        .map(|n| n.max(0) as usize)
}

fn read_rows<T>(conn: &Connection, sql: &str, map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>) -> Vec<T> {
    let mut out = Vec::new();
    let Ok(mut stmt) = conn.prepare(sql) else { return out };
    let Ok(mut rows) = stmt.query([]) else { return out };
    while let Ok(Some(row)) = rows.next() {
        match map(row) {
            Ok(v) => out.push(v),
            Err(e) if is_damage(&e) => break,
            Err(_) => continue,
        }
    }
    out
}

const UNSENT: &str = "state IN ('queued', 'sending', 'unconfirmed', 'failed')";

impl Salvage {
    fn read(conn: &Connection) -> Salvage {
        // Read only; and take the file as it is even when shorter than its header says (a
        // truncated file), instead of refusing it whole.
        let _ = conn.execute_batch("PRAGMA query_only = ON; PRAGMA writable_schema = ON;");
        let drafts = read_rows(
            conn,
            "SELECT app, review, text, public, email, updated_at FROM drafts",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        );
        let outbox_sql = format!(
            "SELECT id, app, review, text, support_email, public, state, reason, manual, attempts, created_at,
                    updated_at FROM outbox WHERE {UNSENT}"
        );
        let outbox = read_rows(conn, &outbox_sql, |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ))
        });
        let history = read_rows(
            conn,
            "SELECT id, profile, app, review, at, text, result, outbox_id FROM history",
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        );
        // A count that fails, or is below what was read, is not to be trusted: keep the larger.
        let drafts_total = count(conn, "SELECT count(*) FROM drafts").map(|n| n.max(drafts.len()));
        let outbox_total =
            count(conn, &format!("SELECT count(*) FROM outbox WHERE {UNSENT}")).map(|n| n.max(outbox.len()));
        let unreadable = drafts.is_empty() && outbox.is_empty();
        Salvage {
            drafts_total: drafts_total.or(if unreadable { None } else { Some(drafts.len()) }),
            outbox_total: outbox_total.or(if unreadable { None } else { Some(outbox.len()) }),
            drafts,
            outbox,
            history,
        }
    }

    /// Copies the rows into the fresh file in one transaction; returns how many of each went in.
    /// An item that was `sending` becomes `unconfirmed`: it may have gone out.
    fn write(&self, conn: &Connection, path: &Path) -> Result<(usize, usize, usize)> {
        let tx = conn.unchecked_transaction().at(path)?;
        let mut drafts = 0;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO drafts (app, review, text, public, email, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .at(path)?;
            for (app, review, text, public, email, at) in &self.drafts {
                drafts += stmt.execute(params![app, review, text, public, email, at]).at(path)?;
            }
        }
        let mut outbox = 0;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO outbox (id, app, review, text, support_email, public, state, reason,
                         manual, attempts, created_at, updated_at, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
                )
                .at(path)?;
            for (id, app, review, text, email, public, state, reason, manual, attempts, created, updated) in
                &self.outbox
            {
                let (state, reason) = match state.as_str() {
                    "sending" => (
                        "unconfirmed",
                        Some("it was being sent when the database was damaged".to_owned()),
                    ),
                    "queued" | "unconfirmed" | "failed" => (state.as_str(), reason.clone()),
                    _ => continue,
                };
                outbox += stmt
                    .execute(params![
                        id, app, review, text, email, public, state, reason, manual, attempts, created, updated
                    ])
                    .at(path)?;
            }
        }
        let mut history = 0;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO history (id, profile, app, review, at, text, result, outbox_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .at(path)?;
            for (id, profile, app, review, at, text, result, outbox_id) in &self.history {
                history += stmt
                    .execute(params![id, profile, app, review, at, text, result, outbox_id])
                    .at(path)?;
            }
        }
        tx.commit().at(path)?;
        Ok((drafts, outbox, history))
    }
}
