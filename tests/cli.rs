//! The built binary against the emulator: what a person at a shell sees.

mod common;

use common::Emu;

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, FaultSpec};

const APP: &str = "9NBLGGGZ5QDR";

fn emu(reviews: usize) -> Emu {
    Emu::start(reviews)
}

impl Emu {
    /// The binary with the emulator's endpoints and credentials, and private config/state dirs.
    fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    fn std_cmd(&self) -> StdCommand {
        self.bin()
    }

    fn reviews_json(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let out = self
            .cmd()
            .args(["reviews", "--app", APP, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// IDs of unanswered reviews the emulator lets us answer.
    fn answerable(&self, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for r in self.reviews_json(&["--unanswered"]) {
            let id = r["id"].as_str().unwrap().to_owned();
            let ok = self
                .cmd()
                .args(["eligibility", "--app", APP, "--review", &id])
                .output()
                .unwrap();
            if ok.status.success() {
                ids.push(id);
            }
            if ids.len() == n {
                break;
            }
        }
        assert_eq!(ids.len(), n);
        ids
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_command_has_help() {
    for sub in [
        vec![],
        vec!["reviews"],
        vec!["eligibility"],
        vec!["respond"],
        vec!["emulator"],
        vec!["demo"],
    ] {
        let out = Command::cargo_bin("reviewdesk")
            .unwrap()
            .args(&sub)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{sub:?}");
        assert!(stdout(&out).contains("Usage"), "{sub:?}");
    }
}

#[test]
fn reviews_in_three_formats_and_never_raw_escapes() {
    let e = emu(60);
    let json = e.reviews_json(&[]);
    assert!(json.len() >= 50);
    let first = &json[0];
    for key in ["id", "date", "rating", "applicationId"] {
        assert!(first.get(key).is_some(), "Store field name {key} in {first}");
    }
    assert!(
        json.iter()
            .all(|r| r.as_object().unwrap().values().all(|v| !v.is_null())),
        "absent, never null"
    );
    let dates: Vec<i64> = json
        .iter()
        .map(|r| reviewdesk::store::dates::parse_store_date(r["date"].as_str().unwrap()).unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let table = e.cmd().args(["reviews", "--app", APP]).output().unwrap();
    assert!(table.status.success());
    let bytes = &table.stdout;
    assert!(!bytes.contains(&0x1b), "no ESC reaches the terminal");
    assert!(!stdout(&table).contains('\u{9b}') && !stdout(&table).contains('\u{202e}'));
    assert!(stdout(&table).lines().count() >= json.len());

    let json_raw = e
        .cmd()
        .args(["reviews", "--app", APP, "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    assert!(!json_raw.contains(&0x1b), "JSON escapes ESC");
    assert!(
        String::from_utf8_lossy(&json_raw).contains("\\u001b"),
        "the hostile samples are kept, escaped"
    );

    let csv = e
        .cmd()
        .args(["reviews", "--app", APP, "--format", "csv"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    let mut rdr = csv::Reader::from_reader(csv.stdout.as_slice());
    assert_eq!(rdr.headers().unwrap().get(0), Some("id"));
    assert_eq!(rdr.records().count(), json.len());

    let unanswered = e.reviews_json(&["--unanswered"]);
    assert!(!unanswered.is_empty() && unanswered.len() < json.len());
    assert!(unanswered.iter().all(|r| r.get("responseText").is_none()));

    let filtered = e.reviews_json(&["--filter", "rating eq 1", "--orderby", "date asc"]);
    assert!(filtered.iter().all(|r| r["rating"] == 1));
}

#[test]
fn bad_input_exits_2_with_one_clear_sentence() {
    let e = emu(10);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["reviews", "--app", "nope"], "is not a Store ID"),
        (vec!["reviews", "--app", APP, "--since", "last tuesday"], "--since"),
        (
            vec![
                "reviews",
                "--app",
                APP,
                "--since",
                "2026-01-10",
                "--until",
                "2026-01-01",
            ],
            "swap them",
        ),
        (vec!["respond", "--app", APP, "--review", "r", "--text", " "], "empty"),
        (
            vec![
                "respond",
                "--app",
                APP,
                "--review",
                "r",
                "--text",
                "hi",
                "--support-email",
                "nobody",
            ],
            "not a valid support email",
        ),
        (vec!["respond", "--app", APP, "--review", "r"], "--text"),
        (vec!["emulator", "--addr", "0.0.0.0:0"], "loopback"),
    ];
    for (args, needle) in cases {
        let out = e.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: ") && err.contains(needle), "{args:?}: {err}");
    }
    let long = "x".repeat(1001);
    let out = e
        .cmd()
        .args(["respond", "--app", APP, "--review", "r", "--text", &long])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("1001 characters"), "{}", stderr(&out));
    assert_eq!(e.handle.stats().submit_requests, 0);
}

#[test]
fn endpoints_and_credentials_are_checked() {
    let e = emu(10);
    let out = e
        .cmd()
        .env("REVIEWDESK_API_URL", "http://manage.example.net")
        .args(["reviews", "--app", APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not loopback"), "{}", stderr(&out));
    let out = e
        .cmd()
        .env_remove("REVIEWDESK_CLIENT_SECRET")
        .args(["reviews", "--app", APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("REVIEWDESK_CLIENT_SECRET not set"),
        "{}",
        stderr(&out)
    );
    let out = e
        .cmd()
        .env("REVIEWDESK_CLIENT_SECRET", "the-wrong-one")
        .args(["reviews", "--app", APP])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Secret ID") && err.contains("trace ID"), "{err}");
    assert!(!err.contains("the-wrong-one"), "the secret is never echoed");
}

#[test]
fn eligibility_answers_yes_or_no() {
    let e = emu(60);
    let out = e.cmd().args(["eligibility", "--app", APP]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("You may respond"));
    let out = e
        .cmd()
        .args(["eligibility", "--app", APP, "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["canRespond"], true);
    // Somewhere in the sample data a customer opted out.
    let mut saw_no = false;
    for r in e.reviews_json(&["--unanswered"]) {
        let out = e
            .cmd()
            .args(["eligibility", "--app", APP, "--review", r["id"].as_str().unwrap()])
            .output()
            .unwrap();
        if out.status.code() == Some(1) {
            assert!(stdout(&out).contains("opted out"), "{}", stdout(&out));
            saw_no = true;
            break;
        }
    }
    assert!(saw_no);
}

#[test]
fn respond_once_from_stdin_and_dry_run_sends_nothing() {
    let e = emu(60);
    let ids = e.answerable(2);
    let dry = e
        .cmd()
        .args([
            "respond",
            "--app",
            APP,
            "--review",
            &ids[0],
            "--text",
            "Thanks!",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("Nothing was sent") && stdout(&dry).contains("public"));
    assert_eq!(e.handle.stats().submit_requests, 0);

    let out = e
        .cmd()
        .args([
            "respond",
            "--app",
            APP,
            "--review",
            &ids[0],
            "--text-file",
            "-",
            "--private",
        ])
        .write_stdin("Thank you — fixed in 2.6.\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("sent"), "{}", stdout(&out));
    assert_eq!(e.handle.stats().applied_responses.get(&ids[0]), Some(&1));
    let after = e.reviews_json(&["--filter", &format!("id eq '{}'", ids[0])]);
    assert_eq!(after[0]["responseText"], "Thank you — fixed in 2.6.");

    // The outage: exit 1 and the way out.
    e.handle.set_faults(FaultSpec {
        reviews_api_down: Some(true),
        ..FaultSpec::default()
    });
    let out = e
        .cmd()
        .args(["respond", "--app", APP, "--review", &ids[1], "--text", "Thanks!"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("not in a working state") && err.contains("partner.microsoft.com"),
        "{err}"
    );
}

#[test]
fn batch_from_csv_and_jsonl() {
    let e = emu(120);
    let ids = e.answerable(3);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("replies.csv");
    std::fs::write(
        &csv,
        format!("app,review,text,private,support_email\n{APP},{},\"Thanks, \"\"really\"\"!\",no,\n{APP},{},Sorry about that.,yes,help@contoso.example\n", ids[0], ids[1]),
    )
    .unwrap();
    let dry = e
        .cmd()
        .args(["respond", "--batch"])
        .arg(&csv)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}{}", stdout(&dry), stderr(&dry));
    assert!(stdout(&dry).contains("2 would be sent"), "{}", stdout(&dry));
    assert_eq!(e.handle.stats().submit_requests, 0);

    let out = e.cmd().args(["respond", "--batch"]).arg(&csv).output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Summary: 2 sent, 0 refused, 0 skipped, 0 failed."),
        "{}",
        stdout(&out)
    );

    // Sending the same file again: the Store refuses, per item, and nothing is applied twice.
    let again = e.cmd().args(["respond", "--batch"]).arg(&csv).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(stdout(&again).contains("refused"), "{}", stdout(&again));
    assert_eq!(e.handle.stats().applied_responses.get(&ids[0]), Some(&1));

    let jsonl = dir.path().join("replies.jsonl");
    std::fs::write(
        &jsonl,
        format!("{{\"app\":\"{APP}\",\"review\":\"{}\",\"text\":\"Merci !\"}}\n", ids[2]),
    )
    .unwrap();
    let out = e.cmd().args(["respond", "--batch"]).arg(&jsonl).output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    let broken = dir.path().join("broken.csv");
    std::fs::write(
        &broken,
        format!("app,review,text\n{APP},a,\nnope,b,hi\n{APP},c,{}\n", "y".repeat(1001)),
    )
    .unwrap();
    let before = e.handle.stats().submit_requests;
    let out = e.cmd().args(["respond", "--batch"]).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("line 2:")
            && err.contains("line 3:")
            && err.contains("line 4:")
            && err.contains("nothing was sent"),
        "{err}"
    );
    assert_eq!(e.handle.stats().submit_requests, before);
}

#[test]
fn secrets_and_tokens_never_reach_logs_or_output() {
    let e = emu(20);
    let log = e.home.path().join("trace.log");
    let ids = e.answerable(1);
    let out = e
        .cmd()
        .env("RUST_LOG", "trace")
        .env("REVIEWDESK_LOG_FILE", &log)
        .args(["respond", "--app", APP, "--review", &ids[0], "--text", "Thanks!"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let logged = std::fs::read_to_string(&log).expect("a log file was written");
    assert!(logged.contains("obtained an access token"), "the log is real: {logged}");
    for haystack in [logged.as_str(), &stdout(&out), &stderr(&out)] {
        assert!(!haystack.contains(DEFAULT_CLIENT_SECRET), "secret leaked");
        assert!(!haystack.contains("emu~Secret"), "secret leaked");
        assert!(!haystack.contains("eyJ"), "a token leaked");
    }
}

#[test]
fn the_emulator_command_prints_what_to_export_and_serves() {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("reviewdesk"))
        .args(["emulator", "--reviews", "15", "--app", "9WZDNCRFJ3Q8"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let exports: Vec<String> = lines.by_ref().take(6).map(|l| l.unwrap()).collect();
    assert!(
        exports.iter().any(|l| l == &format!("export REVIEWDESK_API_URL={url}")),
        "{exports:?}"
    );
    let out = Command::cargo_bin("reviewdesk")
        .unwrap()
        .env("REVIEWDESK_LOGIN_URL", &url)
        .env("REVIEWDESK_API_URL", &url)
        .env("REVIEWDESK_TENANT_ID", DEFAULT_TENANT_ID)
        .env("REVIEWDESK_CLIENT_ID", DEFAULT_CLIENT_ID)
        .env("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .env("REVIEWDESK_LOG_FILE", "/dev/null")
        .args(["reviews", "--app", "9WZDNCRFJ3Q8", "--format", "json"])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.len() >= 10);
}

#[test]
fn the_demo_shows_the_whole_flow() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("reviewdesk")
        .unwrap()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("c"))
        .env("XDG_STATE_HOME", home.path().join("s"))
        .env("XDG_DATA_HOME", home.path().join("d"))
        .env_remove("REVIEWDESK_LOG_FILE")
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "can respond",
        "sent ",
        "No Permission",
        "not in a working state",
        "Export All Reviews: 40 reviews",
        "Home → Reviews → Moderation",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    assert!(!out.stdout.contains(&0x1b));
    let written: Vec<_> = walk(home.path());
    assert!(written.is_empty(), "the demo wrote {written:?}");
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `reviewdesk reviews | head -1`, `reviewdesk doctor | head -1`: no panic, no error message.
    // 3,000 reviews as JSON are megabytes: far more than a pipe holds, so the writer must meet
    // the closed pipe.
    let e = emu(3000);
    for args in [vec!["reviews", "--app", APP, "--format", "json"], vec!["doctor"]] {
        let mut child = e
            .std_cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?} printed a first line");
        // The reader is gone now; the rest of the output has nowhere to go.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("error"), "{args:?}: {err}");
    }
}
