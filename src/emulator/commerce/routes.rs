//! The R&R handlers: export, the blob the export points at, submit, and the control routes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Blob, CommerceSettingsPatch, ExportFormat, Registration, data};
use crate::emulator::entra::TokenState;
use crate::emulator::errors::json_value;
use crate::emulator::{Shared, faults, lock};

/// Azurite's account name; the container is the emulator's choice.
const BLOB_PREFIX: &str = "/devstoreaccount1/rnr-exports";
/// Exports kept for download; older ones are dropped (their URLs then answer 404, like a
/// deleted blob).
const BLOBS_KEPT: usize = 3;

pub(crate) fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let api = Router::new()
        .route("/v2.0/export/reviews/", get(export))
        .route("/v2.0/export/reviews", get(export))
        .route("/v2.0/reviews/product/{product_id}/user", post(submit))
        .route_layer(axum::middleware::from_fn_with_state(shared, gate));
    let control = Router::new()
        .route(
            "/_emulator/commerce/registrations",
            get(list_registrations).post(add_registration),
        )
        .route(
            "/_emulator/commerce/registrations/{name}",
            put(edit_registration).delete(remove_registration),
        )
        .route("/_emulator/commerce/settings", post(patch_settings))
        .route("/_emulator/commerce/reviews", post(add_review))
        .route("/_emulator/commerce/stats", get(stats));
    api.merge(control).route(&format!("{BLOB_PREFIX}/{{name}}"), get(blob))
}

/// [INF] R&R's error body is undocumented; this is the common Azure REST shape.
fn rnr_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_value(status, &json!({ "error": { "code": code, "message": message } }))
}

/// Statistics, the shared fault injection, then the bearer token: valid, for an R&R audience,
/// and for a Client App ID on the S2S allow-list.
async fn gate(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    {
        let mut inner = s.commerce.lock();
        if req.uri().path().contains("/export/") || req.uri().path().ends_with("/export/reviews") {
            inner.stats.export_requests += 1;
        } else {
            inner.stats.submit_requests += 1;
        }
    }
    if let Some(faulted) = faults::inject(&s).await {
        return faulted;
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
        });
    let problem = match bearer {
        None => Some("Authorization header with a Bearer token is required.".to_owned()),
        Some(t) => {
            let tokens = lock(&s.tokens);
            match tokens.check(&t) {
                TokenState::Valid => {
                    let (aud, appid) = tokens.claims(&t).unwrap_or_default();
                    if !s.commerce.accepts_audience(&aud) {
                        Some(format!(
                            "The access token's audience '{aud}' is not the Ratings and Reviews service."
                        ))
                    } else if !s.commerce.is_allowed(&appid) {
                        // [INF] wording: what the S2S allow-list refusing a caller might say.
                        Some(format!(
                            "The client application '{appid}' is not registered for service-to-service access to this Ratings and Reviews tenant."
                        ))
                    } else {
                        None
                    }
                }
                TokenState::Unknown => Some("The access token is invalid.".to_owned()),
                TokenState::Expired => Some("The access token has expired.".to_owned()),
                TokenState::Revoked => Some("The access token has been revoked.".to_owned()),
            }
        }
    };
    match problem {
        None => next.run(req).await,
        Some(msg) => {
            s.commerce.lock().stats.unauthorized += 1;
            let mut resp = rnr_error(StatusCode::UNAUTHORIZED, "Unauthorized", &msg);
            let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{msg}\"");
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            resp
        }
    }
}

// axum answers with `Response` by value; boxing it only to unbox it in the handler buys nothing.
#[allow(clippy::result_large_err)]
fn check_tenant(s: &Shared, q: &HashMap<String, String>) -> Result<(), Response> {
    match q.get("tenantId").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => Err(rnr_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The query parameter 'tenantId' is required.",
        )),
        // [INF] an unknown tenant is a 404.
        Some(t) if !t.eq_ignore_ascii_case(&s.commerce.rnr_tenant) => Err(rnr_error(
            StatusCode::NOT_FOUND,
            "TenantNotFound",
            &format!("No Ratings and Reviews tenant '{t}' exists."),
        )),
        Some(_) => Ok(()),
    }
}

