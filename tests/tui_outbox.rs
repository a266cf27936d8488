//! The outbox as the App's state machine sees it, headless: the commands a confirmed reply and
//! the outbox keys produce, and what the outbox worker's answers (given here by hand, as
//! `Action`s) change. The real worker and database are exercised end to end in e2e_outbox.rs
//! and outbox_cli.rs; here the fake `World` answers the Store's commands and the outbox's are
//! answered by each test.

mod common;

use common::flows::*;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::db::{HistoryEntry, HistoryRow, OutboxItem, OutboxState};
use reviewdesk::keymap::KeyContext;
use reviewdesk::outbox_sender::{Delivery, Outcome};
use reviewdesk::tui::action::{Action, Eligibility, ReplyState};
use reviewdesk::tui::app::outbox::OutboxTab;
use reviewdesk::tui::app::{Command, Mode};
use reviewdesk::tui::app::{DbCommand, OutboxCommand};

const API_DOWN: &str = "Microsoft's reviews API is down (a known outage): answer in Partner Center";

/// Loaded and served; the test plays the outbox worker (its answers are written out).
fn outboxed(reviews: Vec<reviewdesk::store::Review>) -> H {
    let mut h = H::loaded(reviews);
    h.world.outbox_answers = false;
    h.take();
    h
}

/// Like `outboxed`, with the drafts in the database too.
fn outboxed_db(reviews: Vec<reviewdesk::store::Review>) -> H {
    let mut h = outboxed(reviews);
    h.act(Action::DraftsLoaded(Ok((Vec::new(), None))));
    h.take();
    h
}

fn item(id: i64, review: &str, state: OutboxState, text: &str) -> OutboxItem {
    common::flows::outbox_item(id, review, state, text, day(20))
}

fn with_reason(mut i: OutboxItem, reason: &str) -> OutboxItem {
    i.reason = Some(reason.into());
    i
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

struct Enq<'a> {
    app: &'a str,
    review: &'a str,
    text: &'a str,
    email: &'a str,
    public: bool,
}

fn enqueues(cmds: &[Command]) -> Vec<Enq<'_>> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Outbox(OutboxCommand::Enqueue {
                app,
                review,
                text,
                support_email,
                public,
            }) => Some(Enq {
                app,
                review,
                text,
                email: support_email,
                public: *public,
            }),
            _ => None,
        })
        .collect()
}

fn outbox_ops(cmds: &[Command]) -> Vec<&Command> {
    cmds.iter().filter(|c| matches!(c, Command::Outbox(_))).collect()
}

fn nudges(cmds: &[Command]) -> usize {
    cmds.iter()
        .filter(|c| matches!(c, Command::Outbox(OutboxCommand::ServiceAnswered)))
        .count()
}

fn saves<'a>(cmds: &'a [Command], id: &str) -> Vec<&'a Command> {
    cmds.iter()
        .filter(|c| matches!(c, Command::Db(DbCommand::SaveDraft { review, .. }) if review == id))
        .collect()
}

fn notice(h: &H) -> String {
    h.app.outbox.notice.clone().unwrap_or_default()
}

fn history_entry(id: i64, review: &str, at: i64, result: &str) -> HistoryEntry {
    HistoryEntry {
        id,
        row: HistoryRow {
            profile: "test".into(),
            app: APP.into(),
            review: review.into(),
            at,
            text: format!("Reply to {review}"),
            result: result.into(),
        },
        outbox_id: Some(id),
    }
}

