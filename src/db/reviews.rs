//! The review cache: every review seen, its raw JSON as the service sent it, when it was last
//! fetched, and whether the service has stopped returning it ("vanished": Microsoft removes spam
//! and pre-release reviews). Vanished reviews are kept, marked, never deleted; a later sighting
//! clears the mark.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::{At, Db, Result};
use crate::http::flex::{FlexI64, FlexString};
use crate::store::Review;
use crate::store::dates::parse_store_date;
use crate::store::list_form::{self, sanitize_review};

/// One review as fetched, for [`Db::upsert_reviews`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedReview {
    pub id: String,
    /// The review's submission time (Unix seconds), used by [`Db::mark_vanished`]'s window.
    pub date_ts: Option<i64>,
    /// The review's JSON object exactly as received.
    pub raw_json: String,
}

/// What the stats read of a review, kept in columns next to its JSON. A JSON that does not
/// parse (or is not a review) gives empty fields: the row is still cached, only not counted.
#[derive(Default)]
struct StatsFields {
    rating: Option<i64>,
    market: Option<String>,
    package_version: Option<String>,
    answered: bool,
    response_ts: Option<i64>,
}

impl StatsFields {
    /// What [`StatsFields::of`] reads, from the review the JSON parses to (the same lenient
    /// reading of the same five fields).
    fn of_review(r: &Review) -> StatsFields {
        StatsFields {
            rating: r.rating,
            market: r.market.as_deref().map(str::to_owned),
            package_version: r.package_version.as_deref().map(str::to_owned),
            answered: r.is_answered(),
            response_ts: r.response_timestamp,
        }
    }

    fn of(raw_json: &str) -> StatsFields {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Fields {
            // Leniently, as `Review` reads it: a rating that is not a number is no rating, not
            // a reason to lose the other fields.
            rating: Option<serde_json::Value>,
            market: Option<FlexString>,
            package_version: Option<FlexString>,
            response_text: Option<FlexString>,
            response_date: Option<FlexString>,
        }
        let Ok(f) = serde_json::from_str::<Fields>(raw_json) else {
            return StatsFields::default();
        };
        StatsFields {
            rating: f
                .rating
                .and_then(|v| serde_json::from_value::<FlexI64>(v).ok())
                .map(|v| v.0),
            market: f.market.map(|v| v.0),
            package_version: f.package_version.map(|v| v.0),
            answered: f.response_text.is_some_and(|t| !t.0.trim().is_empty()),
            response_ts: f.response_date.and_then(|d| parse_store_date(&d.0)),
        }
    }
}

impl CachedReview {
    /// A fetched review as the cache keeps it: the JSON it serialises to (as received, before
    /// any cleaning). `None` for a review without an ID, which cannot be told apart later.
    pub fn of(review: &Review) -> Option<CachedReview> {
        Some(CachedReview {
            id: review.id.clone()?,
            date_ts: review.timestamp,
            raw_json: serde_json::to_string(review).ok()?,
        })
    }
}

/// The stats' columns and the list form of a review's JSON: parsed once. A JSON that is not a
/// review has no list form (it is read from its JSON, and skipped there too).
fn derived(raw_json: &str) -> (StatsFields, Option<Vec<u8>>) {
    match serde_json::from_str::<Review>(raw_json) {
        Ok(mut r) => {
            let stats = StatsFields::of_review(&r);
            sanitize_review(&mut r);
            (stats, Some(list_form::encode(&r)))
        }
        Err(_) => (StatsFields::of(raw_json), None),
    }
}

/// How a cached review comes to the list: its list form, or (stored before the form, or of a
/// form this version does not read) its JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListForm {
    /// `crate::store::list_form`, cleaned.
    Cleaned(Vec<u8>),
    Json(String),
}

/// One cached review as the list reads it: [`Db::scan_reviews`], [`Db::load_newest_reviews`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub fetched_at: i64,
    pub vanished: bool,
    pub form: ListForm,
}

impl ListRow {
    /// The review, cleaned; `None` (logged) when neither its form nor its JSON reads.
    pub fn review(&self) -> Option<Review> {
        let parsed = match &self.form {
            ListForm::Cleaned(bytes) => {
                return list_form::decode(bytes).or_else(|| {
                    tracing::warn!(review = %self.id, "a cached review's list form does not read; skipped");
                    None
                });
            }
            ListForm::Json(json) => serde_json::from_str::<Review>(json),
        };
        match parsed {
            Ok(mut r) => {
                sanitize_review(&mut r);
                Some(r)
            }
            Err(e) => {
                tracing::warn!(review = %self.id, error = %e, "a cached review does not parse; skipped");
                None
            }
        }
    }
}

