//! Answering at volume, headless: marks, the template picker, the bulk composer, the
//! undo-send window and saved views, driven by keys through the app's one update function.

mod common;

use common::flows::*;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::db::OutboxState;
use reviewdesk::store::Review;
use reviewdesk::tui::action::{Action, Eligibility};
use reviewdesk::tui::app::{Command, Mode, OutboxCommand};

fn enqueued(cmds: &[Command]) -> Vec<(String, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Outbox(OutboxCommand::Enqueue { review, text, .. }) => Some((review.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

/// Six reviews about a crash, `c0` newest; `c1` already answered, `c2` opted out.
fn crash_reviews() -> Vec<Review> {
    (0..6u32)
        .map(|i| {
            let mut r = rv(&format!("c{i}"), 1, 28 - i, "It crashes", "US");
            r.review_text = Some(format!("The app crashes on start ({i})"));
            r.reviewer_name = Some(format!("Ana{i}").into());
            if i == 1 {
                r = answered(r, 28);
            }
            r
        })
        .collect()
}

fn crash_world() -> H {
    let mut h = H::new(&[APP], (80, 24), crash_reviews());
    h.world.eligibility.insert("c2".into(), Eligibility::OptedOut);
    h.serve();
    h
}

#[test]
fn space_marks_and_moves_on_mark_all_and_clear_and_marks_survive_a_refresh() {
    let mut h = crash_world();
    h.typ(" ");
    assert_eq!(h.selected(), "c1", "Space moves on to the next review");
    h.typ(" ");
    assert_eq!(h.app.marked_here(), vec!["c0".to_owned(), "c1".to_owned()]);
    h.typ("k");
    h.typ(" ");
    assert_eq!(h.app.marked_here(), vec!["c0".to_owned()], "Space again unmarks");
    h.typ("R");
    h.serve();
    assert_eq!(h.app.marked_here(), vec!["c0".to_owned()], "kept across a refresh");
    h.typ("*");
    assert_eq!(h.app.marked_here().len(), 6);
    h.typ("X");
    assert!(h.app.marked_here().is_empty());
    // With a search, * marks its matches only.
    h.typ("/");
    h.typ("(3)");
    h.code(KeyCode::Enter);
    h.typ("*");
    assert_eq!(h.app.marked_here(), vec!["c3".to_owned()]);
}

#[test]
fn the_picker_suggests_previews_and_fills_the_editor_asking_before_replacing_text() {
    let mut h = crash_world();
    h.goto("c3");
    h.typ("t");
    assert_eq!(h.app.screen.mode, Mode::Picker);
    let p = h.app.volume.picker.as_ref().unwrap();
    let first = &h.app.volume.templates[p.shown[0]];
    assert_eq!(first.name, "crash-fixed", "a one-star crash review: crash-fixed first");
    let (preview, _) = h.app.picker_preview().unwrap();
    assert!(preview.starts_with("Hi Ana3, thank you"), "{preview}");
    assert!(preview.contains(EMAIL), "{preview}");
    // Filtered by name as one types.
    h.typ("thk");
    let p = h.app.volume.picker.as_ref().unwrap();
    assert_eq!(p.shown.len(), 1);
    assert_eq!(h.app.volume.templates[p.shown[0]].name, "thanks");
    h.code(KeyCode::Backspace);
    h.code(KeyCode::Backspace);
    h.code(KeyCode::Backspace);
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.body().starts_with("Hi Ana3, thank you"), "{}", h.body());

    // Typed text is replaced only when asked twice, and Ctrl-u brings it back.
    h.ctrl('u');
    h.act(Action::Paste("My own words".into()));
    assert_eq!(h.body(), "My own words");
    h.ctrl('t');
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Picker, "asks first");
    assert!(h.app.volume.picker.as_ref().unwrap().confirm_replace);
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.body().starts_with("Hi Ana3"));
    h.ctrl('u');
    assert_eq!(h.body(), "My own words", "the template was one undoable edit");
}

