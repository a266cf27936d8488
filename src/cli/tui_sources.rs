//! The sources a terminal-UI session shows besides the profile's Store apps: the site of every
//! Commerce profile in config.toml, each read with its own registration (its secret from the
//! keyring). A site that cannot be reached this way (no secret stored, no site table) is still
//! listed: choosing it says why, instead of the whole UI refusing to start.

use std::sync::Arc;

use crate::commerce::CommerceSession;
use crate::config::Config;
use crate::http::retry::RetryPolicy;
use crate::profiles::ProfileKind;
use crate::provider::site_source_id;
use crate::tui::app::AppEntry;
use crate::tui::site_fetch::SiteClient;

/// Every Commerce site of `config`, `first` (the profile in use) ahead of the others.
pub async fn sites(config: &Config, first: Option<&str>) -> Vec<(AppEntry, SiteClient)> {
    let mut names: Vec<&String> = config
        .profiles
        .iter()
        .filter(|(_, p)| p.kind == ProfileKind::Commerce)
        .map(|(n, _)| n)
        .collect();
    names.sort_by_key(|n| Some(n.as_str()) != first);
    let mut out = Vec::new();
    for name in names {
        let profile = &config.profiles[name];
        let entry = AppEntry {
            id: site_source_id(name),
            name: Some(
                profile
                    .commerce
                    .as_ref()
                    .map_or_else(|| name.clone(), |s| crate::sanitize::sanitize_line(&s.name)),
            ),
        };
        let client = match crate::session::profile_credentials(config, name, profile).await {
            Ok(credentials) => CommerceSession::new(
                config.clone(),
                name.clone(),
                profile.clone(),
                credentials,
                RetryPolicy::default(),
            )
            .map(|s| Arc::new(s.client))
            .map_err(|e| format!("Site {name} cannot be read: {e:#}")),
            Err(e) => Err(format!("Site {name} cannot be read: {e:#}")),
        };
        out.push((entry, client));
    }
    out
}
