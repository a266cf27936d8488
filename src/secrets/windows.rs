//! The Windows store: generic credentials in the Credential Manager (target `profile.reviewdesk`).
//!
//! Network logons, such as most SSH logins, get no Credential Manager: every call then fails with
//! ERROR_NO_SUCH_LOGON_SESSION, which is reported as a store refusing access, with a local or
//! Remote Desktop session (or the env backend) as the fix.
//!
//! `set_password` stores the secret as UTF-16, the Windows convention (so other Windows tools read
//! it as text), so it is read back with `get_password`, not as UTF-8 bytes.

use std::sync::Arc;

use keyring_core::api::CredentialStoreApi;
use keyring_core::{Entry, Error};
use windows_native_keyring_store::Store;
use zeroize::Zeroizing;

use super::BackendKind;
use super::error::detail;
use super::keyring::{KeyringBackend, Source};
use super::worker::Backend;

/// Builds the store of `kind`. Runs on the store's own thread.
pub(crate) fn make_backend(kind: BackendKind) -> Result<Box<dyn Backend>, String> {
    match kind {
        BackendKind::CredentialManager => Ok(Box::new(KeyringBackend::new(CredentialManager::open()?))),
        other => Err(format!("the {other} does not exist on Windows")),
    }
}

struct CredentialManager {
    store: Arc<Store>,
}

impl CredentialManager {
    fn open() -> Result<Self, String> {
        Store::new().map(|store| CredentialManager { store }).map_err(detail)
    }
}

impl Source for CredentialManager {
    fn kind(&self) -> BackendKind {
        BackendKind::CredentialManager
    }

    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        // The store's default persistence (Enterprise): kept across logons, and roaming with the
        // user's profile where roaming profiles are set up.
        self.store.build(service, user, None)
    }

    fn persistence(&self) -> String {
        "until deleted (a generic credential in Windows Credential Manager, encrypted for your Windows account; \
         it roams with your profile where roaming profiles are set up)"
            .to_owned()
    }

    fn read_text(entry: &Entry) -> keyring_core::Result<Zeroizing<String>> {
        entry.get_password().map(Zeroizing::new)
    }

    fn unusable_because(&self, err: Error) -> String {
        match err {
            Error::NoStorageAccess(_) => format!(
                "this logon session has no Credential Manager, as for network logons such as most SSH logins ({})",
                detail(err)
            ),
            other => detail(other),
        }
    }
}
