//! Errors of the secret stores. Every message is one sentence a person can act on, and none ever
//! contains a secret: store errors that carry secret bytes are zeroised here, never formatted.

use std::time::Duration;

use zeroize::Zeroize;

use super::choice::choices_here;
use super::{BackendChoice, BackendKind, ENV_SECRET};

/// What was being done when something failed, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    Store,
    Delete,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Read => "read the secret",
            Action::Store => "store the secret",
            Action::Delete => "delete the secret",
        })
    }
}

/// One store that `auto` tried, and why it was not usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub store: BackendKind,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    #[error("unknown secrets backend {given:?}: use one of {}", choices_here(false))]
    UnknownBackend { given: String },

    #[error(
        "the secrets backend {choice} exists only on {}; choose one of {} here",
        choice.platform(), choices_here(false)
    )]
    WrongPlatform { choice: BackendChoice },

    #[error("no secret store works here ({}); {FIXES}", list_attempts(.tried))]
    NoStoreWorks { tried: Vec<Attempt> },

    #[error("the {kind} does not work here: {reason}; {}", fix_for(*.kind))]
    Unavailable { kind: BackendKind, reason: String },

    #[error(
        "timed out waiting for the {kind}{} after {} while trying to {action} for profile {profile:?}; {}",
        locked_hint(*.kind), seconds(*.after), fix_for(*.kind)
    )]
    TimedOut {
        kind: BackendKind,
        action: Action,
        profile: String,
        after: Duration,
    },

    #[error("the {kind} refused to {action} for profile {profile:?} ({detail}); {}", refusal_fix(*.kind))]
    Refused {
        kind: BackendKind,
        action: Action,
        profile: String,
        detail: String,
    },

    #[error("could not {action} for profile {profile:?} in the {kind}: {detail}")]
    Failed {
        kind: BackendKind,
        action: Action,
        profile: String,
        detail: String,
    },

    #[error(
        "the secret stored for profile {profile:?} in the {kind} is not valid UTF-8; store it again \
         (`reviewdesk profile edit {profile} --rotate-secret`)"
    )]
    NotUtf8 { kind: BackendKind, profile: String },

    #[error(
        "the {kind} holds {count} secrets for profile {profile:?}; remove the extra ones \
         (for example with `secret-tool clear service reviewdesk username {profile}`) and store it again"
    )]
    Ambiguous {
        kind: BackendKind,
        profile: String,
        count: usize,
    },

    #[error("the client secret is empty; give the secret shown when it was created in Entra ID")]
    EmptySecret,

    #[error("a profile name is needed to find its secret")]
    EmptyProfile,

    #[error(
        "the env secrets backend stores nothing, it only reads {ENV_SECRET} for this run, so it cannot {action}; \
         choose the secrets backend {} to keep secrets",
        choices_here(true)
    )]
    EnvStoresNothing { action: Action },

    #[error("{ENV_SECRET} is not valid UTF-8; set it to the client secret as plain text")]
    EnvNotUnicode,

    #[error(
        "secret stores are not supported on this platform yet; set the secrets backend to env and give the \
         secret in {ENV_SECRET}"
    )]
    Unsupported,

    #[error("the {kind} worker thread stopped unexpectedly; restart reviewdesk")]
    WorkerGone { kind: BackendKind },
}

#[cfg(not(any(target_os = "macos", windows)))]
const FIXES: &str = "to fix it, run reviewdesk under `keyctl session -`, or start `gnome-keyring-daemon --unlock` \
                     inside `dbus-run-session`, or give the secret for this run in REVIEWDESK_CLIENT_SECRET \
                     with the secrets backend set to env";
#[cfg(target_os = "macos")]
const FIXES: &str = "to fix it, unlock the login keychain with `security unlock-keychain` (over SSH it stays \
                     locked until you do), or give the secret for this run in REVIEWDESK_CLIENT_SECRET with the \
                     secrets backend set to env";
#[cfg(windows)]
const FIXES: &str = "to fix it, run reviewdesk in a local or Remote Desktop session (Windows gives network logons, \
                     such as most SSH logins, no Credential Manager), or give the secret for this run in \
                     REVIEWDESK_CLIENT_SECRET with the secrets backend set to env";

