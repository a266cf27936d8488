//! Answering at volume: render a template for 500 reviews and run the policy check on each
//! reply against 10,000 replies of history (the canned-reply comparison included). Target
//! (issue 10): under 50 ms in all.
//!
//! Run: `cargo bench --bench volume`. Prints the median and p99 of 50 runs, for the history
//! index being built (once per session in practice) and for the 500 renders + checks.

use std::path::Path;
use std::time::{Duration, Instant};

use reviewdesk::policy::{Context, HistoryIndex, Policy, SentReply};
use reviewdesk::store::Review;
use reviewdesk::templates::{load_dir, suggest};

const REPLIES: usize = 500;
const HISTORY: usize = 10_000;
const RUNS: usize = 50;

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
            reviewer_name: Some(rng.pick(NAMES).to_owned()).filter(|n| !n.is_empty()),
            application_name: Some("Contoso Notes".into()),
            package_version: Some(format!("3.4.{}", i % 9)),
            market: Some(rng.pick(MARKETS).to_owned()),
            rating: Some((rng.next() % 5 + 1) as i64),
            review_title: Some(rng.words(4)),
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

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what:<52} median {:>8.2} ms   p99 {:>8.2} ms",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0
    );
}

fn main() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let reviews = reviews(&mut rng);
    let history = history(&mut rng);
    let templates = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates")).expect("examples load");
    let policy = Policy::default();
    let (mut index_times, mut check_times, mut total_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0usize;
    for _ in 0..RUNS {
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
        "{REPLIES} replies, {HISTORY} history entries, {RUNS} runs ({} findings per run)",
        findings / RUNS
    );
    report("index the history (once per session)", index_times);
    report("suggest + render + check 500 replies", check_times);
    report("all of it (target < 50 ms)", total_times);
}
