//! `reviewdesk commerce import FILE`: every row checked first, then one Submit a Review per row
//! under the journal in the profile's database, so that a re-run after Ctrl-C, `kill -9` or a
//! lost connection continues where it stopped and submits no row twice.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::progress::ProgressLine;
use crate::commerce::cache::cache_export;
use crate::commerce::export::fetch_export;
use crate::commerce::import::{COLUMNS, ImportItem, RowDefaults, content_key, read_import_file};
use crate::commerce::{CommerceError, CommerceSession};
use crate::config::Config;
use crate::db::{Db, ImportState, NewImportRow, process_owner};
use crate::session::usage;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// Sentences for people (also `text`).
    #[value(alias = "text")]
    Table,
    Jsonl,
}

#[derive(Args, Debug)]
#[command(after_help = format!("Columns (CSV header or JSON keys, any case): {COLUMNS}.\n\
    Exit codes: 0 every valid row is imported (now or by an earlier run), 1 some rows were not, 2 the file is invalid \
    (nothing sent). [inferred] locale and user defaults, the storefront's 500/50 character limits (warnings only)."))]
pub struct ImportArgs {
    /// CSV with a header line, or JSON lines (one review object per line).
    pub file: PathBuf,
    /// Check every row and say what would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Submissions in flight at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=8))]
    pub parallel: u16,
    /// Send the valid rows even when some are invalid (they are listed, and not sent).
    #[arg(long)]
    pub skip_invalid: bool,
    /// `jsonl`: one result object per row on standard output (the names are those of every
    /// command's --format; a row's result has no table, CSV or JSON array form).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ImportFormat,
    /// The locale for rows without one [inferred default].
    #[arg(long, default_value = "en-us")]
    pub locale: String,
    /// The connector's encodedUser for rows without a user (its encoding is undocumented; sent as given).
    #[arg(long, default_value = "imported-review")]
    pub user: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowResult<'a> {
    line: u64,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    row_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

struct Reporter {
    jsonl: bool,
}

impl Reporter {
    fn row(&self, line: u64, status: &str, key: Option<&str>, detail: Option<String>) {
        if !self.jsonl {
            return;
        }
        let mut out = std::io::stdout().lock();
        let detail = detail.map(|d| crate::commerce::sas::redact(&d));
        let _ = super::output::write_json_compact(
            &mut out,
            &RowResult {
                line,
                status,
                row_key: key,
                detail,
            },
        );
        let _ = out.write_all(b"\n");
    }
}

#[derive(Default)]
struct Tally {
    sent: u64,
    before: u64,
    verified: u64,
    failed: u64,
    unconfirmed: u64,
    not_sent: u64,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub async fn run(config: Config, args: ImportArgs) -> Result<ExitCode> {
    let defaults = RowDefaults {
        locale: args.locale.clone(),
        user: args.user.clone(),
    };
    let file = read_import_file(&args.file, &defaults).map_err(usage)?;
    let reporter = Reporter {
        jsonl: args.format == ImportFormat::Jsonl,
    };
    if !file.unknown_columns.is_empty() {
        let cols: Vec<String> = file
            .unknown_columns
            .iter()
            .map(|c| crate::sanitize::sanitize_line(c))
            .collect();
        eprintln!(
            "warning: column{} {} {} not a Submit a Review field and will not be sent (the fields are: {COLUMNS})",
            if cols.len() == 1 { "" } else { "s" },
            cols.join(", "),
            if cols.len() == 1 { "is" } else { "are" }
        );
    }
    for (line, w) in &file.warnings {
        eprintln!("warning: line {line}: {w}");
    }
    for (line, p) in &file.problems {
        eprintln!("line {line}: {p}");
        reporter.row(*line, "invalid", None, Some(p.clone()));
    }
    let invalid_lines = {
        let mut l: Vec<u64> = file.problems.iter().map(|p| p.0).collect();
        l.dedup();
        l.len()
    };
    if invalid_lines > 0 && (!args.skip_invalid || file.items.is_empty()) {
        let way_out = match file.items.len() {
            0 => " (no row is valid, so --skip-invalid would send nothing either)".to_owned(),
            n => format!(
                ", or pass --skip-invalid to send the {n} valid row{}",
                if n == 1 { "" } else { "s" }
            ),
        };
        return Err(usage(format!(
            "{invalid_lines} row{} of {} {} invalid (listed above); nothing was sent: fix them{way_out}",
            if invalid_lines == 1 { "" } else { "s" },
            args.file.display(),
            if invalid_lines == 1 { "is" } else { "are" },
        )));
    }
    if args.dry_run {
        for item in &file.items {
            reporter.row(item.line, "would-send", Some(&item.row_key), None);
        }
        println!(
            "Dry run: {} row{} would be submitted ({} invalid skipped); nothing was sent.",
            file.items.len(),
            if file.items.len() == 1 { "" } else { "s" },
            invalid_lines
        );
        return Ok(ExitCode::SUCCESS);
    }
    let session = CommerceSession::resolve(config).await?;
    let mut db = super::local_db::open_or_create(&session.name)?;
    let source = args.file.display().to_string();
    let requests: Vec<String> = file
        .items
        .iter()
        .map(|i| serde_json::to_string(&i.request).unwrap_or_default())
        .collect();
    let new_rows: Vec<NewImportRow<'_>> = file
        .items
        .iter()
        .zip(&requests)
        .map(|(i, r)| NewImportRow {
            row_key: &i.row_key,
            content_key: &i.content_key,
            source: &source,
            line: i.line,
            request_json: r,
        })
        .collect();
    db.import_register(&new_rows, now())?;
    let abandoned = db.import_release_abandoned(now())?;
    if abandoned > 0 {
        eprintln!(
            "{abandoned} row(s) were being sent when an earlier run stopped; checking the export for them first."
        );
    }
    let db = Arc::new(Mutex::new(db));
    let mut tally = Tally::default();
    settle_unconfirmed(&session, &db, &mut tally).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let refused: Arc<Mutex<Option<CommerceError>>> = Arc::new(Mutex::new(None));
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
            }
        });
    }
    let owner = process_owner();
    let mut progress = ProgressLine::on_stderr("Importing");
    let total = file.items.len() as u64;
    let mut pass = 0;
    loop {
        pass += 1;
        let outcomes = send_pass(
            &session,
            &db,
            &file.items,
            &owner,
            args.parallel,
            &stop,
            &refused,
            &reporter,
            &mut progress,
            total,
        )
        .await;
        progress.finish();
        tally.sent += outcomes.sent;
        tally.failed += outcomes.failed;
        let lost = outcomes.unconfirmed;
        if lost == 0 || pass > 1 || stop.load(Ordering::SeqCst) || refused.lock().is_ok_and(|r| r.is_some()) {
            break;
        }
        // Answers were lost: see which of those rows arrived, then send the others once more.
        eprintln!("{lost} answer(s) were lost; checking the export before sending those rows again.");
        settle_unconfirmed(&session, &db, &mut tally).await?;
    }
    // Final states for the summary, by the journal.
    let mut states: HashMap<ImportState, u64> = HashMap::new();
    {
        let db = db
            .lock()
            .map_err(|_| anyhow::anyhow!("the journal lock was poisoned"))?;
        for item in &file.items {
            if let Some(row) = db.import_row(&item.row_key)? {
                *states.entry(row.state).or_default() += 1;
            }
        }
    }
    tally.unconfirmed = states.get(&ImportState::Unconfirmed).copied().unwrap_or(0);
    tally.not_sent = states.get(&ImportState::Pending).copied().unwrap_or(0);
    let done = states.get(&ImportState::Sent).copied().unwrap_or(0);
    tally.before = done.saturating_sub(tally.sent + tally.verified);
    let summary = format!(
        "Imported {} of {} rows now ({} by earlier runs, {} confirmed from the export), {} failed, {} unconfirmed, {} not sent, {} invalid skipped.",
        tally.sent,
        total,
        tally.before,
        tally.verified,
        states.get(&ImportState::Failed).copied().unwrap_or(0),
        tally.unconfirmed,
        tally.not_sent,
        invalid_lines
    );
    if reporter.jsonl {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    if let Some(e) = refused.lock().ok().and_then(|mut r| r.take()) {
        return Err(anyhow::anyhow!(
            "the import stopped: {e}; run the same command again once this is fixed or the service recovers: rows already sent are not sent again"
        ));
    }
    if stop.load(Ordering::SeqCst) {
        eprintln!("Interrupted: run the same command again to continue; nothing is sent twice.");
        return Ok(ExitCode::from(1));
    }
    Ok(if done == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Default)]
