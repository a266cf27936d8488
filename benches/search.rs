//! Search per keystroke over 1,000,000 reviews (issue 12: p99 <= 30 ms), the search alone:
//! the seeded reviews' search text (`SearchText`) built once, then queries typed one key at a
//! time over the whole view, as `/` runs them. `benches/million.rs` measures the same through
//! the app's keymap after a cache load; this one needs no database, so it runs in seconds and
//! can run under callgrind whole.
//!
//! Run: `cargo bench --bench search`; `REVIEWDESK_BENCH_REVIEWS=N` changes the count.

mod common;

use std::time::{Duration, Instant};

use reviewdesk::tui::app::sanitize_review;
use reviewdesk::tui::search_text::SearchText;

fn main() {
    let n: usize = std::env::var("REVIEWDESK_BENCH_REVIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "search: {n} reviews, per keystroke (load average {})",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let now = chrono::Utc::now().timestamp();
    let t = Instant::now();
    let mut text = SearchText::new();
    text.reserve(n);
    for i in 0..n {
        let mut r = common::seed::review("9NBLGGH4R315", i, now);
        sanitize_review(&mut r);
        text.push(&r);
    }
    println!("  search text built in {:.0?}", t.elapsed());
    let view: Vec<usize> = (0..n).collect();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // Each key as a search of its own (what a change of the list re-runs), then as typed: the
    // next letter searching only the last one's hits.
    for narrowing in [false, true] {
        let mut per_key = Vec::new();
        for query in ["export", "crashes when", "user 4242", "sync is slow", "zzz"] {
            for _ in 0..3 {
                let mut last = None;
                for end in query.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let t = Instant::now();
                    let matches = if narrowing {
                        text.search_narrowing(&view, &query[..end], &mut last)
                    } else {
                        text.search(&view, &query[..end])
                    };
                    per_key.push(t.elapsed());
                    std::hint::black_box(matches);
                }
            }
        }
        per_key.sort();
        let median = per_key[per_key.len() / 2];
        let p99 = per_key[(per_key.len() * 99 / 100).min(per_key.len() - 1)];
        println!(
            "  {}: median {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} keys (target p99 <= 30 ms: {})",
            if narrowing {
                "as typed (narrowing)    "
            } else {
                "each key a whole search "
            },
            ms(median),
            ms(p99),
            ms(*per_key.last().unwrap()),
            per_key.len(),
            if p99 <= Duration::from_millis(30) {
                "met"
            } else {
                "NOT MET"
            }
        );
    }
}
