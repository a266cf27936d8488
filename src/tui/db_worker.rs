//! The db thread: holds the profile's database connection, saves and deletes drafts, reads and
//! writes the review cache as the app asks, and answers with actions. A plain thread, not a
//! task: SQLite calls block, and a save must never hold up drawing. The UI itself never touches
//! the disk.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::action::{Action, CachedReviews};
use super::app::DbCommand;
use super::app::view::ViewSpec;
use super::ids::IdIndex;
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
    // Opening checks the whole file (`quick_check`: seconds at a million reviews); the cache is
    // read meanwhile, its newest reviews sent at once (see `answer_early`).
    let mut held = Vec::new();
    let (opened, mut early) = std::thread::scope(|s| {
        let opening = s.spawn(|| Db::open(&at.dir, &at.profile));
        let early = answer_early(&at, &rx, &actions, &mut held, || opening.is_finished());
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
                let result = crate::stats::for_app(&db, app, *days, now())
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

/// The cache as read beside the open, on a thread of its own ([`answer_early`]).
struct EarlyPart {
    request: u64,
    app: String,
    reading: JoinHandle<Option<EarlyRead>>,
    /// Held while the first part is sent, so that taking back and sending never cross.
    gate: Arc<Mutex<Gate>>,
}

#[derive(Default)]
struct Gate {
    /// Nothing more may be sent: what was is being taken back.
    closed: bool,
    /// How many reviews were sent.
    shown: usize,
}

impl EarlyPart {
    /// What was read, once read, if it answers the `LoadCache` of `request` for `app`.
    fn finish(self, request: u64, app: &str) -> Option<EarlyRead> {
        let read = self.reading.join().ok().flatten()?;
        (self.request == request && self.app == app).then_some(read)
    }
}

/// What was read of the cache before the open had checked the file.
#[derive(Debug, Default)]
pub struct EarlyRead {
    /// The newest reviews, as sent (with `more` set) before the rest was read.
    pub first: Option<CachedReviews>,
    /// All of them, as [`load_cache_after`] would answer, if the read went to the end.
    pub whole: Option<CachedReviews>,
}

/// While the database opens (until `opened()`): waits for the app's first command and, when it
/// is to read the cache, starts reading it on a thread of its own ([`read_beside_open`]), which
/// sends the newest reviews at once. Any command taken is kept in `held`, to be carried out in
/// order once the database is open.
fn answer_early(
    at: &DraftsAt,
    rx: &std_mpsc::Receiver<DbCommand>,
    actions: &mpsc::Sender<Action>,
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
        // (A profile name that makes no path fails the open too, which answers the command.)
        DbCommand::LoadCache { request, app, view } => crate::db::db_path(&at.dir, &at.profile).ok().and_then(|path| {
            let (request, app, view, actions) = (*request, app.clone(), view.clone(), actions.clone());
            let gate = Arc::new(Mutex::new(Gate::default()));
            let reading = std::thread::Builder::new()
                .name("reviewdesk-db-early".into())
                .spawn({
                    let (app, gate) = (app.clone(), gate.clone());
                    move || {
                        read_beside_open(&path, &app, &view, |part| {
                            let Ok(mut gate) = gate.lock() else { return };
                            if gate.closed {
                                return;
                            }
                            tracing::info!(
                                app,
                                reviews = part.reviews.len(),
                                "read the newest cached reviews before the check"
                            );
                            gate.shown = part.reviews.len();
                            let _ = actions.try_send(Action::CacheLoaded {
                                request,
                                app: app.clone(),
                                result: Ok(part.clone()),
                            });
                        })
                    }
                })
                .ok();
            reading.map(|reading| EarlyPart {
                request,
                app,
                reading,
                gate,
            })
        }),
        _ => None,
    };
    held.push(cmd);
    early
}

/// The file was not kept by the open (damaged and replaced, or not opened at all): what was
/// shown from it is taken back, in one sentence.
/// The read goes on, unheeded, on its thread: it only reads, and its answer is dropped.
fn take_back(early: EarlyPart, tell: &impl Fn(Action)) {
    let shown = match early.gate.lock() {
        Ok(mut gate) => {
            gate.closed = true;
            gate.shown
        }
        // The reader panicked while sending: it may have been sent.
        Err(poisoned) => poisoned.into_inner().shown.max(1),
    };
    if shown == 0 {
        return;
    }
    tracing::warn!(
        app = early.app,
        reviews = shown,
        "took back the reviews read before the check"
    );
    tell(Action::CacheWithdrawn {
        request: early.request,
        app: early.app,
        why: format!(
            "The {shown} cached reviews shown were taken back: the local database failed its check, so they could not be trusted; they will be fetched again."
        ),
    });
}

/// The cache of `app` read from the file at `path` before [`Db::open`] has checked it, on a
/// connection that only reads ([`Db::peek`]): the newest reviews go to `first` at once (when
/// there are more than [`FIRST_PART`]), then all of them are read and parsed as
/// [`load_cache_after`] does, their view made for `view`. `None` when the file cannot be read
/// so (missing, another schema version): then all is read after the open.
pub fn read_beside_open(
    path: &std::path::Path,
    app: &str,
    view: &ViewSpec,
    first: impl FnOnce(&CachedReviews),
) -> Option<EarlyRead> {
    let peek = Db::peek(path)?;
    let mut read = EarlyRead::default();
    let whole = load_cache_after(&peek, app, None, view, |part| {
        first(&part);
        read.first = Some(part);
    });
    read.whole = whole.ok();
    Some(read)
}

/// The newest [`FIRST_PART`] cached reviews of `app` in the database file at `path`, parsed and
/// cleaned, with `more` set, read without opening the file through [`Db::open`] (see
/// [`Db::peek`]); `None` when there are not more than that many (they come with the whole list)
/// or the file cannot be read so.
pub fn read_first_part(path: &std::path::Path, app: &str) -> Option<CachedReviews> {
    let peek = Db::peek(path)?;
    let rows = peek.load_newest_reviews(app, FIRST_PART).ok()?;
    if rows.len() < FIRST_PART {
        return None;
    }
    let last_sync = peek.last_sync(app).ok()?;
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

/// Whether `list` starts with the reviews `newest` names, in order, and holds no fewer.
fn starts_with(list: &CachedReviews, newest: &[ListRow]) -> bool {
    list.reviews.len() >= newest.len()
        && list
            .reviews
            .iter()
            .zip(newest)
            .all(|(r, n)| r.id.as_deref() == Some(n.id.as_str()))
}

/// [`load_cache`] when some of it may have been read already, beside the open
/// ([`read_beside_open`], `early`; the caller has made sure the open kept that file): when the
/// file still holds the same newest reviews and last sync, the whole list read early is the
/// answer, and `first` is not called again; failing the whole, the first part sent early starts
/// the list and only the rest is read. Otherwise (another process changed the newest reviews
/// meanwhile, say) it is [`load_cache`] (the app merges by id, so the part sent early is not
/// listed twice). The whole list comes with its view for `view`, made here so that the UI
/// thread only swaps it in.
pub fn load_cache_after(
    db: &Db,
    app: &str,
    early: Option<EarlyRead>,
    view: &ViewSpec,
    first: impl FnOnce(CachedReviews),
) -> Result<CachedReviews, DbError> {
    let last_sync = db.last_sync(app)?;
    let age = |newest_fetch: Option<i64>| last_sync.or(newest_fetch).map(|t| (now() - t).max(0));
    let newest = db.load_newest_reviews(app, FIRST_PART)?;
    let mut newest_fetch = newest.iter().map(|r| r.fetched_at).max();
    let EarlyRead { first: sent, whole } = early.unwrap_or_default();
    let read_whole = whole.filter(|w| {
        w.last_sync == last_sync
            && starts_with(w, &newest)
            && (newest.len() == FIRST_PART || w.reviews.len() == newest.len())
    });
    let sent_first = sent.is_some();
    if let Some(whole) = read_whole.filter(|w| sent_first == w.whole) {
        return Ok(whole);
    }
    let same_as_sent = |p: &CachedReviews| {
        newest.len() == FIRST_PART && p.more && p.reviews.len() == newest.len() && starts_with(p, &newest)
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
    let (tx, rx) = std_mpsc::channel::<(usize, Vec<ListRow>)>();
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
    whole.view = Some(view.build(&whole.reviews));
    whole.last_sync = last_sync;
    whole.age_secs = age(newest_fetch);
    Ok(whole)
}

/// `front` (the first part, as sent), then the parsed `parts` (in storage order) newest first,
/// as one list with its index and unanswered count. The parts are appended (each part's memory
/// is freed as it is moved) and then put in order in place, by following the cycles of the
/// sorting permutation: sorting a copy would hold every review twice at a million reviews.
fn newest_first(front: CachedReviews, parts: Vec<(usize, CachedReviews)>) -> CachedReviews {
    let total = front.reviews.len() + parts.iter().map(|(_, p)| p.reviews.len()).sum::<usize>();
    let mut whole = CachedReviews {
        reviews: Vec::with_capacity(total),
        vanished: front.vanished,
        whole: true,
        ..CachedReviews::default()
    };
    whole.haystacks.reserve(total);
    whole.reviews.extend(front.reviews);
    whole.haystacks.append(front.haystacks);
    let rest_from = whole.reviews.len();
    for (_, p) in parts {
        whole.reviews.extend(p.reviews);
        whole.haystacks.append(p.haystacks);
        whole.vanished.extend(p.vanished);
    }
    let (reviews, haystacks) = (&mut whole.reviews[rest_from..], &mut whole.haystacks);
    // Stable: equal dates keep the storage order, as the view's tie-break expects.
    let mut order: Vec<usize> = (0..reviews.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(reviews[i].timestamp));
    permute_in_place(&mut order, |a, b| {
        reviews.swap(a, b);
        haystacks.swap(rest_from + a, rest_from + b);
    });
    whole.ids = IdIndex::build(&whole.reviews);
    whole.unanswered = whole.reviews.iter().filter(|r| !r.is_answered()).count();
    whole
}

/// Rearranges a sequence so that position `k` holds what was at `order[k]`, through `swap`,
/// without a second copy: each cycle of the permutation is walked once. `order` must be a
/// permutation of `0..order.len()`; it is used up (left as the identity).
fn permute_in_place(order: &mut [usize], mut swap: impl FnMut(usize, usize)) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::permute_in_place;

    /// Every permutation of up to six items, and a few long shuffled ones, come out as indexing
    /// a copy would give.
    #[test]
    fn permuting_in_place_gives_what_indexing_a_copy_gives() {
        fn check(order: &[usize]) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items.clone();
            let mut o = order.to_vec();
            permute_in_place(&mut o, |a, b| got.swap(a, b));
            assert_eq!(got, want, "order {order:?}");
        }
        fn all(prefix: &mut Vec<usize>, n: usize) {
            if prefix.len() == n {
                return check(prefix);
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    all(prefix, n);
                    prefix.pop();
                }
            }
        }
        for n in 0..=6 {
            all(&mut Vec::new(), n);
        }
        let mut seed = 0x2545_f491_u64;
        for n in [100, 1000, 4097] {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            check(&order);
        }
    }
}
