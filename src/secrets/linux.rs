//! The Linux stores: the Secret Service over D-Bus, and the kernel key retention service
//! (keyutils), with the session keyring repairs that make the latter work over SSH and in tmux.

use std::sync::Arc;

use keyring_core::api::CredentialStoreApi;
use keyring_core::{Entry, Error};

use super::BackendKind;
use super::error::detail;
use super::keyring::{KeyringBackend, Source};
use super::worker::Backend;

/// Builds the store of `kind` (blocking: connects to D-Bus, checks the session keyring).
/// Runs on the store's own thread.
pub(crate) fn make_backend(kind: BackendKind) -> Result<Box<dyn Backend>, String> {
    match kind {
        BackendKind::SecretService => Ok(Box::new(KeyringBackend::new(SecretService::connect()?))),
        BackendKind::Keyutils => Ok(Box::new(KeyringBackend::new(Keyutils::open()?))),
        BackendKind::Env => Err("the env backend has no store".to_owned()),
    }
}

// ---------------------------------------------------------------------------------------------
// Secret Service

struct SecretService {
    store: Arc<zbus_secret_service_keyring_store::Store>,
}

impl SecretService {
    fn connect() -> Result<Self, String> {
        match zbus_secret_service_keyring_store::Store::new() {
            Ok(store) => Ok(SecretService { store }),
            Err(e) => Err(no_connection_reason(detail(e))),
        }
    }
}

fn no_connection_reason(detail: String) -> String {
    let unreachable = |at: &str| format!("nothing answers at the D-Bus session bus address {at}");
    match session_bus() {
        SessionBus::Missing => "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and \
                                $XDG_RUNTIME_DIR/bus does not exist)"
            .to_owned(),
        SessionBus::Socket(path) if std::os::unix::net::UnixStream::connect(&path).is_err() => {
            unreachable(&path.display().to_string())
        }
        SessionBus::Socket(_) | SessionBus::Other => {
            format!("no Secret Service (such as gnome-keyring-daemon) answered on the D-Bus session bus ({detail})")
        }
    }
}

enum SessionBus {
    Missing,
    Socket(std::path::PathBuf),
    /// An address this code does not check (abstract socket, tcp, ...).
    Other,
}

/// The session bus as zbus finds it: DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus`.
fn session_bus() -> SessionBus {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(addr) if !addr.trim().is_empty() => {
            let first = addr.split(';').next().unwrap_or_default();
            let path = first
                .strip_prefix("unix:")
                .and_then(|p| p.split(',').find_map(|kv| kv.strip_prefix("path=")));
            path.map_or(SessionBus::Other, |p| SessionBus::Socket(p.into()))
        }
        _ => match std::env::var_os("XDG_RUNTIME_DIR").map(|d| std::path::Path::new(&d).join("bus")) {
            Some(bus) if bus.exists() => SessionBus::Socket(bus),
            _ => SessionBus::Missing,
        },
    }
}

