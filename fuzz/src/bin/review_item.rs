//! One review object on its own, and the Store's date formats.
//! The properties are `reviewdesk::fuzz_checks::review_item`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::review_item(data));
