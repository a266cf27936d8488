//! `reviewdesk eligibility`

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::EligibilityArgs;
use super::export::{self, Shape};
use crate::config::Config;
use crate::sanitize::sanitize_line;
use crate::session::{Session, usage};
use crate::store::validate::{normalize_store_id, validate_review_id};

/// The answer's fields, in the order CSV and TSV write them.
const COLUMNS: [&str; 4] = ["applicationId", "reviewId", "canRespond", "defaultSupportEmail"];

pub async fn run(config: Config, args: EligibilityArgs) -> Result<ExitCode> {
    let app = normalize_store_id(&args.app).map_err(|e| usage(e.to_string()))?;
    let review = args
        .review
        .as_deref()
        .map(validate_review_id)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::Eligibility)?;
    let info = session.client.response_info(&app, review.as_deref()).await?;
    let answer = serde_json::json!({
        "applicationId": app,
        "reviewId": review,
        "canRespond": info.can_respond(),
        "defaultSupportEmail": info.default_support_email,
    });
    let mut out = std::io::stdout().lock();
    export::write_listing(
        &mut out,
        args.format,
        &COLUMNS,
        &[export::to_object(&answer)],
        Shape::One,
        |out| {
            let subject = match &review {
                Some(r) => format!("review {} of {app}", sanitize_line(r)),
                None => format!("reviews of {app}"),
            };
            if info.can_respond() {
                writeln!(out, "You may respond to {subject}.")?;
            } else if review.is_some() {
                writeln!(
                    out,
                    "You may not respond to {subject}: the customer opted out of responses, or Microsoft withdrew permission."
                )?;
            } else {
                writeln!(
                    out,
                    "You may not respond to {subject}: Microsoft does not allow responses for this app or account."
                )?;
            }
            match info.support_email() {
                Some(e) => writeln!(out, "Default support email: {}", sanitize_line(e)),
                None => writeln!(
                    out,
                    "The app's Store listing has no support email: pass --support-email when responding."
                ),
            }
        },
    )?;
    out.flush()?;
    // 1 is the answer "no", as documented: a script can test `reviewdesk eligibility … && …`.
    Ok(if info.can_respond() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
