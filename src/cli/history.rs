//! `reviewdesk history`: the replies recorded in the profile's local database, newest first.
//!
//! Only the local file is read: no credentials, no keyring, no network, so it works offline and
//! on a machine whose secret is gone. Two things [`Db::open`] would do are avoided on purpose:
//! it creates a missing database (we say there is none instead), and it moves a damaged one
//! aside (we refuse instead, leaving that to the terminal UI, which can tell the person what it
//! recovered). A healthy file is still opened through [`Db::open`], so the schema checks and
//! migrations are the TUI's own and the rows are read by the same code that wrote them.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::Serialize;

use super::export::{self, ExportFormat};
use super::output;
use crate::config::{self, Config};
use crate::db::{self, Db, HistoryEntry};
use crate::sanitize::{display_width, pad_to_width, sanitize_line, sanitize_text, truncate_to_width};
use crate::session::usage;
use crate::store::dates::display_timestamp;
use crate::store::validate::normalize_store_id;

/// Rows in the table when --limit is not given: a screenful or two.
const TABLE_DEFAULT_LIMIT: usize = 50;
/// The database name the terminal UI uses with `REVIEWDESK_*` credentials and no profile
/// (`tui_cmd.rs`); reading the same one shows what that UI recorded.
const ENV_DB_PROFILE: &str = "env";

/// What `--columns` may name: the JSON keys of an entry.
const COLUMNS: [&str; 9] = [
    "id",
    "at",
    "at_rfc3339",
    "profile",
    "app",
    "review",
    "result",
    "text",
    "outbox_id",
];

/// What `--format csv|tsv` writes without `--columns`.
const DEFAULT_COLUMNS: [&str; 6] = ["id", "at_rfc3339", "app", "review", "result", "text"];

#[derive(Args, Debug)]
#[command(
    after_help = "Reads only the profile's local database (<data dir>/<profile>.sqlite3): no credentials, \
    keyring or network. The profile is chosen as for the other commands: --profile, else the database \"env\" \
    when the REVIEWDESK_* credentials are set (as the terminal UI does), else the default profile. Nothing is \
    created when there is no database yet, and a damaged one is left as it is (exit 1)."
)]
pub struct HistoryArgs {
    /// table: times in UTC, sanitised, one line per reply, text cut to the width (COLUMNS, else
    /// 100). json: an array of complete entries, `at` also as RFC 3339 in `at_rfc3339`; jsonl:
    /// one per line. csv, tsv: spreadsheet-safe; `--columns app,review,text` gives a file
    /// `respond --batch` reads back.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExportFormat,
    /// Only these fields, in this order: id, at, at_rfc3339, profile, app, review, result,
    /// text, outbox_id. Default: all for json/jsonl; id,at_rfc3339,app,review,result,text for
    /// csv/tsv.
    #[arg(long, value_name = "A,B,C")]
    pub columns: Option<String>,
    /// At most N entries, the newest. Default: 50 for the table, all for the other formats.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Only replies to this app.
    #[arg(long, value_name = "STOREID")]
    pub app: Option<String>,
}

