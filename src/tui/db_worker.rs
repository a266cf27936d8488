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
use super::app::Command;
use super::app::sanitize_review;
use crate::db::{CachedReview, Db, DbError, DraftRow, StoredReview};
use crate::store::Review;

/// Where the drafts of this run live: the data directory and the database's profile name.
#[derive(Clone, Debug)]
pub struct DraftsAt {
    pub dir: PathBuf,
    pub profile: String,
}

/// The handle the event loop keeps.
pub struct DbWorker {
    tx: Option<std_mpsc::Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

/// Opens the database on its own thread, then sends [`Action::DraftsLoaded`] with the drafts of
/// `apps` (or why it could not be opened).
pub fn spawn(at: DraftsAt, apps: Vec<String>, actions: mpsc::Sender<Action>) -> DbWorker {
    let (tx, rx) = std_mpsc::channel::<Command>();
    let thread = std::thread::Builder::new()
        .name("reviewdesk-db".into())
        .spawn(move || serve(at, apps, rx, actions))
        .ok();
    DbWorker {
        tx: thread.as_ref().map(|_| tx),
        thread,
    }
}

impl DbWorker {
    /// Drafts and cache commands go to the thread; anything else is not its business.
    pub fn send(&self, cmd: Command) {
        if let Some(tx) = &self.tx
            && cmd.is_db_op()
        {
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

fn serve(at: DraftsAt, apps: Vec<String>, rx: std_mpsc::Receiver<Command>, actions: mpsc::Sender<Action>) {
    // The event loop may be gone (or not reading) by the time an answer is ready: never block.
    let tell = |a: Action| {
        let _ = actions.try_send(a);
    };
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
            tell(Action::DraftsLoaded(Err(e.to_string())));
            None
        }
    };
    let Some(mut db) = db else {
        // Nothing is written; a cache read is answered, so the app goes on to fetch.
        for cmd in rx {
            if let Command::LoadCache { request, app } = cmd {
                tell(Action::CacheLoaded {
                    request,
                    app,
                    result: Err("the local database is not open: no cached reviews".to_owned()),
                });
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
            Command::SaveDraft { app, review, draft } => {
                let row = DraftRow {
                    text: draft.text.clone(),
                    public: draft.public,
                    email: draft.email.clone(),
                };
                db.save_draft(app, review, &row, now())
            }
            Command::DeleteDraft { app, review } => db.delete_draft(app, review).map(drop),
            _ => Ok(()),
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
fn cache(db: &mut Db, cmd: &Command, tell: &impl Fn(Action)) -> Option<Result<(), DbError>> {
    Some(match cmd {
        Command::LoadCache { request, app } => {
            let result = load_cache(db, app).map_err(|e| e.to_string());
            match &result {
                Ok(c) => tracing::info!(app, reviews = c.reviews.len(), "read the review cache"),
                Err(e) => tracing::warn!(app, error = %e, "reading the review cache failed"),
            }
            tell(Action::CacheLoaded {
                request: *request,
                app: app.clone(),
                result,
            });
            Ok(())
        }
        Command::CacheReviews { app, reviews } => {
            let rows: Vec<CachedReview> = reviews
                .iter()
                .filter_map(|r| {
                    let id = r.id.clone()?;
                    let raw_json = serde_json::to_string(r).ok()?;
                    Some(CachedReview {
                        id,
                        date_ts: r.timestamp,
                        raw_json,
                    })
                })
                .collect();
            db.check_file()
                .and_then(|()| db.upsert_reviews(app, &rows, now()))
                .map(drop)
        }
        Command::CacheSynced {
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
        _ => return None,
    })
}

/// Parsed and cleaned as the app would (`sanitize_review` does nothing the second time); a row
/// that no longer parses is skipped.
fn parse_rows(rows: &[StoredReview]) -> Vec<(Review, bool)> {
    rows.iter()
        .filter_map(|row| match serde_json::from_str::<Review>(&row.raw_json) {
            Ok(mut r) => {
                sanitize_review(&mut r);
                Some((r, row.vanished))
            }
            Err(e) => {
                tracing::warn!(review = %row.id, error = %e, "a cached review does not parse; skipped");
                None
            }
        })
        .collect()
}

/// The cached reviews of `app`, parsed; a row that no longer parses is skipped (and logged).
pub fn load_cache(db: &Db, app: &str) -> Result<CachedReviews, DbError> {
    let rows = db.load_reviews(app)?;
    let last_sync = db.last_sync(app)?;
    let newest_fetch = rows.iter().map(|r| r.fetched_at).max();
    let mut cached = CachedReviews {
        reviews: Vec::with_capacity(rows.len()),
        vanished: Vec::new(),
        last_sync,
        age_secs: last_sync.or(newest_fetch).map(|t| (now() - t).max(0)),
    };
    // Parsing is most of the time to the first frame: the rows are split over two threads.
    let half = rows.len() / 2;
    let (first, second) = std::thread::scope(|s| {
        let other = s.spawn(|| parse_rows(&rows[half..]));
        (parse_rows(&rows[..half]), other.join().unwrap_or_default())
    });
    for part in [first, second] {
        for (r, vanished) in part {
            if vanished && let Some(id) = &r.id {
                cached.vanished.push(id.clone());
            }
            cached.reviews.push(r);
        }
    }
    Ok(cached)
}
