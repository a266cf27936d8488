//! What the stats read from the cache: the current version of each review as a few columns
//! (no JSON is parsed), the earlier versions the cache kept, and the times of the replies sent.

use std::collections::HashMap;

use rusqlite::params;

use super::{At, Db, Result};

/// The current version of one cached review, as the stats count it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewFacts {
    /// Only where the stats look the review up by it (it has replies in the history or earlier
    /// versions kept): most reviews have neither, and a year of them need not allocate an id
    /// each.
    pub id: Option<String>,
    /// The review's (latest) date, Unix seconds.
    pub date_ts: i64,
    pub rating: Option<i64>,
    /// Only for 1–2★ reviews, the only ones the stats break down by market and version.
    pub market: Option<String>,
    pub package_version: Option<String>,
    /// The service shows a developer response under it.
    pub answered: bool,
    pub response_ts: Option<i64>,
}

/// [`ReviewFacts`] borrowed: what the stats' read hands over for each review, straight from
/// SQLite's row (valid until the next one), so that a year of reviews is counted without
/// collecting them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactsRef<'a> {
    pub id: Option<&'a str>,
    pub date_ts: i64,
    pub rating: Option<i64>,
    pub market: Option<&'a str>,
    pub package_version: Option<&'a str>,
    pub answered: bool,
    pub response_ts: Option<i64>,
}

impl ReviewFacts {
    pub fn borrowed(&self) -> FactsRef<'_> {
        FactsRef {
            id: self.id.as_deref(),
            date_ts: self.date_ts,
            rating: self.rating,
            market: self.market.as_deref(),
            package_version: self.package_version.as_deref(),
            answered: self.answered,
            response_ts: self.response_ts,
        }
    }
}

/// An earlier version of a review, kept when a fetch brought a revised one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierVersion {
    pub review: String,
    pub date_ts: Option<i64>,
    pub rating: Option<i64>,
    pub answered: bool,
    pub response_ts: Option<i64>,
    /// When the version that replaced it was fetched.
    pub replaced_at: i64,
    /// The version as the service sent it (title and text among it).
    pub raw_json: String,
}

/// What the stats need of an earlier version (not its JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierRating {
    pub date_ts: Option<i64>,
    pub rating: Option<i64>,
    pub answered: bool,
    pub response_ts: Option<i64>,
}

const VERSION_COLUMNS: &str = "review, date_ts, rating, answered, response_ts, replaced_at, raw_json";

fn earlier_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<EarlierVersion> {
    Ok(EarlierVersion {
        review: r.get(0)?,
        date_ts: r.get(1)?,
        rating: r.get(2)?,
        answered: r.get(3)?,
        response_ts: r.get(4)?,
        replaced_at: r.get(5)?,
        raw_json: r.get(6)?,
    })
}