/// The SAS signature: a keyed hash of the blob name and expiry. Not cryptographic; the
/// emulator only needs a tampered or foreign URL to fail.
fn sign(key: u64, name: &str, se: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, name, se).hash(&mut h);
    let a = h.finish();
    (a, key).hash(&mut h);
    let b = h.finish();
    let raw: Vec<u8> = a.to_le_bytes().into_iter().chain(b.to_le_bytes()).collect();
    STANDARD.encode(raw)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn export(State(s): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = check_tenant(&s, &q) {
        return r;
    }
    let now = Utc::now();
    let name = format!("reviews-{}", s.random_guid());
    let (url, expires) = {
        let mut inner = s.commerce.lock();
        let format = inner.settings.export_format;
        let (bytes, content_type, ext) = match format {
            ExportFormat::Csv => (data::render_csv(&inner.reviews), "text/csv", "csv"),
            ExportFormat::Json => (data::render_json(&inner.reviews), "application/json", "json"),
        };
        let name = format!("{name}.{ext}");
        let lifetime = if inner.settings.expired_exports > 0 {
            inner.settings.expired_exports -= 1;
            -60
        } else {
            inner.settings.sas_lifetime_secs as i64
        };
        let expires = now + chrono::Duration::seconds(lifetime);
        let se = expires.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let sig = sign(s.commerce.sas_key, &name, &se);
        if inner.blobs.len() >= BLOBS_KEPT {
            inner.blobs.clear();
        }
        inner.blobs.insert(
            name.clone(),
            Blob {
                bytes: Bytes::from(bytes),
                content_type,
            },
        );
        let url = format!(
            "{}{BLOB_PREFIX}/{name}?sv=2022-11-02&sr=b&sp=r&se={}&sig={}",
            s.commerce.base_url,
            enc(&se),
            enc(&sig)
        );
        (url, expires)
    };
    // [INF] `expires` and `created` as ISO 8601 UTC; the connector types them only as strings.
    json_value(
        StatusCode::OK,
        &json!({
            "blobSasUrl": url,
            "expires": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "created": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
    )
}

/// Azure Blob storage's refusal: 403, `x-ms-error-code: AuthenticationFailed`, an XML body.
fn blob_refused(s: &Shared, detail: &str) -> Response {
    s.commerce.lock().stats.blob_refused += 1;
    let request_id = s.random_guid();
    // Azure writes seven fractional digits; chrono formats three, six or nine.
    let t = Utc::now();
    let nanos = t.format("%.9f").to_string();
    let now = format!("{}{}Z", t.format("%Y-%m-%dT%H:%M:%S"), &nanos[..8]);
    let body = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:{request_id}\nTime:{now}</Message><AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail></Error>"
    );
    let mut resp = (StatusCode::FORBIDDEN, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    h.insert("x-ms-error-code", HeaderValue::from_static("AuthenticationFailed"));
    resp
}

async fn blob(
    State(s): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(se), Some(sig)) = (q.get("se"), q.get("sig")) else {
        return blob_refused(&s, "The SAS token is missing se or sig.");
    };
    if sign(s.commerce.sas_key, &name, se) != *sig {
        return blob_refused(&s, "Signature did not match.");
    }
    let expiry = DateTime::parse_from_rfc3339(se).map(|d| d.with_timezone(&Utc));
    match expiry {
        Ok(e) if e > Utc::now() => {}
        _ => {
            let rfc = |d: DateTime<Utc>| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let detail = format!(
                "Signed expiry time [{}] must be after signed start time [{}]",
                expiry.map(rfc).unwrap_or_else(|_| se.clone()),
                rfc(Utc::now())
            );
            return blob_refused(&s, &detail);
        }
    }
    let mut inner = s.commerce.lock();
    let Some(blob) = inner.blobs.get(&name) else {
        let mut resp = (StatusCode::NOT_FOUND, "The specified blob does not exist.").into_response();
        resp.headers_mut()
            .insert("x-ms-error-code", HeaderValue::from_static("BlobNotFound"));
        return resp;
    };
    let (bytes, content_type) = (blob.bytes.clone(), blob.content_type);
    inner.stats.blob_downloads += 1;
    drop(inner);
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert("x-ms-blob-type", HeaderValue::from_static("BlockBlob"));
    resp
}

fn required_text(body: &Value, key: &str) -> Result<String, String> {
    match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(format!("The field '{key}' is required.")),
    }
}

fn rating_of(body: &Value) -> Result<f64, String> {
    let r = match body.get("Rating") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match r {
        Some(r) if (1.0..=5.0).contains(&r) => Ok(r),
        _ => Err("The field 'Rating' must be a number from 1 to 5.".into()),
    }
}

