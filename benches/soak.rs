//! The fault soak of issue 13, with the real release binary:
//! `cargo bench --bench soak -- --minutes N [--seed S] [--chaos SPEC] [--verbose]` (default
//! 2 minutes, seed 1; `--chaos` replaces the fault mix, in `reviewdesk emulator --chaos` form).
//! The emulator runs in chaos mode (seeded 429s with and without Retry-After, 5xx, dropped
//! connections, answers after the client's timeout, token revocation, reviews-API outages);
//! reviewdesk in tmux answers scripted reviews from the keyboard, `reviewdesk outbox send`
//! processes run beside it, and the UI is killed with `kill -9` at seeded moments. At the end it
//! prints the figures and every broken promise (each confirmed reply applied exactly once, no
//! draft lost beyond the last autosave, no panic, nothing stuck in the outbox, the database
//! passing `PRAGMA integrity_check`), and exits non-zero on any.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| {
                v.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
            })
    };
    let minutes = value("--minutes").unwrap_or(2.0);
    let seed = value("--seed").unwrap_or(1.0) as u64;
    if !common::tmux::tmux_available() {
        eprintln!("the soak needs tmux: install it (apt-get install tmux)");
        return ExitCode::FAILURE;
    }
    let mut opts = common::soak::Options::new(Duration::from_secs_f64(minutes * 60.0), seed);
    opts.verbose = args.iter().any(|a| a == "--verbose");
    if let Some(spec) = args.iter().position(|a| a == "--chaos").and_then(|i| args.get(i + 1)) {
        match spec.parse() {
            Ok(spec) => opts.chaos = spec,
            Err(e) => {
                eprintln!("--chaos: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("soak: {minutes} min, seed {seed}; chaos {}", opts.chaos.describe());
    let report = common::soak::run(&opts);
    let _ = report.print(&mut std::io::stdout());
    if report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
