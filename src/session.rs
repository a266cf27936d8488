//! Everything a command needs to talk to the Store: endpoints, credentials, token provider and
//! client, built from the config file and the environment.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use crate::auth::{Credentials, TokenProvider};
use crate::config::{self, Config, Endpoints};
use crate::store::{RetryPolicy, StoreClient, build_http_client};

pub struct Session {
    pub config: Config,
    pub endpoints: Endpoints,
    pub client: StoreClient,
}

/// A mistake in how reviewdesk was called or configured (exit code 2), as opposed to a service
/// that refused or failed (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

impl Session {
    /// Credentials from `REVIEWDESK_TENANT_ID`, `REVIEWDESK_CLIENT_ID` and
    /// `REVIEWDESK_CLIENT_SECRET`.
    pub fn from_env(config: Config) -> Result<Session> {
        let endpoints = Endpoints::resolve(&config).map_err(|e| usage(e.to_string()))?;
        let credentials = config::credentials_from_env().map_err(|e| usage(e.to_string()))?.ok_or_else(|| {
            usage(format!(
                "no credentials: set {}, {} and {} to an Entra app registration that Partner Center knows (see the README), or try `reviewdesk demo`",
                config::ENV_TENANT_ID,
                config::ENV_CLIENT_ID,
                config::ENV_CLIENT_SECRET
            ))
        })?;
        Self::new(config, endpoints, credentials, RetryPolicy::default())
    }

    pub fn new(
        config: Config,
        endpoints: Endpoints,
        credentials: Credentials,
        mut retry: RetryPolicy,
    ) -> Result<Session> {
        retry.max_attempts = config.network.max_attempts.max(1);
        let http = build_http_client(&config.network)?;
        let tokens = Arc::new(TokenProvider::new(
            http.clone(),
            &endpoints.login,
            endpoints.token_version,
            credentials,
        ));
        let client = StoreClient::new(http, endpoints.api.clone(), tokens, retry);
        Ok(Session {
            config,
            endpoints,
            client,
        })
    }
}

/// A retry policy for tests and the demo, where waiting seconds helps nobody.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..RetryPolicy::default()
    }
}
