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
use super::app::sanitize_review;
use super::app::view::haystack;
use super::ids::IdIndex;
use crate::db::{CachedReview, Db, DbError, DraftRow, StoredReview};
use crate::store::Review;

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
    let db = match Db::open(&at.dir, &at.profile) {
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
        for cmd in rx {
            match cmd {
                DbCommand::LoadCache { request, app } => tell(Action::CacheLoaded {
                    request,
                    app,
                    result: Err("the local database is not open: no cached reviews".to_owned()),
                }),
                DbCommand::ComputeStats { request, .. } => tell(Action::StatsComputed {
                    request,
                    result: Err("the local database is not open: nothing to count".to_owned()),
                }),
                _ => {}
            }
        }
        return;
    };
    let mut last_error: Option<String> = None;
    let mut cache_error: Option<String> = None;
    for cmd in rx {
        if let Some(result) = cache(&mut db, &cmd, &tell) {
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
                let result = crate::stats::for_app(&db, app, *days, now())
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                tell(Action::StatsComputed {
                    request: *request,
                    result,
                });
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
fn cache(db: &mut Db, cmd: &DbCommand, tell: &impl Fn(Action)) -> Option<Result<(), DbError>> {
    Some(match cmd {
        DbCommand::LoadCache { request, app } => {
            let answer = |result| {
                tell(Action::CacheLoaded {
                    request: *request,
                    app: app.clone(),
                    result,
                })
            };
            // The newest reviews go first, on their own; then the rest.
            let result = load_cache(db, app, |first| {
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
        DbCommand::CacheReviews { app, reviews } => {
            let rows: Vec<CachedReview> = reviews.iter().filter_map(CachedReview::of).collect();
            db.check_file()
                .and_then(|()| db.upsert_reviews(app, &rows, now()))
                .map(drop)
        }
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
        DbCommand::SaveDraft { .. } | DbCommand::DeleteDraft { .. } | DbCommand::ComputeStats { .. } => return None,
    })
}

/// How many of the newest reviews are read and sent on their own, before the rest: more than
/// any terminal shows at once.
pub const FIRST_PART: usize = 256;

/// Parsed and cleaned as the app would, with their search text; a row that no longer parses is
/// skipped (and logged).
fn parse_rows(rows: &[StoredReview]) -> CachedReviews {
    let mut out = CachedReviews {
        reviews: Vec::with_capacity(rows.len()),
        haystacks: Vec::with_capacity(rows.len()),
        ..CachedReviews::default()
    };
    for row in rows {
        match serde_json::from_str::<Review>(&row.raw_json) {
            Ok(mut r) => {
                sanitize_review(&mut r);
                if row.vanished
                    && let Some(id) = &r.id
                {
                    out.vanished.push(id.clone());
                }
                out.haystacks.push(haystack(&r));
                out.reviews.push(r);
            }
            Err(e) => tracing::warn!(review = %row.id, error = %e, "a cached review does not parse; skipped"),
        }
    }
    out
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
    let last_sync = db.last_sync(app)?;
    let age = |newest_fetch: Option<i64>| last_sync.or(newest_fetch).map(|t| (now() - t).max(0));
    let newest = db.load_newest_reviews(app, FIRST_PART)?;
    let mut newest_fetch = newest.iter().map(|r| r.fetched_at).max();
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
    let skip: HashSet<&str> = newest.iter().map(|r| r.id.as_str()).collect();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let (tx, rx) = std_mpsc::channel::<(usize, Vec<StoredReview>)>();
    let rx = std::sync::Mutex::new(rx);
    let parsed = std::thread::scope(|s| {
        let parsers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        // The lock is held only to take the next batch.
                        let next = rx.lock().map_err(drop).and_then(|rx| rx.recv().map_err(drop));
                        let Ok((n, rows)) = next else { break done };
                        done.push((n, parse_rows(&rows)));
                    }
                })
            })
            .collect();
        let mut n = 0;
        let read = db.scan_reviews(app, BATCH, |mut rows| {
            newest_fetch = newest_fetch.max(rows.iter().map(|r| r.fetched_at).max());
            rows.retain(|r| !skip.contains(r.id.as_str()));
            let _ = tx.send((n, rows));
            n += 1;
        });
        drop(tx);
        let mut parts: Vec<(usize, CachedReviews)> = Vec::with_capacity(n);
        for p in parsers {
            // A parser that panicked loses its rows, as rows that do not parse would be.
            parts.extend(p.join().unwrap_or_default());
        }
        read.map(|()| parts)
    })?;
    let mut parts = parsed;
    parts.sort_unstable_by_key(|(n, _)| *n);
    let mut whole = newest_first(first_copy, parts);
    whole.last_sync = last_sync;
    whole.age_secs = age(newest_fetch);
    Ok(whole)
}

/// `front` (the first part, as sent), then the parsed `parts` (in storage order) newest first,
/// as one list with its index and unanswered count.
fn newest_first(front: CachedReviews, parts: Vec<(usize, CachedReviews)>) -> CachedReviews {
    let total = front.reviews.len() + parts.iter().map(|(_, p)| p.reviews.len()).sum::<usize>();
    let mut rest: Vec<Option<(Review, Box<str>)>> = Vec::with_capacity(total - front.reviews.len());
    let mut whole = CachedReviews {
        reviews: Vec::with_capacity(total),
        haystacks: Vec::with_capacity(total),
        vanished: front.vanished,
        whole: true,
        ..CachedReviews::default()
    };
    whole.reviews.extend(front.reviews);
    whole.haystacks.extend(front.haystacks);
    for (_, p) in parts {
        rest.extend(p.reviews.into_iter().zip(p.haystacks).map(Some));
        whole.vanished.extend(p.vanished);
    }
    // Stable: equal dates keep the storage order, as the view's tie-break expects.
    let mut order: Vec<usize> = (0..rest.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(rest[i].as_ref().and_then(|(r, _)| r.timestamp)));
    for i in order {
        if let Some((r, h)) = rest[i].take() {
            whole.reviews.push(r);
            whole.haystacks.push(h);
        }
    }
    whole.ids = IdIndex::build(&whole.reviews);
    whole.unanswered = whole.reviews.iter().filter(|r| !r.is_answered()).count();
    whole
}
