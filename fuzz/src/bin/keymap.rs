//! One key as written in `[keys.*]` of `config.toml` (`ctrl-s`, `alt-x`, `pgdown`, `f12`, `é`).
//! The properties are `reviewdesk::fuzz_checks::keymap`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::keymap(data));