#[test]
fn confirming_a_reply_queues_it_instead_of_sending() {
    let mut h = outboxed(many(3));
    let cmds = h.reply("Thanks, fixed in 3.2");
    let enq = enqueues(&cmds);
    assert_eq!(enq.len(), 1, "{cmds:?}");
    assert_eq!(
        (enq[0].app, enq[0].review, enq[0].text, enq[0].email, enq[0].public),
        (APP, "r0", "Thanks, fixed in 3.2", EMAIL, true)
    );
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert_eq!(
        h.app.replies.state.get("r0"),
        Some(&ReplyState::Queued(None)),
        "shown at once"
    );
    assert_eq!(h.app.outbox.pending(), 1, "counts before the outbox answered");
    assert!(h.app.is_busy());

    // Written to the outbox: still queued, no longer on its way.
    let cmds = h.act(Action::Enqueued {
        app: APP.into(),
        review: "r0".into(),
        result: Ok(7),
    });
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(h.app.replies.state.get("r0"), Some(&ReplyState::Queued(None)));
    assert!(h.app.outbox.enqueueing.is_empty());
    assert!(h.app.status.notices.shown().is_none(), "{}", h.error());
}

#[test]
fn a_reply_the_outbox_could_not_take_stays_a_draft() {
    let mut h = outboxed(many(3));
    h.reply("Sorry about the crash");
    h.act(Action::Enqueued {
        app: APP.into(),
        review: "r0".into(),
        result: Err("database is locked".into()),
    });
    let err = h.error();
    assert!(err.contains("database is locked") && err.contains("draft"), "{err}");
    assert_eq!(h.app.replies.state.get("r0"), None, "not shown as queued");
    assert_eq!(h.app.outbox.pending(), 0);
    assert_eq!(h.app.replies.drafts["r0"].text, "Sorry about the crash");
    // r opens the editor on it again.
    h.code(KeyCode::Esc);
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor, "{}", h.error());
    assert_eq!(h.body(), "Sorry about the crash");
}

/// There is no second way to send: with an outbox that could not be opened, a confirmed reply
/// is refused by it, said so, and kept as a draft.
#[test]
fn with_an_outbox_that_could_not_be_opened_a_reply_stays_a_draft() {
    let mut h = outboxed(many(3));
    h.act(Action::OutboxOpened(Err("disk I/O error".into())));
    assert!(h.error().contains("disk I/O error"), "{}", h.error());
    h.code(KeyCode::Esc);
    let cmds = h.reply("Thanks!");
    assert_eq!(enqueues(&cmds).len(), 1, "{cmds:?}");
    // The outbox worker's answer when it has no database.
    h.act(Action::Enqueued {
        app: APP.into(),
        review: "r0".into(),
        result: Err("the outbox is not available (disk I/O error)".into()),
    });
    assert!(h.error().contains("not queued"), "{}", h.error());
    assert_eq!(h.app.replies.state.get("r0"), None);
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor, "{}", h.error());
    assert_eq!(h.body(), "Thanks!", "the text is kept");
}

#[test]
fn a_snapshot_sets_every_reply_state_and_a_later_one_clears_them() {
    let mut h = outboxed(many(6));
    h.act(Action::OutboxSnapshot(vec![
        item(1, "r0", OutboxState::Queued, "a"),
        with_reason(item(2, "r1", OutboxState::Queued, "b"), "HTTP 503; trying again"),
        item(3, "r2", OutboxState::Sending, "c"),
        with_reason(item(4, "r3", OutboxState::Failed, "d"), "the review was removed"),
        with_reason(item(5, "r4", OutboxState::Unconfirmed, "e"), "timed out"),
        item(6, "r5", OutboxState::Sent, "f"),
    ]));
    let r = &h.app.replies.state;
    assert_eq!(r.get("r0"), Some(&ReplyState::Queued(None)));
    assert_eq!(
        r.get("r1"),
        Some(&ReplyState::Queued(Some("HTTP 503; trying again".into())))
    );
    assert_eq!(r.get("r2"), Some(&ReplyState::Sending));
    assert_eq!(r.get("r3"), Some(&ReplyState::Failed("the review was removed".into())));
    assert_eq!(r.get("r4"), Some(&ReplyState::Unconfirmed("timed out".into())));
    assert_eq!(r.get("r5"), Some(&ReplyState::Sent));
    assert_eq!(
        h.app.outbox.pending(),
        4,
        "queued, sending and unconfirmed: not failed or sent"
    );

    // One reply is on its way to the outbox when the next snapshot (without it) comes.
    h.goto("r5");
    h.serve();
    assert_eq!(enqueues(&h.reply("new one")).len(), 1);
    h.act(Action::OutboxSnapshot(vec![item(1, "r0", OutboxState::Sending, "a")]));
    let r = &h.app.replies.state;
    assert_eq!(r.get("r0"), Some(&ReplyState::Sending));
    for gone in ["r1", "r2", "r3", "r4"] {
        assert_eq!(r.get(gone), None, "{gone} left the outbox");
    }
    assert_eq!(r.get("r5"), Some(&ReplyState::Queued(None)), "still being written");
    assert_eq!(h.app.outbox.items.len(), 1);
    assert_eq!(h.app.outbox.pending(), 2);
}

