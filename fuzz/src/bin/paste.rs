//! Text pasted into the reply editor (bracketed paste), after a draft.
//! The properties are `reviewdesk::fuzz_checks::paste`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::paste(data));
