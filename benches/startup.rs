//! From 100,000 cached reviews to the first drawn frame (issue 5's target: under 300 ms, whole
//! process, in a pty).
//!
//! A profile database is seeded with 100,000 reviews through `Db` (the JSON `Review` serialises
//! to, as the db thread stores it), in a temporary HOME with its own XDG directories. The real
//! binary then starts in a tmux pane with `REVIEWDESK_*` credentials for an emulator whose Store
//! API answers only after a minute, so any review on screen came from the cache. Measured: wall
//! time from asking tmux to start the program to the first capture of the pane that shows a
//! review row. That includes tmux starting the process and the polling of the pane (every 2 ms),
//! so it is an upper bound. The newest reviews are shown before the rest of the cache is read, so
//! the time until the status bar counts all of them is measured too. One warm-up run, then 5;
//! prints each and the medians.
//!
//! Run: `cargo bench --bench startup` (needs tmux). With `REVIEWDESK_BENCH_KEEP=1` the temporary
//! HOME is kept, with the program's log.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

use reviewdesk::emulator::{
    self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, FaultSpec,
};

const REVIEWS: usize = 100_000;
const APP: &str = "9NBLGGH4R315";
const RUNS: usize = 5;
const LIMIT: Duration = Duration::from_secs(20);

fn tmux(socket: &str, args: &[&str]) -> Output {
    let out = Command::new("tmux")
        .args(["-L", socket, "-f", "/dev/null"])
        .args(args)
        .output()
        .expect("run tmux");
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn main() {
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        println!("SKIPPED: the startup benchmark needs tmux");
        return;
    }
    let home = tempfile::Builder::new()
        .prefix("reviewdesk-bench-startup-")
        .tempdir()
        .unwrap();
    let p = |sub: &str| home.path().join(sub).display().to_string();
    for sub in ["config", "state", "data", "cache"] {
        std::fs::create_dir_all(home.path().join(sub)).unwrap();
    }
    let t = Instant::now();
    let bytes = common::seed::seed(&home.path().join("data").join("reviewdesk"), "env", APP, REVIEWS);
    println!(
        "seeded {REVIEWS} reviews ({:.1} MB of JSON) in {:.1?}",
        bytes as f64 / 1e6,
        t.elapsed()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = rt.block_on(emulator::start(EmulatorConfig::default())).unwrap();
    emu.set_faults(FaultSpec {
        delay_ms: Some(60_000),
        ..FaultSpec::default()
    });
    let url = emu.base_url();
    let env: Vec<String> = [
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TERM", "tmux-256color".to_owned()),
        ("HOME", p("")),
        ("XDG_CONFIG_HOME", p("config")),
        ("XDG_STATE_HOME", p("state")),
        ("XDG_DATA_HOME", p("data")),
        ("XDG_CACHE_HOME", p("cache")),
        ("REVIEWDESK_LOG_FILE", p("reviewdesk.log")),
        ("REVIEWDESK_LOGIN_URL", url.clone()),
        ("REVIEWDESK_API_URL", url),
        ("REVIEWDESK_TENANT_ID", DEFAULT_TENANT_ID.to_owned()),
        ("REVIEWDESK_CLIENT_ID", DEFAULT_CLIENT_ID.to_owned()),
        ("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET.to_owned()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", quote(v)))
    .collect();
    let program = format!(
        "env -i {} {} --app {APP}",
        env.join(" "),
        quote(env!("CARGO_BIN_EXE_reviewdesk"))
    );

    let socket = format!("rdx-bench-startup-{}", std::process::id());
    tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            "bench",
            "sleep 100000",
        ],
    );
    let mut times = Vec::new();
    let mut all_times = Vec::new();
    // The status bar once every cached review is in the list.
    let all_in = format!("{REVIEWS} reviews");
    for run in 0..=RUNS {
        let window = format!("bench:run{run}");
        let start = Instant::now();
        tmux(&socket, &["new-window", "-d", "-n", &format!("run{run}"), &program]);
        let mut first = None;
        let all = loop {
            let screen = tmux(&socket, &["capture-pane", "-p", "-t", &window]).stdout;
            let screen = String::from_utf8_lossy(&screen);
            // A list row: the selection marker column, then the rating's stars.
            if first.is_none() && screen.lines().any(|l| l.contains("★") && l.contains("User ")) {
                first = Some(start.elapsed());
            }
            if first.is_some() && screen.contains(&all_in) {
                break start.elapsed();
            }
            if start.elapsed() > LIMIT {
                let _ = Command::new("tmux").args(["-L", &socket, "kill-server"]).status();
                panic!("not all reviews in the list after {LIMIT:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let elapsed = first.unwrap_or(all);
        // SIGHUP: the program saves and ends.
        tmux(&socket, &["kill-window", "-t", &window]);
        std::thread::sleep(Duration::from_millis(300));
        if run == 0 {
            println!("warm-up: first review row after {elapsed:.1?}, all {REVIEWS} in the list after {all:.1?}");
        } else {
            println!("run {run}: first review row after {elapsed:.1?}, all {REVIEWS} in the list after {all:.1?}");
            times.push(elapsed);
            all_times.push(all);
        }
    }
    let _ = Command::new("tmux").args(["-L", &socket, "kill-server"]).status();
    if std::env::var_os("REVIEWDESK_BENCH_KEEP").is_some() {
        // The log (reviewdesk.log) has the db thread's timings.
        println!("kept {}", home.keep().display());
    }
    times.sort();
    all_times.sort();
    println!(
        "from {REVIEWS} cached reviews to the first drawn frame (whole process, in a pty): median {:.1?} (target < 300 ms)",
        times[times.len() / 2]
    );
    println!(
        "... to all {REVIEWS} in the list (status bar \"{all_in}\"): median {:.1?}",
        all_times[all_times.len() / 2]
    );
}