impl Db {
    /// The reviews of `app` dated at or after `from_ts`, vanished ones left out (the service
    /// removed them: spam, pre-release). Read from the covering index `reviews_stats` alone;
    /// a review's id is kept only where `wants_id` says so.
    pub fn review_facts(&self, app: &str, from_ts: i64, wants_id: &dyn Fn(&str) -> bool) -> Result<Vec<ReviewFacts>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, date_ts, rating,
                        CASE WHEN rating <= 2 THEN market END,
                        CASE WHEN rating <= 2 THEN package_version END,
                        answered, response_ts
                 FROM reviews INDEXED BY reviews_stats
                 WHERE app = ?1 AND date_ts >= ?2 AND vanished = 0",
            )
            .at(path)?;
        let rows = stmt
            .query_map(params![app, from_ts], |r| {
                let id = r.get_ref(0)?.as_str()?;
                Ok(ReviewFacts {
                    id: wants_id(id).then(|| id.to_owned()),
                    date_ts: r.get(1)?,
                    rating: r.get(2)?,
                    market: r.get(3)?,
                    package_version: r.get(4)?,
                    answered: r.get(5)?,
                    response_ts: r.get(6)?,
                })
            })
            .at(path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(path)
    }

    /// [`Db::review_facts`] as the stats count it, without collecting a year of reviews:
    /// every review of `app` dated at or after `from_ts`, vanished ones left out, is handed to
    /// `each` borrowed from SQLite's row and without its id, read from `reviews_stats` as two
    /// integers (the date and the packed `stats_code`; the market and version only for 1–2★
    /// reviews, the only ones broken down by them). Then the reviews of those that a reply in
    /// the history or a kept earlier version names are handed to `named`, with their id, for
    /// what the id changes. Both reads see one snapshot of the file.
    pub fn visit_review_facts(
        &self,
        app: &str,
        from_ts: i64,
        each: &mut dyn FnMut(FactsRef<'_>),
        named: &mut dyn FnMut(FactsRef<'_>),
    ) -> Result<()> {
        let path = &self.path;
        self.snapshot(|| {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT date_ts, stats_code, market, package_version FROM reviews INDEXED BY reviews_stats
                     WHERE app = ?1 AND vanished = 0 AND date_ts >= ?2",
                )
                .at(path)?;
            let mut rows = stmt.query(params![app, from_ts]).at(path)?;
            while let Some(r) = rows.next().at(path)? {
                each(packed_facts(r, None).at(path)?);
            }
            let mut stmt = self
                .conn
                .prepare_cached(
                    // From the names to the reviews (a lookup each by `reviews_by_id`), not
                    // the window's reviews tested against the names one by one.
                    "SELECT r.date_ts, r.stats_code, r.market, r.package_version, r.id
                     FROM (SELECT review FROM history WHERE app = ?1
                           UNION SELECT review FROM review_versions WHERE app = ?1) AS named
                     CROSS JOIN reviews AS r INDEXED BY reviews_by_id ON r.app = ?1 AND r.id = named.review
                     WHERE r.vanished = 0 AND r.date_ts >= ?2",
                )
                .at(path)?;
            let mut rows = stmt.query(params![app, from_ts]).at(path)?;
            while let Some(r) = rows.next().at(path)? {
                named(packed_facts(r, Some(4)).at(path)?);
            }
            Ok(())
        })
    }

    /// Runs `read` inside one read transaction (one snapshot of the file), unless one is open.
    pub fn snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return read();
        }
        let tx = self.conn.unchecked_transaction().at(&self.path)?;
        let value = read()?;
        tx.commit().at(&self.path)?;
        Ok(value)
    }

    /// The apps with reviews in the cache, by name.
    pub fn cached_apps(&self) -> Result<Vec<String>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT app FROM reviews ORDER BY app")
            .at(path)?;
        let rows = stmt.query_map([], |r| r.get(0)).at(path)?;
        rows.collect::<rusqlite::Result<Vec<String>>>().at(path)
    }

    /// The earlier versions of one review, oldest first.
    pub fn review_versions(&self, app: &str, review: &str) -> Result<Vec<EarlierVersion>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM review_versions WHERE app = ?1 AND review = ?2 ORDER BY id"
            ))
            .at(path)?;
        let rows = stmt.query_map([app, review], earlier_version).at(path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(path)
    }

    /// What the stats need of every earlier version kept for `app`, by review, each review's
    /// oldest first.
    pub fn earlier_ratings(&self, app: &str) -> Result<HashMap<String, Vec<EarlierRating>>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT review, date_ts, rating, answered, response_ts FROM review_versions
                 WHERE app = ?1 ORDER BY review, id",
            )
            .at(path)?;
        let mut rows = stmt.query([app]).at(path)?;
        let mut by_review: HashMap<String, Vec<EarlierRating>> = HashMap::new();
        while let Some(r) = rows.next().at(path)? {
            let version = EarlierRating {
                date_ts: r.get(1).at(path)?,
                rating: r.get(2).at(path)?,
                answered: r.get(3).at(path)?,
                response_ts: r.get(4).at(path)?,
            };
            let review = r.get_ref(0).and_then(|v| Ok(v.as_str()?)).at(path)?;
            match by_review.get_mut(review) {
                Some(versions) => versions.push(version),
                None => {
                    by_review.insert(review.to_owned(), vec![version]);
                }
            }
        }
        Ok(by_review)
    }

    /// When replies to reviews of `app` were sent (from the history: from this terminal or
    /// marked as sent in Partner Center), by review, earliest first.
    pub fn reply_times(&self, app: &str) -> Result<HashMap<String, Vec<i64>>> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT review, at FROM history WHERE app = ?1 AND result LIKE 'sent%' ORDER BY review, at")
            .at(path)?;
        let rows = stmt
            .query_map([app], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .at(path)?;
        let mut by_review: HashMap<String, Vec<i64>> = HashMap::new();
        for row in rows {
            let (review, at) = row.at(path)?;
            by_review.entry(review).or_default().push(at);
        }
        Ok(by_review)
    }
}

/// One row of [`Db::visit_review_facts`]' queries (date, `stats_code`, market, version, and
/// the id at `id` if asked), through the row's raw values: no column becomes an owned value.
/// The response time is given only where the stats count it (shown, and not older than this
/// version), which is all `stats_code` keeps.
fn packed_facts<'r>(r: &'r rusqlite::Row<'_>, id: Option<usize>) -> rusqlite::Result<FactsRef<'r>> {
    let column = |i: usize| r.get_ref_unwrap(i);
    let date_ts = column(0).as_i64()?;
    let code = column(1).as_i64()?;
    let rating = Some(code & 7).filter(|&s| s != 0);
    let low = matches!(rating, Some(1 | 2));
    let low_text = |i: usize| if low { column(i).as_str_or_null() } else { Ok(None) };
    Ok(FactsRef {
        id: id.map(|i| column(i).as_str()).transpose()?,
        date_ts,
        rating,
        market: low_text(2)?,
        package_version: low_text(3)?,
        answered: code & 8 != 0,
        response_ts: (code >> 4 > 0).then(|| date_ts + (code >> 4) - 1),
    })
}
