//! Headless flows: `App` driven by key events and by a fake worker that answers the `Command`s
//! it returns, with assertions on state and on the commands produced.
//! Search, filters, app switching, quitting, resizing and refreshing.

mod common;

use common::flows::*;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::tui::action::{Action, ReplyState};
use reviewdesk::tui::app::view::Answered;
use reviewdesk::tui::app::{Command, Mode};
use reviewdesk::tui::app::{DbCommand, OutboxCommand};
use reviewdesk::tui::layout::list_rows;

#[test]
fn search_is_incremental_case_insensitive_and_cycles() {
    let mut h = H::loaded(vec![
        rv("a", 1, 20, "Crash on start", "US"),
        rv("b", 5, 19, "Love it", "US"),
        rv("c", 2, 18, "crashes daily", "US"),
        rv("d", 3, 17, "Sync", "US"),
        rv("e", 1, 16, "CRASH again", "US"),
    ]);
    h.typ("j");
    h.typ("/");
    assert_eq!(h.app.screen.mode, Mode::Search);
    h.typ("Cr");
    assert_eq!(h.app.list.search.matches, [0, 2, 4]);
    assert_eq!(h.selected(), "c", "the first match at or after where the search began");
    h.typ("ASHes");
    assert_eq!(h.app.list.search.matches, [2]);
    h.code(KeyCode::Backspace);
    h.code(KeyCode::Backspace);
    assert_eq!(h.app.list.search.query, "CrASH");
    assert_eq!(h.app.list.search.matches, [0, 2, 4]);
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert_eq!(h.app.list.search.query, "CrASH");
    assert_eq!(h.selected(), "a");
    let mut seen = Vec::new();
    for k in ["n", "n", "n", "N", "N"] {
        h.typ(k);
        seen.push(h.selected().to_owned());
    }
    assert_eq!(seen, ["c", "e", "a", "e", "c"]);
    h.code(KeyCode::Esc);
    assert_eq!(h.app.list.search.query, "");
    assert!(h.app.list.search.matches.is_empty());
    assert_eq!(h.selected(), "c", "clearing keeps the selection");

    // Esc while typing goes back to where the search began.
    h.typ("/love");
    assert_eq!(h.selected(), "b");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert_eq!(h.selected(), "c");

    h.typ("/");
    h.act(Action::Paste("sync\n".into()));
    assert_eq!(h.app.list.search.query, "sync");
    assert_eq!(h.selected(), "d");
    h.code(KeyCode::Esc);
    h.typ("/zzz");
    h.code(KeyCode::Enter);
    h.typ("n");
    assert_eq!(h.error(), "No review matches \"zzz\"");
    assert_eq!(h.selected(), "c");
}

#[test]
fn filters_overlay_validates_then_applies() {
    let mut h = H::loaded(vec![
        rv("a", 5, 20, "A", "US"),
        rv("b", 1, 19, "B", "US"),
        rv("c", 4, 18, "C", "DE"),
        answered(rv("d", 3, 17, "D", "US"), 17),
        rv("e", 2, 16, "E", "us"),
        rv("f", 4, 15, "F", "US"),
    ]);
    h.goto("f");
    h.typ("f");
    assert_eq!(h.app.screen.mode, Mode::Filters);
    h.typ("5");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.filters.active.is_default(), "Esc cancels");

    h.typ("f12");
    h.code(KeyCode::Down);
    h.typ(" ");
    h.code(KeyCode::Down);
    h.code(KeyCode::Tab);
    h.typ("usa");
    let form = h.app.filters.form.as_ref().unwrap();
    assert_eq!(form.filters.ratings, [false, false, true, true, true]);
    assert_eq!(form.filters.answered, Answered::Unanswered);
    assert_eq!(form.market, "usa");
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Filters);
    let problem = h.app.filters.form.as_ref().unwrap().problem.clone().unwrap_or_default();
    assert!(problem.contains("\"USA\" is not a market"), "{problem}");
    assert!(h.app.filters.active.is_default(), "not applied");
    assert_eq!(h.app.list.view.len(), 6);

    h.code(KeyCode::Backspace);
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.filters.form.is_none());
    assert_eq!(h.app.filters.active.markets, ["US"]);
    assert_eq!(h.app.filters.active.answered, Answered::Unanswered);
    assert_eq!(h.view_ids(), ["a", "f"]);
    assert_eq!(h.selected(), "f", "the selection survives when it passes");
}

