//! The Store client: get app reviews (with paging), get response info, submit responses.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use super::errors::{StoreError, read_error_body};
use super::models::{ResponseInfo, ResponseItem, Review, ReviewsPage, SubmitRequest, SubmitResponse};
use super::query::ReviewQuery;
use super::retry::{RetryPolicy, parse_retry_after};
use super::validate::{normalize_store_id, validate_email, validate_response_text, validate_review_id};
use crate::auth::{AccessToken, AuthError, TokenProvider};
use crate::config::NetworkConfig;

/// The documented maximum is not stated; 100 per call keeps one failure small [INF].
pub const SUBMIT_CHUNK: usize = 100;
/// A loop guard: 100,000 reviews at the maximum page size are 10 pages.
const MAX_PAGES: u32 = 10_000;

/// Background progress a UI can show.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Retrying {
        what: &'static str,
        attempt: u32,
        max_attempts: u32,
        wait: Duration,
        reason: String,
    },
    Page {
        page: u32,
        pages: Option<u32>,
        reviews_so_far: usize,
    },
}

impl Progress {
    pub fn describe(&self) -> String {
        match self {
            Progress::Retrying {
                what,
                attempt,
                max_attempts,
                wait,
                reason,
            } => {
                format!(
                    "{what}: {reason}, retrying in {} s (attempt {} of {max_attempts})",
                    wait.as_secs_f64().ceil() as u64,
                    attempt + 1
                )
            }
            Progress::Page {
                page, pages: Some(n), ..
            } => format!("fetched page {page} of {n}"),
            Progress::Page {
                page, reviews_so_far, ..
            } => format!("fetched page {page} ({reviews_so_far} reviews)"),
        }
    }
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// One HTTP client for Entra and the Store, with the configured timeouts. Certificates are
/// checked against the system's roots plus those of `REVIEWDESK_CA_FILE`, if set.
pub fn build_http_client(net: &NetworkConfig) -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a default crypto provider; ring builds quickly and is enough.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(net.connect_timeout())
        .timeout(net.request_timeout())
        .user_agent(concat!("reviewdesk/", env!("CARGO_PKG_VERSION")))
        // Nothing here redirects; following one could carry a bearer token (or, from the token
        // endpoint, the client secret) to another host.
        .redirect(reqwest::redirect::Policy::none());
    if let Some((_, certs)) = super::tls::extra_ca_certificates()? {
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.build()?)
}

/// What a reqwest error means to a person, without dumping internals.
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if let Some(sentence) = super::tls::describe_certificate_error(e) {
        return sentence;
    }
    if e.is_timeout() {
        "the request timed out".to_owned()
    } else if e.is_connect() {
        "the connection failed (refused, unreachable or TLS)".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".to_owned()
    } else {
        crate::sanitize::sanitize_line(&e.to_string())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    /// Safe to repeat.
    Read,
    /// Must not be repeated when it may have been applied.
    Submit,
}

#[derive(Clone)]
pub struct StoreClient {
    http: reqwest::Client,
    api: Url,
    tokens: Arc<TokenProvider>,
    retry: RetryPolicy,
    progress: Option<ProgressFn>,
}

/// All reviews of one query, every page followed.
#[derive(Debug, Default)]
pub struct ReviewsFetch {
    pub reviews: Vec<Review>,
    pub total_count: Option<u64>,
    pub pages: u32,
}

/// [INF] The first day a review lookup by ID covers: the Windows Store opened to apps in 2012, so
/// no review to answer can be older. The documentation gives no lower bound for `startDate`.
pub const EARLIEST_REVIEW: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2012, 1, 1).expect("a valid date");

/// One submitted response's fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmitStatus {
    Sent,
    /// The Store answered for this item and said no (`FailureReason`).
    Rejected(String),
    /// The call carrying it failed; nothing was applied.
    Failed(String),
    /// The call left but no answer came back; it may have been applied.
    Unconfirmed(String),
    /// Not sent because an earlier call failed.
    NotSent(String),
}

#[derive(Clone, Debug)]
pub struct SubmitOutcome {
    pub application_id: String,
    pub review_id: String,
    pub status: SubmitStatus,
}

