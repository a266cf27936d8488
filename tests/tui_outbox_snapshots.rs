//! Snapshots of the outbox screen at 80x24 and 120x40: degraded mode, a failed reply, the discard
//! question, the history tab, the empty outbox, and quitting with replies still queued. The
//! outbox worker's answers are given by hand, with fixed timestamps.
//!
//! The screen shows times in the local timezone: this binary runs with TZ=UTC (see [`init`]).

mod common;

use std::sync::Once;

use chrono::NaiveDate;
use common::flows::{APP, H, rv};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use reviewdesk::db::{HistoryEntry, HistoryRow, OutboxItem, OutboxState};
use reviewdesk::outbox_sender::{Delivery, Outcome};
use reviewdesk::store::{Review, partner_center_url};
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::Mode;

const HOSTILE: [&str; 2] = ["\x1b]52;c;AAAA\x07", "\u{202e}"];

const R1: &str = "6a1f0c3e-8d2b-4b7a-9e51-2f4c7d9a0b13";
const R2: &str = "b73e90d4-1c5a-4f2e-8a07-d2e6f1b4c958";
const R3: &str = "0e4d2a91-7f3c-4b68-a1d5-9c8e7b6f5a24";

static TZ: Once = Once::new();

/// Every test calls this first: times on screen are then UTC whatever the machine's zone.
fn init() {
    TZ.call_once(|| {
        // SAFETY: every test of this binary calls `init` before doing anything else, and `Once`
        // makes the others wait until this returns, so no thread of this process reads the
        // environment while it is changed (chrono reads TZ through std::env, under its lock).
        unsafe { std::env::set_var("TZ", "UTC") };
    });
}

fn ts(d: u32, h: u32, m: u32) -> i64 {
    let day = NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    day.and_hms_opt(h, m, 0).unwrap().and_utc().timestamp()
}

fn reviews() -> Vec<Review> {
    vec![
        rv(R1, 2, 20, "Crashes on startup", "US"),
        rv(R2, 4, 19, "Sync is slow", "DE"),
        rv(R3, 5, 18, "Love it", "GB"),
    ]
}

fn item(id: i64, review: &str, state: OutboxState, text: &str) -> OutboxItem {
    common::flows::outbox_item(id, review, state, text, ts(20, 14, 0))
}

/// Loaded at `w`x`h`, eligibility answered, the outbox in use and the drafts in the database.
fn loaded(w: u16, h: u16) -> H {
    let mut s = H::new(&[APP], (w, h), reviews());
    s.serve();
    s.act(Action::DraftsLoaded(Ok((Vec::new(), None))));
    s.take();
    s
}

fn api_down_message() -> String {
    format!(
        "Microsoft's reviews API did not accept a well-formed request (HTTP 500): Microsoft's own documentation \
         says this API \"is currently not in a working state\"; answer this review in Partner Center instead: {} \
         (Insights → Reviews → Respond to review)",
        partner_center_url(APP)
    )
}

fn render(s: &H) -> String {
    let mut t = Terminal::new(TestBackend::new(s.app.screen.size.0, s.app.screen.size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, &s.app)).unwrap();
    let text = t.backend().to_string();
    for bad in HOSTILE {
        assert!(!text.contains(bad), "raw {bad:?} reached the screen:\n{text}");
    }
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    text
}

fn state(s: &H) -> String {
    let o = &s.app.outbox;
    format!(
        "mode: {:?} · tab: {:?} · selected item: {} · history selected: {}",
        s.app.screen.mode, o.tab, o.selected, o.history_selected
    )
}

fn both(name: &str, build: impl Fn(u16, u16) -> H) {
    init();
    for (w, h) in [(80, 24), (120, 40)] {
        let s = build(w, h);
        insta::with_settings!({ description => state(&s), omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&s));
        });
    }
}

#[test]
fn degraded_mode_with_a_hostile_reply() {
    both("outbox_api_down", |w, h| {
        let mut s = loaded(w, h);
        let mut queued = item(
            1,
            R1,
            OutboxState::Queued,
            "Thanks for the report, and sorry about the crash.\nVersion 3.2.2 fixes it:\x1b]52;c;AAAA\x07 \
             update from the Store.\n\u{202e}Contoso support",
        );
        queued.attempts = 1;
        queued.reason = Some(api_down_message());
        queued.next_attempt_at = ts(20, 14, 35);
        s.act(Action::OutboxSnapshot(vec![queued.clone()]));
        s.act(Action::OutboxOutcome(Outcome {
            item: queued,
            what: Delivery::ApiDown {
                at: ts(20, 14, 35),
                message: api_down_message(),
            },
        }));
        assert_eq!(s.app.screen.mode, Mode::Outbox, "degraded mode opens the outbox");
        s
    });
}

