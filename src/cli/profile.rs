//! `reviewdesk profile add | edit | remove | list | test`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use super::InfoFormat;
use crate::config::Config;
use crate::profiles::ops::{self, app_label, config_path, open_store, store_name};
use crate::profiles::{
    Profile, Visibility, check_secret, parse_app, validate_client_id, validate_name, validate_tenant,
};
use crate::secrets::prompt;
use crate::session::{Session, usage};
use crate::store::validate::validate_email;

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    /// Add an app registration; the secret is read from a hidden prompt or --secret-stdin.
    Add(AddArgs),
    /// Change a profile; --rotate-secret replaces the secret in the keyring.
    Edit(EditArgs),
    /// Remove a profile and its secret from the keyring.
    Remove { name: String },
    /// List profiles (never secrets).
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: InfoFormat,
    },
    /// Get a token and ask, for each app, whether its reviews may be answered.
    Test {
        /// Default: the default profile.
        name: Option<String>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Microsoft Store apps (Partner Center).
    Store,
    /// A Dynamics 365 Commerce site's Ratings & Reviews (an S2S app registration).
    Commerce,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The profile's name; for a Commerce site, the registration's Name in site builder
    /// (such as "Fabrikam App", kept as the profile fabrikam-app).
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum, default_value = "store")]
    pub kind: Kind,
    /// Directory (tenant) ID: a GUID or a verified domain such as contoso.onmicrosoft.com.
    #[arg(long)]
    pub tenant: String,
    /// Application (client) ID of the app registration.
    #[arg(long = "client")]
    pub client: String,
    /// A Store app this registration covers: 9NBLGGGZ5QDR, or 9NBLGGGZ5QDR=Display name. Repeatable.
    #[arg(long = "app", value_name = "STOREID[=NAME]")]
    pub apps: Vec<String>,
    /// Commerce: the Ratings and Reviews service URL, https://<rnr-id>.rnr.ms.
    #[arg(long, value_name = "URL")]
    pub rnr_url: Option<String>,
    /// Commerce: the connector's tenantId [inferred default: --tenant].
    #[arg(long, value_name = "ID")]
    pub rnr_tenant: Option<String>,
    /// Commerce: the token audience, an App ID URI with or without /.default [undocumented;
    /// inferred default: the R&R URL].
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    #[arg(long, value_name = "EMAIL")]
    pub support_email: Option<String>,
    /// Answer privately (by email) by default instead of publicly.
    #[arg(long)]
    pub private: bool,
    /// Read the client secret from standard input (one line) instead of a hidden prompt.
    #[arg(long)]
    pub secret_stdin: bool,
    /// Make this the default profile (the first profile always is).
    #[arg(long)]
    pub default: bool,
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    pub name: String,
    #[arg(long)]
    pub tenant: Option<String>,
    #[arg(long = "client")]
    pub client: Option<String>,
    #[arg(long = "add-app", value_name = "STOREID[=NAME]")]
    pub add_app: Vec<String>,
    #[arg(long = "remove-app", value_name = "STOREID")]
    pub remove_app: Vec<String>,
    #[arg(long, value_name = "EMAIL")]
    pub support_email: Option<String>,
    #[arg(long, conflicts_with = "public")]
    pub private: bool,
    #[arg(long)]
    pub public: bool,
    /// Replace the client secret (hidden prompt, or --secret-stdin).
    #[arg(long)]
    pub rotate_secret: bool,
    #[arg(long, requires = "rotate_secret")]
    pub secret_stdin: bool,
    /// Make this the default profile.
    #[arg(long)]
    pub default: bool,
    /// Commerce: the R&R service URL.
    #[arg(long, value_name = "URL")]
    pub rnr_url: Option<String>,
    /// Commerce: the connector's tenantId.
    #[arg(long, value_name = "ID")]
    pub rnr_tenant: Option<String>,
    /// Commerce: the token audience ("" goes back to the inferred default, the R&R URL).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Commerce: the registration's Name as site builder shows it.
    #[arg(long, value_name = "NAME")]
    pub site_name: Option<String>,
}

pub async fn run(config: Config, cmd: ProfileCommand) -> Result<ExitCode> {
    match cmd {
        ProfileCommand::Add(a) => add(config, a).await,
        ProfileCommand::Edit(e) => edit(config, e).await,
        ProfileCommand::Remove { name } => remove(config, &name).await,
        ProfileCommand::List { format } => list(config, format).await,
        ProfileCommand::Test { name } => test(config, name).await,
    }
}

/// The secret, from stdin or a prompt that does not echo. Never from the command line. Either
/// way it is read into a fixed buffer that is zeroed afterwards, and copied once, into the
/// `SecretString` (see `secrets::prompt`).
pub(super) fn read_secret(from_stdin: bool) -> Result<SecretString> {
    let secret = if from_stdin {
        prompt::read_secret_from_stdin().context("cannot read the secret from standard input")?
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(usage(
                "no terminal to ask for the client secret: pipe it in with --secret-stdin",
            ));
        }
        prompt::prompt_secret("Client secret (the Value; input hidden): ").context("cannot read the secret")?
    };
    check_secret(secret.expose_secret()).map_err(usage)?;
    Ok(secret)
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

async fn list(config: Config, format: InfoFormat) -> Result<ExitCode> {
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
    if format == InfoFormat::Json {
        let v: Vec<_> = rows
            .iter()
            .map(|(n, p, s)| {
                serde_json::json!({
                    "name": n, "kind": p.kind, "commerce": p.commerce, "tenant": p.tenant, "clientId": p.client_id,
                    "apps": p.apps, "supportEmail": p.support_email, "visibility": p.visibility,
                    "default": config.default_profile.as_deref() == Some(n.as_str()), "secret": s,
                })
            })
            .collect();
        super::output::write_json(&mut std::io::stdout().lock(), &v)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!(
            "No profiles. Add one: reviewdesk profile add --name NAME --tenant TENANT --client CLIENT_ID --app STOREID"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
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
    Ok(ExitCode::SUCCESS)
}

async fn test(mut config: Config, name: Option<String>) -> Result<ExitCode> {
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
        return super::profile_commerce::test(config).await;
    }
    let session = Session::resolve(config).await?;
    let (name, profile) = session
        .profile
        .clone()
        .context("profile test needs a profile, not REVIEWDESK_* variables")?;
    println!(
        "Profile {name}: tenant {}, client {}",
        profile.tenant, profile.client_id
    );
    let report = ops::test_session(&session, &profile.apps).await;
    for check in std::iter::once(&report.token).chain(&report.apps) {
        println!("  {} {}", if check.ok { "✓" } else { "✗" }, check.text);
    }
    Ok(if report.all_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
