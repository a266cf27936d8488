//! `reviewdesk history` as a person or a script sees it: the real binary, a private HOME, and a
//! database seeded through the library's own outbox API (so the rows are what the TUI writes).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reviewdesk::db::{Db, OutboxNew};

const APP: &str = "9NBLGGGZ5QDR";
const OTHER_APP: &str = "9WZDNCRFJ3Q8";
/// 2026-11-21 14:03:00 UTC.
const T0: i64 = 1_795_269_780;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Where the binary (through `directories`, honouring XDG_DATA_HOME) keeps databases.
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data").join("reviewdesk")
    }

    fn db_file(&self, profile: &str) -> PathBuf {
        self.data_dir().join(format!("{profile}.sqlite3"))
    }

    /// The binary with private dirs and no credentials, keyring or network at all.
    fn cmd(&self) -> Command {
        let mut c = common::bin_in(self.dir.path());
        // Nothing may be fetched: an unreachable API proves it.
        c.env("REVIEWDESK_API_URL", "http://127.0.0.1:9")
            .env("REVIEWDESK_LOGIN_URL", "http://127.0.0.1:9")
            .env("COLUMNS", "120");
        c
    }

    /// With `REVIEWDESK_*` credentials: the terminal UI's database is then "env".
    fn env_cmd(&self) -> Command {
        let mut c = self.cmd();
        c.env("REVIEWDESK_TENANT_ID", "t")
            .env("REVIEWDESK_CLIENT_ID", "c")
            .env("REVIEWDESK_CLIENT_SECRET", "s");
        c
    }

    fn history(&self, args: &[&str]) -> Output {
        self.env_cmd().arg("history").args(args).output().unwrap()
    }

    fn write_config(&self, text: &str) {
        common::write_config(self.dir.path(), text);
    }
}

/// Queues a reply, claims it as a worker would, and marks it sent (or failed with `fail`).
fn reply(db: &mut Db, app: &str, review: &str, text: &str, at: i64, fail: Option<&str>) {
    let new = OutboxNew {
        app: app.to_owned(),
        review: review.to_owned(),
        text: text.to_owned(),
        support_email: "help@example.com".to_owned(),
        public: true,
    };
    let id = db.enqueue(&new, at - 5).unwrap();
    let item = db
        .claim_next("test-worker", at - 4, 60)
        .unwrap()
        .expect("the queued item");
    assert_eq!(item.id, id);
    match fail {
        None => {
            db.mark_sent(id, at).unwrap();
        }
        Some(reason) => db.mark_failed(id, "test-worker", reason, at).unwrap(),
    }
}

/// Three replies to APP and one to OTHER_APP, a minute apart; r-3 failed.
fn seed(home: &Home, profile: &str) {
    let (mut db, _) = Db::open(&home.data_dir(), profile).unwrap();
    reply(&mut db, APP, "r-1", "Thanks for the review!", T0, None);
    reply(&mut db, OTHER_APP, "o-1", "Other app reply", T0 + 60, None);
    reply(
        &mut db,
        APP,
        "r-3",
        "We are on it.\nSecond line",
        T0 + 120,
        Some("HTTP 400 review gone"),
    );
    reply(&mut db, APP, "r-4", "Newest reply", T0 + 180, None);
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Positions of `needles` in `haystack`, asserting each is there.
fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            haystack
                .find(n)
                .unwrap_or_else(|| panic!("{n:?} missing in:\n{haystack}"))
        })
        .collect()
}

#[test]
fn table_lists_replies_newest_first() {
    let home = Home::new();
    seed(&home, "env");
    let o = home.history(&[]);
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 5, "header and four rows:\n{s}");
    assert!(lines[0].starts_with("WHEN (UTC)") && lines[0].contains("RESULT"), "{s}");
    // Newest first: r-4, r-3, o-1, r-1.
    let at = positions(&s, &["r-4", "r-3", "o-1", "r-1"]);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{s}");
    assert!(
        lines[4].starts_with("2026-11-21 14:03") && lines[4].contains("Thanks for the review!"),
        "{s}"
    );
    assert!(lines[2].contains("failed: HTTP 400 review gone"), "{s}");
    // Only the first line of a multi-line reply, marked as continuing.
    assert!(
        lines[2].contains("We are on it. …") && !s.contains("Second line"),
        "{s}"
    );
    assert!(lines[1].contains("sent") && lines[1].contains(APP), "{s}");
}

