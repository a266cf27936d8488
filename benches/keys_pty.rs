//! Key-to-screen through the real terminal path: the release binary in a pty (no tmux between),
//! movement keys written to the master, and the time until the screen (`vt100`, fed every byte
//! the program writes) shows the selection moved.
//!
//! Three cases, each against the real emulator process:
//! - idle: a couple of hundred reviews, all listed;
//! - fetching: 100,000 reviews arrive from the emulator (a fresh profile, so every page is also
//!   written to the cache); keys are timed from the first row on screen until the fetch is done;
//! - from the cache: a profile database seeded with 100,000 reviews while the Store API answers
//!   only after a minute; keys are timed from the first row until all are listed.
//!
//! Keys alternate `j` and `k`. A key counts as answered when the selected row (stars in reverse
//! video) shows a different review than before it was sent: pages arriving keep the selection by
//! id, so only a key changes which review is selected, wherever its row is drawn. Paces: a
//! person's (150 ms between keys) and a held key's (30 ms). Prints median, p99 and max, and
//! whether the targets are met (p99 <= 16 ms idle, <= 33 ms under load).
//!
//! Also printed per loaded run: when all were listed, the program's resident memory (and peak),
//! and the database's size.
//!
//! Run: `cargo bench --bench keys_pty` (about a minute). `REVIEWDESK_BENCH_RUNS=N` sets the
//! number of program starts per loaded case (default 4; the cache case makes twice as many);
//! `REVIEWDESK_BENCH_REVIEWS=1000000` loads a million instead of 100,000.

#[path = "../tests/common/pty.rs"]
mod pty;

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use pty::{Pty, selected_row};

const APP: &str = "9NBLGGGZ5QDR";
const PERSON: Duration = Duration::from_millis(150);
const HELD: Duration = Duration::from_millis(30);
/// A key not answered within this is counted at this (and reported as missed).
const GIVE_UP: Duration = Duration::from_secs(2);
const IDLE_TARGET_MS: f64 = 16.0;
const LOAD_TARGET_MS: f64 = 33.0;

/// The text of the selected row, which names the selected review.
fn selected_text(screen: &vt100::Screen) -> Option<String> {
    let row = selected_row(screen)?;
    let (_, cols) = screen.size();
    screen.rows(0, cols).nth(row as usize)
}

#[derive(Default)]
struct Samples {
    latencies: Vec<Duration>,
    missed: usize,
}

impl Samples {
    /// Sends one movement key and waits for the selection to change on screen.
    fn press(&mut self, pty: &mut Pty, key: &[u8]) {
        let before = selected_text(pty.parser.screen());
        let sent = pty.send(key);
        match pty.wait_until(GIVE_UP, |s| {
            let now = selected_text(s);
            now.is_some() && now != before
        }) {
            Some(seen) => self.latencies.push(seen.saturating_duration_since(sent)),
            None => {
                self.missed += 1;
                self.latencies.push(GIVE_UP);
            }
        }
    }

    /// Keys until `done(screen)` holds (checked between keys), at `pace`s in turn.
    fn press_until(&mut self, pty: &mut Pty, paces: &[Duration], mut done: impl FnMut(&vt100::Screen) -> bool) {
        for i in 0.. {
            pty.pump(Duration::ZERO);
            if done(pty.parser.screen()) {
                return;
            }
            self.press(pty, if i % 2 == 0 { b"j" } else { b"k" });
            let pause = Instant::now() + paces[i % paces.len()];
            // Read what arrives meanwhile, so the screen is current for the next key.
            while let Some(left) = pause.checked_duration_since(Instant::now()) {
                if pty.pump(left).is_none() {
                    break;
                }
            }
        }
    }

    fn report(&self, name: &str, target_ms: f64) {
        let mut v = self.latencies.clone();
        if v.is_empty() {
            println!("  {name:<34}: no keys timed");
            return;
        }
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let p99 = v[(v.len() * 99 / 100).min(v.len() - 1)];
        let verdict = if ms(p99) <= target_ms && self.missed == 0 {
            "target met"
        } else {
            "TARGET NOT MET"
        };
        println!(
            "  {name:<34}: median {:6.2} ms, p99 {:6.2} ms, max {:6.2} ms over {} keys{} (target p99 <= {target_ms} ms: {verdict})",
            ms(v[v.len() / 2]),
            ms(p99),
            ms(*v.last().unwrap()),
            v.len(),
            if self.missed > 0 {
                format!(", {} not answered within {GIVE_UP:?}", self.missed)
            } else {
                String::new()
            }
        );
    }
}

fn has_rows(s: &vt100::Screen) -> bool {
    selected_row(s).is_some()
}

/// The status bar with the list complete and nothing loading.
fn all_listed(s: &vt100::Screen) -> bool {
    let text = s.contents();
    text.contains(" reviews · ") && !text.contains("fetching") && !text.contains("reading cached")
}

fn start(emu: &common::Emulator, home: &Path) -> Pty {
    let mut cmd = emu.reviewdesk_in(home);
    cmd.env("TERM", "xterm-256color").args(["--app", APP]);
    Pty::spawn(cmd, 100, 30)
}

fn wait_for_rows(pty: &mut Pty, what: &str) {
    if pty.wait_until(Duration::from_secs(60), has_rows).is_none() {
        panic!("{what}: no review row on screen after a minute:\n{}", pty.text());
    }
}