#[test]
fn the_editor_will_not_open_over_a_live_reply_but_does_after_a_failure() {
    for state in [OutboxState::Queued, OutboxState::Unconfirmed] {
        let mut h = outboxed(many(3));
        h.act(Action::OutboxSnapshot(vec![item(1, "r0", state, "queued text")]));
        h.typ("r");
        assert_eq!(h.app.screen.mode, Mode::Normal, "{state:?}");
        assert!(h.app.editor.is_none());
        assert!(h.error().contains("outbox"), "{state:?}: {}", h.error());
    }
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(vec![item(1, "r0", OutboxState::Sending, "x")]));
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.error().contains("being sent"), "{}", h.error());

    // A failed reply is not on its way: a new reply may be written.
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(vec![with_reason(
        item(1, "r0", OutboxState::Failed, "x"),
        "refused",
    )]));
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor, "{}", h.error());
    h.act(Action::Paste("Second try".into()));
    h.ctrl('s');
    let cmds = h.typ("y");
    assert_eq!(enqueues(&cmds).len(), 1, "{cmds:?}");
}

#[test]
fn with_the_api_down_a_reply_can_still_be_queued_through_the_outbox() {
    let build = || {
        let mut h = H::new(&[APP], (80, 24), many(3));
        h.world
            .eligibility
            .insert("r0".into(), Eligibility::ApiDown(API_DOWN.into()));
        h.serve();
        h.world.outbox_answers = false;
        h.take();
        assert_eq!(
            h.app.replies.eligibility.get("r0"),
            Some(&Eligibility::ApiDown(API_DOWN.into()))
        );
        h.typ("r");
        assert_eq!(h.app.screen.mode, Mode::Editor, "the editor opens: {}", h.error());
        // It asks again on opening; the answer is the same outage.
        assert_eq!(checks(&h.pending), vec!["r0"]);
        h.serve();
        h.act(Action::Paste("We know; a fix is coming.".into()));
        // No eligibility answer, so no support email from the listing: it has to be typed.
        h.ctrl('s');
        assert_eq!(h.app.screen.mode, Mode::Editor);
        assert!(h.problem().contains("support email"), "{}", h.problem());
        h.code(KeyCode::Tab);
        h.typ(EMAIL);
        h.ctrl('s');
        h
    };
    let mut h = build();
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let cmds = h.typ("y");
    let enq = enqueues(&cmds);
    assert_eq!(enq.len(), 1, "{cmds:?}");
    assert_eq!((enq[0].text, enq[0].email), ("We know; a fix is coming.", EMAIL));
}

