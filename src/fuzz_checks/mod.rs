//! The properties the fuzz targets check, as library functions: each takes the raw input a
//! target is given and panics, naming what broke, when a property does not hold. `fuzz/`'s
//! targets call them on generated inputs; `tests/fuzz_regressions.rs` calls the same functions
//! on every crash input kept, so a fixed finding stays fixed under exactly the check that found
//! it. Every target is one line calling one of these.
//!
//! The rule for "displayable" is written out here rather than taken from `crate::sanitize`, so
//! that a mistake there cannot hide itself.

mod auth;
mod commerce;
mod input;
mod settings;
mod store;
mod text;

pub use auth::{SECRET, credentials, entra_error, token_answer};
pub use commerce::{commerce_export, commerce_import};
pub use input::{paste, sanitize};
pub use settings::{config_toml, keymap};
pub use store::{emulator_query, review_item, review_page, reviews_api_answer};
pub use text::{filter_view, reviews_report, template, unparse_filter};

/// Unicode's Bidi_Control characters: the embeddings, overrides and isolates, and the three
/// marks (ALM, LRM, RLM).
fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// What must never reach a terminal from outside: C0 controls but the line break (ESC among
/// them), DEL, the C1 controls (8-bit CSI, OSC, DCS, ST …), bidi controls.
pub fn is_unsafe(c: char) -> bool {
    let cp = c as u32;
    (cp < 0x20 && c != '\n') || (0x7f..=0x9f).contains(&cp) || is_bidi_control(c)
}

/// Text that reaches a screen, a table or a log holds nothing [`is_unsafe`].
pub fn assert_displayable(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| is_unsafe(c)) {
        panic!("{what} holds {c:?} (U+{:04X}): {text:?}", c as u32);
    }
}

/// Like [`assert_displayable`], for one-line places: no line break either.
pub fn assert_one_displayable_line(what: &str, text: &str) {
    assert_displayable(what, text);
    assert!(!text.contains('\n'), "{what} holds a line break: {text:?}");
}

/// A review whose every text field a template may use carries escape sequences, a line break,
/// bidi controls and a zero-width space around a letter, as a hostile reviewer would write it.
pub fn hostile_review() -> crate::store::Review {
    fn hostile<S: From<String>>(s: &str) -> Option<S> {
        Some(format!("\u{1b}]52;c;aGk=\u{7}{s}\u{202e}\n\u{9b}2J\u{200b}").into())
    }
    crate::store::Review {
        id: Some("00000000-0000-0000-0000-000000000001".into()),
        date: Some("2026-11-30T12:00:00".into()),
        timestamp: Some(1_796_040_000),
        application_name: hostile("App"),
        market: hostile("US"),
        package_version: hostile("1.2.3.0"),
        reviewer_name: hostile("Ana"),
        review_title: hostile("Title"),
        review_text: hostile("Text"),
        rating: Some(1),
        ..Default::default()
    }
}
