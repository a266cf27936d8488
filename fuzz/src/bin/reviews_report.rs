//! The Partner Center Reviews report (.tsv, any encoding): `report::parse` never panics, every
//! row it gives has a review ID, every row reads as a review the cache accepts, and the
//! refusal sentences are fit for the screen.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk_fuzz::assert_one_displayable_line;

fuzz_target!(|data: &[u8]| {
    match reviewdesk::report::parse(data) {
        Err(e) => assert_one_displayable_line("report error", &e.to_string()),
        Ok(report) => {
            assert_eq!(report.headers.len(), report.columns.len());
            for row in &report.rows {
                assert!(!row.id().trim().is_empty(), "a row without an ID: {row:?}");
                let value = serde_json::Value::Object(row.review.clone());
                serde_json::from_value::<reviewdesk::store::Review>(value).expect("a row reads as a review");
            }
        }
    }
});