#[test]
fn cancelling_the_picker_opened_from_the_list_leaves_no_editor() {
    let mut h = crash_world();
    h.typ("t");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
}

#[test]
fn a_template_value_the_review_lacks_blocks_the_single_reply() {
    let mut h = crash_world();
    h.typ("r");
    h.act(Action::Paste("Thanks for version {version}".into()));
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.problem().contains("{version}"), "{}", h.problem());
}

#[test]
fn the_bulk_composer_renders_lists_who_cannot_be_answered_and_sends_each_once() {
    let mut h = crash_world();
    h.typ("*");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    h.serve();
    h.act(Action::Paste(
        "Hi {reviewer|there}, sorry about the crash: 3.2 fixes it.".into(),
    ));
    h.ctrl('s');
    // Stepping: c0 first; personalise it, skip c3.
    assert_eq!(
        h.app.volume.bulk.as_ref().unwrap().reply_text(),
        "Hi Ana0, sorry about the crash: 3.2 fixes it."
    );
    h.act(Action::Paste(" Thanks for the log!".into()));
    h.ctrl('n');
    h.ctrl('n');
    h.ctrl('n');
    assert_eq!(h.app.volume.bulk.as_ref().unwrap().current, 3);
    h.ctrl('x');
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::BulkConfirm);
    let summary = h.app.bulk_summary();
    assert_eq!(
        summary.sentence(),
        "Send 3 public replies? 2 cannot be answered: 1 already answered, 1 opted out. 1 skipped by you."
    );
    let cmds = h.typ("y");
    let sent = enqueued(&cmds);
    assert_eq!(
        sent,
        vec![
            (
                "c0".to_owned(),
                "Hi Ana0, sorry about the crash: 3.2 fixes it. Thanks for the log!".to_owned()
            ),
            (
                "c4".to_owned(),
                "Hi Ana4, sorry about the crash: 3.2 fixes it.".to_owned()
            ),
            (
                "c5".to_owned(),
                "Hi Ana5, sorry about the crash: 3.2 fixes it.".to_owned()
            ),
        ]
    );
    h.serve();
    assert_eq!(h.world.outbox.len(), 3, "one outbox item per reply");
    assert!(h.world.outbox.iter().all(|i| i.state == OutboxState::Sent));
    assert_eq!(
        h.app.marked_here(),
        vec!["c1".to_owned(), "c2".to_owned(), "c3".to_owned()],
        "the unsent stay marked"
    );
    // Sent: now answered, so a second bulk reply leaves them out.
    assert_eq!(h.app.cannot_answer("c0"), Some("already answered"));
    assert_eq!(h.app.cannot_answer("c4"), Some("already answered"));
}

#[test]
fn a_blocking_finding_stops_the_bulk_confirmation_on_that_review() {
    let mut h = crash_world();
    h.typ("*");
    h.typ("r");
    h.serve();
    h.act(Action::Paste("Hi {reviewer}, version {version} fixes it.".into()));
    h.ctrl('s');
    h.ctrl('s');
    let c = h.app.volume.bulk.as_ref().unwrap();
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    assert!(
        c.problem.as_deref().unwrap_or("").contains("cannot go as"),
        "{:?}",
        c.problem
    );
}

#[test]
fn undo_takes_a_single_reply_back_into_the_editor_and_nothing_is_sent() {
    let mut h = crash_world();
    h.world.delay_secs = Some(10);
    h.goto("c3");
    h.reply("Sorry, Ana: fixed in 3.2.");
    h.serve();
    assert_eq!(h.app.waiting_to_go().len(), 1);
    assert!(h.app.counting_down());
    let cmds = h.typ("z");
    assert!(
        matches!(cmds.as_slice(), [Command::Outbox(OutboxCommand::TakeBack { .. })]),
        "{cmds:?}"
    );
    h.serve();
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), "Sorry, Ana: fixed in 3.2.");
    assert!(h.world.outbox.is_empty(), "taken back, never sent");
    assert!(!h.app.counting_down());
}