#[test]
fn json_is_an_array_of_complete_entries() {
    let home = Home::new();
    seed(&home, "env");
    let o = home.history(&["--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 4);
    let reviews: Vec<&str> = v.iter().map(|e| e["review"].as_str().unwrap()).collect();
    assert_eq!(reviews, ["r-4", "r-3", "o-1", "r-1"]);
    let oldest = &v[3];
    assert_eq!(oldest["profile"], "env");
    assert_eq!(oldest["app"], APP);
    assert_eq!(oldest["at"], T0);
    assert_eq!(oldest["at_rfc3339"], "2026-11-21T14:03:00Z");
    assert_eq!(oldest["text"], "Thanks for the review!");
    assert_eq!(oldest["result"], "sent");
    assert!(oldest["id"].is_i64() && oldest["outbox_id"].is_i64(), "{oldest}");
    assert_eq!(v[1]["result"], "failed: HTTP 400 review gone");
    // The whole text, not the table's first line.
    assert_eq!(v[1]["text"], "We are on it.\nSecond line");
}

#[test]
fn reads_while_another_process_has_the_database_open() {
    let home = Home::new();
    seed(&home, "env");
    // As a running terminal UI would: a connection open, its WAL holding an uncheckpointed row.
    let (mut db, _) = Db::open(&home.data_dir(), "env").unwrap();
    reply(&mut db, APP, "r-live", "Written while open", T0 + 600, None);
    let o = home.history(&["--limit", "1"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("r-live"), "{}", out(&o));
    drop(db);
}

#[test]
fn app_filters_and_limit_limits() {
    let home = Home::new();
    seed(&home, "env");
    // Store IDs are matched whatever their case, as the other commands normalise them.
    let o = home.history(&["--app", &OTHER_APP.to_ascii_lowercase()]);
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert_eq!(s.lines().count(), 2, "{s}");
    assert!(s.contains("o-1") && !s.contains("r-1") && !s.contains("r-4"), "{s}");

    let o = home.history(&["--limit", "2"]);
    let s = out(&o);
    assert_eq!(s.lines().count(), 3, "{s}");
    assert!(s.contains("r-4") && s.contains("r-3") && !s.contains("o-1"), "{s}");

    let o = home.history(&["--app", APP, "--limit", "2", "--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let reviews: Vec<&str> = v.iter().map(|e| e["review"].as_str().unwrap()).collect();
    assert_eq!(reviews, ["r-4", "r-3"]);

    let o = home.history(&["--app", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let o = home.history(&["--limit", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn the_table_limit_defaults_to_fifty_and_json_to_all() {
    let home = Home::new();
    {
        let (mut db, _) = Db::open(&home.data_dir(), "env").unwrap();
        for i in 0..55 {
            reply(&mut db, APP, &format!("r-{i}"), "ok", T0 + i, None);
        }
    }
    let o = home.history(&[]);
    assert_eq!(out(&o).lines().count(), 51, "{}", out(&o));
    let o = home.history(&["--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 55);
}

#[test]
fn csv_tsv_and_jsonl_exports_with_chosen_columns() {
    let home = Home::new();
    seed(&home, "env");
    // The columns `respond --batch` reads: a file to send the failed reply again.
    let o = home.history(&["--format", "csv", "--columns", "app,review,text", "--app", APP]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "app,review,text\r\n9NBLGGGZ5QDR,r-4,Newest reply\r\n9NBLGGGZ5QDR,r-3,\"We are on it.\nSecond line\"\r\n9NBLGGGZ5QDR,r-1,Thanks for the review!\r\n"
    );
    let o = home.history(&["--format", "tsv", "--limit", "2"]);
    assert!(o.status.success(), "{}", err(&o));
    let tsv = out(&o);
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(lines[0], "id\tat_rfc3339\tapp\treview\tresult\ttext");
    assert_eq!(lines.len(), 3, "{tsv}");
    assert!(
        lines[2].ends_with("\tfailed: HTTP 400 review gone\tWe are on it.\\nSecond line"),
        "{tsv}"
    );
    let o = home.history(&["--format", "jsonl", "--columns", "review,at"]);
    let rows: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3], serde_json::json!({"review": "r-1", "at": T0}));
    assert!(out(&o).starts_with("{\"review\":"), "keys in the order asked");
}

#[test]
fn no_database_is_said_and_nothing_is_created() {
    let home = Home::new();
    let o = home.history(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let file = home.db_file("env");
    let e = err(&o);
    assert!(
        e.contains("no replies recorded yet for profile env") && e.contains(&file.display().to_string()),
        "{e}"
    );
    assert!(out(&o).is_empty(), "{}", out(&o));
    assert!(!home.data_dir().exists(), "history must not create the data directory");

    let o = home.history(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.is_empty());
    assert!(!file.exists() && !home.data_dir().exists());

    // A CSV still gets its header, so that a spreadsheet or script reads an empty table.
    let o = home.history(&["--format", "csv"]);
    assert_eq!(out(&o), "id,at_rfc3339,app,review,result,text\r\n");
}

#[test]
fn profiles_resolve_as_for_other_commands_without_credentials() {
    let home = Home::new();
    home.write_config(
        r#"default_profile = "contoso"

[profiles.contoso]
tenant = "00000000-0000-0000-0000-000000000001"
client_id = "00000000-0000-0000-0000-000000000002"

[profiles.fabrikam]
tenant = "00000000-0000-0000-0000-000000000003"
client_id = "00000000-0000-0000-0000-000000000004"
"#,
    );
    seed(&home, "contoso");
    {
        let (mut db, _) = Db::open(&home.data_dir(), "fabrikam").unwrap();
        reply(&mut db, APP, "fab-1", "Fabrikam reply", T0, None);
    }
    // No REVIEWDESK_* credentials and no keyring entry: the default profile's file is read.
    let o = home.cmd().arg("history").output().unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("r-4") && !out(&o).contains("fab-1"), "{}", out(&o));
    // --profile wins, even over REVIEWDESK_* credentials.
    let o = home
        .env_cmd()
        .args(["history", "--profile", "fabrikam"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("fab-1") && !out(&o).contains("r-4"), "{}", out(&o));
    // REVIEWDESK_* credentials without --profile: the TUI's "env" database, which is empty.
    let o = home.history(&[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("for profile env"), "{}", err(&o));
    // An unknown profile is a usage error, as elsewhere.
    let o = home.cmd().args(["history", "--profile", "nope"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn hostile_text_is_not_printed_raw_in_the_table() {
    let home = Home::new();
    {
        let (mut db, _) = Db::open(&home.data_dir(), "env").unwrap();
        let hostile = "hi\u{1b}]52;c;aGVsbG8=\u{7}there\u{1b}[2J\u{9b}31m\u{202e}evil";
        reply(
            &mut db,
            APP,
            "rev\u{1b}[31m-1",
            hostile,
            T0,
            Some("bad\u{1b}]0;title\u{7}reason"),
        );
    }
    let o = home.history(&[]);
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert!(
        !s.chars()
            .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{9b}' || c == '\u{202e}'),
        "{s:?}"
    );
    assert!(s.contains("hi") && s.contains("evil"), "{s}");
    // JSON keeps the data but escapes it.
    let o = home.history(&["--format", "json"]);
    let raw = out(&o);
    assert!(!raw.contains('\u{1b}') && raw.contains("\\u001b"), "{raw}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&raw).unwrap();
    assert!(v[0]["text"].as_str().unwrap().contains('\u{1b}'));
}

#[test]
fn a_damaged_file_is_an_error_naming_it_and_left_in_place() {
    let home = Home::new();
    std::fs::create_dir_all(home.data_dir()).unwrap();
    let file = home.db_file("env");
    let garbage = b"this is not a sqlite database, just garbage bytes \x00\x01\x02".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    let o = home.history(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains(&file.display().to_string()) && e.contains("damaged"), "{e}");
    assert_eq!(e.lines().count(), 1, "one sentence: {e}");
    // Not moved aside, not rewritten, nothing else made next to it.
    assert_eq!(std::fs::read(&file).unwrap(), garbage);
    assert_eq!(entries(&home.data_dir()), ["env.sqlite3"]);
}

#[test]
fn a_broken_pipe_is_quiet() {
    let home = Home::new();
    {
        let (mut db, _) = Db::open(&home.data_dir(), "env").unwrap();
        for i in 0..300 {
            reply(&mut db, APP, &format!("r-{i}"), &"long reply ".repeat(20), T0 + i, None);
        }
    }
    let mut child = home
        .env_cmd()
        .args(["history", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one chunk, then hang up, as `| head -c` does.
    {
        use std::io::Read;
        let mut stdout = child.stdout.take().unwrap();
        let mut buf = [0u8; 64];
        stdout.read_exact(&mut buf).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(err(&o).is_empty(), "{}", err(&o));
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn help_documents_the_defaults() {
    let o = Home::new().cmd().args(["history", "--help"]).output().unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert!(
        s.contains("Default: 50 for the table, all for the other formats") && s.contains("UTC"),
        "{s}"
    );
}
