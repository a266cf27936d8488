//! The arithmetic of [`Stats`], over [`Inputs`] already read.

use std::collections::HashMap;

use super::{
    Answering, Backlog, Breakdown, DAY, Inputs, LowRatings, Move, ReplyEffect, Share, Stats, TOP, WEEK, Week,
    window_start,
};
use crate::db::{EarlierRating, ReviewFacts};
use crate::sanitize::sanitize_line;

/// The stats of `inputs` over the `days` ending at `now`.
pub fn compute(inputs: &Inputs, days: u32, now: i64) -> Stats {
    let from_ts = window_start(now, days);
    let span = now - from_ts;
    let n_weeks = ((span + WEEK - 1) / WEEK).max(1) as usize;
    let mut weeks: Vec<(u64, u64, i64)> = vec![(0, 0, 0); n_weeks]; // reviews, rated, sum of ratings
    let mut distribution = [0u64; 5];
    let mut low_window = Counter::default();
    let mut low_week = Counter::default();
    let mut answered = 0u64;
    let mut delays: Vec<i64> = Vec::new();
    let mut backlog = Backlog::default();
    let mut effect = EffectCounter::default();
    let mut reviews = 0u64;

    for r in inputs.reviews.iter().filter(|r| r.date_ts >= from_ts) {
        reviews += 1;
        let week = week_of(r.date_ts, now, n_weeks);
        let rating = r.rating.filter(|s| (1..=5).contains(s));
        weeks[week].0 += 1;
        if let Some(s) = rating {
            weeks[week].1 += 1;
            weeks[week].2 += s;
            distribution[(s - 1) as usize] += 1;
            if s <= 2 {
                low_window.add(r);
                if week == n_weeks - 1 {
                    low_week.add(r);
                }
            }
        }

        let id = r.id.as_deref();
        let replies = id
            .and_then(|id| inputs.replies.get(id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // A reply sent to this version (at or after its date) that a fetch has not brought back.
        let sent_since = replies.iter().copied().find(|&at| at >= r.date_ts);
        if r.answered || sent_since.is_some() {
            answered += 1;
            // A response older than the version it sits under answered an earlier version:
            // it says the review is answered, not how fast.
            let shown = r.response_ts.filter(|&t| r.answered && t >= r.date_ts);
            let first = [shown, sent_since].into_iter().flatten().min();
            if let Some(t) = first {
                delays.push(t - r.date_ts);
            }
        } else {
            match (now - r.date_ts).max(0) / DAY {
                0..=2 => backlog.fresh += 1,
                3..=7 => backlog.this_week += 1,
                _ => backlog.older += 1,
            }
        }

        if let Some(earlier) = id.and_then(|id| inputs.earlier.get(id)) {
            effect.add(r, rating, replies, earlier);
        }
    }

    let rated: u64 = distribution.iter().sum();
    let rating_sum: i64 = distribution.iter().zip(1..).map(|(n, s)| *n as i64 * s).sum();
    Stats {
        window_days: days,
        from_ts,
        now,
        reviews,
        weeks: weeks
            .iter()
            .enumerate()
            .map(|(i, &(n, rated, sum))| Week {
                start_ts: (now - (n_weeks - i) as i64 * WEEK).max(from_ts),
                reviews: n,
                average: mean(sum, rated),
            })
            .collect(),
        distribution,
        average: mean(rating_sum, rated),
        low_ratings: LowRatings {
            second_breakdown: inputs.second_breakdown,
            window: low_window.breakdown(),
            this_week: low_week.breakdown(),
        },
        answering: Answering {
            answered,
            response_rate: (reviews > 0).then(|| answered as f64 * 100.0 / reviews as f64),
            median_reply_secs: median(&mut delays),
            replies_timed: delays.len() as u64,
            backlog,
        },
        reply_effect: effect.finish(),
    }
}

/// Week `0` is the oldest; the last holds `now` and anything dated after it (a clock ahead).
/// Week `i` starts at `now - (n - i) * WEEK`, so a review exactly 7 days old is in the last.
fn week_of(date_ts: i64, now: i64, n_weeks: usize) -> usize {
    let back = (now - date_ts).max(0);
    let weeks_back = ((back + WEEK - 1) / WEEK).max(1) as usize;
    n_weeks.saturating_sub(weeks_back)
}

fn mean(sum: i64, n: u64) -> Option<f64> {
    (n > 0).then(|| sum as f64 / n as f64)
}

/// The middle value; for an even count, the mean of the two middle ones (rounded down).
fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_euclid(2)
    })
}

