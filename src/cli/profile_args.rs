//! What `reviewdesk profile …` takes: its subcommands and their arguments, and the secret read
//! from a hidden prompt or standard input. Shared by the Store (`profile`) and the Commerce
//! (`profile_commerce`) sides, so neither imports the other's internals.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use super::export::{self, ExportFormat, Shape};
use crate::profiles::check_secret;
use crate::profiles::ops::Check;
use crate::secrets::prompt;
use crate::session::usage;

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
        /// table (also `text`), json, jsonl, csv or tsv.
        #[arg(long, value_enum, default_value = "table")]
        format: ExportFormat,
    },
    /// Get a token and ask, for each app, whether its reviews may be answered. Exit 0 only
    /// when every check passes, 1 otherwise.
    Test {
        /// Default: the default profile.
        name: Option<String>,
        /// table (also `text`); json (an array of checks), jsonl, csv or tsv (profile, ok, text).
        #[arg(long, value_enum, default_value = "table")]
        format: ExportFormat,
    },
}

/// What CSV and TSV of `profile test` hold: one row per check.
const CHECK_COLUMNS: [&str; 3] = ["profile", "ok", "text"];

/// The outcome of `profile test` (Store or Commerce) in `format`: for people, `heading`, the
/// `facts` and a ✓ or ✗ line per check; for programs, one object per check. The exit code says
/// whether every check passed.
pub(super) fn write_checks(
    format: ExportFormat,
    profile: &str,
    heading: &str,
    facts: &[String],
    checks: &[Check],
) -> Result<std::process::ExitCode> {
    use std::io::Write;
    let rows: Vec<_> = checks
        .iter()
        .map(|c| export::to_object(&serde_json::json!({"profile": profile, "ok": c.ok, "text": c.text})))
        .collect();
    let mut out = std::io::stdout().lock();
    export::write_listing(&mut out, format, &CHECK_COLUMNS, &rows, Shape::List, |out| {
        writeln!(out, "{heading}")?;
        for fact in facts {
            writeln!(out, "  · {fact}")?;
        }
        for c in checks {
            writeln!(out, "  {} {}", if c.ok { "✓" } else { "✗" }, c.text)?;
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(if checks.iter().all(|c| c.ok) {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    })
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