#[test]
fn u_puts_unanswered_reviews_first() {
    let mut h = H::loaded(vec![
        answered(rv("a", 5, 20, "A", "US"), 20),
        rv("b", 1, 19, "B", "US"),
        answered(rv("c", 4, 18, "C", "US"), 18),
        rv("d", 3, 17, "D", "US"),
    ]);
    h.goto("c");
    h.typ("u");
    assert!(h.app.filters.unanswered_first);
    assert_eq!(h.view_ids(), ["b", "d", "a", "c"]);
    assert_eq!((h.selected(), h.app.list.selected), ("c", 3));
    h.typ("u");
    assert_eq!(h.view_ids(), ["a", "b", "c", "d"]);
    assert_eq!((h.selected(), h.app.list.selected), ("c", 2));
}

#[test]
fn app_switcher_fetches_the_other_app_and_ignores_late_pages() {
    let mut h = H::new(&[APP, OTHER], (80, 24), many(5));
    h.world.pages.insert(
        OTHER.into(),
        vec![vec![rv("o1", 4, 25, "O1", "US"), rv("o2", 4, 24, "O2", "US")]],
    );
    h.serve();
    let first_fetch = fetches(&h.log)[0].0;
    h.typ("a");
    assert_eq!(h.app.screen.mode, Mode::Apps);
    h.typ("jj");
    assert_eq!(h.app.sources.picker, 1, "clamped");
    // Its (empty) cache is read first, then it is fetched.
    let cmds = h.code(KeyCode::Enter);
    assert!(
        matches!(&cmds[..], [Command::Db(DbCommand::LoadCache { app, .. })] if app == OTHER),
        "{cmds:?}"
    );
    h.take();
    for a in h.world.answer(&cmds[0]) {
        h.act(a);
    }
    let cmds = h.pending.clone();
    let [(request, app)] = fetches(&cmds)[..] else {
        panic!("one FetchReviews: {cmds:?}")
    };
    assert_eq!(app, OTHER);
    assert_eq!(h.app.app_id(), OTHER);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.list.view.is_empty());

    // Late answers for the first app change nothing.
    h.act(Action::ReviewsPage {
        request: first_fetch,
        app: APP.into(),
        reviews: many(3).into(),
        total: Some(3),
        done: true,
    });
    h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: many(3).into(),
        total: Some(3),
        done: true,
    });
    assert!(h.app.list.reviews.is_empty());
    assert!(h.app.list.loading.is_some());

    h.serve();
    assert_eq!(h.view_ids(), ["o1", "o2"]);
    assert!(h.app.list.complete);

    // Back to the first app: it is cached, nothing is fetched.
    h.typ("a");
    let cmds = h.typ("k");
    assert!(cmds.is_empty());
    let cmds = h.code(KeyCode::Enter);
    assert!(fetches(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(h.app.app_id(), APP);
    assert_eq!(h.view_ids(), ["r0", "r1", "r2", "r3", "r4"]);
}

#[test]
fn app_switcher_needs_two_apps() {
    let mut h = H::loaded(many(2));
    assert!(h.typ("a").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.error().starts_with("Only one app"));
}

/// BUG: switching back to a cached app rebuilds its view from the other app's stale view
/// indices (`switch_app` → `rebuild_view` → `selected_id()` reads `self.view` built for the
/// other app's reviews): an index out of bounds when the other app had more reviews.
#[test]
fn switching_back_to_a_cached_app_with_fewer_reviews() {
    let mut h = H::new(
        &[APP, OTHER],
        (80, 24),
        vec![rv("a1", 4, 20, "A1", "US"), rv("a2", 4, 19, "A2", "US")],
    );
    // The other app's page comes oldest first: its newest review is last in `reviews`.
    let mut others = many(6);
    others.reverse();
    h.world.pages.insert(OTHER.into(), vec![others]);
    h.serve();
    h.typ("aj");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.selected(), "r0");
    h.typ("ak");
    // BUG: panics here (index out of bounds in `App::selected_review`).
    h.code(KeyCode::Enter);
    assert_eq!(h.app.app_id(), APP);
    assert_eq!(h.view_ids(), ["a1", "a2"]);
    assert_eq!(h.selected(), "a1");
}

