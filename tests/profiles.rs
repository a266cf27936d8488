//! Profiles end to end: the real binary, the real OS keyrings (Secret Service on a private bus,
//! the kernel keyring in session keyrings of their own), the emulator over TCP. Afterwards every
//! file reviewdesk could have written, its output and its trace log are searched for the secret.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::keyring::{PrivateBus, tools};
use reviewdesk::emulator::{
    self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, EmulatorHandle,
};

struct Env {
    home: tempfile::TempDir,
    emu: EmulatorHandle,
    _rt: tokio::runtime::Runtime,
    /// Extra variables (the private bus).
    extra: Vec<(&'static str, String)>,
    /// Run each command behind this prefix (e.g. `keyctl session -`).
    prefix: Vec<&'static str>,
    outputs: Vec<String>,
    profile: String,
}

impl Env {
    fn new(extra: Vec<(&'static str, String)>, prefix: Vec<&'static str>) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt
            .block_on(emulator::start(EmulatorConfig {
                reviews_per_app: 20,
                ..EmulatorConfig::default()
            }))
            .unwrap();
        let profile = format!(
            "it-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        Env {
            home: tempfile::tempdir().unwrap(),
            emu,
            _rt: rt,
            extra,
            prefix,
            outputs: Vec::new(),
            profile,
        }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn log(&self) -> PathBuf {
        self.dir("state/reviewdesk/reviewdesk.log")
    }

    /// The binary with only what it needs: no REVIEWDESK_* credentials, private XDG dirs, a
    /// trace-level log, and the emulator as both endpoints.
    fn run(&mut self, args: &[&str], stdin: Option<&str>) -> Output {
        let bin = assert_cmd::cargo::cargo_bin("reviewdesk");
        let mut cmd = match self.prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(&bin);
                c
            }
            None => Command::new(&bin),
        };
        let url = self.emu.base_url();
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.dir("config"))
            .env("XDG_STATE_HOME", self.dir("state"))
            .env("XDG_DATA_HOME", self.dir("data"))
            .env("XDG_CACHE_HOME", self.dir("cache"))
            .env("RUST_LOG", "trace")
            .env("REVIEWDESK_LOGIN_URL", &url)
            .env("REVIEWDESK_API_URL", &url)
            .envs(self.extra.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        self.outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        self.outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        out
    }

    fn ok(&mut self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{args:?} failed:\n{text}");
        text
    }