/// A queued reply and a failed one, the failed one selected.
fn failed_selected(w: u16, h: u16) -> H {
    let mut s = loaded(w, h);
    let mut failed = item(
        2,
        R2,
        OutboxState::Failed,
        "Sync got faster in 3.3; please update and tell us how it goes.",
    );
    failed.attempts = 1;
    failed.reason = Some("the Store refused the reply: the review was removed by Microsoft (HTTP 404)".into());
    s.act(Action::OutboxSnapshot(vec![
        item(1, R1, OutboxState::Queued, "Thanks, version 3.2.2 fixes the crash."),
        failed,
    ]));
    s.typ("oj");
    assert_eq!(s.app.outbox.selected, 1);
    s
}

#[test]
fn a_failed_reply_selected() {
    both("outbox_failed", failed_selected);
}

#[test]
fn the_discard_question() {
    both("outbox_discard_confirm", |w, h| {
        let mut s = failed_selected(w, h);
        s.typ("d");
        assert!(s.app.outbox.confirm_discard.is_some());
        s
    });
}

#[test]
fn the_history_tab() {
    both("outbox_history", |w, h| {
        let mut s = loaded(w, h);
        s.typ("o");
        s.code(ratatui::crossterm::event::KeyCode::Tab);
        let entry = |id: i64, review: &str, at: i64, text: &str, result: &str| HistoryEntry {
            id,
            row: HistoryRow {
                profile: "test".into(),
                app: APP.into(),
                review: review.into(),
                at,
                text: text.into(),
                result: result.into(),
            },
            outbox_id: Some(id),
        };
        s.act(Action::HistoryLoaded(Ok(vec![
            entry(
                3,
                R1,
                ts(20, 14, 2),
                "Thanks for the report, and sorry about the crash.\nVersion 3.2.2 fixes it.",
                "sent",
            ),
            entry(
                2,
                R2,
                ts(19, 9, 30),
                "Sync got faster in 3.3.",
                "failed: the Store refused the reply: the review was removed by Microsoft (HTTP 404)",
            ),
            entry(
                1,
                R3,
                ts(18, 17, 45),
                "Thank you for the kind words!",
                "sent (verified after an unclear answer)",
            ),
        ])));
        s
    });
}

#[test]
fn the_empty_outbox() {
    both("outbox_empty", |w, h| {
        let mut s = loaded(w, h);
        s.act(Action::OutboxSnapshot(Vec::new()));
        s.typ("o");
        assert_eq!(s.app.screen.mode, Mode::Outbox);
        s
    });
}

#[test]
fn quitting_with_two_replies_queued() {
    both("outbox_quit_confirm", |w, h| {
        let mut s = loaded(w, h);
        // Two replies confirmed the ordinary way: their drafts stay until the Store has them.
        s.reply("Thanks, version 3.2.2 fixes the crash.");
        s.typ("j");
        s.reply("Sync got faster in 3.3.");
        for (id, review) in [(1, R1), (2, R2)] {
            s.act(Action::Enqueued {
                app: APP.into(),
                review: review.into(),
                result: Ok(id),
            });
        }
        s.act(Action::OutboxSnapshot(vec![
            item(1, R1, OutboxState::Queued, "Thanks, version 3.2.2 fixes the crash."),
            item(2, R2, OutboxState::Queued, "Sync got faster in 3.3."),
        ]));
        s.typ("q");
        assert_eq!(s.app.screen.mode, Mode::QuitConfirm);
        s
    });
}

/// The reason of a failed reply, which can carry the Store's words, is shown on the review too.
#[test]
fn a_hostile_reason_reaches_the_review_detail_cleaned() {
    init();
    let mut s = loaded(120, 40);
    let mut failed = item(2, R1, OutboxState::Failed, "x");
    failed.reason = Some("refused: \x1b]52;c;AAAA\x07 \u{202e}evil".into());
    s.act(Action::OutboxSnapshot(vec![failed]));
    let text = render(&s);
    assert!(text.contains("not sent: refused"), "{text}");
}