struct PassOutcome {
    sent: u64,
    failed: u64,
    unconfirmed: u64,
}

/// One pass over the rows: each pending one claimed, sent, and marked, `parallel` at a time.
#[allow(clippy::too_many_arguments)]
async fn send_pass(
    session: &CommerceSession,
    db: &Arc<Mutex<Db>>,
    items: &[ImportItem],
    owner: &str,
    parallel: u16,
    stop: &Arc<AtomicBool>,
    refused: &Arc<Mutex<Option<CommerceError>>>,
    reporter: &Reporter,
    progress: &mut ProgressLine,
    total: u64,
) -> PassOutcome {
    let permits = Arc::new(Semaphore::new(usize::from(parallel)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut outcome = PassOutcome::default();
    let mut done = 0u64;
    let mut settle =
        |result: Option<(u64, String, &'static str, Option<String>)>, outcome: &mut PassOutcome, done: &mut u64| {
            if let Some((line, key, status, detail)) = result {
                match status {
                    "sent" => outcome.sent += 1,
                    "failed" => outcome.failed += 1,
                    "unconfirmed" => outcome.unconfirmed += 1,
                    _ => {}
                }
                reporter.row(line, status, Some(&key), detail);
            }
            *done += 1;
            progress.rows(*done, total);
        };
    for item in items {
        if stop.load(Ordering::SeqCst) || refused.lock().is_ok_and(|r| r.is_some()) {
            break;
        }
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // Asked again: the row that held the permit may have met a refusal meanwhile.
        if stop.load(Ordering::SeqCst) || refused.lock().is_ok_and(|r| r.is_some()) {
            break;
        }
        while let Some(Ok(r)) = tasks.try_join_next() {
            settle(Some(r), &mut outcome, &mut done);
        }
        let claimed = {
            let mut db = match db.lock() {
                Ok(d) => d,
                Err(_) => break,
            };
            match db.import_row(&item.row_key) {
                Ok(Some(row)) if row.state == ImportState::Pending => {
                    db.import_claim(&item.row_key, owner, now()).unwrap_or(false)
                }
                Ok(Some(row)) => {
                    let status = match row.state {
                        ImportState::Sent => "already-imported",
                        ImportState::Failed => "failed-earlier",
                        ImportState::Unconfirmed => "unconfirmed",
                        _ => "in-progress-elsewhere",
                    };
                    drop(db);
                    settle(
                        Some((item.line, item.row_key.clone(), status, row.reason)),
                        &mut outcome,
                        &mut done,
                    );
                    continue;
                }
                _ => false,
            }
        };
        if !claimed {
            settle(
                Some((item.line, item.row_key.clone(), "in-progress-elsewhere", None)),
                &mut outcome,
                &mut done,
            );
            continue;
        }
        let (client, db, refused) = (session.client.clone(), db.clone(), refused.clone());
        let (request, key, line) = (item.request.clone(), item.row_key.clone(), item.line);
        tasks.spawn(async move {
            let result = client.submit(&request).await;
            let (state, status, reason, answer) = match result {
                Ok(answer) => (ImportState::Sent, "sent", None, Some(answer)),
                Err(e @ CommerceError::Unconfirmed { .. }) => {
                    (ImportState::Unconfirmed, "unconfirmed", Some(e.to_string()), None)
                }
                Err(e @ CommerceError::Api { status, .. }) if (400..500).contains(&status) && status != 429 => {
                    (ImportState::Failed, "failed", Some(e.to_string()), None)
                }
                Err(e) => {
                    // Nothing was applied (refused token, throttled or failing after every retry,
                    // no connection): the row stays pending for the next run.
                    let text = e.to_string();
                    // Each of these would refuse every further row the same way (a service still
                    // failing after every retry too): stop, and say why.
                    if matches!(
                        e,
                        CommerceError::NotAllowed { .. }
                            | CommerceError::Auth(_)
                            | CommerceError::Network { .. }
                            | CommerceError::Api { .. }
                    ) && let Ok(mut r) = refused.lock()
                    {
                        r.get_or_insert(e);
                    }
                    (ImportState::Pending, "not-sent", Some(text), None)
                }
            };
            // Only now may the next row start: after a refusal was recorded it is not sent.
            drop(permit);
            let marked = db.lock().map_err(|_| "poisoned".to_owned()).and_then(|mut d| {
                d.import_mark(&key, state, reason.as_deref(), answer.as_deref(), now())
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = marked {
                tracing::error!(row = %key, "cannot record an import result: {e}");
            }
            (line, key, status, reason)
        });
    }
    while let Some(r) = tasks.join_next().await {
        settle(r.ok(), &mut outcome, &mut done);
    }
    outcome
}

/// Rows whose answer was lost are looked for in a fresh export: as many as the export shows
/// beyond those known sent are marked sent; the rest go back to pending.
async fn settle_unconfirmed(session: &CommerceSession, db: &Arc<Mutex<Db>>, tally: &mut Tally) -> Result<()> {
    let uncertain = db
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .import_unconfirmed()?;
    if uncertain.is_empty() {
        return Ok(());
    }
    let mut download = tempfile::NamedTempFile::new().context("cannot create a temporary file for the export")?;
    let mut progress = ProgressLine::on_stderr("Downloading the export to verify");
    let fetched = fetch_export(&session.client, download.as_file_mut(), &mut |d, t| {
        progress.bytes(d, t)
    })
    .await;
    progress.finish();
    fetched.context("rows whose answer was lost cannot be verified, so they are not sent again")?;
    let wanted: std::collections::HashSet<&str> = uncertain.iter().map(|r| r.content_key.as_str()).collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut db = db.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    // The fresh export refreshes the site's one cached copy as it is searched.
    cache_export(&mut db, &session.name, download.path(), |r| {
        let key = content_key(
            r.product_id.as_deref().unwrap_or(""),
            r.title.as_deref().unwrap_or(""),
            r.review_text.as_deref().unwrap_or(""),
        );
        if wanted.contains(key.as_str()) {
            *seen.entry(key).or_default() += 1;
        }
        Ok(())
    })?;
    let mut budget: HashMap<String, u64> = HashMap::new();
    for row in &uncertain {
        let left = match budget.get_mut(&row.content_key) {
            Some(b) => b,
            None => {
                let known = db.import_sent_with_content(&row.content_key)?;
                let in_export = seen.get(&row.content_key).copied().unwrap_or(0);
                budget
                    .entry(row.content_key.clone())
                    .or_insert(in_export.saturating_sub(known))
            }
        };
        if *left > 0 {
            *left -= 1;
            db.import_mark(
                &row.row_key,
                ImportState::Sent,
                Some("found in the export after its answer was lost"),
                None,
                now(),
            )?;
            tally.verified += 1;
        } else {
            db.import_mark(
                &row.row_key,
                ImportState::Pending,
                Some("not in the export: its request was not applied"),
                None,
                now(),
            )?;
        }
    }
    Ok(())
}