fn list_attempts(tried: &[Attempt]) -> String {
    let parts: Vec<String> = tried.iter().map(|a| format!("{}: {}", a.store, a.reason)).collect();
    parts.join("; ")
}

fn fix_for(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::SecretService => {
            "start `gnome-keyring-daemon --unlock` inside `dbus-run-session`, or choose the secrets backend keyutils"
        }
        BackendKind::Keyutils => {
            "run reviewdesk under `keyctl session -`, or choose the secrets backend secret-service or env"
        }
        #[cfg(target_os = "macos")]
        BackendKind::Keychain => {
            "unlock the login keychain with `security unlock-keychain` (over SSH it stays locked until you do), \
             or choose the secrets backend env"
        }
        #[cfg(windows)]
        BackendKind::CredentialManager => {
            "run reviewdesk in a local or Remote Desktop session (Windows gives network logons, such as most SSH \
             logins, no Credential Manager), or choose the secrets backend env"
        }
        BackendKind::Env => "set REVIEWDESK_CLIENT_SECRET, or choose another secrets backend",
    }
}

fn refusal_fix(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::SecretService => {
            "unlock the collection (for example `gnome-keyring-daemon --unlock`), or choose the secrets backend keyutils"
        }
        #[cfg(target_os = "macos")]
        BackendKind::Keychain => {
            "unlock the login keychain with `security unlock-keychain` and allow reviewdesk when macOS asks, \
             or choose the secrets backend env"
        }
        _ => fix_for(kind),
    }
}

pub(crate) fn locked_hint(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::SecretService => " (is the collection locked?)",
        #[cfg(target_os = "macos")]
        BackendKind::Keychain => " (is the keychain locked, or waiting for you to allow access?)",
        _ => "",
    }
}

pub(crate) fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Turns a store error into a short detail for messages, zeroising any secret bytes it carries.
/// Never formats the error with `{:?}`: some variants hold the secret.
#[cfg_attr(not(any(target_os = "linux", target_os = "macos", windows)), allow(dead_code))]
pub(crate) fn detail(err: keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match err {
        E::PlatformFailure(e) | E::NoStorageAccess(e) => e.to_string(),
        E::NoEntry => "no such entry".to_owned(),
        E::BadEncoding(mut bytes) => {
            bytes.zeroize();
            "the stored value is not valid UTF-8".to_owned()
        }
        E::BadDataFormat(mut bytes, _) => {
            bytes.zeroize();
            "the stored value is malformed".to_owned()
        }
        E::BadStoreFormat(reason) => format!("the store is malformed: {reason}"),
        E::TooLong(what, limit) => format!("the {what} is longer than the store's limit of {limit}"),
        E::Invalid(what, reason) => format!("the store rejected the {what}: {reason}"),
        E::Ambiguous(items) => format!("{} entries match", items.len()),
        E::NoDefaultStore => "no store was built (a bug in reviewdesk)".to_owned(),
        E::NotSupportedByStore(what) => format!("not supported by this store: {what}"),
        _ => "an unknown error in the store".to_owned(),
    }
}

/// Maps a failed operation on one profile to the error the caller sees.
#[cfg_attr(not(any(target_os = "linux", target_os = "macos", windows)), allow(dead_code))]
pub(crate) fn op_error(kind: BackendKind, action: Action, profile: &str, err: keyring_core::Error) -> SecretsError {
    use keyring_core::Error as E;
    let profile = profile.to_owned();
    match err {
        E::NoStorageAccess(_) => SecretsError::Refused {
            kind,
            action,
            profile,
            detail: detail(err),
        },
        E::BadEncoding(mut bytes) => {
            bytes.zeroize();
            SecretsError::NotUtf8 { kind, profile }
        }
        E::Ambiguous(items) => SecretsError::Ambiguous {
            kind,
            profile,
            count: items.len(),
        },
        other => SecretsError::Failed {
            kind,
            action,
            profile,
            detail: detail(other),
        },
    }
}
