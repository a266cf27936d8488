//! The reviews API (response info, submit) and fault injection, over real TCP.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::super::errors::REVIEWS_4012;
use super::super::{EmulatorHandle, FaultSpec, ServerError, Throttle};
use super::{client, emulator, token};

struct Api {
    emu: EmulatorHandle,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn new() -> Self {
        let emu = emulator().await;
        let http = client();
        let token = token(&http, &emu).await;
        Self { emu, http, token }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.emu.base_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn submit(&self, body: String) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}/v1.0/my/reviews/responses", self.emu.base_url()))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn info(&self, app: &str, review: &str) -> Value {
        let (status, body) = self
            .get(&format!("/v1.0/my/reviews/{review}/apps/{app}/responses/info"))
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn one(app: &str, review: &str, text: &str) -> String {
    json!({"Responses": [{"ApplicationId": app, "ReviewId": review, "ResponseText": text, "SupportEmail": "support@contoso.com", "IsPublic": true}]}).to_string()
}

fn result(body: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["Result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Successful"].as_str().expect("Successful is a string").to_owned(),
                r["FailureReason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn submit_applies_once_and_shows_in_the_reviews() {
    let api = Api::new().await;
    let control = format!("{}/_emulator/reviews/9NBLGGGZ5QDR", api.emu.base_url());
    let added: Value = api
        .http
        .post(control)
        .json(&json!({"reviewText": "Crashes on start", "rating": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = added["id"].as_str().unwrap().to_owned();
    let info = api.info("9NBLGGGZ5QDR", &id).await;
    assert_eq!(
        info,
        json!({"CanRespond": true, "DefaultSupportEmail": "support@contoso.com"})
    );

    let (status, body) = api.submit(one("9NBLGGGZ5QDR", &id, "Fixed in 3.2, thanks!")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result(&body), vec![("true".into(), String::new())]);
    assert!(body.contains(&format!("\"ApplicationId\":\"9NBLGGGZ5QDR\",\"ReviewId\":\"{id}\"")));
    let (_, again) = api.submit(one("9NBLGGGZ5QDR", &id, "Second try")).await;
    assert_eq!(
        result(&again),
        vec![("false".into(), "A response already exists".into())]
    );

    let (status, page) = api
        .get(&format!(
            "/v1.0/my/analytics/reviews?applicationId=9NBLGGGZ5QDR&filter=id%20eq%20'{id}'"
        ))
        .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&page).unwrap();
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["Value"][0]["responseText"], "Fixed in 3.2, thanks!");
    let when = v["Value"][0]["responseDate"].as_str().unwrap();
    assert!(
        when.ends_with('Z') && when.split('.').nth(1).unwrap().len() == 8,
        "{when}"
    );

    let stats: Value = api
        .http
        .get(format!("{}/_emulator/stats", api.emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["applied_responses"][&id], 1);
    assert_eq!(stats["already_answered"][&id], 1, "the second try is counted as one");
    assert_eq!(stats["submitted_items"], 2);
    assert_eq!(stats["submit_requests"], 2);
    assert_eq!(api.emu.stats().info_requests, 1);
    api.emu.shutdown().await;
}

#[tokio::test]
async fn per_item_failures_and_mixed_batches() {
    let api = Api::new().await;
    let opted = api
        .emu
        .add_review("9WZDNCRFJ3Q8", json!({"optedOut": true, "reviewText": "x"}));
    let fine = api
        .emu
        .add_review("9WZDNCRFJ3Q8", json!({"id": "b5e27de9-2334-4849-d17d-4eae3e1e7aa9"}));
    assert_eq!(fine, "b5e27de9-2334-4849-d17d-4eae3e1e7aa9");
    let info = api.info("9WZDNCRFJ3Q8", &opted).await;
    assert_eq!(info, json!({"CanRespond": false, "DefaultSupportEmail": ""}));
    // 501 emoji = 501 chars but 1002 UTF-16 code units.
    let long = "😀".repeat(501);
    let body = json!({"Responses": [
        {"ApplicationId": "9WZDNCRFJ3Q8", "ReviewId": opted, "ResponseText": "hi", "SupportEmail": "a@b.c", "IsPublic": true},
        {"ApplicationId": "9WZDNCRFJ3Q8", "ReviewId": fine, "ResponseText": long, "SupportEmail": "a@b.c", "IsPublic": "false"},
        {"ApplicationId": "9WZDNCRFJ3Q8", "ReviewId": "00000000-0000-0000-0000-000000000000", "ResponseText": "hi", "SupportEmail": "a@b.c", "IsPublic": true},
        {"ApplicationId": "9WZDNCRFJ3Q8", "ReviewId": fine.to_uppercase(), "ResponseText": "é".repeat(1000), "SupportEmail": "a@b.c", "IsPublic": "true"},
    ]});
    let (status, text) = api.submit(body.to_string()).await;
    assert_eq!(status, 200, "{text}");
    let r = result(&text);
    assert_eq!(r[0], ("false".into(), "No Permission".into()));
    assert_eq!(r[1].0, "false");
    assert!(r[1].1.contains("1000"), "{}", r[1].1);
    assert_eq!(r[2].0, "false");
    assert!(!r[2].1.is_empty());
    assert_eq!(
        r[3],
        ("true".into(), String::new()),
        "exactly 1000 chars and an upper-case id are fine"
    );
    api.emu.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_get_the_exact_4012() {
    let api = Api::new().await;
    let id = api.emu.add_review("9NBLGGGZ5QDR", json!({}));
    let item = |patch: Value| {
        let mut it = json!({"ApplicationId": "9NBLGGGZ5QDR", "ReviewId": id, "ResponseText": "t", "SupportEmail": "s@x.com", "IsPublic": true});
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                it.as_object_mut().unwrap().remove(k);
            } else {
                it[k] = v.clone();
            }
        }
        json!({"Responses": [it]}).to_string()
    };
    for bad in [
        "not json".to_owned(),
        "{}".to_owned(),
        json!({"responses": []}).to_string(),
        item(json!({"SupportEmail": ""})),
        item(json!({"ReviewId": null})),
        item(json!({"IsPublic": "yes"})),
        item(json!({"IsPublic": null})),
    ] {
        let (status, body) = api.submit(bad.clone()).await;
        assert_eq!((status, body.as_str()), (400, REVIEWS_4012), "{bad}");
    }
    assert_eq!(api.emu.stats().applied_responses.len(), 0);
    let (status, _) = api.submit(item(json!({}))).await;
    assert_eq!(status, 200);
    api.emu.shutdown().await;
}

#[tokio::test]
async fn info_paths_and_outage() {
    let api = Api::new().await;
    let (status, body) = api.get("/v1.0/my/reviews/apps/9NBLGGGZ5QDR/responses/info").await;
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            r#"{"CanRespond":true,"DefaultSupportEmail":"support@contoso.com"}"#
        )
    );
    let (status, _) = api
        .get("/v1.0/my/reviews/00000000-0000-0000-0000-000000000000/apps/9NBLGGGZ5QDR/responses/info")
        .await;
    assert_eq!(status, 404);
    api.emu.set_faults(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    });
    let (status, body) = api.get("/v1.0/my/reviews/apps/9NBLGGGZ5QDR/responses/info").await;
    assert_eq!((status, body.as_str()), (400, REVIEWS_4012));
    let (status, body) = api.submit(one("9NBLGGGZ5QDR", "x", "y")).await;
    assert_eq!((status, body.as_str()), (400, REVIEWS_4012));
    let (status, _) = api.get("/v1.0/my/analytics/reviews?applicationId=9NBLGGGZ5QDR").await;
    assert_eq!(status, 200, "the analytics API is not part of the outage");
    api.emu.clear_faults();
    let (status, _) = api.get("/v1.0/my/reviews/apps/9NBLGGGZ5QDR/responses/info").await;
    assert_eq!(status, 200);
    api.emu.shutdown().await;
}

