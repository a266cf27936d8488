//! Headless flows: `App` driven by key events and by a fake worker that answers the `Command`s
//! it returns, with assertions on state and on the commands produced.
//! Navigation, eligibility and the reply flow.

mod common;

use common::flows::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use reviewdesk::store::ResponseItem;
use reviewdesk::tui::action::{Action, Eligibility, ReplyState};
use reviewdesk::tui::app::StoreCommand;
use reviewdesk::tui::app::editor::Field;
use reviewdesk::tui::app::{Command, Focus, Mode};
use reviewdesk::tui::layout::list_rows;

#[test]
fn two_pages_keep_the_selection_on_the_same_review() {
    let mut h = H::new(&[APP], (80, 24), Vec::new());
    let start = h.take();
    let [(request, app)] = fetches(&start)[..] else {
        panic!("one FetchReviews")
    };
    assert_eq!(app, APP);
    let page1 = vec![
        rv("a", 3, 10, "A", "US"),
        rv("b", 3, 9, "B", "US"),
        rv("c", 3, 8, "C", "US"),
        rv("d", 3, 7, "D", "US"),
    ];
    h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: page1.into(),
        total: Some(7),
        done: false,
    });
    assert_eq!(h.view_ids(), ["a", "b", "c", "d"]);
    assert_eq!(
        h.app.status.activity.as_ref().map(ToString::to_string).as_deref(),
        Some("fetching reviews: 4 of 7")
    );
    assert!(!h.app.list.complete);
    h.typ("jj");
    assert_eq!(h.selected(), "c");
    // Newer reviews arrive in the second page and sort above the selection.
    let page2 = vec![
        rv("new1", 3, 20, "N1", "US"),
        rv("new2", 3, 19, "N2", "US"),
        rv("old", 3, 1, "O", "US"),
    ];
    h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: page2.into(),
        total: Some(7),
        done: false,
    });
    assert_eq!(h.view_ids(), ["new1", "new2", "a", "b", "c", "d", "old"]);
    assert_eq!(h.selected(), "c");
    assert_eq!(h.app.list.selected, 4);
    h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: Default::default(),
        total: None,
        done: true,
    });
    assert_eq!(h.selected(), "c");
    assert!(h.app.list.complete);
    assert!(h.app.list.loading.is_none());
    assert_eq!(h.app.status.activity, None);
    assert_eq!(h.app.list.reviews.len(), 7);
}

#[test]
fn movement_keys_move_clamp_and_keep_the_selection_visible() {
    let mut h = H::loaded(many(20));
    assert_eq!(list_rows(h.app.screen.size), 6);
    let steps: &[(KeyCode, KeyModifiers, usize, usize)] = &[
        (KeyCode::Char('j'), KeyModifiers::NONE, 1, 0),
        (KeyCode::Down, KeyModifiers::NONE, 2, 0),
        (KeyCode::Char('k'), KeyModifiers::NONE, 1, 0),
        (KeyCode::Up, KeyModifiers::NONE, 0, 0),
        (KeyCode::Char('k'), KeyModifiers::NONE, 0, 0),
        (KeyCode::Char('G'), KeyModifiers::SHIFT, 19, 14),
        (KeyCode::Char('j'), KeyModifiers::NONE, 19, 14),
        (KeyCode::Char('g'), KeyModifiers::NONE, 0, 0),
        (KeyCode::PageDown, KeyModifiers::NONE, 6, 1),
        (KeyCode::Char('d'), KeyModifiers::CONTROL, 12, 7),
        (KeyCode::PageDown, KeyModifiers::NONE, 18, 13),
        (KeyCode::PageDown, KeyModifiers::NONE, 19, 14),
        (KeyCode::PageUp, KeyModifiers::NONE, 13, 13),
        (KeyCode::Char('u'), KeyModifiers::CONTROL, 7, 7),
        (KeyCode::Home, KeyModifiers::NONE, 0, 0),
        (KeyCode::End, KeyModifiers::NONE, 19, 14),
        (KeyCode::PageUp, KeyModifiers::NONE, 13, 13),
        (KeyCode::Char('k'), KeyModifiers::NONE, 12, 12),
    ];
    for &(code, mods, selected, offset) in steps {
        h.key(code, mods);
        assert_eq!(
            (h.app.list.selected, h.app.list.offset),
            (selected, offset),
            "after {code:?} {mods:?}"
        );
        assert_visible(&h.app);
    }
    assert_eq!(h.selected(), "r12");
}

