//! How an app's reviews and answers are going, over a window of days: reviews and average
//! rating per week, the rating distribution, where the 1–2★ reviews come from, how fast and how
//! often they are answered, and the "reply effect" (how ratings moved when a review was revised
//! after a reply). Computed from the profile's database only, never the network; a pure
//! function of its inputs ([`compute`]), so tests and benchmarks give it exact data.

mod commerce;
mod compute;
pub mod format;

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

pub use commerce::commerce_inputs;
pub use compute::{Tally, compute};

use crate::db::{Db, DbError, EarlierRating, ReviewFacts};

/// The windows offered: 30, 90 and 365 days.
pub const WINDOWS: [u32; 3] = [30, 90, 365];

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
/// Entries in each "top" list.
pub const TOP: usize = 5;

/// What [`compute`] counts.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// The current version of each review (any date: those before the window are skipped).
    /// Only a review with an id is looked up in `replies` and `earlier`.
    pub reviews: Vec<ReviewFacts>,
    /// When replies were sent, by review (from the history).
    pub replies: HashMap<String, Vec<i64>>,
    /// The earlier versions kept of revised reviews, by review, oldest first.
    pub earlier: HashMap<String, Vec<EarlierRating>>,
    /// What the second breakdown of 1–2★ reviews is by: "version" for the Store (the
    /// package version), "product" for a Commerce site.
    pub second_breakdown: &'static str,
}

/// The numbers, for a window of `window_days` ending at `now`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub window_days: u32,
    /// Unix seconds: the window is `[from_ts, now]`.
    pub from_ts: i64,
    pub now: i64,
    /// Reviews dated in the window (their latest version), the service's removed ones left out.
    pub reviews: u64,
    /// Oldest first; the last ends at `now`, each is 7 days but the oldest, which starts at
    /// `from_ts` when the window is not a whole number of weeks.
    pub weeks: Vec<Week>,
    /// Reviews with 1★ … 5★ (index 0 is 1★).
    pub distribution: [u64; 5],
    pub average: Option<f64>,
    /// Where the 1–2★ reviews come from, over the window and over its last 7 days.
    pub low_ratings: LowRatings,
    pub answering: Answering,
    pub reply_effect: ReplyEffect,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Week {
    pub start_ts: i64,
    pub reviews: u64,
    /// The mean of the week's ratings (1–5), none without a rated review.
    pub average: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LowRatings {
    /// "version" (Store package versions) or "product" (Commerce).
    pub second_breakdown: &'static str,
    pub window: Breakdown,
    pub this_week: Breakdown,
}

/// The most frequent markets and versions (or products) among some 1–2★ reviews.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// How many 1–2★ reviews; the shares are of this.
    pub reviews: u64,
    pub markets: Vec<Share>,
    pub versions: Vec<Share>,
}

/// One market or version: sanitised, safe to print anywhere.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub name: String,
    pub reviews: u64,
    /// Of the breakdown's reviews, 0–100.
    pub percent: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Answering {
    /// Reviews in the window with a response (shown by the service, or sent after the review's
    /// latest version and not fetched back yet).
    pub answered: u64,
    /// `answered` of all reviews in the window, 0–100; none without reviews.
    pub response_rate: Option<f64>,
    /// The median time from a review (its latest version) to its first reply, over the
    /// answered reviews whose reply time is known.
    pub median_reply_secs: Option<i64>,
    pub replies_timed: u64,
    /// Unanswered reviews in the window by age in whole days.
    pub backlog: Backlog,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    /// 0–2 days old.
    pub fresh: u64,
    /// 3–7 days.
    pub this_week: u64,
    /// 8 days and more.
    pub older: u64,
}

/// Reviews (dated in the window) revised after a reply: their rating at the reply and now.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReplyEffect {
    pub reviews: u64,
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
    /// Mean of (after − before), in stars.
    pub mean_change: Option<f64>,
    pub improved: u64,
    pub unchanged: u64,
    pub worse: u64,
    /// Each rating move and how many made it, most frequent first.
    pub moves: Vec<Move>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub before: i64,
    pub after: i64,
    pub reviews: u64,
}

/// The start of a window of `days` ending at `now`.
pub fn window_start(now: i64, days: u32) -> i64 {
    now - i64::from(days) * DAY
}

/// What [`compute`] needs for a Store app, read from the database the straightforward way:
/// every review of the window collected, each with its id. [`for_app`] counts the same
/// reviews as they are read instead; this is what its numbers are checked against (tests,
/// `cargo bench --bench stats`).
pub fn store_inputs(db: &Db, app: &str, from_ts: i64) -> Result<Inputs, DbError> {
    Ok(Inputs {
        reviews: db.review_facts(app, from_ts, &|_| true)?,
        replies: db.reply_times(app)?,
        earlier: db.earlier_ratings(app)?,
        second_breakdown: STORE_BREAKDOWN,
    })
}

/// What a Store app's 1–2★ reviews are broken down by besides their market.
const STORE_BREAKDOWN: &str = "version";

/// The stats of a source of the terminal UI (a Store app, or a Commerce site's `site:`
/// source ID) over `days` ending at `now`: what the `s` screen and `reviewdesk stats` show.
pub fn for_source(db: &Db, source: &str, days: u32, now: i64) -> Result<Stats, DbError> {
    if crate::provider::site_profile(source).is_some() {
        for_commerce_site(db, source, days, now)
    } else {
        for_app(db, source, days, now)
    }
}

/// The stats of a Store app over `days` ending at `now`, each review counted as it is read
/// ([`Db::visit_review_facts`]: a year of reviews is never collected, and only the reviews
/// the history or the kept versions name are read with their id).
pub fn for_app(db: &Db, app: &str, days: u32, now: i64) -> Result<Stats, DbError> {
    db.snapshot(|| {
        let replies = db.reply_times(app)?;
        let earlier = db.earlier_ratings(app)?;
        let tally = std::cell::RefCell::new(Tally::new(&replies, &earlier, days, now));
        db.visit_review_facts(
            app,
            window_start(now, days),
            &mut |r| tally.borrow_mut().add(&r),
            &mut |r| tally.borrow_mut().add_id(&r),
        )?;
        Ok(tally.into_inner().finish(STORE_BREAKDOWN))
    })
}

/// The stats of a Commerce site (its cached export, under its `site:` source ID) over `days`
/// ending at `now`. Reviews taken down by moderation are left out, as the Store's removed ones.
fn for_commerce_site(db: &Db, source: &str, days: u32, now: i64) -> Result<Stats, DbError> {
    let cached = db.load_reviews(source)?;
    let inputs = commerce_inputs(cached.iter().filter(|r| !r.vanished).map(|r| r.raw_json.as_str()));
    Ok(compute(&inputs, days, now))
}