impl Source for SecretService {
    fn kind(&self) -> BackendKind {
        BackendKind::SecretService
    }

    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        self.store.build(service, user, None)
    }

    fn persistence(&self) -> String {
        "until deleted (kept encrypted on disk in the Secret Service's default collection, usually your login keyring)"
            .to_owned()
    }

    fn unusable_because(&self, err: Error) -> String {
        match err {
            Error::NoStorageAccess(_) => format!(
                "its default collection is locked or missing and cannot be unlocked without a desktop prompt ({})",
                detail(err)
            ),
            other => detail(other),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Kernel keyring

struct Keyutils {
    store: Arc<linux_keyutils_keyring_store::Store>,
    notes: Vec<String>,
    /// Whether the last entry built could link the per-user persistent keyring.
    persistent: bool,
    /// Joining a fresh session keyring to get the persistent keyring linked is tried only once.
    persistent_retried: bool,
}

impl Keyutils {
    fn open() -> Result<Self, String> {
        let mut me = Keyutils {
            store: linux_keyutils_keyring_store::Store::new().map_err(detail)?,
            notes: Vec::new(),
            persistent: true,
            persistent_retried: false,
        };
        me.check_session()?;
        Ok(me)
    }

    /// Joins a fresh session keyring, before anything is written, when the current one would
    /// refuse or misplace writes.
    fn check_session(&mut self) -> Result<(), String> {
        let why = match session::state() {
            session::State::Own => return Ok(()),
            session::State::NotOwn => {
                "this process had no session keyring of its own (writes would be refused)".to_owned()
            }
            session::State::Revoked => {
                "its session keyring had been revoked (as in a tmux server that outlived the SSH login \
                 that started it)"
                    .to_owned()
            }
            session::State::Denied => "access to its session keyring was denied".to_owned(),
            session::State::Blocked(errno) => {
                return Err(format!(
                    "the keyctl system call is not permitted here ({}; containers under Docker's default \
                     seccomp profile block it)",
                    session::errno_name(errno)
                ));
            }
            session::State::Other(errno) => format!("its session keyring is unusable ({})", session::errno_name(errno)),
        };
        self.join(why)
    }

    fn join(&mut self, why: String) -> Result<(), String> {
        match session::join_fresh() {
            Ok(()) => {
                tracing::info!(backend = "keyutils", reason = %why, "joined a fresh session keyring");
                self.notes.push(format!("{why}, so it joined a fresh session keyring"));
                Ok(())
            }
            Err(errno) => Err(format!(
                "{why}, and joining a fresh session keyring failed ({})",
                session::errno_name(errno)
            )),
        }
    }

    fn build(&self, service: &str, user: &str) -> keyring_core::Result<(Entry, bool)> {
        let entry = self.store.build(service, user, None)?;
        let linked = entry
            .as_any()
            .downcast_ref::<linux_keyutils_keyring_store::Cred>()
            .is_some_and(|c| c.persistent.is_some());
        Ok((entry, linked))
    }
}

impl Source for Keyutils {
    fn kind(&self) -> BackendKind {
        BackendKind::Keyutils
    }

    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        // The session can be revoked while we run (the SSH login behind a tmux server ends).
        if let Err(reason) = self.check_session() {
            return Err(Error::NoStorageAccess(reason.into()));
        }
        let (mut entry, mut linked) = self.build(service, user)?;
        if !linked && !self.persistent_retried {
            // Without the persistent keyring, values stored from other sessions are not found.
            self.persistent_retried = true;
            let why = "the persistent keyring could not be linked into its session keyring".to_owned();
            if self.join(why).is_ok() {
                (entry, linked) = self.build(service, user)?;
            }
        }
        self.persistent = linked;
        Ok(entry)
    }

    fn heal(&mut self, err: &Error) -> bool {
        let Error::NoStorageAccess(cause) = err else {
            return false;
        };
        self.join(format!("the kernel refused access to its session keyring ({cause})"))
            .is_ok()
    }

    fn persistence(&self) -> String {
        if !self.persistent {
            return "until this login session ends or the machine reboots (kernel session keyring; \
                    the per-user persistent keyring is not available)"
                .to_owned();
        }
        let expiry = std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(3 * 24 * 3600);
        format!(
            "until the machine reboots; unused for {} it expires (kernel persistent keyring)",
            human_duration(expiry)
        )
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    fn unusable_because(&self, err: Error) -> String {
        match err {
            Error::NoStorageAccess(_) => format!("the kernel refused access to the session keyring ({})", detail(err)),
            other => detail(other),
        }
    }
}

fn human_duration(secs: u64) -> String {
    let hours = secs.div_ceil(3600);
    if hours >= 48 {
        format!("~{} days", (hours + 12) / 24)
    } else if hours > 1 {
        format!("~{hours} hours")
    } else {
        format!("~{} minutes", secs.div_ceil(60))
    }
}

/// The calling thread's session keyring, through keyctl(2). Session keyrings belong to a thread's
/// credentials, so all of this only affects the thread it runs on (the store's own thread).
mod session {
    use libc::{c_long, c_ulong};

    const KEYCTL_GET_KEYRING_ID: c_long = 0;
    const KEYCTL_JOIN_SESSION_KEYRING: c_long = 1;
    const KEY_SPEC_SESSION_KEYRING: c_long = -3;
    const KEY_SPEC_USER_SESSION_KEYRING: c_long = -5;

    #[derive(Debug, PartialEq, Eq)]
    pub(super) enum State {
        Own,
        /// No session keyring of its own: the kernel falls back to the per-user session keyring,
        /// where keys added cannot then be linked or read (AccessDenied).
        NotOwn,
        Revoked,
        Denied,
        /// keyctl itself is refused (seccomp, or a kernel without keys).
        Blocked(i32),
        Other(i32),
    }

    fn keyring_id(spec: c_long) -> Result<c_long, i32> {
        // SAFETY: KEYCTL_GET_KEYRING_ID takes two integers and touches no memory of ours.
        let r = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, spec, 0 as c_ulong) };
        if r < 0 {
            Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
        } else {
            Ok(r)
        }
    }

    pub(super) fn state() -> State {
        match keyring_id(KEY_SPEC_SESSION_KEYRING) {
            Ok(session) => match keyring_id(KEY_SPEC_USER_SESSION_KEYRING) {
                Ok(user_session) if user_session == session => State::NotOwn,
                _ => State::Own,
            },
            Err(libc::EKEYREVOKED) => State::Revoked,
            Err(libc::EACCES) => State::Denied,
            Err(e @ (libc::EPERM | libc::ENOSYS | libc::EOPNOTSUPP)) => State::Blocked(e),
            Err(e) => State::Other(e),
        }
    }

    /// keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a new anonymous session keyring for this thread.
    pub(super) fn join_fresh() -> Result<(), i32> {
        // SAFETY: a NULL name asks for a new anonymous keyring; no memory is read.
        let r = unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                KEYCTL_JOIN_SESSION_KEYRING,
                std::ptr::null::<libc::c_char>(),
            )
        };
        if r < 0 {
            Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
        } else {
            Ok(())
        }
    }

    pub(super) fn errno_name(errno: i32) -> String {
        let name = match errno {
            libc::EACCES => "EACCES, access denied",
            libc::EKEYREVOKED => "EKEYREVOKED, key revoked",
            libc::EPERM => "EPERM, operation not permitted",
            libc::ENOSYS => "ENOSYS, not implemented",
            libc::EOPNOTSUPP => "EOPNOTSUPP, not supported",
            libc::EDQUOT => "EDQUOT, key quota exceeded",
            _ => return format!("errno {errno}"),
        };
        name.to_owned()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn errno_names_are_readable() {
            assert_eq!(super::errno_name(libc::EKEYREVOKED), "EKEYREVOKED, key revoked");
            assert_eq!(super::errno_name(12345), "errno 12345");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(259_200), "~3 days");
        assert_eq!(human_duration(36_000), "~10 hours");
        assert_eq!(human_duration(600), "~10 minutes");
    }
}
