//! `reviewdesk emulator`: the local stand-in, as a process of its own.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::EmulatorArgs;
use crate::emulator::{self, EmulatorConfig};
use crate::session::usage;
use crate::store::validate::normalize_store_id;

pub async fn run(args: EmulatorArgs) -> Result<ExitCode> {
    if !args.addr.ip().is_loopback() {
        return Err(usage(format!(
            "the emulator listens on loopback only, and {} is not: use 127.0.0.1:PORT or [::1]:PORT",
            args.addr.ip()
        )));
    }
    let mut config = EmulatorConfig {
        addr: args.addr,
        reviews_per_app: args.reviews,
        seed: args.seed,
        chaos: args.chaos,
        commerce_reviews: args.commerce_reviews as usize,
        ..EmulatorConfig::default()
    };
    if let Some(t) = args.tenant {
        config.tenant_id = t;
    }
    if let Some(c) = args.client {
        config.client_id = c;
    }
    if let Some(s) = args.secret {
        config.client_secret = s;
    }
    if !args.apps.is_empty() {
        config.apps = args
            .apps
            .iter()
            .map(|a| normalize_store_id(a))
            .collect::<Result<_, _>>()
            .map_err(|e| usage(e.to_string()))?;
    }
    let handle = emulator::start(config.clone()).await?;
    let url = handle.base_url();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{url}")?;
    writeln!(
        out,
        "# reviewdesk emulator: a local stand-in for Entra ID and the Microsoft Store API (made-up data and credentials)"
    )?;
    writeln!(out, "export REVIEWDESK_LOGIN_URL={url}")?;
    writeln!(out, "export REVIEWDESK_API_URL={url}")?;
    writeln!(out, "export REVIEWDESK_TENANT_ID={}", shell_quote(&config.tenant_id))?;
    writeln!(out, "export REVIEWDESK_CLIENT_ID={}", shell_quote(&config.client_id))?;
    writeln!(
        out,
        "export REVIEWDESK_CLIENT_SECRET={}",
        shell_quote(&config.client_secret)
    )?;
    writeln!(
        out,
        "# apps: {} ({} reviews each); faults: POST {url}/_emulator/faults; stats: GET {url}/_emulator/stats",
        config.apps.join(", "),
        config.reviews_per_app
    )?;
    writeln!(
        out,
        "# Dynamics 365 Commerce Ratings & Reviews (SPECULATIVE: the connector's two operations under /v2.0/...; host, audience and export format are guesses): --rnr-url {url} --rnr-tenant {} ({} reviews); S2S allow-list: {url}/_emulator/commerce/registrations",
        config.rnr_tenant_id, config.commerce_reviews
    )?;
    if let Some(chaos) = &config.chaos {
        writeln!(
            out,
            "# chaos mode: {}; counts under \"chaos\" in the stats; off: DELETE {url}/_emulator/chaos",
            chaos.describe()
        )?;
    }
    writeln!(out, "# serving until interrupted (Ctrl-C)")?;
    out.flush()?;
    drop(out);
    wait_for_shutdown_signal().await;
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut hup = signal(SignalKind::hangup()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
            _ = async { match hup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
