use axum::body::to_bytes;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::super::data::{AppData, review_from_json};
use super::super::errors::bad_query;
use super::super::store::{ReviewQuery, page_json};
use super::at;

const TOP_BODY: &str = r#"{"code":"BadRequest","data":[],"details":[],"innererror":{"code":"InvalidQueryParameters","data":["top parameter cannot be more than 10000"],"details":[],"message":"One or More Query Parameters has invalid values.","source":"AnalyticsAPI"},"message":"The calling client sent a bad request to the service.","source":"AnalyticsAPI"}"#;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
}

fn query(q: &str) -> ReviewQuery {
    ReviewQuery::parse(q, today()).unwrap_or_else(|_| panic!("rejected: {q}"))
}

async fn error(q: &str) -> (StatusCode, String) {
    let resp: Response = match ReviewQuery::parse(q, today()) {
        Ok(_) => panic!("accepted: {q}"),
        Err(detail) => bad_query(detail),
    };
    let status = resp.status();
    let body = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// 25 reviews on 25 consecutive days ending on `today`, ratings cycling 1..5.
fn app() -> AppData {
    let mut app = AppData::empty("9NBLGGGZ5QDR");
    for i in 0..25 {
        let date = format!("2024-03-{:02}T23:59:59Z", 31 - i);
        let v = json!({"date": date, "rating": i % 5 + 1, "market": if i % 2 == 0 { "US" } else { "DE" }, "id": format!("id-{i:02}")});
        app.upsert(review_from_json(
            "9NBLGGGZ5QDR",
            "Contoso Photo Studio",
            &v,
            at("2024-03-31T23:59:59Z"),
            String::new(),
        ));
    }
    app
}

fn page(app: &AppData, q: &str) -> Value {
    serde_json::from_slice(&page_json(&app.reviews, &query(q))).unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v["Value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn top_over_limit_is_the_documented_body() {
    let (status, body) = error("applicationId=9NBLGGGZ5QDR&top=10001").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, TOP_BODY);
    assert_eq!(query("applicationId=X&top=10000").top, 10_000);
}

#[tokio::test]
async fn parameter_errors_name_the_parameter() {
    for (q, needle) in [
        ("top=5", "applicationId"),
        ("applicationId=X&top=ten", "top"),
        ("applicationId=X&top=0", "top"),
        ("applicationId=X&skip=-1", "skip"),
        ("applicationId=X&startDate=31/12/2024", "startDate"),
        ("applicationId=X&endDate=tomorrow", "endDate"),
        ("applicationId=X&startDate=4/1/2024", "startDate"),
        ("applicationId=X&filter=stars eq 5", "'stars'"),
        ("applicationId=X&filter=market gt 'US'", "'gt'"),
        ("applicationId=X&orderby=id desc", "'id'"),
    ] {
        let (status, body) = error(q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["innererror"]["code"], "InvalidQueryParameters", "{q}");
        let detail = v["innererror"]["data"][0].as_str().unwrap();
        assert!(detail.contains(needle), "{q}: {detail}");
    }
}

#[test]
fn defaults_and_date_forms() {
    let q = query("applicationid=9NBLGGGZ5QDR");
    assert_eq!((q.top, q.skip, q.start, q.end), (10_000, 0, today(), today()));
    let q = query("applicationId=X&startDate=01%2F02%2F2024&endDate=2024-03-05");
    assert_eq!(q.start, NaiveDate::from_ymd_opt(2024, 1, 2).unwrap());
    assert_eq!(q.end, NaiveDate::from_ymd_opt(2024, 3, 5).unwrap());
    let q = query("applicationId=X&startDate=8/1/2015 12:00:00 AM&endDate=2015/08/31");
    assert_eq!(q.start, NaiveDate::from_ymd_opt(2015, 8, 1).unwrap());
}

#[test]
fn date_range_is_inclusive_of_whole_days() {
    let app = app();
    // Every review is at 23:59:59; 3/31 only (the default range is today) => 1 review.
    assert_eq!(page(&app, "applicationId=X")["TotalCount"], 1);
    let v = page(&app, "applicationId=X&startDate=3/30/2024&endDate=3/30/2024");
    assert_eq!(ids(&v), vec!["id-01"]);
    let v = page(&app, "applicationId=X&startDate=3/1/2024&endDate=3/31/2024");
    assert_eq!(v["TotalCount"], 25);
}

#[test]
fn paging_math_and_next_link() {
    let app = app();
    let base = "applicationId=9NBLGGGZ5QDR&startDate=1/1/2024&endDate=3/31/2024&top=10";
    let p1 = page(&app, &format!("{base}&skip=0"));
    assert_eq!(p1["TotalCount"], 25);
    assert_eq!(p1["Value"].as_array().unwrap().len(), 10);
    assert_eq!(ids(&p1)[0], "id-00", "newest first by default");
    assert_eq!(
        p1["@nextLink"],
        "reviews?applicationId=9NBLGGGZ5QDR&startDate=2024/01/01&endDate=2024/03/31&top=10&skip=10"
    );
    // The relative link is itself a valid query for the next page.
    let link = p1["@nextLink"]
        .as_str()
        .unwrap()
        .strip_prefix("reviews?")
        .unwrap()
        .to_owned();
    let p2 = page(&app, &link);
    assert_eq!(ids(&p2)[0], "id-10");
    let p3 = page(&app, &format!("{base}&skip=20"));
    assert_eq!(p3["Value"].as_array().unwrap().len(), 5);
    assert!(p3.as_object().unwrap().contains_key("@nextLink"));
    assert!(p3["@nextLink"].is_null(), "no more rows => null");
    let exact = page(&app, "applicationId=X&startDate=1/1/2024&endDate=3/31/2024&top=25");
    assert!(exact["@nextLink"].is_null(), "skip+top == TotalCount => null");
    let beyond = page(&app, &format!("{base}&skip=40"));
    assert_eq!(beyond["Value"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["TotalCount"], 25);
}

#[test]
fn next_link_keeps_filter_and_orderby_with_raw_spaces() {
    let app = app();
    let q = "applicationId=9NBLGGGZ5QDR&startDate=2024-01-01&endDate=2024-03-31&top=2&filter=market%20eq%20'US'%20or%20contains(reviewText,'a%26b')&orderby=rating%20desc,date";
    let v = page(&app, q);
    assert_eq!(
        v["@nextLink"],
        "reviews?applicationId=9NBLGGGZ5QDR&startDate=2024/01/01&endDate=2024/03/31&top=2&skip=2&filter=market eq 'US' or contains(reviewText,'a%26b')&orderby=rating desc,date"
    );
    assert_eq!(v["TotalCount"], 13);
}

#[test]
fn filter_and_orderby_apply() {
    let app = app();
    let range = "applicationId=X&startDate=1/1/2024&endDate=3/31/2024";
    let v = page(&app, &format!("{range}&filter=rating ge 4 and market eq 'us'"));
    // US reviews are the even i; rating = i%5+1 >= 4 => i%5 in {3,4}: i = 4, 8, 14, 18, 24.
    assert_eq!(ids(&v), vec!["id-04", "id-08", "id-14", "id-18", "id-24"]);
    let v = page(&app, &format!("{range}&orderby=rating asc,date desc&top=3"));
    assert_eq!(ids(&v), vec!["id-00", "id-05", "id-10"]);
    let v = page(&app, &format!("{range}&orderby=date&top=1"));
    assert_eq!(ids(&v), vec!["id-24"]);
}

#[test]
fn items_use_store_date_formats() {
    let mut app = app();
    app.upsert(review_from_json("X", "X", &json!({"id": "r", "date": "2024-03-31T08:05:09Z", "responseDate": "2024-03-31T09:00:00.1234567Z", "responseText": "thanks"}), at("2024-03-31T10:00:00Z"), String::new()));
    let v = page(&app, "applicationId=X&filter=id eq 'r'");
    assert_eq!(v["Value"][0]["date"], "3/31/2024 8:05:09 AM");
    assert_eq!(v["Value"][0]["responseDate"], "2024-03-31T09:00:00.1234567Z");
    assert_eq!(v["Value"][0]["isRevised"], false);
}
