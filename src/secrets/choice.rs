//! The settings side: which backend was asked for, which one runs, time limits, `doctor` lines.

use std::time::Duration;

use super::{ENV_BACKEND, SecretsError};

/// The `[secrets] backend` setting, or `REVIEWDESK_SECRETS_BACKEND`.
///
/// Every choice parses on every platform (one config file can serve several machines); choosing a
/// store that does not exist here fails when the store is opened, saying where it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendChoice {
    #[default]
    Auto,
    /// Linux: the Secret Service over D-Bus.
    SecretService,
    /// Linux: the kernel keyring.
    Keyutils,
    /// macOS: the login keychain.
    Keychain,
    /// Windows: the Credential Manager.
    CredentialManager,
    Env,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 6] = [
        BackendChoice::Auto,
        BackendChoice::SecretService,
        BackendChoice::Keyutils,
        BackendChoice::Keychain,
        BackendChoice::CredentialManager,
        BackendChoice::Env,
    ];

    /// The name used in the config and the environment.
    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::SecretService => "secret-service",
            BackendChoice::Keyutils => "keyutils",
            BackendChoice::Keychain => "keychain",
            BackendChoice::CredentialManager => "credential-manager",
            BackendChoice::Env => "env",
        }
    }

    /// The store this choice names, when that store exists on this platform (`None` for `auto`
    /// and `env`, which name no single store).
    pub fn store(self) -> Option<BackendKind> {
        match self {
            #[cfg(target_os = "linux")]
            BackendChoice::SecretService => Some(BackendKind::SecretService),
            #[cfg(target_os = "linux")]
            BackendChoice::Keyutils => Some(BackendKind::Keyutils),
            #[cfg(target_os = "macos")]
            BackendChoice::Keychain => Some(BackendKind::Keychain),
            #[cfg(windows)]
            BackendChoice::CredentialManager => Some(BackendKind::CredentialManager),
            _ => None,
        }
    }

    /// Whether the choice can work on this platform.
    pub fn available(self) -> bool {
        matches!(self, BackendChoice::Auto | BackendChoice::Env) || self.store().is_some()
    }

    /// The platform where the store this choice names exists, for messages.
    pub fn platform(self) -> &'static str {
        match self {
            BackendChoice::SecretService | BackendChoice::Keyutils => "Linux",
            BackendChoice::Keychain => "macOS",
            BackendChoice::CredentialManager => "Windows",
            BackendChoice::Auto | BackendChoice::Env => "every platform",
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

/// The choices that work on this platform, as a list for messages ("auto, keychain or env").
/// With `keeping` true, only those that keep secrets (all but `env`).
pub(crate) fn choices_here(keeping: bool) -> String {
    let names: Vec<&str> = BackendChoice::ALL
        .into_iter()
        .filter(|c| c.available() && !(keeping && *c == BackendChoice::Env))
        .map(BackendChoice::name)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// The store actually in use. The native stores of macOS and Windows exist only there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    SecretService,
    Keyutils,
    /// The macOS login keychain.
    #[cfg(target_os = "macos")]
    Keychain,
    /// The Windows Credential Manager.
    #[cfg(windows)]
    CredentialManager,
    Env,
}

impl BackendKind {
    /// The name used in the config (`secret-service`, `keyutils`, `keychain`, `credential-manager`, `env`).
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::SecretService => "secret-service",
            BackendKind::Keyutils => "keyutils",
            #[cfg(target_os = "macos")]
            BackendKind::Keychain => "keychain",
            #[cfg(windows)]
            BackendKind::CredentialManager => "credential-manager",
            BackendKind::Env => "env",
        }
    }
}

impl std::fmt::Display for BackendKind {
    /// A name for people: `Secret Service`, `kernel keyring (keyutils)`, `macOS Keychain`, ...
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BackendKind::SecretService => "Secret Service",
            BackendKind::Keyutils => "kernel keyring (keyutils)",
            #[cfg(target_os = "macos")]
            BackendKind::Keychain => "macOS Keychain",
            #[cfg(windows)]
            BackendKind::CredentialManager => "Windows Credential Manager",
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
