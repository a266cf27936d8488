//! The arithmetic of [`Stats`], over [`Inputs`] already read.

use std::collections::HashMap;

use super::{
    Answering, Backlog, Breakdown, DAY, Inputs, LowRatings, Move, ReplyEffect, Share, Stats, TOP, WEEK, Week,
    window_start,
};
use crate::db::{EarlierRating, FactsRef};
use crate::sanitize::sanitize_line;

/// The stats of `inputs` over the `days` ending at `now`.
pub fn compute(inputs: &Inputs, days: u32, now: i64) -> Stats {
    let mut tally = Tally::new(&inputs.replies, &inputs.earlier, days, now);
    for r in &inputs.reviews {
        tally.add(&r.borrowed());
    }
    tally.finish(inputs.second_breakdown)
}

/// The stats counted one review at a time, so that a read can hand each review over as it
/// comes (borrowed from SQLite's row) instead of collecting a year of them first.
pub struct Tally<'i> {
    replies: &'i HashMap<String, Vec<i64>>,
    earlier: &'i HashMap<String, Vec<EarlierRating>>,
    days: u32,
    now: i64,
    from_ts: i64,
    n_weeks: usize,
    /// Per week: reviews, rated reviews, the sum of their ratings.
    weeks: Vec<(u64, u64, i64)>,
    distribution: [u64; 5],
    low_window: Counter,
    low_week: Counter,
    answered: u64,
    delays: Vec<i64>,
    /// Delays counted, then taken back by [`Tally::add_id`]: each leaves `delays` once.
    delays_taken_back: Vec<i64>,
    backlog: Backlog,
    effect: EffectCounter,
    reviews: u64,
}

impl<'i> Tally<'i> {
    /// A review is looked up in `replies` and `earlier` only when it comes with its id.
    pub fn new(
        replies: &'i HashMap<String, Vec<i64>>,
        earlier: &'i HashMap<String, Vec<EarlierRating>>,
        days: u32,
        now: i64,
    ) -> Self {
        let from_ts = window_start(now, days);
        let span = now - from_ts;
        let n_weeks = ((span + WEEK - 1) / WEEK).max(1) as usize;
        Tally {
            replies,
            earlier,
            days,
            now,
            from_ts,
            n_weeks,
            weeks: vec![(0, 0, 0); n_weeks],
            distribution: [0; 5],
            low_window: Counter::default(),
            low_week: Counter::default(),
            answered: 0,
            delays: Vec::new(),
            delays_taken_back: Vec::new(),
            backlog: Backlog::default(),
            effect: EffectCounter::default(),
            reviews: 0,
        }
    }

    /// Counts one review (its current version); one dated before the window is skipped.
    pub fn add(&mut self, r: &FactsRef<'_>) {
        if r.date_ts < self.from_ts {
            return;
        }
        let (now, n_weeks) = (self.now, self.n_weeks);
        self.reviews += 1;
        let week = week_of(r.date_ts, now, n_weeks);
        let rating = r.rating.filter(|s| (1..=5).contains(s));
        self.weeks[week].0 += 1;
        if let Some(s) = rating {
            self.weeks[week].1 += 1;
            self.weeks[week].2 += s;
            self.distribution[(s - 1) as usize] += 1;
            if s <= 2 {
                self.low_window.add(r);
                if week == n_weeks - 1 {
                    self.low_week.add(r);
                }
            }
        }

        let replies = self.replies_of(r);
        let answer = self.answer_of(r, replies);
        self.count_answer(answer);
        if let Some(earlier) = r.id.and_then(|id| self.earlier.get(id)) {
            self.effect.add(r, rating, replies, earlier);
        }
    }

    /// What its id changes for a review [`Tally::add`] counted without it (a read that hands
    /// every review over without its id, then those the stats look up again with it): the
    /// replies sent from here say whether and when it was answered, and its earlier versions
    /// give the reply effect. Its week, rating and breakdowns were counted the first time.
    pub fn add_id(&mut self, r: &FactsRef<'_>) {
        if r.date_ts < self.from_ts || r.id.is_none() {
            return;
        }
        let replies = self.replies_of(r);
        let without_id = self.answer_of(r, &[]);
        let with_id = self.answer_of(r, replies);
        if with_id != without_id {
            self.uncount_answer(without_id);
            self.count_answer(with_id);
        }
        if let Some(earlier) = r.id.and_then(|id| self.earlier.get(id)) {
            let rating = r.rating.filter(|s| (1..=5).contains(s));
            self.effect.add(r, rating, replies, earlier);
        }
    }

