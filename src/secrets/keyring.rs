//! The operations shared by the stores built on keyring-core (Secret Service, kernel keyring,
//! macOS Keychain, Windows Credential Manager): reading, writing and deleting one entry, the
//! probe, and error mapping.
//!
//! Entries are built from a store object for every operation, never through keyring-core's
//! process-wide default store, so its in-memory mock can never be what runs.

// Only the Linux, macOS and Windows stores use it.
#![cfg_attr(not(any(target_os = "linux", target_os = "macos", windows)), allow(dead_code))]

use std::sync::atomic::{AtomicU64, Ordering};

use keyring_core::{Entry, Error};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::error::{Action, SecretsError, detail, op_error};
use super::worker::{Backend, ProbeReport};
use super::{BackendKind, PROBE_SERVICE};

/// A keyring-core store, plus whatever it needs to stay usable.
pub(crate) trait Source: Send + 'static {
    fn kind(&self) -> BackendKind;
    /// An entry for `service`/`user`, built afresh from the store object.
    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry>;
    /// Called once when an operation failed with `err`: returns true when the store repaired
    /// itself and the operation is worth one more try.
    fn heal(&mut self, _err: &Error) -> bool {
        false
    }
    /// How long the store keeps secrets, for `doctor`.
    fn persistence(&self) -> String;
    /// Sentences about repairs made so far, cleared by this call.
    fn take_notes(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// Why the store does not work, as a phrase, from the error its probe got.
    fn unusable_because(&self, err: Error) -> String {
        detail(err)
    }
    /// Reclassifies an error of this store before anything looks at it (e.g. a platform error
    /// that really means "locked" becomes `NoStorageAccess`).
    fn map_error(&self, err: Error) -> Error {
        err
    }
    /// Reads an entry's value as text. Written with `set_password`, so by default UTF-8 bytes;
    /// a store whose `set_password` encodes otherwise reads it back its own way.
    fn read_text(entry: &Entry) -> keyring_core::Result<Zeroizing<String>>
    where
        Self: Sized,
    {
        let bytes = Zeroizing::new(entry.get_secret()?);
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(Zeroizing::new(text.to_owned())),
            Err(_) => Err(Error::BadEncoding(Vec::new())),
        }
    }
}

pub(crate) struct KeyringBackend<S> {
    src: S,
}

impl<S: Source> KeyringBackend<S> {
    pub(crate) fn new(src: S) -> Self {
        KeyringBackend { src }
    }

    /// Runs `op` on a fresh entry, and once more if the store healed after a failure.
    fn attempt<T>(
        &mut self,
        service: &str,
        user: &str,
        op: impl Fn(&Entry) -> keyring_core::Result<T>,
    ) -> keyring_core::Result<T> {
        let first = self.src.entry(service, user).and_then(|e| op(&e));
        match first.map_err(|e| self.src.map_error(e)) {
            Err(err) if !matches!(err, Error::NoEntry) && self.src.heal(&err) => self
                .src
                .entry(service, user)
                .and_then(|e| op(&e))
                .map_err(|e| self.src.map_error(e)),
            other => other,
        }
    }

    fn read(&mut self, service: &str, user: &str) -> keyring_core::Result<Option<SecretString>> {
        match self.attempt(service, user, S::read_text) {
            Ok(text) => Ok(Some(SecretString::from(text.as_str()))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn remove(&mut self, service: &str, user: &str) -> keyring_core::Result<bool> {
        match self.attempt(service, user, |e| e.delete_credential()) {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn probe_inner(&mut self, user: &str) -> Result<(), String> {
        let kind = self.src.kind();
        // Reading a missing entry proves the store answers, but not that it can keep anything: a
        // locked Secret Service collection answers "no such entry" too. So also write, read back
        // and delete a test entry.
        let leftover = self
            .read(PROBE_SERVICE, user)
            .map_err(|e| self.src.unusable_because(e))?;
        drop(leftover);
        let value = SecretString::from(format!("reviewdesk probe {user}"));
        self.attempt(PROBE_SERVICE, user, |e| e.set_password(value.expose_secret()))
            .map_err(|e| self.src.unusable_because(e))?;
        let back = self.read(PROBE_SERVICE, user).map_err(|e| self.src.unusable_because(e));
        let removed = self
            .remove(PROBE_SERVICE, user)
            .map_err(|e| self.src.unusable_because(e));
        match back? {
            Some(v) if v.expose_secret() == value.expose_secret() => {}
            Some(_) => {
                return Err(format!(
                    "a test entry read back from the {kind} differs from what was written"
                ));
            }
            None => return Err(format!("a test entry written to the {kind} could not be read back")),
        }
        removed?;
        Ok(())
    }
}

static PROBES: AtomicU64 = AtomicU64::new(0);

impl<S: Source> Backend for KeyringBackend<S> {
    fn get(&mut self, service: &str, user: &str) -> Result<Option<SecretString>, SecretsError> {
        self.read(service, user)
            .map_err(|e| op_error(self.src.kind(), Action::Read, user, e))
    }

    fn set(&mut self, service: &str, user: &str, secret: &SecretString) -> Result<(), SecretsError> {
        self.attempt(service, user, |e| e.set_password(secret.expose_secret()))
            .map_err(|e| op_error(self.src.kind(), Action::Store, user, e))
    }

    fn delete(&mut self, service: &str, user: &str) -> Result<bool, SecretsError> {
        self.remove(service, user)
            .map_err(|e| op_error(self.src.kind(), Action::Delete, user, e))
    }

    fn probe(&mut self) -> Result<ProbeReport, String> {
        // Unique per probe, so probes running at the same time never touch each other's entry.
        let user = format!(
            "probe-{}-{}",
            std::process::id(),
            PROBES.fetch_add(1, Ordering::Relaxed)
        );
        self.probe_inner(&user)?;
        Ok(ProbeReport {
            notes: self.src.take_notes(),
            persistence: self.src.persistence(),
        })
    }
}
