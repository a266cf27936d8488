//! Profile operations shared by the CLI (`reviewdesk profile …`) and the TUI's setup form and
//! profiles screen. Each one writes config.toml through [`ConfigFile`] and the secret through
//! [`SecretStore`], in the order that leaves nothing half-done. Nothing here prints: callers say
//! what happened in their own way.

use std::path::{Path, PathBuf};

use anyhow::Result;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Credentials;
use crate::config::{Config, Endpoints, default_config_path};
use crate::http::retry::RetryPolicy;
use crate::profiles::{ConfigFile, Profile, ProfileApp, validate_name};
use crate::sanitize::sanitize_line;
use crate::secrets::{BackendKind, SecretStore};
use crate::session::{Session, backend_choice, usage};

/// A profile as a form or a command gives it: the secret is new (to store) or `None` (keep the
/// stored one).
#[derive(Clone, Debug)]
pub struct ProfileDraft {
    pub name: String,
    pub profile: Profile,
    pub secret: Option<SecretString>,
    /// A new profile (add) rather than a change to an existing one (edit).
    pub new: bool,
}

impl PartialEq for ProfileDraft {
    fn eq(&self, other: &Self) -> bool {
        let secret = match (&self.secret, &other.secret) {
            (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
            (None, None) => true,
            _ => false,
        };
        secret && self.name == other.name && self.profile == other.profile && self.new == other.new
    }
}

impl Eq for ProfileDraft {}

/// The file profiles are written to: the config file in use, else the default path.
pub fn config_path(config: &Config) -> Result<PathBuf> {
    config
        .source
        .clone()
        .or_else(default_config_path)
        .ok_or_else(|| usage("cannot find a config directory: set XDG_CONFIG_HOME or REVIEWDESK_CONFIG"))
}

/// The config as it is on disk now (a missing file is an empty config), keeping where it came
/// from and the profile named on the command line.
pub fn reload_config(base: &Config) -> Result<Config> {
    let path = config_path(base)?;
    let mut config = if path.exists() {
        Config::load(Some(&path))?
    } else {
        Config::default()
    };
    config.source = Some(path);
    config.selected_profile = base.selected_profile.clone();
    Ok(config)
}

/// The secret store the config (or `REVIEWDESK_SECRETS_BACKEND`) asks for, probed.
pub async fn open_store(config: &Config) -> Result<SecretStore> {
    let choice = backend_choice(config)?;
    Ok(SecretStore::open(choice).await?)
}

/// The store in words, for "the secret is in …".
pub fn store_name(store: &SecretStore) -> &'static str {
    match store.kind() {
        BackendKind::SecretService => "the Secret Service (your login keyring)",
        BackendKind::Keyutils => "the kernel keyring",
        BackendKind::Env => "no store (the env backend keeps nothing)",
        #[cfg(target_os = "macos")]
        BackendKind::Keychain => "the macOS Keychain (your login keychain)",
        #[cfg(windows)]
        BackendKind::CredentialManager => "the Windows Credential Manager",
    }
}

/// Adds a profile: the secret first, then config.toml; when the file cannot be written the
/// secret goes again. The first profile, or one added while no default is set, becomes the
/// default. Answers whether it did.
pub async fn add(
    path: &Path,
    store: &SecretStore,
    name: &str,
    profile: &Profile,
    secret: &SecretString,
    make_default: bool,
) -> Result<bool> {
    validate_name(name).map_err(usage)?;
    let mut file = ConfigFile::open(path)?;
    if file.has_profile(name) {
        return Err(usage(format!(
            "profile {name:?} exists already: change it with `reviewdesk profile edit {name}`"
        )));
    }
    let first = file.profile_names().is_empty();
    store.set(name, secret).await?;
    file.set_profile(name, profile);
    let default = make_default || first || file.default_profile().is_none();
    if default {
        file.set_default_profile(name);
    }
    if let Err(e) = file.save() {
        // Nothing half-done: the secret goes again when the profile could not be written.
        let _ = store.delete(name).await;
        return Err(e);
    }
    Ok(default)
}

/// Changes an existing profile; with a secret, replaces the stored one first.
pub async fn update(
    path: &Path,
    name: &str,
    profile: &Profile,
    secret: Option<(&SecretStore, &SecretString)>,
    make_default: bool,
) -> Result<()> {
    let mut file = ConfigFile::open(path)?;
    if !file.has_profile(name) {
        return Err(usage(format!(
            "there is no profile {name:?}: see `reviewdesk profile list`"
        )));
    }
    if let Some((store, secret)) = secret {
        store.set(name, secret).await?;
    }
    file.set_profile(name, profile);
    if make_default {
        file.set_default_profile(name);
    }
    file.save()
}

