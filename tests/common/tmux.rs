//! The tmux harness for end-to-end tests: a private tmux server per test, the emulator on its own
//! runtime, and helpers that read the screen. Without tmux the tests say SKIPPED loudly and pass,
//! except under `CI`, where a missing tmux fails them.
#![allow(dead_code, unused_macros, unused_imports)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reviewdesk::emulator::{
    self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, EmulatorHandle, FaultSpec,
};

pub const APP: &str = "9NBLGGGZ5QDR";
pub const BIN: &str = env!("CARGO_BIN_EXE_reviewdesk");
/// Generous: a loaded CI machine may be slow, and a passing wait returns as soon as it can.
pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const POLL: Duration = Duration::from_millis(50);
/// The session (and window) name inside each private server.
pub const TARGET: &str = "e2e";

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Whether tmux can be run. Without it: a loud SKIPPED on stderr, or a panic under `CI`.
pub fn tmux_available() -> bool {
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
        if !$crate::common::tmux::tmux_available() {
            return;
        }
    };
}

/// An emulator on its own runtime, so the blocking test thread can drive tmux meanwhile.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub _rt: tokio::runtime::Runtime,
}

pub fn emu(faults: Option<FaultSpec>) -> Emu {
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

pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `YYYY-MM-DDTHH:MM:SS`, `days` ago, in UTC, as the emulator's `add_review` reads it.
pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

pub static NEXT: AtomicU32 = AtomicU32::new(0);

/// `reviewdesk --app APP` running in a private tmux server, 80x24. The pane runs
/// `reviewdesk …; echo EXIT=$?; exec sh`, so the exit status is printed where the UI was, and an
/// interactive shell then shows whether the terminal was left in a usable state.
pub struct Term {
    pub socket: String,
    /// The server's socket file, removed on drop (tmux 3.3 leaves it behind after kill-server).
    pub socket_path: Option<PathBuf>,
    pub dir: tempfile::TempDir,
    /// What the pane runs, for [`Term::restart`].
    pub script: String,
}

#[derive(Default)]
pub struct Launch {
    /// Record every byte the pane's programs write (`pipe-pane`), from before the binary starts.
    pub record: bool,
    /// The first run: no `REVIEWDESK_*` credentials and no `--app`, secrets in the kernel
    /// keyring (`REVIEWDESK_SECRETS_BACKEND=keyutils`) of a session keyring of its own
    /// (`keyctl session -`), and a trace-level log.
    pub first_run: bool,
    /// Written to `config.toml` in the config directory before the binary starts.
    pub config: Option<String>,
    /// More variables for the binary's environment (e.g. `EDITOR`), after the ones above.
    pub env: Vec<(String, String)>,
}

impl Term {
    pub fn launch(emu: &Emu, opts: Launch) -> Term {
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
            script: String::new(),
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
        env.extend(opts.env.iter().map(|(k, v)| (k.as_str(), v.clone())));
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
        term.script = script.clone();
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
        // The tests wait for what a send does, not for the undo-send window (default 10 s):
        // without a window of their own it is off. Tests of the window set `[outbox]`.
        let config = opts.config.clone().unwrap_or_default();
        let config = if config.contains("[outbox]") {
            config
        } else {
            format!("{config}\n[outbox]\nsend_delay_secs = 0\n")
        };
        super::write_config(home, &config);
        std::fs::write(home.join("go"), b"").unwrap();
        term
    }

    /// Runs the program again in the same pane, with the same HOME and XDG directories (the old
    /// one must have ended, or is killed).
    pub fn restart(&self) {
        let home = self.dir.path().display().to_string();
        self.run(&["respawn-pane", "-k", "-t", TARGET, "-c", &home, &self.script]);
    }

    /// The binary as a command-line tool for the same HOME, XDG directories and credentials
    /// as the UI in the pane (its log goes to `cli.log`).
    pub fn cli(&self, emu: &Emu, args: &[&str]) -> Command {
        let home = self.dir.path();
        let mut c = super::bin_in(home);
        super::emulator_env(&mut c, &emu.handle.base_url());
        c.env("REVIEWDESK_LOG_FILE", home.join("cli.log")).args(args);
        c
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("reviewdesk.log")
    }

    pub fn recording_path(&self) -> PathBuf {
        self.dir.path().join("recording.bin")
    }

    /// `tmux -L <socket> …` with a minimal, explicit environment.
    pub fn tmux(&self, args: &[&str]) -> Output {
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

    pub fn run(&self, args: &[&str]) -> String {
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
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", TARGET];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Literal text, typed.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", TARGET, "-l", text]);
    }

    /// A bracketed paste (when the program asked for it), as a terminal's paste would be.
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "e2e", "--", text]);
        self.run(&["paste-buffer", "-p", "-b", "e2e", "-t", TARGET]);
    }

    /// Fills the profile form (setup or add) field by field as a person does: the name, the
    /// emulator's tenant and client, the secret pasted, then `apps` typed into the apps field.
    pub fn fill_profile_form(&self, name: &str, secret: &str, apps: &str) {
        self.type_text(name);
        self.keys(&["Tab"]);
        self.type_text(DEFAULT_TENANT_ID);
        self.keys(&["Tab"]);
        self.type_text(DEFAULT_CLIENT_ID);
        self.keys(&["Tab"]);
        self.paste(secret);
        self.keys(&["Tab"]);
        self.type_text(apps);
    }

    pub fn resize(&self, w: u16, h: u16) {
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

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", TARGET])
    }

    /// A tmux format about the pane, e.g. `#{alternate_on}`.
    pub fn display(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", TARGET, format])
            .trim()
            .to_owned()
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on screen"), |s| s.contains(text))
    }

    /// Polls the screen until `ok` holds on two captures in a row; on timeout, fails with the
    /// screen and the log. Twice, because a capture can catch a frame half written: conditions
    /// describe whole frames, and the second look makes a torn one very unlikely.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
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
    pub fn exit_code(&self) -> i32 {
        let s = self.wait_for("EXIT=");
        let tail = &s[s.find("EXIT=").unwrap() + 5..];
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a status after EXIT=")
    }

    /// The pid of the reviewdesk process: the child of the pane's shell.
    pub fn program_pid(&self) -> u32 {
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

    pub fn signal(&self, signal: &str) {
        let pid = self.program_pid().to_string();
        let st = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(st.success(), "kill {signal} {pid}");
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// After the program has ended: the terminal is back to normal for the shell that follows.
    pub fn assert_restored(&self) {
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
    pub fn recording_until(&self, until: &[u8]) -> Vec<u8> {
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

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Reading the screen
// ---------------------------------------------------------------------------------------------

pub const V_BORDERS: [char; 2] = ['│', '┃'];

/// The text of the review pane's first line (the selected review's title), in either layout:
/// stacked (< 120 columns) or side by side. Empty when there is no review pane.
pub fn detail_title(screen: &str) -> String {
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
pub fn list_rows(screen: &str) -> Vec<String> {
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
pub fn pane_text(screen: &str, header: &str) -> String {
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
pub fn head(s: &str) -> String {
    s.chars().take(8).collect()
}

/// Waits until the selection moved off `from` onto the review in `row` (a list row's text).
pub fn wait_selected(t: &Term, what: &str, row: &str, from: &str) -> String {
    t.wait_until(what, |s| {
        let d = detail_title(s);
        !d.is_empty() && d != from && row.contains(&head(&d))
    })
}

pub fn wait_detail_title(t: &Term, title: &str) -> String {
    t.wait_until(&format!("the review pane showing {title:?}"), |s| {
        s.contains("Review ") && detail_title(s) == title
    })
}

/// The list is loaded: the status bar counts the reviews.
pub fn wait_list(t: &Term) -> String {
    t.wait_until("the review list", |s| {
        s.contains("unanswered") && !s.contains(" 0 reviews") && list_rows(s).len() > 2
    })
}

pub(crate) use require_tmux;

impl Term {
    /// The profile databases under this terminal's data directory.
    pub fn databases(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        super::files_under(&self.dir.path().join("data"), &mut files);
        files.retain(|p| p.extension().is_some_and(|x| x == "sqlite3"));
        files
    }

    /// The draft the database holds for `review` (readable while the program runs: WAL).
    pub fn draft_text(&self, review: &str) -> Option<String> {
        self.databases().iter().find_map(|p| {
            open_read_only(p)
                .query_row("SELECT text FROM drafts WHERE review = ?1", [review], |r| r.get(0))
                .ok()
        })
    }

    /// Every draft's text the databases hold.
    pub fn drafts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        for p in self.databases() {
            let conn = open_read_only(&p);
            let Ok(mut stmt) = conn.prepare("SELECT text FROM drafts") else {
                continue;
            };
            if let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(0)) {
                texts.extend(rows.flatten());
            }
        }
        texts
    }
}

pub fn open_read_only(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open the database")
}