fn quit(mut pty: Pty) {
    pty.send(b"q");
    if pty.wait_exit(Duration::from_secs(20)).is_none() {
        println!("  (the program did not quit on q within 20 s; killed)");
    }
}

/// A temporary HOME whose config fetches far enough back for every emulator review.
fn home() -> tempfile::TempDir {
    let home = tempfile::Builder::new()
        .prefix("reviewdesk-bench-keys-")
        .tempdir()
        .unwrap();
    let config = home.path().join("config").join("reviewdesk");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[reviews]\ndefault_days = 400\n").unwrap();
    home
}

/// `REVIEWDESK_BENCH_REVIEWS`: how many reviews the loaded cases fetch and cache (100,000).
fn loaded() -> usize {
    std::env::var("REVIEWDESK_BENCH_REVIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// The program's resident memory now and at its peak, in MB (Linux).
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The profile database's files (with its WAL), in MB.
fn db_mb(home: &Path) -> f64 {
    let dir = home.join("data").join("reviewdesk");
    let bytes: u64 = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    bytes as f64 / 1e6
}

fn runs() -> usize {
    std::env::var("REVIEWDESK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

fn idle() -> (Samples, Samples) {
    let emu = common::Emulator::start(200, APP);
    let home = home();
    let mut pty = start(&emu, home.path());
    wait_for_rows(&mut pty, "idle");
    if pty
        .wait_until(Duration::from_secs(30), |s| {
            all_listed(s) && s.contents().contains(" 200 reviews · ")
        })
        .is_none()
    {
        panic!("idle: the 200 reviews were never all listed:\n{}", pty.text());
    }
    // The eligibility checks of the first reviews, then quiet.
    pty.settle(Duration::from_millis(500), Duration::from_secs(10));
    let (mut person, mut held) = (Samples::default(), Samples::default());
    for _ in 0..10 {
        held.press(&mut pty, b"j"); // warm-up
        pty.settle(Duration::from_millis(50), Duration::from_secs(1));
        held.press(&mut pty, b"k");
        pty.settle(Duration::from_millis(50), Duration::from_secs(1));
    }
    held = Samples::default();
    let mut n = 0;
    person.press_until(&mut pty, &[PERSON], |_| {
        n += 1;
        n > 100
    });
    let mut n = 0;
    held.press_until(&mut pty, &[HELD], |_| {
        n += 1;
        n > 300
    });
    quit(pty);
    (person, held)
}

fn fetching(count: usize) -> Samples {
    let t = Instant::now();
    let emu = common::Emulator::start(count, APP);
    println!("  emulator with {count} reviews up after {:.1?}", t.elapsed());
    let mut samples = Samples::default();
    for run in 0..runs() {
        let home = home();
        let t = Instant::now();
        let mut pty = start(&emu, home.path());
        wait_for_rows(&mut pty, "fetching");
        let before = samples.latencies.len();
        samples.press_until(&mut pty, &[PERSON, HELD, HELD, HELD], all_listed);
        let listed = t.elapsed();
        let (rss, peak) = memory_mb(pty.pid());
        println!(
            "  fetch run {run}: listed after {listed:.2?}, {} keys timed meanwhile; RSS {rss:.0} MB (peak {peak:.0} MB), database {:.0} MB",
            samples.latencies.len() - before,
            db_mb(home.path())
        );
        quit(pty);
    }
    samples
}

fn from_cache(count: usize) -> Samples {
    let emu = common::Emulator::start(10, APP);
    emu.delay_store_api(600_000);
    let home = home();
    let t = Instant::now();
    let bytes = common::seed::seed(&home.path().join("data").join("reviewdesk"), "env", APP, count);
    println!(
        "  seeded {count} cached reviews ({:.1} MB of JSON, database {:.0} MB) in {:.1?}",
        bytes as f64 / 1e6,
        db_mb(home.path()),
        t.elapsed()
    );
    let mut samples = Samples::default();
    for run in 0..runs() * 2 {
        let t = Instant::now();
        let mut pty = start(&emu, home.path());
        wait_for_rows(&mut pty, "from the cache");
        let first = t.elapsed();
        let before = samples.latencies.len();
        // Listed from the cache while the refresh waits on the delayed Store API.
        samples.press_until(&mut pty, &[PERSON, HELD, HELD, HELD], |s| {
            s.contents().contains(&format!(" {count} reviews · "))
        });
        let listed = t.elapsed();
        let (rss, peak) = memory_mb(pty.pid());
        println!(
            "  cache run {run}: first row after {first:.2?}, all listed after {listed:.2?}, {} keys timed meanwhile; RSS {rss:.0} MB (peak {peak:.0} MB)",
            samples.latencies.len() - before
        );
        quit(pty);
    }
    samples
}

fn main() {
    println!("keys_pty: the release binary in a 100x30 pty, j/k alternating, key written -> selection moved on screen");
    let count = loaded();
    let (person, held) = idle();
    let fetch = fetching(count);
    let cache = from_cache(count);
    println!("results:");
    person.report("idle, 200 reviews, 150 ms pace", IDLE_TARGET_MS);
    held.report("idle, 200 reviews, 30 ms pace", IDLE_TARGET_MS);
    fetch.report(&format!("while {count} are fetched"), LOAD_TARGET_MS);
    cache.report(&format!("while {count} load from the cache"), LOAD_TARGET_MS);
}
