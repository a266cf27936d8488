//! A token endpoint's 200 answer: v1 strings or v2 numbers, `expires_in` / `expires_on`.
//! The properties are `reviewdesk::fuzz_checks::token_answer`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::token_answer(data));
