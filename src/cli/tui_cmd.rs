//! `reviewdesk [--app STOREID]...`: the terminal UI with the credentials at hand. With no
//! profile and no `REVIEWDESK_*` credentials, the first run opens the setup form instead; a
//! profile switch on the profiles screen ends the UI and starts it again here, re-resolved.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;

use crate::config::{self, Config};
use crate::keymap::Keymap;
use crate::outbox_sender::SendPolicy;
use crate::profiles::ops::reload_config;
use crate::session::{Session, usage};
use crate::store::validate::normalize_store_id;
use crate::tui::app::AppEntry;
use crate::tui::db_worker::DraftsAt;
use crate::tui::store_worker::Clients;
use crate::tui::{self, Outcome, Persistence, ProfilesOptions, TuiOptions};

pub const ENV_APPS: &str = "REVIEWDESK_APPS";

pub async fn run(config: Config, apps: Vec<String>) -> Result<ExitCode> {
    let mut ids = apps;
    if ids.is_empty()
        && let Ok(v) = std::env::var(ENV_APPS)
    {
        ids = v
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect();
    }
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| usage(format!("config.toml: {e}")))?;
    let days = config.reviews.default_days;
    let env_credentials = config::credentials_from_env()
        .map_err(|e| usage(e.to_string()))?
        .is_some();
    let mut config = config;
    let mut notice = None;
    if !env_credentials && config.selected_profile.is_none() && config.profiles.is_empty() && interactive() {
        let options = TuiOptions {
            apps: Vec::new(),
            profile: String::new(),
            keymap: keymap.clone(),
            days,
            default_public: true,
            support_email: None,
            send_policy: SendPolicy::default(),
            profiles: Some(ProfilesOptions {
                config: config.clone(),
                current: None,
                env_credentials,
            }),
            notice: None,
            tick: config.ui.tick(),
            volume: Default::default(),
        };
        match tui::run(tui::Start::Setup, options).await? {
            Outcome::Quit => return Ok(ExitCode::SUCCESS),
            Outcome::Switch { profile, notice: n } => {
                config = switched(&config, profile)?;
                notice = n;
            }
        }
        // The apps named on the command line were for no profile; the new one names its own.
        ids.clear();
    }
    let mut session = Session::resolve(config.clone()).await?;
    loop {
        // A Commerce profile's session reads sites only: no Store client, no outbox.
        let reads_store = session
            .source()
            .capabilities()
            .has(crate::provider::Feature::ListReviews);
        if !reads_store && !ids.is_empty() {
            return Err(usage(format!(
                "--app names Store apps, and profile {} is a Commerce site: open a Store profile with --profile NAME, or leave --app out",
                session.profile.as_ref().map_or("", |(n, _)| n.as_str())
            )));
        }
        let mut entries: Vec<AppEntry> = Vec::new();
        for id in &ids {
            let id = normalize_store_id(id).map_err(|e| usage(e.to_string()))?;
            if !entries.iter().any(|e| e.id == id) {
                entries.push(AppEntry { id, name: None });
            }
        }
        let support_email = session.profile.as_ref().and_then(|(_, p)| p.support_email.clone());
        let (label, default_public, current) = match &session.profile {
            Some((name, profile)) => {
                if entries.is_empty() && reads_store {
                    entries = profile
                        .apps
                        .iter()
                        .map(|a| AppEntry {
                            id: a.id.clone(),
                            name: a.name.clone(),
                        })
                        .collect();
                }
                (
                    name.clone(),
                    profile.visibility == crate::profiles::Visibility::Public,
                    Some(name.clone()),
                )
            }
            None => ("environment credentials".to_owned(), true, None),
        };
        let sites = super::tui_sources::sites(&session.config, current.as_deref()).await;
        let mut clients = Clients::default();
        for (entry, client) in sites {
            clients.sites.insert(entry.id.clone(), client);
            entries.push(entry);
        }
        if entries.is_empty() {
            return Err(usage(format!(
                "name the Store app to open: reviewdesk --app 9NBLGGGZ5QDR (repeat --app for several, or set {ENV_APPS}, or add apps to the profile); try `reviewdesk demo` to look around first"
            )));
        }
        // With `REVIEWDESK_*` credentials there is no profile: their drafts go to a database
        // named "env". Drafts are keyed by app and review, so whatever shares it (other
        // credentials, a profile someone names "env") shares drafts of the same reviews only.
        let db_profile = current.clone().unwrap_or_else(|| "env".to_owned());
        let (persistence, no_home) = persistence_for(db_profile);
        let profiles = ProfilesOptions {
            config: config.clone(),
            current,
            env_credentials: env_credentials && session.profile.is_none(),
        };
        let options = Options {
            keymap: keymap.clone(),
            days,
            default_public,
            support_email,
            // The undo-send window of `[outbox] send_delay_secs` (default 10 s).
            send_policy: SendPolicy::from_config(&config),
            volume: tui::app::volume::VolumeSetup::from_config(&config),
            profiles: Some(profiles),
            notice: notice.take().or(no_home),
            persistence,
            tick: config.ui.tick(),
        };
        clients.store = reads_store.then_some(session.client);
        let Outcome::Switch { profile, notice: n } = launch(clients, entries, label, options).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        // Nothing of the old session is kept: its client (and the secret in it) is gone.
        let next = switched(&config, profile.clone())?;
        session = match Session::resolve(next.clone()).await {
            Ok(s) => {
                config = next;
                notice = n;
                ids.clear();
                s
            }
            Err(e) => {
                notice = Some(format!("Could not switch to {profile}: {e:#}"));
                Session::resolve(config.clone()).await?
            }
        };
    }
}

