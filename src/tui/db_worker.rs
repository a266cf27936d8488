//! The db thread: holds the profile's database connection, saves and deletes drafts, reads and
//! writes the review cache as the app asks, and answers with actions. A plain thread, not a
//! task: SQLite calls block, and a save must never hold up drawing. The UI itself never touches
//! the disk.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::action::{Action, CachedReviews};
use super::app::DbCommand;
use super::app::view::ViewSpec;
use super::cache_list::WholeList;
use crate::db::{Db, DbError, DraftRow, ListRow};

/// Where the drafts of this run live: the data directory and the database's profile name.
#[derive(Clone, Debug)]
pub struct DraftsAt {
    pub dir: PathBuf,
    pub profile: String,
}

/// Where the outbox worker's own connection goes once the database is open.
pub type OutboxDb = tokio::sync::oneshot::Sender<Result<Db, String>>;

/// The handle the event loop keeps.
pub struct DbWorker {
    tx: Option<std_mpsc::Sender<DbCommand>>,
    thread: Option<JoinHandle<()>>,
}

/// Opens the database on its own thread, then sends [`Action::DraftsLoaded`] with the drafts of
/// `apps` (or why it could not be opened).
pub fn spawn(at: DraftsAt, apps: Vec<String>, actions: mpsc::Sender<Action>) -> DbWorker {
    spawn_with_outbox(at, apps, actions, None)
}

/// [`spawn`], and a second connection goes to `outbox` (the outbox worker's), or why there is
/// none.
pub fn spawn_with_outbox(
    at: DraftsAt,
    apps: Vec<String>,
    actions: mpsc::Sender<Action>,
    outbox: Option<OutboxDb>,
) -> DbWorker {
    let (tx, rx) = std_mpsc::channel::<DbCommand>();
    let thread = std::thread::Builder::new()
        .name("reviewdesk-db".into())
        .spawn(move || serve(at, apps, rx, actions, outbox))
        .ok();
    DbWorker {
        tx: thread.as_ref().map(|_| tx),
        thread,
    }
}

