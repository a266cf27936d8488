//! The reviews API's answers: response info, submission results, error bodies.
//! The properties are `reviewdesk::fuzz_checks::reviews_api_answer`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::reviews_api_answer(data));