#[derive(Debug, Default)]
pub struct SubmitReport {
    pub outcomes: Vec<SubmitOutcome>,
    /// The first call-level failure, for the exit status and the headline.
    pub error: Option<StoreError>,
}

impl SubmitReport {
    pub fn all_sent(&self) -> bool {
        self.error.is_none() && self.outcomes.iter().all(|o| o.status == SubmitStatus::Sent)
    }
}

impl StoreClient {
    pub fn new(http: reqwest::Client, api: Url, tokens: Arc<TokenProvider>, retry: RetryPolicy) -> Self {
        Self {
            http,
            api,
            tokens,
            retry,
            progress: None,
        }
    }

    pub fn with_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The same client with another retry policy (the outbox makes one attempt per claim and
    /// keeps its own backoff, so no request outlives the claim it was made under).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn tokens(&self) -> &Arc<TokenProvider> {
        &self.tokens
    }

    fn report(&self, p: Progress) {
        tracing::debug!(progress = %p.describe());
        if let Some(f) = &self.progress {
            f(p);
        }
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}/{}", self.api.as_str().trim_end_matches('/'), path)
    }

    /// Every review the query matches, following `@nextLink` to the end.
    pub async fn fetch_reviews(&self, query: &ReviewQuery) -> Result<ReviewsFetch, StoreError> {
        let mut all = ReviewsFetch::default();
        self.fetch_review_pages(query, |page, total| {
            all.total_count = total;
            all.pages += 1;
            all.reviews.extend(page);
        })
        .await?;
        Ok(all)
    }

    /// One review by its ID (`filter=id eq '…'`), over every date the Store could hold it
    /// (from [`EARLIEST_REVIEW`] to today): `None` when the Store no longer returns it. Used to
    /// settle a submission whose outcome is unknown before anything is sent again.
    pub async fn fetch_review(&self, app_id: &str, review_id: &str) -> Result<Option<Review>, StoreError> {
        let review_id = validate_review_id(review_id)?;
        let query = ReviewQuery {
            app_id: app_id.to_owned(),
            start: EARLIEST_REVIEW,
            end: super::dates::today_utc(),
            top: 10,
            filter: Some(super::Filter::eq("id", review_id.as_str()).to_string()),
            orderby: None,
        };
        let found = self.fetch_reviews(&query).await?;
        Ok(found
            .reviews
            .into_iter()
            .find(|r| r.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&review_id))))
    }

    /// Like [`fetch_reviews`](Self::fetch_reviews), handing over each page as it arrives.
    pub async fn fetch_review_pages(
        &self,
        query: &ReviewQuery,
        mut on_page: impl FnMut(Vec<Review>, Option<u64>),
    ) -> Result<(), StoreError> {
        let app_id = normalize_store_id(&query.app_id)?;
        let query = ReviewQuery {
            app_id,
            ..query.clone()
        };
        let base = Url::parse(&self.endpoint("v1.0/my/analytics/")).expect("validated base URL");
        let mut next = base
            .join(&format!("reviews?{}", query.to_query_string()))
            .expect("valid query");
        let mut seen = HashSet::new();
        let mut reviews_so_far = 0usize;
        for page_no in 1..=MAX_PAGES {
            if !seen.insert(next.to_string()) {
                return Err(StoreError::Unexpected {
                    status: 200,
                    detail: "the @nextLink pointed back at a page already read".into(),
                });
            }
            let url = next.clone();
            let (status, body) = self
                .execute("fetching reviews", CallKind::Read, &|token| {
                    self.http.get(url.clone()).bearer_auth(token)
                })
                .await?;
            if status != 200 {
                let e = read_error_body(&body);
                return Err(StoreError::Api {
                    status,
                    code: e.code,
                    message: e.message,
                });
            }
            let page: ReviewsPage = serde_json::from_slice(&body).map_err(|e| StoreError::Unexpected {
                status,
                detail: format!("the reviews page is not the documented JSON ({e})"),
            })?;
            let total = page.total_count.map(|t| t.0.max(0) as u64);
            reviews_so_far += page.value.len();
            let pages = total.map(|t| t.div_ceil(u64::from(query.top.max(1))).max(1) as u32);
            let link = page.next_link.clone();
            on_page(page.value, total);
            self.report(Progress::Page {
                page: page_no,
                pages,
                reviews_so_far,
            });
            match link.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                None => return Ok(()),
                Some(link) => next = self.resolve_next_link(&base, link)?,
            }
        }
        Err(StoreError::Unexpected {
            status: 200,
            detail: format!("more than {MAX_PAGES} pages; narrow the date range"),
        })
    }

    /// `@nextLink` is relative to `…/v1.0/my/analytics/` in every documented sample; an absolute
    /// one is followed only to the same origin, since the bearer token goes with it.
    fn resolve_next_link(&self, base: &Url, link: &str) -> Result<Url, StoreError> {
        let url = match Url::parse(link) {
            Ok(abs) => abs,
            Err(url::ParseError::RelativeUrlWithoutBase) => base.join(link).map_err(|e| StoreError::Unexpected {
                status: 200,
                detail: format!("unusable @nextLink ({e})"),
            })?,
            Err(e) => {
                return Err(StoreError::Unexpected {
                    status: 200,
                    detail: format!("unusable @nextLink ({e})"),
                });
            }
        };
        if url.origin() != self.api.origin() {
            return Err(StoreError::Unexpected {
                status: 200,
                detail: format!(
                    "the @nextLink leads to another host ({}); not following it with your token",
                    url.origin().ascii_serialization()
                ),
            });
        }
        Ok(url)
    }

    /// Whether this review may be answered, and the listing's support email. Without a review
    /// ID: whether the account may respond to this app's reviews at all. The docs mark the ID
    /// optional but show no URL without it; we drop the path segment [INF].
    pub async fn response_info(&self, app_id: &str, review_id: Option<&str>) -> Result<ResponseInfo, StoreError> {
        let app_id = normalize_store_id(app_id)?;
        let mut url = Url::parse(&self.endpoint("v1.0/my/reviews")).expect("validated base URL");
        {
            let mut segs = url.path_segments_mut().expect("http(s) URL");
            if let Some(r) = review_id {
                segs.push(&validate_review_id(r)?);
            }
            segs.extend(["apps", &app_id, "responses", "info"]);
        }
        let (status, body) = self
            .execute(
                "checking whether the review can be answered",
                CallKind::Read,
                &|token| self.http.get(url.clone()).bearer_auth(token),
            )
            .await?;
        if status != 200 {
            return Err(self.reviews_api_error(&app_id, status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| StoreError::Unexpected {
            status,
            detail: format!("the response info is not the documented JSON ({e})"),
        })
    }

    /// Sends responses in chunks of at most [`SUBMIT_CHUNK`]. Every item is checked locally
    /// first; one bad item refuses the whole submission before anything is sent.
    pub async fn submit_responses(&self, items: &[ResponseItem]) -> Result<SubmitReport, StoreError> {
        let mut seen = HashSet::new();
        let mut clean = Vec::with_capacity(items.len());
        for item in items {
            validate_response_text(&item.response_text)?;
            validate_email(item.support_email.trim())?;
            let item = ResponseItem {
                application_id: normalize_store_id(&item.application_id)?,
                review_id: validate_review_id(&item.review_id)?,
                support_email: item.support_email.trim().to_owned(),
                ..item.clone()
            };
            if !seen.insert(item.review_id.clone()) {
                return Err(StoreError::Invalid(super::validate::ValidationError::DuplicateReview(
                    item.review_id,
                )));
            }
            clean.push(item);
        }
        let mut report = SubmitReport::default();
        for chunk in clean.chunks(SUBMIT_CHUNK) {
            if let Some(err) = &report.error {
                let why = format!("not sent because an earlier part failed: {err}");
                report
                    .outcomes
                    .extend(chunk.iter().map(|i| outcome(i, SubmitStatus::NotSent(why.clone()))));
                continue;
            }
            match self.submit_chunk(chunk).await {
                Ok(outcomes) => report.outcomes.extend(outcomes),
                Err(e) => {
                    let status = match &e {
                        StoreError::Unconfirmed(..) => SubmitStatus::Unconfirmed(e.to_string()),
                        _ => SubmitStatus::Failed(e.to_string()),
                    };
                    report.outcomes.extend(chunk.iter().map(|i| outcome(i, status.clone())));
                    report.error = Some(e);
                }
            }
        }
        Ok(report)
    }

    async fn submit_chunk(&self, chunk: &[ResponseItem]) -> Result<Vec<SubmitOutcome>, StoreError> {
        let url = self.endpoint("v1.0/my/reviews/responses");
        let body = serde_json::to_vec(&SubmitRequest { responses: chunk }).expect("serialisable");
        let (status, answer) = self
            .execute("sending responses", CallKind::Submit, &|token| {
                self.http
                    .post(&url)
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await?;
        if (201..300).contains(&status) {
            // Accepted in some undocumented way: it may well have been applied.
            return Err(StoreError::Unconfirmed(format!(
                "the Store answered HTTP {status}, not the documented 200"
            )));
        }
        if status != 200 {
            return Err(self.reviews_api_error(&chunk[0].application_id, status, &answer));
        }
        let parsed: SubmitResponse = serde_json::from_slice(&answer).map_err(|e| {
            StoreError::Unconfirmed(format!(
                "the answer is not the documented JSON ({e}); the responses may have been applied"
            ))
        })?;
        Ok(chunk
            .iter()
            .map(|item| {
                let result = parsed.result.iter().find(|r| {
                    r.review_id
                        .as_deref()
                        .is_some_and(|id| id.eq_ignore_ascii_case(&item.review_id))
                        && r.application_id
                            .as_deref()
                            .is_none_or(|a| a.eq_ignore_ascii_case(&item.application_id))
                });
                let status = match result {
                    Some(r) if r.successful.0 => SubmitStatus::Sent,
                    Some(r) => SubmitStatus::Rejected(
                        r.failure_reason
                            .as_deref()
                            .map(crate::sanitize::sanitize_line)
                            .filter(|s| !s.is_empty())
                            .unwrap_or_else(|| "no reason given".into()),
                    ),
                    None => SubmitStatus::Unconfirmed("the Store's answer did not mention this review".into()),
                };
                outcome(item, status)
            })
            .collect())
    }

    /// 400 with the 4012 body (or a bare 400) from a request we validated is the documented
    /// outage, not a mistake of ours.
    fn reviews_api_error(&self, app_id: &str, status: u16, body: &[u8]) -> StoreError {
        let e = read_error_body(body);
        if status == 400 && (e.reviews_api_code == Some(4012) || body.iter().all(u8::is_ascii_whitespace)) {
            return StoreError::ReviewsApiDown {
                app_id: app_id.to_owned(),
                status,
                code: e.reviews_api_code,
            };
        }
        let message = if e.message.is_empty() {
            format!("HTTP {status} without an explanation")
        } else {
            e.message
        };
        StoreError::Api {
            status,
            code: e.code,
            message,
        }
    }

    async fn token(&self, attempt: &mut u32, what: &'static str) -> Result<Arc<AccessToken>, StoreError> {
        loop {
            match self.tokens.token().await {
                Ok(t) => return Ok(t),
                Err(e) => self.wait_for_auth(e, attempt, what).await?,
            }
        }
    }

    async fn wait_for_auth(&self, e: AuthError, attempt: &mut u32, what: &'static str) -> Result<(), StoreError> {
        match e.retry_after() {
            Some(after) if *attempt < self.retry.max_attempts => {
                let wait = after.unwrap_or_else(|| self.retry.backoff(*attempt));
                if wait > self.retry.max_retry_after {
                    return Err(e.into());
                }
                self.pause(what, attempt, wait, "Entra ID is throttling token requests".into())
                    .await;
                Ok(())
            }
            _ => Err(e.into()),
        }
    }

    async fn pause(&self, what: &'static str, attempt: &mut u32, wait: Duration, reason: String) {
        tracing::warn!(what, attempt = *attempt, wait_ms = wait.as_millis() as u64, %reason, "retrying");
        self.report(Progress::Retrying {
            what,
            attempt: *attempt,
            max_attempts: self.retry.max_attempts,
            wait,
            reason,
        });
        tokio::time::sleep(wait).await;
        *attempt += 1;
    }

    /// One call with the token, the single 401 refresh, and backoff for 429/5xx. Answers the
    /// final status and body; only transport-level failures and exhausted retries are errors.
    async fn execute(
        &self,
        what: &'static str,
        kind: CallKind,
        build: &(dyn Fn(&str) -> reqwest::RequestBuilder + Sync),
    ) -> Result<(u16, Bytes), StoreError> {
        let mut attempt = 1u32;
        let mut refreshed = false;
        let mut token = self.token(&mut attempt, what).await?;
        loop {
            let sent = build(token.secret()).send().await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let reason = describe_reqwest_error(&e);
                    // A submission that may have reached the service is never repeated blindly.
                    if kind == CallKind::Submit && !e.is_connect() {
                        return Err(StoreError::Unconfirmed(reason));
                    }
                    if attempt >= self.retry.max_attempts {
                        return Err(StoreError::Network {
                            url: self.api.to_string(),
                            reason,
                        });
                    }
                    let wait = self.retry.backoff(attempt);
                    self.pause(what, &mut attempt, wait, reason).await;
                    continue;
                }
            };
            let status = response.status().as_u16();
            let retry_after = parse_retry_after(response.headers());
            let body = match response.bytes().await {
                Ok(b) => b,
                Err(e) if kind == CallKind::Submit => {
                    return Err(StoreError::Unconfirmed(describe_reqwest_error(&e)));
                }
                Err(e) => {
                    if attempt >= self.retry.max_attempts {
                        return Err(StoreError::Network {
                            url: self.api.to_string(),
                            reason: describe_reqwest_error(&e),
                        });
                    }
                    let wait = self.retry.backoff(attempt);
                    self.pause(what, &mut attempt, wait, describe_reqwest_error(&e)).await;
                    continue;
                }
            };
            if status == 401 {
                if refreshed {
                    return Err(StoreError::Unauthorized {
                        message: read_error_body(&body).message,
                    });
                }
                refreshed = true;
                tracing::info!("the Store API rejected the token; getting a new one");
                token = loop {
                    match self.tokens.refresh_after_rejection(&token).await {
                        Ok(t) => break t,
                        Err(e) => self.wait_for_auth(e, &mut attempt, what).await?,
                    }
                };
                continue;
            }
            let server_error = (500..600).contains(&status);
            // 503 means the service did not take the request; any other 5xx to a submission
            // is ambiguous, so it is reported rather than repeated.
            if kind == CallKind::Submit && server_error && status != 503 {
                return Err(StoreError::Unconfirmed(format!("the service answered HTTP {status}")));
            }
            if status == 429 || server_error {
                if attempt >= self.retry.max_attempts {
                    return Err(if status == 429 {
                        StoreError::Throttled { attempts: attempt }
                    } else {
                        StoreError::ServerError {
                            status,
                            attempts: attempt,
                            message: read_error_body(&body).message,
                        }
                    });
                }
                let wait = retry_after.unwrap_or_else(|| self.retry.backoff(attempt));
                if wait > self.retry.max_retry_after {
                    return Err(StoreError::Api {
                        status,
                        code: None,
                        message: format!("the service asks to wait {} s before trying again", wait.as_secs()),
                    });
                }
                let reason = if status == 429 {
                    "throttled (HTTP 429)".to_owned()
                } else {
                    format!("HTTP {status}")
                };
                self.pause(what, &mut attempt, wait, reason).await;
                continue;
            }
            return Ok((status, body));
        }
    }
}

fn outcome(item: &ResponseItem, status: SubmitStatus) -> SubmitOutcome {
    SubmitOutcome {
        application_id: item.application_id.clone(),
        review_id: item.review_id.clone(),
        status,
    }
}
