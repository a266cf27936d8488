//! The help overlay's text and box, shared by the drawing and the key handling: scrolling has
//! to know where the text ends, or `j` walks on into blank rows (it did).

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::keymap::{KeyContext, Keymap};
use crate::tui::layout::centered;

pub const MARKERS: &str = "Markers: ✓ answered  ↻ revised since answered  ⊘ cannot respond  ⊗ taken down (site)  ✎ draft  ● marked  ⧗ queued  ⇡ sending  ✗ failed";
pub const REBINDING: &str = "Keys can be changed in config.toml, e.g. [keys.normal] reply = [\"r\", \"ctrl-r\"]";

/// One line of the help text, before styling.
pub enum HelpLine {
    Title(&'static str),
    /// The keys, padded to their column, and what they do.
    Binding {
        keys: String,
        description: &'static str,
    },
    Blank,
    Note(&'static str),
}

impl HelpLine {
    fn plain(&self) -> String {
        match self {
            HelpLine::Title(t) | HelpLine::Note(t) => (*t).to_owned(),
            HelpLine::Binding { keys, description } => format!("{keys}{description}"),
            HelpLine::Blank => String::new(),
        }
    }
}

pub fn lines(keymap: &Keymap) -> Vec<HelpLine> {
    let mut lines = Vec::new();
    // Every context the keymap has, in its order: one added later cannot be left out.
    let mut contexts: Vec<KeyContext> = Vec::new();
    for b in keymap.all() {
        if !contexts.contains(&b.context) && b.context != KeyContext::Help {
            contexts.push(b.context);
        }
    }
    for ctx in contexts {
        lines.push(HelpLine::Title(ctx.title()));
        for b in keymap.bindings(ctx) {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            lines.push(HelpLine::Binding {
                keys: format!("  {:<16}", keys.join(" ")),
                description: b.description,
            });
        }
        lines.push(HelpLine::Blank);
    }
    lines.push(HelpLine::Note(MARKERS));
    lines.push(HelpLine::Note(REBINDING));
    lines
}

/// The box the help is drawn in, borders included.
pub fn area(screen: Rect) -> Rect {
    centered(screen, 72, screen.height.saturating_sub(2))
}

/// How far the text can scroll: its last line at the bottom of the box, no further.
pub fn max_scroll(keymap: &Keymap, screen: (u16, u16)) -> u16 {
    let inner = area(Rect::new(0, 0, screen.0, screen.1));
    let (width, height) = (inner.width.saturating_sub(2), inner.height.saturating_sub(2));
    let text: Vec<Line> = lines(keymap).iter().map(|l| Line::raw(l.plain())).collect();
    let rows = Paragraph::new(text).wrap(Wrap { trim: false }).line_count(width);
    u16::try_from(rows.saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tall_screen_has_nothing_to_scroll_and_a_short_one_stops_at_the_end() {
        let keymap = Keymap::default();
        assert_eq!(max_scroll(&keymap, (120, 400)), 0);
        let short = max_scroll(&keymap, (80, 24));
        // 20 rows of text fit in a 24-row screen; every other row is scrolled to.
        let rows = lines(&keymap).len();
        assert!(short as usize >= rows - 20, "{short} of {rows} lines");
        assert!((short as usize) < rows + 10, "{short} of {rows} lines");
    }
}
