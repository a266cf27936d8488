//! A Commerce profile made ready to use: its secret from the keyring, the token provider for
//! the R&R audience, and the client.

use std::sync::Arc;

use anyhow::Result;

use super::{CommerceClient, default_audience};
use crate::auth::{Credentials, TokenProvider};
use crate::config::{Config, Endpoints, validate_endpoint_url};
use crate::http::build_http_client;
use crate::http::retry::RetryPolicy;
use crate::profiles::{CommerceSite, Profile, ProfileKind};
use crate::session::usage;

pub struct CommerceSession {
    pub config: Config,
    pub name: String,
    pub profile: Profile,
    pub site: CommerceSite,
    pub client: CommerceClient,
    /// The token audience in use, and whether it was configured or the inferred default.
    pub audience: String,
    pub audience_inferred: bool,
}

/// The Commerce profiles, by name.
pub fn commerce_profiles(config: &Config) -> Vec<&str> {
    config
        .profiles
        .iter()
        .filter(|(_, p)| p.kind == ProfileKind::Commerce)
        .map(|(n, _)| n.as_str())
        .collect()
}

impl CommerceSession {
    /// The profile named with --profile (it must be a Commerce one), else the default profile
    /// when it is one, else the only Commerce profile.
    pub async fn resolve(config: Config) -> Result<CommerceSession> {
        let sites = commerce_profiles(&config);
        let name = match (&config.selected_profile, &config.default_profile) {
            (Some(n), _) => n.clone(),
            (None, Some(d)) if sites.contains(&d.as_str()) => d.clone(),
            (None, _) => match sites.as_slice() {
                [one] => (*one).to_owned(),
                [] => {
                    return Err(usage(
                        "no Commerce site yet: add one with `reviewdesk profile add --kind commerce --name NAME --client CLIENT_ID --tenant TENANT --rnr-url https://<id>.rnr.ms`",
                    ));
                }
                many => {
                    return Err(usage(format!(
                        "several Commerce sites: pass --profile NAME (one of {})",
                        many.join(", ")
                    )));
                }
            },
        };
        let profile = config
            .profiles
            .get(&name)
            .cloned()
            .ok_or_else(|| usage(format!("there is no profile {name:?}: see `reviewdesk profile list`")))?;
        let credentials = crate::session::profile_credentials(&config, &name, &profile).await?;
        Self::new(config, name, profile, credentials, RetryPolicy::default())
    }

    pub fn new(
        config: Config,
        name: String,
        profile: Profile,
        credentials: Credentials,
        mut retry: RetryPolicy,
    ) -> Result<CommerceSession> {
        let source = crate::provider::source_for(profile.kind);
        crate::provider::require(source, &name, crate::provider::Feature::ExportReviews).map_err(usage)?;
        let Some(site) = profile.commerce.clone() else {
            return Err(usage(format!(
                "profile {name} has no [profiles.{name}.commerce] table with the site's rnr_url: add it with `reviewdesk profile edit {name} --rnr-url …`"
            )));
        };
        retry.max_attempts = config.network.max_attempts.max(1);
        let endpoints = Endpoints::resolve_full(&config, Some(&profile), |k| std::env::var(k).ok())
            .map_err(|e| usage(e.to_string()))?;
        let base = validate_endpoint_url(&site.rnr_url, "the profile's rnr_url").map_err(|e| usage(e.to_string()))?;
        let (audience, audience_inferred) = match &site.scope {
            Some(s) => (s.trim().trim_end_matches("/.default").to_owned(), false),
            None => (default_audience(&site.rnr_url), true),
        };
        let http = build_http_client(&config.network)?;
        let tokens = Arc::new(
            TokenProvider::new(http.clone(), &endpoints.login, endpoints.token_version, credentials)
                .with_resource(&audience),
        );
        let rnr_tenant = site.rnr_tenant.clone().unwrap_or_else(|| profile.tenant.clone());
        let client = CommerceClient::new(&name, http, base, rnr_tenant, tokens, retry);
        Ok(CommerceSession {
            config,
            name,
            profile,
            site,
            client,
            audience,
            audience_inferred,
        })
    }
}
