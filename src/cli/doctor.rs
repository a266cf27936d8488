//! `reviewdesk doctor`: where things are, which secret store is used and why, and whether the
//! endpoints answer. Never prints a secret.

use std::process::ExitCode;

use anyhow::Result;

use crate::config::{Config, Endpoints, default_config_path};
use crate::http::tls::ENV_CA_FILE;
use crate::secrets::{SecretStore, diagnose};

pub async fn run(config: Config) -> Result<ExitCode> {
    let mut problems = 0;
    println!("reviewdesk {}", env!("CARGO_PKG_VERSION"));

    match default_config_path() {
        Some(p) if p.exists() => println!("config      {} ({})", p.display(), permissions(&p)),
        Some(p) => println!(
            "config      {} (not created yet; `reviewdesk profile add` creates it)",
            p.display()
        ),
        None => println!("config      no config directory (set XDG_CONFIG_HOME)"),
    }
    if let Some(log) = crate::logging::default_log_path() {
        println!("log         {}", log.display());
    }

    let choice = crate::session::backend_choice(&config)?;
    println!("\nsecret stores (backend setting: {choice:?})");
    for probe in diagnose().await {
        println!(
            "  {} {:<15} {}",
            if probe.works { "✓" } else { "✗" },
            probe.name,
            probe.detail
        );
    }
    let store = match SecretStore::open(choice).await {
        Ok(s) => {
            println!("  in use: {:?}: {}", s.kind(), s.why());
            println!("  secrets are kept {}", s.persistence());
            Some(s)
        }
        Err(e) => {
            problems += 1;
            println!("  ✗ no usable store: {e}");
            None
        }
    };

    println!("\nprofiles");
    if config.profiles.is_empty() {
        println!("  none (add one: reviewdesk profile add --help)");
    }
    for (name, p) in &config.profiles {
        let secret = match &store {
            Some(s) => match s.get(name).await {
                Ok(Some(_)) => "secret stored".to_owned(),
                Ok(None) => {
                    problems += 1;
                    format!("secret MISSING: reviewdesk profile edit {name} --rotate-secret")
                }
                Err(e) => {
                    problems += 1;
                    format!("secret unreadable: {e}")
                }
            },
            None => "secret unknown".to_owned(),
        };
        let default = if config.default_profile.as_deref() == Some(name.as_str()) {
            " (default)"
        } else {
            ""
        };
        println!(
            "  {name}{default}: tenant {}, {} app(s), {secret}",
            p.tenant,
            p.apps.len()
        );
    }

    println!("\nendpoints");
    let ca_ok = match crate::http::tls::extra_ca_certificates() {
        Ok(Some((path, certs))) => {
            println!(
                "  trusted CAs: the system's, and {} certificate(s) from {ENV_CA_FILE} ({})",
                certs.len(),
                path.display()
            );
            true
        }
        Ok(None) => {
            println!("  trusted CAs: the system's (set {ENV_CA_FILE} to a PEM file to trust a CA of your own too)");
            true
        }
        Err(e) => {
            problems += 1;
            println!("  ✗ {e}");
            false
        }
    };
    match Endpoints::resolve(&config) {
        Ok(_) if !ca_ok => {}
        Ok(e) => {
            let net = crate::http::NetworkConfig {
                connect_timeout_secs: 5,
                request_timeout_secs: 5,
                ..config.network.clone()
            };
            let http = crate::http::build_http_client(&net)?;
            for (what, url) in [("login", &e.login), ("api", &e.api)] {
                match http.get(url.clone()).send().await {
                    Ok(r) => println!("  ✓ {what:<6} {url} answers (HTTP {})", r.status().as_u16()),
                    Err(err) => {
                        problems += 1;
                        println!("  ✗ {what:<6} {url}: {}", crate::http::describe_reqwest_error(&err));
                    }
                }
            }
        }
        Err(e) => {
            problems += 1;
            println!("  ✗ {e}");
        }
    }
    problems += crate::commerce::check::doctor_sites(&config).await;
    println!(
        "\n{}",
        if problems == 0 {
            "No problems found.".to_owned()
        } else {
            format!("{problems} problem(s) found (✗ above).")
        }
    );
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn permissions(path: &std::path::Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        let dir = path
            .parent()
            .and_then(|d| std::fs::metadata(d).ok())
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        let verdict = if file & 0o077 == 0 && dir & 0o077 == 0 {
            "private"
        } else {
            "readable by others: chmod 600 it and 700 its directory"
        };
        format!("mode {file:o}, directory {dir:o}: {verdict}")
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        String::from("exists")
    }
}
