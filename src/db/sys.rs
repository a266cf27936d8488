//! What differs between operating systems: private modes, file identity, the open lock and
//! whether a process is alive. On Unix: modes 0700/0600, `flock`, `kill(pid, 0)`. Elsewhere
//! (Windows): the per-user data directory's ACL keeps files private, an open SQLite file cannot
//! be deleted, the open lock is skipped and no process is ever judged gone (leases decide).

use std::fs::{self, File, Metadata};
use std::io;
use std::path::Path;

#[cfg(unix)]
mod imp {
    use std::fs::{self, File, Metadata};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    /// Creates the directory 0700; tightens an existing one of ours that others can read.
    pub fn private_dir(dir: &Path) -> io::Result<()> {
        if !dir.exists() {
            fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        let meta = fs::metadata(dir)?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() == me && meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    pub fn private_file(path: &Path) -> io::Result<File> {
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        if file.metadata()?.permissions().mode() & 0o777 != 0o600 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
        Ok(file)
    }

    pub fn identity(meta: &Metadata) -> (u64, u64) {
        (meta.dev(), meta.ino())
    }

    pub fn lock(file: &File) -> io::Result<()> {
        loop {
            // SAFETY: flock on a descriptor we own; blocks until the lock is ours.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    pub fn unlock(file: &File) {
        // SAFETY: unlocking our own descriptor; closing it would release the lock anyway.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
    }

    pub fn pid_gone(pid: u32) -> bool {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks whether the pid exists; nothing is sent.
        let rc = unsafe { libc::kill(pid, 0) };
        rc != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::{self, File, Metadata};
    use std::io;
    use std::path::Path;

    pub fn private_dir(dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    pub fn private_file(path: &Path) -> io::Result<File> {
        fs::OpenOptions::new().create(true).append(true).open(path)
    }

    pub fn identity(_meta: &Metadata) -> (u64, u64) {
        (0, 0)
    }

    pub fn lock(_file: &File) -> io::Result<()> {
        Ok(())
    }

    pub fn unlock(_file: &File) {}

    pub fn pid_gone(_pid: u32) -> bool {
        false
    }
}

pub(crate) use imp::{pid_gone, private_dir};

/// Opens (creating) a file only its owner can read and write.
pub(crate) fn private_file(path: &Path) -> io::Result<File> {
    imp::private_file(path)
}

/// Device and inode (Unix): tells whether the path still names the file we opened.
pub(crate) fn identity(path: &Path) -> io::Result<(u64, u64)> {
    let meta: Metadata = fs::metadata(path)?;
    Ok(imp::identity(&meta))
}

/// An exclusive lock on a file, held until dropped (the file itself is kept).
pub(crate) struct FileLock(File);

impl FileLock {
    pub(crate) fn take(path: &Path) -> io::Result<FileLock> {
        let file = imp::private_file(path)?;
        imp::lock(&file)?;
        Ok(FileLock(file))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        imp::unlock(&self.0);
    }
}
