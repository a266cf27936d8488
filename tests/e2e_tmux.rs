//! End to end: the real binary in a real terminal (a private tmux server) against the in-process
//! emulator. What a person at a terminal would see and do: keys, paste, resizes, signals, and
//! the bytes that reach the terminal.
//!
//! Every test starts its own tmux server (`tmux -L <unique socket>`) and its own emulator, so the
//! tests are independent and may run in parallel. Without tmux the tests say SKIPPED loudly and
//! pass, except under `CI`, where a missing tmux fails them.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reviewdesk::emulator::{
    self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, EmulatorHandle, FaultSpec,
};

const APP: &str = "9NBLGGGZ5QDR";
const BIN: &str = env!("CARGO_BIN_EXE_reviewdesk");
/// Generous: a loaded CI machine may be slow, and a passing wait returns as soon as it can.
const TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
/// The session (and window) name inside each private server.
const TARGET: &str = "e2e";

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Whether tmux can be run. Without it: a loud SKIPPED on stderr, or a panic under `CI`.
fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!(
                "tmux is not installed, but CI is set: CI must install tmux, a skipped end-to-end test is a failure"
            );
        }
        // Straight to the process's stderr: `eprintln!` output of a passing test is captured by
        // the test harness, and this must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n\n************************************************************************\n\
             SKIPPED: tmux is not installed, so the end-to-end terminal tests in\n\
             tests/e2e_tmux.rs did NOT run. Install tmux (e.g. apt-get install tmux).\n\
             ************************************************************************\n"
        );
    }
    ok
}

macro_rules! require_tmux {
    () => {
        if !tmux_available() {
            return;
        }
    };
}

/// An emulator on its own runtime, so the blocking test thread can drive tmux meanwhile.
struct Emu {
    handle: EmulatorHandle,
    _rt: tokio::runtime::Runtime,
}

