//! Text a stranger writes, on its way to the screen: the sanitiser, and text pasted into the
//! reply editor.

use super::{assert_displayable, assert_one_displayable_line};
use crate::sanitize::{display_width, pad_to_width, sanitize_line, sanitize_text, truncate_to_width};
use crate::tui::app::editor::{Draft, Editor};

/// The sanitiser: nothing that acts on a terminal survives, a second pass changes nothing, and
/// the width helpers keep to the width asked for. The first byte is the width; the rest is the
/// text, as lossily decoded as the client does.
pub fn sanitize(data: &[u8]) {
    let Some((&width, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let text = sanitize_text(&input);
    assert_displayable("sanitize_text", &text);
    assert_eq!(sanitize_text(&text), text, "sanitize_text is idempotent");
    let line = sanitize_line(&input);
    assert_one_displayable_line("sanitize_line", &line);
    assert_eq!(sanitize_line(&line), line, "sanitize_line is idempotent");

    let width = usize::from(width);
    let cut = truncate_to_width(&line, width);
    assert!(
        display_width(&cut) <= width,
        "truncate_to_width({line:?}, {width}) is {} columns wide: {cut:?}",
        display_width(&cut)
    );
    if display_width(&line) <= width {
        assert_eq!(cut, line, "nothing is cut from what fits");
    }
    let padded = pad_to_width(&cut, width);
    assert_eq!(
        display_width(&padded),
        width,
        "pad_to_width({cut:?}, {width}): {padded:?}"
    );
}

/// Text pasted into the reply editor (bracketed paste) after a draft: what would be published
/// is what the person sees, free of escape sequences and bidi controls, and the draft before
/// the cursor is kept; the same for the support address. The first byte is where the input
/// splits into the draft and the pasted text.
pub fn paste(data: &[u8]) {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(split).min(rest.len());
    let draft = sanitize_text(&String::from_utf8_lossy(&rest[..at]));
    let pasted = String::from_utf8_lossy(&rest[at..]);
    let mut editor = Editor::open(
        "9NBLGGGZ5QDR",
        "review",
        Draft {
            text: draft.clone(),
            public: true,
            email: String::new(),
        },
    );
    editor.paste(&pasted);
    let body = editor.body();
    assert_displayable("the reply after a paste", &body);
    assert!(body.starts_with(&draft), "the draft {draft:?} is kept: {body:?}");
    let _ = (editor.length(), editor.over_limit(), editor.check());
    editor.next_field();
    editor.paste(&pasted);
    assert_displayable("the support address after a paste", &editor.email_value());
}
