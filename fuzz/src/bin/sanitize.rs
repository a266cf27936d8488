//! The sanitiser and the width helpers, on any text.
//! The properties are `reviewdesk::fuzz_checks::sanitize`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::sanitize(data));
