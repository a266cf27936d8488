//! Command-line interface: argument parsing and the headless commands.

mod batch;
mod commerce;
mod commerce_import;
mod compose;
mod demo;
mod demo_commerce;
mod doctor;
mod eligibility;
mod emulator_cmd;
pub mod export;
mod history;
mod import_report;
mod local_db;
mod outbox;
pub mod output;
mod profile;
mod profile_args;
mod profile_commerce;
mod progress;
mod respond;
mod reviews;
pub mod shell;
mod stats;
mod template;
mod tui_cmd;
mod tui_sources;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::session::UsageError;
use crate::store::StoreError;

#[derive(Parser, Debug)]
#[command(
    name = "reviewdesk",
    version,
    about = "Triage and answer Microsoft Store reviews from the terminal",
    long_about = "Triage and answer Microsoft Store reviews from the terminal.\n\n\
        Credentials come from REVIEWDESK_TENANT_ID, REVIEWDESK_CLIENT_ID and REVIEWDESK_CLIENT_SECRET; \
        REVIEWDESK_LOGIN_URL and REVIEWDESK_API_URL point reviewdesk at another cloud or at the local emulator. \
        Try it without an account: `reviewdesk demo`.",
    after_help = "Exit codes, the same on every command: 0 done, or yes (eligibility: you may respond; profile test: every check passed; \
        outbox send: nothing left); 1 the service refused or failed, the local database could not be read, or no (you may not respond, a check failed, \
        replies or rows are left); 2 bad usage or input, nothing sent; 3 `watch --once --exec`: a command failed.\n\n\
        --format, wherever data is printed for programs: table (for people; also `text`), json, jsonl, csv, tsv."
)]
pub struct Cli {
    /// Config file to use instead of the default (config.toml in the config directory).
    #[arg(long, global = true, env = "REVIEWDESK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The profile (app registration) to use; default: default_profile in the config.
    #[arg(long, global = true, env = "REVIEWDESK_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Store IDs to open in the terminal UI (repeatable; a to switch between them). Default:
    /// REVIEWDESK_APPS, comma-separated.
    #[arg(long = "app", value_name = "STOREID")]
    pub apps: Vec<String>,
    /// Colour in the terminal UI: auto (unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: shell::ColorChoice,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List an app's reviews (the last 90 days unless --since says otherwise).
    Reviews(ReviewsArgs),
    /// Whether reviews of an app, or one review, may be answered.
    Eligibility(EligibilityArgs),
    /// Answer one review, or many from a CSV or JSON-lines file.
    Respond(RespondArgs),
    /// Run the local stand-in for Entra ID and the Store API (for tests and trying things out).
    Emulator(EmulatorArgs),
    /// See the whole flow against the built-in emulator: no account needed, nothing written.
    Demo(DemoArgs),
    /// Manage app registrations (profiles); secrets go to the OS keyring.
    #[command(subcommand)]
    Profile(profile_args::ProfileCommand),
    /// Where the config and secrets live, which keyring is used and why, whether endpoints answer.
    Doctor,
    /// The replies sent from the terminal UI, newest first, from the local database (offline).
    History(history::HistoryArgs),
    /// Replies confirmed in the terminal UI and not yet known to be sent: list, send, retry, discard.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// A Dynamics 365 Commerce site's Ratings & Reviews: export all reviews, import reviews.
    #[command(subcommand)]
    Commerce(commerce::CommerceCommand),
    /// Read Partner Center's Reviews report (.tsv) into the local review cache.
    ImportReport(import_report::ImportReportArgs),
    /// Refresh the cache and hand on each new or revised review: print it, or run a command.
    Watch(watch::WatchArgs),
    /// A shell completion script: bash, zsh, fish, powershell or elvish.
    Completions(shell::CompletionsArgs),
    /// The manual pages (roff): to standard output, or every page into a directory.
    Man(shell::ManArgs),
    /// The terminal UI's keys (defaults plus config.toml's [keys] overrides) with descriptions.
    Keys(shell::KeysArgs),
    /// How an app's reviews and answers are going: per week, ratings, 1–2★ by market and
    /// version, response rate and time, backlog, reply effect (from the local cache).
    Stats(stats::StatsArgs),
    /// Reply templates (files in templates/ next to config.toml): list, show, add, edit, remove.
    #[command(subcommand)]
    Template(template::TemplateCommand),
}

