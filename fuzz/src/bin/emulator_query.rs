//! The emulator's reviews query: dates, top/skip, the `$filter` language, `$orderby`.
//! The properties are `reviewdesk::fuzz_checks::emulator_query`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::emulator_query(data));