#[tokio::test]
async fn throttle_server_error_and_delay() {
    let api = Api::new().await;
    let reviews = "/v1.0/my/analytics/reviews?applicationId=9NBLGGGZ5QDR";
    api.emu.set_faults(FaultSpec {
        throttle: Some(Throttle {
            count: 2,
            retry_after: Some("2".into()),
        }),
        ..FaultSpec::default()
    });
    for _ in 0..2 {
        let r = api
            .http
            .get(format!("{}{reviews}", api.emu.base_url()))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "2");
    }
    // Control and token paths are not throttled.
    token(&api.http, &api.emu).await;
    assert_eq!(api.get(reviews).await.0, 200);
    api.emu.set_faults(FaultSpec {
        throttle: Some(Throttle {
            count: 1,
            retry_after: None,
        }),
        server_error: Some(ServerError { count: 1, status: 502 }),
        ..FaultSpec::default()
    });
    let r = api
        .http
        .get(format!("{}{reviews}", api.emu.base_url()))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(!r.headers().contains_key("retry-after"));
    assert_eq!(api.get(reviews).await.0, 502);
    assert_eq!(api.get(reviews).await.0, 200);
    let s = api.emu.stats();
    assert_eq!((s.throttled, s.server_errors, s.review_page_requests), (3, 1, 6));

    // Over the control endpoint, with the default 503.
    let url = format!("{}/_emulator/faults", api.emu.base_url());
    let r = api
        .http
        .post(&url)
        .json(&json!({"server_error": {"count": 1}, "delay_ms": 1500}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let began = Instant::now();
    assert_eq!(api.get(reviews).await.0, 503);
    assert!(began.elapsed() >= Duration::from_millis(1500));
    api.http.delete(&url).send().await.unwrap();
    // Cleared: no delay. The bound is the injected delay, well above a loaded machine's answer.
    let began = Instant::now();
    assert_eq!(api.get(reviews).await.0, 200);
    assert!(began.elapsed() < Duration::from_millis(1500));
    api.emu.shutdown().await;
}

#[tokio::test]
async fn token_throttle_and_late_reply() {
    let api = Api::new().await;
    api.emu.set_faults(FaultSpec {
        token_throttle: Some(1),
        late_reply_ms: Some(1500),
        ..FaultSpec::default()
    });
    let r = api
        .http
        .post(format!(
            "{}/{}/oauth2/token",
            api.emu.base_url(),
            super::super::DEFAULT_TENANT_ID
        ))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "60");
    assert_eq!(r.text().await.unwrap(), "Too Many Requests");
    token(&api.http, &api.emu).await;

    let id = api.emu.add_review("9NBLGGGZ5QDR", json!({"reviewText": "late"}));
    let sent = api
        .http
        .post(format!("{}/v1.0/my/reviews/responses", api.emu.base_url()))
        .bearer_auth(&api.token)
        .timeout(Duration::from_millis(300))
        .body(one("9NBLGGGZ5QDR", &id, "reply"))
        .send()
        .await;
    assert!(sent.is_err_and(|e| e.is_timeout()), "the client times out");
    assert_eq!(
        api.emu.stats().applied_responses.get(&id),
        Some(&1),
        "but the reply landed"
    );
    api.emu.shutdown().await;
}