#[test]
fn undo_takes_a_bulk_batch_back_into_the_composer() {
    let mut h = crash_world();
    h.world.delay_secs = Some(10);
    h.typ("*");
    h.typ("r");
    h.serve();
    h.act(Action::Paste("Hi {reviewer|there}, it is fixed.".into()));
    h.ctrl('s');
    h.ctrl('s');
    h.typ("y");
    h.serve();
    assert_eq!(h.app.waiting_to_go().len(), 4);
    h.typ("z");
    h.serve();
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    let c = h.app.volume.bulk.as_ref().unwrap();
    assert_eq!(c.entries.len(), 4);
    assert_eq!(c.reply_text(), "Hi Ana0, it is fixed.");
    assert!(h.world.outbox.is_empty());
}

#[test]
fn quitting_in_the_window_asks_and_s_sends_before_leaving() {
    let mut h = crash_world();
    h.world.delay_secs = Some(10);
    h.reply("Fixed in 3.2, thanks.");
    h.serve();
    h.typ("q");
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);
    let cmds = h.typ("s");
    assert!(
        matches!(cmds.as_slice(), [Command::Outbox(OutboxCommand::SendNow { ids })] if ids.len() == 1),
        "{cmds:?}"
    );
    assert!(!h.app.screen.should_quit, "not before the reply is out");
    h.serve();
    assert!(
        h.log.iter().any(|c| matches!(c, Command::Quit)),
        "quits once it is sent"
    );
    assert_eq!(h.world.outbox[0].state, OutboxState::Sent);
}

#[test]
fn v_cycles_the_saved_views_and_the_list_narrows() {
    let mut h = crash_world();
    assert_eq!(h.view_ids().len(), 6);
    h.typ("v");
    assert_eq!(h.app.view_name(), Some("Needs an answer"));
    assert!(!h.view_ids().contains(&"c1"), "the answered one is not shown");
    assert_eq!(h.view_ids().len(), 5);
    for _ in 0..h.app.volume.views.len() {
        h.typ("v");
    }
    assert_eq!(h.app.view_name(), None, "round to every review");
    assert_eq!(h.view_ids().len(), 6);
}

/// A template over typed text in the composer is one step back, as in the editor: one Ctrl-u.
#[test]
fn one_ctrl_u_brings_back_what_a_template_replaced_in_the_composer() {
    let mut h = crash_world();
    h.typ("*");
    h.typ("r");
    h.serve();
    h.act(Action::Paste("My own words for {reviewer|all}".into()));
    h.ctrl('t');
    h.code(KeyCode::Enter);
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    let body = || h.app.volume.bulk.as_ref().unwrap().body_text();
    assert!(body().starts_with("Hi {reviewer|there}"), "{}", body());
    h.ctrl('u');
    assert_eq!(
        h.app.volume.bulk.as_ref().unwrap().body_text(),
        "My own words for {reviewer|all}"
    );
    // Stepping: a template over one review's reply (not typed by hand: no question), the same.
    h.ctrl('s');
    h.ctrl('t');
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    let reply = h.app.volume.bulk.as_ref().unwrap().reply_text();
    assert!(reply.starts_with("Hi Ana0"), "{reply}");
    h.ctrl('u');
    assert_eq!(
        h.app.volume.bulk.as_ref().unwrap().reply_text(),
        "My own words for Ana0"
    );
}

