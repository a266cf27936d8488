//! The Store client and the token provider against the emulator, over real TCP.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use reviewdesk::auth::{AuthError, Credentials, TokenEndpointVersion};
use reviewdesk::config::Config;
use reviewdesk::emulator::{EmulatorConfig, FaultSpec, ServerError, Throttle};
use reviewdesk::store::dates::today_utc;
use reviewdesk::store::{Filter, Progress, ResponseItem, ReviewQuery, StoreError, SubmitStatus};
use secrecy::SecretString;

fn query(app: &str) -> ReviewQuery {
    ReviewQuery::last_days(app, 90, today_utc())
}

async fn unanswered_ids(s: &reviewdesk::session::Session, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for r in s.client.fetch_reviews(&query(APP)).await.unwrap().reviews {
        if r.is_answered() {
            continue;
        }
        let id = r.id.unwrap();
        if s.client.response_info(APP, Some(&id)).await.unwrap().can_respond() {
            out.push(id);
        }
        if out.len() == n {
            break;
        }
    }
    assert_eq!(out.len(), n, "the sample data should hold {n} answerable reviews");
    out
}

fn item(review: &str, text: &str) -> ResponseItem {
    ResponseItem {
        application_id: APP.into(),
        review_id: review.into(),
        response_text: text.into(),
        support_email: "support@contoso.example".into(),
        is_public: true,
    }
}

#[tokio::test]
async fn token_is_cached_and_shared_by_concurrent_callers() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = Arc::new(session(&emu));
    let ids: Vec<String> = s
        .client
        .fetch_reviews(&query(APP))
        .await
        .unwrap()
        .reviews
        .into_iter()
        .take(8)
        .filter_map(|r| r.id)
        .collect();
    // A fresh session: eight concurrent first calls must share one token request.
    let s = Arc::new(session(&emu));
    let before = emu.stats().token_requests;
    let mut tasks = Vec::new();
    for id in ids {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            s.client.response_info(APP, Some(&id)).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        emu.stats().token_requests - before,
        1,
        "one token for all concurrent callers"
    );
    s.client.fetch_reviews(&query(APP)).await.unwrap();
    assert_eq!(emu.stats().token_requests - before, 1, "the cached token is reused");
    assert_eq!(s.client.tokens().tokens_fetched(), 1);
}

#[tokio::test]
async fn token_is_replaced_before_it_expires() {
    let emu = emulator(EmulatorConfig::default()).await;
    emu.set_faults(FaultSpec {
        token_lifetime_secs: Some(2),
        ..FaultSpec::default()
    });
    let s = session(&emu);
    s.client.response_info(APP, None).await.unwrap();
    s.client.response_info(APP, None).await.unwrap();
    assert_eq!(emu.stats().token_requests, 1);
    // Refreshed at half its (short) life, before the API could refuse it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    s.client.response_info(APP, None).await.unwrap();
    assert_eq!(emu.stats().token_requests, 2);
    assert_eq!(emu.stats().unauthorized, 0, "never sent an expired token");
}

#[tokio::test]
async fn a_401_gets_one_new_token_and_one_retry() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    s.client.response_info(APP, None).await.unwrap();
    emu.revoke_tokens();
    let info = s.client.response_info(APP, None).await.unwrap();
    assert!(info.can_respond());
    let st = emu.stats();
    assert_eq!(st.unauthorized, 1);
    assert_eq!(st.token_requests, 2);
}

