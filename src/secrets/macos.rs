//! The macOS store: generic passwords in the login keychain, through Keychain Services.
//!
//! Over SSH the login keychain is usually locked, and unlocking it needs a prompt that cannot be
//! shown there: Keychain Services then answers "user interaction is not allowed", which is
//! reported as a locked store, with `security unlock-keychain` as the fix. In a desktop session a
//! locked keychain, or an item written by an earlier build of reviewdesk, makes macOS ask the user;
//! the store's timeouts keep that from hanging anything.

use std::sync::Arc;

use apple_native_keyring_store::keychain::Store;
use keyring_core::api::CredentialStoreApi;
use keyring_core::{Entry, Error};

use super::BackendKind;
use super::error::detail;
use super::keyring::{KeyringBackend, Source};
use super::worker::Backend;

/// errSecInteractionNotAllowed: the keychain is locked and no prompt can be shown (as over SSH).
const INTERACTION_NOT_ALLOWED: i32 = -25308;
/// errSecAuthFailed: the keychain could not be unlocked, or access to the item was refused.
const AUTH_FAILED: i32 = -25293;
/// errSecUserCanceled: the user dismissed the prompt (Deny, Cancel).
const USER_CANCELED: i32 = -128;

/// Builds the store of `kind`. Runs on the store's own thread.
pub(crate) fn make_backend(kind: BackendKind) -> Result<Box<dyn Backend>, String> {
    match kind {
        BackendKind::Keychain => Ok(Box::new(KeyringBackend::new(Keychain::open()?))),
        other => Err(format!("the {other} does not exist on macOS")),
    }
}

struct Keychain {
    store: Arc<Store>,
}

impl Keychain {
    fn open() -> Result<Self, String> {
        // The default store uses the user's login keychain.
        Store::new().map(|store| Keychain { store }).map_err(detail)
    }
}

impl Source for Keychain {
    fn kind(&self) -> BackendKind {
        BackendKind::Keychain
    }

    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        self.store.build(service, user, None)
    }

    fn persistence(&self) -> String {
        "until deleted (kept encrypted in your login keychain, which your macOS password unlocks)".to_owned()
    }

    fn map_error(&self, err: Error) -> Error {
        match err {
            Error::PlatformFailure(inner) => {
                let code = inner
                    .downcast_ref::<security_framework::base::Error>()
                    .map(|e| e.code());
                match code {
                    Some(INTERACTION_NOT_ALLOWED | AUTH_FAILED | USER_CANCELED) => Error::NoStorageAccess(inner),
                    _ => Error::PlatformFailure(inner),
                }
            }
            other => other,
        }
    }

    fn unusable_because(&self, err: Error) -> String {
        match err {
            Error::NoStorageAccess(_) => format!(
                "the login keychain is locked or refused access, and cannot be unlocked without a prompt ({})",
                detail(err)
            ),
            other => detail(other),
        }
    }
}