/// The config as it is now on disk, using `profile`.
fn switched(config: &Config, profile: String) -> Result<Config> {
    let mut next = reload_config(config)?;
    next.selected_profile = Some(profile);
    Ok(next)
}

/// The profile's database in the data directory (`XDG_DATA_HOME` honoured); without a home
/// directory, a temporary one and a notice saying so.
fn persistence_for(profile: String) -> (Persistence, Option<String>) {
    match config::project_dirs() {
        Some(dirs) => (
            Persistence::Profile(DraftsAt {
                dir: dirs.data_dir().to_path_buf(),
                profile,
            }),
            None,
        ),
        None => (
            Persistence::Temporary { profile },
            Some(
                "No home directory to keep a local database in: drafts, cached reviews and the outbox are kept only while reviewdesk runs".to_owned(),
            ),
        ),
    }
}

fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// What `launch` needs besides the client and the apps.
pub struct Options {
    pub keymap: Keymap,
    pub days: u32,
    pub default_public: bool,
    /// The profile's support email, for replies whose eligibility check gave none.
    pub support_email: Option<String>,
    pub send_policy: SendPolicy,
    pub volume: tui::app::volume::VolumeSetup,
    pub profiles: Option<ProfilesOptions>,
    pub notice: Option<String>,
    pub persistence: Persistence,
    pub tick: std::time::Duration,
}

/// Opens the UI, refusing politely when there is no terminal to draw on.
pub async fn launch(clients: Clients, apps: Vec<AppEntry>, profile: String, options: Options) -> Result<Outcome> {
    if !interactive() {
        return Err(usage(
            "the terminal UI needs a terminal; for scripts use `reviewdesk reviews`, `eligibility` and `respond`",
        ));
    }
    tui::run(
        tui::Start::Reviews(clients, options.persistence),
        TuiOptions {
            apps,
            profile,
            keymap: options.keymap,
            days: options.days,
            default_public: options.default_public,
            support_email: options.support_email,
            send_policy: options.send_policy,
            volume: options.volume,
            profiles: options.profiles,
            notice: options.notice,
            tick: options.tick,
        },
    )
    .await
}

/// Opens the UI without profile management (the demo).
pub async fn open(
    clients: Clients,
    apps: Vec<AppEntry>,
    profile: String,
    keymap: Keymap,
    days: u32,
    default_public: bool,
    persistence: Persistence,
) -> Result<ExitCode> {
    let options = Options {
        keymap,
        days,
        default_public,
        support_email: None,
        // The demo shows the undo-send window as a profile has it by default.
        send_policy: SendPolicy::from_config(&Config::default()),
        volume: Default::default(),
        profiles: None,
        notice: None,
        persistence,
        tick: crate::config::UiConfig::default().tick(),
    };
    launch(clients, apps, profile, options).await?;
    Ok(ExitCode::SUCCESS)
}
