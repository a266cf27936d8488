//! `reviewdesk profile add --kind commerce …` and the Commerce parts of `edit` and `test`: a
//! site's S2S app registration, kept like site builder keeps it (Name, Client App ID,
//! Directory (Tenant) ID) plus the R&R URL, and the secret in the OS keyring.

use std::process::ExitCode;

use anyhow::Result;

use super::export::ExportFormat;
use super::profile_args::{AddArgs, EditArgs, read_secret, write_checks};
use crate::commerce::CommerceSession;
use crate::config::Config;
use crate::profiles::ops::{self, config_path, open_store, store_name};
use crate::profiles::{CommerceSite, Profile, ProfileKind, validate_client_id, validate_name, validate_tenant};
use crate::session::usage;

pub use crate::commerce::site_fields::profile_key;

fn check_site_name(name: &str) -> Result<String> {
    crate::commerce::site_fields::check_site_name(name).map_err(usage)
}

fn check_rnr_url(raw: &str) -> Result<String> {
    crate::commerce::site_fields::check_rnr_url(raw, "--rnr-url").map_err(usage)
}

fn check_scope(raw: &str) -> Result<String> {
    crate::commerce::site_fields::check_scope(raw, "--scope").map_err(usage)
}

pub async fn add(config: Config, a: AddArgs) -> Result<ExitCode> {
    if !a.apps.is_empty() {
        return Err(usage(
            "--app names Store apps; a Commerce profile has a site instead (--rnr-url)",
        ));
    }
    let Some(rnr_url) = &a.rnr_url else {
        return Err(usage(
            "a Commerce profile needs --rnr-url, the site's Ratings and Reviews service URL, such as https://<rnr-id>.rnr.ms",
        ));
    };
    let site_name = check_site_name(&a.name)?;
    let key = profile_key(&site_name);
    validate_name(&key).map_err(usage)?;
    if config.profiles.contains_key(&key) {
        return Err(usage(format!(
            "profile {key:?} exists already: change it with `reviewdesk profile edit {key}`"
        )));
    }
    let rnr_tenant = match &a.rnr_tenant {
        Some(t) => Some(validate_tenant(t).map_err(usage)?),
        None => None,
    };
    let profile = Profile {
        kind: ProfileKind::Commerce,
        tenant: validate_tenant(&a.tenant).map_err(usage)?,
        client_id: validate_client_id(&a.client).map_err(usage)?,
        commerce: Some(CommerceSite {
            name: site_name.clone(),
            rnr_url: check_rnr_url(rnr_url)?,
            rnr_tenant,
            scope: a.scope.as_deref().map(check_scope).transpose()?,
        }),
        login_url: match &a.login_url {
            Some(u) => {
                crate::config::validate_endpoint_url(u, "--login-url").map_err(|e| usage(e.to_string()))?;
                Some(u.trim().to_owned())
            }
            None => None,
        },
        ..Profile::default()
    };
    let path = config_path(&config)?;
    crate::profiles::ConfigFile::open(&path)?;
    let store = open_store(&config).await?;
    let secret = match ops::shared_secret(&config, &store, &profile).await {
        Some((other, secret)) if !a.secret_stdin => {
            println!("Using the client secret already stored for profile {other} (the same app registration).");
            secret
        }
        _ => read_secret(a.secret_stdin)?,
    };
    ops::add(&path, &store, &key, &profile, &secret, a.default).await?;
    println!(
        "Added Commerce site {} as profile {key}.",
        crate::sanitize::sanitize_line(&site_name)
    );
    println!("The secret is in {}: kept {}.", store_name(&store), store.persistence());
    println!(
        "In site builder, Home → Reviews → Settings → Service-to-Service (S2S) Authentication → Manage must list Client App ID {} with Directory (Tenant) ID {}.",
        profile.client_id, profile.tenant
    );
    println!("Check it works: reviewdesk profile test {key}");
    Ok(ExitCode::SUCCESS)
}

/// The Commerce fields of `profile edit`; `true` when any was given.
pub fn edit_site(profile: &mut Profile, e: &EditArgs) -> Result<bool> {
    let given = e.rnr_url.is_some() || e.rnr_tenant.is_some() || e.scope.is_some() || e.site_name.is_some();
    if !given {
        return Ok(false);
    }
    let Some(site) = profile
        .commerce
        .as_mut()
        .filter(|_| profile.kind == ProfileKind::Commerce)
    else {
        return Err(usage(format!(
            "profile {} is a Microsoft Store registration; --rnr-url, --rnr-tenant, --scope and --site-name belong to Commerce profiles (add one with `reviewdesk profile add --kind commerce …`)",
            e.name
        )));
    };
    if let Some(u) = &e.rnr_url {
        site.rnr_url = check_rnr_url(u)?;
    }
    if let Some(t) = &e.rnr_tenant {
        site.rnr_tenant = Some(validate_tenant(t).map_err(usage)?).filter(|t| !t.is_empty());
    }
    if let Some(s) = &e.scope {
        site.scope = if s.trim().is_empty() {
            None
        } else {
            Some(check_scope(s)?)
        };
    }
    if let Some(n) = &e.site_name {
        site.name = check_site_name(n)?;
    }
    Ok(true)
}

pub async fn test(config: Config, format: ExportFormat) -> Result<ExitCode> {
    let session = CommerceSession::resolve(config).await?;
    let heading = format!(
        "Commerce site {} (profile {}): client {}, tenant {}",
        crate::sanitize::sanitize_line(&session.site.name),
        session.name,
        session.profile.client_id,
        session.profile.tenant
    );
    let facts = crate::commerce::check::facts(&session);
    let checks = crate::commerce::check::test_site(&session).await;
    write_checks(format, &session.name, &heading, &facts, &checks)
}