#[test]
fn enter_and_tab_focus_the_detail_where_j_scrolls() {
    let mut h = H::loaded(many(5));
    h.code(KeyCode::Enter);
    assert_eq!(h.app.screen.focus, Focus::Detail);
    h.typ("jj");
    assert_eq!((h.app.list.selected, h.app.screen.detail_scroll), (0, 2));
    h.typ("k");
    assert_eq!(h.app.screen.detail_scroll, 1);
    h.code(KeyCode::PageDown);
    assert_eq!(h.app.screen.detail_scroll, 7);
    assert_eq!(h.app.list.selected, 0);
    h.code(KeyCode::Tab);
    assert_eq!(h.app.screen.focus, Focus::List);
    h.typ("j");
    assert_eq!(h.app.list.selected, 1);
    assert_eq!(h.app.screen.detail_scroll, 0, "a new review starts at its top");
    h.code(KeyCode::Tab);
    assert_eq!(h.app.screen.focus, Focus::Detail);
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.focus, Focus::List);
}

#[test]
fn eligibility_is_fetched_for_the_selected_review_and_the_next_three_once() {
    let mut h = H::new(&[APP], (80, 24), many(10));
    let start = h.take();
    for a in h.world.answer(&start[0]) {
        h.act(a);
    }
    let first = h.take();
    assert_eq!(checks(&first), ["r0", "r1", "r2", "r3"]);
    assert_eq!(h.app.replies.eligibility.get("r0"), Some(&Eligibility::Checking));
    assert!(h.app.is_busy());
    h.pending = first;
    h.serve();
    assert!(!h.app.is_busy());
    assert_eq!(h.app.replies.eligibility.get("r3"), Some(&can_respond()));

    assert_eq!(checks(&h.typ("j")), ["r4"]);
    h.serve();
    assert!(checks(&h.typ("k")).is_empty(), "cached");
    assert!(checks(&h.typ("jg")).is_empty(), "cached");
    h.world
        .eligibility
        .insert("r9".into(), Eligibility::Failed("timed out".into()));
    assert_eq!(checks(&h.typ("G")), ["r9"]);
    h.serve();
    assert_eq!(
        h.app.replies.eligibility.get("r9"),
        Some(&Eligibility::Failed("timed out".into()))
    );
    // A failed check is asked again only when its review is the selected one.
    assert_eq!(checks(&h.typ("k")), ["r8"]);
    h.serve();
    assert_eq!(checks(&h.typ("j")), ["r9"]);
    let asked: usize = h
        .log
        .iter()
        .filter(|c| matches!(c, Command::Store(StoreCommand::CheckEligibility { .. })))
        .count();
    assert_eq!(
        asked, 8,
        "r0-r8 once each, r9 twice, minus r5-r7 never near the selection"
    );
}

#[test]
fn stale_eligibility_answers_are_dropped() {
    let mut h = H::new(&[APP], (80, 24), many(4));
    let start = h.take();
    for a in h.world.answer(&start[0]) {
        h.act(a);
    }
    let cmds = h.take();
    let (r0, r1) = (check_request(&cmds, "r0"), check_request(&cmds, "r1"));
    let answer = |request, app: &str, result| Action::EligibilityResult {
        request,
        app: app.into(),
        review: "r0".into(),
        result,
    };
    h.act(answer(r1, APP, Eligibility::OptedOut));
    assert_eq!(
        h.app.replies.eligibility["r0"],
        Eligibility::Checking,
        "wrong request id"
    );
    h.act(answer(r0, OTHER, Eligibility::OptedOut));
    assert_eq!(h.app.replies.eligibility["r0"], Eligibility::Checking, "other app");
    h.act(answer(r0, APP, can_respond()));
    assert_eq!(h.app.replies.eligibility["r0"], can_respond());
    h.act(answer(r0, APP, Eligibility::OptedOut));
    assert_eq!(h.app.replies.eligibility["r0"], can_respond(), "a repeated answer");
    assert!(h.app.is_busy(), "r1-r3 still pending");
}