/// BUG: a reply confirmed while another app is shown is not recorded on its review: the
/// review stays unanswered when its app comes back, and `r` opens the editor again.
#[test]
fn a_reply_confirmed_while_another_app_is_shown_marks_its_review_answered() {
    let mut h = H::new(&[APP, OTHER], (80, 24), many(2));
    h.world
        .pages
        .insert(OTHER.into(), vec![vec![rv("o1", 4, 25, "O1", "US")]]);
    h.serve();
    let cmds = h.reply("Fixed in 3.2");
    h.pending
        .retain(|c| !matches!(c, Command::Outbox(OutboxCommand::Enqueue { .. })));
    h.typ("aj");
    h.code(KeyCode::Enter);
    assert_eq!(h.app.app_id(), OTHER);
    h.serve();
    // The Store answers after the switch.
    h.pending = cmds;
    h.serve();
    assert_eq!(h.app.replies.state.get("r0"), Some(&ReplyState::Sent));
    h.typ("ak");
    h.code(KeyCode::Enter);
    assert_eq!(h.app.app_id(), APP);
    // BUG: fails: the reply is recorded on nothing, and the draft is gone.
    assert!(h.review("r0").is_answered(), "the sent reply is lost from the review");
    h.goto("r0");
    assert!(h.typ("r").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal, "a second reply to an answered review");
}

#[test]
fn q_asks_when_a_draft_would_be_lost() {
    let mut h = H::loaded(many(2));
    assert_eq!(h.typ("q"), [Command::Quit]);
    assert!(h.app.screen.should_quit);

    let mut h = H::loaded(many(2));
    h.typ("rNot done yet");
    h.code(KeyCode::Esc);
    assert!(h.typ("q").is_empty());
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);
    assert!(!h.app.screen.should_quit);
    h.typ("n");
    assert_eq!(h.app.screen.mode, Mode::Normal);
    h.typ("q");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    h.typ("q");
    assert_eq!(h.typ("y"), [Command::Quit]);
    assert!(h.app.screen.should_quit);

    // A reply still being sent asks too.
    let mut h = H::loaded(many(2));
    h.reply("On its way");
    h.app.replies.drafts.clear();
    assert!(h.typ("q").is_empty());
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);
}

#[test]
fn resize_changes_the_visible_rows() {
    let mut h = H::new(&[APP], (120, 40), many(20));
    h.serve();
    assert_eq!(list_rows(h.app.screen.size), 36);
    h.typ("G");
    assert_eq!((h.app.list.selected, h.app.list.offset), (19, 0));
    h.act(Action::Resize(80, 24));
    assert_eq!(list_rows(h.app.screen.size), 6);
    assert_eq!(h.app.list.offset, 14);
    assert_visible(&h.app);
    h.code(KeyCode::PageUp);
    assert_eq!(
        (h.app.list.selected, h.app.list.offset),
        (13, 13),
        "a page is 6 rows now"
    );
    h.act(Action::Resize(120, 40));
    assert_eq!(h.app.list.offset, 0, "everything fits again");
    h.act(Action::Resize(50, 12));
    assert_eq!(list_rows(h.app.screen.size), 1);
    assert_eq!(h.app.list.offset, 13);
    h.typ("j");
    assert_eq!((h.app.list.selected, h.app.list.offset), (14, 14));
}

