//! `reviewdesk watch`: refreshes the review cache the terminal UI uses, and hands on each review
//! that is new or revised since it last looked: printed one per line, or given to `--exec CMD`
//! as JSON on its standard input.
//!
//! What was handed on is recorded per revision in the profile's database (`watch_delivered`),
//! after it was printed or the command exited 0, so no revision is handed on twice, and one
//! whose command failed is offered again in the next round. The first round for an app only
//! records what is there: the reviews of the last months are not news.

use std::io::Write;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::output;
use crate::config::{self, Config};
use crate::db::{CachedReview, Db};
use crate::sanitize::{sanitize_line, stars, truncate_to_width};
use crate::session::{Session, usage};
use crate::store::dates::{display_timestamp, today_utc};
use crate::store::validate::normalize_store_id;
use crate::store::{Review, StoreClient};
use crate::tui::store_worker::{fetch_query, query_window};

/// The exit code of `--once` when a command given to --exec failed for a review.
const EXIT_EXEC_FAILED: u8 = 3;
/// Shorter intervals would ask the Store more often than reviews arrive (and invite throttling).
const MIN_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    /// One sanitised line per review: time, stars, market, app, new/revised, title and text.
    Table,
    /// One JSON object per line: {"event":"new"|"revised","app":..,"review":{..}}.
    Jsonl,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes (with --once): 0 every new or revised review was handed on (or there \
    was none); 1 the Store or the local database failed; 2 bad usage; 3 a --exec command exited non-zero \
    or could not start (that review is offered again next time). Without --once, failures are reported on \
    stderr and the next round tries again; Ctrl-C ends it with 0.\n\n\
    With --exec, CMD runs through `sh -c` once per review, the review's JSON on its standard input and \
    WATCH_EVENT (new or revised) and WATCH_APP in its environment; no REVIEWDESK_* variable reaches it. \
    The first round for an app records the reviews already there and hands on none of them."
)]
pub struct WatchArgs {
    /// The apps to watch (repeatable). Default: REVIEWDESK_APPS, comma-separated.
    #[arg(long = "app", value_name = "STOREID")]
    pub apps: Vec<String>,
    /// Time between rounds: 90s, 15m, 1h (at least 1m).
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub interval: String,
    /// One round, then exit with a code that says how it went (for cron and systemd timers).
    #[arg(long)]
    pub once: bool,
    /// Run CMD once per review with the review as JSON on its standard input, instead of
    /// printing it.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Only reviews of at most N stars (the others are cached but not handed on).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=5))]
    pub max_rating: Option<i64>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: WatchFormat,
}

