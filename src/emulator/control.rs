//! The control surface for tests that run the emulator as a separate process. Same semantics
//! as the `EmulatorHandle` methods; not subject to faults or authentication.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::errors::json_value;
use super::{ChaosSpec, FaultSpec, Shared, lock};

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/faults", post(set_faults).delete(clear_faults))
        .route("/_emulator/chaos", post(set_chaos).delete(stop_chaos))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/revoke-tokens", post(revoke_tokens))
        .route("/_emulator/reviews/{app}", post(add_review))
}

fn bad_request(msg: String) -> Response {
    json_value(StatusCode::BAD_REQUEST, &json!({ "error": msg }))
}

/// Merges the JSON `FaultSpec` and answers with the faults now in force.
async fn set_faults(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultSpec>(&body) {
        Ok(spec) => {
            s.set_faults(spec);
            json_value(StatusCode::OK, &*lock(&s.faults))
        }
        Err(e) => bad_request(format!("invalid FaultSpec: {e}")),
    }
}

async fn clear_faults(State(s): State<Arc<Shared>>) -> Response {
    s.clear_faults();
    json_value(StatusCode::OK, &*lock(&s.faults))
}

/// Body: a JSON `ChaosSpec` (fields not given keep their defaults); restarts the stream.
async fn set_chaos(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec = serde_json::from_slice::<ChaosSpec>(&body).map_err(|e| format!("invalid ChaosSpec: {e}"));
    match spec.and_then(|c| c.check().map(|()| c).map_err(|e| e.to_string())) {
        Ok(spec) => {
            let on = json!({ "chaos": spec });
            s.set_chaos(Some(spec));
            json_value(StatusCode::OK, &on)
        }
        Err(e) => bad_request(e),
    }
}

async fn stop_chaos(State(s): State<Arc<Shared>>) -> Response {
    s.set_chaos(None);
    json_value(StatusCode::OK, &json!({ "chaos": null }))
}

async fn stats(State(s): State<Arc<Shared>>) -> Response {
    json_value(StatusCode::OK, &s.stats())
}

async fn revoke_tokens(State(s): State<Arc<Shared>>) -> Response {
    s.revoke_tokens();
    json_value(StatusCode::OK, &json!({ "revoked": true }))
}

/// Body: one review as JSON (camelCase Store fields); answers `{"id": "..."}`.
async fn add_review(State(s): State<Arc<Shared>>, Path(app): Path<String>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.is_object() => json_value(StatusCode::OK, &json!({ "id": s.add_review(&app, &v) })),
        Ok(_) => bad_request("the review must be a JSON object".into()),
        Err(e) => bad_request(format!("invalid JSON: {e}")),
    }
}
