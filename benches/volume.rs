//! Answering at volume, the two targets of issue 10:
//! - render a template for 500 reviews and run the policy check on each reply against 10,000
//!   replies of history (the canned-reply comparison included), the history indexed in the
//!   same run: under 50 ms in all;
//! - mark all of 100,000 reviews (`*`) and draw the next 80x24 frame: within one frame
//!   budget (16 ms).
//!
//! Run: `cargo bench --bench volume`. Prints the median and p99 of each, the target and whether
//! it is met (by the p99). In-process: the app is driven through its one update function and
//! drawn on ratatui's `TestBackend`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use reviewdesk::keymap::Keymap;
use reviewdesk::policy::{Context, HistoryIndex, Policy, SentReply};
use reviewdesk::store::Review;
use reviewdesk::templates::{load_dir, suggest};
use reviewdesk::tui::action::{Action, CachedReviews};
use reviewdesk::tui::app::{App, AppEntry, Command, DbCommand, Settings, StoreCommand};
use reviewdesk::tui::ui;

const REPLIES: usize = 500;
const HISTORY: usize = 10_000;
const RUNS: usize = 50;

/// `REVIEWDESK_BENCH_RUNS=1` for a profiler (callgrind) run.
fn runs(default: usize) -> usize {
    std::env::var("REVIEWDESK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn words(&mut self, n: usize) -> String {
        const W: &[&str] = &[
            "app", "crashes", "when", "I", "open", "the", "settings", "great", "update", "but", "sync", "is", "slow",
            "please", "fix", "love", "it", "five", "stars", "after", "latest", "version", "login", "fails", "again",
            "dark", "mode", "missing", "export", "notes", "lost", "battery", "drain", "font", "small", "ads",
        ];
        (0..n).map(|_| self.pick(W)).collect::<Vec<_>>().join(" ")
    }
}

fn reviews(rng: &mut Rng) -> Vec<Review> {
    const NAMES: &[&str] = &["Ana", "Ben", "Zoë", "山田", "Ola", "Jean-Luc", "", "Eve\u{1b}[2J"];
    const MARKETS: &[&str] = &["US", "DE", "FR", "CH", "GB", "ES", "JP"];
    (0..REPLIES)
        .map(|i| Review {
            id: Some(format!("review-{i:05}")),
            reviewer_name: Some(rng.pick(NAMES)).filter(|n| !n.is_empty()).map(Into::into),
            application_name: Some("Contoso Notes".into()),
            package_version: Some(format!("3.4.{}", i % 9).into()),
            market: Some(rng.pick(MARKETS).into()),
            rating: Some((rng.next() % 5 + 1) as i64),
            review_title: Some(rng.words(4).into()),
            review_text: Some(rng.words(30)),
            timestamp: Some(1_717_200_000 + i as i64 * 600),
            ..Review::default()
        })
        .collect()
}

fn history(rng: &mut Rng) -> Vec<SentReply> {
    (0..HISTORY)
        .map(|i| SentReply {
            review: format!("old-{i:05}"),
            // Every fourth one canned, the rest written for their review.
            reply: if i % 4 == 0 {
                format!(
                    "Hi {}, thank you for reporting the crash in Contoso Notes, and sorry for the trouble. It is \
                     fixed in the latest update.",
                    rng.pick(&["Ana", "Ben", "Ola"])
                )
            } else {
                rng.words(35)
            },
            review_text: Some(rng.words(30)),
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Prints median and p99; answers the p99.
fn report(what: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let p99 = percentile(&times, 0.99);
    println!(
        "{what:<52} median {:>8.2} ms   p99 {:>8.2} ms",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    );
    p99
}

fn verdict(what: &str, p99: Duration, target: Duration) {
    let met = if p99 < target { "met" } else { "NOT met" };
    println!("{what}: target < {} ms (p99): {met}", target.as_millis());
}

fn main() {
    answer_500();
    mark_all_100k();
}

fn answer_500() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let reviews = reviews(&mut rng);
    let history = history(&mut rng);
    let templates = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates")).expect("examples load");
    let policy = Policy::default();
    let (mut index_times, mut check_times, mut total_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0usize;
    let n = runs(RUNS);
    for _ in 0..n {
        let start = Instant::now();
        let index = HistoryIndex::new(&history);
        let built = start.elapsed();
        let checking = Instant::now();
        for r in &reviews {
            let best = &templates[suggest(&templates, r)[0].index];
            let reply = best.render_for(r, Some("help@contoso.com"));
            let ctx = Context {
                support_email: Some("help@contoso.com"),
                review: r.id.as_deref(),
                review_text: r.review_text.as_deref(),
                history: Some(&index),
            };
            findings += std::hint::black_box(policy.check(&reply.text, &ctx)).len();
        }
        check_times.push(checking.elapsed());
        index_times.push(built);
        total_times.push(start.elapsed());
    }
    println!(
        "{REPLIES} replies, {HISTORY} history entries, {n} runs ({} findings per run)",
        findings / n
    );
    report("index the history (once per session)", index_times);
    report("suggest + render + check 500 replies", check_times);
    let p99 = report("all of it", total_times);
    verdict("500 replies against 10,000", p99, Duration::from_millis(50));
}

const MARKED: usize = 100_000;
const MARK_RUNS: usize = 30;
const APP_ID: &str = "9NBLGGGZ5QDR";

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// 100,000 reviews loaded at 80x24; `*` marks every one shown, then the frame after it is
/// drawn; `X` clears them (not timed) for the next run.
fn mark_all_100k() {
    let mut app = App::new(
        Keymap::default(),
        Settings::default(),
        "bench".into(),
        vec![AppEntry {
            id: APP_ID.into(),
            name: None,
        }],
        (80, 24),
    );
    // The (empty) cache is read first, then the reviews are fetched.
    let cache = match app.start().first() {
        Some(Command::Db(DbCommand::LoadCache { request, .. })) => *request,
        other => panic!("{other:?}"),
    };
    let fetch = app.update(Action::CacheLoaded {
        request: cache,
        app: APP_ID.into(),
        result: Ok(CachedReviews::default()),
    });
    let request = match fetch.iter().find(|c| matches!(c, Command::Store(_))) {
        Some(Command::Store(StoreCommand::FetchReviews { request, .. })) => *request,
        other => panic!("{other:?}"),
    };
    let now = chrono::Utc::now().timestamp();
    let reviews: Vec<Review> = (0..MARKED).map(|i| common::seed::review(APP_ID, i, now)).collect();
    app.update(Action::ReviewsPage {
        request,
        app: APP_ID.into(),
        reviews: reviews.into(),
        total: Some(MARKED as u64),
        done: true,
    });
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    term.draw(|f| ui::draw(f, &app)).expect("drawn");
    let (mut marking, mut drawing, mut both) = (Vec::new(), Vec::new(), Vec::new());
    let n = runs(MARK_RUNS);
    for _ in 0..n {
        let start = Instant::now();
        app.key(key('*'));
        let marked = start.elapsed();
        term.draw(|f| ui::draw(f, &app)).expect("drawn");
        both.push(start.elapsed());
        drawing.push(start.elapsed() - marked);
        marking.push(marked);
        assert_eq!(app.mark_count(), MARKED, "every review marked");
        app.key(key('X'));
        term.draw(|f| ui::draw(f, &app)).expect("drawn");
    }
    println!("{MARKED} reviews, 80x24, {n} runs");
    report("mark all (*)", marking);
    report("draw the next frame", drawing);
    let p99 = report("mark all and draw", both);
    verdict("mark 100,000 and draw", p99, Duration::from_millis(16));
}
