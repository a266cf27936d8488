//! Where each profile's client secret lives: an OS keyring, chosen and probed when reviewdesk starts.
//!
//! - `auto` (the default) on Linux: the Secret Service when a D-Bus session bus answers and a
//!   probe shows its collection is unlocked, within ~3 s; otherwise the kernel keyring (keyutils),
//!   joining a fresh session keyring when the current one is missing, revoked or refused; otherwise
//!   one error listing what was tried and how to fix it. Never a plaintext file.
//! - `auto` on macOS: the login keychain (Keychain Services); on Windows: the Credential Manager
//!   (generic credentials). Both are probed like the Linux stores; otherwise one error saying why
//!   and how to fix it.
//! - `secret-service`, `keyutils` (Linux), `keychain` (macOS), `credential-manager` (Windows):
//!   that store or an error; `env`: the secret comes from `REVIEWDESK_CLIENT_SECRET` for this
//!   run, and nothing is ever stored.
//!
//! Every keyring call runs on the store's own thread with a timeout (see `worker`), so a locked
//! collection waiting for an unlock prompt never hangs the caller. Secrets are held in
//! [`SecretString`] (redacted `Debug`, zeroised on drop); logs name the backend and the profile,
//! never a value.
//!
//! The `auto` probe writes, reads back and deletes a throwaway entry (service `reviewdesk-probe`):
//! reading a missing entry alone is not enough, because a locked gnome-keyring collection (the
//! usual state over SSH, when D-Bus activation started the daemon) answers "no such entry" too.
//!
//! ```no_run
//! # async fn demo(config_choice: Option<reviewdesk::secrets::BackendChoice>) -> anyhow::Result<()> {
//! use reviewdesk::secrets::{BackendChoice, SecretStore};
//! let choice = BackendChoice::resolve(config_choice)?; // REVIEWDESK_SECRETS_BACKEND wins
//! let store = SecretStore::open(choice).await?;
//! println!("secrets: {} ({}); kept {}", store.kind(), store.why(), store.persistence());
//! let secret = store.get("contoso-prod").await?; // Option<SecretString>
//! # drop(secret); Ok(()) }
//! ```

mod choice;
mod error;
mod keyring;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
pub mod prompt;
#[cfg(test)]
mod tests;
#[cfg(windows)]
mod windows;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, Zeroizing};

pub use choice::{BackendChoice, BackendKind, OpenOptions, Probe};
pub use error::{Action, Attempt, SecretsError};
use worker::{CallError, ProbeReport, StartError, Worker};

/// The keyring service name; the user (account) is the profile name.
pub const SERVICE: &str = "reviewdesk";
/// The service name of the throwaway entries written while probing a store.
pub const PROBE_SERVICE: &str = "reviewdesk-probe";
/// Chooses the backend; wins over `[secrets] backend` in the config.
pub const ENV_BACKEND: &str = "REVIEWDESK_SECRETS_BACKEND";
/// The secret itself, for the `env` backend (the same variable as `config::ENV_CLIENT_SECRET`).
pub const ENV_SECRET: &str = "REVIEWDESK_CLIENT_SECRET";

/// The stores of this platform, in the order `auto` tries them and `doctor` lists them.
#[cfg(target_os = "macos")]
const STORES: &[BackendKind] = &[BackendKind::Keychain];
#[cfg(windows)]
const STORES: &[BackendKind] = &[BackendKind::CredentialManager];
#[cfg(not(any(target_os = "macos", windows)))]
const STORES: &[BackendKind] = &[BackendKind::SecretService, BackendKind::Keyutils];

/// The secret store in use. Cheap to clone; clones share one store thread.
#[derive(Clone)]
pub struct SecretStore {
    inner: Arc<Inner>,
}

struct Inner {
    kind: BackendKind,
    why: String,
    persistence: String,
    engine: Engine,
    op_timeout: Duration,
}

enum Engine {
    Env,
    Worker(Worker),
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("kind", &self.inner.kind)
            .field("why", &self.inner.why)
            .finish()
    }
}

impl SecretStore {
    /// Chooses and probes a backend (see the module documentation), with the default time limits.
    pub async fn open(choice: BackendChoice) -> Result<SecretStore, SecretsError> {
        Self::open_with(choice, OpenOptions::default()).await
    }

    pub async fn open_with(choice: BackendChoice, opts: OpenOptions) -> Result<SecretStore, SecretsError> {
        let store = match choice {
            BackendChoice::Env => Ok(Self::env_store(
                "the secrets backend is set to env, so the secret is read from REVIEWDESK_CLIENT_SECRET".to_owned(),
                opts,
            )),
            BackendChoice::Auto => Self::open_auto(opts).await,
            _ => match choice.store() {
                None if !cfg!(any(target_os = "linux", target_os = "macos", windows)) => Err(SecretsError::Unsupported),
                None => Err(SecretsError::WrongPlatform { choice }),
                Some(kind) => match start(kind, opts).await {
                    Ok((worker, report)) => {
                        let why = with_notes(format!("the secrets backend is set to {}", kind.name()), &report);
                        Ok(Self::from_worker(worker, why, report, opts))
                    }
                    Err(reason) => Err(SecretsError::Unavailable { kind, reason }),
                },
            },
        }?;
        tracing::info!(backend = store.kind().name(), why = store.why(), "secret store ready");
        Ok(store)
    }