/// Marks belong to their app: another app's list neither counts nor answers them, and they are
/// there again on coming back (the two apps here have reviews with the same ids).
#[test]
fn marks_are_counted_and_answered_per_app() {
    let mut h = H::new(&[APP, OTHER], (80, 24), many(3));
    h.world.pages.insert(OTHER.into(), vec![many(3)]);
    h.serve();
    h.typ("*");
    assert_eq!(h.app.mark_count(), 3);
    h.typ("a");
    h.typ("j");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.app.app_id(), OTHER);
    assert_eq!(h.app.mark_count(), 0, "the other app's marks are not counted here");
    assert!(h.app.marked_here().is_empty());
    assert!(!h.app.is_marked(h.app.selected_review().unwrap()));
    let status = render_status(&h);
    assert!(!status.contains('●'), "no row nor count shows a mark here: {status}");
    h.typ("r");
    assert_eq!(
        h.app.screen.mode,
        Mode::Editor,
        "r answers the one review, not the other app's marks"
    );
    h.code(KeyCode::Esc);
    h.typ(" ");
    h.typ("X");
    h.typ("a");
    h.typ("k");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.app.app_id(), APP);
    assert_eq!(h.app.mark_count(), 3, "X in the other app cleared only its own");
}

/// The status line of the app as drawn at its size.
fn render_status(h: &H) -> String {
    let size = h.app.screen.size;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, &h.app)).unwrap();
    t.backend().to_string()
}

/// A notice about an earlier key does not stay over the picker as if it were about it.
#[test]
fn a_warning_about_an_earlier_key_goes_when_the_picker_opens() {
    let mut h = crash_world();
    h.goto("c1");
    h.typ("r");
    assert!(h.error().starts_with("Already answered"), "{}", h.error());
    h.goto("c3");
    h.typ("t");
    assert_eq!(h.app.screen.mode, Mode::Picker);
    assert!(!render_status(&h).contains("Already answered"), "{}", render_status(&h));
}

/// Marks are ids, not places: a refresh that revises reviews (so they move in the list) and
/// brings new ones in front keeps exactly the marked reviews marked, and so does showing
/// another app and coming back to this one fetched in another order.
#[test]
fn marks_follow_their_reviews_through_a_merge_that_reorders() {
    let mut h = H::new(&[APP, OTHER], (80, 24), many(6));
    h.world.pages.insert(OTHER.into(), vec![many(2)]);
    h.serve();
    h.goto("r1");
    h.typ(" ");
    h.goto("r4");
    h.typ(" ");
    assert_eq!(h.app.marked_here(), vec!["r1".to_owned(), "r4".to_owned()]);
    let marked_exactly = |h: &H, what: &str| {
        for id in h.view_ids() {
            assert_eq!(h.app.is_marked(h.review(id)), id == "r1" || id == "r4", "{what}: {id}");
        }
        assert_eq!(h.app.mark_count(), 2, "{what}");
    };
    // r4 revised, so newest; r1 moved back to the oldest; two new reviews in front.
    let mut page = many(6);
    page[4].timestamp = Some(day(29));
    page[1].timestamp = Some(day(1));
    page.push(rv("n0", 2, 30, "New", "US"));
    page.push(rv("n1", 2, 30, "New too", "US"));
    h.world.pages.insert(APP.into(), vec![page.clone()]);
    h.typ("R");
    h.serve();
    let order = h.view_ids();
    assert_eq!(order.len(), 8);
    assert_eq!(order.iter().position(|id| *id == "r4"), Some(2), "{order:?}");
    assert_eq!(order.last(), Some(&"r1"), "{order:?}");
    assert_eq!(h.app.marked_here(), vec!["r4".to_owned(), "r1".to_owned()]);
    marked_exactly(&h, "after the merge");
    // Another app, then this one again, its reviews fetched in the reverse order.
    page.reverse();
    h.world.pages.insert(APP.into(), vec![page]);
    h.typ("a");
    h.typ("j");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!((h.app.app_id(), h.app.mark_count()), (OTHER, 0));
    h.typ("a");
    h.typ("k");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.app.app_id(), APP);
    marked_exactly(&h, "back from the other app");
    h.typ("*");
    assert_eq!(h.app.mark_count(), 8, "the six others marked too, none twice");
}
