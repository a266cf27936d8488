//! `config.toml` as a person may write it: the settings, the profiles, the key overrides (which
//! become the keymap shown in the help), the endpoint URLs.
//! The properties are `reviewdesk::fuzz_checks::config_toml`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::config_toml(data));
