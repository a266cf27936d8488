//! Fault injection, and the gate every Store API (`/v1.0/...`) request passes: statistics,
//! delay, throttling, injected 5xx, then bearer-token authentication.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::chaos::ChaosFault;
use super::entra::TokenState;
use super::{Shared, errors, lock};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultSpec {
    /// The next `count` Store API requests answer 429.
    pub throttle: Option<Throttle>,
    /// The next `count` Store API requests answer `status` (default 503).
    pub server_error: Option<ServerError>,
    /// Every Store API answer is delayed this long; 0 clears.
    pub delay_ms: Option<u64>,
    /// The documented outage: `responses/info` and `POST responses` answer 400 with the 4012 body.
    pub reviews_api_down: Option<bool>,
    /// `POST responses` applies the replies, then sleeps this long before answering.
    pub late_reply_ms: Option<u64>,
    /// Tokens issued from now on expire after this many seconds.
    pub token_lifetime_secs: Option<u64>,
    /// The next N token requests answer 429, `Retry-After: 60`, body `Too Many Requests`.
    pub token_throttle: Option<u32>,
    /// The right secret now gets AADSTS7000222.
    pub secret_expired: Option<bool>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Throttle {
    pub count: u32,
    /// Raw `Retry-After` value ("2" or an HTTP date); `None` sends no header.
    #[serde(default)]
    pub retry_after: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerError {
    pub count: u32,
    #[serde(default = "default_status")]
    pub status: u16,
}

fn default_status() -> u16 {
    503
}

impl Default for ServerError {
    fn default() -> Self {
        Self {
            count: 0,
            status: default_status(),
        }
    }
}

impl FaultSpec {
    /// Fields that are `Some` in `other` replace the current ones.
    pub fn merge(&mut self, other: FaultSpec) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            throttle,
            server_error,
            delay_ms,
            reviews_api_down,
            late_reply_ms,
            token_lifetime_secs,
            token_throttle,
            secret_expired
        );
    }

    pub fn reviews_down(&self) -> bool {
        self.reviews_api_down == Some(true)
    }

    /// Uses up one throttled token request, if any are left.
    pub fn take_token_throttle(&mut self) -> bool {
        match self.token_throttle {
            Some(n) if n > 0 => {
                self.token_throttle = (n > 1).then(|| n - 1);
                true
            }
            _ => false,
        }
    }
}

/// What the gate decided for one request, taken under the lock and acted on after it.
enum Verdict {
    Throttle(Option<String>),
    Fail(u16),
    Pass,
}

pub async fn store_gate(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    {
        let mut st = lock(&s.stats);
        if path.ends_with("/analytics/reviews") {
            st.review_page_requests += 1;
        } else if path.ends_with("/responses/info") {
            st.info_requests += 1;
        } else if path.ends_with("/reviews/responses") {
            st.submit_requests += 1;
        }
    }
    let mut late = None;
    match s.draw_chaos() {
        Some(ChaosFault::Throttle(retry_after)) => return throttled(&s, retry_after),
        Some(ChaosFault::ServerError(status)) => return server_error(&s, status),
        Some(ChaosFault::Reset) => return dropped_connection(),
        // Revoked before the check below, so this request already meets it.
        Some(ChaosFault::Revoke) => s.revoke_tokens(),
        Some(ChaosFault::Late(after)) => late = Some(after),
        // The outage is answered by the reviews-API handlers (`Shared::reviews_down`).
        Some(ChaosFault::Down) | None => {}
    }
    if let Some(faulted) = inject(&s).await {
        return faulted;
    }
    let auth = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let bearer = auth.and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    let problem = match bearer {
        None => Some("Authorization header with a Bearer token is required."),
        Some(t) => match lock(&s.tokens).check(t) {
            TokenState::Valid => None,
            TokenState::Unknown => Some("The access token is invalid."),
            TokenState::Expired => Some("The access token has expired."),
            TokenState::Revoked => Some("The access token has been revoked."),
        },
    };
    match problem {
        None => {
            let resp = next.run(req).await;
            // Handled (a reply applied), answered only after the client has given up.
            if let Some(after) = late {
                tokio::time::sleep(after).await;
            }
            resp
        }
        Some(msg) => {
            lock(&s.stats).unauthorized += 1;
            unauthorized(msg)
        }
    }
}

