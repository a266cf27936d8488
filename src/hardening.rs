//! Keeping secrets inside this process: children start without them, and the OS is asked not to
//! write the process's memory (where the client secret and bearer tokens live) to a core dump.

use std::ffi::OsStr;
use std::process::Command;

/// Every variable of ours is left out of a child's environment, not only the client secret:
/// the children we start (`$EDITOR`) need none of them, and a list of "secret" names would have
/// to be kept in step with every variable added later.
const OWN_PREFIX: &str = "REVIEWDESK_";

/// Whether a child of ours may see the variable `name`.
pub fn is_inheritable(name: &OsStr) -> bool {
    !name.as_encoded_bytes().starts_with(OWN_PREFIX.as_bytes())
}

/// A command for `program` whose environment is ours minus every `REVIEWDESK_*` variable
/// (`REVIEWDESK_CLIENT_SECRET` among them). Every child process goes through here.
pub fn child_command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if !is_inheritable(&name) {
            command.env_remove(name);
        }
    }
    command
}

/// Core dumps off for this process, where the OS allows it. Best effort: a refusal leaves the
/// process as it was, and nothing here can fail the command being run.
///
/// On Linux the process is also marked non-dumpable, which keeps other processes of the same
/// user from attaching a debugger or reading `/proc/<pid>/mem` and `/proc/<pid>/environ`. A child
/// starts dumpable again at `exec`, so this does not reach `$EDITOR`.
pub fn disable_core_dumps() {
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &none);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes a plain integer and changes only a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_variables_are_not_inherited_and_others_are() {
        for own in ["REVIEWDESK_CLIENT_SECRET", "REVIEWDESK_CLIENT_ID", "REVIEWDESK_"] {
            assert!(!is_inheritable(OsStr::new(own)), "{own}");
        }
        for other in [
            "HOME",
            "PATH",
            "EDITOR",
            "reviewdesk_client_secret",
            "X_REVIEWDESK_CLIENT_SECRET",
        ] {
            assert!(is_inheritable(OsStr::new(other)), "{other}");
        }
    }

    #[test]
    fn core_dumps_are_off_afterwards() {
        disable_core_dumps();
        #[cfg(unix)]
        {
            let mut limit = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            // SAFETY: getrlimit writes into the struct we own.
            assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
            assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
        }
        #[cfg(target_os = "linux")]
        // SAFETY: PR_GET_DUMPABLE only reads a flag of this process.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
