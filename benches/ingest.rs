//! Fetch and ingest 100,000 reviews (10 pages of 10,000) from the emulator over loopback.
//!
//! Run: `cargo bench --bench ingest`. The emulator runs as a separate process (the real
//! `reviewdesk emulator`), so the time and memory measured here are the client's own.
//! Reported: median wall time of the whole fetch+ingest, median time serde_json alone takes to
//! parse the same bytes into `serde_json::Value`, their ratio, and the peak heap of one ingest.

mod common;

use std::time::{Duration, Instant};

use reviewdesk::store::dates::today_utc;
use reviewdesk::store::{ReviewQuery, ReviewsPage};

#[global_allocator]
static GLOBAL: common::alloc::Counting = common::alloc::Counting;

const REVIEWS: usize = 100_000;
const RUNS: usize = 7;
const APP: &str = "9NBLGGGZ5QDR";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing useful. Either way
    // this is a measurement, not a test.
    let emulator = common::Emulator::start(REVIEWS, APP);
    let url = emulator.url.clone();
    let rt = common::runtime();
    let session = emulator.session();
    let mut query = ReviewQuery::last_days(APP, 90, today_utc());
    query.start = today_utc() - chrono::Days::new(1000);

    // Warm up (token, connection) and check the size of the data set.
    let warm = rt.block_on(session.client.fetch_reviews(&query)).unwrap();
    assert_eq!(warm.reviews.len(), REVIEWS, "the emulator serves every review");
    assert_eq!(warm.pages, 10);
    drop(warm);

    let mut fetch_ingest = Vec::new();
    let mut peak_heap = 0usize;
    for _ in 0..RUNS {
        let base_live = common::alloc::start_peak();
        let t = Instant::now();
        let got = rt.block_on(session.client.fetch_reviews(&query)).unwrap();
        fetch_ingest.push(t.elapsed());
        peak_heap = peak_heap.max(common::alloc::peak_since(base_live));
        assert_eq!(got.reviews.len(), REVIEWS);
    }

    // The same bytes, fetched raw, for the serde_json baseline.
    let http = reqwest::Client::new();
    let pages: Vec<bytes::Bytes> = rt.block_on(async {
        let token = session.client.tokens().token().await.unwrap();
        let mut out = Vec::new();
        for skip in (0..REVIEWS).step_by(10_000) {
            let q = query.to_query_string().replace("skip=0", &format!("skip={skip}"));
            let body = http
                .get(format!("{url}/v1.0/my/analytics/reviews?{q}"))
                .bearer_auth(token.secret())
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            out.push(body);
        }
        out
    });
    let total_bytes: usize = pages.iter().map(|p| p.len()).sum();
    let mut value_parse = Vec::new();
    let mut typed_parse = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        for p in &pages {
            let v: serde_json::Value = serde_json::from_slice(p).unwrap();
            std::hint::black_box(v);
        }
        value_parse.push(t.elapsed());
        let t = Instant::now();
        for p in &pages {
            let v: ReviewsPage = serde_json::from_slice(p).unwrap();
            std::hint::black_box(v);
        }
        typed_parse.push(t.elapsed());
    }
    drop(emulator);

    let fi = median(fetch_ingest);
    let vp = median(value_parse);
    let tp = median(typed_parse);
    let ratio = fi.as_secs_f64() / vp.as_secs_f64();
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0))
        })
        .unwrap_or(0);
    println!(
        "ingest: {REVIEWS} reviews, 10 pages, {:.1} MB of JSON, {RUNS} runs (medians)",
        total_bytes as f64 / 1e6
    );
    println!("  fetch + ingest (client, over loopback) : {:>8.1} ms", ms(fi));
    println!("  serde_json::Value parse of the bytes   : {:>8.1} ms", ms(vp));
    println!("  typed ReviewsPage parse of the bytes   : {:>8.1} ms", ms(tp));
    println!("  ratio fetch+ingest / Value parse       : {ratio:>8.2}x  (target <= 1.5x)");
    println!(
        "  peak heap during one fetch+ingest      : {:>8.1} MB (target < 200 MB)",
        peak_heap as f64 / 1e6
    );
    println!(
        "  peak RSS of the bench process (VmHWM)  : {:>8.1} MB (includes the raw-bytes baseline)",
        rss as f64 / 1024.0
    );
    println!(
        "  under 2.5 s: {}",
        if fi < Duration::from_millis(2500) { "yes" } else { "NO" }
    );
}
