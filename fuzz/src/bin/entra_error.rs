//! An Entra ID error answer (HTTP 400/401/403/500 …): OAuth `error`, the AADSTS code in
//! `error_codes` or the description, trace and correlation IDs. The sentence built from it is
//! fit for the screen and never holds the secret, even when the answer echoes it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk_fuzz::{SECRET, check_auth_error, credentials};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the status; the rest is the body.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let status = [400, 401, 403, 404, 500, 502, 503, 302][usize::from(pick) % 8];
    match reviewdesk::auth::read_token_answer(status, body, &credentials(), SECRET) {
        Ok(_) => panic!("HTTP {status} gave a token"),
        Err(e) => check_auth_error(&e),
    }
});
