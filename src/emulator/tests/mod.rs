//! Tests that need more than one module: generated data, the reviews query end to end without
//! a socket, and the real-TCP smoke tests with reqwest.

mod chaos;
mod data;
mod paging;
mod query;
mod smoke;
mod submit;

use chrono::NaiveDateTime;

use super::dates::parse_datetime_lenient;

pub fn at(s: &str) -> NaiveDateTime {
    parse_datetime_lenient(s).unwrap_or_else(|| panic!("bad test date {s}"))
}

use serde_json::Value;

use super::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, EmulatorHandle, start};

pub fn client() -> reqwest::Client {
    // reqwest is built without a default TLS provider; plain HTTP still wants one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("reqwest client")
}

pub async fn emulator() -> EmulatorHandle {
    start(EmulatorConfig::default()).await.expect("emulator starts")
}

/// A v1 token, with the secret form-encoded by reqwest.
pub async fn token(http: &reqwest::Client, emu: &EmulatorHandle) -> String {
    let resp = http
        .post(format!("{}/{DEFAULT_TENANT_ID}/oauth2/token", emu.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("resource", "https://manage.devcenter.microsoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}
