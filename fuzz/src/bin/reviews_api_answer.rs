//! The reviews API's answers: get-response-info (`CanRespond`, `DefaultSupportEmail`), the
//! submission result (`Result`, `Successful` as a string), and the error bodies of both the
//! reviews and the analytics API, whose message is shown to the person.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::store::errors::read_error_body;
use reviewdesk::store::models::{ResponseInfo, SubmitResponse};
use reviewdesk_fuzz::assert_one_displayable_line;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = serde_json::from_slice::<ResponseInfo>(data) {
        let _ = (info.can_respond(), info.support_email());
    }
    if let Ok(submitted) = serde_json::from_slice::<SubmitResponse>(data) {
        let _ = submitted.result.iter().filter(|r| r.successful.0).count();
    }
    let e = read_error_body(data);
    assert_one_displayable_line("the error message", &e.message);
});
