//! Snapshots of answering at volume at 80x24 and 120x40: the template picker, the bulk
//! composer (writing once, then stepping), its confirmation with policy warnings, the editor
//! with the review above it, the countdown and the quit question in the undo window. The
//! reviews are hostile (escape sequences, bidi controls): none of it may reach the screen.

mod common;

use common::flows::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use reviewdesk::store::Review;
use reviewdesk::tui::action::{Action, Eligibility};

const HOSTILE: [&str; 3] = ["\x1b]52;c;aGVsbG8=\x07", "\x1b[2J", "\u{202e}"];

fn corpus() -> Vec<Review> {
    let mut hostile = rv("h0", 1, 27, "Crash\x1b]52;c;aGVsbG8=\x07 on start\x1b[2J", "US");
    hostile.review_text = Some("It crashes\x1b[2J every time \u{202e}desrever\u{202c} I open it.".into());
    hostile.reviewer_name = Some("Mallory\x1b[2J".into());
    let mut crash = rv("h1", 2, 26, "Crashes after the update", "US");
    crash.review_text = Some("Since 3.2 it crashes when I open a photo. Please fix.".into());
    crash.reviewer_name = Some("Ana Souza".into());
    let mut opted = rv("h2", 1, 25, "Closes by itself", "US");
    opted.reviewer_name = Some("Oli".into());
    let mut de = rv("h3", 1, 24, "Stürzt ab", "DE");
    de.review_text = Some("Die App stürzt beim Start ab.".into());
    de.reviewer_name = Some("Jonas".into());
    let done = answered(rv("h4", 2, 23, "Crash when saving", "US"), 24);
    vec![hostile, crash, opted, de, done]
}

fn world(w: u16, h: u16) -> H {
    let mut x = H::new(&[APP], (w, h), corpus());
    x.world.eligibility.insert("h2".into(), Eligibility::OptedOut);
    x.serve();
    x
}

fn render(h: &H) -> String {
    let size = h.app.screen.size;
    let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, &h.app)).unwrap();
    let text = t.backend().to_string();
    for bad in HOSTILE {
        assert!(!text.contains(bad), "raw {bad:?} reached the screen:\n{text}");
    }
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    text
}

fn both(name: &str, build: impl Fn(u16, u16) -> H) {
    for (w, h) in [(80, 24), (120, 40)] {
        let x = build(w, h);
        let state = format!("mode: {:?}", x.app.screen.mode);
        insta::with_settings!({ description => state, omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&x));
        });
    }
}

/// Every review marked, the composer open (its checks answered).
fn composer(w: u16, h: u16) -> H {
    let mut x = world(w, h);
    x.typ("*");
    x.typ("r");
    x.serve();
    x
}

#[test]
fn picker() {
    both("volume_picker", |w, h| {
        let mut x = world(w, h);
        x.typ("t");
        x
    });
}

#[test]
fn picker_asking_before_replacing_typed_text() {
    both("volume_picker_replace", |w, h| {
        let mut x = world(w, h);
        x.typ("r");
        x.act(Action::Paste("Words I typed".into()));
        x.ctrl('t');
        x.code(ratatui::crossterm::event::KeyCode::Enter);
        x
    });
}

#[test]
fn editor_with_the_review_above() {
    both("volume_editor_review", |w, h| {
        let mut x = world(w, h);
        x.goto("h1");
        x.typ("r");
        x.act(Action::Paste("Thanks, Ana: 3.2.1 fixes it.".into()));
        x
    });
}

#[test]
fn composer_writing_once() {
    both("volume_bulk_body", |w, h| {
        let mut x = composer(w, h);
        x.act(Action::Paste(
            "Hi {reviewer|there}, sorry about the crash in {title}.".into(),
        ));
        x
    });
}

#[test]
fn composer_stepping_from_a_template() {
    both("volume_bulk_step", |w, h| {
        let mut x = composer(w, h);
        x.ctrl('t');
        x.code(ratatui::crossterm::event::KeyCode::Enter);
        x.ctrl('s');
        x
    });
}

#[test]
fn bulk_confirmation_with_warnings() {
    both("volume_bulk_confirm", |w, h| {
        let mut x = composer(w, h);
        x.act(Action::Paste(
            "Hi {reviewer|there}, download our other app at https://contoso.example/photo and a gift card if you change your rating to 5 stars."
                .into(),
        ));
        x.ctrl('s');
        x.ctrl('s');
        assert_eq!(
            x.app.screen.mode,
            reviewdesk::tui::app::Mode::BulkConfirm,
            "{:?}",
            x.app.volume.bulk.as_ref().unwrap().problem
        );
        x
    });
}

fn countdown(w: u16, h: u16) -> H {
    let mut x = world(w, h);
    x.world.delay_secs = Some(10);
    x.goto("h1");
    x.reply("Thanks, Ana: 3.2.1 fixes it.");
    x.serve();
    // The clock the countdown reads, fixed for the snapshot: 7 s left.
    let due = x.world.outbox[0].next_attempt_at;
    x.app.volume.now = due - 7;
    x
}

#[test]
fn the_undo_countdown() {
    both("volume_countdown", countdown);
}

#[test]
fn quitting_in_the_undo_window() {
    both("volume_quit_window", |w, h| {
        let mut x = countdown(w, h);
        x.typ("q");
        x
    });
}