/// Saves a draft from a form: [`add`] or [`update`]. For a new profile the secret is required.
pub async fn save(path: &Path, store: &SecretStore, draft: &ProfileDraft) -> Result<()> {
    match (&draft.secret, draft.new) {
        (Some(secret), true) => add(path, store, &draft.name, &draft.profile, secret, false)
            .await
            .map(drop),
        (None, true) => Err(usage("a new profile needs its client secret")),
        (secret, false) => {
            update(
                path,
                &draft.name,
                &draft.profile,
                secret.as_ref().map(|s| (store, s)),
                false,
            )
            .await
        }
    }
}

/// A stored secret of another profile for the same app registration (tenant and client ID), so
/// that one Entra registration serving the Store and a Commerce site needs its secret typed once.
pub async fn shared_secret(config: &Config, store: &SecretStore, profile: &Profile) -> Option<(String, SecretString)> {
    for (name, p) in &config.profiles {
        if p.client_id.eq_ignore_ascii_case(&profile.client_id)
            && p.tenant.eq_ignore_ascii_case(&profile.tenant)
            && let Ok(Some(secret)) = store.get(name).await
        {
            return Some((name.clone(), secret));
        }
    }
    None
}

/// Removes a profile and its secret. Answers whether a secret was stored.
pub async fn remove(path: &Path, store: &SecretStore, name: &str) -> Result<bool> {
    let mut file = ConfigFile::open(path)?;
    if !file.has_profile(name) {
        return Err(usage(format!(
            "there is no profile {name:?}: see `reviewdesk profile list`"
        )));
    }
    let had_secret = store.delete(name).await?;
    file.remove_profile(name);
    file.save()?;
    Ok(had_secret)
}

/// Whether a profile's secret is in the store (never the secret itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretState {
    Stored,
    Missing,
    /// The store could not be asked.
    Unknown,
}

impl SecretState {
    pub fn label(self) -> &'static str {
        match self {
            SecretState::Stored => "stored",
            SecretState::Missing => "missing",
            SecretState::Unknown => "unknown",
        }
    }
}

pub async fn secret_state(store: &SecretStore, name: &str) -> SecretState {
    match store.get(name).await {
        Ok(Some(_)) => SecretState::Stored,
        Ok(None) => SecretState::Missing,
        Err(_) => SecretState::Unknown,
    }
}

/// One line of a connection test: what worked or what did not, without the ✓/✗.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub text: String,
}

/// A connection test: the token, then response info for each app (none when the token failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    pub token: Check,
    pub apps: Vec<Check>,
}

impl TestReport {
    pub fn all_ok(&self) -> bool {
        self.token.ok && self.apps.iter().all(|c| c.ok)
    }
}

/// `9NBLGGGZ5QDR (Contoso Photo)`, for messages.
pub fn app_label(app: &ProfileApp) -> String {
    match &app.name {
        Some(n) => format!("{} ({})", app.id, sanitize_line(n)),
        None => app.id.clone(),
    }
}

/// Gets a token and asks response info for each app.
pub async fn test_session(session: &Session, apps: &[ProfileApp]) -> TestReport {
    let token = match session.client.tokens().token().await {
        Ok(_) => Check {
            ok: true,
            text: format!("got a token from {}", session.endpoints.login),
        },
        Err(e) => {
            return TestReport {
                token: Check {
                    ok: false,
                    text: format!("no token: {e}"),
                },
                apps: Vec::new(),
            };
        }
    };
    let mut checks = Vec::new();
    for app in apps {
        let label = app_label(app);
        checks.push(match session.client.response_info(&app.id, None).await {
            Ok(info) if info.can_respond() => Check {
                ok: true,
                text: format!(
                    "{label}: may respond to reviews{}",
                    info.support_email()
                        .map(|e| format!("; default support email {e}"))
                        .unwrap_or_default()
                ),
            },
            Ok(_) => Check {
                ok: false,
                text: format!("{label}: Microsoft does not allow responses for this app or account"),
            },
            Err(e) => Check {
                ok: false,
                text: format!("{label}: {e}"),
            },
        });
    }
    TestReport { token, apps: checks }
}

/// Tests credentials that may not be stored yet (a form being filled in), with the endpoints
/// the profile would get.
pub async fn test_credentials(config: &Config, profile: &Profile, secret: SecretString) -> Result<TestReport> {
    let endpoints =
        Endpoints::resolve_full(config, Some(profile), |k| std::env::var(k).ok()).map_err(|e| usage(e.to_string()))?;
    let credentials = Credentials {
        tenant: profile.tenant.clone(),
        client_id: profile.client_id.clone(),
        secret,
    };
    let session = Session::new(config.clone(), endpoints, credentials, RetryPolicy::default())?;
    Ok(test_session(&session, &profile.apps).await)
}
