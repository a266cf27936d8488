//! The review cache: cached reviews shown at once, then refreshed and merged (headless flows),
//! and the db thread writing pages to a real SQLite file that the next start reads back.

mod common;

use common::flows::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use reviewdesk::store::Review;
use reviewdesk::tui::action::{Action, CachedReviews};
use reviewdesk::tui::app::{App, Command, Mode};
use reviewdesk::tui::app::{DbCommand, StoreCommand};
use reviewdesk::tui::db_worker::{self, DraftsAt};

fn cache(reviews: Vec<Review>, vanished: &[&str]) -> CachedReviews {
    CachedReviews {
        reviews,
        vanished: vanished.iter().map(|s| (*s).to_owned()).collect(),
        last_sync: Some(day(20)),
        age_secs: Some(12 * 60),
        ..CachedReviews::default()
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.screen.size.0, app.screen.size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn cache_writes(cmds: &[Command]) -> Vec<Vec<&str>> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Db(DbCommand::CacheReviews { app, reviews }) if app == APP => {
                Some(reviews.iter().filter_map(|r| r.id.as_deref()).collect())
            }
            _ => None,
        })
        .collect()
}

fn synced(cmds: &[Command]) -> Vec<(i64, i64, Vec<&str>)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Db(DbCommand::CacheSynced {
                start_ts, end_ts, seen, ..
            }) => {
                let mut seen: Vec<&str> = seen.iter().map(String::as_str).collect();
                seen.sort();
                Some((*start_ts, *end_ts, seen))
            }
            _ => None,
        })
        .collect()
}

/// Answers only what is pending now (not what those answers ask for).
fn answer_pending(h: &mut H) -> Vec<Command> {
    let mut out = Vec::new();
    for cmd in h.take() {
        for a in h.world.answer(&cmd) {
            out.extend(h.act(a));
        }
    }
    out
}

