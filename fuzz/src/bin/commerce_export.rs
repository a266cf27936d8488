//! A Commerce export file as downloaded (CSV, JSON array, `{"items": …}`, JSON lines).
//! The properties are `reviewdesk::fuzz_checks::commerce_export`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::commerce_export(data));
