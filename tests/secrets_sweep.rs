//! Where the client secret and the bearer tokens must never be: in a child process (its argv and
//! environment), a file under the config, data, cache or state directories, the log, the screen,
//! the bytes written to the terminal or its scrollback.
//!
//! The real binary in a private tmux server, the kernel keyring in session keyrings of their own
//! (`keyctl session -`), `$EDITOR` a script that writes down its argv and environment.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::tmux::*;
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};

/// The secret the profile is rotated to: it must not turn up anywhere either.
const ROTATED_SECRET: &str = "rotated~Sweep.Secret_0123456789+/=";

/// An `$EDITOR` that records how it was started (argv, and its environment exactly as the
/// kernel handed it over) and appends a sentence to the file it is given.
fn recording_editor(dir: &Path) -> PathBuf {
    let script = dir.join("editor.sh");
    let out = dir.join("editor-run");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nout={out}\nprintf '%s\\n' \"$0\" \"$@\" > \"$out.argv\"\ncat /proc/$$/environ > \"$out.environ\"\n\
             printf ' Edited in the editor.' >> \"$1\"\n",
            out = shell_quote(&out.display().to_string())
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// What the recording editor wrote down: its argv and its environment, one entry a line.
fn editor_run(dir: &Path) -> (String, Vec<String>) {
    let argv = std::fs::read_to_string(dir.join("editor-run.argv")).expect("the editor ran");
    let environ = std::fs::read(dir.join("editor-run.environ")).expect("the editor ran");
    let vars = environ
        .split(|b| *b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    (argv, vars)
}

fn editor_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("rdx-editor-").tempdir().unwrap()
}

fn with_editor(script: &Path) -> Vec<(String, String)> {
    vec![
        ("EDITOR".to_owned(), script.display().to_string()),
        ("VISUAL".to_owned(), String::new()),
    ]
}

/// Opens the reply editor on the review titled `title`, types `text`, and runs `$EDITOR` on it.
fn reply_through_editor(t: &Term, title: &str, text: &str) {
    wait_detail_title(t, title);
    t.wait_for("can respond");
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.type_text(text);
    t.wait_for(text);
    t.keys(&["C-e"]);
    t.wait_for("Edited in the editor.");
}

/// Found now: with credentials from the environment, `Ctrl-e` started `$EDITOR` with
/// `REVIEWDESK_CLIENT_SECRET` in its environment. No child gets any `REVIEWDESK_*` variable.
#[test]
fn the_editor_inherits_no_secret_from_environment_credentials() {
    require_tmux!();
    let e = emu(None);
    let title = "The editor must not see the secret";
    e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": title, "reviewerName": "Eve", "rating": 2}),
    );
    let dir = editor_dir();
    let t = Term::launch(
        &e,
        Launch {
            env: with_editor(&recording_editor(dir.path())),
            ..Launch::default()
        },
    );
    reply_through_editor(&t, title, "Thanks for writing.");
    let (argv, vars) = editor_run(dir.path());
    assert!(
        vars.iter().any(|v| v.starts_with("HOME=")),
        "the environment was recorded: {vars:?}"
    );
    let ours: Vec<&String> = vars.iter().filter(|v| v.starts_with("REVIEWDESK_")).collect();
    assert!(ours.is_empty(), "the editor got our variables: {ours:?}");
    for text in vars.iter().chain([&argv]) {
        assert!(
            !text.contains(DEFAULT_CLIENT_SECRET),
            "the secret reached the editor: {text}"
        );
    }
    assert!(
        argv.contains("reviewdesk-reply-"),
        "the editor got the reply's file: {argv}"
    );
    // The edited text came back, and the program still works with its own credentials.
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    t.keys(&["y"]);
    t.wait_for("accepted by the Store");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
}

fn keyctl_available() -> bool {
    let ok = Command::new("keyctl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() || std::env::var("REVIEWDESK_REQUIRE_REAL_KEYRING").as_deref() == Ok("1") {
            panic!("keyctl is not installed, but CI is set: install keyutils");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED the secrets sweep: keyctl (package keyutils) is not installed !!!!!!!!\n"
        );
    }
    ok
}

/// `reviewdesk ARGS` for the same HOME as the UI in `t`, with its secrets in the kernel keyring
/// of a session keyring of its own (found again through the persistent keyring), `stdin` on its
/// standard input. Its output, which must be free of secrets as well.
fn cli(e: &Emu, t: &Term, args: &[&str], stdin: &str) -> String {
    let home = t.dir.path();
    let url = e.handle.base_url();
    let mut c = Command::new("keyctl");
    common::private_home(&mut c, home);
    c.env("REVIEWDESK_SECRETS_BACKEND", "keyutils")
        .env("REVIEWDESK_LOGIN_URL", &url)
        .env("REVIEWDESK_API_URL", &url)
        .env("REVIEWDESK_LOG_FILE", home.join("cli.log"))
        .env("RUST_LOG", "trace")
        .args(["session", "-", BIN])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "reviewdesk {args:?} failed: {text}");
    text
}

