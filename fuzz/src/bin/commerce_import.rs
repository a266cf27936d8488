//! A Commerce import file (CSV or JSON lines), checked before anything is sent.
//! The properties are `reviewdesk::fuzz_checks::commerce_import`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::commerce_import(data));
