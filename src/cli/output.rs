//! Printing reviews: a table for people, JSON for programs (CSV, TSV and chosen columns are in
//! `export.rs`). Both treat review text as hostile: the table is sanitised, JSON escapes every
//! control and bidi character.

use std::io::{self, Write};

use serde::Serialize;

use crate::sanitize::{pad_to_width, sanitize_line, stars, truncate_to_width};
use crate::store::Review;
use crate::store::dates::display_timestamp;

/// Width of the table when stdout is not a terminal we can measure.
const DEFAULT_WIDTH: usize = 100;

/// The width tables are fitted to: `COLUMNS` (at least 40), else [`DEFAULT_WIDTH`].
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(DEFAULT_WIDTH)
}

/// `date  rating  market  state  reviewer  title — text`, one line per review.
pub fn write_table(out: &mut impl Write, reviews: &[Review]) -> io::Result<()> {
    let width = terminal_width();
    writeln!(
        out,
        "{:<16}  {:<5}  {:<3} {:<3} {:<16}  TITLE / TEXT",
        "DATE", "STARS", "MKT", "ANS", "REVIEWER"
    )?;
    for r in reviews {
        let date = r
            .timestamp
            .map(display_timestamp)
            .unwrap_or_else(|| sanitize_line(r.date.as_deref().unwrap_or("")));
        let state = if r.revised_after_response() {
            "rev"
        } else if r.is_answered() {
            "yes"
        } else {
            ""
        };
        let reviewer = pad_to_width(
            &truncate_to_width(&sanitize_line(r.reviewer_name.as_deref().unwrap_or("")), 16),
            16,
        );
        let market = truncate_to_width(&sanitize_line(r.market.as_deref().unwrap_or("")), 3);
        let summary = summary_line(r);
        let used = 16 + 2 + 5 + 2 + 3 + 1 + 3 + 1 + 16 + 2;
        let summary = truncate_to_width(&summary, width.saturating_sub(used).max(10));
        writeln!(
            out,
            "{:<16}  {}  {:<3} {:<3} {}  {}",
            truncate_to_width(&date, 16),
            stars(r.rating),
            market,
            state,
            reviewer,
            summary
        )?;
    }
    Ok(())
}

/// Title, or the first words of the text when there is no title.
pub fn summary_line(r: &Review) -> String {
    let title = r
        .review_title
        .as_deref()
        .map(sanitize_line)
        .filter(|t| !t.trim().is_empty());
    let text = r
        .review_text
        .as_deref()
        .map(sanitize_line)
        .filter(|t| !t.trim().is_empty());
    match (title, text) {
        (Some(t), Some(x)) => format!("{t} — {x}"),
        (Some(t), None) => t,
        (None, Some(x)) => x,
        (None, None) => "(no text)".to_owned(),
    }
}

/// JSON with every C0/C1 control and bidi control escaped as `\uXXXX`: the same data, but safe
/// to print on a terminal.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(&mut *out, SafeFormatter(serde_json::ser::PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// Like [`write_json`], on one line and without the newline: for JSON lines.
pub fn write_json_compact<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    struct Compact;
    impl serde_json::ser::Formatter for Compact {
        fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
            write_escaped(w, fragment)
        }
    }
    let mut ser = serde_json::Serializer::with_formatter(out, Compact);
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// A JSON string fragment with every C0/C1 and bidi control as `\\uXXXX`.
fn write_escaped<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if crate::sanitize::is_forbidden(c) {
            w.write_all(&fragment.as_bytes()[start..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&fragment.as_bytes()[start..])
}

struct SafeFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        write_escaped(w, fragment)
    }
    // Delegate the layout to the pretty formatter.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_c1_and_bidi_but_keeps_data() {
        let v = serde_json::json!({"t": "a\u{1b}]0;x\u{7}b\u{9b}c\u{202e}d 日本"});
        let mut buf = Vec::new();
        write_json(&mut buf, &v).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(
            s.contains(r"\u001b") && s.contains(r"\u009b") && s.contains(r"\u202e"),
            "{s}"
        );
        assert!(!s.chars().any(crate::sanitize::is_forbidden), "{s:?}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
