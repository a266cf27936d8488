//! The Commerce files: the export as downloaded, and the import file checked before sending.

use std::collections::HashSet;

use super::assert_one_displayable_line;
use crate::commerce::CommerceReview;
use crate::commerce::export::read_export_bytes;
use crate::commerce::import::{RowDefaults, read_import_bytes};

/// A Commerce export (CSV with a header, a JSON array, `{"items": [...]}`, JSON lines): a
/// refusal is one displayable line; the count is the reviews handed on; each review has a key
/// to cache it under; and a review written out as JSON (what `commerce export --format
/// json|jsonl` writes) reads back as the same review, so an export of an export changes nothing.
pub fn commerce_export(data: &[u8]) {
    let mut reviews: Vec<CommerceReview> = Vec::new();
    let read = read_export_bytes(data, |r| {
        reviews.push(r);
        Ok(())
    });
    match read {
        Err(e) => assert_one_displayable_line("the export error", &e.to_string()),
        Ok((_, count)) => {
            assert_eq!(count, reviews.len() as u64, "the count is what was handed on");
            for r in &reviews {
                assert!(!r.cache_key().trim().is_empty(), "no cache key for {r:?}");
                let serde_json::Value::Object(object) = serde_json::to_value(r).expect("a review serialises") else {
                    panic!("a review is written as an object")
                };
                let again = CommerceReview::from_json(object.clone());
                assert_eq!(&again, r, "written as {object:?}");
            }
        }
    }
}

/// A Commerce import file (CSV with a header, or JSON lines), checked whole before anything is
/// sent: a refusal, each row's problem and each warning are one displayable line; a row ready
/// to send has what Submit a Review requires (product, rating 1–5, title, text, product name);
/// the row keys, which the journal uses so that nothing is posted twice, are unique within the
/// file and the same on a second read.
pub fn commerce_import(data: &[u8]) {
    let defaults = RowDefaults::default();
    let file = match read_import_bytes("reviews.csv", data, &defaults) {
        Err(e) => return assert_one_displayable_line("the import error", &e),
        Ok(f) => f,
    };
    for (line, sentence) in file.problems.iter().chain(&file.warnings) {
        assert!(*line >= 1, "line {line}: {sentence}");
        assert_one_displayable_line("a row's problem", sentence);
    }
    let mut keys = HashSet::new();
    for item in &file.items {
        let body = &item.request.body;
        assert!(!item.request.product_id.trim().is_empty(), "{item:?}");
        assert!(matches!(body["Rating"].as_u64(), Some(1..=5)), "{item:?}");
        for field in ["Title", "ReviewText", "ProductName"] {
            assert!(
                body[field].as_str().is_some_and(|s| !s.trim().is_empty()),
                "{field}: {item:?}"
            );
        }
        assert!(keys.insert(item.row_key.clone()), "row key {} twice", item.row_key);
    }
    let again = read_import_bytes("reviews.csv", data, &defaults).expect("the same bytes read again");
    let first: Vec<&String> = file.items.iter().map(|i| &i.row_key).collect();
    let second: Vec<&String> = again.items.iter().map(|i| &i.row_key).collect();
    assert_eq!(first, second, "row keys are stable");
}
