//! The filter language of saved views, the filter form and `reviews --filter`.
//! The properties are `reviewdesk::fuzz_checks::filter_view`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::filter_view(data));
