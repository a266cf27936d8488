//! `reviewdesk respond` for one review.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::RespondArgs;
use crate::config::Config;
use crate::sanitize::{sanitize_line, sanitize_text};
use crate::session::{Session, usage};
use crate::store::validate::{
    MAX_RESPONSE_UTF16, normalize_store_id, utf16_len, validate_email, validate_response_text, validate_review_id,
};
use crate::store::{ResponseItem, SubmitOutcome, SubmitStatus};

pub async fn run(config: Config, args: RespondArgs) -> Result<ExitCode> {
    let app = normalize_store_id(args.app.as_deref().unwrap_or_default()).map_err(|e| usage(e.to_string()))?;
    let review = validate_review_id(args.review.as_deref().unwrap_or_default()).map_err(|e| usage(e.to_string()))?;
    let template = args
        .template
        .as_deref()
        .map(|name| super::compose::load_template(&config, name))
        .transpose()?;
    let typed = match (&args.text, &args.text_file, &template) {
        (Some(t), _, _) => Some(t.clone()),
        (None, Some(path), _) => Some(read_text_file(path)?),
        (None, None, Some(_)) => None,
        (None, None, None) => {
            return Err(usage(
                "give the response with --text TEXT, --text-file PATH (- reads standard input) or --template NAME",
            ));
        }
    };
    if let Some(text) = &typed {
        // --check reports the length with the other findings instead.
        if !args.check {
            validate_response_text(text).map_err(|e| usage(e.to_string()))?;
        }
    }
    let checker = super::compose::Checker::new(&config);
    if let Some(e) = &args.support_email {
        validate_email(e.trim()).map_err(|e| usage(e.to_string()))?;
    }

    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::Respond)?;
    let client = session.client.with_progress(super::reviews::progress_printer());
    // Eligibility first: it also gives the default support email.
    let info = client.response_info(&app, Some(&review)).await?;
    if !info.can_respond() {
        anyhow::bail!(
            "review {} of {app} cannot be answered: the customer opted out of responses, or Microsoft withdrew permission to respond",
            sanitize_line(&review)
        );
    }
    let support_email = match args.support_email.as_deref().map(str::trim) {
        Some(e) => e.to_owned(),
        None => info.support_email().map(str::to_owned).ok_or_else(|| {
            usage(
                "the app's Store listing has no support email, and the Store requires one: pass --support-email EMAIL",
            )
        })?,
    };
    // The review itself: to fill the template, and for the policy's canned-reply check.
    let fetched = if template.is_some() || args.check {
        client.fetch_review(&app, &review).await?
    } else {
        None
    };
    let text = match (typed, &template) {
        (Some(t), _) => t,
        (None, Some(t)) => {
            let r = fetched.as_ref().ok_or_else(|| {
                usage(format!(
                    "review {} of {app} was not found, so the template cannot be filled: check the review ID",
                    sanitize_line(&review)
                ))
            })?;
            t.render_for(r, Some(&support_email)).text
        }
        (None, None) => unreachable!("checked above"),
    };
    let review_text = fetched.as_ref().and_then(|r| r.review_text.as_deref());
    let findings = checker.check(&text, &review, review_text, Some(&support_email));
    super::compose::print_findings("", &findings);
    if args.check {
        println!("{}", sanitize_text(&text));
        let blocked = crate::policy::blocks(&findings);
        println!(
            "Check: {} finding{}; {}. Nothing was sent.",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            if blocked {
                "something blocks sending"
            } else {
                "nothing blocks sending"
            }
        );
        return Ok(if blocked { ExitCode::from(1) } else { ExitCode::SUCCESS });
    }
    if crate::policy::blocks(&findings) {
        return Err(usage(
            "the reply breaks a rule that blocks sending (listed above); nothing was sent: fix the text or the template",
        ));
    }
    validate_response_text(&text).map_err(|e| usage(e.to_string()))?;
    let item = ResponseItem {
        application_id: app,
        review_id: review,
        response_text: text,
        support_email,
        is_public: !args.private,
    };
    if args.dry_run {
        println!("Dry run: would send {}. Nothing was sent.", describe_item(&item));
        return Ok(ExitCode::SUCCESS);
    }
    let report = client.submit_responses(std::slice::from_ref(&item)).await?;
    if let Some(err) = report.error {
        return Err(err.into());
    }
    let outcome = report
        .outcomes
        .first()
        .context("the Store's answer mentioned no review")?;
    println!("{}", outcome_line(outcome));
    Ok(if outcome.status == SubmitStatus::Sent {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// "a public response of 120/1000 characters to review … of …, support email …"
pub(super) fn describe_item(item: &ResponseItem) -> String {
    format!(
        "a {} response of {}/{MAX_RESPONSE_UTF16} characters to review {} of {}, support email {}",
        if item.is_public {
            "public"
        } else {
            "private (email only)"
        },
        utf16_len(&item.response_text),
        sanitize_line(&item.review_id),
        item.application_id,
        sanitize_line(&item.support_email)
    )
}

pub(super) fn outcome_line(o: &SubmitOutcome) -> String {
    let review = sanitize_line(&o.review_id);
    match &o.status {
        SubmitStatus::Sent => format!("sent         {} {review}", o.application_id),
        SubmitStatus::Rejected(why) => format!("refused      {} {review}: {why}", o.application_id),
        SubmitStatus::Failed(why) => format!("failed       {} {review}: {why}", o.application_id),
        SubmitStatus::Unconfirmed(why) => {
            format!("unconfirmed  {} {review}: {why}", o.application_id)
        }
        SubmitStatus::NotSent(why) => format!("not sent     {} {review}: {why}", o.application_id),
    }
}

/// A response file; `-` is standard input. One trailing newline (which editors add) is dropped.
pub(super) fn read_text_file(path: &Path) -> Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| usage(format!("cannot read the response from standard input: {e}")))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read the response file {}: {e}", path.display())))?;
    }
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}