async fn submit(
    State(s): State<Arc<Shared>>,
    Path(product_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if let Err(r) = check_tenant(&s, &q) {
        return r;
    }
    let bad = |m: &str| rnr_error(StatusCode::BAD_REQUEST, "InvalidArgument", m);
    let param = |k: &str| q.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (Some(locale), Some(user)) = (param("locale"), param("encodedUser")) else {
        return bad("The query parameters 'locale' and 'encodedUser' are required.");
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return bad("The request body must be a JSON object.");
    };
    let fields = (|| {
        Ok::<_, String>((
            rating_of(&body)?,
            required_text(&body, "Title")?,
            required_text(&body, "ReviewText")?,
            required_text(&body, "ProductName")?,
        ))
    })();
    let (rating, title, text, product_name) = match fields {
        Ok(f) => f,
        Err(m) => return bad(&m),
    };
    let opt = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let review_id = s.random_guid();
    let now = crate::emulator::now_utc();
    let review = data::SiteReview {
        review_id: review_id.clone(),
        product_id: product_id.clone(),
        product_name,
        sku: opt("Sku"),
        legal_entity: opt("LegalEntity"),
        // [INF] encodedUser's encoding is unknown: the emulator shows it as the reviewer's name.
        user_name: user.clone(),
        market: param("market").unwrap_or_else(|| "US".into()),
        locale,
        channel_id: param("channelId"),
        rating,
        title: title.clone(),
        review_text: text,
        submitted_date_time: opt("submittedDateTime").unwrap_or_else(|| now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        helpful_positive: 0,
        helpful_negative: 0,
        is_taken_down: false,
        is_published: true,
        is_revised: false,
        updated_since_response: false,
        user_response: None,
        extended_properties: body.get("ExtendedProperties").cloned(),
        reported_concerns: String::new(),
    };
    let late = lock(&s.faults).late_reply_ms.unwrap_or(0);
    {
        let mut inner = s.commerce.lock();
        inner.reviews.push(review);
        *inner
            .stats
            .submitted
            .entry(format!("{product_id}|{user}|{title}"))
            .or_default() += 1;
    }
    if late > 0 {
        tokio::time::sleep(Duration::from_millis(late)).await;
    }
    // [INF] the connector types the answer as an opaque string: the new review's ID, as JSON.
    json_value(StatusCode::OK, &review_id)
}

async fn list_registrations(State(s): State<Arc<Shared>>) -> Response {
    json_value(StatusCode::OK, &s.commerce.registrations())
}

#[allow(clippy::result_large_err)]
fn parse_registration(body: &[u8]) -> Result<Registration, Response> {
    match serde_json::from_slice::<Registration>(body) {
        Ok(r) if !r.name.trim().is_empty() => Ok(r),
        Ok(_) => Err(rnr_error(StatusCode::BAD_REQUEST, "InvalidArgument", "name is empty")),
        Err(e) => Err(rnr_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!("expected {{\"name\",\"clientAppId\",\"tenantId\"}}: {e}"),
        )),
    }
}

async fn add_registration(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse_registration(&body) {
        Ok(r) => {
            s.commerce.put_registration(&r.name.clone(), r);
            json_value(StatusCode::OK, &s.commerce.registrations())
        }
        Err(resp) => resp,
    }
}

async fn edit_registration(State(s): State<Arc<Shared>>, Path(name): Path<String>, body: Bytes) -> Response {
    if !s
        .commerce
        .registrations()
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(&name))
    {
        return rnr_error(StatusCode::NOT_FOUND, "NotFound", "no registration by that name");
    }
    match parse_registration(&body) {
        Ok(r) => {
            s.commerce.put_registration(&name, r);
            json_value(StatusCode::OK, &s.commerce.registrations())
        }
        Err(resp) => resp,
    }
}

async fn remove_registration(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    if s.commerce.remove_registration(&name) {
        json_value(StatusCode::OK, &s.commerce.registrations())
    } else {
        rnr_error(StatusCode::NOT_FOUND, "NotFound", "no registration by that name")
    }
}

async fn patch_settings(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<CommerceSettingsPatch>(&body) {
        Ok(p) => json_value(StatusCode::OK, &s.commerce.patch_settings(p)),
        Err(e) => rnr_error(StatusCode::BAD_REQUEST, "InvalidArgument", &e.to_string()),
    }
}

async fn add_review(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.is_object() => {
            let id = s.commerce.add_review(&v, s.random_guid());
            json_value(StatusCode::OK, &json!({ "reviewId": id }))
        }
        _ => rnr_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "the review must be a JSON object",
        ),
    }
}

async fn stats(State(s): State<Arc<Shared>>) -> Response {
    json_value(StatusCode::OK, &s.commerce.stats())
}