#[test]
fn reply_is_refused_for_opted_out_and_answered_reviews() {
    let mut h = H::new(
        &[APP],
        (80, 24),
        vec![
            rv("opt", 2, 20, "Opted out", "US"),
            answered(rv("ans", 5, 19, "Answered", "US"), 19),
            {
                let mut r = answered(rv("rev", 4, 18, "Revised", "US"), 10);
                r.is_revised = Some(true);
                r
            },
        ],
    );
    h.world.eligibility.insert("opt".into(), Eligibility::OptedOut);
    h.serve();
    assert_eq!(h.selected(), "opt");
    assert!(h.typ("r").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
    assert!(h.error().contains("opted out"), "{}", h.error());
    h.code(KeyCode::Esc);
    assert_eq!(h.app.status.notices.shown_text(), None, "Esc dismisses the message");

    h.goto("ans");
    assert!(h.typ("r").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
    assert!(h.error().starts_with("Already answered"), "{}", h.error());

    h.goto("rev");
    h.typ("r");
    assert_eq!(
        h.app.screen.mode,
        Mode::Editor,
        "revised after the answer: may be answered again"
    );
}

#[test]
fn reply_typed_and_pasted_is_confirmed_and_sent_once() {
    let mut h = H::loaded(many(3));
    let before = h.app.unanswered_count();
    h.goto("r1");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    let ed = h.app.editor.as_ref().unwrap();
    assert_eq!((ed.email_value().as_str(), ed.public), (EMAIL, true));
    // Letters bound in the list (q, j, r, n, y) are text in the editor.
    h.typ("Quick fix, jury rigged: yes");
    h.code(KeyCode::Enter);
    h.act(Action::Paste("line two\r\nline three".into()));
    let text = "Quick fix, jury rigged: yes\nline two\nline three";
    assert_eq!(h.body(), text);

    assert!(h.ctrl('s').is_empty());
    assert_eq!(h.app.screen.mode, Mode::Confirm);
    assert!(h.typ("n").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), text, "the text survives the confirmation");

    h.ctrl('s');
    let cmds = h.typ("y");
    assert_eq!(
        submits(&cmds),
        [vec![ResponseItem {
            application_id: APP.into(),
            review_id: "r1".into(),
            response_text: text.into(),
            support_email: EMAIL.into(),
            is_public: true,
        }]]
    );
    assert_eq!(cmds.len(), 1);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
    assert_eq!(h.app.replies.state.get("r1"), Some(&ReplyState::Queued(None)));
    assert_eq!(h.app.outbox.pending(), 1);
    assert!(h.typ("r").is_empty(), "no second reply while one is in flight");
    assert!(h.error().contains("in the outbox"), "{}", h.error());
    assert_eq!(h.app.screen.mode, Mode::Normal);

    h.serve();
    assert_eq!(h.app.replies.state.get("r1"), Some(&ReplyState::Sent));
    assert!(h.app.replies.drafts.is_empty());
    assert_eq!(h.review("r1").response_text.as_deref(), Some(text));
    assert!(h.review("r1").is_answered());
    assert_eq!(h.app.unanswered_count(), before - 1);
    assert_eq!(h.app.outbox.pending(), 0);
    assert_eq!(submits(&h.log).len(), 1);
    h.code(KeyCode::Esc);
    assert!(h.typ("r").is_empty());
    assert!(h.error().starts_with("Already answered"));
}

#[test]
fn ctrl_s_is_blocked_until_the_reply_can_be_sent() {
    let mut h = H::new(&[APP], (80, 24), many(3));
    h.world
        .eligibility
        .insert("r1".into(), Eligibility::CanRespond { support_email: None });
    h.serve();
    h.typ("r");
    assert!(h.ctrl('s').is_empty());
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.problem().contains("empty"), "{}", h.problem());
    h.typ("   ");
    h.ctrl('s');
    assert!(h.problem().contains("empty"), "blank: {}", h.problem());

    // 1000 characters but 1001 UTF-16 units: the emoji counts two.
    h.act(Action::ExternalEditorDone(Ok(format!("{}🎉\n", "x".repeat(999)))));
    assert_eq!(h.app.editor.as_ref().unwrap().length(), 1001);
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.problem().contains("1001"), "{}", h.problem());
    h.act(Action::ExternalEditorDone(Ok(format!("{}🎉", "x".repeat(998)))));
    h.ctrl('s');
    assert_eq!(
        h.app.screen.mode,
        Mode::Confirm,
        "exactly 1000 units is allowed: {}",
        h.problem()
    );
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Editor);
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);

    // The listing has no support email: one must be typed.
    h.typ("j");
    h.typ("r");
    assert_eq!(h.app.editor.as_ref().unwrap().email_value(), "");
    h.typ("Thanks");
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert!(h.problem().contains("support email is required"), "{}", h.problem());
    h.code(KeyCode::Tab);
    assert_eq!(h.app.editor.as_ref().unwrap().field, Field::Email);
    h.typ("not an email");
    h.ctrl('s');
    assert!(h.problem().contains("not a valid support email"), "{}", h.problem());
    for _ in 0.."not an email".len() {
        h.code(KeyCode::Backspace);
    }
    h.typ("help@contoso.example");
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let cmds = h.typ("y");
    let items = submits(&cmds);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0][0].support_email, "help@contoso.example");
    assert_eq!(items[0][0].response_text, "Thanks");
    assert_eq!(items[0][0].review_id, "r1");
}