pub async fn run(config: Config, args: WatchArgs) -> Result<ExitCode> {
    let interval = parse_interval(&args.interval).map_err(usage)?;
    let apps = apps(&args.apps)?;
    let profile = super::history::profile_name(&config)?;
    let days = config.reviews.default_days;
    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::ListReviews)?;
    let client = session.client.with_progress(super::reviews::progress_printer());
    let dirs = config::project_dirs().context("no home directory to keep the local database in")?;
    let (mut db, open_report) = Db::open(dirs.data_dir(), &profile)?;
    if let Some(message) = open_report.message() {
        eprintln!("{message}");
    }
    loop {
        let mut exec_failed = false;
        for app in &apps {
            match round(&client, &mut db, app, days, &args).await {
                Ok(Round::Delivered) => {}
                Ok(Round::ExecFailed) => exec_failed = true,
                Err(e) if args.once || is_broken_pipe(&e) => return Err(e),
                Err(e) => eprintln!("watch {app}: {e:#} (trying again in {})", args.interval),
            }
        }
        if args.once {
            return Ok(if exec_failed {
                ExitCode::from(EXIT_EXEC_FAILED)
            } else {
                ExitCode::SUCCESS
            });
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// stdout's reader went away (`watch | head -1`): nothing more can be printed.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

enum Round {
    Delivered,
    /// A command failed; the rest of this app's reviews wait for the next round.
    ExecFailed,
}

/// One refresh of `app` and the hand-on of what it brought.
async fn round(client: &StoreClient, db: &mut Db, app: &str, days: u32, args: &WatchArgs) -> Result<Round> {
    let query = fetch_query(app, days, db.last_sync(app)?, today_utc());
    let mut reviews = client.fetch_reviews(&query).await?.reviews;
    cache(db, app, &query, &reviews)?;
    reviews.retain(|r| r.id.is_some());
    reviews.sort_by_key(|r| r.timestamp);
    let now = chrono::Utc::now().timestamp();
    if db.watch_started(app)?.is_none() {
        let seen: Vec<(String, String)> = reviews
            .iter()
            .map(|r| (r.id.clone().unwrap_or_default(), revision(r)))
            .collect();
        db.start_watch(app, now, &seen)?;
        eprintln!(
            "watching {app} from now on: {} reviews already there are not handed on",
            seen.len()
        );
        return Ok(Round::Delivered);
    }
    for r in &reviews {
        let id = r.id.as_deref().unwrap_or_default();
        let rev = revision(r);
        if args.max_rating.is_some_and(|max| r.rating.is_some_and(|got| got > max))
            || db.was_delivered(app, id, &rev)?
        {
            continue;
        }
        let event = if db.delivered_before(app, id)? {
            "revised"
        } else {
            "new"
        };
        match &args.exec {
            Some(cmd) => {
                if let Err(e) = exec(cmd, app, event, r).await {
                    eprintln!(
                        "watch {app}: {e}; review {} is offered again next time",
                        sanitize_line(id)
                    );
                    return Ok(Round::ExecFailed);
                }
            }
            None => print(args.format, app, event, r)?,
        }
        db.mark_delivered(app, id, &rev, chrono::Utc::now().timestamp())?;
    }
    Ok(Round::Delivered)
}

/// Stores the fetch as the terminal UI's refresh does: upsert, vanished marks over the window,
/// the sync time (so the next round, and the UI, ask only from there on).
fn cache(db: &mut Db, app: &str, query: &crate::store::ReviewQuery, reviews: &[Review]) -> Result<()> {
    let rows: Vec<CachedReview> = reviews
        .iter()
        .filter_map(|r| {
            Some(CachedReview {
                id: r.id.clone()?,
                date_ts: r.timestamp,
                raw_json: serde_json::to_string(r).ok()?,
            })
        })
        .collect();
    let now = chrono::Utc::now().timestamp();
    db.upsert_reviews(app, &rows, now)?;
    let (start, end) = query_window(query);
    let seen = rows.iter().map(|r| r.id.clone()).collect();
    db.mark_vanished(app, start, end, &seen)?;
    db.set_last_sync(app, now)?;
    Ok(())
}

/// What the customer wrote, as a fingerprint: a reply of ours, or helpfulness votes, do not
/// make a review news again; a new date, rating, title or text does.
pub fn revision(r: &Review) -> String {
    // The parsed date where there is one: the same moment written another way is no revision.
    let when = r
        .timestamp
        .map_or_else(|| serde_json::json!(r.date), serde_json::Value::from);
    let what = serde_json::json!([when, r.rating, r.review_title, r.review_text, r.is_revised]).to_string();
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = what.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[derive(Serialize)]
struct Event<'a> {
    event: &'a str,
    app: &'a str,
    review: &'a Review,
}

fn print(format: WatchFormat, app: &str, event: &str, r: &Review) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        WatchFormat::Jsonl => {
            output::write_json_compact(&mut out, &Event { event, app, review: r })?;
            writeln!(out)?;
        }
        WatchFormat::Table => {
            let when = r.timestamp.map(display_timestamp).unwrap_or_default();
            let market = sanitize_line(r.market.as_deref().unwrap_or(""));
            let line = format!(
                "{when:<16}  {}  {:<3} {app}  {event:<7}  {}",
                stars(r.rating),
                truncate_to_width(&market, 3),
                output::summary_line(r)
            );
            writeln!(out, "{}", truncate_to_width(&line, output::terminal_width()))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `cmd` through the shell with the review on its standard input; Ok when it exits 0.
async fn exec(cmd: &str, app: &str, event: &str, r: &Review) -> Result<()> {
    let mut json = Vec::new();
    output::write_json_compact(&mut json, r)?;
    json.push(b'\n');
    let mut command = shell(cmd);
    command
        .env("WATCH_EVENT", event)
        .env("WATCH_APP", app)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let mut child = tokio::process::Command::from(command)
        .spawn()
        .map_err(|e| anyhow!("the --exec command could not start ({e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business: a broken pipe is fine.
        let _ = stdin.write_all(&json).await;
    }
    let status = child.wait().await.context("waiting for the --exec command")?;
    if status.success() {
        Ok(())
    } else {
        Err(anyhow!("the --exec command exited with {status}"))
    }
}

/// `sh -c CMD` (`cmd /C CMD` on Windows), without any REVIEWDESK_* variable.
fn shell(cmd: &str) -> std::process::Command {
    let (program, flag) = if cfg!(windows) { ("cmd", "/C") } else { ("sh", "-c") };
    let mut command = crate::hardening::child_command(program);
    command.arg(flag).arg(cmd);
    command
}

fn apps(given: &[String]) -> Result<Vec<String>> {
    let from_env;
    let names: Vec<&str> = if given.is_empty() {
        from_env = std::env::var("REVIEWDESK_APPS").unwrap_or_default();
        from_env.split(',').map(str::trim).filter(|a| !a.is_empty()).collect()
    } else {
        given.iter().map(String::as_str).collect()
    };
    if names.is_empty() {
        return Err(usage(
            "say which apps to watch: --app STOREID (repeatable), or REVIEWDESK_APPS=ID1,ID2",
        ));
    }
    names
        .into_iter()
        .map(|a| normalize_store_id(a).map_err(|e| usage(format!("--app: {e}"))))
        .collect()
}

/// `90s`, `15m`, `1h`, `2h30m`; a bare number is minutes.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "--interval {:?} is not a duration: write it as 90s, 15m or 1h",
            sanitize_line(s)
        )
    };
    let t = s.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Duration::from_secs(
            t.parse::<u64>().map_err(|_| bad())?.saturating_mul(60),
        ))
        .and_then(at_least);
    }
    let (mut total, mut number) = (0u64, String::new());
    for c in t.chars() {
        match c {
            '0'..='9' => number.push(c),
            's' | 'm' | 'h' | 'd' if !number.is_empty() => {
                let n: u64 = number.parse().map_err(|_| bad())?;
                let unit = match c {
                    's' => 1,
                    'm' => 60,
                    'h' => 3600,
                    _ => 86_400,
                };
                total = total.saturating_add(n.saturating_mul(unit));
                number.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() {
        return Err(bad());
    }
    at_least(Duration::from_secs(total))
}

fn at_least(d: Duration) -> Result<Duration, String> {
    if d < MIN_INTERVAL {
        Err(format!(
            "--interval {}s is too short: at least 1m, or the Store is asked more often than reviews arrive",
            d.as_secs()
        ))
    } else {
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_interval("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("5"), Ok(Duration::from_secs(300)));
        assert!(parse_interval("30s").unwrap_err().contains("at least 1m"));
        for bad in ["", "m", "15x", "1.5h", "15m3"] {
            assert!(parse_interval(bad).unwrap_err().contains("not a duration"), "{bad}");
        }
    }

    #[test]
    fn revision_follows_what_the_customer_wrote_only() {
        let r = Review {
            id: Some("r".into()),
            date: Some("5/24/2026 1:14:46 AM".into()),
            rating: Some(2),
            review_text: Some("meh".into()),
            ..Review::default()
        };
        let answered = Review {
            response_text: Some("thanks".into()),
            helpful_count: Some(9),
            ..r.clone()
        };
        assert_eq!(revision(&r), revision(&answered));
        let revised = Review {
            rating: Some(4),
            ..r.clone()
        };
        assert_ne!(revision(&r), revision(&revised));
        // Stable across builds and platforms: a stored fingerprint must keep matching (FNV-1a
        // of `["5/24/2026 1:14:46 AM",2,null,"meh",null]`, computed outside Rust).
        assert_eq!(revision(&r), "3c73683a3f593bd0");
    }
}
