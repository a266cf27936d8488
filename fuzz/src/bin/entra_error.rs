//! An Entra ID error answer (HTTP 302–503): OAuth `error`, AADSTS codes, trace and correlation IDs.
//! The properties are `reviewdesk::fuzz_checks::entra_error`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::entra_error(data));
