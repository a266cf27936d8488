//! The fault soak (issue 13): the emulator in chaos mode, the real binary in tmux answering
//! scripted reviews from the keyboard, `reviewdesk outbox send` processes running beside it, and
//! the UI killed with `kill -9` at seeded moments and started again. [`run`] drives it and
//! [`Report::violations`] says what broke a promise; `benches/soak.rs` prints the figures.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reviewdesk::emulator::{ChaosSpec, ChaosStats};

use super::tmux::*;

/// A reply whose confirmation the screen showed this long before a kill must be in the outbox.
/// Killed sooner, it may still be on its way to the database (then its draft must be there).
pub const SETTLE: Duration = Duration::from_millis(500);
/// How long one step (a screen to appear) may take under chaos before the soak gives up on it.
const STEP: Duration = Duration::from_secs(20);

pub struct Options {
    pub duration: Duration,
    pub seed: u64,
    pub chaos: ChaosSpec,
    /// Each skipped step's screen is printed here (stderr for the bench).
    pub verbose: bool,
}

impl Options {
    /// The client gives up after 2 s, so late answers (3 s) land after it has.
    pub fn new(duration: Duration, seed: u64) -> Self {
        let chaos = format!("{seed},429=3,429bare=2,5xx=3,reset=2,late=1.5,revoke=1,down=1,late_ms=3000,down_ms=4000")
            .parse()
            .expect("the soak's chaos spec");
        Self {
            duration,
            seed,
            chaos,
            verbose: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct Kills {
    pub typing: u64,
    pub after_confirm: u64,
    pub idle: u64,
    pub skipped_step: u64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub elapsed: Duration,
    /// Confirmed on screen and not killed within [`SETTLE`].
    pub confirmed: usize,
    /// Confirmed, then killed within [`SETTLE`]: in the outbox, or kept as a draft.
    pub maybe: usize,
    pub maybe_queued: usize,
    /// Outbox items sent at the end, and the emulator's count of applied soak replies.
    pub sent: usize,
    pub applied: usize,
    pub kills: Kills,
    pub drafts_checked: usize,
    pub senders: BTreeMap<String, usize>,
    /// Steps whose screen did not come within [`STEP`] (the UI is then killed and restarted).
    pub skipped_steps: usize,
    pub chaos: ChaosStats,
    pub unauthorized: u64,
    pub duplicates: u64,
    pub lost: usize,
    pub stuck: usize,
    pub integrity: Vec<String>,
    pub violations: Vec<String>,
}

/// splitmix64, so a seed gives the same script (kill moments, texts, pauses).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn words(&mut self, n: usize) -> String {
        const W: &[&str] = &[
            "thanks", "fixed", "update", "sorry", "crash", "version", "sync", "soon", "please", "retry", "photo",
            "export", "faster", "patience",
        ];
        (0..n)
            .map(|_| W[self.below(W.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One soak review: its id at the emulator, its title and the word the search finds it by.
struct Target {
    id: String,
    title: String,
    token: String,
}

/// What happened to the replies, by review id: the text expected on the review.
#[derive(Default)]
struct Ledger {
    confirmed: BTreeMap<String, String>,
    maybe: BTreeMap<String, String>,
}

pub fn run(opts: &Options) -> Report {
    let started = Instant::now();
    let mut rng = Rng(opts.seed ^ 0x50AC);
    let mut report = Report::default();
    let e = emu(None);
    let targets: Vec<Target> = (0..2000)
        .map(|i| {
            let token = format!("soak{i:04}");
            let title = format!("{token} keeps crashing");
            let id = e.handle.add_review(
                APP,
                serde_json::json!({"reviewTitle": title, "reviewerName": format!("Rev {i}"), "rating": 1 + i % 5}),
            );
            Target { id, title, token }
        })
        .collect();
    let t = Term::launch(
        &e,
        Launch {
            config: Some("[network]\nrequest_timeout_secs = 2\n".to_owned()),
            ..Launch::default()
        },
    );
    let _ = wait(&t, "the first list", Duration::from_secs(60), is_home);
    // Chaos from here on: the first fetch is what fills the cache the restarts start from.
    e.handle.set_chaos(Some(opts.chaos.clone()));

    let stop = Arc::new(AtomicBool::new(false));
    let senders = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let sender_thread = {
        let (stop, senders) = (stop.clone(), senders.clone());
        let (home, url, mut srng) = (t.dir.path().to_owned(), e.handle.base_url(), Rng(opts.seed ^ 0x5E4D));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1000 + srng.below(4000)));
                let outcome = outbox_send(&home, &url);
                *senders.lock().unwrap().entry(outcome).or_default() += 1;
            }
        })
    };

    let mut ledger = Ledger::default();
    let mut next = 0;
    while started.elapsed() < opts.duration && next < targets.len() {
        let target = &targets[next];
        next += 1;
        if let Err(why) = answer(&t, target, &mut rng, &mut ledger, &mut report) {
            report.skipped_steps += 1;
            if opts.verbose {
                let _ = writeln!(std::io::stderr(), "soak: skipped a step: {why}\n{}", t.screen());
            }
            if let Some(code) = ended_by_itself(&t) {
                report
                    .violations
                    .push(format!("the UI ended by itself with {code}:\n{}", t.log_tail()));
            }
            kill(&t);
            report.kills.skipped_step += 1;
            restart(&t);
        }
        // Now and then, a kill while nothing is being typed.
        if rng.below(10) == 0 {
            std::thread::sleep(Duration::from_millis(rng.below(3000)));
            kill(&t);
            report.kills.idle += 1;
            restart(&t);
        }
    }

    stop.store(true, Ordering::Relaxed);
    let _ = sender_thread.join();
    kill(&t);
    // The service calms down: what is left must go out now, once.
    let chaos = e.handle.stats().chaos;
    e.handle.set_chaos(None);
    for _ in 0..5 {
        let outcome = outbox_send(t.dir.path(), &e.handle.base_url());
        *senders.lock().unwrap().entry(format!("final {outcome}")).or_default() += 1;
        if outcome == "exit 0" {
            break;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    report.senders = senders.lock().unwrap().clone();
    check(&e, &t, &targets, &ledger, &mut report);
    report.chaos = chaos;
    report.elapsed = started.elapsed();
    report
}

/// One scripted reply to `target`, with the kill the dice give it.
fn answer(t: &Term, target: &Target, rng: &mut Rng, ledger: &mut Ledger, report: &mut Report) -> Result<(), String> {
    select(t, target)?;
    open_editor(t)?;
    let scenario = rng.below(10);
    let text = if scenario < 3 {
        // Typed, autosaved, typed on, and killed before the second part could be saved.
        let first = format!("Thanks {}: {}", target.token, rng.words(3));
        t.type_text(&first);
        wait(t, "the first part", STEP, |s| s.contains(&counter(&first)))?;
        std::thread::sleep(Duration::from_millis(1200));
        let second = format!(" {}", rng.words(2));
        t.type_text(&second);
        kill(t);
        report.kills.typing += 1;
        report.drafts_checked += 1;
        let draft = t.draft_text(&target.id);
        let whole = format!("{first}{second}");
        match &draft {
            Some(d) if d.starts_with(&first) && whole.starts_with(d.as_str()) => {}
            other => report.violations.push(format!(
                "draft of {} lost beyond the last autosave: {other:?}, typed {whole:?}",
                target.token
            )),
        }
        restart(t);
        select(t, target)?;
        open_editor(t)?;
        let draft = draft.unwrap_or_default();
        wait(t, "the draft back in the editor", STEP, |s| {
            s.contains(&counter(&draft))
        })?;
        draft
    } else {
        let n = 2 + rng.below(5) as usize;
        let text = format!("Thanks {}: {}", target.token, rng.words(n));
        t.type_text(&text);
        wait(t, "the reply typed", STEP, |s| s.contains(&counter(&text)))?;
        text
    };
    t.keys(&["C-s"]);
    let s = wait(t, "the question", STEP, |s| {
        s.contains("cannot be edited later") || s.contains("A support email is required")
    })?;
    if !s.contains("cannot be edited later") {
        // The eligibility check did not answer (chaos): the support email by hand.
        t.keys(&["Tab"]);
        t.type_text("help@example.com");
        wait(t, "the email typed", STEP, |s| s.contains("help@example.com"))?;
        t.keys(&["C-s"]);
        wait(t, "the question", STEP, |s| s.contains("cannot be edited later"))?;
    }
    t.keys(&["y"]);
    let confirmed = wait(t, "the question gone", STEP, |s| !s.contains("cannot be edited later"));
    if confirmed.is_err() {
        ledger.maybe.insert(target.id.clone(), text);
        return Err("the confirmation did not close".into());
    }
    let confirmed_at = Instant::now();
    if scenario < 6 {
        std::thread::sleep(Duration::from_millis(rng.below(1500)));
        kill(t);
        report.kills.after_confirm += 1;
        if confirmed_at.elapsed() >= SETTLE {
            ledger.confirmed.insert(target.id.clone(), text);
        } else {
            ledger.maybe.insert(target.id.clone(), text);
        }
        restart(t);
    } else {
        ledger.confirmed.insert(target.id.clone(), text);
        std::thread::sleep(Duration::from_millis(rng.below(2000)));
    }
    Ok(())
}

/// `"N/1000"`: the editor's counter for `text` (UTF-16 units; the soak types ASCII).
fn counter(text: &str) -> String {
    format!("{}/1000", text.encode_utf16().count())
}

/// The list, with no editor, outbox or question over it.
fn is_home(s: &str) -> bool {
    s.contains("unanswered")
        && !s.contains("Ctrl-s send · Tab field")
        && !s.contains(" Outbox · ")
        && !s.contains("cannot be edited later")
}

fn go_home(t: &Term) -> Result<(), String> {
    for _ in 0..4 {
        if wait(t, "the list", Duration::from_millis(800), is_home).is_ok() {
            return Ok(());
        }
        t.keys(&["Escape"]);
    }
    wait(t, "the list", STEP, is_home).map(drop)
}

/// Finds the target with the search (refreshing when it is not loaded yet) and selects it.
fn select(t: &Term, target: &Target) -> Result<(), String> {
    for _ in 0..3 {
        go_home(t)?;
        t.keys(&["/"]);
        wait(t, "the search line", STEP, |s| s.contains("Enter keep · Esc clear"))?;
        t.type_text(&target.token);
        let found = format!("/{}▏  1/1", target.token);
        if wait(t, "the match", Duration::from_secs(3), |s| s.contains(&found)).is_ok() {
            t.keys(&["Enter"]);
            return wait(t, "the target selected", STEP, |s| detail_title(s) == target.title).map(drop);
        }
        t.keys(&["Escape"]);
        go_home(t)?;
        t.keys(&["R"]);
        std::thread::sleep(Duration::from_secs(2));
    }
    Err(format!("{} never showed up in the list", target.token))
}

fn open_editor(t: &Term) -> Result<(), String> {
    t.keys(&["r"]);
    // Not the placeholder: an editor that opens on a kept draft does not show it.
    wait(t, "the editor", STEP, |s| s.contains("Ctrl-s send · Tab field")).map(drop)
}

/// Polls the screen until `ok` holds on two captures in a row, or `limit` passes.
fn wait(t: &Term, what: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> Result<String, String> {
    let start = Instant::now();
    let mut held = false;
    loop {
        let s = t.screen();
        if ok(&s) {
            if held {
                return Ok(s);
            }
            held = true;
        } else {
            held = false;
        }
        if start.elapsed() > limit {
            return Err(format!("timed out after {limit:?} waiting for {what}"));
        }
        std::thread::sleep(POLL);
    }
}

/// `EXIT=N` on the pane while the soak did not end the program: a crash or a quit of its own.
fn ended_by_itself(t: &Term) -> Option<String> {
    let s = t.screen();
    let at = s.find("EXIT=")?;
    Some(s[at..].lines().next().unwrap_or_default().to_owned())
}

/// `kill -9` the program in the pane (if it runs) and waits until the shell has seen it end.
fn kill(t: &Term) {
    let shell = t.display("#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().expect("pgrep runs");
    for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    let _ = wait(t, "the program gone", STEP, |s| s.contains("EXIT="));
}

fn restart(t: &Term) {
    t.restart();
    let _ = wait(t, "the list after a restart", Duration::from_secs(60), is_home);
}

/// `reviewdesk outbox send` for the UI's HOME: its exit, as a label for the figures.
fn outbox_send(home: &Path, url: &str) -> String {
    let mut c = super::bin_in(home);
    super::emulator_env(&mut c, url);
    c.env("REVIEWDESK_LOG_FILE", home.join("cli.log"))
        .args(["outbox", "send"]);
    match c.output() {
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("panicked") => "panic".to_owned(),
        Ok(out) => out.status.code().map_or("signal".to_owned(), |c| format!("exit {c}")),
        Err(e) => format!("did not start: {e}"),
    }
}

/// The promises, checked once everything has stopped.
fn check(e: &Emu, t: &Term, targets: &[Target], ledger: &Ledger, report: &mut Report) {
    let st = e.handle.stats();
    report.unauthorized = st.unauthorized;
    let soak_ids: BTreeSet<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    let dbs = t.databases();
    if dbs.len() != 1 {
        report
            .violations
            .push(format!("one profile database expected, found {dbs:?}"));
    }
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for db in &dbs {
        let conn = open_read_only(db);
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap_or_else(|e| e.to_string());
        if integrity != "ok" {
            report
                .violations
                .push(format!("integrity_check of {}: {integrity}", db.display()));
        }
        report.integrity.push(integrity);
        let mut q = conn
            .prepare("SELECT review, text, state FROM outbox")
            .expect("the outbox table");
        rows.extend(
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("outbox rows")
                .flatten(),
        );
    }
    let mut per_review: BTreeMap<&str, Vec<&(String, String, String)>> = BTreeMap::new();
    for row in &rows {
        per_review.entry(row.0.as_str()).or_default().push(row);
    }
    for (review, items) in &per_review {
        if items.len() > 1 {
            report.duplicates += items.len() as u64 - 1;
            report
                .violations
                .push(format!("{} outbox items for review {review}", items.len()));
        }
        for (_, text, state) in items {
            if state == "sent" {
                report.sent += 1;
            } else {
                report.stuck += 1;
                report
                    .violations
                    .push(format!("outbox item for {review} stuck in {state:?}"));
            }
            let applied = st.applied_responses.get(*review).copied().unwrap_or(0);
            if applied != 1 {
                report
                    .violations
                    .push(format!("review {review} got {applied} responses, not 1"));
            }
            let on_review = e.handle.response_text(APP, review);
            if on_review.as_deref() != Some(text.as_str()) {
                report
                    .violations
                    .push(format!("review {review} shows {on_review:?}, the outbox has {text:?}"));
            }
        }
    }
    for (review, n) in &st.already_answered {
        report.duplicates += n;
        report.violations.push(format!(
            "review {review} was posted {n} more time(s) after it was answered"
        ));
    }
    for review in st.applied_responses.keys() {
        if soak_ids.contains(review.as_str()) {
            report.applied += 1;
        }
        if !per_review.contains_key(review.as_str()) {
            report
                .violations
                .push(format!("review {review} was answered without an outbox item"));
        }
    }
    report.confirmed = ledger.confirmed.len();
    report.maybe = ledger.maybe.len();
    for (review, text) in &ledger.confirmed {
        if !per_review.contains_key(review.as_str()) {
            report.lost += 1;
            report.violations.push(format!(
                "the confirmed reply to {review} ({text:?}) is not in the outbox"
            ));
        }
    }
    for (review, text) in &ledger.maybe {
        if per_review.contains_key(review.as_str()) {
            report.maybe_queued += 1;
        } else if t.draft_text(review).as_deref() != Some(text.as_str()) {
            report.lost += 1;
            report.violations.push(format!(
                "the reply to {review}, killed as it was confirmed, is neither queued nor kept as a draft"
            ));
        }
    }
    for log in ["reviewdesk.log", "cli.log"] {
        let text = std::fs::read_to_string(t.dir.path().join(log)).unwrap_or_default();
        if let Some(at) = text.find("panicked") {
            report
                .violations
                .push(format!("a panic in {log}: {}", &text[at..text.len().min(at + 300)]));
        }
    }
    if report.senders.keys().any(|k| k.contains("panic") || k.contains("101")) {
        report
            .violations
            .push(format!("an `outbox send` panicked: {:?}", report.senders));
    }
}

impl Report {
    pub fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        let c = &self.chaos;
        writeln!(out, "soak: {:.1} min", self.elapsed.as_secs_f64() / 60.0)?;
        writeln!(
            out,
            "  replies: {} confirmed, {} confirmed as the UI was killed ({} of them queued), {} sent, {} applied at the Store",
            self.confirmed, self.maybe, self.maybe_queued, self.sent, self.applied
        )?;
        writeln!(
            out,
            "  faults: {} of {} Store API requests: 429 {} with Retry-After, {} without; 5xx {}; resets {}; late {}; revocations {} ({} answers 401); outages {} ({} answers 4012)",
            c.faults(),
            c.requests,
            c.throttled_retry_after,
            c.throttled_bare,
            c.server_errors,
            c.resets,
            c.late,
            c.revocations,
            self.unauthorized,
            c.outages,
            c.down_answers
        )?;
        let k = &self.kills;
        writeln!(
            out,
            "  kill -9: {} while typing, {} after confirming, {} idle, {} after a skipped step",
            k.typing, k.after_confirm, k.idle, k.skipped_step
        )?;
        writeln!(out, "  drafts checked after a kill: {}", self.drafts_checked)?;
        writeln!(out, "  outbox send runs: {:?}", self.senders)?;
        writeln!(out, "  steps skipped (screen late > 20 s): {}", self.skipped_steps)?;
        writeln!(
            out,
            "  duplicates {}, lost {}, stuck {}, integrity_check {:?}",
            self.duplicates, self.lost, self.stuck, self.integrity
        )?;
        if self.violations.is_empty() {
            writeln!(out, "  violations: none")?;
        } else {
            writeln!(out, "  VIOLATIONS ({}):", self.violations.len())?;
            for v in &self.violations {
                writeln!(out, "  - {v}")?;
            }
        }
        Ok(())
    }
}
