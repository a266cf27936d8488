//! The shell side of reviewdesk, with the real binary against the emulator over TCP: exports in
//! every format, the Reviews report import, `watch --once --exec` across rounds, completions,
//! man pages and the keymap.

mod common;

use common::Emu;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const APP: &str = "9NBLGGGZ5QDR";

fn emu(reviews: usize) -> Emu {
    Emu::start(reviews)
}

impl Emu {
    fn cmd(&self) -> Command {
        self.bin()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Adds (or, with an existing `id`, revises) a review through the emulator's control API,
    /// over a plain HTTP/1.1 connection.
    fn post_review(&self, review: Value) -> String {
        use std::io::{Read, Write};
        let addr = self
            .handle
            .base_url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let body = review.to_string();
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            conn,
            "POST /_emulator/reviews/{APP} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{answer}");
        let v: Value = serde_json::from_str(body).unwrap();
        v["id"].as_str().unwrap().to_owned()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether bytes hold a character no export but JSON (escaped) may carry: C0 but line breaks
/// and the separators, DEL, C1, bidi controls.
fn has_hostile(bytes: &[u8], allowed: &[char]) -> bool {
    String::from_utf8_lossy(bytes)
        .chars()
        .any(|c| reviewdesk::sanitize::is_forbidden(c) && !allowed.contains(&c))
}

#[test]
fn every_export_format_keeps_review_text_harmless() {
    let e = emu(40);
    let hostile = e.post_review(json!({
        "rating": 1,
        "reviewTitle": "\u{1b}]52;c;aGVsbG8=\u{7}clipboard",
        "reviewText": "=HYPERLINK(\"http://evil\")\u{1b}[2J\u{202e}txet\tend",
        "reviewerName": "@mallory",
    }));
    let csv = e.run(&["reviews", "--app", APP, "--format", "csv"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    // Written to a pipe, as before the fix, when raw ESC bytes went through.
    assert!(!csv.stdout.contains(&0x1b), "CSV holds ESC");
    assert!(!has_hostile(&csv.stdout, &['\r', '\n']), "CSV holds control characters");
    let mut rdr = csv::Reader::from_reader(csv.stdout.as_slice());
    let id_col = rdr.headers().unwrap().iter().position(|h| h == "id").unwrap();
    let text_col = rdr.headers().unwrap().iter().position(|h| h == "reviewText").unwrap();
    let row = rdr
        .records()
        .map(Result::unwrap)
        .find(|r| r[id_col] == hostile)
        .expect("the hostile review");
    assert_eq!(
        &row[text_col], "'=HYPERLINK(\"http://evil\")txet    end",
        "sanitised and defused"
    );

    let tsv = e.run(&[
        "reviews",
        "--app",
        APP,
        "--format",
        "tsv",
        "--columns",
        "id,reviewerName,reviewText",
    ]);
    assert!(tsv.status.success(), "{}", stderr(&tsv));
    assert!(!has_hostile(&tsv.stdout, &['\t', '\n']));
    let text = stdout(&tsv);
    assert!(text.starts_with("id\treviewerName\treviewText\n"), "{text}");
    assert!(text.lines().skip(1).all(|l| l.split('\t').count() == 3), "{text}");
    assert!(text.contains(&format!("{hostile}\t'@mallory\t'=HYPERLINK")), "{text}");

    let jsonl = e.run(&[
        "reviews",
        "--app",
        APP,
        "--format",
        "jsonl",
        "--columns",
        "id,rating,reviewText",
    ]);
    assert!(jsonl.status.success());
    assert!(!has_hostile(&jsonl.stdout, &['\n']), "JSON lines escape");
    let rows: Vec<Value> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 40);
    let back = rows.iter().find(|r| r["id"] == hostile.as_str()).unwrap();
    assert_eq!(
        back["reviewText"], "=HYPERLINK(\"http://evil\")\u{1b}[2J\u{202e}txet\tend",
        "JSON keeps the data"
    );
    assert_eq!(back.as_object().unwrap().len(), 3, "only the chosen columns");

    let table = e.run(&["reviews", "--app", APP, "--columns", "id,reviewTitle"]);
    assert!(table.status.success());
    assert!(!has_hostile(&table.stdout, &['\n']));
    assert!(stdout(&table).contains("clipboard"));
}

#[test]
fn an_unknown_column_is_one_sentence_naming_the_valid_ones() {
    let e = emu(5);
    let o = e.run(&["reviews", "--app", APP, "--format", "csv", "--columns", "id,stars"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("\"stars\" is not a column") && err.contains("reviewText"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
    let o = e.run(&["history", "--format", "tsv", "--columns", "app,when"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at_rfc3339"), "{}", stderr(&o));
}

#[test]
fn a_csv_export_round_trips_through_respond_batch() {
    let e = emu(5);
    let text = "=1+1 \"quoted\", really\nsecond line";
    let id = e.post_review(json!({"rating": 2, "reviewText": "hm", "responseText": text}));
    let o = e.run(&[
        "reviews",
        "--app",
        APP,
        "--filter",
        &format!("id eq '{id}'"),
        "--format",
        "csv",
        "--columns",
        "applicationId,id,responseText",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"'=1+1"), "defused: {}", stdout(&o));
    let file = e.home.path().join("replies.csv");
    std::fs::write(&file, &o.stdout).unwrap();
    let dry = e
        .cmd()
        .args(["respond", "--dry-run", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    let report = stdout(&dry);
    // The same text, apostrophe gone: its length in UTF-16 units, as the Store counts.
    let expected = format!(
        "response of {}/1000 characters to review {id}",
        text.encode_utf16().count()
    );
    assert!(report.contains(&expected), "{report}\n{}", stderr(&dry));
}

/// A Reviews report in UTF-16 LE with a BOM, as Excel saves "Unicode Text".
fn utf16_report(path: &Path, text: &str) {
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn import_report_fills_the_cache_once_and_updates_what_changed() {
    let e = emu(5);
    let file = e.home.path().join("reviews.tsv");
    let report = |rating: u8| {
        format!(
            "Title\tStars\tReview ID\tReview\tDate\tMystery\n\
             Slow\t{rating}\taaaaaaaa-0000-4000-8000-000000000001\tIt is slow\t5/24/2026 1:14:46 AM\tx\n\
             Fine\t4\taaaaaaaa-0000-4000-8000-000000000002\tOk\t05/25/2026\ty\n"
        )
    };
    utf16_report(&file, &report(2));
    let import = || {
        let o = e
            .cmd()
            .args(["import-report", "--app", APP])
            .arg(&file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    assert!(import().contains("2 new, 0 updated, 0 unchanged"));
    assert!(
        import().contains("0 new, 0 updated, 2 unchanged"),
        "a re-import changes nothing"
    );
    utf16_report(&file, &report(3));
    assert!(import().contains("0 new, 1 updated, 1 unchanged"));

    // What the terminal UI would read: the profile's cache, through the library.
    let data = e.home.path().join("data").join("reviewdesk");
    let (db, _) = reviewdesk::db::Db::open(&data, "env").unwrap();
    let cached = db.review(APP, "aaaaaaaa-0000-4000-8000-000000000001").unwrap().unwrap();
    let review: reviewdesk::store::Review = serde_json::from_str(&cached.raw_json).unwrap();
    assert_eq!(review.rating, Some(3));
    assert_eq!(review.review_title.as_deref(), Some("Slow"));
    assert!(review.timestamp.is_some() && cached.date_ts == review.timestamp);
    assert_eq!(review.extra.as_ref().and_then(|x| x.get("Mystery")), Some(&json!("x")));

    std::fs::write(&file, "Date\tStars\n5/1/2026\t3\n").unwrap();
    let o = e
        .cmd()
        .args(["import-report", "--app", APP])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no review-ID column among the headers \"Date\", \"Stars\""));
}

/// What the --exec command of each round was given, from the files it appends to.
struct Sink {
    dir: tempfile::TempDir,
}

impl Sink {
    fn command(&self) -> String {
        let d = self.dir.path().display();
        format!("cat >> {d}/reviews.jsonl && echo \"$WATCH_EVENT $WATCH_APP\" >> {d}/events && env >> {d}/env")
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

#[test]
fn watch_once_exec_hands_on_each_new_and_revised_review_once() {
    let e = emu(20);
    let sink = Sink {
        dir: tempfile::tempdir().unwrap(),
    };
    let watch = |exec: &str| e.run(&["watch", "--once", "--app", APP, "--exec", exec]);
    let first = watch(&sink.command());
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("already there are not handed on"));
    assert_eq!(sink.read("events"), "", "the first round only records");

    let a = e.post_review(json!({"rating": 1, "reviewText": "crashes \u{1b}[2J", "reviewerName": "Ann"}));
    let b = e.post_review(json!({"rating": 5, "reviewText": "love it"}));
    let second = watch(&sink.command());
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(sink.read("events"), format!("new {APP}\nnew {APP}\n"));
    let got: Vec<Value> = sink
        .read("reviews.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()), "{ids:?}");
    assert!(!sink.read("reviews.jsonl").contains('\u{1b}'), "stdin JSON is escaped");
    let env = sink.read("env");
    assert!(env.contains("WATCH_EVENT=new"));
    assert!(
        !env.contains("REVIEWDESK_"),
        "no REVIEWDESK_* variable reaches the command"
    );

    // A revision of a, then a round whose command fails: exit 3, nothing recorded.
    e.post_review(json!({"id": a, "rating": 3, "reviewText": "better now", "isRevised": true}));
    let failing = watch("cat > /dev/null; exit 7");
    assert_eq!(failing.status.code(), Some(3), "{}", stderr(&failing));
    assert!(stderr(&failing).contains("offered again"));
    let third = watch(&sink.command());
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(sink.read("events"), format!("new {APP}\nnew {APP}\nrevised {APP}\n"));
    let last: Value = serde_json::from_str(sink.read("reviews.jsonl").lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["id"].as_str(), last["rating"].as_i64()),
        (Some(a.as_str()), Some(3))
    );

    let fourth = watch(&sink.command());
    assert!(fourth.status.success());
    assert_eq!(sink.read("events").lines().count(), 3, "nothing is handed on twice");

    // Printing instead of --exec: one JSON line per review, the event alongside.
    e.post_review(json!({"rating": 2, "reviewText": "printed"}));
    let printed = e.run(&["watch", "--once", "--app", APP, "--format", "jsonl"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let lines: Vec<Value> = stdout(&printed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&printed));
    assert_eq!(lines[0]["event"], "new");
    assert_eq!(lines[0]["review"]["reviewText"], "printed");
}

#[test]
fn watch_refuses_bad_usage_in_one_sentence() {
    let e = emu(1);
    for (args, says) in [
        (vec!["watch", "--once"], "--app STOREID"),
        (vec!["watch", "--app", APP, "--interval", "10s"], "at least 1m"),
        (vec!["watch", "--app", APP, "--interval", "soon"], "not a duration"),
    ] {
        let o = e.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn completions_for_every_shell_mention_the_subcommands() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = common::bin_in(home.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for sub in [
            "reviews",
            "respond",
            "history",
            "watch",
            "import-report",
            "completions",
            "keys",
        ] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let o = common::bin_in(home.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_pages_are_written_for_every_command() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("man1");
    let o = common::bin_in(home.path())
        .args(["man", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for page in [
        "reviewdesk.1",
        "reviewdesk-watch.1",
        "reviewdesk-outbox-send.1",
        "reviewdesk-import-report.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page} is roff");
    }
    let main = common::bin_in(home.path()).arg("man").output().unwrap();
    assert!(stdout(&main).contains(".SH NAME"));
}

#[test]
fn keys_prints_the_effective_keymap() {
    let home = tempfile::tempdir().unwrap();
    common::write_config(home.path(), "[keys.normal]\nreply = [\"f2\"]\n");
    let o = common::bin_in(home.path())
        .args(["keys", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let reply = rows
        .iter()
        .find(|r| r["context"] == "normal" && r["action"] == "reply")
        .unwrap();
    assert_eq!(reply["keys"], json!(["F2"]), "the override applies");
    assert!(reply["description"].as_str().is_some_and(|d| !d.is_empty()));
    let table = common::bin_in(home.path()).arg("keys").output().unwrap();
    assert!(
        stdout(&table).starts_with("Reviews [keys.normal]"),
        "{}",
        stdout(&table)
    );

    common::write_config(home.path(), "[keys.normal]\nreply = [\"j\"]\n");
    let o = common::bin_in(home.path()).arg("keys").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bound to both"), "{}", stderr(&o));
}