    fn replies_of(&self, r: &FactsRef<'_>) -> &'i [i64] {
        let replies: &'i HashMap<String, Vec<i64>> = self.replies;
        r.id.and_then(|id| replies.get(id)).map_or(&[], Vec::as_slice)
    }

    /// Whether `r` counts as answered (and how fast), or in which part of the backlog it waits.
    fn answer_of(&self, r: &FactsRef<'_>, replies: &[i64]) -> Answer {
        // A reply sent to this version (at or after its date) that a fetch has not brought back.
        let sent_since = replies.iter().copied().find(|&at| at >= r.date_ts);
        if r.answered || sent_since.is_some() {
            // A response older than the version it sits under answered an earlier version:
            // it says the review is answered, not how fast.
            let shown = r.response_ts.filter(|&t| r.answered && t >= r.date_ts);
            let first = [shown, sent_since].into_iter().flatten().min();
            Answer::Answered(first.map(|t| t - r.date_ts))
        } else {
            Answer::Waiting(match (self.now - r.date_ts).max(0) / DAY {
                0..=2 => Waiting::Fresh,
                3..=7 => Waiting::ThisWeek,
                _ => Waiting::Older,
            })
        }
    }

    fn count_answer(&mut self, answer: Answer) {
        match answer {
            Answer::Answered(delay) => {
                self.answered += 1;
                self.delays.extend(delay);
            }
            Answer::Waiting(w) => *self.backlog_of(w) += 1,
        }
    }

    /// Takes back a [`Tally::count_answer`]; a delay taken back leaves `delays` in `finish`.
    fn uncount_answer(&mut self, answer: Answer) {
        match answer {
            Answer::Answered(delay) => {
                self.answered -= 1;
                self.delays_taken_back.extend(delay);
            }
            Answer::Waiting(w) => *self.backlog_of(w) -= 1,
        }
    }

    fn backlog_of(&mut self, w: Waiting) -> &mut u64 {
        match w {
            Waiting::Fresh => &mut self.backlog.fresh,
            Waiting::ThisWeek => &mut self.backlog.this_week,
            Waiting::Older => &mut self.backlog.older,
        }
    }

    /// The numbers; `second_breakdown` names what the 1–2★ reviews' versions are.
    pub fn finish(mut self, second_breakdown: &'static str) -> Stats {
        take_back(&mut self.delays, &mut self.delays_taken_back);
        let (now, from_ts, n_weeks, reviews) = (self.now, self.from_ts, self.n_weeks, self.reviews);
        let rated: u64 = self.distribution.iter().sum();
        let rating_sum: i64 = self.distribution.iter().zip(1..).map(|(n, s)| *n as i64 * s).sum();
        Stats {
            window_days: self.days,
            from_ts,
            now,
            reviews,
            weeks: self
                .weeks
                .iter()
                .enumerate()
                .map(|(i, &(n, rated, sum))| Week {
                    start_ts: (now - (n_weeks - i) as i64 * WEEK).max(from_ts),
                    reviews: n,
                    average: mean(sum, rated),
                })
                .collect(),
            distribution: self.distribution,
            average: mean(rating_sum, rated),
            low_ratings: LowRatings {
                second_breakdown,
                window: self.low_window.breakdown(),
                this_week: self.low_week.breakdown(),
            },
            answering: Answering {
                answered: self.answered,
                response_rate: (reviews > 0).then(|| self.answered as f64 * 100.0 / reviews as f64),
                median_reply_secs: median(&mut self.delays),
                replies_timed: self.delays.len() as u64,
                backlog: self.backlog,
            },
            reply_effect: self.effect.finish(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// With the time to the first reply, when it is known.
    Answered(Option<i64>),
    Waiting(Waiting),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Waiting {
    Fresh,
    ThisWeek,
    Older,
}

/// Removes one of `values` for each of `taken` (each was pushed onto `values` before).
fn take_back(values: &mut Vec<i64>, taken: &mut [i64]) {
    if taken.is_empty() {
        return;
    }
    values.sort_unstable();
    taken.sort_unstable();
    let mut taken = taken.iter().peekable();
    values.retain(|v| {
        if taken.peek() == Some(&v) {
            taken.next();
            false
        } else {
            true
        }
    });
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

/// Counts 1–2★ reviews by market and version. The names are few (markets, versions), so
/// each is copied once, when first seen; a review only looks its names up.
#[derive(Default)]
struct Counter {
    reviews: u64,
    markets: HashMap<Box<str>, u64>,
    versions: HashMap<Box<str>, u64>,
}

impl Counter {
    fn add(&mut self, r: &FactsRef<'_>) {
        self.reviews += 1;
        count(&mut self.markets, name_of(r.market));
        count(&mut self.versions, name_of(r.package_version));
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

fn count(counts: &mut HashMap<Box<str>, u64>, name: &str) {
    match counts.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            counts.insert(name.into(), 1);
        }
    }
}

fn name_of(field: Option<&str>) -> &str {
    match field.map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => "unknown",
    }
}

/// The [`TOP`] most frequent, ties by name. Names are sanitised (they came from the service)
/// before they are ranked, so two that differ only in control bytes count as one.
fn top(counts: HashMap<Box<str>, u64>, total: u64) -> Vec<Share> {
    let mut clean: HashMap<String, u64> = HashMap::with_capacity(counts.len());
    for (name, n) in counts {
        *clean.entry(sanitize_line(&name)).or_default() += n;
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
    fn add(&mut self, r: &FactsRef<'_>, after: Option<i64>, replies: &[i64], earlier: &[EarlierRating]) {
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
