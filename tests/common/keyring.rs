//! Real OS keyrings for tests: a private D-Bus session with gnome-keyring, and the tools check
//! that skips loudly (or fails under REVIEWDESK_REQUIRE_REAL_KEYRING=1).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn have(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// True when every tool is there; otherwise says loudly what to install, and fails under CI.
pub fn tools(test: &str, needed: &[(&str, &str)]) -> bool {
    let missing: Vec<_> = needed.iter().filter(|(tool, _)| !have(tool)).collect();
    if missing.is_empty() {
        return true;
    }
    let what: Vec<String> = missing.iter().map(|(t, p)| format!("{t} (package {p})")).collect();
    let msg = format!(
        "\n!!!!!!!! SKIPPED {test}: missing {}; install with `apt-get install dbus-daemon gnome-keyring keyutils` !!!!!!!!\n",
        what.join(", ")
    );
    if std::env::var("REVIEWDESK_REQUIRE_REAL_KEYRING").as_deref() == Ok("1") {
        panic!("{msg}(REVIEWDESK_REQUIRE_REAL_KEYRING=1, so this is a failure)");
    }
    // Straight to the stderr handle: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(std::io::stderr(), "{msg}");
    false
}

pub fn wait_output(mut cmd: Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("child hung for {limit:?}:\n{}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub fn sh(script: &str) -> std::process::Output {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", script]);
    wait_output(cmd, Duration::from_secs(20))
}

/// A private session bus with gnome-keyring in a temporary XDG_DATA_HOME; both die on drop.
pub struct PrivateBus {
    pub dir: tempfile::TempDir,
    pub dbus: Child,
    pub address: String,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        let dir = tempfile::Builder::new().prefix("reviewdesk-kr-").tempdir().unwrap();
        for sub in ["data", "run"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .envs(Self::xdg(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()) // "Failed to set fd limit" is harmless
            .spawn()
            .unwrap();
        let mut address = String::new();
        BufReader::new(dbus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let bus = PrivateBus {
            dir,
            dbus,
            address: address.trim().to_owned(),
        };
        assert!(bus.address.starts_with("unix:"), "dbus-daemon gave no address");
        bus.start_keyring(true);
        bus
    }

    pub fn xdg(dir: &Path) -> Vec<(&'static str, String)> {
        vec![
            ("XDG_DATA_HOME", dir.join("data").display().to_string()),
            ("XDG_RUNTIME_DIR", dir.join("run").display().to_string()),
        ]
    }

    /// The environment a child needs to use this bus.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = Self::xdg(self.dir.path());
        env.push(("DBUS_SESSION_BUS_ADDRESS", self.address.clone()));
        env
    }

    /// Starts gnome-keyring-daemon; it returns once it is on the bus. Unlocked with a throwaway
    /// password, or (with `unlock` false, on an existing keyring) locked.
    pub fn start_keyring(&self, unlock: bool) {
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(if unlock {
            &["--unlock", "--components=secrets"][..]
        } else {
            &["--components=secrets"][..]
        })
        .envs(self.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        if unlock {
            stdin.write_all(b"throwaway-test-password").unwrap();
        }
        drop(stdin);
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("gnome-keyring-daemon did not start within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "gnome-keyring-daemon failed to start");
        assert!(!self.keyring_pids().is_empty(), "gnome-keyring-daemon is not running");
    }

    /// gnome-keyring processes of this bus, found by the XDG_RUNTIME_DIR in their environment.
    pub fn keyring_pids(&self) -> Vec<i32> {
        let needle = format!("XDG_RUNTIME_DIR={}", self.dir.path().join("run").display());
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if comm.starts_with("gnome-keyring") && environ.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
                pids.push(pid);
            }
        }
        pids
    }

    pub fn stop_keyring(&self) {
        for pid in self.keyring_pids() {
            // SAFETY: plain kill(2) of a process this test started.
            unsafe { libc::kill(pid, libc::SIGCONT) };
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let start = Instant::now();
        while !self.keyring_pids().is_empty() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        self.stop_keyring();
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}