#[tokio::test]
async fn paging_follows_relative_next_links() {
    let emu = emulator(EmulatorConfig {
        reviews_per_app: 60,
        ..EmulatorConfig::default()
    })
    .await;
    let s = session(&emu);
    let mut q = query(APP);
    q.start = today_utc() - chrono::Days::new(500);
    q.top = 25;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let p2 = Arc::clone(&pages);
    let client = s.client.with_progress(Arc::new(move |p| p2.lock().unwrap().push(p)));
    let fetched = client.fetch_reviews(&q).await.unwrap();
    let total = fetched.total_count.unwrap() as usize;
    assert!(total >= 60, "{total}");
    assert_eq!(fetched.reviews.len(), total);
    assert_eq!(fetched.pages as usize, total.div_ceil(25));
    assert!(fetched.pages >= 3);
    assert_eq!(emu.stats().review_page_requests, u64::from(fetched.pages));
    let mut ids: Vec<_> = fetched.reviews.iter().map(|r| r.id.clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no review twice, none missing");
    let pages = pages.lock().unwrap();
    assert!(
        pages.iter().any(|p| matches!(
            p,
            Progress::Page {
                page: 2,
                pages: Some(_),
                ..
            }
        )),
        "{pages:?}"
    );
    assert!(
        fetched.reviews.iter().all(|r| r.timestamp.is_some()),
        "every date parses"
    );
}

#[tokio::test]
async fn filters_and_orderby_reach_the_service() {
    let emu = emulator(EmulatorConfig {
        reviews_per_app: 200,
        ..EmulatorConfig::default()
    })
    .await;
    let s = session(&emu);
    let mut q = query(APP);
    q.filter = Some(Filter::le("rating", 2).and(Filter::ne("market", "US")).to_string());
    q.orderby = Some("rating desc,date".into());
    let got = s.client.fetch_reviews(&q).await.unwrap().reviews;
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|r| r.rating.unwrap() <= 2 && r.market.as_deref() != Some("US"))
    );
    assert!(
        got.windows(2).all(|w| w[0].rating >= w[1].rating),
        "ordered by rating desc"
    );
    // A bad filter comes back as a readable refusal.
    q.filter = Some("reviewerName gt 'a'".into());
    let err = s.client.fetch_reviews(&q).await.unwrap_err();
    assert!(matches!(err, StoreError::Api { status: 400, .. }), "{err:?}");
    assert!(err.to_string().contains("reviewerName"), "{err}");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    s.client.response_info(APP, None).await.unwrap();
    emu.set_faults(FaultSpec {
        throttle: Some(Throttle {
            count: 1,
            retry_after: Some("1".into()),
        }),
        ..FaultSpec::default()
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = Arc::clone(&seen);
    let client = s.client.with_progress(Arc::new(move |p| s2.lock().unwrap().push(p)));
    let started = Instant::now();
    client.response_info(APP, None).await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(950), "waited {took:?}");
    let seen = seen.lock().unwrap();
    let retry = seen
        .iter()
        .find(|p| matches!(p, Progress::Retrying { .. }))
        .expect("a retry was reported");
    assert!(
        matches!(retry, Progress::Retrying { wait, .. } if *wait == Duration::from_secs(1)),
        "{retry:?}"
    );
    assert!(retry.describe().contains("retrying in 1 s"), "{}", retry.describe());
    assert_eq!(emu.stats().throttled, 1);
}

