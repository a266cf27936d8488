//! `reviewdesk stats`: how an app's (or a Commerce site's) reviews and answers are going, from
//! the profile's local database. Offline unless `--refresh` asks to fetch the window first.
//! No review text is ever printed: only counts, and the markets and versions the service sent,
//! sanitised.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::export::{self, ExportFormat};
use super::output;
use crate::config::{self, Config};
use crate::db::{self, CachedReview, Db};
use crate::profiles::ProfileKind;
use crate::sanitize::sanitize_line;
use crate::session::{Session, usage};
use crate::stats::{self, Stats, format as f};
use crate::store::ReviewQuery;
use crate::store::dates::today_utc;
use crate::store::validate::normalize_store_id;

#[derive(Args, Debug)]
#[command(
    after_help = "Counts what the profile's local database holds (<data dir>/<profile>.sqlite3): the reviews \
    fetched by the terminal UI or by --refresh, and the replies recorded in its history. Without --refresh \
    nothing is fetched and no credentials are read. A Commerce profile counts its cached export \
    (`reviewdesk commerce export` refreshes it)."
)]
pub struct StatsArgs {
    /// The app's Store ID. Default: the only app in the profile's cache.
    #[arg(long, value_name = "STOREID")]
    pub app: Option<String>,
    /// The window: the last N days up to now.
    #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// table for people; json (one object), jsonl (the same on one line); csv or tsv: the
    /// weeks, one row each (week_start, reviews, average), for a spreadsheet's chart.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExportFormat,
    /// First fetch the app's reviews of the window from the Store into the cache.
    #[arg(long)]
    pub refresh: bool,
}