#[test]
fn a_failed_send_keeps_the_draft_for_another_try() {
    let mut h = H::loaded(many(3));
    h.world.submit = ReplyState::Failed("The Store refused the reply: try later".into());
    assert_eq!(submits(&h.reply("Sorry about that")).len(), 1);
    h.serve();
    assert_eq!(
        h.app.replies.state.get("r0"),
        Some(&ReplyState::Failed("The Store refused the reply: try later".into()))
    );
    assert_eq!(h.app.replies.drafts["r0"].text, "Sorry about that");
    assert!(!h.review("r0").is_answered());
    assert_eq!(
        h.error(),
        "Reply to review r0 failed: The Store refused the reply: try later (o: outbox)"
    );
    h.code(KeyCode::Esc);
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), "Sorry about that");
    h.world.submit = ReplyState::Sent;
    h.ctrl('s');
    assert_eq!(submits(&h.typ("y")).len(), 1);
    h.serve();
    assert!(h.review("r0").is_answered());
    assert!(h.app.replies.drafts.is_empty());
}

#[test]
fn esc_in_the_editor_keeps_a_draft() {
    let mut h = H::loaded(many(3));
    h.typ("r");
    h.typ("Half a thought");
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
    assert_eq!(h.app.replies.drafts["r0"].text, "Half a thought");
    h.typ("jkr");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), "Half a thought");
    h.code(KeyCode::Esc);
    // Only blanks: nothing worth keeping.
    h.typ("jr   ");
    h.code(KeyCode::Esc);
    assert!(!h.app.replies.drafts.contains_key("r1"));
    assert_eq!(h.app.replies.drafts.len(), 1);
}

#[test]
fn ctrl_p_makes_the_reply_private_only_once_eligibility_allows() {
    let mut h = H::new(&[APP], (80, 24), many(3));
    let start = h.take();
    for a in h.world.answer(&start[0]) {
        h.act(a);
    }
    let checks_sent = h.take();
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    h.ctrl('p');
    assert!(h.app.editor.as_ref().unwrap().public, "still checking");
    assert!(h.problem().contains("wait"), "{}", h.problem());
    h.typ("x");
    h.code(KeyCode::Tab);
    h.typ(EMAIL);
    h.code(KeyCode::Tab);
    // Still checking: the reply may be confirmed all the same (the outbox sends it when the
    // Store can take it, and a refusal shows there).
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    h.typ("n");
    assert_eq!(h.app.screen.mode, Mode::Editor);

    h.act(Action::EligibilityResult {
        request: check_request(&checks_sent, "r0"),
        app: APP.into(),
        review: "r0".into(),
        result: can_respond(),
    });
    h.ctrl('p');
    assert!(!h.app.editor.as_ref().unwrap().public);
    h.ctrl('p');
    assert!(h.app.editor.as_ref().unwrap().public);
    h.ctrl('p');
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let cmds = h.typ("y");
    let item = &submits(&cmds)[0][0];
    assert_eq!((item.is_public, item.support_email.as_str()), (false, EMAIL));

    // The reviews API is down: the editor opens (the text can be kept), private cannot be had.
    let down = |request| Action::EligibilityResult {
        request,
        app: APP.into(),
        review: "r1".into(),
        result: Eligibility::ApiDown("the reviews API is down; use Partner Center".into()),
    };
    assert!(checks(&h.typ("j")).is_empty(), "r1 is still being checked");
    h.act(down(check_request(&checks_sent, "r1")));
    let retry = h.typ("r");
    assert_eq!(checks(&retry), ["r1"], "opening the editor asks again");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    h.act(down(check_request(&retry, "r1")));
    h.ctrl('p');
    assert!(h.app.editor.as_ref().unwrap().public);
    assert!(h.problem().contains("not possible"), "{}", h.problem());
    h.typ("y");
    h.code(KeyCode::Tab);
    h.typ(EMAIL);
    // A public reply can still be confirmed: the outbox keeps it until the API is back.
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let item = &submits(&h.typ("y"))[0][0];
    assert!(item.is_public);
}
