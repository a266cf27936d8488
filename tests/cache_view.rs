//! The whole cached list comes from the db thread with its view made there (filtered, in order),
//! for the view the cache read was asked with; the UI swaps it in. If the person changed the
//! filters or the order while the cache was read, the UI places the reviews itself: either way
//! the view is the one the filters give, and the selection stays. Real db thread, real SQLite.

mod common;

use common::flows::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use reviewdesk::store::Review;
use reviewdesk::tui::action::{Action, CachedReviews};
use reviewdesk::tui::app::view::{Filters, ViewSpec};
use reviewdesk::tui::app::{Command, DbCommand};
use reviewdesk::tui::db_worker::{self, DbWorker, DraftsAt};

/// More reviews than the first part: ratings 1-5, every third answered, pairs of equal dates,
/// stored oldest first.
fn reviews() -> Vec<Review> {
    (0..db_worker::FIRST_PART + 300)
        .map(|i| {
            let mut r = rv(&format!("x{i:04}"), 1 + (i % 5) as i64, 1, &format!("Title {i}"), "US");
            let t = chrono::DateTime::from_timestamp(day(1) + (i as i64 / 2) * 60, 0).unwrap();
            r.date = Some(t.format("%Y-%m-%dT%H:%M:%S").to_string().into());
            r.timestamp = Some(t.timestamp());
            if i % 3 == 0 {
                r.response_text = Some("Thanks".into());
            }
            r
        })
        .collect()
}

/// A db thread over a fresh profile holding [`reviews`].
fn seeded(dir: &std::path::Path) -> (DbWorker, tokio::sync::mpsc::Receiver<Action>) {
    let at = DraftsAt {
        dir: dir.join("data"),
        profile: "test".into(),
    };
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
    for page in reviews().chunks(100) {
        worker.send(DbCommand::CacheReviews {
            app: APP.into(),
            reviews: page.to_vec(),
        });
    }
    worker.finish();
    let (tx, rx2) = tokio::sync::mpsc::channel(16);
    drop(rx);
    (db_worker::spawn(at, vec![APP.into()], tx), rx2)
}

/// Sends `cmd` (a `LoadCache`) and returns its answers, the last one whole.
fn parts(worker: &DbWorker, rx: &mut tokio::sync::mpsc::Receiver<Action>, cmd: DbCommand) -> Vec<Action> {
    let DbCommand::LoadCache { request, .. } = &cmd else {
        panic!("not a cache read: {cmd:?}")
    };
    let request = *request;
    worker.send(cmd);
    let mut out = Vec::new();
    loop {
        let a = rx.blocking_recv().expect("an answer");
        if let Action::CacheLoaded { request: r, result, .. } = &a
            && *r == request
        {
            let more = result.as_ref().expect("read").more;
            out.push(a);
            if !more {
                return out;
            }
        }
    }
}

fn whole(a: &Action) -> &CachedReviews {
    match a {
        Action::CacheLoaded { result: Ok(c), .. } => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_db_thread_makes_the_whole_lists_view_for_the_view_it_was_asked_with() {
    let dir = tempfile::tempdir().unwrap();
    let (worker, mut rx) = seeded(dir.path());
    let spec = ViewSpec {
        filters: Filters {
            ratings: [true, false, true, true, false],
            ..Filters::default()
        },
        unanswered_first: true,
        saved: None,
    };
    let got = parts(
        &worker,
        &mut rx,
        DbCommand::LoadCache {
            request: 1,
            app: APP.into(),
            view: spec.clone(),
        },
    );
    worker.finish();
    let w = whole(got.last().unwrap());
    assert!(w.whole);
    let view = w.view.as_ref().expect("a view with the whole list");
    assert_eq!(*view, spec.build(&w.reviews));
    // Not trivially so: filtered, and the unanswered in front of newer answered ones.
    assert!(view.len() < w.reviews.len() && !view.is_empty());
    assert!(view.iter().all(|&i| ![Some(2), Some(5)].contains(&w.reviews[i].rating)));
    let first_answered = view.iter().position(|&i| w.reviews[i].response_text.is_some()).unwrap();
    assert!(
        view[first_answered..]
            .iter()
            .all(|&i| w.reviews[i].response_text.is_some())
    );
    assert!(
        view[..first_answered]
            .windows(2)
            .all(|p| w.reviews[p[0]].timestamp >= w.reviews[p[1]].timestamp)
    );
}

/// The app as it starts, its cache read answered by the real db thread: taken as made there when
/// nothing changed, placed by the UI when the order changed between the first part and the whole.
#[test]
fn the_ui_takes_the_view_made_for_it_and_only_that_one() {
    for change_order in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (worker, mut rx) = seeded(dir.path());
        let mut h = H::cached(&[APP], CachedReviews::default(), Vec::new());
        let load = h
            .take()
            .into_iter()
            .find_map(|c| match c {
                Command::Db(cmd @ DbCommand::LoadCache { .. }) => Some(cmd),
                _ => None,
            })
            .expect("the app reads the cache first");
        let got = parts(&worker, &mut rx, load);
        worker.finish();
        assert_eq!(got.len(), 2, "the newest first, then the whole");
        let mut answers = got.into_iter();
        h.act(answers.next().unwrap());
        // A review of the first part, not its first row.
        let picked = h.app.list.reviews[40].id.clone().unwrap();
        h.goto(&picked);
        if change_order {
            h.key(KeyCode::Char('u'), KeyModifiers::NONE);
        }
        h.act(answers.next().unwrap());
        let list = &h.app.list;
        assert_eq!(list.reviews.len(), db_worker::FIRST_PART + 300);
        assert_eq!(
            list.view,
            h.app.view_spec().build(&list.reviews),
            "order changed: {change_order}"
        );
        assert_eq!(list.view.len(), list.reviews.len());
        if change_order {
            let answered = |i: &usize| list.reviews[*i].response_text.is_some();
            let k = list.view.iter().position(answered).unwrap();
            assert!(k > 0 && list.view[k..].iter().all(answered), "unanswered first");
        }
        assert_eq!(
            h.selected(),
            picked,
            "the selection stays (order changed: {change_order})"
        );
    }
}
