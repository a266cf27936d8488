//! The sanitiser: whatever a stranger writes, nothing that acts on a terminal survives, a second
//! pass changes nothing, and the width helpers keep to the width asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::sanitize::{display_width, pad_to_width, sanitize_line, sanitize_text, truncate_to_width};
use reviewdesk_fuzz::{assert_displayable, assert_one_displayable_line};

fuzz_target!(|data: &[u8]| {
    // The first byte picks a width; the rest is the text, as lossily decoded as the client does.
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
});
