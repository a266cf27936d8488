//! The token endpoint's answers: a 200 with a token, and Entra ID's error bodies.

use secrecy::{ExposeSecret, SecretString};

use super::assert_one_displayable_line;
use crate::auth::{AuthError, Credentials, read_token_answer};

/// The secret the auth checks pretend to have sent (as Entra secrets look: `~`, `.`, `_`).
pub const SECRET: &str = "Fz8Q~fuzz.Secret_0123456789abcdefghijklmn";

/// The registration the auth checks pretend to be.
pub fn credentials() -> Credentials {
    Credentials {
        tenant: "contoso.onmicrosoft.com".to_owned(),
        client_id: "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b".to_owned(),
        secret: SecretString::from(SECRET),
    }
}

/// An auth error is shown as one line and never carries the secret, even when the answer
/// echoes it.
fn check_auth_error(e: &AuthError) {
    let text = e.to_string();
    assert_one_displayable_line("the auth error", &text);
    assert!(!text.contains(SECRET), "the secret is in the error: {text}");
}

/// The statuses an error answer comes with; the first byte of the input picks one.
const ERROR_STATUSES: [u16; 8] = [400, 401, 403, 404, 500, 502, 503, 302];

/// An Entra ID error answer (OAuth `error`, the AADSTS code in `error_codes` or the
/// description, trace and correlation IDs): never a token, and the sentence built from it is
/// one displayable line without the secret. The first byte picks the status, the rest is the
/// body.
pub fn entra_error(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let status = ERROR_STATUSES[usize::from(pick) % ERROR_STATUSES.len()];
    match read_token_answer(status, body, &credentials(), SECRET) {
        Ok(_) => panic!("HTTP {status} gave a token"),
        Err(e) => check_auth_error(&e),
    }
}

/// A token endpoint's 200 answer (v1 strings or v2 numbers, `expires_in` / `expires_on`): a
/// token read from it is not empty; an error is one displayable line without the secret.
pub fn token_answer(data: &[u8]) {
    match read_token_answer(200, data, &credentials(), SECRET) {
        Ok((token, _lifetime)) => assert!(!token.expose_secret().is_empty(), "an empty token"),
        Err(e) => check_auth_error(&e),
    }
}
