//! `reviewdesk import-report FILE`: the Partner Center Reviews report into the profile's review
//! cache, where the terminal UI reads and answers its reviews like fetched ones.
//!
//! Importing is a merge, so that doing it twice changes nothing and a report never loses what a
//! fetch knew: the report's cells are laid over the cached review (fields the report lacks,
//! such as device details, stay), and a row is written only when that changes the review. A row
//! dated before the cached review (the customer revised it after the report was downloaded) is
//! left alone.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{Map, Value};

use crate::config::{self, Config};
use crate::db::{CachedReview, Db};
use crate::report::{self, ReportRow};
use crate::sanitize::sanitize_line;
use crate::session::usage;
use crate::store::Review;
use crate::store::validate::normalize_store_id;

#[derive(Args, Debug)]
#[command(
    after_help = "Partner Center: Insights, Reviews, Download reports gives the .tsv. Headers are matched \
    loosely (\"Review ID\", review_id, ReviewId ...); UTF-8 with or without BOM and UTF-16 with BOM are read; \
    unknown columns are kept with the review. Importing the same file again changes nothing; a newer file \
    updates what changed. Exit codes: 0 imported (lines that could not be read are listed on stderr), \
    2 the file or --app was refused, 1 the local database failed."
)]
pub struct ImportReportArgs {
    /// The Reviews report (.tsv) downloaded from Partner Center.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The app the reviews belong to, when the report has no application ID column; with one,
    /// only that app's rows are imported.
    #[arg(long, value_name = "STOREID")]
    pub app: Option<String>,
}

/// What an import did, counted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub older: usize,
}

pub fn run(config: Config, args: ImportReportArgs) -> Result<ExitCode> {
    let app = args
        .app
        .as_deref()
        .map(normalize_store_id)
        .transpose()
        .map_err(|e| usage(format!("--app: {e}")))?;
    let bytes =
        std::fs::read(&args.file).map_err(|e| usage(format!("cannot read the report {}: {e}", args.file.display())))?;
    let parsed = report::parse(&bytes).map_err(|e| usage(format!("{}: {e}", args.file.display())))?;
    let mut by_app: HashMap<String, Vec<&ReportRow>> = HashMap::new();
    let mut skipped = parsed.skipped.clone();
    for row in &parsed.rows {
        let row_app = match row.application_id().map(normalize_store_id) {
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                skipped.push(format!("line {}: {e}", row.line));
                continue;
            }
            None => match &app {
                Some(a) => a.clone(),
                None => {
                    return Err(usage(format!(
                        "{} has no application ID column: say which app its reviews are of with --app STOREID",
                        args.file.display()
                    )));
                }
            },
        };
        if app.as_ref().is_some_and(|a| *a != row_app) {
            skipped.push(format!("line {}: a review of {row_app}, not of --app", row.line));
            continue;
        }
        by_app.entry(row_app).or_default().push(row);
    }

    let profile = super::history::profile_name(&config)?;
    let dirs = config::project_dirs().context("no home directory to keep the local database in")?;
    let (mut db, open_report) = Db::open(dirs.data_dir(), &profile)?;
    if let Some(message) = open_report.message() {
        eprintln!("{message}");
    }
    for line in &skipped {
        eprintln!("skipped {}", sanitize_line(line));
    }
    let mut apps: Vec<_> = by_app.into_iter().collect();
    apps.sort_by(|a, b| a.0.cmp(&b.0));
    for (app, rows) in apps {
        let counts = import_rows(&mut db, &app, &rows)?;
        println!(
            "{app}: {} new, {} updated, {} unchanged, {} older than the cache (profile {profile})",
            counts.new, counts.updated, counts.unchanged, counts.older
        );
    }
    if parsed.rows.is_empty() {
        eprintln!("{} holds no reviews", args.file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Merges `rows` into the cache of `app`, in one transaction; what happened to them.
pub fn import_rows(db: &mut Db, app: &str, rows: &[&ReportRow]) -> Result<ImportCounts> {
    let mut counts = ImportCounts::default();
    let mut write = Vec::new();
    // A report lists a review once; if it lists one twice, the later line wins.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let cached = db.review(app, row.id())?;
        let mut merged: Map<String, Value> = match cached.as_ref().map(|c| serde_json::from_str(&c.raw_json)) {
            Some(Ok(Value::Object(m))) => m,
            _ => Map::new(),
        };
        let before = merged.clone();
        let row_date = timestamp(&row.review);
        if cached.is_some() && timestamp(&before).zip(row_date).is_some_and(|(have, got)| got < have) {
            counts.older += 1;
            continue;
        }
        for (k, v) in &row.review {
            merged.insert(k.clone(), v.clone());
        }
        merged.entry("applicationId").or_insert_with(|| Value::from(app));
        if cached.is_some() && merged == before {
            counts.unchanged += 1;
            continue;
        }
        let review = CachedReview {
            id: row.id().to_owned(),
            date_ts: timestamp(&merged),
            raw_json: Value::Object(merged).to_string(),
        };
        match seen.get(row.id()) {
            Some(&i) => write[i] = review,
            None => {
                seen.insert(row.id(), write.len());
                write.push(review);
                if cached.is_some() {
                    counts.updated += 1;
                } else {
                    counts.new += 1;
                }
            }
        }
    }
    if !write.is_empty() {
        db.upsert_reviews(app, &write, chrono::Utc::now().timestamp())?;
    }
    Ok(counts)
}

/// The review's date as the cache computes it.
fn timestamp(review: &Map<String, Value>) -> Option<i64> {
    serde_json::from_value::<Review>(Value::Object(review.clone()))
        .ok()
        .and_then(|r| r.timestamp)
}
