//! The stats screen in the app: `s` asks the db thread to count, answers to requests no longer
//! waited for are dropped, the window cycles, a completed fetch counts again, Esc goes back.

mod common;

use common::flows::*;
use reviewdesk::stats::{Inputs, Stats};
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::{Command, DbCommand, Mode};

fn counts(cmds: &[Command]) -> Vec<(u64, &str, u32)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Db(DbCommand::ComputeStats { request, app, days }) => Some((*request, app.as_str(), *days)),
            _ => None,
        })
        .collect()
}

/// Stats of nothing, told apart by their window.
fn stats(days: u32) -> Box<Stats> {
    Box::new(reviewdesk::stats::compute(&Inputs::default(), days, 0))
}

#[test]
fn s_counts_off_the_ui_thread_and_only_the_newest_answer_shows() {
    let mut h = H::loaded(many(3));
    let cmds = h.typ("s");
    assert_eq!(h.app.screen.mode, Mode::Stats);
    let [(first, app, 90)] = counts(&cmds)[..] else {
        panic!("one count of 90 days: {cmds:?}")
    };
    assert_eq!(app, APP);
    // The window changes before the answer: the first answer is stale.
    let cmds = h.typ("w");
    let [(second, _, 365)] = counts(&cmds)[..] else {
        panic!("one count of 365 days: {cmds:?}")
    };
    h.act(Action::StatsComputed {
        request: first,
        result: Ok(stats(90)),
    });
    assert!(h.app.stats.shown.is_none(), "a stale answer is dropped");
    h.act(Action::StatsComputed {
        request: second,
        result: Ok(stats(365)),
    });
    assert!(matches!(&h.app.stats.shown, Some(Ok(s)) if s.window_days == 365));
    assert_eq!(h.app.stats.waiting, None);

    // R counts again (from the cache); w goes round to 30 days.
    assert_eq!(counts(&h.typ("R")).len(), 1);
    assert_eq!(h.app.screen.mode, Mode::Stats);
    assert_eq!(counts(&h.typ("w"))[0].2, 30);

    h.code(ratatui::crossterm::event::KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(counts(&h.typ("r")).is_empty());
}

#[test]
fn a_completed_fetch_recounts_while_the_screen_is_open_and_only_then() {
    let mut h = H::loaded(many(3));
    // The worker says which dates it fetched, so a completed fetch is synced to the cache.
    h.world.window = Some((day(1), day(28)));
    // Closed: a refresh counts nothing.
    let before = h.log.len();
    h.typ("R");
    h.serve();
    assert!(counts(&h.log[before..]).is_empty(), "{:?}", &h.log[before..]);
    // Open: the refresh's last page brings a count, queued after the sync.
    h.typ("s");
    h.take();
    // A fetch in flight while the screen is open (started before, answered now).
    h.code(ratatui::crossterm::event::KeyCode::Esc);
    h.typ("R");
    h.typ("s");
    let before = h.log.len();
    h.serve();
    let after = &h.log[before..];
    let sync = after
        .iter()
        .position(|c| matches!(c, Command::Db(DbCommand::CacheSynced { .. })));
    let count = after
        .iter()
        .rposition(|c| matches!(c, Command::Db(DbCommand::ComputeStats { .. })));
    assert!(
        matches!((sync, count), (Some(s), Some(c)) if s < c),
        "the count follows the sync: {after:?}"
    );
}

#[test]
fn an_error_is_shown_and_escape_returns() {
    let mut h = H::loaded(many(1));
    let cmds = h.typ("s");
    let [(request, _, _)] = counts(&cmds)[..] else { panic!() };
    h.act(Action::StatsComputed {
        request,
        result: Err("database is locked".into()),
    });
    assert!(matches!(&h.app.stats.shown, Some(Err(why)) if why.contains("locked")));
    h.typ("q");
    assert_eq!(h.app.screen.mode, Mode::Normal, "q closes the stats, not the app");
}

/// The db thread counts from a real database: the reviews it cached are the ones counted.
#[test]
fn the_db_thread_counts_the_cached_reviews() {
    use reviewdesk::tui::db_worker::{self, DraftsAt};
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let worker = db_worker::spawn(at, vec![APP.into()], tx);
    // Dated from today back: inside any window.
    let now = chrono::Utc::now().timestamp();
    let reviews: Vec<_> = (0..4)
        .map(|i| {
            let mut r = rv(&format!("s{i}"), 1 + i, 1, "T", "US");
            r.timestamp = Some(now - i * 86_400);
            r.date = Some(
                chrono::DateTime::from_timestamp(now - i * 86_400, 0)
                    .unwrap()
                    .to_rfc3339()
                    .into(),
            );
            r
        })
        .collect();
    worker.send(DbCommand::CacheReviews {
        app: APP.into(),
        reviews,
    });
    worker.send(DbCommand::ComputeStats {
        request: 5,
        app: APP.into(),
        days: 30,
    });
    let stats = loop {
        match rx.blocking_recv().expect("an answer") {
            Action::StatsComputed { request: 5, result } => break result.expect("counted"),
            _ => continue,
        }
    };
    assert_eq!((stats.window_days, stats.reviews), (30, 4));
    worker.finish();
}