#[derive(Args, Debug)]
pub struct ReviewsArgs {
    /// The app's Store ID, such as 9NBLGGGZ5QDR.
    #[arg(long, value_name = "STOREID")]
    pub app: String,
    /// First day: 2024-05-31, 5/31/2024, today, yesterday or 30d. Default: 90 days ago
    /// (reviews.default_days in the config).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day, inclusive. Default: today.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// A Store filter expression, e.g. "rating le 2 and market eq 'US'".
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// A Store orderby expression, e.g. "date desc,rating".
    #[arg(long, value_name = "EXPR")]
    pub orderby: Option<String>,
    /// Only reviews without a developer response.
    #[arg(long)]
    pub unanswered: bool,
    /// table for people; json, jsonl, csv or tsv for programs and spreadsheets (review text
    /// sanitised or escaped in every one; CSV and TSV defuse formulas with a leading ').
    #[arg(long, value_enum, default_value = "table")]
    pub format: export::ExportFormat,
    /// Only these fields, in this order, by their Store names: id,date,rating,reviewText, ...
    /// Default: the whole review for json/jsonl, 15 common fields for csv/tsv.
    #[arg(long, value_name = "A,B,C")]
    pub columns: Option<String>,
    /// Reviews per request (the Store allows at most 10000).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub page_size: u32,
}

#[derive(Args, Debug)]
pub struct EligibilityArgs {
    #[arg(long, value_name = "STOREID")]
    pub app: String,
    /// One review's ID; without it, whether this account may respond to the app at all.
    #[arg(long, value_name = "ID")]
    pub review: Option<String>,
    /// table (sentences; also `text`), json (one object), jsonl, csv or tsv (one row:
    /// applicationId, reviewId, canRespond, defaultSupportEmail). Exit 0 when you may respond,
    /// 1 when you may not.
    #[arg(long, value_enum, default_value = "table")]
    pub format: export::ExportFormat,
}

#[derive(Args, Debug)]
pub struct RespondArgs {
    #[arg(
        long,
        value_name = "STOREID",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub app: Option<String>,
    #[arg(long, value_name = "ID", required_unless_present = "batch", conflicts_with = "batch")]
    pub review: Option<String>,
    /// The response (at most 1000 characters).
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["text_file", "batch"])]
    pub text: Option<String>,
    /// Read the response from a file, or from standard input with -.
    #[arg(long, value_name = "PATH", conflicts_with = "batch")]
    pub text_file: Option<PathBuf>,
    /// Send it by email only, not under the review.
    #[arg(long, conflicts_with = "batch")]
    pub private: bool,
    /// The address the customer may write to. Default: the app listing's support email.
    #[arg(long, value_name = "EMAIL", conflicts_with = "batch")]
    pub support_email: Option<String>,
    /// Many responses from a CSV (header: app,review,text[,private][,support_email]) or
    /// JSON-lines file.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Check everything and show what would be sent, but send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Render this template for the review (with --batch: for every line whose text is
    /// empty), instead of --text.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["text", "text_file"])]
    pub template: Option<String>,
    /// Run the policy check (Partner Center content rules) and send nothing: exit 0 when
    /// nothing blocks, 1 when something does.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Address to listen on; loopback only.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    #[arg(long, value_name = "CLIENT_ID")]
    pub client: Option<String>,
    /// The secret the emulator accepts (a made-up one; never a real secret).
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,
    /// Store IDs to serve (repeatable). Default: 9NBLGGGZ5QDR and 9WZDNCRFJ3Q8.
    #[arg(long = "app", value_name = "STOREID")]
    pub apps: Vec<String>,
    /// Reviews per app.
    #[arg(long, default_value_t = 60)]
    pub reviews: usize,
    /// Seed for the sample data: the same seed gives the same reviews.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Seeded random faults on every Store API request: SEED, then KEY=VALUE options with
    /// rates in percent (429, 429bare, 5xx, reset, late, revoke, down) and late_ms, down_ms,
    /// retry_after. The same seed gives the same sequence of faults. Example: --chaos 7,reset=5
    #[arg(long, value_name = "SEED[,KEY=VALUE...]")]
    pub chaos: Option<crate::emulator::ChaosSpec>,
    /// Reviews on the speculative Commerce site, all in its Export All Reviews file (100000 is
    /// a 27 MB CSV; the file is built in the emulator's memory, so at most 5000000).
    #[arg(long, value_name = "N", default_value_t = 40,
          value_parser = clap::value_parser!(u64).range(0..=5_000_000))]
    pub commerce_reviews: u64,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Reviews per sample app.
    #[arg(long, default_value_t = 60)]
    pub reviews: usize,
    /// Print a scripted walkthrough instead of opening the terminal UI (the default when
    /// standard output is not a terminal).
    #[arg(long)]
    pub headless: bool,
}

