//! `reviewdesk reviews`

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::export::{self, ExportFormat};
use super::{ReviewsArgs, output};
use crate::config::Config;
use crate::session::{Session, usage};
use crate::store::dates::{parse_user_date, today_utc};
use crate::store::models::REVIEW_FIELD_NAMES;
use crate::store::validate::normalize_store_id;
use crate::store::{Progress, Review, ReviewQuery};

/// What `--format csv|tsv` writes without `--columns`.
const DEFAULT_COLUMNS: [&str; 15] = [
    "id",
    "date",
    "rating",
    "market",
    "reviewerName",
    "reviewTitle",
    "reviewText",
    "responseText",
    "responseDate",
    "isRevised",
    "applicationId",
    "packageVersion",
    "osVersion",
    "deviceType",
    "helpfulCount",
];

pub async fn run(config: Config, args: ReviewsArgs) -> Result<ExitCode> {
    let app = normalize_store_id(&args.app).map_err(|e| usage(e.to_string()))?;
    // Checked before anything is fetched: a typo costs no request.
    let columns = args
        .columns
        .as_deref()
        .map(|c| export::parse_columns(c, REVIEW_FIELD_NAMES))
        .transpose()?;
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
    write_reviews(&mut out, args.format, columns.as_deref(), &fetched)?;
    if args.format == ExportFormat::Table && columns.is_none() && std::io::stdout().is_terminal() {
        eprintln!("{} reviews from {} to {}", fetched.len(), query.start, query.end);
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The reviews in `format`: without `columns`, JSON keeps each review whole (unknown fields
/// too), the table is the summary one, CSV and TSV have [`DEFAULT_COLUMNS`]. CSV, TSV and JSON
/// lines are written one review at a time: each becomes a JSON object only while its row is
/// written (100,000 of them as objects at once took ~430 MB).
pub fn write_reviews(
    out: &mut dyn Write,
    format: ExportFormat,
    columns: Option<&[&str]>,
    reviews: &[Review],
) -> std::io::Result<()> {
    match (format, columns) {
        (ExportFormat::Table, None) => output::write_table(&mut &mut *out, reviews),
        (ExportFormat::Json, None) => output::write_json(&mut &mut *out, &reviews),
        (ExportFormat::Jsonl, None) => export::write_jsonl(out, reviews),
        (ExportFormat::Csv | ExportFormat::Tsv | ExportFormat::Jsonl, columns) => {
            let mut w = export::RowWriter::new(out, format, columns.unwrap_or(&DEFAULT_COLUMNS))?;
            for r in reviews {
                w.row(&export::to_object(r))?;
            }
            w.finish()
        }
        (format, columns) => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = reviews.iter().map(export::to_object).collect();
            export::write_rows(out, format, columns.unwrap_or(&DEFAULT_COLUMNS), &rows)
        }
    }
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