/// The columns [`list_row`] reads, in its order: the JSON only for a row without a form of this
/// version (a blob comparison: the form's first byte is its version).
const LIST_COLUMNS: &str = "id, fetched_at, vanished,
     CASE WHEN list_form >= x'01' AND list_form < x'02' THEN list_form END,
     CASE WHEN list_form >= x'01' AND list_form < x'02' THEN NULL ELSE raw_json END";

fn list_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ListRow> {
    let form = match r.get::<_, Option<Vec<u8>>>(3)? {
        Some(bytes) => ListForm::Cleaned(bytes),
        None => ListForm::Json(r.get(4)?),
    };
    Ok(ListRow {
        id: r.get(0)?,
        fetched_at: r.get(1)?,
        vanished: r.get(2)?,
        form,
    })
}

/// One review from the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReview {
    pub id: String,
    pub date_ts: Option<i64>,
    pub raw_json: String,
    pub fetched_at: i64,
    pub vanished: bool,
}

/// The columns [`stored_review`] reads, in its order.
const REVIEW_COLUMNS: &str = "id, date_ts, raw_json, fetched_at, vanished";

fn stored_review(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredReview> {
    Ok(StoredReview {
        id: r.get(0)?,
        date_ts: r.get(1)?,
        raw_json: r.get(2)?,
        fetched_at: r.get(3)?,
        vanished: r.get(4)?,
    })
}

impl Db {
    /// Inserts or replaces the reviews of `app`, in one transaction, clearing any vanished mark.
    /// A review whose rating, title, text or date changed keeps its earlier version in
    /// `review_versions` (a trigger of the schema does that, see [`Db::review_versions`]).
    /// Returns how many rows were written. Call it once per fetched page: each call holds the
    /// write lock only for its own rows (about 5 ms per 1,000 reviews). Each JSON is parsed
    /// once, for the stats' columns and the list form.
    pub fn upsert_reviews(&mut self, app: &str, reviews: &[CachedReview], fetched_at: i64) -> Result<usize> {
        let rows: Vec<(&CachedReview, StatsFields, Option<Vec<u8>>)> = reviews
            .iter()
            .map(|r| {
                let (stats, form) = derived(&r.raw_json);
                (r, stats, form)
            })
            .collect();
        self.write_rows(app, &rows, fetched_at)
    }

    /// [`Db::upsert_reviews`] of fetched reviews as received (before cleaning): stored as the
    /// JSON they serialise to ([`CachedReview::of`]), with the stats' columns and the list form
    /// made from the reviews themselves rather than from that JSON parsed again. Reviews without
    /// an id are left out.
    pub fn upsert_fetched(&mut self, app: &str, reviews: &[Review], fetched_at: i64) -> Result<usize> {
        let cached: Vec<(CachedReview, &Review)> =
            reviews.iter().filter_map(|r| Some((CachedReview::of(r)?, r))).collect();
        let rows: Vec<(&CachedReview, StatsFields, Option<Vec<u8>>)> = cached
            .iter()
            .map(|(c, r)| {
                let mut clean = (*r).clone();
                // What reading the stored JSON back gives: the times come from the dates.
                clean.timestamp = clean.date.as_deref().and_then(parse_store_date);
                clean.response_timestamp = clean.response_date.as_deref().and_then(parse_store_date);
                let stats = StatsFields::of_review(&clean);
                sanitize_review(&mut clean);
                (c, stats, Some(list_form::encode(&clean)))
            })
            .collect();
        self.write_rows(app, &rows, fetched_at)
    }

    fn write_rows(
        &mut self,
        app: &str,
        rows: &[(&CachedReview, StatsFields, Option<Vec<u8>>)],
        fetched_at: i64,
    ) -> Result<usize> {
        self.write_tx(false, |tx, path| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO reviews (app, id, date_ts, fetched_at, vanished, raw_json,
                                          rating, market, package_version, answered, response_ts,
                                          list_form)
                     VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (app, id) DO UPDATE SET
                         date_ts = excluded.date_ts, fetched_at = excluded.fetched_at,
                         vanished = 0, raw_json = excluded.raw_json,
                         list_form = excluded.list_form,
                         rating = excluded.rating, market = excluded.market,
                         package_version = excluded.package_version,
                         answered = excluded.answered, response_ts = excluded.response_ts",
                )
                .at(path)?;
            let mut n = 0;
            for (r, f, form) in rows {
                n += stmt
                    .execute(params![
                        app,
                        r.id,
                        r.date_ts,
                        fetched_at,
                        r.raw_json,
                        f.rating,
                        f.market,
                        f.package_version,
                        f.answered,
                        f.response_ts,
                        form
                    ])
                    .at(path)?;
            }
            Ok(n)
        })
    }

    /// All cached reviews of `app`, newest first (undated ones last), vanished ones included.
    /// Reads the table in storage order and sorts here: going through an index would visit the
    /// rows in random order, three to four times slower for 100,000 reviews.
    pub fn load_reviews(&self, app: &str) -> Result<Vec<StoredReview>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews NOT INDEXED
                 WHERE app = ?1 ORDER BY rowid",
            ))
            .at(path)?;
        let rows = stmt.query_map([app], stored_review).at(path)?;
        let mut reviews = rows.collect::<rusqlite::Result<Vec<_>>>().at(path)?;
        // Stable: equal dates keep the order they were first stored in. None sorts lowest.
        reviews.sort_by_key(|r| std::cmp::Reverse(r.date_ts));
        Ok(reviews)
    }

    /// All cached reviews of `app` in storage order, vanished ones included, handed to `f`
    /// `batch` at a time as they are read (for parsing alongside the reading). The order of
    /// storage is that of [`Db::load_reviews`] among reviews of the same date.
    pub fn scan_reviews(&self, app: &str, batch: usize, mut f: impl FnMut(Vec<ListRow>)) -> Result<()> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LIST_COLUMNS} FROM reviews NOT INDEXED
                 WHERE app = ?1 ORDER BY rowid",
            ))
            .at(path)?;
        let mut rows = stmt.query([app]).at(path)?;
        let batch = batch.max(1);
        let mut part = Vec::with_capacity(batch);
        while let Some(r) = rows.next().at(path)? {
            part.push(list_row(r).at(path)?);
            if part.len() == batch {
                f(std::mem::replace(&mut part, Vec::with_capacity(batch)));
            }
        }
        if !part.is_empty() {
            f(part);
        }
        Ok(())
    }

    /// The newest `limit` cached reviews of `app`, in [`Db::load_reviews`]'s order (newest first,
    /// undated last, ties in storage order): a few index lookups, for the first screen while the
    /// rest is read.
    pub fn load_newest_reviews(&self, app: &str, limit: usize) -> Result<Vec<ListRow>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LIST_COLUMNS} FROM reviews INDEXED BY reviews_by_date
                 WHERE app = ?1 ORDER BY date_ts DESC, rowid LIMIT ?2",
            ))
            .at(path)?;
        let rows = stmt.query_map(params![app, limit as i64], list_row).at(path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(path)
    }

    /// One cached review.
    pub fn review(&self, app: &str, id: &str) -> Result<Option<StoredReview>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE app = ?1 AND id = ?2",
            ))
            .at(&self.path)?
            .query_row([app, id], stored_review)
            .optional()
            .at(&self.path)
    }

    pub fn review_count(&self, app: &str) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM reviews WHERE app = ?1")
            .at(&self.path)?
            .query_row([app], |r| r.get(0))
            .at(&self.path)?;
        Ok(n as usize)
    }

    /// After fetching every review of `app` dated within `[window_start_ts, window_end_ts]`
    /// (both inclusive) and upserting them: marks the cached reviews in that window that are not
    /// in `seen` as vanished, and clears the mark on those that are. Returns how many were newly
    /// marked. The window must be exactly what the fetch covered (all pages), or live reviews
    /// outside it would be marked. Undated reviews are never marked.
    pub fn mark_vanished(
        &mut self,
        app: &str,
        window_start_ts: i64,
        window_end_ts: i64,
        seen: &HashSet<String>,
    ) -> Result<usize> {
        self.write_tx(false, |tx, path| {
            let mut in_window = tx
                .prepare_cached("SELECT id, vanished FROM reviews WHERE app = ?1 AND date_ts BETWEEN ?2 AND ?3")
                .at(path)?;
            let rows = in_window
                .query_map(params![app, window_start_ts, window_end_ts], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
                })
                .at(path)?;
            let mut changes: Vec<(String, bool)> = Vec::new();
            for row in rows {
                let (id, vanished) = row.at(path)?;
                let gone = !seen.contains(&id);
                if gone != vanished {
                    changes.push((id, gone));
                }
            }
            let mut set = tx
                .prepare_cached("UPDATE reviews SET vanished = ?3 WHERE app = ?1 AND id = ?2")
                .at(path)?;
            let mut marked = 0;
            for (id, gone) in &changes {
                set.execute(params![app, id, gone]).at(path)?;
                marked += usize::from(*gone);
            }
            Ok(marked)
        })
    }

    /// When `app` was last refreshed: the next refresh asks from here minus an overlap (reviews
    /// get revised), and upserts what comes back.
    pub fn last_sync(&self, app: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT last_sync FROM sync_state WHERE app = ?1")
            .at(&self.path)?
            .query_row([app], |r| r.get(0))
            .optional()
            .at(&self.path)
    }

    pub fn set_last_sync(&self, app: &str, ts: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_state (app, last_sync) VALUES (?1, ?2)
                 ON CONFLICT (app) DO UPDATE SET last_sync = excluded.last_sync",
            )
            .at(&self.path)?
            .execute(params![app, ts])
            .at(&self.path)?;
        Ok(())
    }
}
