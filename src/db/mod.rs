//! Local-first storage: one SQLite file per profile holding the review cache, autosaved drafts,
//! the durable outbox and the append-only reply history.
//!
//! * The file is `<data_dir>/<profile>.sqlite3` (directory 0700, file 0600), in WAL mode with
//!   `synchronous=NORMAL`: a commit survives the process being killed (`kill -9`), which is what
//!   drafts and the cache need. Outbox and history changes are committed with
//!   `synchronous=FULL`, so they survive a power cut as well: a reply is on disk before any
//!   request for it is made.
//! * The schema moves forward by numbered migrations recorded in `PRAGMA user_version`
//!   (`migrations.rs`); a file from a newer reviewdesk is refused, never rewritten.
//! * A file that is not a database, or fails `PRAGMA quick_check`, is moved aside and a fresh one
//!   made; what could be read from the old file (drafts, unsent outbox items, history) is copied
//!   over, and [`OpenReport`] says what was recovered and what was lost, for the UI to tell.
//! * Times are Unix seconds, always passed in by the caller, so that tests control the clock.
//! * A [`Db`] is one connection: not shared between threads. A second thread (say, the outbox
//!   worker) takes its own with [`Db::connect_again`]. Any number of processes may open the same
//!   file; the outbox's claims ([`Db::claim_next`]) are atomic across them.
//!
//! Wiring, in short:
//! * Start: `Db::open`; show `report.message()` if any. `release_abandoned(now)` then
//!   `expire_leases(now)`; load the cache (`load_reviews`), drafts (`draft_reviews`) and the
//!   outbox before the first refresh.
//! * Editor: `save_draft` on change (debounced) and on exit/SIGHUP/SIGTERM.
//! * Confirmed send: `enqueue` first (fsynced), then wake the worker.
//! * Worker (owner = [`process_owner`]): `claim_next(owner, now, lease)` with the lease well
//!   above the request timeout; then `mark_sent`, `requeue` (nothing reached the Store: connect
//!   error, 429, 503 with Retry-After), `mark_failed` (a 4xx retrying cannot fix), or
//!   `mark_unconfirmed` (timeout or connection lost after the body went out).
//! * Unconfirmed: fetch the review; `verify_unconfirmed(id, response_text == item.text)`.
//! * Refresh: ask from `last_sync - overlap`, `upsert_reviews` per page, `mark_vanished` over
//!   the window actually fetched, `set_last_sync`; verify unconfirmed items of refreshed reviews.

mod commerce;
mod drafts;
mod history;
mod migrations;
mod outbox;
mod recovery;
mod reviews;
mod sending;
mod stats_rows;
mod sys;
mod watch;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

pub use commerce::{ImportRow, ImportState, NewImportRow};
pub use drafts::{DraftRow, StoredDraft};
pub use history::{HistoryEntry, HistoryRow};
pub use migrations::SCHEMA_VERSION;
pub use outbox::{HOLD, OutboxItem, OutboxNew, OutboxState};
pub use recovery::OpenReport;
pub use reviews::{CachedReview, ListForm, ListRow, StoredReview};
pub use sending::{owner_gone, process_owner};
pub use stats_rows::{EarlierRating, EarlierVersion, FactsRef, ReviewFacts};

/// How much of the file a connection that reads all of it once maps instead of copying
/// through read(2): the whole-file check and the cache read beside it.
pub(crate) const READ_THROUGH_MAP: i64 = 4 << 30;