/// Counts 1–2★ reviews by market and version, borrowing the names until the top is known.
#[derive(Default)]
struct Counter<'a> {
    reviews: u64,
    markets: HashMap<&'a str, u64>,
    versions: HashMap<&'a str, u64>,
}

impl<'a> Counter<'a> {
    fn add(&mut self, r: &'a ReviewFacts) {
        self.reviews += 1;
        *self.markets.entry(name_of(&r.market)).or_default() += 1;
        *self.versions.entry(name_of(&r.package_version)).or_default() += 1;
    }

    fn breakdown(self) -> Breakdown {
        let reviews = self.reviews;
        Breakdown {
            reviews,
            markets: top(self.markets, reviews),
            versions: top(self.versions, reviews),
        }
    }
}

fn name_of(field: &Option<String>) -> &str {
    match field.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => "unknown",
    }
}

/// The [`TOP`] most frequent, ties by name. Names are sanitised (they came from the service)
/// before they are ranked, so two that differ only in control bytes count as one.
fn top(counts: HashMap<&str, u64>, total: u64) -> Vec<Share> {
    let mut clean: HashMap<String, u64> = HashMap::with_capacity(counts.len());
    for (name, n) in counts {
        *clean.entry(sanitize_line(name)).or_default() += n;
    }
    let mut all: Vec<(String, u64)> = clean.into_iter().collect();
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.into_iter()
        .take(TOP)
        .map(|(name, n)| Share {
            name,
            reviews: n,
            percent: n as f64 * 100.0 / total as f64,
        })
        .collect()
}

#[derive(Default)]
struct EffectCounter {
    before_sum: i64,
    after_sum: i64,
    reviews: u64,
    improved: u64,
    unchanged: u64,
    worse: u64,
    moves: HashMap<(i64, i64), u64>,
}

impl EffectCounter {
    /// A review counts when it was replied to before its latest version: the first reply (sent
    /// from here, or a response an earlier version carried) came before the current date. Its
    /// rating "before" is that of the last version dated at or before that reply.
    fn add(&mut self, r: &ReviewFacts, after: Option<i64>, replies: &[i64], earlier: &[EarlierRating]) {
        let shown = earlier.iter().filter(|v| v.answered).filter_map(|v| v.response_ts);
        let Some(replied) = replies.iter().copied().chain(shown).filter(|&t| t < r.date_ts).min() else {
            return;
        };
        let before = earlier
            .iter()
            .rev()
            .find(|v| v.date_ts.is_some_and(|d| d <= replied))
            .and_then(|v| v.rating)
            .filter(|s| (1..=5).contains(s));
        let (Some(before), Some(after)) = (before, after) else {
            return;
        };
        self.reviews += 1;
        self.before_sum += before;
        self.after_sum += after;
        match after.cmp(&before) {
            std::cmp::Ordering::Greater => self.improved += 1,
            std::cmp::Ordering::Equal => self.unchanged += 1,
            std::cmp::Ordering::Less => self.worse += 1,
        }
        *self.moves.entry((before, after)).or_default() += 1;
    }

    fn finish(self) -> ReplyEffect {
        let mean_before = mean(self.before_sum, self.reviews);
        let mean_after = mean(self.after_sum, self.reviews);
        let mut moves: Vec<Move> = self
            .moves
            .into_iter()
            .map(|((before, after), reviews)| Move { before, after, reviews })
            .collect();
        moves.sort_unstable_by(|a, b| {
            b.reviews
                .cmp(&a.reviews)
                .then(a.before.cmp(&b.before))
                .then(a.after.cmp(&b.after))
        });
        ReplyEffect {
            reviews: self.reviews,
            mean_before,
            mean_after,
            mean_change: mean_before.zip(mean_after).map(|(b, a)| a - b),
            improved: self.improved,
            unchanged: self.unchanged,
            worse: self.worse,
            moves,
        }
    }
}