    /// Every byte reviewdesk wrote to disk or printed: the secret must be in none of it.
    fn assert_secret_nowhere(&self, secret: &str) {
        let mut files = Vec::new();
        for d in ["config", "state", "data", "cache"] {
            walk(&self.dir(d), &mut files);
        }
        assert!(
            files.iter().any(|f| f.ends_with("config.toml")),
            "the config was written: {files:?}"
        );
        assert!(self.log().exists(), "a log was written");
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            assert!(!contains(&bytes, secret.as_bytes()), "the secret is in {}", f.display());
        }
        let log = std::fs::read_to_string(self.log()).unwrap();
        assert!(
            log.contains("TRACE") || log.contains("DEBUG"),
            "the log really is at trace level"
        );
        for o in &self.outputs {
            assert!(!o.contains(secret), "the secret was printed: {o}");
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The whole lifecycle a person goes through, on whichever store `env` provides.
fn lifecycle(e: &mut Env, expect_store: &str) {
    let name = e.profile.clone();
    let secret = format!("{DEFAULT_CLIENT_SECRET}\n");
    let added = e.ok(
        &[
            "profile",
            "add",
            "--name",
            &name,
            "--tenant",
            DEFAULT_TENANT_ID,
            "--client",
            DEFAULT_CLIENT_ID,
            "--app",
            "9NBLGGGZ5QDR=Contoso Photo",
            "--secret-stdin",
        ],
        Some(&secret),
    );
    assert!(added.contains(expect_store), "{added}");
    let config = std::fs::read_to_string(e.dir("config/reviewdesk/config.toml")).unwrap();
    assert!(
        config.contains(&format!("[profiles.{name}]")) && config.contains("default_profile"),
        "{config}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(e.dir("config/reviewdesk/config.toml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(e.dir("config/reviewdesk"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
    }

    let listed = e.ok(&["profile", "list"], None);
    assert!(
        listed.contains(&name) && listed.contains("stored") && listed.contains("Contoso Photo"),
        "{listed}"
    );
    let doctor = e.ok(&["doctor"], None);
    assert!(
        doctor.contains("secret stored") && doctor.contains(expect_store_word(expect_store)),
        "{doctor}"
    );

    let tested = e.ok(&["profile", "test", &name], None);
    assert!(
        tested.contains("got a token") && tested.contains("9NBLGGGZ5QDR (Contoso Photo): may respond"),
        "{tested}"
    );

    // Commands use the (default) profile: no REVIEWDESK_* credentials anywhere.
    let reviews = e.run(&["reviews", "--app", "9NBLGGGZ5QDR", "--format", "json"], None);
    assert!(reviews.status.success(), "{}", String::from_utf8_lossy(&reviews.stderr));
    let v: serde_json::Value = serde_json::from_slice(&reviews.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 10);

    e.ok(
        &[
            "profile",
            "edit",
            &name,
            "--add-app",
            "9WZDNCRFJ3Q8=Fabrikam Notes",
            "--private",
        ],
        None,
    );
    let tested = e.ok(&["--profile", &name, "profile", "test"], None);
    assert!(tested.contains("Fabrikam Notes"), "{tested}");

    // A wrong secret is caught at test time, with advice, and the secret is not echoed.
    e.ok(
        &["profile", "edit", &name, "--rotate-secret", "--secret-stdin"],
        Some("not-the-right-one\n"),
    );
    let bad = e.run(&["profile", "test", &name], None);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("Secret ID") && text.contains("trace ID") && !text.contains("not-the-right-one"),
        "{text}"
    );
    e.ok(
        &["profile", "edit", &name, "--rotate-secret", "--secret-stdin"],
        Some(&secret),
    );
    e.ok(&["profile", "test", &name], None);

    let removed = e.ok(&["profile", "remove", &name], None);
    assert!(removed.contains("and its secret"), "{removed}");
    assert!(e.ok(&["profile", "list"], None).contains("No profiles"));
    // The keyring entry went too: the same profile written back by hand has no secret.
    let mut f = reviewdesk::profiles::ConfigFile::open(&e.dir("config/reviewdesk/config.toml")).unwrap();
    f.set_profile(
        &name,
        &reviewdesk::profiles::Profile {
            tenant: DEFAULT_TENANT_ID.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            ..Default::default()
        },
    );
    f.save().unwrap();
    let orphan = e.run(&["profile", "test", &name], None);
    assert_eq!(orphan.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&orphan.stderr).contains("no client secret is stored"));
    e.assert_secret_nowhere(DEFAULT_CLIENT_SECRET);
    e.assert_secret_nowhere("not-the-right-one");
}

fn expect_store_word(store: &str) -> &'static str {
    if store.contains("Secret Service") {
        "SecretService"
    } else {
        "Keyutils"
    }
}

#[test]
fn profile_lifecycle_on_the_secret_service() {
    if !tools(
        "profile_lifecycle_on_the_secret_service",
        &[
            ("dbus-daemon", "dbus-daemon"),
            ("gnome-keyring-daemon", "gnome-keyring"),
        ],
    ) {
        return;
    }
    let bus = PrivateBus::start();
    let mut e = Env::new(bus.env(), Vec::new());
    lifecycle(&mut e, "the Secret Service");
}

#[test]
fn profile_lifecycle_on_the_kernel_keyring() {
    if !tools("profile_lifecycle_on_the_kernel_keyring", &[("keyctl", "keyutils")]) {
        return;
    }
    // No session bus at all: auto must choose the kernel keyring, as over plain SSH.
    let mut e = Env::new(Vec::new(), vec!["keyctl", "session", "-"]);
    lifecycle(&mut e, "the kernel keyring");
}

#[test]
fn bad_input_is_refused_before_anything_is_stored() {
    let mut e = Env::new(vec![("REVIEWDESK_SECRETS_BACKEND", "env".into())], Vec::new());
    let base = [
        "profile",
        "add",
        "--name",
        "x",
        "--tenant",
        DEFAULT_TENANT_ID,
        "--client",
        DEFAULT_CLIENT_ID,
        "--app",
        "9NBLGGGZ5QDR",
    ];
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (vec!["--secret", "s3cret"], None, "unexpected argument"),
        (vec![], None, "--secret-stdin"),
        (
            vec!["--secret-stdin"],
            Some("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b\n"),
            "the secret's ID",
        ),
        (vec!["--secret-stdin"], Some("\n"), "empty"),
    ];
    for (extra, stdin, needle) in cases {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let out = e.run(&args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // One bad field at a time, the others good.
    let add = |name, tenant, client, app| {
        vec![
            "profile",
            "add",
            "--name",
            name,
            "--tenant",
            tenant,
            "--client",
            client,
            "--app",
            app,
            "--secret-stdin",
        ]
    };
    for (args, needle) in [
        (
            add("bad name", "t.example", DEFAULT_CLIENT_ID, "9NBLGGGZ5QDR"),
            "not a profile name",
        ),
        (add("x", "nope", DEFAULT_CLIENT_ID, "9NBLGGGZ5QDR"), "not a tenant ID"),
        (add("x", DEFAULT_TENANT_ID, "nope", "9NBLGGGZ5QDR"), "not a client ID"),
        (add("x", DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, "XYZ"), "not a Store ID"),
    ] {
        let out = e.run(&args, Some("a-secret\n"));
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!e.dir("config/reviewdesk/config.toml").exists(), "nothing was written");
    // The env backend stores nothing, and says so.
    let out = e.run(
        &base.iter().copied().chain(["--secret-stdin"]).collect::<Vec<_>>(),
        Some("a-secret\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("env"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!e.dir("config/reviewdesk/config.toml").exists());
}