pub fn run(config: Config, args: HistoryArgs) -> Result<ExitCode> {
    let app = args
        .app
        .as_deref()
        .map(normalize_store_id)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let columns = args
        .columns
        .as_deref()
        .map(|c| export::parse_columns(c, &COLUMNS))
        .transpose()?;
    let limit = match (args.limit, args.format) {
        (Some(n), _) => usize::try_from(n).unwrap_or(usize::MAX),
        (None, ExportFormat::Table) => TABLE_DEFAULT_LIMIT,
        (None, _) => usize::MAX,
    };
    let profile = profile_name(&config)?;
    let Some(dirs) = config::project_dirs() else {
        nothing_recorded(
            &profile,
            "no home directory to keep a local database in",
            args.format,
            columns.as_deref(),
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    let data_dir = dirs.data_dir();
    let path = db::db_path(data_dir, &profile).map_err(|e| usage(e.to_string()))?;
    match std::fs::metadata(&path) {
        // An empty file is what Db::open would fill with a fresh schema: nothing recorded yet.
        Ok(m) if m.len() == 0 => {
            nothing_recorded(
                &profile,
                &format!("empty local database at {}", path.display()),
                args.format,
                columns.as_deref(),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            nothing_recorded(
                &profile,
                &format!("no local database at {}", path.display()),
                args.format,
                columns.as_deref(),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read the local database {}", path.display())),
    }
    refuse_if_damaged(&path, "history")?;

    let (db, report) = Db::open(data_dir, &profile)?;
    // Only if the file changed between the check above and the open (another process).
    if let Some(message) = report.message() {
        eprintln!("{message}");
    }
    let (entries, more) = read_entries(&db, app.as_deref(), limit)?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match (args.format, columns) {
        (ExportFormat::Table, None) if entries.is_empty() => {
            let what = match &app {
                Some(app) => format!("no replies to {app} recorded yet for profile {profile}"),
                None => format!("no replies recorded yet for profile {profile}"),
            };
            eprintln!("{what} (in {})", path.display());
        }
        (ExportFormat::Table, None) => {
            write_table(&mut out, &entries, output::terminal_width())?;
            if more && std::io::stdout().is_terminal() {
                eprintln!(
                    "the newest {} shown; --limit N for more, --format json for all",
                    entries.len()
                );
            }
        }
        (format, columns) => write_entries(&mut out, format, columns.as_deref(), &entries)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The database name the other commands would use, resolved as [`Session::resolve`] does
/// (`--profile`, else complete `REVIEWDESK_*` credentials, else the default or only profile),
/// but without reading any secret: a profile's name is all the file needs.
///
/// [`Session::resolve`]: crate::session::Session::resolve
pub(super) fn profile_name(config: &Config) -> Result<String> {
    // Half-set variables are a mistake the other commands refuse; so does this one, rather than
    // quietly showing another profile's history.
    let env_credentials = config::credentials_from_env()
        .map_err(|e| usage(e.to_string()))?
        .is_some();
    if config.selected_profile.is_none() && env_credentials {
        return Ok(ENV_DB_PROFILE.to_owned());
    }
    let (name, _) = crate::profiles::choose(
        &config.profiles,
        config.selected_profile.as_deref(),
        config.default_profile.as_deref(),
    )
    .map_err(|e| usage(e.to_string()))?;
    Ok(name.to_owned())
}

/// Entries in a format for programs: JSON whole unless columns were chosen; CSV and TSV with
/// [`DEFAULT_COLUMNS`] unless they were.
fn write_entries(
    out: &mut dyn Write,
    format: ExportFormat,
    columns: Option<&[&str]>,
    entries: &[HistoryEntry],
) -> std::io::Result<()> {
    let json: Vec<JsonEntry<'_>> = entries.iter().map(JsonEntry::from).collect();
    match (format, columns) {
        (ExportFormat::Json, None) => output::write_json(&mut &mut *out, &json),
        (ExportFormat::Jsonl, None) => export::write_jsonl(out, &json),
        (format, columns) => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = json
                .iter()
                .map(|e| match serde_json::to_value(e) {
                    Ok(serde_json::Value::Object(m)) => m,
                    _ => serde_json::Map::new(),
                })
                .collect();
            export::write_rows(out, format, columns.unwrap_or(&DEFAULT_COLUMNS), &rows)
        }
    }
}

/// Says there is nothing to show. The sentence goes to stderr so that stdout stays data; the
/// formats for programs still get their (empty) document, a CSV its header, so that scripts
/// read it as usual.
fn nothing_recorded(profile: &str, why: &str, format: ExportFormat, columns: Option<&[&str]>) -> Result<()> {
    eprintln!("no replies recorded yet for profile {profile} ({why})");
    if format != ExportFormat::Table {
        let mut out = std::io::stdout().lock();
        write_entries(&mut out, format, columns, &[])?;
        out.flush()?;
    }
    Ok(())
}

/// Fails with one sentence naming the file when SQLite calls it damaged, before [`Db::open`]
/// gets the chance to move it aside: a read-only command should not rearrange files. The check
/// is read-only and the same `quick_check` `Db::open` runs. Anything else (permissions, a lock)
/// is left for `Db::open` to report in its own words.
pub(super) fn refuse_if_damaged(path: &Path, command: &str) -> Result<()> {
    let damaged = |detail: String| {
        anyhow!(
            "the local database {} is damaged ({detail}); `reviewdesk {command}` leaves it as it is: start the terminal UI (`reviewdesk`), which moves it aside, keeps what it can and starts a fresh one",
            path.display()
        )
    };
    let is_damage = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase)
        )
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let problems = Connection::open_with_flags(path, flags).and_then(|conn| {
        conn.busy_timeout(db::BUSY_TIMEOUT)?;
        let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.filter(|r| !matches!(r.as_deref(), Ok("ok")))
            .collect::<rusqlite::Result<Vec<String>>>()
    });
    match problems {
        Ok(p) if p.is_empty() => Ok(()),
        Ok(p) => Err(damaged(p.join("; "))),
        Err(e) if is_damage(&e) => Err(damaged(e.to_string())),
        Err(_) => Ok(()),
    }
}

/// Up to `limit` entries, newest first, and whether older ones were left out.
fn read_entries(db: &Db, app: Option<&str>, limit: usize) -> Result<(Vec<HistoryEntry>, bool)> {
    let mut entries = match app {
        // `Db::history` cannot filter by app, so read everything and filter here: history grows
        // by one row per reply a person wrote, small enough to read whole.
        Some(app) => {
            let mut all = db.history(usize::MAX)?;
            all.retain(|e| e.row.app.eq_ignore_ascii_case(app));
            all
        }
        // One more than asked, to know whether there are more.
        None => db.history(limit.saturating_add(1))?,
    };
    let more = entries.len() > limit;
    entries.truncate(limit);
    Ok((entries, more))
}

/// A [`HistoryEntry`] as JSON: its own fields, plus the time in RFC 3339 for people and tools
/// that do not speak Unix seconds.
#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    entry: &'a HistoryEntry,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_rfc3339: Option<String>,
}

impl<'a> From<&'a HistoryEntry> for JsonEntry<'a> {
    fn from(entry: &'a HistoryEntry) -> Self {
        let at_rfc3339 =
            DateTime::<Utc>::from_timestamp(entry.row.at, 0).map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true));
        JsonEntry { entry, at_rfc3339 }
    }
}

