//! Response bodies shared by the Store handlers: the analytics error shape (§1.6) and the
//! reviews-API `4012` body (§1.5).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The exact body seen for a malformed submit, and for the whole reviews API while it is down.
pub const REVIEWS_4012: &str = r#"{"code":4012,"description":"Description: The response is not in the correct format, or some parameter which is required is missing., Exception: ","data":[],"source":"ReviewResponseFD"}"#;

pub fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    resp
}

pub fn json_value<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json(status, body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

pub fn reviews_4012() -> Response {
    json(StatusCode::BAD_REQUEST, REVIEWS_4012.as_bytes().to_vec())
}

/// `{"code","data","details","innererror","message","source"}` in the documented key order.
#[derive(Serialize)]
pub struct AnalyticsError {
    pub code: &'static str,
    pub data: [(); 0],
    pub details: [(); 0],
    pub innererror: Option<InnerError>,
    pub message: String,
    pub source: &'static str,
}

#[derive(Serialize)]
pub struct InnerError {
    pub code: &'static str,
    pub data: Vec<String>,
    pub details: [(); 0],
    pub message: &'static str,
    pub source: &'static str,
}

/// An analytics-shaped error with no inner error.
pub fn analytics(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    json_value(
        status,
        &AnalyticsError {
            code,
            data: [],
            details: [],
            innererror: None,
            message: message.into(),
            source: "AnalyticsAPI",
        },
    )
}

/// The documented 400 for invalid query parameters; `detail` goes into `innererror.data`.
/// With `detail` = "top parameter cannot be more than 10000" this is byte for byte the §1.6 sample
/// (minus whitespace).
pub fn bad_query(detail: impl Into<String>) -> Response {
    json_value(
        StatusCode::BAD_REQUEST,
        &AnalyticsError {
            code: "BadRequest",
            data: [],
            details: [],
            innererror: Some(InnerError {
                code: "InvalidQueryParameters",
                data: vec![detail.into()],
                details: [],
                message: "One or More Query Parameters has invalid values.",
                source: "AnalyticsAPI",
            }),
            message: "The calling client sent a bad request to the service.".to_owned(),
            source: "AnalyticsAPI",
        },
    )
}

/// Observed for an app the account cannot access (windows-dev-docs #3816).
// [INF] the envelope around the observed message (code BadRequest, no inner error) is a guess.
pub fn unknown_app() -> Response {
    analytics(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "User Unauthorized Exception EC7. Check the ApplicationId/InAppProductId provided.",
    )
}
