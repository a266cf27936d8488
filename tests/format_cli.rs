//! `--format` and the exit codes, the same on every command a script calls: the real binary
//! against the emulator over TCP, each command in every format it takes, each output read back
//! the way a program would (JSON parsed, JSON lines one object a line, CSV/TSV by their header),
//! and the exit codes 0 (yes), 1 (refused, failed or no) and 2 (bad usage) where each happens.

mod common;

use std::process::Output;

use common::Emu;
use reviewdesk::db::{Db, OutboxNew};
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};
use serde_json::{Value, json};

const APP: &str = "9NBLGGGZ5QDR";
const FORMATS: [&str; 5] = ["table", "json", "jsonl", "csv", "tsv"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Emu {
    fn run(&self, args: &[&str]) -> Output {
        self.bin().args(args).output().unwrap()
    }

    /// The binary for a profile's commands: in a session keyring of its own (`keyctl session
    /// -`, the kernel keyring the secret goes to), with the emulator's endpoints and no
    /// `REVIEWDESK_*` credentials.
    fn profile_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new("keyctl");
        c.args(["session", "-", env!("CARGO_BIN_EXE_reviewdesk")]);
        common::private_home(&mut c, self.home.path());
        let url = self.handle.base_url();
        c.env("REVIEWDESK_LOGIN_URL", &url)
            .env("REVIEWDESK_API_URL", &url)
            .env("REVIEWDESK_SECRETS_BACKEND", "keyutils");
        c
    }

    /// A profile "emu" for the emulator, its secret in the kernel keyring.
    fn add_profile(&self, name: &str, secret: &str) {
        use std::io::Write;
        let mut child = self
            .profile_cmd()
            .args([
                "profile",
                "add",
                "--name",
                name,
                "--tenant",
                DEFAULT_TENANT_ID,
                "--client",
            ])
            .args([
                DEFAULT_CLIENT_ID,
                "--app",
                &format!("{APP}=Contoso \u{1b}[31mPhoto"),
                "--secret-stdin",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{secret}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "profile add: {}", text(&out.stderr));
    }
}

/// Checks `out` is a document of `format` and gives its records as JSON objects (CSV and TSV
/// cells as strings under their header's names; the table as one object holding its text).
fn records(format: &str, out: &Output) -> Vec<Value> {
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains('\u{1b}'),
        "{format}: an escape sequence reached stdout: {stdout:?}"
    );
    match format {
        "json" => match serde_json::from_str::<Value>(&stdout).unwrap_or_else(|e| panic!("json: {e}: {stdout}")) {
            Value::Array(items) => items,
            one => vec![one],
        },
        "jsonl" => stdout
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("jsonl line {l:?}: {e}"));
                assert!(v.is_object(), "jsonl line {l:?}");
                v
            })
            .collect(),
        "csv" | "tsv" => {
            let delimiter = if format == "csv" { b',' } else { b'\t' };
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .quoting(format == "csv")
                .from_reader(stdout.as_bytes());
            let headers = reader.headers().unwrap().clone();
            if format == "csv" {
                assert!(stdout.contains("\r\n"), "csv rows end in CRLF: {stdout:?}");
            }
            reader
                .records()
                .map(|r| {
                    let r = r.unwrap_or_else(|e| panic!("{format}: {e}: {stdout}"));
                    assert_eq!(r.len(), headers.len(), "{format}: {stdout}");
                    Value::Object(
                        headers
                            .iter()
                            .zip(r.iter())
                            .map(|(h, v)| (h.to_owned(), Value::String(v.to_owned())))
                            .collect(),
                    )
                })
                .collect()
        }
        _ => vec![json!({ "table": stdout })],
    }
}

