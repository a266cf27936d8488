//! Reading an app's review cache for the list: the newest part first, then the whole, decoded
//! on the cores, with its index and its view made here (the db thread's helpers) so that the UI
//! thread only swaps it in.

use std::collections::HashSet;
use std::sync::mpsc as std_mpsc;

use super::action::CachedReviews;
use super::app::view::ViewSpec;
use super::cache_list::WholeList;
use crate::db::{Db, DbError, ListRow};

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// How many of the newest reviews are read and sent on their own, before the rest: more than
/// any terminal shows at once.
pub const FIRST_PART: usize = 256;

/// Read and cleaned as the app would (from the list form, or the JSON of a row stored before
/// it), with their search text; a row that reads neither way is skipped (and logged).
pub(super) fn parse_rows(rows: &[ListRow]) -> CachedReviews {
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

/// What was read of the cache before the open had checked the file.
#[derive(Debug, Default)]
pub struct EarlyRead {
    /// The newest reviews, as sent (with `more` set) before the rest was read.
    pub first: Option<CachedReviews>,
    /// All of them, as [`load_cache_after`] would answer, if the read went to the end.
    pub whole: Option<CachedReviews>,
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
