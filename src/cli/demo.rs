//! `reviewdesk demo`: the whole flow against the in-process emulator, with no account, no
//! keyring and nothing written outside a temporary directory.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use secrecy::SecretString;

use super::{DemoArgs, output};
use crate::auth::Credentials;
use crate::config::{Config, Endpoints, validate_endpoint_url};
use crate::emulator::{self, EmulatorConfig, FaultSpec};
use crate::keymap::Keymap;
use crate::sanitize::sanitize_line;
use crate::session::{Session, quick_retry};
use crate::store::dates::today_utc;
use crate::store::{Filter, ResponseItem, ReviewQuery, StoreError};
use crate::tui::Persistence;
use crate::tui::app::AppEntry;
use crate::tui::store_worker::Clients;

pub async fn run(args: DemoArgs) -> Result<ExitCode> {
    let config = EmulatorConfig {
        reviews_per_app: args.reviews.max(10),
        ..EmulatorConfig::default()
    };
    let handle = emulator::start(config.clone())
        .await
        .context("cannot start the built-in emulator")?;
    let url = validate_endpoint_url(&handle.base_url(), "the emulator")?;
    let endpoints = Endpoints {
        login: url.clone(),
        api: url,
        token_version: Default::default(),
    };
    let credentials = Credentials {
        tenant: config.tenant_id.clone(),
        client_id: config.client_id.clone(),
        secret: SecretString::from(config.client_secret.clone()),
    };
    let session = Session::new(Config::default(), endpoints, credentials, quick_retry())?;
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if !args.headless && interactive {
        let site = super::demo_commerce::demo_site(&handle, &config)?;
        let site_id = crate::provider::site_source_id(super::demo_commerce::DEMO_SITE);
        let mut clients = Clients {
            store: Some(session.client),
            ..Clients::default()
        };
        clients
            .sites
            .insert(site_id.clone(), Ok(std::sync::Arc::new(site.client)));
        let apps = vec![
            AppEntry {
                id: config.apps[0].clone(),
                name: Some("Contoso Photo Studio".into()),
            },
            AppEntry {
                id: config.apps[1].clone(),
                name: Some("Fabrikam Notes".into()),
            },
            AppEntry {
                id: site_id,
                name: Some(super::demo_commerce::DEMO_SITE_NAME.into()),
            },
        ];
        let code = super::tui_cmd::open(
            clients,
            apps,
            "demo (emulator)".into(),
            Keymap::default(),
            90,
            true,
            // Drafts, the cache and the outbox work as for real, in a temporary directory
            // removed at the end: the demo never writes to the real data directory.
            Persistence::Temporary { profile: "demo".into() },
        )
        .await;
        handle.shutdown().await;
        return code;
    }
    if !args.headless {
        println!(
            "(standard output is not a terminal: showing the headless walkthrough; `reviewdesk demo` in a terminal opens the full-screen UI)\n"
        );
    }
    let client = &session.client;
    let app = config.apps[0].clone();

    println!(
        "reviewdesk demo: a local emulator of Entra ID and the Microsoft Store API is running at {}",
        handle.base_url()
    );
    println!("(made-up reviews and credentials; no account needed, nothing leaves this machine)\n");

    println!(
        "1. Reviews of {app} from the last 90 days, newest first (review text is sanitised: some samples carry terminal escape sequences):\n"
    );
    let fetched = client
        .fetch_reviews(&ReviewQuery::last_days(&app, 90, today_utc()))
        .await?;
    let mut reviews = fetched.reviews;
    reviews.sort_by_key(|r| std::cmp::Reverse(r.timestamp));
    output::write_table(&mut std::io::stdout().lock(), &reviews[..reviews.len().min(12)])?;
    let unanswered = reviews.iter().filter(|r| !r.is_answered()).count();
    println!("\n   {} reviews, {unanswered} without a response.\n", reviews.len());

    println!("2. Checking which unanswered reviews may be answered (get response info):");
    let mut target = None;
    let mut opted_out = None;
    for r in reviews.iter().filter(|r| !r.is_answered()).take(20) {
        let id = r.id.clone().unwrap_or_default();
        let info = client.response_info(&app, Some(&id)).await?;
        if info.can_respond() && target.is_none() {
            println!(
                "   {id}: can respond; default support email {}",
                info.support_email().unwrap_or("(none)")
            );
            target = Some((r.clone(), info));
        } else if !info.can_respond() && opted_out.is_none() {
            println!("   {id}: the customer opted out; cannot respond");
            opted_out = Some(id);
        }
        if target.is_some() && opted_out.is_some() {
            break;
        }
    }
    let (review, info) = target.context("the sample data has no review that can be answered")?;
    let review_id = review.id.clone().unwrap_or_default();

    println!(
        "\n3. Answering \"{}\" ({} stars):",
        sanitize_line(&output::summary_line(&review)),
        review.rating.unwrap_or(0)
    );
    let text = "Thank you for the detailed review! Version 2.6 fixes the export crash you describe; please update and tell us at the address below if anything still goes wrong.";
    let item = ResponseItem {
        application_id: app.clone(),
        review_id: review_id.clone(),
        response_text: text.to_owned(),
        support_email: info.support_email().unwrap_or("support@contoso.example").to_owned(),
        is_public: true,
    };
    let report = client.submit_responses(std::slice::from_ref(&item)).await?;
    for o in &report.outcomes {
        println!("   {}", super::respond::outcome_line(o));
    }
    let mut again = ReviewQuery::last_days(&app, 90, today_utc());
    again.filter = Some(Filter::eq("id", review_id.as_str()).to_string());
    let after = client.fetch_reviews(&again).await?;
    if let Some(r) = after.reviews.first() {
        println!(
            "   The review now shows the response: \"{}\"",
            sanitize_line(r.response_text.as_deref().unwrap_or(""))
        );
    }

    if let Some(id) = opted_out {
        println!("\n4. Sending to a customer who opted out is refused per item, as the Store does:");
        let refused = ResponseItem {
            review_id: id,
            ..item.clone()
        };
        for o in client.submit_responses(&[refused]).await?.outcomes {
            println!("   {}", super::respond::outcome_line(&o));
        }
    }

    println!(
        "\n5. Microsoft documents the reviews API as \"currently not in a working state\". When it fails that way, reviewdesk says so:"
    );
    handle.set_faults(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    });
    match client.response_info(&app, Some(&review_id)).await {
        Err(e @ StoreError::ReviewsApiDown { .. }) => println!("   {e}"),
        Err(e) => println!("   unexpected: {e}"),
        Ok(_) => println!("   (the emulator did not simulate the outage)"),
    }
    handle.clear_faults();
    super::demo_commerce::walkthrough(6, &handle, &config).await?;

    println!(
        "\nThat is the whole flow. With your own app registration: see the README (reviewdesk reviews / eligibility / respond)."
    );
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
