//! `reviewdesk profile add | edit | remove | list | test`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::export::{self, ExportFormat, Shape};
use super::profile_args::{AddArgs, EditArgs, Kind, ProfileCommand, read_secret, write_checks};
use crate::config::Config;
use crate::profiles::ops::{self, app_label, config_path, open_store, store_name};
use crate::profiles::{Profile, Visibility, parse_app, validate_client_id, validate_name, validate_tenant};
use crate::session::{Session, usage};
use crate::store::validate::validate_email;

pub async fn run(config: Config, cmd: ProfileCommand) -> Result<ExitCode> {
    match cmd {
        ProfileCommand::Add(a) => add(config, a).await,
        ProfileCommand::Edit(e) => edit(config, e).await,
        ProfileCommand::Remove { name } => remove(config, &name).await,
        ProfileCommand::List { format } => list(config, format).await,
        ProfileCommand::Test { name, format } => test(config, name, format).await,
    }
}

async fn add(config: Config, a: AddArgs) -> Result<ExitCode> {
    if a.kind == Kind::Commerce {
        return super::profile_commerce::add(config, a).await;
    }
    if a.apps.is_empty() {
        return Err(usage(
            "name at least one Store app with --app STOREID (or add a Commerce site with --kind commerce)",
        ));
    }
    if a.rnr_url.is_some() || a.rnr_tenant.is_some() || a.scope.is_some() {
        return Err(usage(
            "--rnr-url, --rnr-tenant and --scope belong to Commerce sites: add --kind commerce",
        ));
    }
    validate_name(&a.name).map_err(usage)?;
    if config.profiles.contains_key(&a.name) {
        return Err(usage(format!(
            "profile {:?} exists already: change it with `reviewdesk profile edit {}`",
            a.name, a.name
        )));
    }
    let mut profile = Profile {
        tenant: validate_tenant(&a.tenant).map_err(usage)?,
        client_id: validate_client_id(&a.client).map_err(usage)?,
        apps: a
            .apps
            .iter()
            .map(|s| parse_app(s))
            .collect::<Result<_, _>>()
            .map_err(usage)?,
        visibility: if a.private {
            Visibility::Private
        } else {
            Visibility::Public
        },
        ..Profile::default()
    };
    if let Some(e) = &a.support_email {
        validate_email(e.trim()).map_err(|e| usage(e.to_string()))?;
        profile.support_email = Some(e.trim().to_owned());
    }
    for (url, slot, what) in [
        (&a.login_url, &mut profile.login_url, "--login-url"),
        (&a.api_url, &mut profile.api_url, "--api-url"),
    ] {
        if let Some(u) = url {
            crate::config::validate_endpoint_url(u, what).map_err(|e| usage(e.to_string()))?;
            *slot = Some(u.trim().to_owned());
        }
    }
    let path = config_path(&config)?;
    // A malformed file is reported before the secret is asked for.
    crate::profiles::ConfigFile::open(&path)?;
    let secret = read_secret(a.secret_stdin)?;
    let store = open_store(&config).await?;
    ops::add(&path, &store, &a.name, &profile, &secret, a.default).await?;
    println!(
        "Added profile {} ({} app{}).",
        a.name,
        profile.apps.len(),
        if profile.apps.len() == 1 { "" } else { "s" }
    );
    println!("The secret is in {}: kept {}.", store_name(&store), store.persistence());
    println!("Check it works: reviewdesk profile test {}", a.name);
    Ok(ExitCode::SUCCESS)
}

async fn edit(config: Config, mut e: EditArgs) -> Result<ExitCode> {
    if !config.profiles.contains_key(&e.name) {
        // A Commerce site may be named as site builder shows it ("Fabrikam App").
        e.name = super::profile_commerce::profile_key(&e.name);
    }
    let Some(mut profile) = config.profiles.get(&e.name).cloned() else {
        return Err(usage(format!(
            "there is no profile {:?}: see `reviewdesk profile list`",
            e.name
        )));
    };
    if let Some(t) = &e.tenant {
        profile.tenant = validate_tenant(t).map_err(usage)?;
    }
    if let Some(c) = &e.client {
        profile.client_id = validate_client_id(c).map_err(usage)?;
    }
    for spec in &e.add_app {
        let app = parse_app(spec).map_err(usage)?;
        match profile.apps.iter_mut().find(|a| a.id == app.id) {
            Some(existing) => existing.name = app.name.or(existing.name.take()),
            None => profile.apps.push(app),
        }
    }
    for id in &e.remove_app {
        let id = crate::store::validate::normalize_store_id(id).map_err(|e| usage(e.to_string()))?;
        let before = profile.apps.len();
        profile.apps.retain(|a| a.id != id);
        if profile.apps.len() == before {
            return Err(usage(format!("profile {} does not cover {id}", e.name)));
        }
    }
    if let Some(m) = &e.support_email {
        validate_email(m.trim()).map_err(|e| usage(e.to_string()))?;
        profile.support_email = Some(m.trim().to_owned());
    }
    super::profile_commerce::edit_site(&mut profile, &e)?;
    if e.private {
        profile.visibility = Visibility::Private;
    }
    if e.public {
        profile.visibility = Visibility::Public;
    }
    let path = config_path(&config)?;
    crate::profiles::ConfigFile::open(&path)?;
    let rotated = if e.rotate_secret {
        let secret = read_secret(e.secret_stdin)?;
        Some((open_store(&config).await?, secret))
    } else {
        None
    };
    ops::update(
        &path,
        &e.name,
        &profile,
        rotated.as_ref().map(|(store, secret)| (store, secret)),
        e.default,
    )
    .await?;
    if let Some((store, _)) = &rotated {
        println!("Replaced the secret of {} in {}.", e.name, store_name(store));
    }
    println!("Saved profile {}.", e.name);
    Ok(ExitCode::SUCCESS)
}

