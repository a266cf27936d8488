//! The headless demo's Commerce part: the emulator's (speculative) Ratings & Reviews site
//! exported and read through the same code as `reviewdesk commerce export`.

use anyhow::{Context, Result};
use secrecy::SecretString;

use crate::auth::Credentials;
use crate::commerce::export::{fetch_export, read_export};
use crate::commerce::{CommerceReview, CommerceSession};
use crate::config::Config;
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::profiles::{CommerceSite, Profile, ProfileKind};
use crate::provider::commerce_source::WHERE_TO_ANSWER;
use crate::provider::{Feature, source_for};
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::session::quick_retry;

/// The demo's site's source ID in the full-screen UI, and its name there.
pub const DEMO_SITE: &str = "demo-site";
pub const DEMO_SITE_NAME: &str = "Fabrikam Outdoor (site)";

/// The emulator's site, reached like a Commerce profile would reach it (its made-up
/// registration is on the emulator's S2S allow-list).
pub fn demo_site(handle: &EmulatorHandle, config: &EmulatorConfig) -> Result<CommerceSession> {
    let profile = Profile {
        kind: ProfileKind::Commerce,
        tenant: config.tenant_id.clone(),
        client_id: config.client_id.clone(),
        commerce: Some(CommerceSite {
            name: crate::emulator::commerce::DEFAULT_REGISTRATION_NAME.into(),
            rnr_url: handle.base_url(),
            rnr_tenant: Some(config.rnr_tenant_id.clone()),
            scope: None,
        }),
        login_url: Some(handle.base_url()),
        ..Profile::default()
    };
    let credentials = Credentials {
        tenant: config.tenant_id.clone(),
        client_id: config.client_id.clone(),
        secret: SecretString::from(config.client_secret.clone()),
    };
    CommerceSession::new(Config::default(), DEMO_SITE.into(), profile, credentials, quick_retry())
}

pub async fn walkthrough(step: u32, handle: &EmulatorHandle, config: &EmulatorConfig) -> Result<()> {
    println!(
        "\n{step}. A Dynamics 365 Commerce site next to the Store apps (the emulator's Ratings & Reviews side is speculative: only the connector's two operations are known):"
    );
    let session = demo_site(handle, config)?;
    let mut file = tempfile::NamedTempFile::new().context("cannot create a temporary file for the export")?;
    let (_, bytes) = fetch_export(&session.client, file.as_file_mut(), &mut |_, _| {}).await?;
    let mut reviews: Vec<CommerceReview> = Vec::new();
    read_export(file.path(), |r| {
        reviews.push(r);
        Ok(())
    })?;
    println!(
        "   Export All Reviews: {} reviews ({bytes} bytes downloaded from a signed, expiring link that is never shown)",
        reviews.len()
    );
    for r in reviews.iter().take(6) {
        let line = format!(
            "{}★ {:<22} {} — {}",
            r.rating.unwrap_or(0.0),
            r.moderation_state(),
            r.title.as_deref().unwrap_or(""),
            r.review_text.as_deref().unwrap_or("")
        );
        println!("   {}", truncate_to_width(&sanitize_line(&line), 96));
    }
    let source = source_for(ProfileKind::Commerce);
    if !source.capabilities().has(Feature::Respond) {
        println!("   Replying: {WHERE_TO_ANSWER}.");
    }
    Ok(())
}
