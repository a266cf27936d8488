//! For tests of the db thread on its own: a cached review by number, and its next answer.

use std::time::{Duration, Instant};

use reviewdesk::store::Review;
use reviewdesk::tui::action::Action;

/// Review `r{i:04}`, a minute newer than review `i - 1`.
pub fn numbered_review(i: usize) -> Review {
    let t = chrono::DateTime::from_timestamp(1_750_000_000 + i as i64 * 60, 0).unwrap();
    Review {
        id: Some(format!("r{i:04}")),
        date: Some(t.format("%Y-%m-%dT%H:%M:%S").to_string().into()),
        timestamp: Some(t.timestamp()),
        rating: Some(3),
        review_title: Some(format!("Title {i}").into()),
        ..Review::default()
    }
}

/// The next action within a minute (generous: CI machines are loaded), or `None`.
pub fn next_action(rx: &mut tokio::sync::mpsc::Receiver<Action>) -> Option<Action> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match rx.try_recv() {
            Ok(a) => return Some(a),
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return None,
        }
    }
    None
}

/// A profile database under `at` holding reviews `r0000`..`r{n-1}`, written through the real
/// db thread, which is finished (and the file closed) on return.
pub fn seed_cache(at: &reviewdesk::tui::db_worker::DraftsAt, app: &str, n: usize) {
    use reviewdesk::tui::app::DbCommand;
    let (tx, _rx) = tokio::sync::mpsc::channel(16);
    let worker = reviewdesk::tui::db_worker::spawn(at.clone(), vec![app.into()], tx);
    let reviews: Vec<Review> = (0..n).map(numbered_review).collect();
    for page in reviews.chunks(100) {
        worker.send(DbCommand::CacheReviews {
            app: app.into(),
            reviews: page.to_vec(),
        });
    }
    worker.finish();
}
