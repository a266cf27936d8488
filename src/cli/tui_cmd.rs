//! `reviewdesk [--app STOREID]...`: the terminal UI with the credentials at hand.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;

use crate::config::Config;
use crate::session::{Session, usage};
use crate::store::StoreClient;
use crate::store::validate::normalize_store_id;
use crate::tui::app::AppEntry;
use crate::tui::keymap::Keymap;
use crate::tui::{self, TuiOptions};

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
    let session = Session::resolve(config).await?;
    let mut entries: Vec<AppEntry> = Vec::new();
    for id in ids {
        let id = normalize_store_id(&id).map_err(|e| usage(e.to_string()))?;
        if !entries.iter().any(|e| e.id == id) {
            entries.push(AppEntry { id, name: None });
        }
    }
    let (label, default_public) = match &session.profile {
        Some((name, profile)) => {
            if entries.is_empty() {
                entries = profile
                    .apps
                    .iter()
                    .map(|a| AppEntry {
                        id: a.id.clone(),
                        name: a.name.clone(),
                    })
                    .collect();
            }
            (name.clone(), profile.visibility == crate::profiles::Visibility::Public)
        }
        None => ("environment credentials".to_owned(), true),
    };
    if entries.is_empty() {
        return Err(usage(format!(
            "name the Store app to open: reviewdesk --app 9NBLGGGZ5QDR (repeat --app for several, or set {ENV_APPS}, or add apps to the profile); try `reviewdesk demo` to look around first"
        )));
    }
    open(session.client, entries, label, keymap, days, default_public).await
}

/// Opens the UI, refusing politely when there is no terminal to draw on.
pub async fn open(
    client: StoreClient,
    apps: Vec<AppEntry>,
    profile: String,
    keymap: Keymap,
    days: u32,
    default_public: bool,
) -> Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(usage(
            "the terminal UI needs a terminal; for scripts use `reviewdesk reviews`, `eligibility` and `respond`",
        ));
    }
    tui::run(
        client,
        TuiOptions {
            apps,
            profile,
            keymap,
            days,
            default_public,
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
