//! One review object on its own, and the Store's date formats (US-style and ISO, with and
//! without a zone) that its `date` and `responseDate` go through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::store::Review;
use reviewdesk::store::dates::parse_store_date;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_store_date(text);
    }
    let Ok(review) = serde_json::from_slice::<Review>(data) else {
        return;
    };
    let json = serde_json::to_vec(&review).expect("a parsed review serialises");
    let again: Review = serde_json::from_slice(&json).expect("a serialised review parses");
    assert_eq!(again, review, "{}", String::from_utf8_lossy(&json));
    let _ = (review.is_answered(), review.revised_after_response());
});
