//! Grapheme clusters that the terminal keeps in several cells.
//!
//! ratatui puts a grapheme cluster in one cell and, when it is two columns wide, blanks the
//! cell after it, assuming the terminal shows the cluster as one wide glyph. That holds for CJK
//! and emoji, not for a consonant followed by a spacing vowel sign (Devanagari "का", Bengali,
//! Tamil…): `unicode-width` gives each of its characters a column, and terminals (tmux, xterm,
//! vt100) keep the vowel sign in a cell of its own. When the next frame writes over the first
//! column only, ratatui sees the second as unchanged (blank before, blank now) and never
//! rewrites it, so the vowel sign stays on screen under another review: stray "ा" across the
//! detail pane after moving past a Hindi review.
//!
//! After a frame is drawn, such a cluster is spread over the columns it takes, one piece per
//! column (zero-width marks stay with the character before them), so the diff tracks each
//! column the terminal has. The bytes written are the same when the columns are written in a
//! row. Clusters whose own characters are wide (CJK, emoji, flags counted as one glyph, VS16
//! sequences) are left as they are.

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthChar;

/// Spreads, in place, every cluster of `buf` that the terminal keeps in more than one cell.
pub fn spread_multi_cell_clusters(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let symbol = buf[(x, y)].symbol();
            // ASCII and every one-character cell: nothing to spread.
            if symbol.len() <= 1 || symbol.chars().nth(1).is_none() {
                x += 1;
                continue;
            }
            let Some(pieces) = one_column_pieces(symbol) else {
                x += 1;
                continue;
            };
            let columns = pieces.len() as u16;
            if x + columns > area.right() {
                x += 1;
                continue;
            }
            let style = buf[(x, y)].style();
            for (i, piece) in pieces.iter().enumerate() {
                buf[(x + i as u16, y)].set_symbol(piece).set_style(style);
            }
            x += columns;
        }
    }
}

/// The cluster cut into one-column pieces, when every character in it takes at most one column
/// and it takes more than one in all; `None` otherwise.
fn one_column_pieces(cluster: &str) -> Option<Vec<String>> {
    let mut pieces: Vec<String> = Vec::new();
    for c in cluster.chars() {
        match c.width() {
            Some(1) => pieces.push(c.to_string()),
            Some(0) | None => match pieces.last_mut() {
                Some(last) => last.push(c),
                None => pieces.push(c.to_string()),
            },
            Some(_) => return None,
        }
    }
    // VS16 makes its base two columns wide as one glyph: ratatui handles that case itself.
    if pieces.len() < 2 || cluster.contains('\u{FE0F}') {
        return None;
    }
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    fn row(buf: &Buffer) -> Vec<String> {
        (0..buf.area.width).map(|x| buf[(x, 0)].symbol().to_owned()).collect()
    }

    #[test]
    fn a_spacing_vowel_sign_gets_its_own_column() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        let red = Style::default().fg(Color::Red);
        buf.set_string(0, 0, "कार", red);
        assert_eq!(row(&buf), ["का", " ", "र", " ", " ", " "], "ratatui's own layout");
        spread_multi_cell_clusters(&mut buf);
        assert_eq!(row(&buf), ["क", "ा", "र", " ", " ", " "]);
        assert_eq!(
            buf[(1, 0)].fg,
            Color::Red,
            "the second column keeps the cluster's style"
        );
    }

    #[test]
    fn zero_width_marks_stay_with_their_base() {
        // ड + nukta (zero width) + ा: two columns, the nukta with the ड.
        assert_eq!(one_column_pieces("ड़ा"), Some(vec!["ड़".to_owned(), "ा".to_owned()]));
        // ह + a non-spacing vowel sign: one column, nothing to spread.
        assert_eq!(one_column_pieces("है"), None);
    }

    #[test]
    fn wide_glyphs_are_left_alone() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(0, 0, "日本❤\u{FE0F}", Style::default());
        let before = row(&buf);
        spread_multi_cell_clusters(&mut buf);
        assert_eq!(row(&buf), before);
        assert_eq!(one_column_pieces("👩‍👩‍👧"), None);
    }

    #[test]
    fn a_cluster_at_the_right_edge_is_not_cut() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        buf.set_string(0, 0, "aका", Style::default());
        spread_multi_cell_clusters(&mut buf);
        assert_eq!(row(&buf), ["a", "क", "ा"]);
    }
}
