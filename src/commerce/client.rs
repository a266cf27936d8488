//! The Ratings & Reviews client: Export All Reviews (and the download of the file it points
//! at), and Submit a Review. Paths and parameters are the connector's (store-api.md §4.2);
//! everything else is marked [INF].

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::sas::{SasUrl, redact};
use crate::auth::{AccessToken, AuthError, TokenProvider};
use crate::http::retry::RetryPolicy;
use crate::http::retry::parse_retry_after;

#[derive(Debug, thiserror::Error)]
pub enum CommerceError {
    /// Boxed: Entra's refusal carries several strings, and this error travels in every result.
    #[error("{0}")]
    Auth(Box<AuthError>),
    #[error(
        "Ratings & Reviews refused the token of Client App ID {client_id} ({detail}): in Commerce site builder, Home → Reviews → Settings → Service-to-Service (S2S) Authentication → Manage, add it with Directory (Tenant) ID {tenant} (or fix the registration there), then Submit and Save; if it is listed already, the token's audience may be wrong: `reviewdesk profile edit {profile} --scope …` sets it (the default, the R&R URL, is inferred)"
    )]
    NotAllowed {
        /// The profile whose registration was refused, so the advice names the command to run.
        profile: String,
        client_id: String,
        tenant: String,
        detail: String,
    },
    #[error("cannot reach Ratings & Reviews at {url}: {reason}; check the R&R URL (--rnr-url) and the network")]
    Network { url: String, reason: String },
    #[error("Ratings & Reviews answered HTTP {status} to {what}: {message}")]
    Api {
        status: u16,
        what: &'static str,
        message: String,
    },
    #[error(
        "the export's download link expired (it said {expires}) before the file could be fetched, twice; check this machine's clock and try again"
    )]
    SasExpired { expires: String },
    #[error("the export's download link was refused (HTTP {status}: {detail}); ask for a new export")]
    SasRefused { status: u16, detail: String },
    #[error("the export file could not be read: {0}")]
    Format(String),
    #[error("the answer to {what} never came ({reason}); it may have been applied")]
    Unconfirmed { what: &'static str, reason: String },
    /// The profile's database refused the export's reviews (full disk, a damaged file).
    #[error("the export could not be cached in the profile's database: {0}")]
    Cache(String),
    #[error("cannot write the export to {path}: {source}")]
    Disk { path: String, source: std::io::Error },
}

impl From<AuthError> for CommerceError {
    fn from(e: AuthError) -> Self {
        CommerceError::Auth(Box::new(e))
    }
}

impl CommerceError {
    /// Whether asking again may help (throttling and server errors are retried inside already).
    pub fn is_refused_token(&self) -> bool {
        matches!(self, CommerceError::NotAllowed { .. })
    }
}

/// What Export All Reviews answers: where the file is, and until when.
#[derive(Debug)]
pub struct ExportTicket {
    pub blob: SasUrl,
    /// As the service wrote them (ISO 8601 [INF]).
    pub expires: String,
    pub created: String,
}

impl ExportTicket {
    /// `true` when `expires` parses and is already past.
    pub fn expired(&self) -> bool {
        chrono::DateTime::parse_from_rfc3339(self.expires.trim()).is_ok_and(|e| e <= chrono::Utc::now())
    }
}

/// One review as Submit a Review takes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubmitRequest {
    pub product_id: String,
    pub locale: String,
    pub encoded_user: String,
    pub channel_id: Option<String>,
    pub market: Option<String>,
    /// The JSON body, in the connector's casing (PascalCase and `submittedDateTime`).
    pub body: Value,
}

/// Bytes downloaded so far and, when known, in all.
pub type DownloadProgress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) + Send);

#[derive(Clone)]
pub struct CommerceClient {
    /// The profile this client speaks for (named in the refused-token advice).
    profile: String,
    http: reqwest::Client,
    base: Url,
    rnr_tenant: String,
    tokens: Arc<TokenProvider>,
    retry: RetryPolicy,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Read,
    Submit,
}

