//! `reviewdesk outbox`: the replies confirmed in the terminal UI and not yet known to be sent,
//! from the profile's local database; `send` sends them now (the same sender, claims and
//! verification the UI uses, so it is safe next to a running UI or another `send`).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use super::export::{self, ExportFormat, Shape};
use super::output;
use crate::config::{self, Config};
use crate::db::{self, Db, OutboxItem, OutboxState, process_owner};
use crate::outbox_sender::{Delivery, OutboxSender, SendPolicy, describe, now, short_id};
use crate::sanitize::{sanitize_line, sanitize_text, truncate_to_width};
use crate::session::{Session, usage};

/// How long `send` waits for a request to settle before reading its review back (longer, and
/// it leaves the reply unconfirmed for the next run).
const SETTLE_WAIT_LIMIT: i64 = 120;

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    /// What is queued, sending, unconfirmed or failed (and what was sent in the last day).
    List(ListArgs),
    /// Send every queued reply now and settle the unconfirmed ones (reads each review back).
    Send(SendArgs),
    /// Send a failed or held reply again: it goes out with the next `send` or UI round.
    Retry(ItemArgs),
    /// Remove a queued or failed reply; its text is printed, so nothing is lost.
    Discard(ItemArgs),
}

#[derive(Args, Debug)]
pub struct SendArgs {
    /// table: a line per item on standard error, as it happens; json (an array), jsonl, csv or
    /// tsv: a record per item on standard output (id, app, review, outcome, state, detail).
    /// The count sent and left always goes to standard error.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExportFormat,
}

#[derive(Args, Debug)]
pub struct ItemArgs {
    /// The item's number, as `outbox list` shows it.
    pub id: i64,
    /// table: one sentence (`discard` prints the text, so nothing is lost); json (the item as
    /// it is afterwards, its text among it), jsonl, csv or tsv (the columns of `outbox list`).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExportFormat,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// table for people; json (an array of items), jsonl, csv or tsv (id, state, app, review,
    /// attempts, public, support_email, reason, text, created_at, updated_at, sent_at).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExportFormat,
}

/// What CSV and TSV of `outbox send` hold, one record per item and outcome.
const SEND_COLUMNS: [&str; 6] = ["id", "app", "review", "outcome", "state", "detail"];

/// What CSV and TSV of `outbox list` hold, in this order (times in Unix seconds).
const LIST_COLUMNS: [&str; 12] = [
    "id",
    "state",
    "app",
    "review",
    "attempts",
    "public",
    "support_email",
    "reason",
    "text",
    "created_at",
    "updated_at",
    "sent_at",
];

/// The profile's database, which must exist: the outbox is only ever filled by the UI.
fn open(config: &Config) -> Result<Db> {
    let profile = super::history::profile_name(config)?;
    let dirs = config::project_dirs().context("no home directory: there is no local database to read")?;
    let path = db::db_path(dirs.data_dir(), &profile).map_err(|e| usage(e.to_string()))?;
    if !path.exists() {
        bail!(
            "profile {profile} has no local database at {} yet: replies confirmed in the terminal UI are kept there",
            path.display()
        );
    }
    let (db, report) = Db::open(dirs.data_dir(), &profile)?;
    if let Some(message) = report.message() {
        eprintln!("{message}");
    }
    Ok(db)
}

