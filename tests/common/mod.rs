//! Shared test plumbing: an emulator on a random loopback port and a client pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use reviewdesk::auth::{Credentials, TokenEndpointVersion};
use reviewdesk::config::{Config, Endpoints, validate_endpoint_url};
use reviewdesk::emulator::{self, EmulatorConfig, EmulatorHandle};
use reviewdesk::session::{Session, quick_retry};
use secrecy::SecretString;

pub async fn emulator(config: EmulatorConfig) -> EmulatorHandle {
    emulator::start(config).await.expect("emulator starts")
}

pub fn default_credentials() -> Credentials {
    Credentials {
        tenant: emulator::DEFAULT_TENANT_ID.to_owned(),
        client_id: emulator::DEFAULT_CLIENT_ID.to_owned(),
        secret: SecretString::from(emulator::DEFAULT_CLIENT_SECRET.to_owned()),
    }
}

pub fn session_with(
    handle: &EmulatorHandle,
    credentials: Credentials,
    version: TokenEndpointVersion,
    config: Config,
) -> Session {
    let url = validate_endpoint_url(&handle.base_url(), "test").unwrap();
    let endpoints = Endpoints {
        login: url.clone(),
        api: url,
        token_version: version,
    };
    Session::new(config, endpoints, credentials, quick_retry()).unwrap()
}

pub fn session(handle: &EmulatorHandle) -> Session {
    session_with(
        handle,
        default_credentials(),
        TokenEndpointVersion::V1,
        Config::default(),
    )
}

pub fn short_timeout_config(request_secs: u64) -> Config {
    let mut c = Config::default();
    c.network.request_timeout_secs = request_secs;
    c
}

pub const APP: &str = "9NBLGGGZ5QDR";

/// The real binary in a private HOME (its XDG directories below it), inheriting nothing but
/// PATH: no REVIEWDESK_*, no keyring or session bus of the developer's.
pub fn bin_in(home: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reviewdesk"));
    private_home(&mut c, home);
    c
}

/// `cmd` (the binary, or a wrapper such as `keyctl session -` that starts it) inherits nothing but
/// PATH, and has its HOME and XDG directories below `home`.
pub fn private_home(cmd: &mut std::process::Command, home: &std::path::Path) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
}

/// `REVIEWDESK_*` credentials and endpoints for the emulator at `url` (the UI's database is
/// then the one named "env").
pub fn emulator_env(cmd: &mut std::process::Command, url: &str) {
    cmd.env("REVIEWDESK_LOGIN_URL", url)
        .env("REVIEWDESK_API_URL", url)
        .env("REVIEWDESK_TENANT_ID", emulator::DEFAULT_TENANT_ID)
        .env("REVIEWDESK_CLIENT_ID", emulator::DEFAULT_CLIENT_ID)
        .env("REVIEWDESK_CLIENT_SECRET", emulator::DEFAULT_CLIENT_SECRET);
}

/// Writes `config.toml` where the binary in `home` (see [`bin_in`]) reads it.
pub fn write_config(home: &std::path::Path, text: &str) {
    let dir = home.join("config").join("reviewdesk");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// Every file under `dir`, recursively (for scans of what the program left behind).
pub fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}
pub mod db_thread;
pub mod flows;
pub mod keyring;
pub mod pty;
pub mod soak;
pub mod tmux;
pub mod tui;

/// Characters as a terminal sends them: Shift with capitals.
pub fn typed(
    s: &str,
) -> impl Iterator<
    Item = (
        ratatui::crossterm::event::KeyCode,
        ratatui::crossterm::event::KeyModifiers,
    ),
> + '_ {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    s.chars().map(|c| {
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        (KeyCode::Char(c), mods)
    })
}

/// An emulator with `reviews` per app on its own runtime (so the binary's blocking runs are
/// awaited by nobody), and a private home for the binary's config, data and state. Each CLI
/// test file adds its own ways to run the binary against it.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub _rt: tokio::runtime::Runtime,
    pub home: tempfile::TempDir,
}

impl Emu {
    pub fn start(reviews: usize) -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = rt
            .block_on(emulator::start(EmulatorConfig {
                reviews_per_app: reviews,
                ..EmulatorConfig::default()
            }))
            .unwrap();
        Emu {
            handle,
            _rt: rt,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The real binary in the private home, with the emulator's endpoints and credentials.
    pub fn bin(&self) -> std::process::Command {
        let mut c = bin_in(self.home.path());
        emulator_env(&mut c, &self.handle.base_url());
        c
    }
}
