//! The documented samples parse exactly as the Store and Entra send them.

use reviewdesk::store::{ResponseInfo, ResponseItem, ReviewsPage};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn current_reviews_sample() {
    let page: ReviewsPage = serde_json::from_str(&fixture("reviews-current.json")).unwrap();
    assert_eq!(page.total_count.map(|t| t.0), Some(2));
    assert!(page.next_link.is_none());
    let first = &page.value[0];
    assert_eq!(first.id.as_deref(), Some("b5e27de9-2334-4849-d17d-4eae3e1e7aa9"));
    assert_eq!(first.date.as_deref(), Some("3/5/2021 12:48:33 PM"));
    assert_eq!(first.timestamp, Some(1614948513));
    assert_eq!(first.rating, Some(5));
    assert_eq!(first.is_revised, Some(false));
    assert_eq!(first.review_text.as_deref(), Some("Un juego fantastico"));
    assert!(first.device_ram.is_none(), "omitted fields stay None");
    let second = &page.value[1];
    assert!(second.review_title.is_none() && second.review_text.is_none());
    assert_eq!(second.market.as_deref(), Some("TR"));
}

#[test]
fn old_reviews_sample_with_every_field() {
    let page: ReviewsPage = serde_json::from_str(&fixture("reviews-old.json")).unwrap();
    let r = &page.value[0];
    assert_eq!(r.date.as_deref(), Some("2015-07-29"));
    assert_eq!(r.device_ram, Some(-1));
    assert_eq!(r.device_storage_capacity, Some(51200));
    assert_eq!(r.package_version.as_deref(), Some(""));
    assert_eq!(r.response_text.as_deref(), Some("1"));
    assert_eq!(r.response_date.as_deref(), Some("2015-08-07T01:50:22.9874488Z"));
    assert!(r.response_timestamp.is_some());
    assert!(r.is_answered());
    assert!(r.extra.is_none(), "every documented field is known");
}

#[test]
fn round_trip_keeps_store_names_and_unknown_fields() {
    let raw = r#"{"id":"x","isRevised":"true","rating":"4","futureField":{"a":1},"reviewText":"hi"}"#;
    let r: reviewdesk::store::Review = serde_json::from_str(raw).unwrap();
    assert_eq!(r.is_revised, Some(true));
    assert_eq!(r.rating, Some(4));
    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(back["futureField"]["a"], 1);
    assert_eq!(back["isRevised"], true);
    assert_eq!(back["reviewText"], "hi");
    assert!(back.get("reviewTitle").is_none(), "absent stays absent, never null");
}

#[test]
fn response_info_sample() {
    let info: ResponseInfo = serde_json::from_str(&fixture("response-info.json")).unwrap();
    assert!(info.can_respond());
    assert_eq!(info.support_email(), Some("support@contoso.com"));
}

#[test]
fn submit_request_matches_the_documented_shape() {
    let doc: serde_json::Value = serde_json::from_str(&fixture("submit-request.json")).unwrap();
    let items: Vec<ResponseItem> = serde_json::from_value(doc["Responses"].clone()).unwrap();
    let ours = serde_json::json!({ "Responses": items });
    assert_eq!(ours, doc, "the same keys, casing and JSON types (IsPublic a boolean)");
}

#[test]
fn every_fixture_is_valid_json() {
    for f in std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}