fn emu(faults: Option<FaultSpec>) -> Emu {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt.block_on(emulator::start(EmulatorConfig::default())).unwrap();
    if let Some(f) = faults {
        handle.set_faults(f);
    }
    Emu { handle, _rt: rt }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `YYYY-MM-DDTHH:MM:SS`, `days` ago, in UTC, as the emulator's `add_review` reads it.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// `reviewdesk --app APP` running in a private tmux server, 80x24. The pane runs
/// `reviewdesk …; echo EXIT=$?; exec sh`, so the exit status is printed where the UI was, and an
/// interactive shell then shows whether the terminal was left in a usable state.
struct Term {
    socket: String,
    /// The server's socket file, removed on drop (tmux 3.3 leaves it behind after kill-server).
    socket_path: Option<PathBuf>,
    dir: tempfile::TempDir,
}

#[derive(Default)]
struct Launch {
    /// Record every byte the pane's programs write (`pipe-pane`), from before the binary starts.
    record: bool,
    /// The first run: no `REVIEWDESK_*` credentials and no `--app`, secrets in the kernel
    /// keyring (`REVIEWDESK_SECRETS_BACKEND=keyutils`) of a session keyring of its own
    /// (`keyctl session -`), and a trace-level log.
    first_run: bool,
}

impl Term {
    fn launch(emu: &Emu, opts: Launch) -> Term {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!(
            "rdx-e2e-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .subsec_nanos()
        );
        let mut term = Term {
            socket,
            socket_path: None,
            dir,
        };
        let home = term.dir.path();
        for sub in ["config", "state", "data", "cache"] {
            std::fs::create_dir_all(home.join(sub)).unwrap();
        }
        let url = emu.handle.base_url();
        let p = |sub: &str| home.join(sub).display().to_string();
        // Passed explicitly: the server itself starts with a cleared environment (see `tmux`),
        // so nothing from the developer's or CI's environment (REVIEWDESK_*, NO_COLOR, TMUX)
        // leaks into the program under test.
        let mut env: Vec<(&str, String)> = vec![
            ("HOME", p("")),
            ("XDG_CONFIG_HOME", p("config")),
            ("XDG_STATE_HOME", p("state")),
            ("XDG_DATA_HOME", p("data")),
            ("XDG_CACHE_HOME", p("cache")),
            ("REVIEWDESK_LOG_FILE", term.log_path().display().to_string()),
            ("REVIEWDESK_LOGIN_URL", url.clone()),
            ("REVIEWDESK_API_URL", url),
            ("RUST_BACKTRACE", "1".to_owned()),
        ];
        if opts.first_run {
            env.push(("REVIEWDESK_SECRETS_BACKEND", "keyutils".to_owned()));
            env.push(("RUST_LOG", "trace".to_owned()));
        } else {
            env.push(("REVIEWDESK_TENANT_ID", DEFAULT_TENANT_ID.to_owned()));
            env.push(("REVIEWDESK_CLIENT_ID", DEFAULT_CLIENT_ID.to_owned()));
            env.push(("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET.to_owned()));
        }
        let env: Vec<String> = env.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))).collect();
        let program = if opts.first_run {
            format!("keyctl session - {}", shell_quote(BIN))
        } else {
            format!("{} --app {APP}", shell_quote(BIN))
        };
        // The pane waits for `go` so that the options and the recording are in place before the
        // binary writes its first byte.
        let script = format!(
            "while [ ! -e go ]; do sleep 0.02; done; env {} {program}; echo EXIT=$?; PS1='e2e$ ' exec sh",
            env.join(" "),
        );
        let home_s = home.display().to_string();
        let mut args: Vec<&str> = vec![
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            TARGET,
            "-c",
            &home_s,
            &script,
            ";",
            "set",
            "-sg",
            "escape-time",
            "0",
            ";",
            "set",
            "-g",
            "remain-on-exit",
            "on",
        ];
        let pipe = format!("cat >> {}", shell_quote(&term.recording_path().display().to_string()));
        if opts.record {
            args.extend([";", "pipe-pane", "-o", "-t", TARGET, &pipe]);
        }
        term.run(&args);
        term.socket_path = Some(PathBuf::from(term.display("#{socket_path}")));
        std::fs::write(home.join("go"), b"").unwrap();
        term
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("reviewdesk.log")
    }

    fn recording_path(&self) -> PathBuf {
        self.dir.path().join("recording.bin")
    }

    /// `tmux -L <socket> …` with a minimal, explicit environment.
    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("LANG", "C.UTF-8")
            .env("SHELL", "/bin/sh")
            .args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Named keys (`Enter`, `C-s`, `Escape`) or single characters.
    ///
    /// An `Escape` must not be followed by another key in the same burst: the program would read
    /// `ESC g` as Alt-g. Send it alone and wait for its effect.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", TARGET];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Literal text, typed.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", TARGET, "-l", text]);
    }

    /// A bracketed paste (when the program asked for it), as a terminal's paste would be.
    fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "e2e", "--", text]);
        self.run(&["paste-buffer", "-p", "-b", "e2e", "-t", TARGET]);
    }

    fn resize(&self, w: u16, h: u16) {
        self.run(&[
            "resize-window",
            "-t",
            TARGET,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", TARGET])
    }

    /// A tmux format about the pane, e.g. `#{alternate_on}`.
    fn display(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", TARGET, format])
            .trim()
            .to_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on screen"), |s| s.contains(text))
    }

    /// Polls the screen until `ok` holds on two captures in a row; on timeout, fails with the
    /// screen and the log. Twice, because a capture can catch a frame half written: conditions
    /// describe whole frames, and the second look makes a torn one very unlikely.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut held = false;
        loop {
            let s = self.screen();
            if ok(&s) {
                if held {
                    return s;
                }
                held = true;
            } else {
                held = false;
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}\n--- screen ---\n{s}\n--- log (tail) ---\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the program to end; its exit status.
    fn exit_code(&self) -> i32 {
        let s = self.wait_for("EXIT=");
        let tail = &s[s.find("EXIT=").unwrap() + 5..];
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a status after EXIT=")
    }

    /// The pid of the reviewdesk process: the child of the pane's shell.
    fn program_pid(&self) -> u32 {
        let shell = self.display("#{pane_pid}");
        let out = Command::new("pgrep").args(["-P", &shell]).output().expect("pgrep runs");
        let pids: Vec<u32> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
        assert_eq!(pids.len(), 1, "one child of the pane's shell: {pids:?}");
        let pid = pids[0];
        if let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            assert!(
                String::from_utf8_lossy(&cmdline).contains("reviewdesk"),
                "{pid} is reviewdesk"
            );
        }
        pid
    }

    fn signal(&self, signal: &str) {
        let pid = self.program_pid().to_string();
        let st = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(st.success(), "kill {signal} {pid}");
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// After the program has ended: the terminal is back to normal for the shell that follows.
    fn assert_restored(&self) {
        assert_eq!(self.display("#{alternate_on}"), "0", "the alternate screen was left");
        assert_eq!(self.display("#{cursor_flag}"), "1", "the cursor is visible again");
        let s = self.screen();
        for ui in ["unanswered", "Reviews ·", "━━━", "───"] {
            assert!(!s.contains(ui), "the UI ({ui:?}) is gone from the screen:\n{s}");
        }
        // Cooked mode with echo: the shell sees what is typed and gets a line at Enter. In raw
        // mode nothing would be echoed and Enter (CR, no ICRNL) would not end the line.
        self.wait_for("e2e$");
        self.type_text("echo typed-$((40+2))");
        self.keys(&["Enter"]);
        self.wait_for("typed-42");
        assert!(self.screen().contains("echo typed-$((40+2))"), "typed text is echoed");
        // Bracketed paste is off again: a paste reaches the shell without ESC[200~ around it.
        self.paste("echo pasted-$((1+1))\n");
        let s = self.wait_for("pasted-2\n");
        assert!(
            !s.contains("200~") && !s.contains("201~"),
            "no bracketed paste markers:\n{s}"
        );
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        assert!(!log.contains("panicked"), "no panic in the log:\n{log}");
    }

    /// The recording, once it holds everything up to and including `until`.
    fn recording_until(&self, until: &[u8]) -> Vec<u8> {
        let start = Instant::now();
        loop {
            let bytes = std::fs::read(self.recording_path()).unwrap_or_default();
            if find(&bytes, until).is_some() {
                return bytes;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "the recording never got {:?}",
                String::from_utf8_lossy(until)
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let out = self.tmux(&["capture-pane", "-p", "-t", TARGET]);
            eprintln!(
                "--- screen at failure ---\n{}\n--- log (tail) ---\n{}",
                String::from_utf8_lossy(&out.stdout),
                self.log_tail()
            );
        }
        // Ends the server and SIGHUPs whatever still runs in it, panic or not.
        let _ = self.tmux(&["kill-server"]);
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Reading the screen
// ---------------------------------------------------------------------------------------------

const V_BORDERS: [char; 2] = ['│', '┃'];

/// The text of the review pane's first line (the selected review's title), in either layout:
/// stacked (< 120 columns) or side by side. Empty when there is no review pane.
fn detail_title(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(i) = lines
        .iter()
        .position(|l| l.contains("┌ Review ─") || l.contains("┏ Review ━"))
    else {
        return String::new();
    };
    lines
        .get(i + 1)
        .copied()
        .unwrap_or_default()
        .split(V_BORDERS)
        .map(str::trim)
        .rfind(|p| !p.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// The list pane's rows (only the list's part of each line).
fn list_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('└') && !l.starts_with('┗'))
        .map(|l| {
            l.split(V_BORDERS)
                .find(|p| !p.trim().is_empty())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The text inside the bordered pane whose top border (at column 0: the stacked layout) contains
/// `header`, as one string: wrapped lines joined by spaces.
fn pane_text(screen: &str, header: &str) -> String {
    let mut out = Vec::new();
    for l in screen.lines().skip_while(|l| !l.contains(header)).skip(1) {
        if l.starts_with('└') || l.starts_with('┗') {
            break;
        }
        out.push(l.trim_matches(|c: char| V_BORDERS.contains(&c) || c == ' ').to_owned());
    }
    out.join(" ")
}

/// The first few characters: enough to recognise a title in a list row that may truncate it.
fn head(s: &str) -> String {
    s.chars().take(8).collect()
}

/// Waits until the selection moved off `from` onto the review in `row` (a list row's text).
fn wait_selected(t: &Term, what: &str, row: &str, from: &str) -> String {
    t.wait_until(what, |s| {
        let d = detail_title(s);
        !d.is_empty() && d != from && row.contains(&head(&d))
    })
}

fn wait_detail_title(t: &Term, title: &str) -> String {
    t.wait_until(&format!("the review pane showing {title:?}"), |s| {
        s.contains("Review ") && detail_title(s) == title
    })
}

/// The list is loaded: the status bar counts the reviews.
fn wait_list(t: &Term) -> String {
    t.wait_until("the review list", |s| {
        s.contains("unanswered") && !s.contains(" 0 reviews") && list_rows(s).len() > 2
    })
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn navigate_search_reply_and_quit() {
    require_tmux!();
    let e = emu(None);
    let title = "Zebra stripes vanish after update";
    // In the middle of the list: the search has to move the selection to it.
    let id = e.handle.add_review(
        APP,
        serde_json::json!({
            "date": days_ago(3),
            "reviewTitle": title,
            "reviewText": "Since 3.1 the stripes are gone.",
            "reviewerName": "Zed Zebra",
            "rating": 2,
            "market": "US",
        }),
    );
    let t = Term::launch(&e, Launch::default());
    let s = wait_list(&t);
    let rows = list_rows(&s);
    let first = detail_title(&s);
    assert!(rows[0].contains(&head(&first)), "row 0 is selected:\n{s}");
    assert_ne!(first, title, "the new review is not the first");

    t.keys(&["j"]);
    wait_selected(&t, "the selection on row 1", &rows[1], &first);
    t.keys(&["k"]);
    wait_detail_title(&t, &first);

    t.keys(&["G"]);
    // The list scrolls: the last row on screen is the selected one, and row 0 is gone.
    t.wait_until("the selection on the last row", |s| {
        let d = detail_title(s);
        let rows = list_rows(s);
        !d.is_empty()
            && d != first
            && rows.last().is_some_and(|r| r.contains(&head(&d)))
            && !rows.iter().any(|r| r.contains(&head(&first)))
    });
    t.keys(&["g"]);
    let s = wait_detail_title(&t, &first);
    assert!(list_rows(&s)[0].contains(&head(&first)));

    t.keys(&["Enter"]);
    t.wait_for("┏ Review ━");

    t.keys(&["/"]);
    t.wait_for("Enter keep · Esc clear");
    t.type_text("zebra");
    t.wait_for("/zebra▏  1/1");
    t.keys(&["Enter"]);
    let s = t.wait_for("/zebra 1/1 (n/N)");
    assert_eq!(detail_title(&s), title, "the search selected the match:\n{s}");
    assert!(list_rows(&s).iter().any(|r| r.contains("Zebra stripes")), "{s}");

    t.wait_for("can respond");
    t.keys(&["r"]);
    t.wait_for("Reply to Zed Zebra");
    t.wait_for("Write your response");
    t.type_text("Thanks! Fixed in 3.2.");
    t.wait_for("21/1000");
    assert_eq!(e.handle.stats().submit_requests, 0, "typing sends nothing");
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    assert_eq!(e.handle.stats().submit_requests, 0, "the dialog only asks");
    t.keys(&["y"]);
    t.wait_for("accepted by the Store");

    let stats = e.handle.stats();
    assert_eq!(stats.applied_responses.get(&id), Some(&1), "{stats:?}");
    assert_eq!(stats.applied_responses.values().sum::<u64>(), 1, "{stats:?}");
    assert_eq!(stats.submit_requests, 1, "{stats:?}");

    // The reply was accepted, so there is no draft and q quits at once.
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    let s = t.screen();
    assert!(s.trim_start().starts_with("EXIT=0"), "the shell's screen is back:\n{s}");
    t.assert_restored();
}

#[test]
fn hostile_review_text_never_reaches_the_terminal() {
    require_tmux!();
    let e = emu(None);
    // Dated now: newer than every generated review, so it is the first row.
    e.handle.add_review(
        APP,
        serde_json::json!({
            "reviewTitle": "Hello\u{1b}]52;c;aGVsbG8=\u{7} from\u{1b}]0;pwned\u{7} the\u{1b}P+q544e\u{1b}\\ other\u{1b}[2J side\u{202e}!",
            "reviewText": "Line one\u{1b}]52;c;aGVsbG8=\u{7} ok\n\u{1b}[2Jsecond\u{1b}P+q544e\u{1b}\\ line\u{202e} done\u{1b}]0;pwned\u{7}",
            "reviewerName": "Mallory\u{1b}]0;pwned\u{7}\u{202e}Evil\u{1b}[2J",
            "rating": 1,
        }),
    );
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            ..Launch::default()
        },
    );
    let title = "Hello from the other side!";
    let s = wait_list(&t);
    assert_eq!(detail_title(&s), title, "the hostile review is first, sanitised:\n{s}");
    assert!(list_rows(&s)[0].contains("MalloryEvil"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("┏ Review ━");
    let s = t.wait_for("second line done");
    assert!(s.contains("Line one ok"), "{s}");
    t.keys(&["j"]);
    t.keys(&["k"]);
    t.keys(&["r"]);
    let s = t.wait_for("Reply to MalloryEvil");
    for leftover in ["pwned", "aGVsbG8", "544e", "[2J", "52;c"] {
        assert!(!s.contains(leftover), "{leftover:?} is not shown:\n{s}");
    }
    t.keys(&["Escape"]);
    t.wait_for("┏ Review ━");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);

    let rec = t.recording_until(b"EXIT=0");
    assert!(
        find(&rec, b"\x1b[?1049h").is_some(),
        "the recording started before the binary (it has the switch to the alternate screen)"
    );
    for (what, bad) in [
        ("OSC 52 (clipboard write)", &b"\x1b]52"[..]),
        ("OSC 0 (window title)", b"\x1b]0;pwned"),
        ("DCS (terminal query)", b"\x1bP+q"),
        ("any OSC", b"\x1b]"),
        ("any DCS", b"\x1bP"),
        ("U+202E (bidi override)", "\u{202e}".as_bytes()),
        ("BEL", b"\x07"),
    ] {
        assert!(find(&rec, bad).is_none(), "{what} reached the terminal");
    }
    // The program clears the screen once on its own (`terminal.clear()` at start-up, and ratatui
    // again after a resize), so a CSI 2J before the first frame is legitimate. The first frame
    // always has the status bar ("… unanswered …"), and this test does not resize: from there
    // on, a CSI 2J can only have come from the review text.
    let first_frame = find(&rec, b"unanswered").expect("the first frame was recorded");
    assert!(
        find(&rec[first_frame..], b"\x1b[2J").is_none(),
        "CSI 2J reached the terminal after the first frame"
    );
}

#[test]
fn resizes_redraw_and_keys_still_work() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    let s = wait_list(&t);
    let rows: Vec<String> = list_rows(&s);
    let row = |i: usize| rows[i].clone();
    let first = detail_title(&s);

    // Wide: list and review side by side, 40 lines.
    t.resize(120, 40);
    let s = t.wait_until("the side-by-side layout at 120x40", |s| {
        let first_line = s.lines().next().unwrap_or_default();
        first_line.contains("Reviews ·")
            && first_line.contains(" Review ")
            && s.lines().count() == 40
            && s.lines().nth(39).is_some_and(|l| l.contains("unanswered"))
    });
    assert_eq!(detail_title(&s), first, "the selection survived the resize");
    t.keys(&["j"]);
    let s = wait_selected(&t, "the selection on row 1", &row(1), &first);
    let second = detail_title(&s);

    // Back to 80x24: stacked again.
    t.resize(80, 24);
    t.wait_until("the stacked layout at 80x24", |s| {
        !s.lines().next().unwrap_or_default().contains(" Review ")
            && s.lines().count() == 24
            && s.lines().nth(23).unwrap_or_default().contains("unanswered")
    });
    t.keys(&["j"]);
    let s = wait_selected(&t, "the selection on row 2", &row(2), &second);
    let third = detail_title(&s);

    // Too small: a message instead of a broken layout; keys are still taken.
    t.resize(50, 12);
    let s = t.wait_for("Terminal too small: 50x12");
    assert!(!s.contains("unanswered"), "no half-drawn UI:\n{s}");
    t.keys(&["j"]);

    t.resize(80, 24);
    // The j pressed while too small was taken: row 3 is selected.
    let s = wait_selected(&t, "the UI again at 80x24, on row 3", &row(3), &third);
    assert!(!s.contains("Terminal too small"), "{s}");
    t.keys(&["g"]);
    wait_detail_title(&t, &first);
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    t.assert_restored();
}

#[test]
fn bracketed_paste_into_the_reply_editor_sends_nothing() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    wait_list(&t);
    t.wait_for("can respond");
    // In the list a paste is not keys: "q" would quit, "r" would open the editor.
    t.paste("qrq");
    std::thread::sleep(Duration::from_millis(300));
    let s = t.screen();
    assert!(
        s.contains("unanswered") && !s.contains("Reply to") && !s.contains("Quit?"),
        "{s}"
    );

    t.keys(&["r"]);
    t.wait_for("Write your response");
    let support = t.wait_for("Support email:");
    let email_line = support
        .lines()
        .find(|l| l.contains("Support email:"))
        .unwrap()
        .to_owned();
    // tmux turns LF into CR when pasting, as terminals do; the editor must make lines of them.
    t.paste("Thanks for the report!\nWe fixed it in 3.2.");
    let s = t.wait_for("42/1000");
    let lines: Vec<&str> = s.lines().collect();
    let a = lines
        .iter()
        .position(|l| l.contains("Thanks for the report!"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        lines[a + 1].contains("We fixed it in 3.2."),
        "the second line below the first:\n{s}"
    );
    assert!(
        s.lines().any(|l| l == email_line),
        "the paste went into the text, the email field is untouched:\n{s}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let s = t.screen();
    assert!(!s.contains("cannot be edited later"), "no confirmation was asked:\n{s}");
    let stats = e.handle.stats();
    assert_eq!(stats.submit_requests, 0, "{stats:?}");
    assert!(stats.applied_responses.is_empty(), "{stats:?}");

    // The draft is kept, so quitting asks first.
    t.keys(&["Escape"]);
    t.wait_for("✎ Draft: Thanks for the report! We fixed it in 3.2.");
    t.keys(&["q"]);
    t.wait_for("Quit?");
    t.keys(&["y"]);
    assert_eq!(t.exit_code(), 0);
    assert_eq!(e.handle.stats().submit_requests, 0);
}

#[test]
fn sigterm_and_sighup_end_it_and_restore_the_terminal() {
    require_tmux!();
    let e = emu(None);
    for signal in ["-TERM", "-HUP"] {
        let t = Term::launch(&e, Launch::default());
        wait_list(&t);
        t.keys(&["r"]);
        t.wait_for("Write your response");
        t.type_text("half-written draft");
        t.wait_for("18/1000");
        t.signal(signal);
        let code = t.exit_code();
        // 128 + signal number would mean the default action killed it before it could restore
        // the terminal.
        assert!(
            code != 143 && code != 129,
            "{signal}: handled, not killed (EXIT={code})"
        );
        assert_eq!(code, 0, "{signal}");
        t.assert_restored();
    }
    assert_eq!(e.handle.stats().submit_requests, 0);
}

#[test]
fn reviews_api_outage_points_to_partner_center_and_sends_nothing() {
    require_tmux!();
    let e = emu(Some(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    }));
    let t = Term::launch(&e, Launch::default());
    wait_list(&t);
    let s = t.wait_until("the outage explained in the review pane", |s| {
        let pane = pane_text(s, "┌ Review ─");
        pane.contains("Microsoft's reviews API") && pane.contains("Partner Center")
    });
    let pane = pane_text(&s, "┌ Review ─");
    assert!(
        pane.contains("not working") || pane.contains("not in a working state"),
        "says the API is not working: {pane}"
    );
    assert!(!s.contains("can respond"), "{s}");

    // Trying anyway: the editor opens, Ctrl-s refuses, nothing goes to the Store.
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.type_text("Sorry about that.");
    t.keys(&["Tab"]);
    t.type_text("help@example.com");
    t.wait_for("help@example.com");
    t.keys(&["C-s"]);
    t.wait_until("the editor refusing to send", |s| {
        let editor = pane_text(s, "┏ Reply to");
        editor.contains("reviews API") && !editor.contains("Ctrl-s send")
    });
    std::thread::sleep(Duration::from_millis(300));
    let s = t.screen();
    assert!(!s.contains("cannot be edited later"), "no confirmation offered:\n{s}");
    let stats = e.handle.stats();
    assert_eq!(stats.submit_requests, 0, "{stats:?}");
    assert!(stats.applied_responses.is_empty(), "{stats:?}");
    assert!(stats.info_requests > 0, "the eligibility check was tried: {stats:?}");
    t.keys(&["Escape"]);
    t.wait_for("✎ Draft");
    t.keys(&["q"]);
    t.wait_for("Quit?");
    t.keys(&["y"]);
    assert_eq!(t.exit_code(), 0);
    assert_eq!(e.handle.stats().submit_requests, 0);
}

/// The response the Store now holds for a review, read back with the binary's own CLI.
fn stored_response(emu: &Emu, home: &std::path::Path, id: &str) -> Option<String> {
    let url = emu.handle.base_url();
    let out = Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("REVIEWDESK_LOG_FILE", home.join("cli.log"))
        .env("REVIEWDESK_LOGIN_URL", &url)
        .env("REVIEWDESK_API_URL", &url)
        .env("REVIEWDESK_TENANT_ID", DEFAULT_TENANT_ID)
        .env("REVIEWDESK_CLIENT_ID", DEFAULT_CLIENT_ID)
        .env("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .args(["reviews", "--app", APP, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reviews: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    reviews
        .iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["responseText"].as_str().map(str::to_owned))
}

/// A paste is the user's own text, but it can carry what a terminal or clipboard put there:
/// escape sequences, BEL, bidi overrides. The editor shows them stripped, so they must not be
/// published either: what is seen is what is sent (or the send is refused).
#[test]
fn pasted_control_characters_are_not_published() {
    require_tmux!();
    let e = emu(None);
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Paste target", "reviewerName": "Pat", "rating": 3}),
    );
    let t = Term::launch(&e, Launch::default());
    wait_detail_title(&t, "Paste target");
    t.wait_for("can respond");
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.paste("AB\x1b]0;pwned\x07CD\x1b[2JEF\u{202e}GH");
    t.wait_for("EFGH");
    t.keys(&["C-s"]);
    let s = t.wait_until("a confirmation or a refusal", |s| {
        s.contains("cannot be edited later") || !pane_text(s, "┏ Reply to").contains("Ctrl-s send")
    });
    if s.contains("cannot be edited later") {
        t.keys(&["y"]);
        t.wait_until("the outcome", |s| {
            s.contains("accepted by the Store") || s.contains("not sent")
        });
        let sent = stored_response(&e, t.dir.path(), &id).unwrap_or_default();
        assert!(
            !sent
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "published with control characters: {sent:?}"
        );
    } else {
        assert_eq!(e.handle.stats().submit_requests, 0);
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The first run, as a new user meets it: no profile, no credentials in the environment. The
/// setup form is filled with keys (the secret pasted), tested, saved to the kernel keyring, and
/// the reviews open with the new profile. The secret never reaches the screen, the terminal's
/// bytes, the log or any file.
#[test]
fn first_run_setup_form_saves_a_profile_and_opens_the_reviews() {
    require_tmux!();
    if !Command::new("keyctl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        if std::env::var_os("CI").is_some() || std::env::var("REVIEWDESK_REQUIRE_REAL_KEYRING").as_deref() == Ok("1") {
            panic!("keyctl is not installed, but CI is set: install keyutils");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED first_run_setup_form_saves_a_profile_and_opens_the_reviews: keyctl (package keyutils) is not installed !!!!!!!!\n"
        );
        return;
    }
    let e = emu(None);
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            first_run: true,
        },
    );
    t.wait_for("Set up reviewdesk");
    t.wait_for("Secret store: the kernel keyring");
    t.type_text("e2e-first");
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_TENANT_ID);
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_CLIENT_ID);
    t.keys(&["Tab"]);
    // As copied from the portal: with a trailing newline.
    t.paste(&format!("{DEFAULT_CLIENT_SECRET}\n"));
    let bullets = "•".repeat(DEFAULT_CLIENT_SECRET.chars().count());
    t.wait_for(&bullets);
    t.keys(&["Tab"]);
    t.type_text(&format!("{APP}=Contoso Photo"));
    t.wait_for("Contoso Photo▏");
    t.keys(&["C-t"]);
    let s = t.wait_for("may respond to reviews");
    assert!(s.contains("✓ got a token"), "{s}");
    assert_eq!(e.handle.stats().submit_requests, 0);
    t.keys(&["C-s"]);
    // The reviews of the new profile, and where its secret went.
    let s = t.wait_until("the reviews of the new profile", |s| {
        s.contains("unanswered") && !s.contains(" 0 reviews") && s.contains("e2e-first ·")
    });
    assert!(s.contains("Saved profile e2e-first"), "{s}");
    assert!(s.contains("kernel keyring"), "{s}");
    t.keys(&["j"]);
    t.wait_until("the notice gone", |s| !s.contains("Saved profile"));
    let config = std::fs::read_to_string(t.dir.path().join("config/reviewdesk/config.toml")).unwrap();
    assert!(
        config.contains("[profiles.e2e-first]") && config.contains("default_profile = \"e2e-first\""),
        "{config}"
    );

    // The profiles screen: the secret is stored, and the test reads it back from the keyring.
    t.keys(&["p"]);
    t.wait_until("the profile listed with its secret stored", |s| {
        s.contains("● e2e-first *") && s.contains("stored")
    });
    t.keys(&["t"]);
    t.wait_for("Connection test of e2e-first");
    t.wait_for("may respond to reviews");
    // A second profile with the same registration, added here, then switched to.
    t.keys(&["a"]);
    t.wait_for("Add a profile");
    t.type_text("e2e-second");
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_TENANT_ID);
    t.keys(&["Tab"]);
    t.type_text(DEFAULT_CLIENT_ID);
    t.keys(&["Tab"]);
    t.paste(DEFAULT_CLIENT_SECRET);
    t.keys(&["Tab"]);
    t.type_text("9WZDNCRFJ3Q8");
    t.wait_for("9WZDNCRFJ3Q8▏");
    t.keys(&["C-s"]);
    t.wait_for("Saved profile e2e-second");
    t.wait_until("e2e-second listed and selected", |s| s.contains("▸  e2e-second"));
    t.keys(&["Enter"]);
    t.wait_until("the reviews of e2e-second", |s| {
        s.contains("e2e-second · 9WZDNCRFJ3Q8") && !s.contains(" 0 reviews")
    });
    // The first one removed, its secret with it.
    t.keys(&["p"]);
    t.wait_until("both profiles, e2e-second in use", |s| {
        s.contains("▸  e2e-first *") && s.contains("● e2e-second")
    });
    t.keys(&["d"]);
    t.wait_for("Remove profile e2e-first?");
    t.keys(&["y"]);
    t.wait_for("Removed profile e2e-first and its secret from the kernel keyring");
    t.keys(&["Escape"]);
    t.wait_for("e2e-second · 9WZDNCRFJ3Q8");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    t.assert_restored();
    let config = std::fs::read_to_string(t.dir.path().join("config/reviewdesk/config.toml")).unwrap();
    assert!(
        !config.contains("e2e-first") && config.contains("[profiles.e2e-second]"),
        "{config}"
    );
    let mut files = vec![t.log_path(), t.recording_path()];
    for sub in ["config", "state", "data", "cache"] {
        files_under(&t.dir.path().join(sub), &mut files);
    }
    let log = std::fs::read_to_string(t.log_path()).unwrap();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "the log is at trace level"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            find(&bytes, DEFAULT_CLIENT_SECRET.as_bytes()).is_none(),
            "the secret is in {}",
            f.display()
        );
    }
}