/// `when (UTC)  app  review  result  text`, one line per entry. Every field is sanitised: the
/// text is the customer-facing reply, but review IDs and failure reasons came from the service.
/// The review and result columns are as wide as their longest value (capped), the text takes
/// the rest of `width`.
pub fn write_table(out: &mut impl Write, entries: &[HistoryEntry], width: usize) -> std::io::Result<()> {
    const WHEN: usize = 16;
    const APP: usize = 12;
    struct Line {
        when: String,
        app: String,
        review: String,
        result: String,
        text: String,
    }
    let lines: Vec<Line> = entries
        .iter()
        .map(|e| Line {
            when: display_timestamp(e.row.at),
            app: truncate_to_width(&sanitize_line(&e.row.app), APP),
            review: sanitize_line(&e.row.review),
            result: sanitize_line(&e.row.result),
            text: first_line(&e.row.text),
        })
        .collect();
    let column = |header: &str, cap: usize, value: fn(&Line) -> &str| {
        lines
            .iter()
            .map(|l| display_width(value(l)))
            .chain([header.len()])
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let (review_w, result_w) = (column("REVIEW", 36, |l| &l.review), column("RESULT", 28, |l| &l.result));
    // The reply is what the table is for: it keeps at least half of what the fixed columns
    // leave, and the review and result columns give way first (a GUID review ID alone is 36
    // columns; its first 16 still tell reviews apart, and the JSON has it whole).
    let rest = width.saturating_sub(WHEN + 2 + APP + 2 + 2 + 2);
    let budget = rest / 2;
    let (review_w, result_w) = squeeze(review_w, result_w, budget, "REVIEW".len());
    let text_w = rest.saturating_sub(review_w + result_w).max(10);
    writeln!(
        out,
        "{}  {}  {}  {}  TEXT",
        pad_to_width("WHEN (UTC)", WHEN),
        pad_to_width("APP", APP),
        pad_to_width("REVIEW", review_w),
        pad_to_width("RESULT", result_w)
    )?;
    for l in &lines {
        writeln!(
            out,
            "{}  {}  {}  {}  {}",
            pad_to_width(&l.when, WHEN),
            pad_to_width(&l.app, APP),
            pad_to_width(&truncate_to_width(&l.review, review_w), review_w),
            pad_to_width(&truncate_to_width(&l.result, result_w), result_w),
            truncate_to_width(&l.text, text_w)
        )?;
    }
    Ok(())
}

/// Narrows the wider of two columns, one step at a time, until both fit `budget` or reach `min`.
fn squeeze(mut a: usize, mut b: usize, budget: usize, min: usize) -> (usize, usize) {
    while a + b > budget && (a > min || b > min) {
        if a >= b && a > min {
            a -= 1;
        } else {
            b -= 1;
        }
    }
    (a, b)
}

/// The first non-blank line of a reply, sanitised, with `…` when more lines follow.
fn first_line(text: &str) -> String {
    let clean = sanitize_text(text);
    let mut lines = clean.lines().map(str::trim).filter(|l| !l.trim().is_empty());
    match (lines.next(), lines.next()) {
        (Some(first), Some(_)) => format!("{first} …"),
        (Some(first), None) => first.to_owned(),
        (None, _) => "(no text)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::HistoryRow;

    fn entry(id: i64, review: &str, text: &str, result: &str) -> HistoryEntry {
        HistoryEntry {
            id,
            row: HistoryRow {
                profile: "p".into(),
                app: "9NBLGGGZ5QDR".into(),
                review: review.into(),
                at: 1_795_269_780 + id,
                text: text.into(),
                result: result.into(),
            },
            outbox_id: Some(id),
        }
    }

    #[test]
    fn first_line_sanitises_and_marks_more() {
        assert_eq!(first_line("\n  \r\n  hello\u{1b}[2J\r\nsecond"), "hello …");
        assert_eq!(first_line("one"), "one");
        assert_eq!(first_line(" \n "), "(no text)");
    }

    #[test]
    fn table_fits_the_width_and_keeps_columns() {
        let long = "x".repeat(300);
        let rows = [
            entry(1, "r-1", &long, "sent"),
            entry(2, "r-22", "short", "failed: nope"),
        ];
        let mut buf = Vec::new();
        write_table(&mut buf, &rows, 80).unwrap();
        let s = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 3, "{s}");
        assert!(lines.iter().all(|l| display_width(l) <= 80), "{s}");
        assert!(lines[0].starts_with("WHEN (UTC)"), "{s}");
        assert!(lines[1].contains("2026-11-21 14:03") && lines[1].ends_with('…'), "{s}");
        // Columns line up: the text starts at the same column on every row.
        let text_col = lines[0].find("TEXT").unwrap();
        assert_eq!(&lines[2][text_col..], "short", "{s}");
    }

    #[test]
    fn long_review_ids_and_reasons_give_way_to_the_text() {
        let guid = "8c3d1b7e-1111-4a2b-9c3d-0123456789ab";
        let rows = [entry(
            1,
            guid,
            &"word ".repeat(40),
            &format!("failed: {}", "why ".repeat(20)),
        )];
        let mut buf = Vec::new();
        write_table(&mut buf, &rows, 100).unwrap();
        let s = String::from_utf8(buf).unwrap();
        let text_col = s.lines().next().unwrap().find("TEXT").unwrap();
        assert!(100 - text_col >= 32, "{s}");
        assert!(
            s.contains("8c3d1b7e-1111-4") && s.lines().all(|l| display_width(l) <= 100),
            "{s}"
        );
    }
}