    #[cfg(any(target_os = "macos", windows))]
    async fn open_auto(opts: OpenOptions) -> Result<SecretStore, SecretsError> {
        let kind = STORES[0];
        match start(kind, opts).await {
            Ok((worker, report)) => {
                let why = format!(
                    "auto: the {kind} is this platform's store, and a test entry could be written, read back and \
                     deleted in it"
                );
                Ok(Self::from_worker(worker, with_notes(why, &report), report, opts))
            }
            Err(reason) => Err(SecretsError::NoStoreWorks {
                tried: vec![Attempt { store: kind, reason }],
            }),
        }
    }

    #[cfg(not(any(target_os = "macos", windows)))]
    async fn open_auto(opts: OpenOptions) -> Result<SecretStore, SecretsError> {
        if !cfg!(target_os = "linux") {
            return Err(SecretsError::Unsupported);
        }
        let ss_reason = match start(BackendKind::SecretService, opts).await {
            Ok((worker, report)) => {
                let why = with_notes(
                    "auto: the Secret Service answered on the D-Bus session bus and its collection is unlocked"
                        .to_owned(),
                    &report,
                );
                return Ok(Self::from_worker(worker, why, report, opts));
            }
            Err(reason) => reason,
        };
        tracing::info!(backend = "secret-service", reason = %ss_reason, "secret store not usable");
        match start(BackendKind::Keyutils, opts).await {
            Ok((worker, report)) => {
                let why = format!(
                    "auto: the Secret Service is not usable ({ss_reason}), so the kernel keyring (keyutils) is used"
                );
                Ok(Self::from_worker(worker, with_notes(why, &report), report, opts))
            }
            Err(reason) => Err(SecretsError::NoStoreWorks {
                tried: vec![
                    Attempt {
                        store: BackendKind::SecretService,
                        reason: ss_reason,
                    },
                    Attempt {
                        store: BackendKind::Keyutils,
                        reason,
                    },
                ],
            }),
        }
    }

    fn env_store(why: String, opts: OpenOptions) -> SecretStore {
        let inner = Inner {
            kind: BackendKind::Env,
            why,
            persistence: "only for this run: read from REVIEWDESK_CLIENT_SECRET, never stored".to_owned(),
            engine: Engine::Env,
            op_timeout: opts.op_timeout,
        };
        SecretStore { inner: Arc::new(inner) }
    }

    fn from_worker(worker: Worker, why: String, report: ProbeReport, opts: OpenOptions) -> SecretStore {
        let inner = Inner {
            kind: worker.kind,
            why,
            persistence: report.persistence,
            engine: Engine::Worker(worker),
            op_timeout: opts.op_timeout,
        };
        SecretStore { inner: Arc::new(inner) }
    }

    pub fn kind(&self) -> BackendKind {
        self.inner.kind
    }

    /// Why this backend is in use, one sentence (for `doctor`).
    pub fn why(&self) -> &str {
        &self.inner.why
    }

    /// Where the secret is kept and for how long (for `doctor`).
    pub fn persistence(&self) -> &str {
        &self.inner.persistence
    }

    /// The profile's secret; `None` when none is stored (or, for `env`, when the variable is unset).
    pub async fn get(&self, profile: &str) -> Result<Option<SecretString>, SecretsError> {
        check_profile(profile)?;
        let Engine::Worker(_) = self.inner.engine else {
            return env_secret(std::env::var_os(ENV_SECRET));
        };
        let owned = profile.to_owned();
        let found = self
            .call(Action::Read, profile, move |b| b.get(SERVICE, &owned))
            .await?;
        tracing::debug!(
            backend = self.kind().name(),
            profile,
            found = found.is_some(),
            "secret read"
        );
        Ok(found)
    }

    /// Stores (or replaces) the profile's secret.
    pub async fn set(&self, profile: &str, secret: &SecretString) -> Result<(), SecretsError> {
        check_profile(profile)?;
        if secret.expose_secret().is_empty() {
            return Err(SecretsError::EmptySecret);
        }
        let Engine::Worker(_) = self.inner.engine else {
            return Err(SecretsError::EnvStoresNothing { action: Action::Store });
        };
        let owned = profile.to_owned();
        let secret = secret.clone();
        self.call(Action::Store, profile, move |b| b.set(SERVICE, &owned, &secret))
            .await?;
        tracing::info!(backend = self.kind().name(), profile, "secret stored");
        Ok(())
    }

    /// Deletes the profile's secret; `false` when there was none.
    pub async fn delete(&self, profile: &str) -> Result<bool, SecretsError> {
        check_profile(profile)?;
        let Engine::Worker(_) = self.inner.engine else {
            return Err(SecretsError::EnvStoresNothing { action: Action::Delete });
        };
        let owned = profile.to_owned();
        let deleted = self
            .call(Action::Delete, profile, move |b| b.delete(SERVICE, &owned))
            .await?;
        tracing::info!(backend = self.kind().name(), profile, deleted, "secret deleted");
        Ok(deleted)
    }

