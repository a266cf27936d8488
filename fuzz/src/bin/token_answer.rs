//! A token endpoint's 200 answer: v1 strings or v2 numbers, `expires_in` / `expires_on`, the
//! access token. Whatever comes back as an error is fit for the screen and never holds the secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk_fuzz::{SECRET, check_auth_error, credentials};

fuzz_target!(|data: &[u8]| {
    match reviewdesk::auth::read_token_answer(200, data, &credentials(), SECRET) {
        Ok((token, _lifetime)) => assert!(!secrecy::ExposeSecret::expose_secret(&token).is_empty()),
        Err(e) => check_auth_error(&e),
    }
});
