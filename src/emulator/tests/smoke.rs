//! Real TCP on loopback, through reqwest, as the client will talk to the emulator.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};

use super::super::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, EmulatorConfig, FaultSpec,
    start,
};
use super::{client, emulator, token};

const RESOURCE: &str = "https://manage.devcenter.microsoft.com";

#[tokio::test]
async fn v1_token_numbers_are_strings_v2_numbers_are_numbers() {
    let emu = emulator().await;
    let http = client();
    let resp = http
        .post(format!("{}/{DEFAULT_TENANT_ID}/oauth2/token", emu.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("resource", RESOURCE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/json; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store, no-cache");
    assert!(h.contains_key("x-ms-request-id"));
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], "3599");
    assert_eq!(v["ext_expires_in"], "3599");
    assert_eq!(v["resource"], RESOURCE);
    let on: i64 = v["expires_on"].as_str().unwrap().parse().unwrap();
    assert!((on - Utc::now().timestamp() - 3599).abs() < 5);
    assert!(v["not_before"].as_str().unwrap().parse::<i64>().is_ok());
    let jwt = v["access_token"].as_str().unwrap();
    assert_eq!(jwt.split('.').count(), 3);

    let resp = http
        .post(format!("{}/{DEFAULT_TENANT_DOMAIN}/oauth2/v2.0/token", emu.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("scope", "https://manage.devcenter.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["ext_expires_in"], 3599);
    for absent in ["expires_on", "not_before", "resource"] {
        assert!(v.get(absent).is_none(), "{absent}");
    }
    assert_eq!(emu.stats().token_requests, 2);
    emu.shutdown().await;
}

/// Posts a raw form body to `{tenant}/oauth2/{path}` and returns (status, JSON).
async fn raw_token(emu: &super::super::EmulatorHandle, tenant: &str, path: &str, body: String) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/{tenant}/oauth2/{path}", emu.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn token_errors_follow_the_reference_order_and_shape() {
    let emu = emulator().await;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let secret = enc(DEFAULT_CLIENT_SECRET);
    let good = format!("grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={secret}");
    let v1 = |extra: &str| format!("{good}{extra}");
    let other_guid = "00000000-0000-0000-0000-000000000001";
    let cases: Vec<(&str, &str, String, u16, &str, u32)> = vec![
        (
            "not a tenant!",
            "token",
            v1("&resource=x"),
            400,
            "invalid_request",
            900023,
        ),
        (other_guid, "token", v1(""), 400, "invalid_request", 90002),
        (
            DEFAULT_TENANT_ID,
            "token",
            format!("client_id={DEFAULT_CLIENT_ID}"),
            400,
            "invalid_request",
            900144,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            "grant_type=password&client_id=x".into(),
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            "grant_type=client_credentials".into(),
            400,
            "invalid_request",
            900144,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            format!("grant_type=client_credentials&client_id={other_guid}&client_secret=x"),
            400,
            "unauthorized_client",
            700016,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            format!("grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&resource={RESOURCE}"),
            401,
            "invalid_client",
            7000218,
        ),
        // The secret sent without form-encoding: '+' becomes a space and '&' splits it.
        (
            DEFAULT_TENANT_ID,
            "token",
            format!(
                "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}&resource={RESOURCE}"
            ),
            401,
            "invalid_client",
            7000215,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            v1("&resource=https://graph.microsoft.com"),
            400,
            "invalid_resource",
            500011,
        ),
        (
            DEFAULT_TENANT_ID,
            "token",
            v1("&resource=https://manage.devcenter.microsoft.com/"),
            400,
            "invalid_resource",
            500011,
        ),
        (
            DEFAULT_TENANT_ID,
            "v2.0/token",
            v1(&format!("&resource={RESOURCE}&scope=x")),
            400,
            "invalid_request",
            901002,
        ),
        (
            DEFAULT_TENANT_ID,
            "v2.0/token",
            v1("&scope=https%3A%2F%2Fmanage.devcenter.microsoft.com"),
            400,
            "invalid_scope",
            70011,
        ),
        (
            DEFAULT_TENANT_DOMAIN,
            "token",
            v1(&format!("&resource={}", enc(RESOURCE))),
            200,
            "",
            0,
        ),
    ];
    for (tenant, path, body, status, error, code) in cases {
        let (got, v) = raw_token(&emu, tenant, path, body.clone()).await;
        assert_eq!(got, status, "{tenant} {path} {body}: {v}");
        if status == 200 {
            continue;
        }
        assert_eq!(v["error"], error, "{body}");
        assert_eq!(v["error_codes"], json!([code]), "{body}");
        let desc = v["error_description"].as_str().unwrap();
        assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
        let trace = v["trace_id"].as_str().unwrap();
        let corr = v["correlation_id"].as_str().unwrap();
        let stamp = v["timestamp"].as_str().unwrap();
        assert_eq!(stamp.len(), "2023-02-20 07:21:29Z".len());
        assert!(
            desc.ends_with(&format!(
                "\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {stamp}"
            )),
            "{desc}"
        );
        assert_eq!(
            v["error_uri"],
            format!("https://login.microsoftonline.com/error?code={code}")
        );
    }
    // secret_expired applies to the right secret only, after the wrong-secret check.
    emu.set_faults(FaultSpec {
        secret_expired: Some(true),
        ..FaultSpec::default()
    });
    let (got, v) = raw_token(&emu, DEFAULT_TENANT_ID, "token", v1(&format!("&resource={RESOURCE}"))).await;
    assert_eq!((got, v["error_codes"][0].as_u64()), (401, Some(7000222)));
    emu.shutdown().await;
}

#[tokio::test]
async fn fetch_pages_and_follow_next_link() {
    let emu = emulator().await;
    let http = client();
    let bearer = token(&http, &emu).await;
    let start = (Utc::now() - chrono::Duration::days(90)).format("%m/%d/%Y").to_string();
    let end = Utc::now().format("%m/%d/%Y").to_string();
    let url = format!("{}/v1.0/my/analytics/reviews", emu.base_url());
    let resp = http
        .get(&url)
        .bearer_auth(&bearer)
        .query(&[
            ("applicationId", "9NBLGGGZ5QDR"),
            ("startDate", &start),
            ("endDate", &end),
            ("top", "10"),
            ("skip", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json; charset=utf-8");
    let first: Value = resp.json().await.unwrap();
    let total = first["TotalCount"].as_u64().unwrap();
    assert!(
        total > 50 && total <= 60,
        "most of the 60 reviews are within 90 days: {total}"
    );
    let items = first["Value"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(items[0]["applicationName"], "Contoso Photo Studio");
    let link = first["@nextLink"].as_str().unwrap();
    assert!(
        link.starts_with("reviews?applicationId=9NBLGGGZ5QDR&startDate="),
        "{link}"
    );
    let next = url::Url::parse(&format!("{}/v1.0/my/analytics/", emu.base_url()))
        .unwrap()
        .join(link)
        .unwrap();
    let second: Value = http
        .get(next)
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = |v: &Value| {
        v["Value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(second["TotalCount"], total);
    assert!(ids(&second).iter().all(|id| !ids(&first).contains(id)));
    assert_eq!(emu.stats().review_page_requests, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn store_auth_rejects_missing_unknown_revoked_and_expired_tokens() {
    let emu = emulator().await;
    let http = client();
    let url = format!(
        "{}/v1.0/my/analytics/reviews?applicationId=9NBLGGGZ5QDR",
        emu.base_url()
    );
    let status = |r: &reqwest::Response| r.status().as_u16();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(status(&r), 401);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{challenge}"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "Unauthorized");
    assert!(body["innererror"].is_null() && body.get("innererror").is_some());
    assert_eq!(body["source"], "AnalyticsAPI");
    assert_eq!(
        status(&http.get(&url).bearer_auth("eyJ.forged.x").send().await.unwrap()),
        401
    );
    let t = token(&http, &emu).await;
    assert_eq!(status(&http.get(&url).bearer_auth(&t).send().await.unwrap()), 200);
    emu.revoke_tokens();
    assert_eq!(status(&http.get(&url).bearer_auth(&t).send().await.unwrap()), 401);
    let fresh = token(&http, &emu).await;
    assert_eq!(status(&http.get(&url).bearer_auth(&fresh).send().await.unwrap()), 200);
    emu.set_faults(FaultSpec {
        token_lifetime_secs: Some(1),
        ..FaultSpec::default()
    });
    let short = token(&http, &emu).await;
    assert_eq!(status(&http.get(&url).bearer_auth(&short).send().await.unwrap()), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = http.get(&url).bearer_auth(&short).send().await.unwrap();
    assert_eq!(status(&r), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("expired"));
    assert_eq!(emu.stats().unauthorized, 4);
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_app_and_top_limit() {
    let emu = emulator().await;
    let http = client();
    let t = token(&http, &emu).await;
    let get = |q: &str| {
        http.get(format!("{}/v1.0/my/analytics/reviews?{q}", emu.base_url()))
            .bearer_auth(&t)
            .send()
    };
    let r = get("applicationId=9NBLGGH1RP08").await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["message"],
        "User Unauthorized Exception EC7. Check the ApplicationId/InAppProductId provided."
    );
    let r = get("applicationId=9NBLGGGZ5QDR&top=10001").await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["innererror"]["data"][0], "top parameter cannot be more than 10000");
    emu.shutdown().await;
}

#[tokio::test]
async fn hundred_thousand_reviews_page_through() {
    let config = EmulatorConfig {
        apps: vec!["9NBLGGGZ5QDR".into()],
        reviews_per_app: 100_000,
        ..EmulatorConfig::default()
    };
    let emu = start(config).await.unwrap();
    let http = client();
    let t = token(&http, &emu).await;
    let start = (Utc::now() - chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string();
    let mut seen = 0;
    let mut slowest = Duration::ZERO;
    for page in 0..10 {
        let began = Instant::now();
        let url = format!(
            "{}/v1.0/my/analytics/reviews?applicationId=9NBLGGGZ5QDR&startDate={start}&top=10000&skip={}",
            emu.base_url(),
            page * 10_000
        );
        let body = http
            .get(url)
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        slowest = slowest.max(began.elapsed());
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["TotalCount"], 100_000);
        seen += v["Value"].as_array().unwrap().len();
        assert_eq!(v["@nextLink"].is_null(), page == 9);
    }
    assert_eq!(seen, 100_000);
    // How fast is for `cargo bench --bench ingest`, not a timed assertion here: it failed on a
    // loaded machine while nothing was wrong.
    eprintln!("slowest of 10 pages of 10,000: {slowest:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let emu = emulator().await;
    let addr = emu.local_addr();
    assert!(emu.base_url().starts_with("http://127.0.0.1:") && !emu.base_url().ends_with('/'));
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
