//! What the fuzz targets check beyond "does not panic".

// The rule for "displayable" lives in the library (`reviewdesk::fuzz_checks`), written out
// there rather than taken from `reviewdesk::sanitize`, so a mistake in the sanitiser cannot hide
// itself; the older targets use it from here.
pub use reviewdesk::fuzz_checks::{assert_displayable, assert_one_displayable_line, is_unsafe};

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

