//! Word wrapping by display width. ratatui's own wrapper lets a double-width character at the
//! end of a line spill over the border (seen with emoji in reviews), so text is wrapped here,
//! where CJK, emoji and combining marks are measured with unicode-width.

use unicode_width::UnicodeWidthChar;

use crate::sanitize::display_width;

/// Lines of at most `width` columns. Words longer than a line are broken between characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in split_keep_spaces(para) {
            let w = display_width(word);
            if used + w <= width {
                line.push_str(word);
                used += w;
                continue;
            }
            if word.trim().is_empty() {
                // A space at a break is dropped rather than starting the next line.
                out.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            if used > 0 {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width && used > 0 {
                    out.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        out.push(line);
    }
    out
}

/// "a  b" → ["a", "  ", "b"].
fn split_keep_spaces(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in s.char_indices() {
        let space = c == ' ';
        if in_space.is_some_and(|prev| prev != space) {
            parts.push(&s[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < s.len() {
        parts.push(&s[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wide_characters_never_overflow() {
        let lines = wrap("Macht genau, was es soll. Schnell und zuverlässig. 🐛", 52);
        assert_eq!(lines, vec!["Macht genau, was es soll. Schnell und zuverlässig. ", "🐛"]);
        assert_eq!(wrap("日本語日本語", 5), vec!["日本", "語日", "本語"]);
        assert_eq!(wrap("a\n\nb", 10), vec!["a", "", "b"]);
        assert_eq!(wrap("", 10), vec![""]);
    }

    proptest! {
        #[test]
        fn every_line_fits(s in "[a-z 日本🐛é\u{301}\n]{0,200}", width in 1usize..40) {
            for line in wrap(&s, width) {
                // A lone character wider than the line is the only allowed excess.
                prop_assert!(display_width(&line) <= width.max(2), "{line:?} > {width}");
            }
        }

        #[test]
        fn no_text_is_lost(s in "[a-z日本🐛]{1,10}( [a-z日本🐛]{1,10}){0,20}", width in 2usize..40) {
            let joined: String = wrap(&s, width).concat();
            prop_assert_eq!(joined.replace(' ', ""), s.replace(' ', ""));
        }
    }
}