/// A field of a record as text, whatever the format wrote it as.
fn field(record: &Value, name: &str) -> String {
    match &record[name] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn eligibility_answers_in_every_format_and_its_exit_code_is_the_answer() {
    let emu = Emu::start(3);
    let id = emu.handle.add_review(APP, json!({"rating": 1, "reviewText": "crash"}));
    for format in FORMATS {
        let out = emu.run(&["eligibility", "--app", APP, "--review", &id, "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        assert_eq!(got.len(), 1, "{format}: one answer");
        if format == "table" {
            assert!(field(&got[0], "table").contains("You may respond"), "{got:?}");
        } else {
            assert_eq!(field(&got[0], "reviewId"), id, "{format}");
            assert_eq!(field(&got[0], "canRespond"), "true", "{format}");
            assert_eq!(field(&got[0], "applicationId"), APP, "{format}");
        }
    }
    // The old name of the table still works.
    let out = emu.run(&["eligibility", "--app", APP, "--format", "text"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // No: exit 1, and the answer is still printed in the format asked for.
    let refused = emu.handle.add_review(APP, json!({"rating": 2, "optedOut": true}));
    for format in ["json", "csv"] {
        let out = emu.run(&["eligibility", "--app", APP, "--review", &refused, "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out.stderr));
        assert_eq!(field(&records(format, &out)[0], "canRespond"), "false", "{format}");
    }
    // Bad usage: exit 2 with one sentence, before anything is asked of the Store.
    for bad in [
        vec!["eligibility", "--app", "not-an-id"],
        vec!["eligibility", "--app", APP, "--format", "xml"],
    ] {
        let out = emu.run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{bad:?}");
    }
    // The service failing: exit 1.
    emu.handle.set_faults(reviewdesk::emulator::FaultSpec {
        reviews_api_down: Some(true),
        ..Default::default()
    });
    let out = emu.run(&["eligibility", "--app", APP, "--review", &id, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "nothing on stdout when it failed");
}

#[test]
fn outbox_list_writes_every_format_through_the_one_writer() {
    let emu = Emu::start(0);
    let review = emu.handle.add_review(APP, json!({"rating": 2}));
    let data = emu.home.path().join("data").join("reviewdesk");
    let mut db = Db::open(&data, "env").unwrap().0;
    let hostile = "=HYPERLINK(\"x\") \u{1b}]52;c;aGk=\u{7}thanks\nsecond line";
    db.enqueue(
        &OutboxNew {
            app: APP.into(),
            review: review.clone(),
            text: hostile.into(),
            support_email: "help@example.com".into(),
            public: true,
        },
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    drop(db);
    for format in FORMATS {
        let out = emu.run(&["outbox", "list", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        assert_eq!(got.len(), 1, "{format}: {got:?}");
        match format {
            "table" => assert!(field(&got[0], "table").contains(&review), "{got:?}"),
            "json" | "jsonl" => {
                assert_eq!(field(&got[0], "text"), hostile, "{format} keeps the text, escaped");
                assert_eq!(field(&got[0], "state"), "queued");
            }
            _ => {
                assert_eq!(field(&got[0], "review"), review, "{format}");
                assert_eq!(field(&got[0], "state"), "queued", "{format}");
                let cell = field(&got[0], "text");
                assert!(cell.starts_with("'="), "{format}: the formula is defused: {cell:?}");
                assert!(!cell.contains('\u{7}'), "{format}: {cell:?}");
            }
        }
    }
    let out = emu.run(&["outbox", "retry", "999"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn profile_list_and_test_in_every_format_with_test_exit_codes() {
    let emu = Emu::start(2);
    emu.add_profile("emu", DEFAULT_CLIENT_SECRET);
    emu.add_profile("wrong", "not-the-secret");
    let run = |args: &[&str]| emu.profile_cmd().args(args).output().unwrap();
    for format in FORMATS {
        let out = run(&["profile", "list", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        if format == "table" {
            assert!(field(&got[0], "table").contains("emu"), "{got:?}");
        } else {
            assert_eq!(got.len(), 2, "{format}: {got:?}");
            assert_eq!(field(&got[0], "name"), "emu", "{format}");
            assert_eq!(field(&got[0], "tenant"), DEFAULT_TENANT_ID, "{format}");
            assert!(field(&got[0], "apps").contains(APP), "{format}: {got:?}");
        }

        let out = run(&["profile", "test", "emu", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let checks = records(format, &out);
        if format == "table" {
            assert!(field(&checks[0], "table").contains('✓'), "{checks:?}");
            continue;
        }
        assert_eq!(checks.len(), 2, "the token and one app: {checks:?}");
        for c in &checks {
            assert_eq!(field(c, "ok"), "true", "{format}: {c:?}");
            assert_eq!(field(c, "profile"), "emu", "{format}: {c:?}");
        }
    }
    // A check failing is exit 1, with the failed check in the output.
    let out = run(&["profile", "test", "wrong", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let checks = records("jsonl", &out);
    assert!(checks.iter().any(|c| c["ok"] == false), "{checks:?}");
    // No such profile: bad usage.
    let out = run(&["profile", "test", "nobody"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    for name in ["emu", "wrong"] {
        assert!(run(&["profile", "remove", name]).status.success());
    }
}

#[test]
fn stats_in_every_format_and_csv_is_its_weeks() {
    let emu = Emu::start(0);
    for (i, days) in [1i64, 2, 9, 20].iter().enumerate() {
        let date = (chrono::Utc::now() - chrono::Duration::days(*days)).format("%Y-%m-%dT%H:%M:%S");
        emu.handle.add_review(
            APP,
            json!({"id": format!("s-{i}"), "rating": 1 + i as i64, "date": date.to_string()}),
        );
    }
    let out = emu.run(&["stats", "--refresh", "--app", APP, "--days", "28"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for format in FORMATS {
        let out = emu.run(&["stats", "--app", APP, "--days", "28", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        match format {
            "table" => assert!(field(&got[0], "table").contains('4'), "{got:?}"),
            "json" | "jsonl" => {
                assert_eq!(got.len(), 1, "{format}");
                assert_eq!(got[0]["reviews"], 4, "{format}: {got:?}");
            }
            _ => {
                assert_eq!(got.len(), 4, "{format}: four weeks: {got:?}");
                let total: u64 = got.iter().map(|w| field(w, "reviews").parse::<u64>().unwrap()).sum();
                assert_eq!(total, 4, "{format}: {got:?}");
                assert!(field(&got[3], "week_start").ends_with('Z'), "{got:?}");
            }
        }
    }
    let out = emu.run(&["stats", "--app", APP, "--days", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn reviews_and_history_keep_their_formats_and_bad_usage_is_exit_2() {
    let emu = Emu::start(4);
    for format in FORMATS {
        let out = emu.run(&["reviews", "--app", APP, "--since", "3650d", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        if format != "table" {
            assert_eq!(got.len(), 4, "{format}: {got:?}");
            assert!(got.iter().all(|r| !field(r, "id").is_empty()), "{format}");
        }
        let out = emu.run(&["history", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        records(format, &out);
    }
    for bad in [
        vec!["reviews", "--app", APP, "--format", "yaml"],
        vec!["reviews", "--app", APP, "--columns", "id,stars"],
        vec!["history", "--columns", "nope"],
        vec!["outbox", "list", "--format", "xml"],
        vec!["commerce", "export", "--format", "table"],
    ] {
        let out = emu.run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{bad:?}");
    }
}

impl Emu {
    /// A reply queued for a new review of the emulator, as the UI leaves it once confirmed
    /// (five minutes ago, so no undo window holds it back); its outbox item's number.
    fn queue_reply(&self, text: &str) -> (String, i64) {
        let review = self.handle.add_review(APP, json!({"rating": 2}));
        let data = self.home.path().join("data").join("reviewdesk");
        let mut db = Db::open(&data, "env").unwrap().0;
        let new = OutboxNew {
            app: APP.into(),
            review: review.clone(),
            text: text.into(),
            support_email: "help@example.com".into(),
            public: true,
        };
        db.enqueue(&new, chrono::Utc::now().timestamp() - 300).unwrap();
        let item = db
            .outbox(None, 0)
            .unwrap()
            .into_iter()
            .find(|i| i.review == review)
            .unwrap();
        (review, item.id)
    }
}

#[test]
fn outbox_retry_and_discard_answer_with_the_item_in_every_format() {
    let emu = Emu::start(0);
    let hostile = "=SUM(A1) \u{1b}]52;c;aGk=\u{7}thanks\nsecond line";
    for format in FORMATS {
        let (review, id) = emu.queue_reply(hostile);
        let out = emu.run(&["outbox", "retry", &id.to_string(), "--format", format]);
        assert_eq!(out.status.code(), Some(0), "retry {format}: {}", text(&out.stderr));
        let got = records(format, &out);
        if format == "table" {
            assert!(out.stdout.is_empty(), "retry's sentence is on stderr");
            assert!(text(&out.stderr).contains("queued again"), "{}", text(&out.stderr));
        } else {
            assert_eq!(got.len(), 1, "retry {format}: {got:?}");
            assert_eq!(field(&got[0], "id"), id.to_string(), "retry {format}");
            assert_eq!(field(&got[0], "review"), review, "retry {format}");
            assert_eq!(field(&got[0], "state"), "queued", "retry {format}");
        }

        let out = emu.run(&["outbox", "discard", &id.to_string(), "--format", format]);
        assert_eq!(out.status.code(), Some(0), "discard {format}: {}", text(&out.stderr));
        let got = records(format, &out);
        match format {
            // The text is printed as it was, so nothing is lost.
            "table" => assert!(text(&out.stdout).contains("second line"), "{got:?}"),
            "json" | "jsonl" => assert_eq!(field(&got[0], "text"), hostile, "discard {format} keeps the text"),
            _ => {
                let cell = field(&got[0], "text");
                assert!(cell.starts_with("'=SUM"), "{format}: the formula is defused: {cell:?}");
                assert!(
                    cell.contains("second line") && !cell.contains('\u{7}'),
                    "{format}: {cell:?}"
                );
            }
        }
        // Gone: a second discard is refused, and nothing is written on stdout.
        let out = emu.run(&["outbox", "discard", &id.to_string(), "--format", format]);
        assert_ne!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{format}: {}", text(&out.stdout));
    }
    let out = emu.run(&["outbox", "retry", "1", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn outbox_send_reports_each_item_in_every_format() {
    let emu = Emu::start(0);
    for format in FORMATS {
        let (first, _) = emu.queue_reply("Thanks, fixed in 3.2.");
        let (second, _) = emu.queue_reply("Thanks, fixed in 3.3.");
        let out = emu.run(&["outbox", "send", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("2 sent; 0 left"), "{format}: {stderr}");
        if format == "table" {
            assert!(out.stdout.is_empty(), "the table's lines go to stderr");
            assert!(stderr.contains("): sent"), "{stderr}");
            continue;
        }
        let got = records(format, &out);
        let mut reviews: Vec<String> = got.iter().map(|r| field(r, "review")).collect();
        reviews.sort();
        let mut queued = vec![first.clone(), second.clone()];
        queued.sort();
        assert_eq!(reviews, queued, "{format}: one record per item: {got:?}");
        for r in &got {
            assert_eq!(field(r, "outcome"), "sent", "{format}: {r:?}");
            assert_eq!(field(r, "state"), "sent", "{format}: {r:?}");
            assert_eq!(field(r, "app"), APP, "{format}: {r:?}");
        }
    }
    // Nothing queued: an empty document of the format, and exit 0.
    let out = emu.run(&["outbox", "send", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(records("json", &out).is_empty());
}

#[test]
fn template_list_in_every_format() {
    let emu = Emu::start(0);
    let out = emu.run(&["template", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(records("json", &out).is_empty(), "no templates yet: an empty array");
    let toml = "description = \"=cmd \\u001b[31mred\"\nbody = \"Sorry, {reviewer|there}.\"\n\
                [variants]\nde = \"Entschuldigung.\"\n[hints]\nratings = [1, 2]\nkeywords = [\"crash\"]\n";
    let file = emu.home.path().join("crash.toml");
    std::fs::write(&file, toml).unwrap();
    let added = emu.run(&["template", "add", "crash", "--from", file.to_str().unwrap()]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    for format in FORMATS {
        let out = emu.run(&["template", "list", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", text(&out.stderr));
        let got = records(format, &out);
        if format == "table" {
            let table = field(&got[0], "table");
            assert!(table.contains("crash") && table.contains("default,de"), "{table}");
            continue;
        }
        assert_eq!(got.len(), 1, "{format}: {got:?}");
        assert_eq!(field(&got[0], "name"), "crash", "{format}");
        let description = field(&got[0], "description");
        match format {
            "json" | "jsonl" => {
                assert_eq!(got[0]["languages"], json!(["default", "de"]), "{format}");
                assert_eq!(got[0]["ratings"], json!([1, 2]), "{format}");
                assert_eq!(description, "=cmd \u{1b}[31mred", "{format}: kept, escaped");
            }
            _ => {
                assert_eq!(field(&got[0], "keywords"), r#"["crash"]"#, "{format}");
                assert!(description.starts_with("'=cmd"), "{format}: defused: {description:?}");
            }
        }
    }
}