    async fn call<T, F>(&self, action: Action, profile: &str, f: F) -> Result<T, SecretsError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn worker::Backend) -> Result<T, SecretsError> + Send + 'static,
    {
        let Engine::Worker(w) = &self.inner.engine else {
            return Err(SecretsError::WorkerGone { kind: self.kind() });
        };
        let after = self.inner.op_timeout;
        match w.call(after, f).await {
            Ok(result) => result,
            Err(CallError::TimedOut) => {
                tracing::warn!(backend = self.kind().name(), profile, %action, "secret store timed out");
                Err(SecretsError::TimedOut {
                    kind: self.kind(),
                    action,
                    profile: profile.to_owned(),
                    after,
                })
            }
            Err(CallError::Gone) => Err(SecretsError::WorkerGone { kind: self.kind() }),
        }
    }
}

/// For `reviewdesk doctor`: every store probed, whether it works, and the detail.
pub async fn diagnose() -> Vec<Probe> {
    diagnose_with(OpenOptions::default()).await
}

pub async fn diagnose_with(opts: OpenOptions) -> Vec<Probe> {
    let outcomes = futures::future::join_all(STORES.iter().map(|&kind| start(kind, opts))).await;
    let mut probes = Vec::new();
    for (&kind, outcome) in STORES.iter().zip(outcomes) {
        probes.push(match outcome {
            Ok((_worker, report)) => {
                let detail = with_notes(format!("works; keeps secrets {}", report.persistence), &report);
                Probe {
                    name: kind.name(),
                    works: true,
                    detail,
                }
            }
            Err(reason) => Probe {
                name: kind.name(),
                works: false,
                detail: reason,
            },
        });
    }
    let env = match env_secret(std::env::var_os(ENV_SECRET)) {
        Ok(Some(_)) => Probe {
            name: "env",
            works: true,
            detail: format!("{ENV_SECRET} is set (value not shown)"),
        },
        Ok(None) => Probe {
            name: "env",
            works: false,
            detail: format!("{ENV_SECRET} is not set"),
        },
        Err(e) => Probe {
            name: "env",
            works: false,
            detail: e.to_string(),
        },
    };
    probes.push(env);
    probes
}

/// Starts the store's thread, connects and probes, all within `opts.probe_timeout`.
/// The error is why the store is not usable, as a phrase.
async fn start(kind: BackendKind, opts: OpenOptions) -> Result<(Worker, ProbeReport), String> {
    #[cfg(target_os = "linux")]
    let make = move || linux::make_backend(kind);
    #[cfg(target_os = "macos")]
    let make = move || macos::make_backend(kind);
    #[cfg(windows)]
    let make = move || windows::make_backend(kind);
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    let make = || Err::<Box<dyn worker::Backend>, _>("not supported on this platform yet".to_owned());
    start_backend(kind, opts, make).await
}

async fn start_backend<F>(kind: BackendKind, opts: OpenOptions, make: F) -> Result<(Worker, ProbeReport), String>
where
    F: FnOnce() -> Result<Box<dyn worker::Backend>, String> + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + opts.probe_timeout;
    let timed_out = || {
        format!(
            "it did not answer within {}{}",
            error::seconds(opts.probe_timeout),
            error::locked_hint(kind)
        )
    };
    let worker = match Worker::start(kind, deadline, make).await {
        Ok(w) => w,
        Err(StartError::TimedOut) => return Err(timed_out()),
        Err(StartError::Failed(reason)) => return Err(reason),
    };
    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
    match worker.call(left, |b| b.probe()).await {
        Ok(Ok(report)) => Ok((worker, report)),
        Ok(Err(reason)) => Err(reason),
        Err(CallError::TimedOut) => Err(timed_out()),
        Err(CallError::Gone) => Err("its thread stopped while probing it".to_owned()),
    }
}

fn with_notes(why: String, report: &ProbeReport) -> String {
    if report.notes.is_empty() {
        why
    } else {
        format!("{why}; {}", report.notes.join("; "))
    }
}

fn check_profile(profile: &str) -> Result<(), SecretsError> {
    if profile.trim().is_empty() {
        Err(SecretsError::EmptyProfile)
    } else {
        Ok(())
    }
}

/// The `env` backend's secret from the variable's value; empty counts as unset.
fn env_secret(value: Option<std::ffi::OsString>) -> Result<Option<SecretString>, SecretsError> {
    let Some(value) = value else { return Ok(None) };
    let text = match value.into_string() {
        Ok(text) => Zeroizing::new(text),
        Err(raw) => {
            raw.into_encoded_bytes().zeroize();
            return Err(SecretsError::EnvNotUnicode);
        }
    };
    if text.is_empty() {
        Ok(None)
    } else {
        Ok(Some(SecretString::from(text.as_str())))
    }
}