#[tokio::test]
async fn server_errors_back_off_then_succeed_or_give_up() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    emu.set_faults(FaultSpec {
        server_error: Some(ServerError { count: 2, status: 503 }),
        ..FaultSpec::default()
    });
    s.client.fetch_reviews(&query(APP)).await.unwrap();
    assert_eq!(emu.stats().server_errors, 2);
    emu.set_faults(FaultSpec {
        server_error: Some(ServerError { count: 50, status: 500 }),
        ..FaultSpec::default()
    });
    let err = s.client.fetch_reviews(&query(APP)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ServerError {
                status: 500,
                attempts: 5,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(emu.stats().server_errors, 2 + 5, "exactly five attempts");
}

fn creds(tenant: &str, client: &str, secret: &str) -> Credentials {
    Credentials {
        tenant: tenant.into(),
        client_id: client.into(),
        secret: SecretString::from(secret.to_owned()),
    }
}

async fn token_error(
    emu: &reviewdesk::emulator::EmulatorHandle,
    c: Credentials,
    version: TokenEndpointVersion,
) -> AuthError {
    let s = session_with(emu, c, version, Config::default());
    s.client
        .tokens()
        .token()
        .await
        .expect_err("the token request must fail")
}

fn assert_rejected(err: &AuthError, code: u32, words: &[&str]) {
    let text = err.to_string();
    match err {
        AuthError::Rejected { aadsts, trace_id, .. } => {
            assert_eq!(*aadsts, Some(code), "{text}");
            let trace = trace_id.as_deref().expect("a trace ID");
            assert!(text.contains(trace), "the trace ID is shown: {text}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    for w in words {
        assert!(text.contains(w), "{w:?} missing from: {text}");
    }
    assert!(
        !text.contains(reviewdesk::emulator::DEFAULT_CLIENT_SECRET),
        "the secret is never echoed"
    );
}

#[tokio::test]
async fn every_entra_error_reads_as_advice() {
    use reviewdesk::emulator::{DEFAULT_CLIENT_ID as C, DEFAULT_CLIENT_SECRET as S, DEFAULT_TENANT_ID as T};
    let emu = emulator(EmulatorConfig::default()).await;
    for v in [TokenEndpointVersion::V1, TokenEndpointVersion::V2] {
        let e = token_error(&emu, creds("11111111-2222-3333-4444-555555555555", C, S), v).await;
        assert_rejected(&e, 90002, &["not found", "tenant"]);
        let e = token_error(&emu, creds("not a tenant!", C, S), v).await;
        assert_rejected(&e, 900023, &["not a tenant ID", "GUID"]);
        let e = token_error(&emu, creds(T, "99999999-9999-9999-9999-999999999999", S), v).await;
        assert_rejected(&e, 700016, &["client ID", "Application (client) ID"]);
        let e = token_error(&emu, creds(T, C, "wrong+secret"), v).await;
        assert_rejected(&e, 7000215, &["Value", "Secret ID"]);
        let e = token_error(&emu, creds(T, C, ""), v).await;
        assert_rejected(&e, 7000218, &["No client secret"]);
    }
    emu.set_faults(FaultSpec {
        secret_expired: Some(true),
        ..FaultSpec::default()
    });
    let e = token_error(&emu, creds(T, C, S), TokenEndpointVersion::V1).await;
    assert_rejected(&e, 7000222, &["expired", "Certificates & secrets"]);
    emu.clear_faults();
    emu.set_faults(FaultSpec {
        token_throttle: Some(1),
        ..FaultSpec::default()
    });
    let e = token_error(&emu, creds(T, C, S), TokenEndpointVersion::V1).await;
    assert!(
        matches!(e, AuthError::Throttled { retry_after: Some(d) } if d == Duration::from_secs(60)),
        "{e:?}"
    );
    assert!(e.to_string().contains("retry in 60 s"), "{e}");
}

#[tokio::test]
async fn the_tenant_domain_and_the_v2_endpoint_work() {
    let emu = emulator(EmulatorConfig::default()).await;
    let mut c = default_credentials();
    c.tenant = reviewdesk::emulator::DEFAULT_TENANT_DOMAIN.into();
    let s = session_with(&emu, c, TokenEndpointVersion::V2, Config::default());
    assert!(s.client.response_info(APP, None).await.unwrap().can_respond());
}

#[tokio::test]
async fn batch_submit_reports_each_item() {
    let emu = emulator(EmulatorConfig {
        reviews_per_app: 400,
        ..EmulatorConfig::default()
    })
    .await;
    let s = session(&emu);
    let all = s.client.fetch_reviews(&query(APP)).await.unwrap().reviews;
    let answered = all
        .iter()
        .find(|r| r.is_answered() && !r.revised_after_response())
        .unwrap()
        .id
        .clone()
        .unwrap();
    let mut opted_out = None;
    for r in all.iter().filter(|r| !r.is_answered()) {
        let id = r.id.clone().unwrap();
        if !s.client.response_info(APP, Some(&id)).await.unwrap().can_respond() {
            opted_out = Some(id);
            break;
        }
    }
    let opted_out = opted_out.expect("the sample data has an opted-out customer");
    let mut ok = unanswered_ids(&s, 150).await;
    let first_ok = ok[0].clone();
    let mut items: Vec<ResponseItem> = ok
        .drain(..)
        .map(|id| item(&id, "Thanks for the review, we are on it."))
        .collect();
    items.push(item(&opted_out, "Thanks!"));
    items.push(item(&answered, "A second answer"));
    let before = emu.stats().submit_requests;
    let report = s.client.submit_responses(&items).await.unwrap();
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(
        emu.stats().submit_requests - before,
        2,
        "152 items go in chunks of at most 100"
    );
    assert_eq!(report.outcomes.len(), 152);
    assert_eq!(
        report
            .outcomes
            .iter()
            .filter(|o| o.status == SubmitStatus::Sent)
            .count(),
        150
    );
    let refused = |id: &str| {
        report
            .outcomes
            .iter()
            .find(|o| o.review_id == id)
            .unwrap()
            .status
            .clone()
    };
    assert_eq!(refused(&opted_out), SubmitStatus::Rejected("No Permission".into()));
    assert!(matches!(refused(&answered), SubmitStatus::Rejected(_)));
    assert_eq!(emu.stats().applied_responses.get(&first_ok), Some(&1));
    // The review now carries the response.
    let mut q = query(APP);
    q.filter = Some(Filter::eq("id", first_ok.as_str()).to_string());
    let r = &s.client.fetch_reviews(&q).await.unwrap().reviews[0];
    assert_eq!(r.response_text.as_deref(), Some("Thanks for the review, we are on it."));
}

#[tokio::test]
async fn bad_responses_are_refused_before_sending() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    let id = unanswered_ids(&s, 1).await.remove(0);
    let cases = [
        item(&id, "   "),
        item(&id, &"x".repeat(1001)),
        item(&id, &"🎉".repeat(501)),
        ResponseItem {
            support_email: "not-an-email".into(),
            ..item(&id, "fine")
        },
        ResponseItem {
            application_id: "NOTANID".into(),
            ..item(&id, "fine")
        },
    ];
    for c in cases {
        let err = s.client.submit_responses(&[c]).await.unwrap_err();
        assert!(err.is_usage(), "{err:?}");
    }
    let dup = [item(&id, "one"), item(&id, "two")];
    assert!(s.client.submit_responses(&dup).await.unwrap_err().is_usage());
    assert_eq!(emu.stats().submit_requests, 0, "nothing was sent");
}

#[tokio::test]
async fn the_documented_outage_is_named_with_a_partner_center_link() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    let id = unanswered_ids(&s, 1).await.remove(0);
    emu.set_faults(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    });
    let err = s.client.response_info(APP, Some(&id)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ReviewsApiDown {
                status: 400,
                code: Some(4012),
                ..
            }
        ),
        "{err:?}"
    );
    let report = s.client.submit_responses(&[item(&id, "Thanks")]).await.unwrap();
    let err = report.error.expect("the submission failed");
    let text = err.to_string();
    assert!(
        text.contains("not in a working state") && text.contains(&format!("products/{APP}")),
        "{text}"
    );
    assert!(matches!(report.outcomes[0].status, SubmitStatus::Failed(_)));
    // Reading reviews is a different API and keeps working.
    emu.set_faults(FaultSpec::default());
    s.client.fetch_reviews(&query(APP)).await.unwrap();
}