#[test]
fn an_api_down_outcome_opens_the_outbox_unless_the_person_is_busy() {
    let items = vec![
        item(1, "r0", OutboxState::Queued, "first"),
        item(2, "r1", OutboxState::Queued, "second"),
    ];
    let down = |it: &OutboxItem| {
        Action::OutboxOutcome(Outcome {
            item: it.clone(),
            what: Delivery::ApiDown {
                at: now() + 300,
                message: API_DOWN.into(),
            },
        })
    };
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(items.clone()));
    assert_eq!(h.app.outbox.selected, 0);
    h.act(down(&items[1]));
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    assert_eq!(h.app.outbox.tab, OutboxTab::Queue);
    assert_eq!(h.app.outbox.selected, 1, "the item the outage hit");
    assert_eq!(h.app.outbox.api_down.as_deref(), Some(API_DOWN));

    // Typing a reply: the outage is noted, the editor keeps the keys.
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(items.clone()));
    h.goto("r2");
    h.typ("r");
    h.typ("Hel");
    h.act(down(&items[1]));
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.app.outbox.selected, 0);
    assert_eq!(h.app.outbox.api_down.as_deref(), Some(API_DOWN));
    h.typ("lo");
    assert_eq!(h.body(), "Hello");
}

#[test]
fn a_sent_outcome_marks_the_review_answered_and_drops_its_draft() {
    let mut h = outboxed_db(many(3));
    h.act(Action::OutboxOutcome(Outcome {
        item: item(1, "r1", OutboxState::Queued, "x"),
        what: Delivery::ApiDown {
            at: now() + 300,
            message: API_DOWN.into(),
        },
    }));
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    h.code(KeyCode::Esc);
    let before = h.app.unanswered_count();
    assert_eq!(before, 3);
    h.reply("Glad it works now");
    assert_eq!(
        h.app.replies.drafts["r0"].text, "Glad it works now",
        "kept until the Store has it"
    );
    h.act(Action::Enqueued {
        app: APP.into(),
        review: "r0".into(),
        result: Ok(9),
    });
    let mut sent = item(9, "r0", OutboxState::Sent, "Glad it works now");
    sent.sent_at = Some(now());
    let cmds = h.act(Action::OutboxOutcome(Outcome {
        item: sent,
        what: Delivery::Sent,
    }));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Db(DbCommand::DeleteDraft { review, .. }) if review == "r0")),
        "{cmds:?}"
    );
    assert!(!h.app.replies.drafts.contains_key("r0"));
    assert_eq!(h.review("r0").response_text.as_deref(), Some("Glad it works now"));
    assert_eq!(h.app.unanswered_count(), before - 1);
    assert!(h.app.outbox.api_down.is_none(), "a reply went through: the API is back");
    assert!(
        h.app.status.notice.clone().unwrap_or_default().contains("sent"),
        "{:?}",
        h.app.status.notice
    );
}

/// Five items in the outbox, the outbox open on the first.
fn outbox_open() -> H {
    let mut h = outboxed(many(6));
    h.act(Action::OutboxSnapshot(vec![
        with_reason(item(1, "r0", OutboxState::Failed, "failed text"), "refused: too long"),
        item(2, "r1", OutboxState::Queued, "queued text"),
        item(3, "r2", OutboxState::Sending, "sending text"),
        item(4, "r3", OutboxState::Sent, "sent text"),
        with_reason(item(5, "r4", OutboxState::Unconfirmed, "unclear text"), "timed out"),
    ]));
    let cmds = h.typ("o");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    assert_eq!(h.app.context(), KeyContext::Outbox);
    h
}

#[test]
fn outbox_retry_copy_and_answered_elsewhere() {
    let mut h = outbox_open();
    assert_eq!(h.typ("r"), vec![Command::Outbox(OutboxCommand::OutboxRetry { id: 1 })]);
    assert_eq!(
        h.typ("c"),
        vec![Command::CopyToClipboard {
            text: "failed text".into()
        }]
    );
    assert!(notice(&h).contains("Copied"), "{}", notice(&h));
    assert_eq!(
        h.typ("m"),
        vec![Command::Outbox(OutboxCommand::OutboxAnsweredElsewhere { id: 1 })]
    );
    // Sending: nothing to retry or mark.
    h.typ("jj");
    assert_eq!(h.app.outbox.selected, 2);
    assert!(h.typ("r").is_empty());
    assert!(notice(&h).contains("not retried"), "{}", notice(&h));
    assert!(h.typ("m").is_empty());
    // Unconfirmed: retry reads the review back.
    h.typ("jj");
    assert_eq!(h.app.outbox.selected, 4);
    assert_eq!(h.typ("r"), vec![Command::Outbox(OutboxCommand::OutboxRetry { id: 5 })]);
    assert!(notice(&h).contains("Reading the review back"), "{}", notice(&h));
    assert_eq!(
        h.typ("m"),
        vec![Command::Outbox(OutboxCommand::OutboxAnsweredElsewhere { id: 5 })]
    );
    h.typ("j");
    assert_eq!(h.app.outbox.selected, 4, "stays on the last");
}