async fn remove(config: Config, name: &str) -> Result<ExitCode> {
    let key = super::profile_commerce::profile_key(name);
    let name = if config.profiles.contains_key(name) {
        name
    } else {
        key.as_str()
    };
    if !config.profiles.contains_key(name) {
        return Err(usage(format!(
            "there is no profile {name:?}: see `reviewdesk profile list`"
        )));
    }
    let store = open_store(&config).await?;
    let had_secret = ops::remove(&config_path(&config)?, &store, name).await?;
    println!(
        "Removed profile {name}{}.",
        if had_secret {
            format!(" and its secret from {}", store_name(&store))
        } else {
            " (no secret was stored)".into()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// What CSV and TSV of `profile list` hold, in this order.
const LIST_COLUMNS: [&str; 10] = [
    "name",
    "kind",
    "tenant",
    "clientId",
    "apps",
    "supportEmail",
    "visibility",
    "default",
    "secret",
    "commerce",
];

async fn list(config: Config, format: ExportFormat) -> Result<ExitCode> {
    let store = if config.profiles.is_empty() {
        None
    } else {
        open_store(&config).await.ok()
    };
    let mut rows = Vec::new();
    for (name, p) in &config.profiles {
        let secret = match &store {
            Some(s) => ops::secret_state(s, name).await.label(),
            None => "unknown (no keyring)",
        };
        rows.push((name, p, secret));
    }
    let objects: Vec<_> = rows
        .iter()
        .map(|(n, p, s)| {
            export::to_object(&serde_json::json!({
                "name": n, "kind": p.kind, "commerce": p.commerce, "tenant": p.tenant, "clientId": p.client_id,
                "apps": p.apps, "supportEmail": p.support_email, "visibility": p.visibility,
                "default": config.default_profile.as_deref() == Some(n.as_str()), "secret": s,
            }))
        })
        .collect();
    let mut out = std::io::stdout().lock();
    export::write_listing(&mut out, format, &LIST_COLUMNS, &objects, Shape::List, |out| {
        write_profiles_table(out, &config, &rows)
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

type ProfileRow<'a> = (&'a String, &'a Profile, &'static str);

fn write_profiles_table(out: &mut dyn Write, config: &Config, rows: &[ProfileRow<'_>]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(
            out,
            "No profiles. Add one: reviewdesk profile add --name NAME --tenant TENANT --client CLIENT_ID --app STOREID"
        );
    }
    writeln!(
        out,
        "  {:<16} {:<38} {:<38} {:<8} APPS",
        "NAME", "TENANT", "CLIENT ID", "SECRET"
    )?;
    for (name, p, secret) in rows {
        let default = if config.default_profile.as_deref() == Some(name.as_str()) {
            "*"
        } else {
            " "
        };
        let apps: Vec<String> = match &p.commerce {
            Some(site) if !p.kind.is_store() => vec![format!(
                "Commerce site {} at {}",
                crate::sanitize::sanitize_line(&site.name),
                site.rnr_url
            )],
            _ => p.apps.iter().map(app_label).collect(),
        };
        writeln!(
            out,
            "{default} {:<16} {:<38} {:<38} {:<8} {}",
            name,
            p.tenant,
            p.client_id,
            secret,
            apps.join(", ")
        )?;
    }
    Ok(())
}

async fn test(mut config: Config, name: Option<String>, format: ExportFormat) -> Result<ExitCode> {
    if let Some(n) = name {
        let key = super::profile_commerce::profile_key(&n);
        config.selected_profile = Some(if config.profiles.contains_key(&n) { n } else { key });
    }
    let chosen = crate::profiles::choose(
        &config.profiles,
        config.selected_profile.as_deref(),
        config.default_profile.as_deref(),
    )
    .ok()
    .map(|(n, p)| (n.to_owned(), p.kind));
    if let Some((n, crate::profiles::ProfileKind::Commerce)) = chosen {
        config.selected_profile = Some(n);
        return super::profile_commerce::test(config, format).await;
    }
    let session = Session::resolve(config).await?;
    let (name, profile) = session
        .profile
        .clone()
        .context("profile test needs a profile, not REVIEWDESK_* variables")?;
    let heading = format!(
        "Profile {name}: tenant {}, client {}",
        profile.tenant, profile.client_id
    );
    let report = ops::test_session(&session, &profile.apps).await;
    let checks: Vec<_> = std::iter::once(report.token).chain(report.apps).collect();
    write_checks(format, &name, &heading, &[], &checks)
}
