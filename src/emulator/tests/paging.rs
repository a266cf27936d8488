//! Pages served from a kept answer order are byte for byte the pages of the all-at-once
//! algorithm (filter, sort, slice for every page), and a change to the app's reviews is seen
//! by the very next page.

use std::sync::Arc;

use chrono::NaiveDate;

use super::super::data::{AppData, generate_app};
use super::super::paging::PageOrders;
use super::super::store::{ReviewQuery, page_from, page_json};
use super::at;

const APP: &str = "9NBLGGGZ5QDR";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
}

fn app() -> AppData {
    generate_app(APP, 3000, 7, at("2024-03-31T12:00:00Z"))
}

fn parse(raw: &str) -> ReviewQuery {
    ReviewQuery::parse(raw, today()).unwrap()
}

/// Follows `@nextLink` from `first` through the kept orders; each page checked against the
/// all-at-once answer to the same query. The ids, in order.
fn walk(orders: &PageOrders, app: &AppData, first: &str) -> Vec<String> {
    let mut raw = first.to_owned();
    let mut ids = Vec::new();
    loop {
        let q = parse(&raw);
        let kept = page_from(&app.reviews, &orders.order(APP, app, &q), &q);
        assert_eq!(
            String::from_utf8_lossy(&kept),
            String::from_utf8_lossy(&page_json(&app.reviews, &q)),
            "{raw}"
        );
        let v: serde_json::Value = serde_json::from_slice(&kept).unwrap();
        ids.extend(
            v["Value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match v["@nextLink"].as_str() {
            Some(link) => raw = link.strip_prefix("reviews?").unwrap().to_owned(),
            None => return ids,
        }
    }
}

#[test]
fn every_page_is_the_page_the_all_at_once_answer_gives() {
    let app = app();
    let orders = PageOrders::default();
    let range = "applicationId=9NBLGGGZ5QDR&startDate=1/1/2023&endDate=3/31/2024&top=97";
    for extra in [
        "",
        "&filter=rating ge 3 and market ne 'US'",
        "&orderby=rating desc,date",
        "&orderby=market,rating asc",
        "&filter=contains(reviewText,'the')&orderby=helpfulCount desc",
    ] {
        let ids = walk(&orders, &app, &format!("{range}{extra}"));
        let total = parse(&format!("{range}{extra}&top=10000"));
        let all: serde_json::Value = serde_json::from_slice(&page_json(&app.reviews, &total)).unwrap();
        assert_eq!(ids.len() as u64, all["TotalCount"].as_u64().unwrap(), "{extra}");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "no review twice: {extra}");
        assert!(ids.len() > 97, "more than one page: {extra}");
    }
    assert_eq!(orders.len(), 5);
}

#[test]
fn later_pages_reuse_the_order_until_a_review_changes() {
    let mut app = app();
    let orders = PageOrders::default();
    let raw = "applicationId=9NBLGGGZ5QDR&startDate=1/1/2023&endDate=3/31/2024&top=50";
    let first = orders.order(APP, &app, &parse(raw));
    let second = orders.order(APP, &app, &parse(&format!("{raw}&skip=50")));
    assert!(
        Arc::ptr_eq(&first, &second),
        "the second page is a slice of the first's order"
    );

    // A new review, newest of all: the next page is computed afresh, and equal to the
    // all-at-once answer on the changed data.
    app.upsert(super::super::data::review_from_json(
        APP,
        "Contoso Photo Studio",
        &serde_json::json!({"id": "fresh", "date": "2024-03-31T11:59:00Z"}),
        at("2024-03-31T12:00:00Z"),
        String::new(),
    ));
    let q = parse(&format!("{raw}&skip=50"));
    let after = orders.order(APP, &app, &q);
    assert!(!Arc::ptr_eq(&first, &after));
    assert_eq!(after.len(), first.len() + 1);
    assert_eq!(page_from(&app.reviews, &after, &q), page_json(&app.reviews, &q));

    // A response applied (through `get_mut`) also moves the generation on.
    let before = orders.order(APP, &app, &q);
    app.get_mut("fresh").unwrap().response_text = Some("thanks".into());
    assert!(!Arc::ptr_eq(&before, &orders.order(APP, &app, &q)));
}

#[test]
fn only_the_most_recent_queries_are_kept() {
    let app = app();
    let orders = PageOrders::default();
    for top in 1..=20 {
        let raw = format!(
            "applicationId=9NBLGGGZ5QDR&startDate=1/1/2023&endDate=3/31/2024&filter=rating eq {}",
            top % 5 + 1
        );
        orders.order(APP, &app, &parse(&format!("{raw}&orderby=date&top={top}")));
        // The same query with another page size or skip is the same order.
        orders.order(APP, &app, &parse(&format!("{raw}&orderby=date&top=3&skip={top}")));
    }
    assert_eq!(orders.len(), 5, "five distinct filters");
    for n in 0..20 {
        let raw = format!(
            "applicationId=9NBLGGGZ5QDR&startDate=1/1/2023&endDate=3/31/2024&filter=contains(reviewText,'{n}')"
        );
        orders.order(APP, &app, &parse(&raw));
    }
    assert_eq!(orders.len(), 8);
}
