//! Chaos mode over real TCP: the seeded sequence repeats, each kind does what it says, and the
//! counts add up.

use std::time::Duration;

use serde_json::{Value, json};

use super::super::{ChaosSpec, EmulatorConfig, EmulatorHandle, start};
use super::{client, token};

const APP: &str = "9NBLGGGZ5QDR";

fn only(kind: &str, extra: &str) -> ChaosSpec {
    let zero = "429=0,429bare=0,5xx=0,reset=0,late=0,revoke=0,down=0";
    format!("11,{zero},{kind}=100{extra}").parse().unwrap()
}

async fn with_chaos(spec: Option<ChaosSpec>) -> EmulatorHandle {
    start(EmulatorConfig {
        chaos: spec,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

/// One page request: the status, or 0 when the transport failed (no answer, or a cut body).
async fn page_status(http: &reqwest::Client, emu: &EmulatorHandle, bearer: &str) -> u16 {
    let sent = http
        .get(format!(
            "{}/v1.0/my/analytics/reviews?applicationId={APP}&top=5",
            emu.base_url()
        ))
        .bearer_auth(bearer)
        .send()
        .await;
    match sent {
        Err(_) => 0,
        Ok(r) => {
            let status = r.status().as_u16();
            if r.bytes().await.is_err() { 0 } else { status }
        }
    }
}

#[tokio::test]
async fn the_same_seed_answers_the_same_statuses_in_the_same_order() {
    let spec: ChaosSpec = "21,429=8,429bare=8,5xx=8,reset=8,late=0,revoke=0,down=0"
        .parse()
        .unwrap();
    let http = client();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = with_chaos(None).await;
        let bearer = token(&http, &emu).await;
        emu.set_chaos(Some(spec.clone()));
        let mut statuses = Vec::new();
        for _ in 0..120 {
            statuses.push(page_status(&http, &emu, &bearer).await);
        }
        let st = emu.stats();
        assert_eq!(st.chaos.requests, 120);
        let faulted = statuses.iter().filter(|&&s| s != 200).count() as u64;
        assert_eq!(faulted, st.chaos.faults(), "{statuses:?} {:?}", st.chaos);
        assert_eq!(
            statuses.iter().filter(|&&s| s == 0).count() as u64,
            st.chaos.resets,
            "a reset is a transport error"
        );
        assert_eq!(
            statuses.iter().filter(|&&s| s == 429).count() as u64,
            st.chaos.throttled_retry_after + st.chaos.throttled_bare
        );
        assert!(st.chaos.resets > 0 && st.chaos.server_errors > 0, "{:?}", st.chaos);
        runs.push(statuses);
        emu.shutdown().await;
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn throttles_with_and_without_retry_after() {
    let http = client();
    for (kind, header) in [("429", Some("4")), ("429bare", None)] {
        let emu = with_chaos(Some(only(kind, ",retry_after=4"))).await;
        let bearer = token(&http, &emu).await;
        let r = http
            .get(format!(
                "{}/v1.0/my/analytics/reviews?applicationId={APP}",
                emu.base_url()
            ))
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        let got = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), header, "{kind}");
        assert_eq!(emu.stats().throttled, 1);
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn a_late_answer_is_applied_before_the_client_gives_up() {
    let emu = with_chaos(None).await;
    let http = client();
    let bearer = token(&http, &emu).await;
    let id = emu.add_review(APP, json!({"reviewTitle": "late"}));
    emu.set_chaos(Some(only("late", ",late_ms=1500")));
    let body = json!({"Responses": [{"ApplicationId": APP, "ReviewId": id, "ResponseText": "Thanks",
        "SupportEmail": "a@b.example", "IsPublic": true}]});
    let sent = http
        .post(format!("{}/v1.0/my/reviews/responses", emu.base_url()))
        .bearer_auth(&bearer)
        .timeout(Duration::from_millis(300))
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err_and(|e| e.is_timeout()), "the client timed out");
    let st = emu.stats();
    assert_eq!(
        st.applied_responses.get(&id),
        Some(&1),
        "and yet it was applied: {st:?}"
    );
    assert_eq!(st.chaos.late, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_revocation_turns_away_every_token_issued_so_far() {
    let emu = with_chaos(None).await;
    let http = client();
    let old = token(&http, &emu).await;
    emu.set_chaos(Some(only("revoke", "")));
    assert_eq!(
        page_status(&http, &emu, &old).await,
        401,
        "this request already meets it"
    );
    emu.set_chaos(None);
    assert_eq!(
        page_status(&http, &emu, &old).await,
        401,
        "still revoked with chaos off"
    );
    let new = token(&http, &emu).await;
    assert_eq!(page_status(&http, &emu, &new).await, 200, "a new token works");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_reviews_api_goes_down_and_comes_back_through_the_control_api() {
    let emu = with_chaos(None).await;
    let http = client();
    let bearer = token(&http, &emu).await;
    let on = http
        .post(format!("{}/_emulator/chaos", emu.base_url()))
        .json(&only("down", ",down_ms=600"))
        .send()
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    let info = |http: reqwest::Client, url: String, bearer: String| async move {
        let r = http
            .get(format!("{url}/v1.0/my/reviews/apps/{APP}/responses/info"))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        r.status().as_u16()
    };
    let url = emu.base_url();
    assert_eq!(
        info(http.clone(), url.clone(), bearer.clone()).await,
        400,
        "4012 while down"
    );
    // Off: the outage in force ends with it; on again with only passing draws, it is back.
    let off = http.delete(format!("{url}/_emulator/chaos")).send().await.unwrap();
    assert_eq!(off.status(), 200);
    http.post(format!("{url}/_emulator/chaos"))
        .json(
            &json!({"seed": 1, "throttle": 0, "throttle_bare": 0, "server_error": 0, "reset": 0,
            "late": 0, "revoke": 0, "down": 0}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(info(http.clone(), url.clone(), bearer.clone()).await, 200);

    // On again: counted afresh, one outage and one 4012 answer.
    http.post(format!("{url}/_emulator/chaos"))
        .json(&only("down", ",down_ms=600"))
        .send()
        .await
        .unwrap();
    assert_eq!(info(http.clone(), url.clone(), bearer.clone()).await, 400);
    let stats: Value = http
        .get(format!("{url}/_emulator/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["chaos"]["outages"], 1, "{stats}");
    assert_eq!(stats["chaos"]["down_answers"], 1, "{stats}");
    let bad = http
        .post(format!("{url}/_emulator/chaos"))
        .json(&json!({"seed": 1, "reset": 150}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    emu.shutdown().await;
}
