//! What a terminal shows after the bytes the TUI writes, against what the TUI meant to draw:
//! the frames go through ratatui's real crossterm backend, and the bytes into a terminal model
//! (`vt100`, which keeps a cell per character as tmux and xterm do). Moving over reviews in
//! scripts whose clusters the terminal keeps in several cells (Devanagari "का") once left their
//! vowel signs on screen under the next review.

mod common;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use common::flows::*;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::store::Review;

/// A writer the test can read after the backend wrote to it.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Each row of the buffer as the terminal should show it: the cells' symbols, those hidden
/// behind a wide glyph left out, trailing blanks trimmed.
fn intended(buf: &Buffer) -> Vec<String> {
    let mut rows = Vec::new();
    for y in 0..buf.area.height {
        let mut row = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            row.push_str(symbol);
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        rows.push(row.trim_end().to_owned());
    }
    rows
}

fn hindi(id: &str, d: u32, who: &str, title: &str, text: &str) -> Review {
    let mut r = rv(id, 1, d, title, "IN");
    r.reviewer_name = Some(who.into());
    r.review_text = Some(text.into());
    r
}

#[test]
fn the_terminal_shows_what_was_drawn_after_moving_over_indic_and_wide_text() {
    let mut reviews = vec![
        hindi(
            "h1",
            27,
            "राहुल",
            "बेकार",
            "ठीक है, लेकिन थोड़ा धीमा है। आपकी प्रतिक्रिया के लिए धन्यवाद!",
        ),
        rv("a1", 3, 26, "Plain ASCII title", "US"),
        hindi("h2", 25, "प्रिया", "ठीक-ठाक", "कभी-कभी क्रैश होता है, कृपया ठीक करें"),
        // Emoji sequences are left out: terminals disagree with each other on their widths.
        rv("j1", 2, 24, "日本語のタイトル、とても遅い", "JP"),
        rv("a2", 5, 23, "Another plain one", "GB"),
    ];
    reviews[1].review_text = Some("short".into());
    let mut h = H::loaded(reviews);
    let sink = Sink::default();
    let mut terminal = Terminal::new(CrosstermBackend::new(sink.clone())).expect("terminal");
    // The backend asks the real terminal for its size; the model is 80x24 like the app.
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, 80, 24))
        .expect("resized");
    let mut screen = vt100::Parser::new(24, 80, 0);
    let keys = "jjjjkkkkjjjjkkkk";
    for (step, key) in std::iter::once(' ').chain(keys.chars()).enumerate() {
        if step > 0 {
            h.code(KeyCode::Char(key));
            h.serve();
        }
        let frame = terminal.draw(|f| reviewdesk::tui::ui::draw(f, &h.app)).expect("drawn");
        let want = intended(frame.buffer);
        screen.process(&sink.0.borrow_mut().drain(..).collect::<Vec<u8>>());
        let got: Vec<String> = screen.screen().rows(0, 80).map(|r| r.trim_end().to_owned()).collect();
        for (y, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "after {step} keys ({:?}), row {y} differs", &keys[..step]);
        }
    }
}
