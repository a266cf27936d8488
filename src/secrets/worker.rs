//! One dedicated thread per store, which runs every keyring call for it, with a timeout on the
//! caller's side.
//!
//! Why a thread of its own rather than `tokio::task::spawn_blocking`:
//! - a Secret Service call waiting for an unlock prompt can block for ever, and a tokio runtime
//!   waits for its `spawn_blocking` work when it is dropped, so the program could not even exit;
//!   this thread is detached, and the process exits without waiting for it;
//! - the kernel's session keyring belongs to a thread's credentials: when the keyutils store heals
//!   by joining a fresh session keyring, only the thread that joined has it, so every later call
//!   must run on that same thread.
//!
//! A call whose caller gave up (timed out) before the thread reached it is skipped, so a store
//! operation reported as timed out does not happen behind the user's back later.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{BackendKind, SecretsError};

/// What a store reports once its probe succeeded.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProbeReport {
    /// Sentences about what was done to make the store work (e.g. joining a session keyring).
    pub notes: Vec<String>,
    /// How long the store keeps secrets, for `doctor`.
    pub persistence: String,
}

/// A store's blocking operations, run only on its worker thread.
pub(crate) trait Backend: Send + 'static {
    fn get(&mut self, service: &str, user: &str) -> Result<Option<SecretString>, SecretsError>;
    fn set(&mut self, service: &str, user: &str, secret: &SecretString) -> Result<(), SecretsError>;
    /// `Ok(false)` when there was nothing to delete.
    fn delete(&mut self, service: &str, user: &str) -> Result<bool, SecretsError>;
    /// Checks that the store really works; the error is the reason it does not, as a phrase.
    fn probe(&mut self) -> Result<ProbeReport, String>;
}

type Job = Box<dyn FnOnce(&mut dyn Backend) + Send>;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CallError {
    TimedOut,
    /// The thread is gone, or the job panicked.
    Gone,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StartError {
    TimedOut,
    Failed(String),
}

pub(crate) struct Worker {
    tx: mpsc::Sender<Job>,
    pub(crate) kind: BackendKind,
}

impl Worker {
    /// Starts the thread and builds the backend on it with `make` (which may block, e.g. to connect
    /// to D-Bus). Gives up at `deadline`; the thread then ends on its own once `make` returns.
    pub(crate) async fn start<F>(kind: BackendKind, deadline: Instant, make: F) -> Result<Worker, StartError>
    where
        F: FnOnce() -> Result<Box<dyn Backend>, String> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = oneshot::channel::<Result<(), String>>();
        let spawned = std::thread::Builder::new()
            .name(format!("reviewdesk-{}", kind.name()))
            .spawn(move || {
                let made = catch_unwind(AssertUnwindSafe(make))
                    .unwrap_or_else(|_| Err("the store panicked while starting (a bug in reviewdesk)".to_owned()));
                let mut backend = match made {
                    Ok(b) => b,
                    Err(reason) => {
                        let _ = ready_tx.send(Err(reason));
                        return;
                    }
                };
                if ready_tx.send(Ok(())).is_err() {
                    return;
                }
                while let Ok(job) = rx.recv() {
                    job(backend.as_mut());
                }
                tracing::debug!(backend = kind.name(), "secret store thread finished");
            });
        if let Err(e) = spawned {
            return Err(StartError::Failed(format!("cannot start a thread for it: {e}")));
        }
        match tokio::time::timeout_at(deadline, ready_rx).await {
            Ok(Ok(Ok(()))) => Ok(Worker { tx, kind }),
            Ok(Ok(Err(reason))) => Err(StartError::Failed(reason)),
            Ok(Err(_)) => Err(StartError::Failed("its thread stopped while starting".to_owned())),
            Err(_) => Err(StartError::TimedOut),
        }
    }

    /// Runs `f` on the store's thread and waits at most `limit` for its result.
    pub(crate) async fn call<T, F>(&self, limit: Duration, f: F) -> Result<T, CallError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Backend) -> T + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<T>();
        let job: Job = Box::new(move |backend: &mut dyn Backend| {
            if reply_tx.is_closed() {
                return; // the caller gave up before we got here: do nothing
            }
            if let Ok(out) = catch_unwind(AssertUnwindSafe(|| f(backend))) {
                let _ = reply_tx.send(out);
            }
        });
        self.tx.send(job).map_err(|_| CallError::Gone)?;
        match tokio::time::timeout(limit, reply_rx).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(CallError::Gone),
            Err(_) => Err(CallError::TimedOut),
        }
    }
}
