//! A reply template file (TOML: body, variants, hints) and its `{placeholder}` bodies.
//! The properties are `reviewdesk::fuzz_checks::template`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::template(data));