/// A response whose body fails before its first byte: hyper drops the connection, and the
/// client sees a transport error, not an answer. Nothing was handled.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<bytes::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset (emulated chaos)",
        ))
    });
    Response::new(axum::body::Body::from_stream(failing))
}

fn throttled(s: &Shared, retry_after: Option<String>) -> Response {
    lock(&s.stats).throttled += 1;
    // [INF] the 429 body uses the analytics error shape; none was ever reported.
    let mut resp = errors::analytics(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Rate limit is exceeded. Try again later.",
    );
    if let Some(v) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

fn server_error(s: &Shared, status: u16) -> Response {
    lock(&s.stats).server_errors += 1;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    // [INF] injected server errors also use the analytics error shape.
    let code = if status == StatusCode::SERVICE_UNAVAILABLE {
        "ServiceUnavailable"
    } else {
        "InternalServerError"
    };
    errors::analytics(status, code, "The service encountered an error (emulated).")
}

/// The injected delay, throttle or server error for one API request, Store or R&R alike:
/// `Some` answer to send instead of handling the request.
pub(crate) async fn inject(s: &Shared) -> Option<Response> {
    let (delay, verdict) = {
        let mut f = lock(&s.faults);
        let delay = f.delay_ms.unwrap_or(0);
        let verdict = if let Some(t) = f.throttle.as_mut().filter(|t| t.count > 0) {
            t.count -= 1;
            let retry = t.retry_after.clone();
            if t.count == 0 {
                f.throttle = None;
            }
            Verdict::Throttle(retry)
        } else if let Some(e) = f.server_error.as_mut().filter(|e| e.count > 0) {
            e.count -= 1;
            let status = e.status;
            if e.count == 0 {
                f.server_error = None;
            }
            Verdict::Fail(status)
        } else {
            f.throttle = None;
            f.server_error = None;
            Verdict::Pass
        };
        (delay, verdict)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match verdict {
        Verdict::Throttle(retry_after) => Some(throttled(s, retry_after)),
        Verdict::Fail(status) => Some(server_error(s, status)),
        Verdict::Pass => None,
    }
}

/// 401 for a missing/unknown/expired/revoked bearer token.
// [INF] emulator-invented: the Store API's 401 body is undocumented; this is the reference's
// suggestion (analytics error shape plus an RFC 6750 `WWW-Authenticate` challenge).
fn unauthorized(msg: &str) -> Response {
    let mut resp = errors::analytics(StatusCode::UNAUTHORIZED, "Unauthorized", msg);
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{msg}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_only_given_fields() {
        let mut f = FaultSpec {
            delay_ms: Some(5),
            reviews_api_down: Some(true),
            ..FaultSpec::default()
        };
        f.merge(FaultSpec {
            delay_ms: Some(0),
            token_throttle: Some(2),
            ..FaultSpec::default()
        });
        assert_eq!(f.delay_ms, Some(0));
        assert!(f.reviews_down());
        assert!(f.take_token_throttle());
        assert!(f.take_token_throttle());
        assert!(!f.take_token_throttle());
    }

    #[test]
    fn spec_deserialises_with_defaults() {
        let f: FaultSpec =
            serde_json::from_str(r#"{"throttle":{"count":2},"server_error":{"count":1},"secret_expired":true}"#)
                .unwrap();
        let t = f.throttle.unwrap();
        assert_eq!((t.count, t.retry_after), (2, None));
        assert_eq!(f.server_error.unwrap().status, 503);
        assert_eq!(f.secret_expired, Some(true));
        assert_eq!(f.delay_ms, None);
    }
}
