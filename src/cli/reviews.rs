//! `reviewdesk reviews`

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::{Format, ReviewsArgs, output};
use crate::config::Config;
use crate::session::{Session, usage};
use crate::store::dates::{parse_user_date, today_utc};
use crate::store::validate::normalize_store_id;
use crate::store::{Progress, ReviewQuery};

pub async fn run(config: Config, args: ReviewsArgs) -> Result<ExitCode> {
    let app = normalize_store_id(&args.app).map_err(|e| usage(e.to_string()))?;
    let today = today_utc();
    let end = match &args.until {
        Some(d) => parse_user_date(d, today).map_err(|e| usage(format!("--until: {e}")))?,
        None => today,
    };
    let mut query = ReviewQuery::last_days(app, config.reviews.default_days, end);
    if let Some(d) = &args.since {
        query.start = parse_user_date(d, today).map_err(|e| usage(format!("--since: {e}")))?;
    }
    if query.start > query.end {
        return Err(usage(format!(
            "--since ({}) is after --until ({}): swap them",
            query.start, query.end
        )));
    }
    query.filter = args.filter.clone();
    query.orderby = args.orderby.clone();
    query.top = args.page_size;

    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::ListReviews)?;
    let client = session.client.with_progress(progress_printer());
    let mut fetched = client.fetch_reviews(&query).await?.reviews;
    if args.orderby.is_none() {
        // Newest first, whatever order the service chose.
        fetched.sort_by_key(|r| std::cmp::Reverse(r.timestamp));
    }
    if args.unanswered {
        fetched.retain(|r| !r.is_answered());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Table => {
            output::write_table(&mut out, &fetched)?;
            if std::io::stdout().is_terminal() {
                eprintln!("{} reviews from {} to {}", fetched.len(), query.start, query.end);
            }
        }
        Format::Json => output::write_json(&mut out, &fetched)?,
        Format::Csv => output::write_csv(&mut out, &fetched)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Retries are always worth a line on stderr (they explain a pause); page progress only when a
/// person is watching.
pub fn progress_printer() -> crate::store::ProgressFn {
    let interactive = std::io::stderr().is_terminal();
    Arc::new(move |p: Progress| match p {
        Progress::Retrying { .. } => eprintln!("{}", p.describe()),
        Progress::Page { .. } if interactive => eprintln!("{}", p.describe()),
        Progress::Page { .. } => {}
    })
}
