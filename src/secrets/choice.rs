//! The settings side: which backend was asked for, which one runs, time limits, `doctor` lines.

use std::time::Duration;

use super::{ENV_BACKEND, SecretsError};

/// The `[secrets] backend` setting, or `REVIEWDESK_SECRETS_BACKEND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendChoice {
    #[default]
    Auto,
    SecretService,
    Keyutils,
    Env,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 4] = [
        BackendChoice::Auto,
        BackendChoice::SecretService,
        BackendChoice::Keyutils,
        BackendChoice::Env,
    ];

    /// The name used in the config and the environment.
    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::SecretService => "secret-service",
            BackendChoice::Keyutils => "keyutils",
            BackendChoice::Env => "env",
        }
    }

    /// `REVIEWDESK_SECRETS_BACKEND` when set (and not empty), else the config's choice, else auto.
    pub fn resolve(config: Option<BackendChoice>) -> Result<BackendChoice, SecretsError> {
        let env = std::env::var(ENV_BACKEND).ok();
        Self::resolve_from(env.as_deref(), config)
    }

    /// [`BackendChoice::resolve`] with the environment value given.
    pub fn resolve_from(env: Option<&str>, config: Option<BackendChoice>) -> Result<BackendChoice, SecretsError> {
        match env.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => v.parse(),
            None => Ok(config.unwrap_or_default()),
        }
    }
}

impl std::str::FromStr for BackendChoice {
    type Err = SecretsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| SecretsError::UnknownBackend { given: s.to_owned() })
    }
}

impl std::fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The store actually in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    SecretService,
    Keyutils,
    Env,
}

impl BackendKind {
    /// The name used in the config (`secret-service`, `keyutils`, `env`).
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::SecretService => "secret-service",
            BackendKind::Keyutils => "keyutils",
            BackendKind::Env => "env",
        }
    }
}

impl std::fmt::Display for BackendKind {
    /// A name for people: `Secret Service`, `kernel keyring (keyutils)`, ...
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BackendKind::SecretService => "Secret Service",
            BackendKind::Keyutils => "kernel keyring (keyutils)",
            BackendKind::Env => "environment (REVIEWDESK_CLIENT_SECRET)",
        })
    }
}

/// Time limits. The defaults suit people; tests shorten them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenOptions {
    /// For connecting to a store and probing it.
    pub probe_timeout: Duration,
    /// For each get, set or delete.
    pub op_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            probe_timeout: Duration::from_secs(3),
            op_timeout: Duration::from_secs(10),
        }
    }
}

/// One store as `doctor` shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Probe {
    pub name: &'static str,
    pub works: bool,
    pub detail: String,
}
