//! Text pasted into the reply editor (bracketed paste), at any point of a draft: what would be
//! published is what the person sees, free of escape sequences and bidi controls; the draft
//! before the cursor is kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::tui::app::editor::{Draft, Editor};
use reviewdesk_fuzz::assert_displayable;

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input into a draft and the pasted text.
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(split).min(rest.len());
    let draft = String::from_utf8_lossy(&rest[..at]);
    let pasted = String::from_utf8_lossy(&rest[at..]);
    let draft = reviewdesk::sanitize::sanitize_text(&draft);
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
});