impl DbWorker {
    pub fn send(&self, cmd: DbCommand) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cmd);
        }
    }

    /// Waits until everything sent has been written, and closes the database.
    pub fn finish(mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn serve(
    at: DraftsAt,
    apps: Vec<String>,
    rx: std_mpsc::Receiver<DbCommand>,
    actions: mpsc::Sender<Action>,
    outbox: Option<OutboxDb>,
) {
    // The event loop may be gone (or not reading) by the time an answer is ready: never block.
    let tell = |a: Action| {
        let _ = actions.try_send(a);
    };
    // Removed when the thread ends, after the database in it is closed.
    let fallback: Option<tempfile::TempDir>;
    // Opening checks the whole file (`quick_check`: half a second at a million reviews); the
    // first screen of cached reviews is read and sent meanwhile.
    let mut held = Vec::new();
    let (opened, mut early) = std::thread::scope(|s| {
        let opening = s.spawn(|| Db::open(&at.dir, &at.profile));
        let early = answer_early(&at, &rx, &tell, &mut held, || opening.is_finished());
        let opened = opening.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (opened, early)
    });
    let db = match opened {
        Ok((db, report)) => {
            let mut drafts = Vec::new();
            let loaded = apps.iter().try_for_each(|app| {
                drafts.extend(db.drafts(app)?);
                Ok::<_, crate::db::DbError>(())
            });
            match loaded {
                Ok(()) => {
                    tell(Action::DraftsLoaded(Ok((drafts, report.message()))));
                    Some(db)
                }
                Err(e) => {
                    tell(Action::DraftsLoaded(Err(e.to_string())));
                    None
                }
            }
        }
        Err(e) => {
            // The cache and the outbox still need a database: every reply goes through the
            // outbox. A temporary one keeps them for this run; drafts stay in memory (the
            // person is told they do not outlive it).
            fallback = tempfile::Builder::new().prefix("reviewdesk-fallback-").tempdir().ok();
            let temporary = fallback.as_ref().and_then(|dir| Db::open(dir.path(), &at.profile).ok());
            let also = if temporary.is_some() {
                "; cached reviews and the outbox are kept in a temporary database until reviewdesk ends"
            } else {
                ""
            };
            tell(Action::DraftsLoaded(Err(format!("{e}{also}"))));
            temporary.map(|(db, _)| db)
        }
    };
    if let Some(outbox) = outbox {
        let second = match &db {
            Some(db) => db.connect_again().map_err(|e| e.to_string()),
            None => Err("the local database could not be opened".to_owned()),
        };
        let _ = outbox.send(second);
    }
    let Some(mut db) = db else {
        // Nothing is written; a cache read is answered, so the app goes on to fetch.
        for cmd in held.into_iter().chain(rx) {
            match cmd {
                DbCommand::LoadCache { request, app, .. } => tell(Action::CacheLoaded {
                    request,
                    app,
                    result: Err("the local database is not open: no cached reviews".to_owned()),
                }),
                DbCommand::ComputeStats { request, .. } => tell(Action::StatsComputed {
                    request,
                    result: Err("the local database is not open: nothing to count".to_owned()),
                }),
                DbCommand::LoadReplyHistory => tell(super::db_history::not_open()),
                _ => {}
            }
        }
        return;
    };
    let mut last_error: Option<String> = None;
    let mut cache_error: Option<String> = None;
    for cmd in held.into_iter().chain(rx) {
        if let Some(result) = cache(&mut db, &cmd, early.take(), &tell) {
            match result {
                Ok(()) => cache_error = None,
                Err(e) => {
                    let e = e.to_string();
                    tracing::warn!(error = %e, "writing the review cache failed");
                    if cache_error.as_deref() != Some(e.as_str()) {
                        tell(Action::CacheStoreFailed(e.clone()));
                        cache_error = Some(e);
                    }
                }
            }
            continue;
        }
        let result = db.check_file().and_then(|()| match &cmd {
            DbCommand::SaveDraft { app, review, draft } => {
                let row = DraftRow {
                    text: draft.text.clone(),
                    public: draft.public,
                    email: draft.email.clone(),
                };
                db.save_draft(app, review, &row, now())
            }
            DbCommand::DeleteDraft { app, review } => db.delete_draft(app, review).map(drop),
            DbCommand::ComputeStats { request, app, days } => {
                // Counted here, between draft saves: a 365-day count of 100,000 reviews holds
                // the thread for a few hundred ms at most (BENCHMARKS.md), and a save waits
                // that long once, when the person opened the screen rather than typing.
                let result = crate::stats::for_source(&db, app, *days, now())
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                tell(Action::StatsComputed {
                    request: *request,
                    result,
                });
                Ok(())
            }
            DbCommand::LoadReplyHistory => {
                tell(super::db_history::load(&db));
                Ok(())
            }
            // Answered by `cache` above.
            DbCommand::LoadCache { .. } | DbCommand::CacheReviews { .. } | DbCommand::CacheSynced { .. } => Ok(()),
        });
        match result {
            Ok(()) => last_error = None,
            Err(e) => {
                let e = e.to_string();
                tracing::warn!(error = %e, "saving a draft failed");
                // Once per kind of failure, not once per keystroke.
                if last_error.as_deref() != Some(e.as_str()) {
                    tell(Action::DraftStoreFailed(e.clone()));
                    last_error = Some(e);
                }
            }
        }
    }
}

/// The review cache's commands; `None` for any other.
fn cache(
    db: &mut Db,
    cmd: &DbCommand,
    early: Option<EarlyPart>,
    tell: &impl Fn(Action),
) -> Option<Result<(), DbError>> {
    Some(match cmd {
        DbCommand::LoadCache { request, app, view } => {
            let answer = |result| {
                tell(Action::CacheLoaded {
                    request: *request,
                    app: app.clone(),
                    result,
                })
            };
            // The newest reviews go first, on their own (unless already sent early); then the rest.
            let sent = early.filter(|e| e.request == *request && e.app == *app).map(|e| e.part);
            let result = load_cache_after(db, app, sent, view, |first| {
                tracing::info!(app, reviews = first.reviews.len(), "read the newest cached reviews");
                answer(Ok(first));
            })
            .map_err(|e| e.to_string());
            match &result {
                Ok(c) => tracing::info!(app, reviews = c.reviews.len(), "read the review cache"),
                Err(e) => tracing::warn!(app, error = %e, "reading the review cache failed"),
            }
            answer(result);
            Ok(())
        }
        DbCommand::CacheReviews { app, reviews } => db
            .check_file()
            .and_then(|()| db.upsert_fetched(app, reviews, now()))
            .map(drop),
        DbCommand::CacheSynced {
            app,
            start_ts,
            end_ts,
            seen,
        } => {
            let seen: HashSet<String> = seen.iter().cloned().collect();
            db.check_file()
                .and_then(|()| db.mark_vanished(app, *start_ts, *end_ts, &seen))
                .and_then(|_| db.set_last_sync(app, now()))
        }
        DbCommand::SaveDraft { .. }
        | DbCommand::DeleteDraft { .. }
        | DbCommand::ComputeStats { .. }
        | DbCommand::LoadReplyHistory => return None,
    })
}

/// How many of the newest reviews are read and sent on their own, before the rest: more than
/// any terminal shows at once.
pub const FIRST_PART: usize = 256;

/// Read and cleaned as the app would (from the list form, or the JSON of a row stored before
/// it), with their search text; a row that reads neither way is skipped (and logged).
fn parse_rows(rows: &[ListRow]) -> CachedReviews {
    let mut out = CachedReviews {
        reviews: Vec::with_capacity(rows.len()),
        ..CachedReviews::default()
    };
    out.haystacks.reserve(rows.len());
    for row in rows {
        let Some(r) = row.review() else { continue };
        if row.vanished
            && let Some(id) = &r.id
        {
            out.vanished.push(id.clone());
        }
        out.haystacks.push(&r);
        out.reviews.push(r);
    }
    out
}

/// The first part, read and sent before the database was opened and checked.
struct EarlyPart {
    request: u64,
    app: String,
    part: CachedReviews,
}

/// While the database opens (until `opened()`): waits for the app's first command and, when it
/// is to read the cache and there are more than [`FIRST_PART`] cached reviews, sends the newest
/// of them at once ([`read_first_part`]). Any command taken is kept in `held`, to be carried out
/// in order once the database is open.
fn answer_early(
    at: &DraftsAt,
    rx: &std_mpsc::Receiver<DbCommand>,
    tell: &impl Fn(Action),
    held: &mut Vec<DbCommand>,
    opened: impl Fn() -> bool,
) -> Option<EarlyPart> {
    // The app asks for the cache as it starts; once the file is open, the usual path is as fast.
    let cmd = loop {
        match rx.recv_timeout(std::time::Duration::from_millis(5)) {
            Ok(cmd) => break cmd,
            Err(std_mpsc::RecvTimeoutError::Timeout) if !opened() => continue,
            Err(_) => return None,
        }
    };
    let early = match &cmd {
        DbCommand::LoadCache { request, app, .. } => {
            let path = crate::db::db_path(&at.dir, &at.profile).ok()?;
            read_first_part(&path, app).map(|part| EarlyPart {
                request: *request,
                app: app.clone(),
                part,
            })
        }
        _ => None,
    };
    held.push(cmd);
    let early = early?;
    tracing::info!(
        app = early.app,
        reviews = early.part.reviews.len(),
        "read the newest cached reviews before the check"
    );
    tell(Action::CacheLoaded {
        request: early.request,
        app: early.app.clone(),
        result: Ok(early.part.clone()),
    });
    Some(early)
}

/// The newest [`FIRST_PART`] cached reviews of `app` in the database file at `path`, parsed and
/// cleaned, with `more` set, read without opening the file through [`Db::open`] (see
/// [`Db::peek_newest_reviews`]); `None` when there are not more than that many (they come with
/// the whole list) or the file cannot be read so.
pub fn read_first_part(path: &std::path::Path, app: &str) -> Option<CachedReviews> {
    let (rows, last_sync) = Db::peek_newest_reviews(path, app, FIRST_PART)?;
    if rows.len() < FIRST_PART {
        return None;
    }
    let mut part = parse_rows(&rows);
    part.last_sync = last_sync;
    part.age_secs = last_sync
        .or(rows.iter().map(|r| r.fetched_at).max())
        .map(|t| (now() - t).max(0));
    part.more = true;
    Some(part)
}

/// Rows read per batch handed to the parsing threads (about 2 MB of JSON).
const BATCH: usize = 4096;

/// The cached reviews of `app`, parsed and cleaned. When there are more than [`FIRST_PART`], the
/// newest of them (newest first) are given to `first` at once, with `more` set, and then all of
/// them are returned (`whole`): that first part in front, the rest after it newest first (among
/// equal dates in the order `Db::load_reviews` gives), with their index by id and the unanswered
/// count, so the UI swaps its list for this one instead of merging it in. Otherwise all are
/// returned, newest first, and `first` is not called. The rest is parsed on as many threads as
/// there are cores (the UI is idle meanwhile) while it is read.
pub fn load_cache(db: &Db, app: &str, first: impl FnOnce(CachedReviews)) -> Result<CachedReviews, DbError> {
    load_cache_after(db, app, None, &ViewSpec::default(), first)
}

/// [`load_cache`] when the first part may have been sent already (`sent`, from
/// [`read_first_part`] before the file was opened): if the file still holds those same newest
/// reviews, `first` is not called again and the whole list starts with them; otherwise (the file
/// was damaged and replaced meanwhile, say) it is [`load_cache`] (the app merges by id, so the
/// part sent early is not listed twice). The whole list comes with its view for `view`, made
/// here so that the UI thread only swaps it in.
pub fn load_cache_after(
    db: &Db,
    app: &str,
    sent: Option<CachedReviews>,
    view: &ViewSpec,
    first: impl FnOnce(CachedReviews),
) -> Result<CachedReviews, DbError> {
    let last_sync = db.last_sync(app)?;
    let age = |newest_fetch: Option<i64>| last_sync.or(newest_fetch).map(|t| (now() - t).max(0));
    let newest = db.load_newest_reviews(app, FIRST_PART)?;
    let mut newest_fetch = newest.iter().map(|r| r.fetched_at).max();
    let same_as_sent = |p: &CachedReviews| {
        newest.len() == FIRST_PART
            && p.more
            && p.reviews.len() == newest.len()
            && p.reviews
                .iter()
                .zip(&newest)
                .all(|(r, n)| r.id.as_deref() == Some(n.id.as_str()))
    };
    let first_copy = match sent.filter(same_as_sent) {
        Some(part) => part,
        None => {
            let mut part = parse_rows(&newest);
            part.last_sync = last_sync;
            part.age_secs = age(newest_fetch);
            if newest.len() < FIRST_PART {
                // That is all of them.
                return Ok(part);
            }
            part.more = true;
            // Kept to go in front of the whole list: a few hundred reviews.
            let first_copy = part.clone();
            first(part);
            first_copy
        }
    };
    let skip: HashSet<&str> = newest.iter().map(|r| r.id.as_str()).collect();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    // Bounded: rows read faster than they are parsed wait in SQLite, not in memory.
    let (tx, rx) = std_mpsc::sync_channel::<(usize, Vec<ListRow>)>(threads * 2);
    // Only the parsers hold the receiver: if they all end (a panic), the reader's sends fail
    // instead of waiting for room forever.
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    // Parsed parts come back as they are done and join the list at once (see `cache_list`).
    let (done_tx, done_rx) = std_mpsc::channel::<(usize, CachedReviews)>();
    let mut list = WholeList::new(first_copy, db.review_count(app)?);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (rx, done_tx) = (std::sync::Arc::clone(&rx), done_tx.clone());
            s.spawn(move || {
                loop {
                    // The lock is held only to take the next batch.
                    let next = rx.lock().map_err(drop).and_then(|rx| rx.recv().map_err(drop));
                    let Ok((n, rows)) = next else { break };
                    if done_tx.send((n, parse_rows(&rows))).is_err() {
                        break;
                    }
                }
            });
        }
        drop((rx, done_tx));
        let mut n = 0;
        let read = db.scan_reviews(app, BATCH, |mut rows| {
            newest_fetch = newest_fetch.max(rows.iter().map(|r| r.fetched_at).max());
            rows.retain(|r| !skip.contains(r.id.as_str()));
            let _ = tx.send((n, rows));
            n += 1;
            while let Ok((read, part)) = done_rx.try_recv() {
                list.append(read, part);
            }
        });
        drop(tx);
        // Until every parser is done. A parser that panicked loses its rows, as rows that do not
        // parse would be.
        for (read, part) in done_rx.iter() {
            list.append(read, part);
        }
        read
    })?;
    let mut whole = list.finish();
    whole.view = Some(view.build(&whole.reviews));
    whole.last_sync = last_sync;
    whole.age_secs = age(newest_fetch);
    Ok(whole)
}