#[test]
fn editing_a_queued_reply_changes_it_in_the_outbox() {
    let mut h = outbox_open();
    h.typ("j");
    // Held while it is edited, so the sender cannot take the old text meanwhile.
    let cmds = h.typ("e");
    assert!(
        matches!(
            outbox_ops(&cmds)[..],
            [Command::Outbox(OutboxCommand::OutboxHold { id: 2, .. })]
        ),
        "{cmds:?}"
    );
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), "queued text");
    assert_eq!(h.app.outbox.editing, Some(2));
    h.act(Action::Paste(", edited".into()));
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm, "{}", h.problem());
    let cmds = h.typ("y");
    assert_eq!(
        outbox_ops(&cmds),
        vec![&Command::Outbox(OutboxCommand::OutboxEdit {
            id: 2,
            text: "queued text, edited".into(),
            support_email: EMAIL.into(),
            public: true,
        })]
    );
    assert!(enqueues(&h.log).is_empty(), "{:?}", h.log);
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    assert_eq!(h.app.outbox.editing, None);
    assert!(h.app.outbox.enqueueing.is_empty(), "no new item");

    // Esc from such an editor goes back to the outbox and lets the reply go as it was.
    h.typ("e");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    let cmds = h.code(KeyCode::Esc);
    assert_eq!(
        outbox_ops(&cmds),
        vec![&Command::Outbox(OutboxCommand::OutboxRetry { id: 2 })],
        "released"
    );
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    assert_eq!(h.app.outbox.editing, None);
    // A sending one cannot be edited.
    h.typ("j");
    assert!(h.typ("e").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    assert!(notice(&h).contains("cannot be edited"), "{}", notice(&h));
}

#[test]
fn discarding_asks_first_and_only_for_queued_or_failed() {
    let mut h = outbox_open();
    h.typ("j");
    assert!(h.typ("d").is_empty());
    assert_eq!(h.app.context(), KeyContext::Confirm);
    assert!(h.typ("n").is_empty(), "kept");
    assert_eq!(h.app.context(), KeyContext::Outbox);
    assert_eq!(h.app.screen.mode, Mode::Outbox);
    h.typ("d");
    assert_eq!(
        h.typ("y"),
        vec![Command::Outbox(OutboxCommand::OutboxDiscard { id: 2 })]
    );
    assert_eq!(h.app.context(), KeyContext::Outbox);
    // Esc is a no too, and stays in the outbox.
    h.typ("k");
    h.typ("d");
    assert!(h.code(KeyCode::Esc).is_empty());
    assert_eq!(h.app.screen.mode, Mode::Outbox);

    for (at, state) in [(2, "sending"), (3, "sent"), (4, "unconfirmed")] {
        while h.app.outbox.selected < at {
            h.typ("j");
        }
        assert!(h.typ("d").is_empty(), "{state}");
        assert_eq!(h.app.context(), KeyContext::Outbox, "{state}: no question");
        let n = notice(&h);
        assert!(n.contains("cannot be discarded") && n.contains(state), "{state}: {n}");
    }
    assert_eq!(
        h.log
            .iter()
            .filter(|c| matches!(c, Command::Outbox(OutboxCommand::OutboxDiscard { .. })))
            .count(),
        1
    );
}

