//! The Entra ID client-credentials token endpoint, v1 and v2 (§3), and the table of issued tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::{Shared, lock};

pub const RESOURCE: &str = "https://manage.devcenter.microsoft.com";

pub enum TokenState {
    Valid,
    Unknown,
    Expired,
    Revoked,
}

struct Issued {
    expires: Instant,
    revoked: bool,
    /// The `aud` and `appid` claims, for the R&R side's audience and allow-list checks.
    audience: String,
    app_id: String,
}

#[derive(Default)]
pub struct TokenTable {
    issued: HashMap<String, Issued>,
}

impl TokenTable {
    fn insert(&mut self, token: String, lifetime: Duration, audience: &str, app_id: &str) {
        let now = Instant::now();
        if self.issued.len() > 10_000 {
            self.issued.retain(|_, t| t.expires > now && !t.revoked);
        }
        let expires = now + lifetime;
        self.issued.insert(
            token,
            Issued {
                expires,
                revoked: false,
                audience: audience.to_owned(),
                app_id: app_id.to_owned(),
            },
        );
    }

    pub fn check(&self, token: &str) -> TokenState {
        match self.issued.get(token) {
            None => TokenState::Unknown,
            Some(t) if t.revoked => TokenState::Revoked,
            Some(t) if Instant::now() >= t.expires => TokenState::Expired,
            Some(_) => TokenState::Valid,
        }
    }

    /// The tokens handed out (all of them until the table is pruned at 10,000).
    pub fn tokens(&self) -> Vec<String> {
        self.issued.keys().cloned().collect()
    }

    /// `(aud, appid)` of an issued token.
    pub fn claims(&self, token: &str) -> Option<(String, String)> {
        self.issued.get(token).map(|t| (t.audience.clone(), t.app_id.clone()))
    }