#[test]
fn refresh_keeps_the_selection_on_the_same_review() {
    let mut h = H::loaded(many(6));
    h.goto("r3");
    let mut fresh = many(6);
    fresh.insert(0, rv("new", 5, 30, "New", "US"));
    h.world.pages.insert(APP.into(), vec![fresh]);
    let cmds = h.typ("R");
    let [(request, app)] = fetches(&cmds)[..] else {
        panic!("one FetchReviews: {cmds:?}")
    };
    assert_eq!(app, APP);
    assert_ne!(request, fetches(&h.log)[0].0);
    assert_eq!(h.app.list.loading.as_ref().map(|l| l.request), Some(request));
    h.serve();
    assert_eq!(h.app.list.reviews.len(), 7);
    assert_eq!(h.view_ids()[0], "new");
    assert_eq!((h.selected(), h.app.list.selected), ("r3", 4));
    assert!(h.app.list.loading.is_none());
}

/// BUG: `on_reviews` clears `reviews` on a refresh's first page, then `rebuild_view` reads
/// `selected_id()` through the old `view`: index out of bounds when the selected review sat
/// beyond the first page.
#[test]
fn refresh_in_two_pages_keeps_the_selection() {
    let reviews = many(10);
    let pages = vec![reviews[..5].to_vec(), reviews[5..].to_vec()];
    let mut h = H::new(&[APP], (80, 24), Vec::new());
    h.world.pages.insert(APP.into(), pages);
    h.serve();
    h.goto("r7");
    h.typ("R");
    // BUG: panics here on the first page (index out of bounds in `App::selected_review`).
    h.serve();
    assert_eq!(h.app.list.reviews.len(), 10);
    assert_eq!(h.selected(), "r7");
}

/// A refresh that finds no reviews at all: the list is not emptied (refreshes merge); the
/// reviews of the fetched window are marked as removed by Microsoft instead.
#[test]
fn refresh_that_finds_no_reviews_marks_them_vanished() {
    let mut h = H::loaded(many(3));
    h.goto("r2");
    h.world.pages.insert(APP.into(), vec![Vec::new()]);
    h.world.window = Some((day(1), day(30)));
    h.typ("R");
    h.serve();
    assert_eq!(h.view_ids(), ["r0", "r1", "r2"]);
    assert_eq!(h.selected(), "r2");
    assert_eq!(h.app.list.vanished.len(), 3);
}

#[test]
fn a_failed_fetch_shows_its_error_and_keeps_the_list() {
    let mut h = H::loaded(many(3));
    h.goto("r1");
    let cmds = h.typ("R");
    let [(request, _)] = fetches(&cmds)[..] else {
        panic!("one FetchReviews")
    };
    h.act(Action::ReviewsFailed {
        request: request + 100,
        error: "stale".into(),
    });
    assert_eq!(h.app.status.notices.shown_text(), None, "another request's failure");
    h.act(Action::ReviewsFailed {
        request,
        error: "connection refused".into(),
    });
    assert_eq!(h.error(), "connection refused");
    assert!(h.app.list.loading.is_none());
    assert_eq!(h.view_ids(), ["r0", "r1", "r2"]);
    assert_eq!(h.selected(), "r1");
}

/// BUG: the editor takes DefaultSupportEmail only when it opens; opened while the check runs,
/// it keeps an empty email and Ctrl-s asks the person to type an address the Store already has.
#[test]
fn editor_opened_while_checking_takes_the_support_email_when_the_check_arrives() {
    let mut h = H::new(&[APP], (80, 24), many(2));
    let start = h.take();
    for a in h.world.answer(&start[0]) {
        h.act(a);
    }
    let cmds = h.take();
    h.typ("rThanks");
    h.act(Action::EligibilityResult {
        request: check_request(&cmds, "r0"),
        app: APP.into(),
        review: "r0".into(),
        result: can_respond(),
    });
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let cmds = h.typ("y");
    assert_eq!(submits(&cmds)[0][0].support_email, EMAIL);
}

#[test]
fn c_copies_the_selected_reviews_id() {
    let mut h = H::loaded(many(3));
    h.typ("j");
    let cmds = h.typ("c");
    assert_eq!(cmds, vec![Command::CopyToClipboard { text: "r1".into() }]);
    assert!(h.error().contains("r1"), "{}", h.error());
    // Nothing selected, nothing copied.
    let mut h = H::loaded(Vec::new());
    assert!(h.typ("c").is_empty());
}
