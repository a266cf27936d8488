//! Store API failures as sentences a person can act on.

use serde::Deserialize;

use crate::auth::AuthError;
use crate::sanitize::sanitize_line;

use super::validate::ValidationError;

/// Where a person answers a review by hand. Partner Center product pages are addressed by the
/// Store ID (verified in public scripts); the reviews report is under Insights from there.
pub fn partner_center_url(app_id: &str) -> String {
    format!(
        "https://partner.microsoft.com/dashboard/products/{}/overview",
        sanitize_line(app_id)
    )
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Auth(Box<AuthError>),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A well-formed call to the reviews API failed the way Microsoft's documented outage does.
    #[error(
        "Microsoft's reviews API did not accept a well-formed request (HTTP {status}{}): Microsoft's own documentation says this API \"is currently not in a working state\"; answer this review in Partner Center instead: {} (Insights → Reviews → Respond to review)",
        code.map(|c| format!(", code {c}")).unwrap_or_default(),
        partner_center_url(app_id)
    )]
    ReviewsApiDown {
        app_id: String,
        status: u16,
        code: Option<i64>,
    },
    #[error("the Store API refused the request (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error(
        "the Store API rejected a fresh access token (HTTP 401{}): check that this Entra application was added to Partner Center (Account settings → Users → Microsoft Entra applications) with the Manager role",
        if message.is_empty() { String::new() } else { format!(": {message}") }
    )]
    Unauthorized { message: String },
    #[error(
        "the Store API still answered HTTP 429 (too many requests) after {attempts} attempts: wait a few minutes and try again"
    )]
    Throttled { attempts: u32 },
    #[error("the Store API failed with HTTP {status} {attempts} times in a row{}: it may be down, try again later", if message.is_empty() { String::new() } else { format!(" ({message})") })]
    ServerError {
        status: u16,
        attempts: u32,
        message: String,
    },
    #[error("cannot reach the Store API at {url}: {reason}")]
    Network { url: String, reason: String },
    /// The request left but no answer came back: it may or may not have been applied.
    #[error(
        "no clear answer to the submission ({0}): it may have been applied; check the review (reviewdesk reviews) before sending it again"
    )]
    Unconfirmed(String),
    #[error("the Store API answered HTTP {status} with something unexpected: {detail}")]
    Unexpected { status: u16, detail: String },
}

impl From<AuthError> for StoreError {
    fn from(e: AuthError) -> Self {
        StoreError::Auth(Box::new(e))
    }
}

impl StoreError {
    /// Bad input (exit code 2) as opposed to a service that refused or failed (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, StoreError::Invalid(_))
    }
}

/// The analytics error shape: `code` a string, `innererror` recursively the same.
#[derive(Debug, Default, Deserialize)]
struct AnalyticsError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Vec<serde_json::Value>,
    #[serde(default)]
    innererror: Option<Box<AnalyticsError>>,
}

/// The reviews-API error shape: `code` an integer, `description`, `source`.
#[derive(Debug, Default, Deserialize)]
struct ReviewsApiError {
    code: i64,
    #[serde(default)]
    description: Option<String>,
}

/// What an error body says, whichever of the two shapes it has. `message` is sanitised.
#[derive(Debug, Default, PartialEq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub reviews_api_code: Option<i64>,
    pub message: String,
}

pub fn read_error_body(body: &[u8]) -> ErrorBody {
    if let Ok(e) = serde_json::from_slice::<ReviewsApiError>(body) {
        let description = e.description.unwrap_or_default();
        let description = description.trim_start_matches("Description: ");
        let description = description.split(", Exception:").next().unwrap_or(description);
        return ErrorBody {
            code: Some(e.code.to_string()),
            reviews_api_code: Some(e.code),
            message: sanitize_line(description.trim()),
        };
    }
    if let Ok(e) = serde_json::from_slice::<AnalyticsError>(body) {
        if e.code.is_some() || e.message.is_some() {
            let mut parts: Vec<String> = Vec::new();
            let mut level = Some(&e);
            while let Some(l) = level {
                if let Some(m) = l.message.as_deref().filter(|m| !m.is_empty()) {
                    parts.push(m.trim_end_matches('.').to_owned());
                }
                parts.extend(l.data.iter().filter_map(|d| d.as_str()).map(str::to_owned));
                level = l.innererror.as_deref();
            }
            let code = e.innererror.as_ref().and_then(|i| i.code.clone()).or(e.code.clone());
            let mut message = sanitize_line(&parts.join("; "));
            if message.contains("EC7") {
                message.push_str(
                    " (check the Store ID; Microsoft does not support reviews of Win32/EXE products through this API)",
                );
            }
            return ErrorBody {
                code,
                reviews_api_code: None,
                message,
            };
        }
    }
    let text = String::from_utf8_lossy(body);
    let snippet: String = sanitize_line(text.trim()).chars().take(200).collect();
    ErrorBody {
        code: None,
        reviews_api_code: None,
        message: snippet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_analytics_error_reads_well() {
        let body = br#"{"code":"BadRequest","data":[],"details":[],"innererror":{"code":"InvalidQueryParameters","data":["top parameter cannot be more than 10000"],"details":[],"message":"One or More Query Parameters has invalid values.","source":"AnalyticsAPI"},"message":"The calling client sent a bad request to the service.","source":"AnalyticsAPI"}"#;
        let e = read_error_body(body);
        assert_eq!(e.code.as_deref(), Some("InvalidQueryParameters"));
        assert_eq!(
            e.message,
            "The calling client sent a bad request to the service; One or More Query Parameters has invalid values; top parameter cannot be more than 10000"
        );
    }

    #[test]
    fn reviews_api_4012_is_recognised() {
        let body = br#"{"code": 4012, "description": "Description: The response is not in the correct format, or some parameter which is required is missing., Exception: ", "data": [], "source": "ReviewResponseFD"}"#;
        let e = read_error_body(body);
        assert_eq!(e.reviews_api_code, Some(4012));
        assert_eq!(
            e.message,
            "The response is not in the correct format, or some parameter which is required is missing."
        );
    }

    #[test]
    fn outage_message_names_partner_center() {
        let text = StoreError::ReviewsApiDown {
            app_id: "9NBLGGGZ5QDR".into(),
            status: 400,
            code: Some(4012),
        }
        .to_string();
        assert!(
            text.contains("not in a working state")
                && text.contains("https://partner.microsoft.com/dashboard/products/9NBLGGGZ5QDR/overview"),
            "{text}"
        );
    }

    #[test]
    fn hostile_or_empty_bodies_are_safe() {
        assert_eq!(read_error_body(b"").message, "");
        let e = read_error_body(b"\x1b]0;owned\x07Bad gateway");
        assert_eq!(e.message, "Bad gateway");
    }
}
