//! Everything a command needs to talk to the Store: endpoints, credentials, token provider and
//! client, built from the config file and the environment.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use crate::auth::{Credentials, TokenProvider};
use crate::config::{self, Config, Endpoints};
use crate::http::build_http_client;
use crate::http::retry::RetryPolicy;
use crate::profiles::Profile;
use crate::secrets::{BackendChoice, SecretStore};
use crate::store::StoreClient;

pub struct Session {
    pub config: Config,
    pub endpoints: Endpoints,
    pub client: StoreClient,
    /// The profile in use, when the credentials came from one.
    pub profile: Option<(String, Profile)>,
}

/// A mistake in how reviewdesk was called or configured (exit code 2), as opposed to a service
/// that refused or failed (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// `REVIEWDESK_SECRETS_BACKEND`, else `[secrets] backend` in the config.
pub fn backend_choice(config: &Config) -> Result<BackendChoice> {
    BackendChoice::resolve(config.secrets.backend).map_err(|e| usage(e.to_string()))
}

impl Session {
    /// The credentials for this run: the profile named with --profile; else the three
    /// `REVIEWDESK_*` variables when all are set (nothing is read from the keyring then); else
    /// the default profile, or the only one.
    pub async fn resolve(config: Config) -> Result<Session> {
        let env_credentials = config::credentials_from_env().map_err(|e| usage(e.to_string()))?;
        if config.selected_profile.is_none()
            && let Some(credentials) = env_credentials
        {
            let endpoints = Endpoints::resolve(&config).map_err(|e| usage(e.to_string()))?;
            return Self::new(config, endpoints, credentials, RetryPolicy::default());
        }
        let (name, profile) = crate::profiles::choose(
            &config.profiles,
            config.selected_profile.as_deref(),
            config.default_profile.as_deref(),
        )
        .map_err(|e| usage(e.to_string()))?;
        let (name, profile) = (name.to_owned(), profile.clone());
        let endpoints = Endpoints::resolve_full(&config, Some(&profile), |k| std::env::var(k).ok())
            .map_err(|e| usage(e.to_string()))?;
        let credentials = profile_credentials(&config, &name, &profile).await?;
        let mut session = Self::new(config, endpoints, credentials, RetryPolicy::default())?;
        session.profile = Some((name, profile));
        Ok(session)
    }

    /// What the profile's service can do; `REVIEWDESK_*` credentials are the Store's.
    pub fn source(&self) -> &'static dyn crate::provider::ReviewSource {
        crate::provider::source_for(self.profile.as_ref().map(|(_, p)| p.kind).unwrap_or_default())
    }

    /// A usage error when this profile's service cannot do `feature`.
    pub fn require(&self, feature: crate::provider::Feature) -> Result<()> {
        let name = self.profile.as_ref().map_or("env", |(n, _)| n.as_str());
        crate::provider::require(self.source(), name, feature).map_err(usage)
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
            profile: None,
        })
    }
}

/// A profile's credentials: its tenant and client ID, and its secret from the configured store.
pub async fn profile_credentials(config: &Config, name: &str, profile: &Profile) -> Result<Credentials> {
    let store = SecretStore::open(backend_choice(config)?).await?;
    let secret = store.get(name).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no client secret is stored for profile {name} in {}: store it with `reviewdesk profile edit {name} --rotate-secret`",
            store.why()
        )
    })?;
    Ok(Credentials {
        tenant: profile.tenant.clone(),
        client_id: profile.client_id.clone(),
        secret,
    })
}

/// A retry policy for tests and the demo, where waiting seconds helps nobody.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..RetryPolicy::default()
    }
}