/// The whole life of a profile: added in the setup form (the secret pasted, stored in the kernel
/// keyring), reviews read and a reply written in `$EDITOR` and sent, a second profile added from
/// the command line and tested, the first one's secret rotated, both removed. Then nothing the
/// program left behind or showed holds the secret, the rotated secret or any token issued.
#[test]
fn no_secret_or_token_survives_a_profile_lifecycle() {
    require_tmux!();
    if !keyctl_available() {
        return;
    }
    let e = emu(None);
    let title = "Sweep: answer me";
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": title, "reviewerName": "Sam", "rating": 4}),
    );
    let first = format!("sweep-a-{}", std::process::id());
    let second = format!("sweep-b-{}", std::process::id());
    let dir = editor_dir();
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            first_run: true,
            env: with_editor(&recording_editor(dir.path())),
            ..Launch::default()
        },
    );
    // Added in the setup form, as a new user does.
    t.wait_for("Set up reviewdesk");
    t.wait_for("Secret store: the kernel keyring");
    t.fill_profile_form(&first, DEFAULT_CLIENT_SECRET, APP);
    t.wait_for(&format!("{APP}▏"));
    t.keys(&["C-s"]);
    t.wait_for(&format!("Saved profile {first}"));

    // A reply, written partly in $EDITOR, and sent.
    reply_through_editor(&t, title, "Glad you like it.");
    let pid = t.program_pid();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "core dumps are off: {core}"
    );
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    t.keys(&["y"]);
    t.wait_for("accepted by the Store");
    assert_eq!(e.handle.stats().applied_responses.get(&id), Some(&1));
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);

    // From the command line: a second profile, tested (a token), the first one's secret
    // rotated, both removed with their secrets.
    let mut outputs = vec![cli(
        &e,
        &t,
        &[
            "profile",
            "add",
            "--name",
            &second,
            "--tenant",
            DEFAULT_TENANT_ID,
            "--client",
            DEFAULT_CLIENT_ID,
            "--app",
            APP,
            "--secret-stdin",
        ],
        &format!("{DEFAULT_CLIENT_SECRET}\n"),
    )];
    let tested = cli(&e, &t, &["profile", "test", &second], "");
    assert!(tested.contains("may respond"), "{tested}");
    outputs.push(tested);
    outputs.push(cli(
        &e,
        &t,
        &["profile", "edit", &first, "--rotate-secret", "--secret-stdin"],
        &format!("{ROTATED_SECRET}\n"),
    ));
    for name in [&first, &second] {
        let removed = cli(&e, &t, &["profile", "remove", name], "");
        assert!(removed.contains("and its secret"), "{removed}");
        outputs.push(removed);
    }

    let tokens = e.handle.issued_tokens();
    assert!(
        tokens.len() >= 2,
        "the UI and `profile test` got tokens: {}",
        tokens.len()
    );
    let mut needles: Vec<(&str, String)> = vec![
        ("the client secret", DEFAULT_CLIENT_SECRET.to_owned()),
        ("the rotated secret", ROTATED_SECRET.to_owned()),
    ];
    needles.extend(tokens.into_iter().map(|tok| ("a bearer token", tok)));

    let mut places: Vec<(String, Vec<u8>)> = Vec::new();
    let mut files = vec![t.log_path(), t.recording_path(), t.dir.path().join("cli.log")];
    for sub in ["config", "state", "data", "cache"] {
        common::files_under(&t.dir.path().join(sub), &mut files);
    }
    assert!(files.len() > 5, "the program left files to look at: {files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_else(|err| panic!("{}: {err}", f.display()));
        places.push((f.display().to_string(), bytes));
    }
    let scrollback = t.run(&["capture-pane", "-p", "-S", "-", "-E", "-", "-t", TARGET]);
    assert!(scrollback.contains("EXIT=0"), "{scrollback}");
    places.push(("the tmux scrollback".to_owned(), scrollback.into_bytes()));
    places.push(("the UI's command line".to_owned(), cmdline));
    let (argv, vars) = editor_run(dir.path());
    places.push(("the editor's argv".to_owned(), argv.into_bytes()));
    places.push(("the editor's environment".to_owned(), vars.join("\n").into_bytes()));
    for (i, out) in outputs.into_iter().enumerate() {
        places.push((format!("the output of command line run {i}"), out.into_bytes()));
    }
    let log = String::from_utf8_lossy(&places[0].1).into_owned();
    assert!(log.contains("TRACE"), "the log is at trace level");
    for (what, needle) in &needles {
        for (place, bytes) in &places {
            assert!(find(bytes, needle.as_bytes()).is_none(), "{what} is in {place}");
        }
    }
}