impl CommerceClient {
    pub fn new(
        profile: &str,
        http: reqwest::Client,
        base: Url,
        rnr_tenant: String,
        tokens: Arc<TokenProvider>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            profile: profile.to_owned(),
            http,
            base,
            rnr_tenant,
            tokens,
            retry,
        }
    }

    pub fn tokens(&self) -> &Arc<TokenProvider> {
        &self.tokens
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn rnr_tenant(&self) -> &str {
        &self.rnr_tenant
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.base.clone();
        {
            let mut segs = u.path_segments_mut().expect("http(s) URL");
            segs.pop_if_empty();
            segs.extend(segments);
        }
        u
    }

    /// One call with the token, retried on 429/5xx (honouring Retry-After) and, for reads, on
    /// timeouts; a 401 gets one fresh token, then is reported with the allow-list advice.
    async fn execute(
        &self,
        what: &'static str,
        call: Call,
        build: &(dyn Fn(&str) -> reqwest::RequestBuilder + Sync),
    ) -> Result<(u16, bytes::Bytes), CommerceError> {
        let mut token: Arc<AccessToken> = self.tokens.token().await?;
        let started = Instant::now();
        let mut refreshed = false;
        let mut attempt = 1u32;
        loop {
            let sent = build(token.secret()).send().await;
            let retry_wait = match sent {
                Err(e) => {
                    let connect = e.is_connect();
                    let reason = crate::http::describe_reqwest_error(&e.without_url());
                    // A submission whose request may have left is never repeated blindly.
                    if call == Call::Submit && !connect {
                        return Err(CommerceError::Unconfirmed { what, reason });
                    }
                    if attempt >= self.retry.max_attempts {
                        return Err(CommerceError::Network {
                            url: self.base.to_string(),
                            reason,
                        });
                    }
                    self.retry.backoff(attempt)
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = match resp.bytes().await {
                        Ok(b) => b,
                        Err(e) if call == Call::Submit => {
                            return Err(CommerceError::Unconfirmed {
                                what,
                                reason: crate::http::describe_reqwest_error(&e.without_url()),
                            });
                        }
                        Err(e) => {
                            return Err(CommerceError::Network {
                                url: self.base.to_string(),
                                reason: crate::http::describe_reqwest_error(&e.without_url()),
                            });
                        }
                    };
                    if status == 401 {
                        if !refreshed {
                            refreshed = true;
                            token = self.tokens.refresh_after_rejection(&token).await?;
                            continue;
                        }
                        return Err(CommerceError::NotAllowed {
                            profile: self.profile.clone(),
                            client_id: self.tokens.credentials().client_id.clone(),
                            tenant: self.tokens.credentials().tenant.clone(),
                            detail: format!("HTTP 401: {}", error_message(&body)),
                        });
                    }
                    if status != 429 && status < 500 {
                        return Ok((status, body));
                    }
                    if attempt >= self.retry.max_attempts {
                        return Err(CommerceError::Api {
                            status,
                            what,
                            message: format!(
                                "{} (after {attempt} attempts over {} s); the service is {}: try again in a few minutes",
                                error_message(&body),
                                started.elapsed().as_secs(),
                                if status == 429 {
                                    "throttling this registration"
                                } else {
                                    "failing"
                                }
                            ),
                        });
                    }
                    match parse_retry_after(&headers) {
                        Some(d) if d > self.retry.max_retry_after => {
                            return Err(CommerceError::Api {
                                status,
                                what,
                                message: format!("asked to wait {} s, longer than reviewdesk waits", d.as_secs()),
                            });
                        }
                        Some(d) => d,
                        None => self.retry.backoff(attempt),
                    }
                }
            };
            tracing::info!(
                what,
                attempt,
                wait_ms = retry_wait.as_millis() as u64,
                "retrying an R&R call"
            );
            tokio::time::sleep(retry_wait).await;
            attempt += 1;
        }
    }

    /// `GET /v2.0/export/reviews/?tenantId=…`.
    pub async fn request_export(&self) -> Result<ExportTicket, CommerceError> {
        // The connector's path has a trailing slash; keep it.
        let mut url = self.url(&["v2.0", "export", "reviews", ""]);
        url.query_pairs_mut().append_pair("tenantId", &self.rnr_tenant);
        let (status, body) = self
            .execute("Export All Reviews", Call::Read, &|t| {
                self.http.get(url.clone()).bearer_auth(t)
            })
            .await?;
        if status != 200 {
            return Err(CommerceError::Api {
                status,
                what: "Export All Reviews",
                message: error_message(&body),
            });
        }
        let v: Value = serde_json::from_slice(&body).map_err(|e| CommerceError::Api {
            status,
            what: "Export All Reviews",
            message: format!("not the JSON {{blobSasUrl, expires, created}} ({e})"),
        })?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let blob = SasUrl::parse(&text("blobSasUrl")).map_err(|m| CommerceError::Api {
            status,
            what: "Export All Reviews",
            message: m,
        })?;
        Ok(ExportTicket {
            blob,
            expires: text("expires"),
            created: text("created"),
        })
    }

    /// Streams the exported file into `out` (never holding it in memory) and returns its size.
    /// No bearer token goes with it: the SAS query string is the credential.
    pub async fn download(
        &self,
        ticket: &ExportTicket,
        out: &mut (dyn Write + Send),
        progress: DownloadProgress<'_>,
    ) -> Result<u64, CommerceError> {
        let network = |e: reqwest::Error| CommerceError::Network {
            url: ticket.blob.without_query(),
            reason: crate::http::describe_reqwest_error(&e.without_url()),
        };
        // A big file may take longer than one API call is allowed to.
        let mut resp = self
            .http
            .get(ticket.blob.expose())
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .map_err(network)?;
        let status = resp.status().as_u16();
        if status != 200 {
            let body = resp.bytes().await.unwrap_or_default();
            let text = String::from_utf8_lossy(&body);
            let detail = xml_field(&text, "AuthenticationErrorDetail")
                .or_else(|| xml_field(&text, "Code"))
                .unwrap_or_else(|| text.chars().take(200).collect());
            let detail = redact(&crate::sanitize::sanitize_line(&detail));
            if status == 403 && (detail.contains("expiry") || ticket.expired()) {
                return Err(CommerceError::SasExpired {
                    expires: ticket.expires.clone(),
                });
            }
            return Err(CommerceError::SasRefused { status, detail });
        }
        let total = resp.content_length();
        let mut done = 0u64;
        let started = Instant::now();
        progress(0, total);
        while let Some(chunk) = resp.chunk().await.map_err(network)? {
            out.write_all(&chunk).map_err(|e| CommerceError::Disk {
                path: "the download file".into(),
                source: e,
            })?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        tracing::info!(bytes = done, ms = started.elapsed().as_millis() as u64, blob = %ticket.blob, "export downloaded");
        Ok(done)
    }

    /// `POST /v2.0/reviews/product/{productId}/user?tenantId&[channelId]&[market]&locale&encodedUser`.
    /// Answers the service's (opaque) reply body.
    pub async fn submit(&self, req: &SubmitRequest) -> Result<String, CommerceError> {
        let mut url = self.url(&["v2.0", "reviews", "product", &req.product_id, "user"]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("tenantId", &self.rnr_tenant);
            if let Some(c) = &req.channel_id {
                q.append_pair("channelId", c);
            }
            if let Some(m) = &req.market {
                q.append_pair("market", m);
            }
            q.append_pair("locale", &req.locale);
            q.append_pair("encodedUser", &req.encoded_user);
        }
        let (status, body) = self
            .execute("Submit a Review", Call::Submit, &|t| {
                self.http.post(url.clone()).bearer_auth(t).json(&req.body)
            })
            .await?;
        if !(200..300).contains(&status) {
            return Err(CommerceError::Api {
                status,
                what: "Submit a Review",
                message: error_message(&body),
            });
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

fn xml_field(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(text[start..end].to_owned())
}

/// The message of an R&R error body, whatever its shape (undocumented), one clean line.
fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => v
            .pointer("/error/message")
            .or_else(|| v.get("message"))
            .or_else(|| v.get("error"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string()),
        Err(_) => String::from_utf8_lossy(body).chars().take(300).collect(),
    };
    let line = redact(&crate::sanitize::sanitize_line(&text));
    if line.trim().is_empty() {
        "no details given".into()
    } else {
        line
    }
}