#[tokio::test]
async fn a_late_answer_is_unconfirmed_not_retried() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session_with(
        &emu,
        default_credentials(),
        TokenEndpointVersion::V1,
        short_timeout_config(1),
    );
    let id = unanswered_ids(&s, 1).await.remove(0);
    emu.set_faults(FaultSpec {
        late_reply_ms: Some(2500),
        ..FaultSpec::default()
    });
    let report = s
        .client
        .submit_responses(&[item(&id, "Thanks, fixed in 2.6")])
        .await
        .unwrap();
    assert!(
        matches!(report.error, Some(StoreError::Unconfirmed(_))),
        "{:?}",
        report.error
    );
    assert!(matches!(report.outcomes[0].status, SubmitStatus::Unconfirmed(_)));
    let st = emu.stats();
    assert_eq!(
        st.submit_requests, 1,
        "a submission that may have landed is not repeated"
    );
    assert_eq!(st.applied_responses.get(&id), Some(&1));
}

#[tokio::test]
async fn unknown_apps_and_big_pages_get_the_documented_errors() {
    let emu = emulator(EmulatorConfig::default()).await;
    let s = session(&emu);
    let err = s.client.fetch_reviews(&query("9ZZZZZZZZZZZ")).await.unwrap_err();
    assert!(err.to_string().contains("EC7"), "{err}");
    let err = s.client.fetch_reviews(&query("bad")).await.unwrap_err();
    assert!(err.is_usage());
}
