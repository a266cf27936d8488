//! The db thread: holds the profile's database connection, saves and deletes drafts, reads and
//! writes the review cache as the app asks, and answers with actions. A plain thread, not a
//! task: SQLite calls block, and a save must never hold up drawing. The UI itself never touches
//! the disk.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::action::Action;
use super::app::DbCommand;
use super::cache_read::now;
pub use super::cache_read::{EarlyRead, FIRST_PART, load_cache, load_cache_after};
use super::db_early::{EarlyPart, answer_early, take_back};
pub use super::db_early::{read_beside_open, read_first_part};
use crate::db::{Db, DbError, DraftRow};

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
    /// Set by [`DbWorker::finish`]: what is still queued for the cache is dropped (see there).
    quitting: Arc<AtomicBool>,
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
    let quitting = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&quitting);
    let thread = std::thread::Builder::new()
        .name("reviewdesk-db".into())
        .spawn(move || serve(at, apps, rx, actions, outbox, &stop))
        .ok();
    DbWorker {
        tx: thread.as_ref().map(|_| tx),
        thread,
        quitting,
    }
}

impl DbWorker {
    pub fn send(&self, cmd: DbCommand) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cmd);
        }
    }

    /// What quitting does: waits until every draft sent has been written, and closes the
    /// database. Fetched pages still queued for the cache are dropped: after a million-review
    /// fetch they are many seconds of writing that `q` would wait for, and a cache without them
    /// is only older (the sync is not stamped, so the next start fetches them again). Drafts are
    /// what the person typed: all of them are written.
    pub fn quit(self) {
        self.quitting.store(true, Ordering::SeqCst);
        self.finish();
    }

    /// Waits until everything sent has been written, and closes the database.
    pub fn finish(mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    at: DraftsAt,
    apps: Vec<String>,
    rx: std_mpsc::Receiver<DbCommand>,
    actions: mpsc::Sender<Action>,
    outbox: Option<OutboxDb>,
    quitting: &AtomicBool,
) {
    // The event loop may be gone (or not reading) by the time an answer is ready: never block.
    let tell = |a: Action| {
        let _ = actions.try_send(a);
    };
    // Removed when the thread ends, after the database in it is closed.
    let fallback: Option<tempfile::TempDir>;
    // Opening checks the whole file (`quick_check`: seconds at a million reviews); the cache is
    // read meanwhile, its newest reviews sent at once (see `answer_early`).
    let mut held = Vec::new();
    let (opened, mut early) = std::thread::scope(|s| {
        let opening = s.spawn(|| Db::open(&at.dir, &at.profile));
        let path = crate::db::db_path(&at.dir, &at.profile).ok();
        let early = answer_early(path.as_deref(), &rx, &actions, &mut held, || opening.is_finished());
        let opened = opening.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (opened, early)
    });
    // What was read early is from the file as it was before its check: it stands only if the
    // open found that file sound and kept it.
    let sound = matches!(&opened, Ok((_, report)) if !report.recreated);
    if !sound && let Some(e) = early.take() {
        take_back(e, &tell);
    }
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
        if quitting.load(Ordering::SeqCst)
            && !matches!(cmd, DbCommand::SaveDraft { .. } | DbCommand::DeleteDraft { .. })
        {
            continue;
        }
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
            // The newest reviews go first, on their own (unless already sent early); then the rest
            // (unless read early too).
            let early = early.and_then(|e| e.finish(*request, app));
            let result = load_cache_after(db, app, early, view, |first| {
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