#[test]
fn the_history_tab_loads_and_shows_entries() {
    let mut h = outbox_open();
    assert_eq!(h.code(KeyCode::Tab), vec![Command::Outbox(OutboxCommand::LoadHistory)]);
    assert_eq!(h.app.outbox.tab, OutboxTab::History);
    assert!(h.app.outbox.history.is_none());
    h.act(Action::HistoryLoaded(Ok(vec![
        history_entry(3, "r2", day(22), "sent"),
        history_entry(2, "r1", day(21), "failed: refused"),
        history_entry(1, "r0", day(20), "sent"),
    ])));
    let entries = h.app.outbox.history.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(entries.len(), 3);
    h.typ("jjj");
    assert_eq!(h.app.outbox.history_selected, 2);
    h.typ("k");
    assert_eq!(h.app.outbox.history_selected, 1);
    // Outbox keys do nothing there.
    assert!(h.typ("rdcm").is_empty());
    assert!(h.code(KeyCode::Tab).is_empty());
    assert_eq!(h.app.outbox.tab, OutboxTab::Queue);
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    // Left on the history tab, opened again: read again.
    assert!(h.typ("o").is_empty(), "left on the outbox tab");
    h.code(KeyCode::Tab);
    h.code(KeyCode::Esc);
    assert_eq!(h.typ("o"), vec![Command::Outbox(OutboxCommand::LoadHistory)]);
    assert_eq!(h.app.outbox.tab, OutboxTab::History);
}

#[test]
fn a_discarded_reply_comes_back_as_the_draft() {
    let mut h = outboxed_db(many(3));
    let gone = OutboxItem {
        public: false,
        support_email: "help@contoso.example".into(),
        ..item(4, "r1", OutboxState::Queued, "Text I wrote")
    };
    let cmds = h.act(Action::OutboxDiscarded(gone));
    assert_eq!(saves(&cmds, "r1").len(), 1, "{cmds:?}");
    let d = &h.app.replies.drafts["r1"];
    assert_eq!(
        (d.text.as_str(), d.public, d.email.as_str()),
        ("Text I wrote", false, "help@contoso.example")
    );
    h.goto("r1");
    h.typ("r");
    assert_eq!(h.body(), "Text I wrote");

    // Without a database it is kept in memory only.
    let mut h = outboxed(many(3));
    let cmds = h.act(Action::OutboxDiscarded(item(
        4,
        "r1",
        OutboxState::Queued,
        "Text I wrote",
    )));
    assert!(saves(&cmds, "r1").is_empty(), "{cmds:?}");
    assert_eq!(h.app.replies.drafts["r1"].text, "Text I wrote");
}

#[test]
fn quitting_asks_while_replies_wait_in_the_outbox() {
    let mut h = outboxed_db(many(3));
    h.act(Action::OutboxSnapshot(vec![item(1, "r0", OutboxState::Queued, "x")]));
    assert!(h.typ("q").is_empty());
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);
    assert!(h.typ("n").is_empty());
    assert_eq!(h.app.screen.mode, Mode::Normal);

    // Still being written to the outbox counts too.
    let mut h = outboxed_db(many(3));
    h.reply("on its way");
    h.typ("q");
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);

    // Failed and sent items are not waiting, nor one answered in Partner Center (nothing goes
    // out for it): nothing to ask.
    let mut h = outboxed_db(many(3));
    let mut manual = item(3, "r2", OutboxState::Unconfirmed, "z");
    manual.manual = true;
    h.act(Action::OutboxSnapshot(vec![
        item(1, "r0", OutboxState::Failed, "x"),
        item(2, "r1", OutboxState::Sent, "y"),
        manual,
    ]));
    assert_eq!(h.typ("q"), vec![Command::Quit]);
    assert!(h.app.screen.should_quit);
}