/// How long a statement waits for another connection's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything that can go wrong, each saying which file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "{name:?} cannot name a local database: use the profile's name (up to 64 letters, digits, '-', '_' or '.', starting with a letter or digit)"
    )]
    BadProfile { name: String },
    #[error("could not prepare {}: {source}; check that the directory is yours, writable, and that the disk has room", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "{} was made by a newer reviewdesk (schema {found}, this one knows up to {known}); upgrade reviewdesk, or point it at another data directory",
        path.display()
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error(
        "{} stayed locked by another reviewdesk process for over {} seconds; close the other one or try again",
        path.display(),
        BUSY_TIMEOUT.as_secs()
    )]
    Busy { path: PathBuf },
    #[error("{} is damaged ({detail}); restart reviewdesk, which moves it aside and starts a fresh one", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("{} could not be moved aside after it was found damaged ({source}); move it away by hand and start again", path.display())]
    MoveAside { path: PathBuf, source: std::io::Error },
    #[error(
        "{} was deleted or replaced while reviewdesk had it open; restart reviewdesk to start a fresh one",
        path.display()
    )]
    FileGone { path: PathBuf },
    #[error(
        "{} could not be put in WAL mode (it stayed {mode}); keep the data directory on a local disk (set XDG_DATA_HOME)",
        path.display()
    )]
    NoWal { path: PathBuf, mode: String },
    #[error("the local database {} failed: {source}; if this repeats, quit reviewdesk, move the file aside and start again", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error(
        "review {review} of app {app} already has a reply in the outbox of {} (item {id}, {state}); edit, retry or discard that one instead",
        path.display()
    )]
    AlreadyInOutbox {
        path: PathBuf,
        app: String,
        review: String,
        id: i64,
        state: OutboxState,
    },
    #[error(
        "outbox item {id} is not sent again: another reply to the same review was sent (item {sent}, in {}), and a review takes one response",
        path.display()
    )]
    AlreadySent { path: PathBuf, id: i64, sent: i64 },
    #[error("outbox item {id} is not in {}; another reviewdesk may have discarded it: reload the outbox", path.display())]
    NotFound { path: PathBuf, id: i64 },
    #[error("outbox item {id} in {} is {state}; it can be {action} only while {allowed}: reload the outbox", path.display())]
    WrongState {
        path: PathBuf,
        id: i64,
        state: OutboxState,
        action: &'static str,
        allowed: &'static str,
    },
    #[error(
        "outbox item {id} in {} cannot be taken back: it is {state} and was already handed to the sender (attempted {attempts} times); it may be on its way to the Store",
        path.display()
    )]
    TooLateToTakeBack {
        path: PathBuf,
        id: i64,
        state: OutboxState,
        attempts: i64,
    },
    #[error(
        "outbox item {id} in {} is no longer held by {owner} (its lease ran out); fetch the review and verify before sending it again",
        path.display()
    )]
    LeaseLost { path: PathBuf, id: i64, owner: String },
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

/// Turns a SQLite error into a [`DbError`] naming the file.
pub(crate) fn sql_err(path: &Path, e: rusqlite::Error) -> DbError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => DbError::Busy { path: path.to_owned() },
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => DbError::Corrupt {
            path: path.to_owned(),
            detail: e.to_string(),
        },
        _ => DbError::Sqlite {
            path: path.to_owned(),
            source: e,
        },
    }
}

/// `.at(path)` on a rusqlite result.
pub(crate) trait At<T> {
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> At<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|e| sql_err(path, e))
    }
}

/// One profile's database: one connection to `<data_dir>/<profile>.sqlite3`.
pub struct Db {
    conn: Connection,
    path: PathBuf,
    profile: String,
    /// Device and inode of the file when opened, to notice it being deleted or replaced.
    identity: (u64, u64),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish()
    }
}

/// The same rule as profile names in config.toml, so the name is always a safe file name.
pub fn valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Where a profile's database lives.
pub fn db_path(data_dir: &Path, profile: &str) -> Result<PathBuf> {
    if !valid_profile_name(profile) {
        return Err(DbError::BadProfile {
            name: profile.chars().take(80).collect(),
        });
    }
    Ok(data_dir.join(format!("{profile}.sqlite3")))
}

