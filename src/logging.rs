//! Logs go to a file under the state directory, never to the terminal the program is using.
//! `RUST_LOG` is respected, except that the HTTP stack is held at `info`: its trace output can
//! carry headers, and headers carry bearer tokens.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub const ENV_LOG_FILE: &str = "REVIEWDESK_LOG_FILE";

/// `$REVIEWDESK_LOG_FILE`, else `reviewdesk.log` in the state directory
/// (`$XDG_STATE_HOME/reviewdesk` on Linux).
pub fn default_log_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_LOG_FILE) {
        return Some(PathBuf::from(p));
    }
    let dirs = crate::config::project_dirs()?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("reviewdesk.log"))
}

/// Starts logging to `path`; the guard flushes on drop. Failing to open the log is not a reason
/// to refuse to work, so it only returns `None`.
pub fn init(path: Option<&Path>) -> Option<WorkerGuard> {
    let path = path?;
    let dir = path.parent()?;
    create_private_dir(dir).ok()?;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path).ok()?;
    restrict(path);
    let (writer, guard) = tracing_appender::non_blocking(file);
    let user = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let filter = EnvFilter::try_new(format!(
        "{user},hyper=info,hyper_util=info,h2=info,reqwest=info,rustls=info"
    ))
    .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}