#[test]
fn the_worker_is_nudged_after_a_fetch_only_when_something_waits_a_backoff() {
    let refresh = |h: &mut H| {
        let before = h.log.len();
        h.typ("R");
        h.serve();
        nudges(&h.log[before..])
    };
    // Nothing in the outbox, or only an item due anyway: nothing to nudge.
    let mut h = outboxed(many(3));
    assert_eq!(refresh(&mut h), 0);
    h.act(Action::OutboxSnapshot(vec![item(1, "r0", OutboxState::Queued, "x")]));
    assert_eq!(refresh(&mut h), 0, "due already");
    h.act(Action::OutboxSnapshot(vec![item(1, "r0", OutboxState::Failed, "x")]));
    assert_eq!(refresh(&mut h), 0, "failed items wait for the person");

    // Waiting out a backoff: nudged once, then not again within 10 s.
    let mut backoff = item(1, "r0", OutboxState::Queued, "x");
    backoff.attempts = 2;
    backoff.next_attempt_at = now() + 600;
    h.act(Action::OutboxSnapshot(vec![backoff]));
    assert_eq!(refresh(&mut h), 1);
    assert_eq!(refresh(&mut h), 0, "at most once per 10 s");

    // Unconfirmed: a refresh may show the response.
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(vec![item(
        1,
        "r0",
        OutboxState::Unconfirmed,
        "x",
    )]));
    assert_eq!(refresh(&mut h), 1);

    // A fetch still under way is not an answer yet.
    let mut h = outboxed(many(3));
    h.act(Action::OutboxSnapshot(vec![item(
        1,
        "r0",
        OutboxState::Unconfirmed,
        "x",
    )]));
    h.typ("R");
    let (request, _) = fetches(&h.take())[0];
    let cmds = h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: many(3).into(),
        total: Some(3),
        done: false,
    });
    assert_eq!(nudges(&cmds), 0);
    let cmds = h.act(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: Default::default(),
        total: None,
        done: true,
    });
    assert_eq!(nudges(&cmds), 1, "{cmds:?}");
}

/// The question names one reply; a snapshot that arrives while it is asked (another process
/// discarded or changed the outbox) must not make "y" discard a different one.
#[test]
fn discard_acts_on_the_reply_it_asked_about() {
    let mut h = outbox_open();
    h.typ("j");
    h.typ("d");
    assert_eq!(h.app.outbox.selected_item().map(|i| i.id), Some(2));
    // Item 1 went (discarded by `reviewdesk outbox discard` elsewhere): indices shift.
    let rest: Vec<OutboxItem> = h.app.outbox.items.iter().skip(1).cloned().collect();
    h.act(Action::OutboxSnapshot(rest));
    let cmds = h.typ("y");
    assert!(
        cmds.is_empty() || cmds == vec![Command::Outbox(OutboxCommand::OutboxDiscard { id: 2 })],
        "discarded another reply than the one asked about: {cmds:?}"
    );
}

/// Copying a reply while the reviews API is down means answering it in Partner Center: it is
/// held, so it cannot also go out from here if the API comes back meanwhile. Outside the outage
/// a copy is only a copy.
#[test]
fn copying_in_the_outage_holds_the_reply() {
    let mut h = outbox_open();
    h.typ("j");
    let cmds = h.typ("c");
    assert_eq!(outbox_ops(&cmds), Vec::<&Command>::new(), "no outage: only copied");
    h.app.outbox.api_down = Some("Microsoft's reviews API did not accept…".into());
    let cmds = h.typ("c");
    assert!(
        matches!(
            &cmds[..],
            [Command::CopyToClipboard { text }, Command::Outbox(OutboxCommand::OutboxHold { id: 2, .. })] if text == "queued text"
        ),
        "{cmds:?}"
    );
    assert!(notice(&h).contains("held"), "{}", notice(&h));
    // Once held, r lets it go from here after all.
    let mut held = item(2, "r1", OutboxState::Queued, "queued text");
    held.next_attempt_at = reviewdesk::db::HOLD;
    let mut items = h.app.outbox.items.clone();
    items[1] = held;
    h.act(Action::OutboxSnapshot(items));
    assert!(h.app.outbox.selected_item().unwrap().held());
    assert_eq!(h.typ("r"), vec![Command::Outbox(OutboxCommand::OutboxRetry { id: 2 })]);
}
