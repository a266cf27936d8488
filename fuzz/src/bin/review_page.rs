//! A page of get-app-reviews as the Store might send it (`ReviewsPage`: `Value`, `@nextLink`,
//! `TotalCount`, and the camelCase reviews with their dates, flexible numbers and booleans).
//! What parses must serialise again (JSON/CSV output does that) and read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::store::{Review, ReviewsPage};

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<ReviewsPage>(data) else {
        return;
    };
    for review in &page.value {
        round_trip(review);
    }
});

fn round_trip(review: &Review) {
    let json = serde_json::to_vec(review).expect("a parsed review serialises");
    let again: Review = serde_json::from_slice(&json).expect("a serialised review parses");
    assert_eq!(&again, review, "{}", String::from_utf8_lossy(&json));
}