pub async fn run(config: Config, args: StatsArgs) -> Result<ExitCode> {
    let app = args
        .app
        .as_deref()
        .map(normalize_store_id)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let profile = super::history::profile_name(&config)?;
    let commerce = config
        .profiles
        .get(&profile)
        .is_some_and(|p| p.kind == ProfileKind::Commerce);
    if commerce && (app.is_some() || args.refresh) {
        return Err(usage(format!(
            "profile {profile} is a Commerce site: drop --app and --refresh (refresh its cache with `reviewdesk commerce export`)"
        )));
    }
    let dirs = config::project_dirs().ok_or_else(|| usage("no home directory to keep a local database in"))?;
    let data_dir = dirs.data_dir().to_owned();
    let path = db::db_path(&data_dir, &profile).map_err(|e| usage(e.to_string()))?;
    let now = chrono::Utc::now().timestamp();

    let (stats, subject) = if args.refresh {
        let app = match app {
            Some(a) => a,
            None => only_profile_app(&config, &profile)?,
        };
        let mut db = open(&data_dir, &profile)?;
        refresh(config, &mut db, &app, args.days, now).await?;
        (stats::for_app(&db, &app, args.days, now)?, Subject::App(app))
    } else {
        if !std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            return Err(usage(format!(
                "nothing is cached for profile {profile} (no local database at {}): fetch the reviews with `reviewdesk stats --refresh --app STOREID`, or open the terminal UI",
                path.display()
            )));
        }
        super::history::refuse_if_damaged(&path, "stats")?;
        let db = open(&data_dir, &profile)?;
        if commerce {
            (
                stats::for_source(&db, &crate::provider::site_source_id(&profile), args.days, now)?,
                Subject::Site(profile.clone()),
            )
        } else {
            let app = match app {
                Some(a) => a,
                None => only_cached_app(&db, &profile)?,
            };
            (stats::for_app(&db, &app, args.days, now)?, Subject::App(app))
        }
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        ExportFormat::Json => output::write_json(&mut out, &JsonStats::new(&subject, &stats))?,
        ExportFormat::Jsonl => export::write_jsonl(&mut out, &[JsonStats::new(&subject, &stats)])?,
        ExportFormat::Table => write_table(&mut out, &subject, &stats)?,
        rows @ (ExportFormat::Csv | ExportFormat::Tsv) => {
            let weeks: Vec<_> = stats
                .weeks
                .iter()
                .map(|w| {
                    export::to_object(&serde_json::json!({
                        "week_start": rfc3339(w.start_ts),
                        "reviews": w.reviews,
                        "average": w.average,
                    }))
                })
                .collect();
            export::write_rows(&mut out, rows, &WEEK_COLUMNS, &weeks)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn open(data_dir: &std::path::Path, profile: &str) -> Result<Db> {
    let (db, report) = Db::open(data_dir, profile)?;
    if let Some(message) = report.message() {
        eprintln!("{message}");
    }
    Ok(db)
}

/// Fetches the reviews of the `days` up to today into the cache, marking those of the window
/// the Store no longer returns as vanished. The sync time is not recorded: the terminal UI's
/// next refresh still covers its own (maybe longer) window.
async fn refresh(config: Config, db: &mut Db, app: &str, days: u32, now: i64) -> Result<()> {
    let session = Session::resolve(config).await?;
    session.require(crate::provider::Feature::ListReviews)?;
    let client = session.client.with_progress(super::reviews::progress_printer());
    let query = ReviewQuery::last_days(app, days, today_utc());
    let fetched = client.fetch_reviews(&query).await?.reviews;
    let rows: Vec<CachedReview> = fetched.iter().filter_map(CachedReview::of).collect();
    // A page at a time, as the terminal UI writes them: the write lock is held briefly.
    for page in rows.chunks(1000) {
        db.upsert_reviews(app, page, now)?;
    }
    let seen: HashSet<String> = rows.into_iter().map(|r| r.id).collect();
    let (start_ts, end_ts) = crate::tui::store_worker::query_window(&query);
    db.mark_vanished(app, start_ts, end_ts, &seen)?;
    if std::io::stderr().is_terminal() {
        eprintln!(
            "fetched {} reviews of {app} from {} to {}",
            seen.len(),
            query.start,
            query.end
        );
    }
    Ok(())
}

fn only_cached_app(db: &Db, profile: &str) -> Result<String> {
    let apps = db.cached_apps()?;
    match apps.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(usage(format!(
            "no reviews are cached for profile {profile}: fetch them with `reviewdesk stats --refresh --app STOREID`, or open the terminal UI"
        ))),
        many => Err(usage(format!(
            "profile {profile} has reviews of {} apps cached ({}): choose one with --app",
            many.len(),
            many.iter().map(|a| sanitize_line(a)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn only_profile_app(config: &Config, profile: &str) -> Result<String> {
    let apps: Vec<&str> = config
        .profiles
        .get(profile)
        .map(|p| p.apps.iter().map(|a| a.id.as_str()).collect())
        .unwrap_or_default();
    match apps.as_slice() {
        [one] => Ok((*one).to_owned()),
        _ => Err(usage("--refresh needs --app STOREID: which app's reviews to fetch")),
    }
}

enum Subject {
    App(String),
    Site(String),
}

impl Subject {
    fn describe(&self) -> String {
        match self {
            Subject::App(a) => format!("app {}", sanitize_line(a)),
            Subject::Site(p) => format!("the Commerce site of profile {}", sanitize_line(p)),
        }
    }
}

/// What CSV and TSV hold: one row per week.
const WEEK_COLUMNS: [&str; 3] = ["week_start", "reviews", "average"];

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// What `--format json` prints: the stats, with what they are of and the window as dates.
#[derive(Serialize)]
struct JsonStats<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_profile: Option<String>,
    from: String,
    to: String,
    #[serde(flatten)]
    stats: &'a Stats,
}

impl<'a> JsonStats<'a> {
    fn new(subject: &Subject, stats: &'a Stats) -> Self {
        let rfc = rfc3339;
        let (app, site_profile) = match subject {
            Subject::App(a) => (Some(a.clone()), None),
            Subject::Site(p) => (None, Some(p.clone())),
        };
        JsonStats {
            app,
            site_profile,
            from: rfc(stats.from_ts),
            to: rfc(stats.now),
            stats,
        }
    }
}

/// The numbers as lines of text, 80 columns but for long lists of markets.
fn write_table(out: &mut impl Write, subject: &Subject, s: &Stats) -> std::io::Result<()> {
    writeln!(
        out,
        "Stats of {}, the last {} days ({} to {} UTC)",
        subject.describe(),
        s.window_days,
        f::day(s.from_ts),
        f::day(s.now)
    )?;
    writeln!(out, "Reviews       {}, average {}", s.reviews, f::rating(s.average))?;
    let ratings: Vec<String> = s
        .distribution
        .iter()
        .zip(1..)
        .map(|(n, star)| {
            let share = (s.reviews > 0).then(|| *n as f64 * 100.0 / s.reviews as f64);
            format!("{star}★ {n} ({})", f::percent(share))
        })
        .collect();
    writeln!(out, "Ratings       {}", ratings.join("  "))?;
    writeln!(out, "Per week      reviews  average")?;
    let widest = s.weeks.iter().map(|w| w.reviews).max().unwrap_or(0).max(1);
    for w in &s.weeks {
        let bar = "█".repeat((w.reviews * 30).div_ceil(widest) as usize);
        let line = format!(
            "  {}  {:>7}  {:>7}  {bar}",
            f::day(w.start_ts),
            w.reviews,
            f::rating(w.average)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let low = &s.low_ratings;
    let by = low.second_breakdown;
    for (label, b) in [("in the window", &low.window), ("in the last 7 days", &low.this_week)] {
        writeln!(out, "1–2★ {label}: {}", b.reviews)?;
        writeln!(out, "  {:<12}{}", "by market", f::shares(&b.markets))?;
        writeln!(out, "  {:<12}{}", format!("by {by}"), f::shares(&b.versions))?;
    }
    let a = &s.answering;
    writeln!(
        out,
        "Answered      {} of {} ({}); median time to reply {}",
        a.answered,
        s.reviews,
        f::percent(a.response_rate),
        match a.median_reply_secs {
            Some(secs) => format!("{} (of {} replies)", f::duration(secs), a.replies_timed),
            None => "– (no reply times known)".to_owned(),
        }
    )?;
    writeln!(
        out,
        "Unanswered    {} of 0–2 days, {} of 3–7 days, {} older",
        a.backlog.fresh, a.backlog.this_week, a.backlog.older
    )?;
    let e = &s.reply_effect;
    if e.reviews == 0 {
        writeln!(out, "Reply effect  no review was revised after a reply")?;
    } else {
        writeln!(
            out,
            "Reply effect  {} revised after a reply: {} → {} (mean change {}); {} better, {} same, {} worse",
            e.reviews,
            f::rating(e.mean_before),
            f::rating(e.mean_after),
            f::change(e.mean_change),
            e.improved,
            e.unchanged,
            e.worse
        )?;
        let moves: Vec<String> = e
            .moves
            .iter()
            .map(|m| format!("{}★→{}★ {}", m.before, m.after, m.reviews))
            .collect();
        writeln!(out, "              {}", moves.join(", "))?;
    }
    Ok(())
}
