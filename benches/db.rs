//! The local database (`reviewdesk::db`) on a real file: review cache of 100,000 reviews with
//! ~500-byte JSON each, draft saves, outbox claims, opening a full database, and the db thread's
//! part of the start (`load_cache`: the newest part, then the rest parsed).
//!
//! Run: `cargo bench --bench db`. Prints medians and p99s; the data lives in a temporary
//! directory (set TMPDIR to measure another disk).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use reviewdesk::db::{CachedReview, Db, DraftRow, OutboxNew};
use reviewdesk::tui::db_worker::{FIRST_PART, load_cache};

const REVIEWS: usize = 100_000;
const APP: &str = "9NBLGGH4R315";

/// A deterministic pseudo-random text, so the JSON is not one repeated string.
struct Words(u64);

impl Words {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn text(&mut self, words: usize) -> String {
        const W: &[&str] = &[
            "app", "crashes", "when", "I", "open", "the", "settings", "great", "update", "but", "sync", "is", "slow",
            "please", "fix", "love", "it", "five", "stars", "after", "latest", "version", "login", "fails", "again",
        ];
        (0..words)
            .map(|_| W[(self.next() % W.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A review shaped like the Store's (PascalCase fields, GUID id), about 520 bytes of JSON.
fn review(i: usize, words: &mut Words) -> CachedReview {
    // Store review ids are GUIDs: random, so inserts land all over the id index.
    let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 29;
    let y = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        x >> 32,
        (y >> 16) & 0xffff,
        y & 0xfff,
        (x >> 8) & 0xfff,
        y >> 16
    );
    let ts = 1_700_000_000 + (i as i64) * 60;
    let json = format!(
        concat!(
            r#"{{"ReviewId":"{id}","Date":"2024-01-01T00:00:00Z","Timestamp":{ts},"ApplicationId":"{app}","#,
            r#""ApplicationName":"Contoso Notes","Market":"US","OsVersion":"10.0.22631","DeviceType":"PC","#,
            r#""IsRevised":false,"PackageVersion":"3.4.{v}.0","DeviceModel":"Surface Laptop 5","#,
            r#""DeviceRAM":16384,"IsTouchEnabled":true,"ReviewerName":"{name}","Rating":{rating},"#,
            r#""ReviewTitle":"{title}","ReviewText":"{text}","HelpfulCount":{h},"NotHelpfulCount":0}}"#
        ),
        id = id,
        ts = ts,
        app = APP,
        v = i % 50,
        name = format!("User {i}"),
        rating = 1 + i % 5,
        title = words.text(3),
        text = words.text(12),
        h = i % 9,
    );
    CachedReview {
        id,
        date_ts: Some(ts),
        raw_json: json,
    }
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{name:<44} n={:<6} median {:>10.3?}  p99 {:>10.3?}  max {:>10.3?}",
        samples.len(),
        at(0.5),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let v = f();
    (start.elapsed(), v)
}

fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

fn main() {
    let tmp = tempfile::Builder::new()
        .prefix("reviewdesk-bench-db-")
        .tempdir()
        .unwrap();
    let mut words = Words(0x9e37_79b9_7f4a_7c15);
    let reviews: Vec<CachedReview> = (0..REVIEWS).map(|i| review(i, &mut words)).collect();
    let json_bytes: usize = reviews.iter().map(|r| r.raw_json.len()).sum();
    println!(
        "reviewdesk db benchmark: {REVIEWS} reviews, mean JSON {} bytes",
        json_bytes / REVIEWS
    );

    // Upsert: three fresh databases (insert path), then once over a full one (update path).
    let mut inserts = Vec::new();
    for run in 0..3 {
        let dir = tmp.path().join(format!("insert-{run}"));
        let (mut db, _) = Db::open(&dir, "bench").unwrap();
        let (t, n) = timed(|| db.upsert_reviews(APP, &reviews, 1).unwrap());
        assert_eq!(n, REVIEWS);
        inserts.push(t);
    }
    stats("upsert 100,000 new reviews (one transaction)", inserts);
    let dir = tmp.path().join("main");
    let (mut db, _) = Db::open(&dir, "bench").unwrap();
    db.upsert_reviews(APP, &reviews, 1).unwrap();
    let (t, _) = timed(|| db.upsert_reviews(APP, &reviews, 2).unwrap());
    stats("upsert 100,000 existing reviews", vec![t]);
    let pages: Vec<Duration> = reviews
        .chunks(1000)
        .map(|page| timed(|| db.upsert_reviews(APP, page, 3).unwrap()).0)
        .collect();
    stats("upsert one page of 1,000 (write lock held)", pages);

    let loads: Vec<Duration> = (0..7)
        .map(|_| {
            let (t, loaded) = timed(|| db.load_reviews(APP).unwrap());
            assert_eq!(loaded.len(), REVIEWS);
            t
        })
        .collect();
    stats("load 100,000 reviews", loads);

    let seen: HashSet<String> = reviews.iter().skip(10).map(|r| r.id.clone()).collect();
    let (t, marked) = timed(|| db.mark_vanished(APP, i64::MIN, i64::MAX, &seen).unwrap());
    assert_eq!(marked, 10);
    stats("mark_vanished over 100,000", vec![t]);

    // Draft saves on the full database, as the editor does: the same review, growing text.
    let mut text = String::new();
    let mut saves = Vec::new();
    for i in 0..3000 {
        text.push_str(if i % 12 == 11 { "\n" } else { "x" });
        if text.len() > 900 {
            text.clear();
        }
        let draft = DraftRow {
            text: text.clone(),
            public: true,
            email: "support@contoso.example".into(),
        };
        let review = &reviews[i % 20].id;
        let (t, ()) = timed(|| db.save_draft(APP, review, &draft, i as i64).unwrap());
        if i >= 100 {
            saves.push(t);
        }
    }
    stats("save_draft (UPSERT, WAL, synchronous=NORMAL)", saves);

    // Outbox: enqueue and claim are fsynced (synchronous=FULL for these).
    let mut enqueues = Vec::new();
    for r in &reviews[..200] {
        let new = OutboxNew {
            app: APP.into(),
            review: r.id.clone(),
            text: "Thanks for the review!".into(),
            support_email: String::new(),
            public: true,
        };
        enqueues.push(timed(|| db.enqueue(&new, 0).unwrap()).0);
    }
    stats("enqueue (fsynced)", enqueues);
    let mut claims = Vec::new();
    let mut marks = Vec::new();
    while let (t, Some(item)) = timed(|| db.claim_next("bench", 1, 60).unwrap()) {
        claims.push(t);
        marks.push(timed(|| db.mark_sent(item.id, 2).unwrap()).0);
    }
    stats("claim_next (fsynced)", claims);
    stats("mark_sent (fsynced, with history row)", marks);
    drop(db);

    let bytes = size_on_disk(&dir);
    println!(
        "{:<44} {:.1} MB ({} bytes; JSON alone {:.1} MB)",
        "size on disk, 100,000 reviews (after close)",
        bytes as f64 / 1e6,
        bytes,
        json_bytes as f64 / 1e6
    );

    // Opening a full database: includes PRAGMA quick_check and the migration check.
    let opens: Vec<Duration> = (0..7)
        .map(|_| {
            let (t, (db, report)) = timed(|| Db::open(&dir, "bench").unwrap());
            assert!(!report.recreated);
            drop(db);
            t
        })
        .collect();
    stats("Db::open of the 100,000-review file", opens);
    let (db, _) = Db::open(&dir, "bench").unwrap();
    let first: Vec<Duration> = (0..7).map(|_| timed(|| db.load_reviews(APP).unwrap()).0).collect();
    stats("load 100,000 after reopen", first);
    // What the first screen waits for: the newest 256, through the date index.
    let newest: Vec<Duration> = (0..7)
        .map(|_| {
            let (t, loaded) = timed(|| db.load_newest_reviews(APP, FIRST_PART).unwrap());
            assert_eq!(loaded.len(), FIRST_PART);
            t
        })
        .collect();
    stats("load the newest 256 of 100,000", newest);
    // The db thread's part of the start: the newest part parsed and handed over, then the rest
    // read and parsed (on every core) and cleaned, with its search text.
    let (mut firsts, mut wholes) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let start = Instant::now();
        let mut at = None;
        let rest = load_cache(&db, APP, |part| {
            at = Some(start.elapsed());
            assert!(part.more);
        })
        .unwrap();
        wholes.push(start.elapsed());
        firsts.push(at.expect("a first part"));
        assert_eq!(rest.reviews.len(), REVIEWS, "the last part is the whole list");
    }
    stats("load_cache: the newest part parsed", firsts);
    stats("load_cache: all 100,000 parsed", wholes);
    drop(db);

    // A profile with a second app of the same size: loading one app scans both.
    let (mut db, _) = Db::open(&dir, "bench").unwrap();
    let other: Vec<CachedReview> = (REVIEWS..2 * REVIEWS).map(|i| review(i, &mut words)).collect();
    db.upsert_reviews("9OTHERAPP000", &other, 1).unwrap();
    let both: Vec<Duration> = (0..7).map(|_| timed(|| db.load_reviews(APP).unwrap()).0).collect();
    stats("load 100,000 of one app, 200,000 in the file", both);
}
