//! What the fuzz targets check beyond "does not panic". The rules are written out here rather
//! than taken from `reviewdesk::sanitize`, so that a mistake there cannot hide itself.

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

/// The secret the auth targets pretend to have sent (as Entra secrets look: `~`, `.`, `_`).
pub const SECRET: &str = "Fz8Q~fuzz.Secret_0123456789abcdefghijklmn";

pub fn credentials() -> reviewdesk::auth::Credentials {
    reviewdesk::auth::Credentials {
        tenant: "contoso.onmicrosoft.com".to_owned(),
        client_id: "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b".to_owned(),
        secret: secrecy::SecretString::from(SECRET),
    }
}

/// An auth error is shown as one line and never carries the secret.
pub fn check_auth_error(e: &reviewdesk::auth::AuthError) {
    let text = e.to_string();
    assert_one_displayable_line("the auth error", &text);
    assert!(!text.contains(SECRET), "the secret is in the error: {text}");
}