/// Parses arguments, runs the command, prints errors, and gives the exit code.
pub fn main() -> ExitCode {
    // Before anything reads a secret: no core dump of this process's memory.
    crate::hardening::disable_core_dumps();
    let cli = Cli::parse();
    cli.color.apply_to_environment();
    // Commands that print for pipes (`reviewdesk reviews | head`) end quietly when the reader
    // goes away, as Unix tools do, instead of panicking in println!. Rust ignores SIGPIPE by
    // default; sockets are unaffected either way (they are written with MSG_NOSIGNAL). Not for
    // the terminal UI or the emulator, which print nothing to pipes, nor for `watch`, which
    // writes to --exec children that may not read (it ends on a broken stdout itself).
    #[cfg(unix)]
    if matches!(
        cli.command,
        Some(
            Command::Reviews(_)
                | Command::Eligibility(_)
                | Command::Respond(_)
                | Command::Profile(_)
                | Command::Doctor
                | Command::History(_)
                | Command::Outbox(_)
                | Command::Commerce(_)
                | Command::ImportReport(_)
                | Command::Completions(_)
                | Command::Man(_)
                | Command::Keys(_)
                | Command::Stats(_)
                | Command::Template(_)
        )
    ) {
        // SAFETY: setting a signal disposition before any thread is started.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    // The demo writes nothing outside a temporary directory, its log included.
    let demo_dir = match &cli.command {
        Some(Command::Demo(_)) => match tempfile::Builder::new().prefix("reviewdesk-demo-").tempdir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("error: cannot create a temporary directory for the demo: {e}");
                return ExitCode::from(1);
            }
        },
        _ => None,
    };
    let log_path = match &demo_dir {
        Some(d) => Some(d.path().join("reviewdesk.log")),
        None => crate::logging::default_log_path(),
    };
    let _log = crate::logging::init(log_path.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(code) => code,
        // `reviewdesk reviews | head`: the reader left; that is not an error worth a message.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "command failed");
            print_error(&e);
            ExitCode::from(exit_code_for(&e))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (selected, path) = (cli.profile.clone(), cli.config.clone());
    let config = || {
        let mut c =
            crate::config::Config::load(path.as_deref()).map_err(|e| crate::session::usage(format!("{e:#}")))?;
        c.selected_profile = selected.clone();
        c.source = path.clone().or_else(crate::config::default_config_path);
        Ok::<_, anyhow::Error>(c)
    };
    let command = match cli.command {
        Some(c) => c,
        None => return tui_cmd::run(config()?, cli.apps).await,
    };
    match command {
        Command::Reviews(args) => reviews::run(config()?, args).await,
        Command::Eligibility(args) => eligibility::run(config()?, args).await,
        Command::Respond(args) if args.batch.is_some() => batch::run(config()?, args).await,
        Command::Respond(args) => respond::run(config()?, args).await,
        Command::Emulator(args) => emulator_cmd::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Profile(cmd) => profile::run(config()?, cmd).await,
        Command::Doctor => doctor::run(config()?).await,
        Command::History(args) => history::run(config()?, args),
        Command::Outbox(cmd) => outbox::run(config()?, cmd).await,
        Command::Commerce(cmd) => commerce::run(config()?, cmd).await,
        Command::ImportReport(args) => import_report::run(config()?, args),
        Command::Watch(args) => watch::run(config()?, args).await,
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Keys(args) => shell::keys(config()?, args),
        Command::Stats(args) => stats::run(config()?, args).await,
        Command::Template(cmd) => template::run(config()?, cmd),
    }
}

pub fn exit_code_for(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.is::<UsageError>() {
            return 2;
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return if s.is_usage() { 2 } else { 1 };
        }
    }
    1
}

/// One sentence first, then what caused it, each on its own line.
fn print_error(e: &anyhow::Error) {
    let mut chain = e.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    for cause in chain {
        eprintln!("  because: {cause}");
    }
}