#[test]
fn cached_reviews_show_at_once_then_the_refresh_merges_and_keeps_the_selection() {
    let fetched = vec![
        rv("n1", 5, 29, "Brand new", "US"),
        answered(rv("r1", 3, 27, "Review 1", "US"), 28),
        rv("r3", 3, 25, "Review 3, revised", "US"),
    ];
    let mut h = H::cached(&[APP], cache(many(5), &[]), fetched);
    h.world.window = Some((day(14), day(30)));
    let start = h.take();
    assert!(
        matches!(&start[..], [Command::Db(DbCommand::LoadCache { app, .. })] if app == APP),
        "{start:?}"
    );
    assert!(
        fetches(&start).is_empty(),
        "the cache is read before anything is fetched"
    );
    h.push(start);

    // The cache's answer: the reviews at once, marked as cached, and an incremental fetch.
    let cmds = answer_pending(&mut h);
    assert_eq!(h.view_ids(), ["r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(
        h.app.status.activity.as_ref().map(ToString::to_string).as_deref(),
        Some("refreshing")
    );
    assert!(screen(&h.app).contains("cached 12 min ago · refreshing"));
    let since = fetch_since(&cmds);
    assert_eq!(since, [Some(day(20))], "asked from the last sync: {cmds:?}");
    h.goto("r3");
    h.take();
    let fetch: Vec<Command> = cmds
        .into_iter()
        .filter(|c| matches!(c, Command::Store(StoreCommand::FetchReviews { .. })))
        .collect();
    h.push(fetch);

    // The pages merge by id: nothing blanked, the selection stays on r3.
    let cmds = answer_pending(&mut h);
    assert_eq!(h.view_ids(), ["n1", "r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(h.selected(), "r3");
    assert_eq!(h.app.list.reviews.len(), 6);
    assert!(h.review("r1").is_answered(), "replaced by the fetched version");
    assert_eq!(h.review("r3").review_title.as_deref(), Some("Review 3, revised"));
    assert!(h.app.list.complete);
    assert_eq!(h.app.list.cache_age, None, "live now");
    assert!(!screen(&h.app).contains("cached"));
    assert_eq!(cache_writes(&cmds), [vec!["n1", "r1", "r3"]], "each page is kept");
    // Reviews of the cache that the fetched window does not return are gone upstream.
    assert_eq!(synced(&cmds), [(day(14), day(30), vec!["n1", "r1", "r3"])]);
    let mut vanished: Vec<&str> = h.app.list.vanished.iter().map(String::as_str).collect();
    vanished.sort();
    assert_eq!(vanished, ["r0", "r2", "r4"]);
}

/// `cache`'s reviews in two answers, as the db thread sends a large cache: the newest first.
fn in_two_parts(request: u64, all: CachedReviews, first: usize) -> [Action; 2] {
    let mut newest = all.clone();
    newest.reviews.truncate(first);
    newest
        .vanished
        .retain(|id| all.reviews[..first].iter().any(|r| r.id.as_ref() == Some(id)));
    newest.more = true;
    let mut rest = all;
    rest.reviews.drain(..first);
    rest.vanished.retain(|id| !newest.vanished.contains(id));
    [newest, rest].map(|c| Action::CacheLoaded {
        request,
        app: APP.into(),
        result: Ok(c),
    })
}

fn load_request(cmds: &[Command]) -> u64 {
    match cmds {
        [Command::Db(DbCommand::LoadCache { request, .. })] => *request,
        other => panic!("expected one LoadCache: {other:?}"),
    }
}

#[test]
fn a_large_cache_shows_its_newest_part_first_and_fetches_after_the_rest() {
    let mut h = H::cached(&[APP], cache(Vec::new(), &[]), many(1));
    let request = load_request(&h.take());
    let [newest, rest] = in_two_parts(request, cache(many(6), &["r1", "r4"]), 2);

    let cmds = h.act(newest);
    assert!(
        fetches(&cmds).is_empty(),
        "no fetch before the whole cache is in: {cmds:?}"
    );
    assert_eq!(h.view_ids(), ["r0", "r1"]);
    assert_eq!(
        h.app.status.activity.as_ref().map(ToString::to_string).as_deref(),
        Some("reading cached reviews")
    );
    let frame = screen(&h.app);
    assert!(frame.contains("Review 0"), "{frame}");
    h.goto("r1");
    h.take();

    let cmds = h.act(rest);
    assert_eq!(h.view_ids(), ["r0", "r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(h.selected(), "r1", "the selection stays");
    let mut vanished: Vec<&str> = h.app.list.vanished.iter().map(String::as_str).collect();
    vanished.sort();
    assert_eq!(vanished, ["r1", "r4"]);
    let since = fetch_since(&cmds);
    assert_eq!(since, [Some(day(20))], "then refreshed from the last sync: {cmds:?}");
    // Search runs over the cached reviews' text, made off the UI thread or not.
    h.typ("/review 4");
    assert_eq!(h.app.list.search.matches.len(), 1);
}

#[test]
fn refresh_while_the_cache_is_read_still_shows_the_cache_and_fetched_reviews_win() {
    let fetched = vec![
        rv("n1", 5, 29, "Brand new", "US"),
        answered(rv("r1", 3, 27, "Review 1", "US"), 28),
    ];
    let mut h = H::cached(&[APP], cache(Vec::new(), &[]), fetched);
    let request = load_request(&h.take());
    let [newest, rest] = in_two_parts(request, cache(many(4), &["r1", "r3"]), 2);

    // R before the cache answered: the fetch starts at once (from the start, no last sync).
    let cmds = h.typ("R");
    let since = fetch_since(&cmds);
    assert_eq!(since, [None]);
    // The fetch's first page, then the cache's two answers, then the fetch completes.
    let mut answers = h.world.answer(&cmds[0]);
    let done = answers.pop().expect("the last page");
    let page = answers.pop().expect("a page");
    h.act(page);
    assert_eq!(h.view_ids(), ["n1", "r1"]);
    let cmds = h.act(newest);
    assert!(fetches(&cmds).is_empty(), "no second fetch: {cmds:?}");
    assert_eq!(h.view_ids(), ["n1", "r0", "r1"], "the cache is shown too");
    assert!(h.review("r1").is_answered(), "the fetched version wins");
    assert!(!h.app.list.vanished.contains("r1"), "the fetch saw it: not vanished");
    let cmds = h.act(rest);
    assert!(fetches(&cmds).is_empty(), "no second fetch: {cmds:?}");
    assert_eq!(h.view_ids(), ["n1", "r0", "r1", "r2", "r3"]);
    assert!(
        h.app.list.vanished.contains("r3"),
        "the cache's mark on a review the fetch did not bring"
    );
    h.act(done);
    assert!(h.app.list.complete);
    assert!(h.app.list.loading.is_none());
    assert_eq!(h.app.list.reviews.len(), 5);
    assert!(h.review("r1").is_answered());

    // The cache answering after the fetch completed is still merged, and a stale answer is not.
    let mut h = H::cached(
        &[APP],
        cache(Vec::new(), &[]),
        vec![answered(rv("r0", 3, 28, "Review 0", "US"), 28)],
    );
    let request = load_request(&h.take());
    h.typ("R");
    h.serve();
    assert_eq!(h.view_ids(), ["r0"]);
    let [newest, rest] = in_two_parts(request, cache(many(3), &[]), 1);
    h.act(newest);
    h.act(rest.clone());
    assert_eq!(h.view_ids(), ["r0", "r1", "r2"]);
    assert!(h.review("r0").is_answered());
    assert_eq!(h.app.list.cache_age, None, "the fetch completed: live");
    h.act(rest);
    assert_eq!(h.app.list.reviews.len(), 3, "an answer already had is not merged twice");
}

#[test]
fn vanished_reviews_are_marked_and_cannot_be_answered_until_seen_again() {
    let mut h = H::cached(&[APP], cache(many(3), &["r1"]), Vec::new());
    h.world.offline = Some("connection refused".into());
    h.serve();
    h.goto("r1");
    let frame = screen(&h.app);
    assert!(frame.contains("removed by Microsoft (spam or pre-release)"), "{frame}");
    assert!(frame.contains('⌀'), "the list marks it: {frame}");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Normal, "no editor for a removed review");
    assert!(h.error().contains("cannot be answered"), "{}", h.error());

    // Seen again upstream: live again, and can be answered.
    h.world.offline = None;
    h.world.pages.insert(APP.into(), vec![many(3)]);
    h.world.window = Some((day(1), day(30)));
    h.typ("R");
    h.serve();
    assert!(h.app.list.vanished.is_empty());
    assert!(!screen(&h.app).contains("removed by Microsoft"));
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
}

#[test]
fn offline_the_cache_stays_with_the_error_and_drafting_works() {
    let mut h = H::cached(&[APP], cache(many(3), &[]), Vec::new());
    h.world.offline = Some("could not reach the Store: connection refused".into());
    h.act(Action::DraftsLoaded(Ok((Vec::new(), None))));
    h.serve();
    assert_eq!(h.view_ids(), ["r0", "r1", "r2"]);
    assert_eq!(h.error(), "could not reach the Store: connection refused");
    assert!(h.app.list.loading.is_none());
    let frame = screen(&h.app);
    assert!(frame.contains("cached 12 min ago"), "{frame}");
    assert!(frame.contains("connection refused"), "{frame}");
    h.goto("r2");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    h.typ("Sorry about that");
    h.code(ratatui::crossterm::event::KeyCode::Esc);
    assert_eq!(h.app.replies.drafts["r2"].text, "Sorry about that");
    assert!(
        h.log
            .iter()
            .any(|c| matches!(c, Command::Db(DbCommand::SaveDraft { review, .. }) if review == "r2"))
    );
}

#[test]
fn an_incremental_refresh_asks_from_the_last_sync_minus_a_week_never_more_than_the_window() {
    use chrono::NaiveDate;
    use reviewdesk::tui::store_worker::{fetch_query, query_window};
    let date = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let today = date(28);
    let first = fetch_query(APP, 30, None, today);
    assert_eq!((first.start, first.end), (date(28) - chrono::Days::new(30), today));
    let next = fetch_query(APP, 30, Some(day(20)), today);
    assert_eq!((next.start, next.end), (date(13), today));
    let stale = fetch_query(APP, 30, Some(day(20) - 90 * 86_400), today);
    assert_eq!(stale.start, first.start, "no wider than the default window");
    let (start, end) = query_window(&next);
    assert_eq!(start, day(13) - 12 * 3600);
    assert_eq!(end, day(28) + 12 * 3600 - 1);
}

/// Every session has a database (a temporary one in the demo): an empty cache is read first,
/// then the whole window is fetched and written to it.
#[test]
fn with_an_empty_cache_the_first_read_is_followed_by_a_full_fetch_that_is_kept() {
    let mut h = H::new(&[APP], (80, 24), many(2));
    assert!(
        matches!(&h.log[..], [Command::Db(DbCommand::LoadCache { .. }), ..]),
        "{:?}",
        h.log
    );
    h.serve();
    assert_eq!(fetch_since(&h.log), vec![None]);
    assert!(!cache_writes(&h.log).is_empty(), "{:?}", h.log);
}

/// The db thread writes fetched pages and the sync to a real file; the next start reads them
/// back, with the vanished marks and the last sync.
#[test]
fn pages_written_by_the_db_thread_come_back_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let open = |at: &DraftsAt| {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
        (worker, rx)
    };
    let (worker, _rx) = open(&at);
    // As the Store sends them: dated by their `date` text.
    let mut reviews: Vec<Review> = many(4)
        .into_iter()
        .map(|mut r| {
            let t = chrono::DateTime::from_timestamp(r.timestamp.unwrap(), 0).unwrap();
            r.date = Some(t.format("%Y-%m-%dT%H:%M:%S").to_string().into());
            r
        })
        .collect();
    // What the Store sent beyond the known fields survives the round trip.
    reviews[0]
        .extra
        .get_or_insert_with(Default::default)
        .insert("futureField".into(), serde_json::json!({"kept": true}));
    worker.send(DbCommand::CacheReviews {
        app: APP.into(),
        reviews: reviews[..2].to_vec(),
    });
    worker.send(DbCommand::CacheReviews {
        app: APP.into(),
        reviews: reviews[2..].to_vec(),
    });
    worker.send(DbCommand::CacheSynced {
        app: APP.into(),
        start_ts: day(1),
        end_ts: day(30),
        seen: ["r0", "r1", "r3"].map(String::from).to_vec(),
    });
    worker.finish();

    let (worker, mut rx) = open(&at);
    worker.send(DbCommand::LoadCache {
        request: 7,
        app: APP.into(),
        view: Default::default(),
    });
    let cached = loop {
        match rx.blocking_recv().expect("an answer") {
            Action::CacheLoaded {
                request: 7,
                app,
                result,
            } if app == APP => break result.expect("read"),
            _ => continue,
        }
    };
    worker.finish();
    let ids: Vec<&str> = cached.reviews.iter().filter_map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, ["r0", "r1", "r2", "r3"]);
    assert_eq!(cached.reviews, reviews);
    assert_eq!(cached.haystacks.len(), 4, "search text made on the db thread");
    assert!(!cached.more, "a small cache comes in one answer");
    assert_eq!(cached.vanished, ["r2"]);
    assert!(cached.last_sync.is_some());
    assert!(cached.age_secs.is_some_and(|a| a < 60));
}

/// Over `FIRST_PART` cached reviews: the newest come first on their own, then the rest; together
/// every review once, and the app shows them newest first.
#[test]
fn a_large_cache_comes_back_from_the_db_thread_in_two_parts() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let n = db_worker::FIRST_PART + 300;
    // Stored oldest first, with pairs of equal dates.
    let reviews: Vec<Review> = (0..n)
        .map(|i| {
            let mut r = rv(&format!("x{i:04}"), 4, 1, &format!("Title {i}"), "US");
            let t = chrono::DateTime::from_timestamp(day(1) + (i as i64 / 2) * 60, 0).unwrap();
            // As the Store sends them: dated by their `date` text.
            r.date = Some(t.format("%Y-%m-%dT%H:%M:%S").to_string().into());
            r.timestamp = Some(t.timestamp());
            r
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    for page in reviews.chunks(100) {
        worker.send(DbCommand::CacheReviews {
            app: APP.into(),
            reviews: page.to_vec(),
        });
    }
    worker.send(DbCommand::LoadCache {
        request: 3,
        app: APP.into(),
        view: Default::default(),
    });
    let mut parts = Vec::new();
    while parts.last().is_none_or(|p: &CachedReviews| p.more) {
        if let Action::CacheLoaded { request: 3, result, .. } = rx.blocking_recv().expect("an answer") {
            parts.push(result.expect("read"));
        }
    }
    worker.finish();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].reviews.len(), db_worker::FIRST_PART);
    // The last part is the whole list: the first part in front, in the same places, then the
    // rest, with an index by id, so the app swaps it in instead of merging.
    assert_eq!(parts[1].reviews.len(), n);
    assert!(parts[1].whole && !parts[0].whole);
    let ids = |p: &CachedReviews, range: std::ops::Range<usize>| -> Vec<String> {
        p.reviews[range].iter().filter_map(|r| r.id.clone()).collect()
    };
    assert_eq!(
        ids(&parts[1], 0..db_worker::FIRST_PART),
        ids(&parts[0], 0..db_worker::FIRST_PART)
    );
    assert_eq!(parts[1].ids.len(), n);
    let mut all: Vec<String> = ids(&parts[1], 0..n);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "every cached review once");
    // The newest first, ties in the order stored.
    let newest: Vec<&str> = parts[0]
        .reviews
        .iter()
        .take(3)
        .filter_map(|r| r.id.as_deref())
        .collect();
    let last = n - 1;
    assert_eq!(
        newest,
        [
            format!("x{:04}", last - 1),
            format!("x{last:04}"),
            format!("x{:04}", last - 3)
        ]
    );
    assert!(parts.iter().all(|p| p.haystacks.len() == p.reviews.len()));

    let mut h = H::cached(&[APP], CachedReviews::default(), Vec::new());
    let request = load_request(&h.take());
    for p in parts {
        h.act(Action::CacheLoaded {
            request,
            app: APP.into(),
            result: Ok(p),
        });
    }
    let mut expected: Vec<&Review> = reviews.iter().collect();
    expected.sort_by_key(|r| std::cmp::Reverse(r.timestamp));
    let expected: Vec<&str> = expected.iter().filter_map(|r| r.id.as_deref()).collect();
    assert_eq!(h.view_ids(), expected);
}
