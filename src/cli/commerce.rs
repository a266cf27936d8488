//! `reviewdesk commerce export` and `reviewdesk commerce import`: a Dynamics 365 Commerce
//! site's Ratings & Reviews, through its S2S app registration (a `--kind commerce` profile).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::export::{self, ExportFormat, RowWriter};
use super::progress::ProgressLine;
use crate::commerce::cache::cache_export;
use crate::commerce::export::fetch_export;
use crate::commerce::parse::FileFormat;
use crate::commerce::{CommerceReview, CommerceSession};
use crate::config::Config;
use crate::session::usage;

#[derive(Subcommand, Debug)]
pub enum CommerceCommand {
    /// Export all reviews of the site (Export All Reviews), cache them, and write them out.
    Export(ExportArgs),
    /// Import reviews from a CSV or JSON-lines file, one Submit a Review call per row.
    Import(super::commerce_import::ImportArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "The export file's format is undocumented [inferred]: CSV, a JSON array or JSON lines are \
    detected, columns are matched to the storefront's Review fields case-insensitively, and unknown columns are kept. \
    The download link (a SAS URL) is a credential and is never shown."
)]
pub struct ExportArgs {
    /// json (an array), jsonl, csv or tsv (spreadsheet-safe, the same columns); a table would
    /// not fit a whole site's reviews.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Write here instead of standard output (replaced atomically when complete).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(config: Config, cmd: CommerceCommand) -> Result<ExitCode> {
    match cmd {
        CommerceCommand::Export(a) => export(config, a).await,
        CommerceCommand::Import(a) => super::commerce_import::run(config, a).await,
    }
}

/// The profile's database, with its notice (if any) on standard error.
/// The fixed CSV columns of an export written out; unknown columns go, as JSON, in `extra`.
const CSV_COLUMNS: [&str; 20] = [
    "reviewId",
    "productId",
    "productName",
    "sku",
    "userName",
    "rating",
    "title",
    "reviewText",
    "submittedDateTime",
    "market",
    "locale",
    "channelId",
    "isTakenDown",
    "isPublished",
    "updatedSinceResponse",
    "moderationState",
    "responderName",
    "responseText",
    "responseDateTime",
    "extra",
];

/// The reviews as they are read from the download, one at a time, in the chosen format.
enum Writer<'a> {
    Json { out: &'a mut dyn Write, first: bool },
    Jsonl { out: &'a mut dyn Write },
    Rows(RowWriter<'a>),
}

impl<'a> Writer<'a> {
    fn new(format: ExportFormat, out: &'a mut dyn Write) -> Result<Self> {
        Ok(match format {
            ExportFormat::Json => Writer::Json { out, first: true },
            ExportFormat::Jsonl => Writer::Jsonl { out },
            ExportFormat::Csv | ExportFormat::Tsv => Writer::Rows(RowWriter::new(out, format, &CSV_COLUMNS)?),
            ExportFormat::Table => return Err(usage(NO_TABLE)),
        })
    }

    fn write(&mut self, r: &CommerceReview) -> std::io::Result<()> {
        match self {
            Writer::Json { out, first } => {
                out.write_all(if *first { b"[\n" } else { b",\n" })?;
                *first = false;
                super::output::write_json_compact(*out, r)
            }
            Writer::Jsonl { out } => {
                super::output::write_json_compact(*out, r)?;
                out.write_all(b"\n")
            }
            // Cleaned and defused by the one writer wherever it goes: a file is opened in a
            // terminal or a spreadsheet later.
            Writer::Rows(w) => w.row(&csv_row(r)),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Writer::Json { out, first } => {
                out.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Writer::Jsonl { out } => out.flush(),
            Writer::Rows(w) => w.finish(),
        }
    }
}

/// A review as a CSV/TSV row of [`CSV_COLUMNS`]: its fields, the moderation state, and the
/// columns reviewdesk does not know as one JSON object in `extra`.
fn csv_row(r: &CommerceReview) -> serde_json::Map<String, serde_json::Value> {
    let mut row = export::to_object(r);
    // A whole-number rating as written by the site (5, not 5.0).
    if let Some(x) = r.rating.filter(|x| x.fract() == 0.0 && x.abs() < 1e15) {
        row.insert("rating".into(), serde_json::json!(x as i64));
    }
    row.insert("moderationState".into(), r.moderation_state().into());
    let extra = if r.extra.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::to_string(&r.extra).unwrap_or_default().into()
    };
    row.insert("extra".into(), extra);
    row
}

const NO_TABLE: &str =
    "commerce export writes every review for programs and spreadsheets: use --format json, jsonl, csv or tsv";

async fn export(config: Config, args: ExportArgs) -> Result<ExitCode> {
    // Before anything is downloaded.
    if args.format == ExportFormat::Table {
        return Err(usage(NO_TABLE));
    }
    let session = CommerceSession::resolve(config).await?;
    let mut db = super::local_db::open_or_create(&session.name)?;
    let mut download = tempfile::NamedTempFile::new().context("cannot create a temporary file for the download")?;
    let mut progress = ProgressLine::on_stderr("Downloading the export");
    let (ticket, bytes) = fetch_export(&session.client, download.as_file_mut(), &mut |d, t| {
        progress.bytes(d, t)
    })
    .await?;
    progress.finish();
    let target = match &args.out {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            Some(
                tempfile::Builder::new()
                    .prefix(".reviewdesk-export.")
                    .tempfile_in(dir)
                    .with_context(|| format!("cannot write in {}", dir.display()))?,
            )
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut sink: Box<dyn Write> = match &target {
        Some(t) => Box::new(std::io::BufWriter::new(t.reopen()?)),
        None => Box::new(std::io::BufWriter::new(stdout.lock())),
    };
    let mut writer = Writer::new(args.format, &mut *sink)?;
    let (mut taken_down, mut responded) = (0u64, 0u64);
    let mut failure: Option<anyhow::Error> = None;
    // Written out and cached as it is read: the one copy the terminal UI reads too.
    let cached = cache_export(&mut db, &session.name, download.path(), |r| {
        taken_down += u64::from(r.is_taken_down == Some(true));
        responded += u64::from(r.response_text.is_some());
        writer.write(r).map_err(|e| {
            failure = Some(e.into());
            "the output could not be written".to_owned()
        })
    })
    .map_err(|e| failure.take().unwrap_or_else(|| e.into()))?;
    writer.finish()?;
    if let (Some(t), Some(path)) = (target, &args.out) {
        t.persist(path)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error))?;
    }
    let name = crate::sanitize::sanitize_line(&session.site.name);
    eprintln!(
        "Exported {} reviews of {name} ({:.1} MB, {} as the service sent it; created {}): {taken_down} taken down, {responded} with a moderator response{}. Cached in {}.",
        cached.count,
        bytes as f64 / 1e6,
        match cached.format {
            FileFormat::Csv => "CSV",
            FileFormat::Json => "JSON",
            FileFormat::Jsonl => "JSON lines",
        },
        crate::sanitize::sanitize_line(&ticket.created),
        match cached.vanished {
            0 => String::new(),
            n => format!("; {n} cached before are no longer exported (kept, marked gone)"),
        },
        db.path().display()
    );
    Ok(ExitCode::SUCCESS)
}
