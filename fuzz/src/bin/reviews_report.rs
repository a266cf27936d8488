//! The Partner Center Reviews report TSV (BOMs, UTF-16, Excel quoting, header aliases).
//! The properties are `reviewdesk::fuzz_checks::reviews_report`'s, so that `tests/fuzz_regressions.rs`
//! replays every kept crash input and seed under the same check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::reviews_report(data));
