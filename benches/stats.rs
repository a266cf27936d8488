//! The stats (`reviewdesk::stats`) of 100,000 cached reviews over 365 days, read from a real
//! database file and computed (target < 100 ms), and one frame of the stats screen drawn into
//! ratatui's TestBackend at 80x24 and 120x40 (target < 2 ms).
//!
//! Run: `cargo bench --bench stats`. Prints medians and p99s; the database lives in a
//! temporary directory (set TMPDIR to measure another disk).
//!
//! For a profile: `STATS_BENCH_DB=DIR` keeps the database in DIR and seeds it only the first
//! time, and `STATS_BENCH_RUNS=N` runs each measure N times, so that the bench binary can run
//! under `valgrind --tool=callgrind --toggle-collect='reviewdesk::stats::for_app*'` without
//! seeding at valgrind's pace (see BENCHMARKS.md).

mod common;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use reviewdesk::db::{CachedReview, Db, HistoryRow};
use reviewdesk::stats::{self, compute, store_inputs, window_start};
use reviewdesk::tui::ui::stats::draw_stats;

const REVIEWS: usize = 100_000;
const APP: &str = "9NBLGGH4R315";
const DAYS: u32 = 365;
const MARKETS: [&str; 10] = ["US", "DE", "BR", "IN", "JP", "FR", "GB", "ES", "IT", "MX"];
/// Reviews revised after a reply, and replies recorded in the history (each an fsynced commit).
const REVISED: usize = 2_000;
const HISTORY: usize = 300;

fn report(name: &str, mut samples: Vec<Duration>, target: Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let (median, p99) = (at(0.5), at(0.99));
    println!(
        "{name:<46} n={:<5} median {:>9.3?}  p99 {:>9.3?}  (target < {target:?}: {})",
        samples.len(),
        median,
        p99,
        if p99 < target { "met" } else { "NOT met" }
    );
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let v = f();
    (start.elapsed(), v)
}

/// 100,000 reviews spread evenly over the year, a third of them answered a few hours on,
/// every market and 50 versions; then 2,000 revised after a reply, and a few hundred replies
/// in the history.
fn seed(db: &mut Db, now: i64) {
    let span = i64::from(DAYS) * 86_400 - 3_600;
    let step = span / REVIEWS as i64;
    let dated = |i: usize| {
        let mut r = common::seed::review_at(APP, i, now - i as i64 * step);
        r.market = Some(MARKETS[i % MARKETS.len()].into());
        if i % 3 == 0 {
            r.response_text = Some("Thanks for the feedback.".into());
            let at = chrono::DateTime::from_timestamp(r.timestamp.unwrap() + (i % 48) as i64 * 3_600, 0).unwrap();
            r.response_date = Some(at.format("%Y-%m-%dT%H:%M:%S").to_string().into());
        }
        r
    };
    for start in (0..REVIEWS).step_by(10_000) {
        let rows: Vec<CachedReview> = (start..start + 10_000)
            .filter_map(|i| CachedReview::of(&dated(i)))
            .collect();
        db.upsert_reviews(APP, &rows, now).unwrap();
    }
    // Revised a day after their answer, with another rating and without the response.
    let revised: Vec<CachedReview> = (0..REVISED)
        .map(|k| k * 3 + 3)
        .filter_map(|i| {
            let mut r = dated(i);
            r.rating = Some(1 + (i as i64 + 2) % 5);
            r.response_text = None;
            r.response_date = None;
            r.timestamp = Some(r.timestamp.unwrap() + 2 * 86_400);
            r.date = Some(
                chrono::DateTime::from_timestamp(r.timestamp.unwrap(), 0)
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string()
                    .into(),
            );
            CachedReview::of(&r)
        })
        .collect();
    db.upsert_reviews(APP, &revised, now).unwrap();
    for k in 0..HISTORY {
        let i = k * 7 + 1;
        let r = dated(i);
        db.append_history(&HistoryRow {
            profile: "bench".into(),
            app: APP.into(),
            review: r.id.unwrap(),
            at: r.timestamp.unwrap() + 5_400,
            text: "Thanks".into(),
            result: "sent".into(),
        })
        .unwrap();
    }
}

/// The time the kept database of `STATS_BENCH_DB` was seeded for, so that a later run sees
/// the same window.
const SEEDED_AT: &str = "seeded_at";

fn main() {
    let tmp = tempfile::Builder::new()
        .prefix("reviewdesk-bench-stats-")
        .tempdir()
        .unwrap();
    let kept = std::env::var_os("STATS_BENCH_DB").map(std::path::PathBuf::from);
    let dir = kept.clone().unwrap_or_else(|| tmp.path().to_owned());
    std::fs::create_dir_all(&dir).unwrap();
    let stamp = dir.join(SEEDED_AT);
    let (mut db, _) = Db::open(&dir, "bench").unwrap();
    let now = match std::fs::read_to_string(&stamp).ok().and_then(|s| s.trim().parse().ok()) {
        Some(seeded_at) if kept.is_some() => {
            println!("reviewdesk stats benchmark: the database kept in {}", dir.display());
            seeded_at
        }
        _ => {
            let now = chrono::Utc::now().timestamp();
            let (t, ()) = timed(|| seed(&mut db, now));
            std::fs::write(&stamp, now.to_string()).unwrap();
            println!(
                "reviewdesk stats benchmark: {REVIEWS} reviews over {DAYS} days ({REVISED} revised, {HISTORY} replies in the history), seeded in {t:.1?}"
            );
            now
        }
    };
    let n: usize = std::env::var("STATS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);

    let check = stats::for_app(&db, APP, DAYS, now).unwrap();
    assert_eq!(check.reviews, REVIEWS as u64);
    assert_eq!(check.reply_effect.reviews, REVISED as u64);
    let runs = |n: usize, f: &mut dyn FnMut() -> Duration| (0..n).map(|_| f()).collect::<Vec<_>>();
    report(
        "stats of 100,000 reviews, 365 days (read + compute)",
        runs(n, &mut || timed(|| stats::for_app(&db, APP, DAYS, now).unwrap()).0),
        Duration::from_millis(100),
    );
    // The straightforward read (every review of the window collected, each with its id, then
    // counted): what `for_app` must agree with, and what it saves, on the same machine and load.
    let collected = || compute(&store_inputs(&db, APP, window_start(now, DAYS)).unwrap(), DAYS, now);
    assert_eq!(collected(), check);
    report(
        "  the same, read the straightforward way",
        runs(n, &mut || timed(collected).0),
        Duration::from_millis(100),
    );
    let inputs = store_inputs(&db, APP, window_start(now, DAYS)).unwrap();
    report(
        "  of which compute only",
        runs(n, &mut || timed(|| compute(&inputs, DAYS, now)).0),
        Duration::from_millis(100),
    );
    report(
        "stats of 100,000 reviews, 30 days (read + compute)",
        runs(n, &mut || timed(|| stats::for_app(&db, APP, 30, now).unwrap()).0),
        Duration::from_millis(100),
    );

    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        for no_color in [false, true] {
            let samples = runs(n.min(30) * 1_000 / 30, &mut || {
                timed(|| {
                    terminal
                        .draw(|f| draw_stats(f, f.area(), &check, DAYS, no_color))
                        .unwrap();
                })
                .0
            });
            let colour = if no_color { "NO_COLOR" } else { "colour" };
            report(
                &format!("one stats frame {w}x{h}, {colour}"),
                samples,
                Duration::from_millis(2),
            );
        }
    }
}
