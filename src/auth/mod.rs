//! Entra ID (Azure AD) client-credentials tokens for the Store API.
//!
//! The token lives in memory only. It is reused until shortly before it expires; a 401 from the
//! API throws it away once (see [`TokenProvider::refresh_after_rejection`]). Concurrent callers
//! share one in-flight request because the cache lock is held while a token is fetched.

mod explain;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

pub use explain::explain_entra_error;
pub use wire::read_token_answer;

/// The resource (v1) / App ID URI (v2) of the Store APIs. No trailing slash: Entra compares it
/// exactly.
pub const STORE_RESOURCE: &str = "https://manage.devcenter.microsoft.com";

/// How long before expiry a cached token is replaced.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenEndpointVersion {
    /// `/{tenant}/oauth2/token` with `resource=`: what the Store docs prescribe.
    #[default]
    V1,
    /// `/{tenant}/oauth2/v2.0/token` with `scope=…/.default`.
    V2,
}

/// An app registration's credentials. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    pub tenant: String,
    pub client_id: String,
    pub secret: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// A bearer token. `Debug` redacts it; the only way to the value is [`AccessToken::secret`].
pub struct AccessToken {
    value: SecretString,
    expires_at: Instant,
    refresh_at: Instant,
    serial: u64,
}

impl AccessToken {
    pub fn secret(&self) -> &str {
        self.value.expose_secret()
    }
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }
    fn fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessToken([redacted], serial {})", self.serial)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Entra answered with an OAuth error. `advice` is the sentence for a person.
    #[error("{advice} (Entra ID: {})", self.reference())]
    Rejected {
        advice: String,
        error: String,
        aadsts: Option<u32>,
        status: u16,
        trace_id: Option<String>,
        correlation_id: Option<String>,
        /// Entra's own description, first line only.
        description: String,
    },
    #[error("Entra ID is throttling token requests (HTTP 429){}: reviewdesk caches tokens, so another program may be using this app registration heavily", retry_hint(*retry_after))]
    Throttled { retry_after: Option<Duration> },
    #[error("cannot reach the Entra ID token endpoint {url}: {reason}; check REVIEWDESK_LOGIN_URL and the network")]
    Network { url: String, reason: String },
    #[error(
        "the Entra ID token endpoint answered HTTP {status} with something that is not a token ({detail}); check REVIEWDESK_LOGIN_URL"
    )]
    Unexpected { status: u16, detail: String },
}

fn retry_hint(after: Option<Duration>) -> String {
    after
        .map(|d| format!("; retry in {} s", d.as_secs()))
        .unwrap_or_default()
}

impl AuthError {
    fn reference(&self) -> String {
        match self {
            AuthError::Rejected {
                error,
                aadsts,
                trace_id,
                correlation_id,
                ..
            } => {
                let mut s = match aadsts {
                    Some(code) => format!("AADSTS{code} {error}"),
                    None => error.clone(),
                };
                s.push_str(&format!(", trace ID {}", trace_id.as_deref().unwrap_or("not given")));
                if let Some(c) = correlation_id {
                    s.push_str(&format!(", correlation ID {c}"));
                }
                s
            }
            _ => String::new(),
        }
    }

    /// Waiting helps for these, and only these.
    pub fn retry_after(&self) -> Option<Option<Duration>> {
        match self {
            AuthError::Throttled { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

pub struct TokenProvider {
    http: reqwest::Client,
    token_url: Url,
    version: TokenEndpointVersion,
    credentials: Credentials,
    /// The resource (v1) or App ID URI before `/.default` (v2) tokens are asked for.
    resource: String,
    cached: Mutex<Option<Arc<AccessToken>>>,
    fetched: AtomicU64,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("token_url", &self.token_url.as_str())
            .field("version", &self.version)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    pub fn new(
        http: reqwest::Client,
        login_base: &Url,
        version: TokenEndpointVersion,
        credentials: Credentials,
    ) -> Self {
        let tail = match version {
            TokenEndpointVersion::V1 => "oauth2/token",
            TokenEndpointVersion::V2 => "oauth2/v2.0/token",
        };
        let mut token_url = login_base.clone();
        {
            // The tenant goes in as one path segment, percent-encoded: a pasted value with a
            // slash in it must not change which endpoint is called.
            let mut segs = token_url.path_segments_mut().expect("http(s) URLs have paths");
            segs.pop_if_empty();
            segs.push(credentials.tenant.trim());
            segs.extend(tail.split('/'));
        }
        Self {
            http,
            token_url,
            version,
            credentials,
            resource: STORE_RESOURCE.to_owned(),
            cached: Mutex::new(None),
            fetched: AtomicU64::new(0),
        }
    }

    /// Tokens for another service than the Store (Commerce Ratings & Reviews): its resource or
    /// App ID URI, without `/.default`.
    pub fn with_resource(mut self, resource: &str) -> Self {
        self.resource = resource.trim().trim_end_matches("/.default").to_owned();
        self
    }

    pub fn resource(&self) -> &str {
        &self.resource
    }

    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// How many tokens were fetched from Entra so far (the rest came from the cache).
    pub fn tokens_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    /// A valid token: the cached one while it is fresh, else a new one.
    pub async fn token(&self) -> Result<Arc<AccessToken>, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(Arc::clone(t));
        }
        let token = Arc::new(self.fetch().await?);
        *cached = Some(Arc::clone(&token));
        Ok(token)
    }

    /// The API refused `rejected` (401): forget it and get a new one, unless another caller
    /// already replaced it, in which case that newer token is returned.
    pub async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<Arc<AccessToken>, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached
            .as_ref()
            .filter(|t| t.serial != rejected.serial && t.fresh(Instant::now()))
        {
            return Ok(Arc::clone(t));
        }
        *cached = None;
        let token = Arc::new(self.fetch().await?);
        *cached = Some(Arc::clone(&token));
        Ok(token)
    }

    async fn fetch(&self) -> Result<AccessToken, AuthError> {
        let secret = self.credentials.secret.expose_secret();
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.credentials.client_id.trim()),
            ("client_secret", secret),
        ];
        let scope = format!("{}/.default", self.resource);
        match self.version {
            TokenEndpointVersion::V1 => form.push(("resource", &self.resource)),
            TokenEndpointVersion::V2 => form.push(("scope", &scope)),
        }
        let started = Instant::now();
        let response = self
            .http
            .post(self.token_url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(wire::form_body(&form))
            .send()
            .await
            .map_err(|e| AuthError::Network {
                url: self.token_url.to_string(),
                reason: crate::http::describe_reqwest_error(&e),
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        // The answer holds the access token: our copy of it is zeroised when dropped.
        let body = zeroize::Zeroizing::new(Vec::from(response.bytes().await.map_err(|e| AuthError::Network {
            url: self.token_url.to_string(),
            reason: crate::http::describe_reqwest_error(&e),
        })?));
        if status.as_u16() == 429 {
            return Err(AuthError::Throttled {
                retry_after: crate::http::retry::parse_retry_after(&headers),
            });
        }
        let (value, lifetime) = read_token_answer(status.as_u16(), &body, &self.credentials, secret)?;
        let serial = self.fetched.fetch_add(1, Ordering::Relaxed) + 1;
        let expires_at = started + lifetime;
        // Five minutes early for real tokens (about an hour long); for the short ones the
        // emulator hands out in tests, half their life.
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        tracing::info!(version = ?self.version, lifetime_s = lifetime.as_secs(), serial, "obtained an access token");
        Ok(AccessToken {
            value,
            expires_at,
            refresh_at: expires_at - margin,
            serial,
        })
    }
}
