//! A profile database seeded with cached reviews, as the db thread stores them (the JSON a
//! `Review` serialises to), for the benchmarks that start the real binary on a warm cache.
#![allow(dead_code)]

use std::path::Path;

use reviewdesk::db::{CachedReview, Db};
use reviewdesk::store::Review;

/// The `i`-th seeded review of `app`: one every 20 seconds back from `now`, so 100,000 of them
/// span 23 days and sit inside the default window.
pub fn review(app: &str, i: usize, now: i64) -> Review {
    review_at(app, i, now - (i as i64) * 20)
}

/// The `i`-th seeded review of `app`, dated `ts`: rating `1 + i % 5`, package version
/// `3.4.{i % 50}.0`, market `US`.
pub fn review_at(app: &str, i: usize, ts: i64) -> Review {
    let words = [
        "app", "crashes", "when", "I", "open", "the", "settings", "great", "update", "but", "sync", "is", "slow",
        "please", "fix", "love", "it", "five", "stars", "after", "latest", "version",
    ];
    let text = |n: usize| {
        (0..n)
            .map(|k| words[(i * 7 + k * 13) % words.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let when = chrono::DateTime::from_timestamp(ts, 0).unwrap();
    Review {
        id: Some(format!(
            "{:08x}-0000-4000-a000-{:012x}",
            i as u64 * 2_654_435_761 % (1 << 32),
            i
        )),
        date: Some(when.format("%Y-%m-%dT%H:%M:%S").to_string().into()),
        timestamp: Some(when.timestamp()),
        application_id: Some(app.into()),
        application_name: Some("Contoso Notes".into()),
        market: Some("US".into()),
        os_version: Some("10.0.22631".into()),
        device_type: Some("PC".into()),
        package_version: Some(format!("3.4.{}.0", i % 50).into()),
        device_model: Some("Surface Laptop 5".into()),
        reviewer_name: Some(format!("User {i}").into()),
        rating: Some(1 + (i % 5) as i64),
        review_title: Some(text(3).into()),
        review_text: Some(text(14)),
        helpful_count: Some((i % 9) as i32),
        not_helpful_count: Some(0),
        ..Review::default()
    }
}

/// Writes `count` reviews of `app` into the database of profile `profile` under `data_dir`
/// (`$XDG_DATA_HOME/reviewdesk`), marked as synced now. Answers the bytes of JSON stored.
pub fn seed(data_dir: &Path, profile: &str, app: &str, count: usize) -> usize {
    let now = chrono::Utc::now().timestamp();
    let (mut db, _) = Db::open(data_dir, profile).expect("open the database");
    let mut bytes = 0;
    for start in (0..count).step_by(10_000) {
        // As the db thread stores a fetched page (the same rows as their JSON would give).
        let page: Vec<Review> = (start..(start + 10_000).min(count))
            .map(|i| review(app, i, now))
            .collect();
        bytes += page
            .iter()
            .filter_map(CachedReview::of)
            .map(|c| c.raw_json.len())
            .sum::<usize>();
        db.upsert_fetched(app, &page, now).unwrap();
    }
    db.set_last_sync(app, now).unwrap();
    bytes
}
