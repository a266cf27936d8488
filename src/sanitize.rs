//! Untrusted text (review titles, texts, reviewer names, responses) to safe display text.
//!
//! Review text is written by strangers and reaches us verbatim. A terminal interprets escape
//! sequences: OSC 52 writes the clipboard, OSC 0 sets the window title, DCS queries the terminal,
//! CSI 2J clears the screen, and bidi overrides make text read differently from what it is. So
//! every string that came from the service passes through here before it is displayed.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Spaces a tab expands to. Column-exact tab stops would need the render column, which the
/// caller does not know yet; four spaces keep indentation readable.
const TAB: &str = "    ";

/// Keeps newlines (normalising `\r\n` and lone `\r` to `\n`); drops everything that could act on
/// a terminal.
pub fn sanitize_text(input: &str) -> String {
    sanitize(input, false)
}

/// Like [`sanitize_text`], but for one-line places (list rows, table cells): line breaks become
/// single spaces.
pub fn sanitize_line(input: &str) -> String {
    sanitize(input, true)
}

/// Whether a character must never be shown as is.
pub fn is_forbidden(c: char) -> bool {
    let cp = c as u32;
    (cp < 0x20 && c != '\n') || (0x7f..=0x9f).contains(&cp) || is_bidi_control(c)
}

/// Unicode's Bidi_Control characters: the embeddings, overrides and isolates, and also the three
/// marks (ALM U+061C, LRM U+200E, RLM U+200F), which are invisible and, in a terminal that does
/// bidi, reorder the neutral characters around them (found by the `sanitize` fuzz target).
fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

fn sanitize(input: &str, single_line: bool) -> String {
    // Fast path: most review text is plain.
    if !input.chars().any(|c| is_forbidden(c) || c == '\n') {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => push_break(&mut out, single_line),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    push_break(&mut out, single_line);
                }
            }
            '\t' => out.push_str(TAB),
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers that start a sequence in 8-bit mode: swallow like their ESC forms.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn push_break(out: &mut String, single_line: bool) {
    if single_line {
        if !out.ends_with(' ') {
            out.push(' ');
        }
    } else {
        out.push('\n');
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: CSI, the string commands (OSC, DCS, SOS, PM, APC), or a two-byte sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // nF sequences (ESC, intermediates 0x20..=0x2F, final byte): drop the intermediates too.
        Some(c) if (' '..='/').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !(' '..='/').contains(&n) {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in 0x40..=0x7E.
fn skip_csi(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            // Anything else ends a malformed sequence and is kept (or filtered) as ordinary text.
            return;
        }
    }
}

/// String commands end at BEL, ST (ESC \) or the 8-bit ST (U+009C). An unterminated one runs to
/// the end of the text, as it would in a terminal: better to hide the rest than to pass it on.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Display width in terminal columns (CJK and emoji count two, combining marks zero).
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `width` columns (nothing added when it is already wider).
pub fn pad_to_width(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// Cuts `s` to at most `max` columns, ending with `…` when something was cut.
pub fn truncate_to_width(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// How a rating reads in the terminal and in tables: `★★★☆☆`; out of range as the number.
pub fn stars(rating: Option<i64>) -> String {
    match rating {
        Some(r @ 0..=5) => format!("{}{}", "★".repeat(r as usize), "☆".repeat(5 - r as usize)),
        Some(r) => format!("{r:>5}"),
        None => "  -  ".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stars_render() {
        assert_eq!(stars(Some(3)), "★★★☆☆");
        assert_eq!(stars(None), "  -  ");
    }

    #[test]
    fn removes_the_classic_attacks() {
        let hostile =
            "a\u{1b}]52;c;aGVsbG8=\u{7}b\u{1b}]0;pwned\u{7}c\u{1b}P+q544e\u{1b}\\d\u{1b}[2Je\u{9b}31mf\u{202e}g";
        assert_eq!(sanitize_text(hostile), "abcdefg");
    }

    #[test]
    fn keeps_text_and_newlines_and_expands_tabs() {
        assert_eq!(sanitize_text("línea 1\r\nline\t2\rend"), "línea 1\nline    2\nend");
        assert_eq!(sanitize_line("two\nlines\n\nhere"), "two lines here");
        assert_eq!(sanitize_text("日本語 🎉 مرحبا"), "日本語 🎉 مرحبا");
    }

    #[test]
    fn unterminated_osc_hides_the_rest() {
        assert_eq!(sanitize_text("ok\u{1b}]52;c;AAAA"), "ok");
    }

    #[test]
    fn widths_and_truncation() {
        assert_eq!(display_width("日本"), 4);
        assert_eq!(truncate_to_width("日本語です", 5), "日本…");
        assert_eq!(truncate_to_width("short", 10), "short");
        assert_eq!(display_width(&truncate_to_width("abcdefghij", 4)), 4);
    }

    proptest! {
        #[test]
        fn output_is_never_dangerous(s in any::<String>()) {
            let out = sanitize_text(&s);
            prop_assert!(!out.chars().any(is_forbidden), "{:?}", out);
            let line = sanitize_line(&s);
            prop_assert!(!line.contains('\n'));
            prop_assert!(!line.chars().any(is_forbidden));
        }

        #[test]
        fn is_idempotent(s in any::<String>()) {
            let once = sanitize_text(&s);
            prop_assert_eq!(sanitize_text(&once), once.clone());
        }

        #[test]
        fn printable_text_passes_unchanged(s in "[a-zA-Z0-9 .,!?'éü日本語🎉\n]{0,80}") {
            prop_assert_eq!(sanitize_text(&s), s);
        }

        #[test]
        fn hostile_sequences_inside_text_vanish(
            pre in "[a-z ]{0,10}", post in "[a-z ]{0,10}",
            seq in prop::sample::select(vec![
                "\u{1b}]52;c;aGVsbG8=\u{7}", "\u{1b}]0;t\u{1b}\\", "\u{1b}P+q544e\u{1b}\\",
                "\u{1b}[2J", "\u{1b}[38;5;196m", "\u{9b}2J", "\u{202e}", "\u{2067}", "\u{1b}(B",
            ])
        ) {
            let input = format!("{pre}{seq}{post}");
            prop_assert_eq!(sanitize_text(&input), format!("{pre}{post}"));
        }

        #[test]
        fn truncation_respects_width(s in any::<String>(), max in 0usize..40) {
            let clean = sanitize_line(&s);
            prop_assert!(display_width(&truncate_to_width(&clean, max)) <= max);
        }
    }
}