pub async fn run(config: Config, cmd: OutboxCommand) -> Result<ExitCode> {
    match cmd {
        OutboxCommand::List(args) => {
            let db = open(&config)?;
            let items = db.outbox(None, now() - 86_400)?;
            let mut out = std::io::stdout().lock();
            let objects: Vec<_> = items.iter().map(export::to_object).collect();
            export::write_listing(&mut out, args.format, &LIST_COLUMNS, &objects, Shape::List, |out| {
                if items.is_empty() {
                    eprintln!("the outbox is empty");
                    Ok(())
                } else {
                    write_table(out, &items)
                }
            })?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        OutboxCommand::Retry(ItemArgs { id, format }) => {
            let mut db = open(&config)?;
            db.send_again(id, now())?;
            let item = db.outbox_item(id)?;
            write_item(format, &item, |_| {
                eprintln!("item {id} is queued again, due now");
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        OutboxCommand::Discard(ItemArgs { id, format }) => {
            let mut db = open(&config)?;
            let item = db.discard(id)?;
            // The table prints the text cleaned (it may hold anything a batch file held); json
            // keeps it exactly, escaped.
            write_item(format, &item, |out| {
                eprintln!("item {id} discarded; its text was:");
                writeln!(out, "{}", sanitize_text(&item.text))
            })?;
            Ok(ExitCode::SUCCESS)
        }
        OutboxCommand::Send(args) => send(config, args.format).await,
    }
}

/// One item (after `retry` or `discard`) in `format`: the object itself in JSON, the columns
/// of `outbox list` in CSV and TSV, `table` for people.
fn write_item(
    format: ExportFormat,
    item: &OutboxItem,
    table: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    export::write_listing(
        &mut out,
        format,
        &LIST_COLUMNS,
        &[export::to_object(item)],
        Shape::One,
        table,
    )?;
    out.flush()?;
    Ok(())
}

/// One item's outcome in a round: a word a script can match, and the sentence for people.
fn outcome(what: &Delivery) -> (&'static str, String) {
    match what {
        Delivery::Sent => ("sent", "sent".to_owned()),
        Delivery::VerifiedSent => (
            "sent",
            "sent (found on the review after an unclear answer; not sent again)".to_owned(),
        ),
        Delivery::VerifiedNotApplied => ("queued", "did not arrive; it is sent again".to_owned()),
        Delivery::Failed(why) => ("failed", format!("failed: {why}")),
        Delivery::Retrying { reason, .. } => ("queued", format!("kept in the queue: {reason}")),
        Delivery::ApiDown { message, .. } => ("queued", format!("kept in the queue: {message}")),
        Delivery::Unconfirmed(why) => (
            "unconfirmed",
            format!("unclear ({why}); the review is read back once it settles"),
        ),
        Delivery::StillUnknown(why) => ("unconfirmed", format!("still unclear: {why}")),
    }
}

/// Where `send` reports each outcome: lines on standard error for people, or records on
/// standard output, streamed (jsonl, csv, tsv) or gathered into one array (json).
enum SendReport<'a> {
    Lines,
    Rows(export::RowWriter<'a>),
    Array(Vec<serde_json::Map<String, serde_json::Value>>),
}

impl SendReport<'_> {
    fn outcome(&mut self, o: &crate::outbox_sender::Outcome) -> std::io::Result<()> {
        let (word, detail) = outcome(&o.what);
        let record = || {
            let mut m = serde_json::Map::new();
            m.insert("id".into(), o.item.id.into());
            m.insert("app".into(), o.item.app.clone().into());
            m.insert("review".into(), o.item.review.clone().into());
            m.insert("outcome".into(), word.into());
            m.insert("state".into(), serde_json::to_value(o.item.state).unwrap_or_default());
            m.insert("detail".into(), detail.clone().into());
            m
        };
        match self {
            SendReport::Lines => {
                let short = short_id(&o.item.review);
                eprintln!("item {} (review {short}): {}", o.item.id, sanitize_line(&detail));
                Ok(())
            }
            SendReport::Rows(w) => w.row(&record()),
            SendReport::Array(all) => {
                all.push(record());
                Ok(())
            }
        }
    }

    fn finish(self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            SendReport::Lines => Ok(()),
            SendReport::Rows(w) => w.finish(),
            SendReport::Array(all) => output::write_json(&mut &mut *out, &all),
        }
    }
}

async fn send(config: Config, format: ExportFormat) -> Result<ExitCode> {
    let db = open(&config)?;
    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::Respond)?;
    let policy = SendPolicy::from_config(&session.config);
    let sender = OutboxSender::new(db, Arc::new(session.client), process_owner(), policy);
    let recovered = sender.recover().await?;
    if !recovered.is_empty() {
        eprintln!(
            "{} item(s) left unclear by an earlier run: reading their reviews back first",
            recovered.len()
        );
    }
    // Rounds until nothing is due: a failure that pauses sending (an outage) ends the command;
    // a reply whose request may still be settling is waited for (a minute or so at most), then
    // read back, so that one `send` leaves nothing unclear that it could have settled.
    let mut sent = 0;
    let started = now();
    let mut stdout = std::io::stdout();
    let mut report = match format {
        ExportFormat::Table => SendReport::Lines,
        ExportFormat::Json => SendReport::Array(Vec::new()),
        rows => SendReport::Rows(export::RowWriter::new(&mut stdout, rows, &SEND_COLUMNS)?),
    };
    // A record that cannot be written (a closed pipe) does not stop the sending: the replies
    // go out and the command fails at the end, saying so.
    let mut write_error = None;
    loop {
        let summary = sender
            .round(|o| {
                if let Err(e) = report.outcome(o) {
                    write_error.get_or_insert(e);
                }
            })
            .await?;
        sent += summary
            .outcomes
            .iter()
            .filter(|o| matches!(o.what, Delivery::Sent | Delivery::VerifiedSent))
            .count();
        let again = match (summary.paused_until, summary.verify_again_at, summary.next_due) {
            (Some(_), ..) => None,
            (None, verify, due) => [verify, due.filter(|&d| d <= now())].into_iter().flatten().min(),
        };
        match again {
            // Bounded: a review that cannot be read back (the API down) is left for later.
            Some(at) if at - now() <= SETTLE_WAIT_LIMIT && at - started <= 2 * SETTLE_WAIT_LIMIT => {
                let wait = (at - now()).max(0);
                if wait > 0 {
                    eprintln!("waiting {wait} s for an earlier request to settle before reading its review back");
                    tokio::time::sleep(std::time::Duration::from_secs(wait as u64)).await;
                }
            }
            _ => break,
        }
    }
    let left = sender
        .with_db(|db| db.outbox(None, i64::MAX))
        .await?
        .into_iter()
        // Items another process is sending right now are its business, not left over.
        .filter(|i| !matches!(i.state, OutboxState::Sent | OutboxState::Sending))
        .count();
    let mut out = std::io::stdout();
    if let Err(e) = write_error.map_or_else(|| report.finish(&mut out), Err) {
        eprintln!("{sent} sent; {left} left in the outbox");
        return Err(anyhow::Error::new(e).context("cannot write the outcomes to standard output"));
    }
    eprintln!("{sent} sent; {left} left in the outbox");
    Ok(if left == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One line per item (the reply cut to the width, `COLUMNS` else 100), and its reason below.
fn write_table(out: &mut dyn Write, items: &[OutboxItem]) -> std::io::Result<()> {
    let width = output::terminal_width();
    // ID, state, app, review and tries, with their gaps.
    let used = 5 + 2 + 12 + 1 + 12 + 1 + 36 + 1 + 5 + 2;
    writeln!(
        out,
        "{:>5}  {:<12} {:<12} {:<36} {:>5}  REPLY / REASON",
        "ID", "STATE", "APP", "REVIEW", "TRIES"
    )?;
    for i in items {
        writeln!(
            out,
            "{:>5}  {:<12} {:<12} {:<36} {:>5}  {}",
            i.id,
            describe(i),
            sanitize_line(&i.app),
            sanitize_line(&i.review),
            i.attempts,
            truncate_to_width(
                &sanitize_line(&i.text.replace('\n', " ")),
                width.saturating_sub(used).max(20)
            )
        )?;
        if let Some(reason) = &i.reason {
            writeln!(
                out,
                "{:>5}  {}",
                "",
                truncate_to_width(&sanitize_line(reason), width.saturating_sub(7))
            )?;
        }
    }
    Ok(())
}
