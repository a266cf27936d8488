//! Shared test plumbing: an emulator on a random loopback port and a client pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use reviewdesk::auth::{Credentials, TokenEndpointVersion};
use reviewdesk::config::{Config, Endpoints, validate_endpoint_url};
use reviewdesk::emulator::{self, EmulatorConfig, EmulatorHandle};
use reviewdesk::session::{Session, quick_retry};
use secrecy::SecretString;

pub async fn emulator(config: EmulatorConfig) -> EmulatorHandle {
    emulator::start(config).await.expect("emulator starts")
}

pub fn default_credentials() -> Credentials {
    Credentials {
        tenant: emulator::DEFAULT_TENANT_ID.to_owned(),
        client_id: emulator::DEFAULT_CLIENT_ID.to_owned(),
        secret: SecretString::from(emulator::DEFAULT_CLIENT_SECRET.to_owned()),
    }
}

pub fn session_with(
    handle: &EmulatorHandle,
    credentials: Credentials,
    version: TokenEndpointVersion,
    config: Config,
) -> Session {
    let url = validate_endpoint_url(&handle.base_url(), "test").unwrap();
    let endpoints = Endpoints {
        login: url.clone(),
        api: url,
        token_version: version,
    };
    Session::new(config, endpoints, credentials, quick_retry()).unwrap()
}

pub fn session(handle: &EmulatorHandle) -> Session {
    session_with(
        handle,
        default_credentials(),
        TokenEndpointVersion::V1,
        Config::default(),
    )
}

pub fn short_timeout_config(request_secs: u64) -> Config {
    let mut c = Config::default();
    c.network.request_timeout_secs = request_secs;
    c
}

pub const APP: &str = "9NBLGGGZ5QDR";

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}
pub mod flows;
pub mod keyring;
pub mod tmux;
pub mod tui;