impl Db {
    /// Opens (creating, migrating or, when damaged, replacing) the profile's database. The
    /// report says whether the file was new or replaced, and what a replacement lost: show it.
    pub fn open(data_dir: &Path, profile: &str) -> Result<(Db, OpenReport)> {
        let path = db_path(data_dir, profile)?;
        sys::private_dir(data_dir).map_err(io_err(data_dir))?;
        // `<profile>.sqlite3.lock`: held while opening, so two processes starting together do
        // not both replace a damaged file; its presence also tells that a database was made
        // here before, so a missing one was deleted, not never made.
        let lock_path = data_dir.join(format!("{profile}.sqlite3.lock"));
        let made_before = lock_path.exists();
        let _lock = sys::FileLock::take(&lock_path).map_err(io_err(&lock_path))?;
        let existed = fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false);
        let (conn, mut report) = recovery::open_checked(&path, existed)?;
        report.missing = !existed && made_before;
        let db = Db::from_conn(conn, path, profile)?;
        Ok((db, report))
    }

    /// A connection to the file at `path` that only reads, for reading the cache while
    /// [`Db::open`] checks the file (`quick_check` reads all of it: seconds at a million
    /// reviews): `query_only`, and closing never checkpoints or removes the WAL, so a file that
    /// turns out damaged is moved aside as it was. `None` when the file is missing, of another
    /// schema version (the open migrates it first), or cannot be opened so: then read after the
    /// open. What it reads is unchecked: the caller keeps it until the open said the file was
    /// sound, or takes back what it showed.
    pub fn peek(path: &Path) -> Option<Db> {
        if !path.is_file() {
            return None;
        }
        // Read-write but `query_only`: a read-only connection could not use the WAL's index
        // (`-shm`) while the file's writer is gone.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .ok()?;
        conn.pragma_update(None, "query_only", true).ok()?;
        conn.busy_timeout(Duration::from_millis(200)).ok()?;
        // It reads the whole cache once and is closed (see `recovery::check`).
        conn.pragma_update(None, "mmap_size", READ_THROUGH_MAP).ok()?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).ok()?;
        if version != SCHEMA_VERSION {
            return None;
        }
        let profile = path.file_stem()?.to_str()?.to_owned();
        Db::from_conn(conn, path.to_owned(), &profile).ok()
    }

    /// A second connection to the same file, for another thread: no checks, no migrations.
    pub fn connect_again(&self) -> Result<Db> {
        let conn = connect(&self.path)?;
        configure(&conn, &self.path)?;
        Db::from_conn(conn, self.path.clone(), &self.profile)
    }

    fn from_conn(conn: Connection, path: PathBuf, profile: &str) -> Result<Db> {
        let identity = sys::identity(&path).map_err(io_err(&path))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Db {
            conn,
            identity,
            path,
            profile: profile.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Errors with [`DbError::FileGone`] when the file was deleted or replaced under us (writes
    /// would then go to a file nobody will open again). Cheap: one `stat`. Call it now and then,
    /// say before saving a draft. (On Windows an open database cannot be deleted; only its
    /// absence is checked.)
    pub fn check_file(&self) -> Result<()> {
        match sys::identity(&self.path) {
            Ok(id) if id == self.identity => Ok(()),
            _ => Err(DbError::FileGone {
                path: self.path.clone(),
            }),
        }
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction (the write lock is taken at once, so two
    /// processes never interleave read-then-write). With `durable`, the commit is fsynced.
    pub(crate) fn write_tx<T>(
        &mut self,
        durable: bool,
        f: impl FnOnce(&Transaction<'_>, &Path) -> Result<T>,
    ) -> Result<T> {
        let path = &self.path;
        if durable {
            self.conn.pragma_update(None, "synchronous", "FULL").at(path)?;
        }
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .at(path)?;
            let value = f(&tx, path)?;
            tx.commit().at(path)?;
            Ok(value)
        })();
        if durable {
            let restored = self.conn.pragma_update(None, "synchronous", "NORMAL").at(path);
            if result.is_ok() {
                restored?;
            }
        }
        result
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Makes sure the file exists, mode 0600 on Unix, before SQLite opens it: SQLite gives the
/// `-wal` and `-shm` files the main file's mode, so they are private too.
pub(crate) fn ensure_private_file(path: &Path) -> Result<()> {
    sys::private_file(path).map(drop).map_err(io_err(path))
}

pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).at(path)?;
    conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
    Ok(conn)
}

/// The per-connection settings (WAL is stored in the file; the others are per connection).
pub(crate) fn configure(conn: &Connection, path: &Path) -> Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).at(path)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::NoWal {
            path: path.to_owned(),
            mode,
        });
    }
    conn.execute_batch(
        "PRAGMA synchronous=NORMAL;
         PRAGMA foreign_keys=ON;
         PRAGMA journal_size_limit=16777216;
         PRAGMA temp_store=MEMORY;
         PRAGMA cache_size=-16384;",
    )
    .at(path)?;
    Ok(())
}