    pub fn revoke_all(&mut self) {
        self.issued.values_mut().for_each(|t| t.revoked = true);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

pub async fn token_v1(s: State<Arc<Shared>>, p: Path<String>, h: HeaderMap, b: Bytes) -> Response {
    token(&s, &p, &h, &b, Version::V1)
}

pub async fn token_v2(s: State<Arc<Shared>>, p: Path<String>, h: HeaderMap, b: Bytes) -> Response {
    token(&s, &p, &h, &b, Version::V2)
}

/// An AADSTS error: HTTP status, OAuth `error`, number, and the description's first sentence(s).
struct Aad(StatusCode, &'static str, u32, String);

fn token(s: &Shared, tenant: &str, headers: &HeaderMap, body: &[u8], v: Version) -> Response {
    lock(&s.stats).token_requests += 1;
    if lock(&s.faults).take_token_throttle() {
        lock(&s.stats).throttled += 1;
        let mut resp = (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return resp;
    }
    let trace = s.random_guid();
    // [INF] like Entra, a `client-request-id` header becomes the correlation id.
    let correlation = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| s.random_guid(), str::to_owned);
    let resp = match issue(s, tenant, headers, body, v) {
        Ok(body) => (StatusCode::OK, body).into_response(),
        Err(Aad(status, error, code, text)) => {
            let stamp = Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
            let description = format!(
                "AADSTS{code}: {text}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}"
            );
            let value = AadError {
                error,
                error_description: description,
                error_codes: [code],
                timestamp: stamp,
                trace_id: &trace,
                correlation_id: &correlation,
                error_uri: format!("https://login.microsoftonline.com/error?code={code}"),
            };
            let body = serde_json::to_string(&value).unwrap_or_default();
            (status, body).into_response()
        }
    };
    with_sts_headers(resp, &trace)
}

fn with_sts_headers(mut resp: Response, trace: &str) -> Response {
    let h = resp.headers_mut();
    let fixed = [
        ("content-type", super::errors::JSON_UTF8),
        ("cache-control", "no-store, no-cache"),
        ("pragma", "no-cache"),
        ("expires", "-1"),
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("x-content-type-options", "nosniff"),
        ("x-ms-ests-server", "2.1.emulated - EMU ProdSlices"),
    ];
    for (k, v) in fixed {
        h.insert(k, HeaderValue::from_static(v));
    }
    if let Ok(v) = HeaderValue::from_str(trace) {
        h.insert("x-ms-request-id", v);
    }
    resp
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_dns_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// Form fields, plus RFC 6749 §2.3.1 Basic credentials (each half form-encoded) when the form
/// has no client_id. [INF] the emulator accepts Basic on v1 too.
fn form(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let mut f: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        f.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    if let Some((id, secret)) = basic.as_deref().and_then(|b| b.split_once(':')) {
        let decode = |x: &str| {
            url::form_urlencoded::parse(format!("x={x}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        if !f.contains_key("client_id") {
            f.insert("client_id".into(), decode(id));
            f.insert("client_secret".into(), decode(secret));
        }
    }
    f
}

/// The checks in the order of §3.4; `Ok` carries the success JSON. Tokens are issued for the
/// Store resource and, for the R&R side, for the audiences it accepts.
fn issue(s: &Shared, tenant: &str, headers: &HeaderMap, body: &[u8], v: Version) -> Result<String, Aad> {
    let cfg = &s.config;
    let bad = StatusCode::BAD_REQUEST;
    let unauthorized = StatusCode::UNAUTHORIZED;
    if !is_guid(tenant) && !is_dns_name(tenant) {
        let text =
            format!("Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.");
        return Err(Aad(bad, "invalid_request", 900023, text));
    }
    if !tenant.eq_ignore_ascii_case(&cfg.tenant_id) && !tenant.eq_ignore_ascii_case(&cfg.tenant_domain) {
        let text = format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        );
        return Err(Aad(bad, "invalid_request", 90002, text));
    }
    let f = form(headers, body);
    let field = |k: &str| f.get(k).map(String::as_str).filter(|x| !x.is_empty());
    let missing = |name: &str| {
        let text = format!("The request body must contain the following parameter: '{name}'.");
        Aad(bad, "invalid_request", 900144, text)
    };
    let grant = field("grant_type").ok_or_else(|| missing("grant_type"))?;
    if grant != "client_credentials" {
        let text = format!("The app requested an unsupported grant type '{grant}'.");
        return Err(Aad(bad, "unsupported_grant_type", 70003, text));
    }
    let client = field("client_id").ok_or_else(|| missing("client_id"))?;
    if !client.eq_ignore_ascii_case(&cfg.client_id) {
        let text = format!(
            "Application with identifier '{client}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
            cfg.tenant_domain
        );
        return Err(Aad(bad, "unauthorized_client", 700016, text));
    }
    let Some(secret) = field("client_secret") else {
        let text = "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.";
        return Err(Aad(unauthorized, "invalid_client", 7000218, text.into()));
    };
    if secret != cfg.client_secret {
        let text = format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
            cfg.client_id
        );
        return Err(Aad(unauthorized, "invalid_client", 7000215, text));
    }
    if lock(&s.faults).secret_expired == Some(true) {
        let text = format!(
            "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
            cfg.client_id
        );
        return Err(Aad(unauthorized, "invalid_client", 7000222, text));
    }
    let not_found = |res: &str| {
        let text = format!(
            "The resource principal named {res} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
            cfg.tenant_domain
        );
        Aad(bad, "invalid_resource", 500011, text)
    };
    match v {
        Version::V1 => {
            // [INF] a missing v1 `resource` is reported as a missing parameter (900144).
            let res = field("resource").ok_or_else(|| missing("resource"))?;
            if res != RESOURCE && !s.commerce.accepts_audience(res) {
                return Err(not_found(res));
            }
            Ok(mint(s, v, res))
        }
        Version::V2 => {
            if field("resource").is_some() {
                let text = "The 'resource' request parameter is not supported.".to_owned();
                return Err(Aad(bad, "invalid_request", 901002, text));
            }
            let scope = field("scope").ok_or_else(|| missing("scope"))?;
            let wanted = format!("{RESOURCE}/.default");
            let rnr = scope
                .strip_suffix("/.default")
                .filter(|r| s.commerce.accepts_audience(r));
            if let Some(audience) = rnr {
                return Ok(mint(s, v, audience));
            }
            if !scope.eq_ignore_ascii_case(&wanted) {
                // [INF] another resource's `/.default` is an unknown resource (500011); anything
                // else is an invalid scope (70011).
                if let Some(other) = scope.strip_suffix("/.default").filter(|o| !o.contains(' ')) {
                    return Err(not_found(other));
                }
                let text = format!(
                    "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
                );
                return Err(Aad(bad, "invalid_scope", 70011, text));
            }
            Ok(mint(s, v, RESOURCE))
        }
    }
}

fn mint(s: &Shared, v: Version, audience: &str) -> String {
    let cfg = &s.config;
    let lifetime = lock(&s.faults)
        .token_lifetime_secs
        .unwrap_or(cfg.token_lifetime.as_secs());
    let now = Utc::now().timestamp();
    let (nbf, exp) = (now - 300, now + lifetime as i64);
    // [INF] JWT-shaped but opaque: the signature is random bytes nobody can verify; the emulator
    // validates tokens by looking them up. v1 and v2 both issue v1.0 tokens, as Entra does for a
    // resource that accepts v1 tokens.
    let header = json!({"typ": "JWT", "alg": "RS256", "x5t": "emulator", "kid": "emulator"});
    let payload = json!({
        "aud": audience,
        "iss": format!("https://sts.windows.net/{}/", cfg.tenant_id),
        "iat": nbf,
        "nbf": nbf,
        "exp": exp,
        "appid": cfg.client_id,
        "appidacr": "1",
        "idp": format!("https://sts.windows.net/{}/", cfg.tenant_id),
        "tid": cfg.tenant_id,
        "uti": s.random_guid(),
        "ver": "1.0",
    });
    let sig: Vec<u8> = (0..4).flat_map(|_| s.random().to_le_bytes()).collect();
    let enc = |x: &[u8]| URL_SAFE_NO_PAD.encode(x);
    let token = format!(
        "{}.{}.{}",
        enc(header.to_string().as_bytes()),
        enc(payload.to_string().as_bytes()),
        enc(&sig)
    );
    lock(&s.tokens).insert(token.clone(), Duration::from_secs(lifetime), audience, &cfg.client_id);
    let body = match v {
        // v1: every number is a string, and the resource is echoed.
        Version::V1 => serde_json::to_string(&V1Token {
            token_type: "Bearer",
            expires_in: lifetime.to_string(),
            ext_expires_in: lifetime.to_string(),
            expires_on: exp.to_string(),
            not_before: nbf.to_string(),
            resource: audience,
            access_token: &token,
        }),
        // v2: numbers are numbers; no expires_on, not_before or resource.
        Version::V2 => serde_json::to_string(&V2Token {
            token_type: "Bearer",
            expires_in: lifetime,
            ext_expires_in: lifetime,
            access_token: &token,
        }),
    };
    body.unwrap_or_default()
}

#[derive(Serialize)]
struct V1Token<'a> {
    token_type: &'static str,
    expires_in: String,
    ext_expires_in: String,
    expires_on: String,
    not_before: String,
    resource: &'a str,
    access_token: &'a str,
}

#[derive(Serialize)]
struct V2Token<'a> {
    token_type: &'static str,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: &'a str,
}

/// The §3.3 error shape, in its key order.
#[derive(Serialize)]
struct AadError<'a> {
    error: &'static str,
    error_description: String,
    error_codes: [u32; 1],
    timestamp: String,
    trace_id: &'a str,
    correlation_id: &'a str,
    error_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_shapes() {
        assert!(is_guid("7e1f0c3a-5b2d-4c8e-9f10-2a3b4c5d6e7f"));
        assert!(!is_guid("7e1f0c3a-5b2d-4c8e-9f10-2a3b4c5d6e7"));
        assert!(!is_guid("7e1f0c3a5b2d4c8e9f102a3b4c5d6e7f"));
        assert!(is_dns_name("contoso-emulated.onmicrosoft.com"));
        for bad in ["common", "not a tenant", "-x.com", "a..b", "1.2.3.4", "x.y_z"] {
            assert!(!is_dns_name(bad), "{bad}");
        }
    }

    #[test]
    fn form_decodes_percent_and_plus() {
        let f = form(
            &HeaderMap::new(),
            b"client_secret=emu~Secret%2B%2F%3D%26%2542.local&a=b+c",
        );
        assert_eq!(f["client_secret"], "emu~Secret+/=&%42.local");
        assert_eq!(f["a"], "b c");
        let raw = form(&HeaderMap::new(), b"client_secret=emu~Secret+/=&%42.local");
        assert_ne!(raw["client_secret"], "emu~Secret+/=&%42.local");
    }

    #[test]
    fn basic_credentials_are_read() {
        let mut h = HeaderMap::new();
        let cred = STANDARD.encode("id:emu~Secret%2B%2F%3D%26%2542.local");
        h.insert(header::AUTHORIZATION, format!("Basic {cred}").parse().unwrap());
        let f = form(&h, b"grant_type=client_credentials");
        assert_eq!(f["client_id"], "id");
        assert_eq!(f["client_secret"], "emu~Secret+/=&%42.local");
    }
}
