//! The db thread's read of the review cache beside `Db::open`: the open checks the whole file
//! (`quick_check`: seconds at a million reviews), and meanwhile the cache is read and decoded on
//! a thread of its own through a connection that only reads, its newest reviews sent at once.
//! What was read stands only once the open has kept the file; when the file fails its check,
//! what was shown from it is taken back (`Action::CacheWithdrawn`).

use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::action::{Action, CachedReviews};
use super::app::DbCommand;
use super::app::view::ViewSpec;
use super::cache_read::{EarlyRead, FIRST_PART, load_cache_after, now, parse_rows};
use crate::db::Db;

/// The cache as read beside the open, on a thread of its own ([`answer_early`]).
pub(super) struct EarlyPart {
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
    pub(super) fn finish(self, request: u64, app: &str) -> Option<EarlyRead> {
        let read = self.reading.join().ok().flatten()?;
        (self.request == request && self.app == app).then_some(read)
    }
}

/// While the database opens (until `opened()`): waits for the app's first command and, when it
/// is to read the cache, starts reading it on a thread of its own ([`read_beside_open`]), which
/// sends the newest reviews at once. Any command taken is kept in `held`, to be carried out in
/// order once the database is open.
pub(super) fn answer_early(
    path: Option<&std::path::Path>,
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
        DbCommand::LoadCache { request, app, view } => path.and_then(|path| {
            let path = path.to_owned();
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
/// shown from it is taken back, in one sentence. The read goes on, unheeded, on its thread: it
/// only reads, and its answer is dropped.
pub(super) fn take_back(early: EarlyPart, tell: &impl Fn(Action)) {
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
