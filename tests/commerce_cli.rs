//! Commerce Ratings & Reviews from the command line, as a merchant uses it: the real binary,
//! the kernel keyring in a session keyring of its own (`keyctl session -`), the emulator over
//! TCP, and real files. Skips loudly without keyctl (package keyutils), and fails under CI.
#![cfg(target_os = "linux")]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::keyring::tools;
use reviewdesk::emulator::commerce::{CommerceSettingsPatch, Registration};
use reviewdesk::emulator::{
    self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig, EmulatorHandle, FaultSpec,
    ServerError, Throttle,
};

struct Site {
    home: tempfile::TempDir,
    emu: EmulatorHandle,
    rt: tokio::runtime::Runtime,
    /// The registration's Name (unique per test: the kernel keyring outlives the test).
    name: String,
    key: String,
    outputs: Vec<String>,
}

fn have_keyctl(test: &str) -> bool {
    tools(test, &[("keyctl", "keyutils")])
}

impl Site {
    fn new() -> Site {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt.block_on(emulator::start(EmulatorConfig::default())).unwrap();
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("Fabrikam App {} {n}", std::process::id());
        let key = format!("fabrikam-app-{}-{n}", std::process::id());
        Site {
            home: tempfile::tempdir().unwrap(),
            emu,
            rt,
            name,
            key,
            outputs: Vec::new(),
        }
    }

    fn dir(&self, d: &str) -> PathBuf {
        self.home.path().join(d)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("keyctl");
        c.args(["session", "-"])
            .arg(assert_cmd::cargo::cargo_bin("reviewdesk"))
            .args(args);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.dir("config"))
            .env("XDG_STATE_HOME", self.dir("state"))
            .env("XDG_DATA_HOME", self.dir("data"))
            .env("RUST_LOG", "debug")
            .env("REVIEWDESK_LOGIN_URL", self.emu.base_url())
            .env("REVIEWDESK_SECRETS_BACKEND", "keyutils");
        c
    }

    fn run(&mut self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
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

    fn add(&mut self) {
        let url = self.emu.base_url();
        let name = self.name.clone();
        let out = self.run(
            &[
                "profile",
                "add",
                "--kind",
                "commerce",
                "--name",
                &name,
                "--client",
                DEFAULT_CLIENT_ID,
                "--tenant",
                DEFAULT_TENANT_ID,
                "--rnr-url",
                &url,
                "--secret-stdin",
            ],
            Some(&format!("{DEFAULT_CLIENT_SECRET}\n")),
        );
        assert!(out.status.success(), "{}", text(&out));
    }

    fn remove(&mut self) {
        let key = self.key.clone();
        let out = self.run(&["profile", "remove", &key], None);
        assert!(out.status.success(), "{}", text(&out));
    }

    /// No byte written or printed holds the client secret or a SAS signature.
    fn assert_no_credentials(&self, sigs: &[String]) {
        let mut files = Vec::new();
        for d in ["config", "state", "data"] {
            walk(&self.dir(d), &mut files);
        }
        assert!(files.iter().any(|f| f.ends_with("reviewdesk.log")), "{files:?}");
        let mut needles = vec![DEFAULT_CLIENT_SECRET.to_owned()];
        needles.extend(sigs.iter().cloned());
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            for n in &needles {
                assert!(
                    !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                    "{n} is in {}",
                    f.display()
                );
            }
        }
        for o in &self.outputs {
            for n in &needles {
                assert!(!o.contains(n.as_str()), "{n} was printed: {o}");
            }
        }
    }
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_registration_is_added_tested_refused_when_not_allow_listed_and_removed() {
    if !have_keyctl("a_registration_is_added_tested_refused_when_not_allow_listed_and_removed") {
        return;
    }
    let mut s = Site::new();
    s.add();
    let key = s.key.clone();
    let list = s.run(&["profile", "list", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let me = v
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == key.as_str())
        .unwrap();
    assert_eq!(me["kind"], "commerce");
    assert_eq!(me["commerce"]["name"], s.name.as_str());
    assert_eq!(me["secret"], "stored");

    let ok = s.run(&["profile", "test", &s.name.clone()], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains("inferred default"),
        "doctor-like facts name what is inferred: {}",
        text(&ok)
    );

    // The site builder's trash can: the same token is now refused, with the step to fix it.
    assert!(
        s.emu
            .remove_commerce_registration(emulator::commerce::DEFAULT_REGISTRATION_NAME)
    );
    let refused = s.run(&["profile", "test", &key], None);
    assert_eq!(refused.status.code(), Some(1));
    let t = text(&refused);
    assert!(
        t.contains("Service-to-Service (S2S) Authentication → Manage") && t.contains(DEFAULT_CLIENT_ID),
        "{t}"
    );
    let export = s.run(&["commerce", "export"], None);
    assert_eq!(export.status.code(), Some(1), "{}", text(&export));
    // The pencil: the site's registration now names another Client App ID. Every place that
    // meets the refusal names the site-builder step, this Client App ID and this profile.
    s.emu.put_commerce_registration(
        "Fabrikam App",
        Registration {
            name: "Fabrikam App".into(),
            client_app_id: "00000000-0000-0000-0000-00000000abcd".into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
        },
    );
    let doctor = s.run(&["doctor"], None);
    let export = s.run(&["commerce", "export"], None);
    let test = s.run(&["profile", "test", &key], None);
    for (what, out) in [
        ("doctor", &doctor),
        ("commerce export", &export),
        ("profile test", &test),
    ] {
        let t = text(out);
        assert_ne!(out.status.code(), Some(0), "{what}: {t}");
        assert!(
            t.contains("Home → Reviews → Settings → Service-to-Service (S2S) Authentication → Manage")
                && t.contains(&format!("Client App ID {DEFAULT_CLIENT_ID}"))
                && t.contains(&format!("`reviewdesk profile edit {key} --scope …` sets it")),
            "{what} names the step, the ID and the profile: {t}"
        );
        assert!(!t.contains("profile edit NAME"), "{what}: {t}");
    }
    assert!(s.emu.remove_commerce_registration("Fabrikam App"));

    // Added back with the pencil under another name: accepted again.
    s.emu.put_commerce_registration(
        "Fabrikam ERP",
        Registration {
            name: "Fabrikam ERP".into(),
            client_app_id: DEFAULT_CLIENT_ID.into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
        },
    );
    assert!(s.run(&["profile", "test", &key], None).status.success());

    // A token for the wrong audience (the Store's) is refused the same way.
    let edit = s.run(
        &[
            "profile",
            "edit",
            &key,
            "--scope",
            "https://manage.devcenter.microsoft.com/.default",
        ],
        None,
    );
    assert!(edit.status.success(), "{}", text(&edit));
    let wrong = s.run(&["profile", "test", &key], None);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("audience"), "{}", text(&wrong));
    assert!(s.run(&["profile", "edit", &key, "--scope", ""], None).status.success());
    assert!(s.run(&["profile", "test", &key], None).status.success());

    // Bad input: one sentence, exit 2.
    let bad = s.run(
        &[
            "profile",
            "add",
            "--kind",
            "commerce",
            "--name",
            "X",
            "--client",
            DEFAULT_CLIENT_ID,
            "--tenant",
            DEFAULT_TENANT_ID,
            "--rnr-url",
            "ftp://x",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("rnr.ms"), "{}", text(&bad));
    s.remove();
    s.assert_no_credentials(&[]);
}

/// The `sig=` values the emulator handed out, read back from its blobs' URLs in the log-free way:
/// ask for an export directly.
fn a_signature(s: &Site) -> String {
    let url = format!("{}/v2.0/export/reviews/?tenantId={DEFAULT_TENANT_ID}", s.emu.base_url());
    let token = s.rt.block_on(async {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("scope", &format!("{}/.default", s.emu.base_url())),
        ];
        let http = reviewdesk::http::build_http_client(&reviewdesk::config::Config::default().network).unwrap();
        let v: serde_json::Value = http
            .post(format!("{}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", s.emu.base_url()))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let t = v["access_token"].as_str().unwrap().to_owned();
        let e: serde_json::Value = http.get(url).bearer_auth(t).send().await.unwrap().json().await.unwrap();
        e["blobSasUrl"].as_str().unwrap().to_owned()
    });
    let sig = token.split("sig=").nth(1).unwrap().split('&').next().unwrap();
    sig.to_owned()
}

#[test]
fn export_is_streamed_cached_escaped_and_asks_again_once_for_an_expired_link() {
    if !have_keyctl("export_is_streamed_cached_escaped_and_asks_again_once_for_an_expired_link") {
        return;
    }
    let mut s = Site::new();
    s.add();
    // Piped: no progress bar, JSON lines with the hostile text escaped.
    let out = s.run(&["commerce", "export", "--format", "jsonl"], None);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Exported 40 reviews") && !stderr.contains("Downloading"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains('\u{1b}') && stdout.contains("\\u001b"),
        "hostile text is escaped"
    );
    let rows: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 40);
    assert!(
        rows.iter().any(|r| r["ReportedConcerns"].is_string()),
        "the unknown column is kept"
    );
    assert!(rows.iter().any(|r| r["responderName"].is_string()));
    let db = s.dir("data/reviewdesk").join(format!("{}.sqlite3", s.key));
    let conn = rusqlite::Connection::open(&db).unwrap();
    // One copy, where the terminal UI reads the site: `reviews` under `site:<profile>`, each
    // row giving back the whole exported review, unknown columns included.
    let app = reviewdesk::provider::site_source_id(&s.key);
    let cached: Vec<String> = conn
        .prepare("SELECT raw_json FROM reviews WHERE app = ?1 AND vanished = 0")
        .unwrap()
        .query_map([&app], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(cached.len(), 40);
    let back: Vec<_> = cached
        .iter()
        .filter_map(|j| reviewdesk::commerce::listed::from_review(&serde_json::from_str(j).unwrap()))
        .collect();
    assert_eq!(back.len(), 40);
    assert!(
        back.iter().any(|r| r.extra.contains_key("ReportedConcerns")),
        "{cached:?}"
    );
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'commerce_reviews'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "no second copy");

    // JSON export, the link expired once: asked again, then fine.
    s.emu.set_commerce_settings(CommerceSettingsPatch {
        export_format: Some(emulator::commerce::ExportFormat::Json),
        expired_exports: Some(1),
        ..Default::default()
    });
    let file = s.dir("out.csv");
    let out = s.run(
        &["commerce", "export", "--format", "csv", "--out", file.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv.lines().next().unwrap().split(',').count(), 20);
    // Expired twice: one clear error.
    s.emu.set_commerce_settings(CommerceSettingsPatch {
        expired_exports: Some(2),
        ..Default::default()
    });
    let out = s.run(&["commerce", "export"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("expired"), "{}", text(&out));
    // An expired link is not even tried when `expires` says so; the last one was, and refused.
    assert_eq!(s.emu.stats().commerce.blob_refused, 1);
    let sig = a_signature(&s);
    s.remove();
    s.assert_no_credentials(&[sig]);
}

#[test]
fn export_shows_a_progress_bar_on_a_terminal() {
    if !have_keyctl("export_shows_a_progress_bar_on_a_terminal") {
        return;
    }
    let mut s = Site::new();
    s.add();
    let file = s.dir("out.json");
    let cmd = s.command(&["commerce", "export", "--out", file.to_str().unwrap()]);
    let mut pty = common::pty::Pty::spawn(cmd, 100, 10);
    let status = pty.wait_exit(Duration::from_secs(60)).expect("export ends");
    assert!(status.success(), "{}", pty.text());
    let screen = pty.text();
    assert!(
        screen.contains("Downloading the export:") && screen.contains("100%"),
        "{screen}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 40);
    s.remove();
}

#[test]
fn an_invalid_import_file_exits_2_and_sends_nothing() {
    if !have_keyctl("an_invalid_import_file_exits_2_and_sends_nothing") {
        return;
    }
    let mut s = Site::new();
    s.add();
    let bad = s.dir("bad.csv");
    std::fs::write(
        &bad,
        "ProductId,Rating,Title,ReviewText,ProductName\np1,five,t,x,n\np1,0,t,x,n\n,3,t,x,n\np1,4,ok,fine,n\n",
    )
    .unwrap();
    let out = s.run(&["commerce", "import", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("line 2: rating \"five\"") && t.contains("line 3") && t.contains("line 4"),
        "{t}"
    );
    let utf16 = s.dir("utf16.csv");
    std::fs::write(&utf16, b"\xFF\xFEp\0r\0").unwrap();
    let out = s.run(&["commerce", "import", utf16.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("UTF-16"), "{}", text(&out));
    let empty = s.dir("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert_eq!(
        s.run(&["commerce", "import", empty.to_str().unwrap()], None)
            .status
            .code(),
        Some(2)
    );
    // A file with no valid row at all: --skip-invalid is not offered as the way out.
    let none_valid = s.dir("none.csv");
    std::fs::write(
        &none_valid,
        "productId,rating,title,reviewText,productName\np1,0,t,x,n\n",
    )
    .unwrap();
    for extra in [None, Some("--skip-invalid")] {
        let mut args = vec!["commerce", "import", none_valid.to_str().unwrap()];
        args.extend(extra);
        let out = s.run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let t = text(&out);
        assert!(t.contains("rating \"0\" is not a whole number from 1 to 5"), "{t}");
        assert!(t.contains("no row is valid") && !t.contains("the 0 valid rows"), "{t}");
    }
    assert_eq!(s.emu.stats().commerce.submit_requests, 0, "nothing was sent");
    // --skip-invalid sends the one good row.
    let out = s.run(&["commerce", "import", bad.to_str().unwrap(), "--skip-invalid"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(s.emu.stats().commerce.submitted.len(), 1);
    s.remove();
}

fn wait_for(limit: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn an_import_killed_halfway_and_run_again_submits_every_row_exactly_once() {
    if !have_keyctl("an_import_killed_halfway_and_run_again_submits_every_row_exactly_once") {
        return;
    }
    let mut s = Site::new();
    s.add();
    let file = s.dir("reviews.jsonl");
    let mut rows = String::new();
    for i in 0..1000 {
        rows.push_str(
            &serde_json::json!({
                "productId": "68719498121", "rating": 1 + i % 5, "title": format!("Imported {i}"),
                "reviewText": format!("Review {i}: très bien, 很好, ممتاز \u{1b}]0;x\u{7}"),
                "productName": "Fabrikam Trail Runner 2", "user": format!("legacy-{i}"),
                "submittedDateTime": "2021-03-04T05:06:07Z",
            })
            .to_string(),
        );
        rows.push('\n');
    }
    std::fs::write(&file, rows).unwrap();
    s.emu.set_faults(FaultSpec {
        throttle: Some(Throttle {
            count: 4,
            retry_after: Some("1".into()),
        }),
        server_error: Some(ServerError { count: 4, status: 503 }),
        delay_ms: Some(3),
        ..FaultSpec::default()
    });
    let mut cmd = s.command(&["commerce", "import", file.to_str().unwrap(), "--parallel", "4"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let halfway = wait_for(Duration::from_secs(120), || {
        s.emu.stats().commerce.submitted.len() >= 400
    });
    // SIGKILL to keyctl's child too: keyctl execs the binary, so this is reviewdesk itself.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(halfway, "the import got halfway");
    // A request the emulator had already received when the process died is still applied
    // (its answer is what goes unheard): let those land before counting.
    std::thread::sleep(Duration::from_millis(300));
    let after_kill = s.emu.stats().commerce.submitted.len();
    assert!(after_kill < 1000, "killed before the end ({after_kill})");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        s.emu.stats().commerce.submitted.len(),
        after_kill,
        "the process really is gone"
    );
    // A second run: rows left in flight are verified against an export, the rest sent.
    s.emu.set_faults(FaultSpec {
        delay_ms: Some(0),
        throttle: Some(Throttle {
            count: 2,
            retry_after: Some("1".into()),
        }),
        ..FaultSpec::default()
    });
    let out = s.run(
        &[
            "commerce",
            "import",
            file.to_str().unwrap(),
            "--parallel",
            "4",
            "--format",
            "jsonl",
        ],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 1000, "one result per row");
    assert!(results.iter().any(|r| r["status"] == "already-imported"));
    let stats = s.emu.stats().commerce;
    assert_eq!(stats.submitted.len(), 1000, "every row arrived");
    let twice: Vec<_> = stats.submitted.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "rows submitted more than once: {twice:?}");
    // A third run sends nothing.
    let before = s.emu.stats().commerce.submit_requests;
    let out = s.run(&["commerce", "import", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("(1000 by earlier runs"), "{}", text(&out));
    assert_eq!(s.emu.stats().commerce.submit_requests, before);
    // The imported reviews are in the next export, hostile text and all.
    let out = s.run(&["commerce", "export", "--format", "jsonl"], None);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Exported 1040 reviews"),
        "{}",
        text(&out)
    );
    s.remove();
}

#[test]
fn rows_whose_answer_was_lost_are_verified_against_an_export_not_sent_again() {
    if !have_keyctl("rows_whose_answer_was_lost_are_verified_against_an_export_not_sent_again") {
        return;
    }
    let mut s = Site::new();
    s.add();
    std::fs::write(
        s.dir("config/reviewdesk/config.toml"),
        format!(
            "{}\n[network]\nrequest_timeout_secs = 1\n",
            std::fs::read_to_string(s.dir("config/reviewdesk/config.toml")).unwrap()
        ),
    )
    .unwrap();
    let file = s.dir("three.csv");
    std::fs::write(
        &file,
        "productId,rating,title,reviewText,productName\np1,5,A,same,Shoe\np1,5,A,same,Shoe\np2,3,B,other,Boot\n",
    )
    .unwrap();
    // Applied at once, answered after the client gave up: every answer is lost.
    s.emu.set_faults(FaultSpec {
        late_reply_ms: Some(1500),
        ..FaultSpec::default()
    });
    let out = s.run(
        &["commerce", "import", file.to_str().unwrap(), "--format", "jsonl"],
        None,
    );
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("3 confirmed from the export"), "{t}");
    let stats = s.emu.stats().commerce;
    assert_eq!(stats.submit_requests, 3, "no row was sent again");
    assert_eq!(stats.submitted.values().sum::<u64>(), 3);
    s.remove();
}

/// The service answering 500 for a minute: the export and the import each end with one
/// sentence saying what failed and what to do; the import stops instead of trying every row,
/// and once the service is back a re-run sends every row exactly once.
#[test]
fn a_failing_service_is_said_once_and_nothing_is_imported_twice() {
    if !have_keyctl("a_failing_service_is_said_once_and_nothing_is_imported_twice") {
        return;
    }
    let mut s = Site::new();
    s.add();
    // Two attempts per call keep the test short; the sentence is the same with the default 5.
    let config = s.dir("config/reviewdesk/config.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[network]\nmax_attempts = 2\n");
    std::fs::write(&config, toml).unwrap();
    s.emu.set_faults(FaultSpec {
        server_error: Some(ServerError {
            count: 1000,
            status: 500,
        }),
        ..Default::default()
    });
    let export = s.run(&["commerce", "export", "--format", "jsonl"], None);
    assert_eq!(export.status.code(), Some(1), "{}", text(&export));
    let t = text(&export);
    assert!(
        t.contains("answered HTTP 500 to Export All Reviews")
            && t.contains("the service is failing: try again in a few minutes"),
        "{t}"
    );
    let rows = s.dir("rows.csv");
    std::fs::write(
        &rows,
        "productId,rating,title,reviewText,productName\np1,5,Warm,Dry feet,Boot\np2,4,Fine,Okay,Boot\np3,3,Meh,Fine,Boot\n",
    )
    .unwrap();
    let import = s.run(&["commerce", "import", rows.to_str().unwrap()], None);
    assert_eq!(import.status.code(), Some(1), "{}", text(&import));
    let t = text(&import);
    assert!(
        t.contains("the import stopped: Ratings & Reviews answered HTTP 500")
            && t.contains("rows already sent are not sent again"),
        "{t}"
    );
    assert_eq!(
        s.emu.stats().commerce.submit_requests,
        2,
        "the first row's two attempts, then it stopped"
    );
    s.emu.set_faults(FaultSpec {
        server_error: Some(ServerError { count: 0, status: 500 }),
        ..Default::default()
    });
    let again = s.run(&["commerce", "import", rows.to_str().unwrap()], None);
    assert!(again.status.success(), "{}", text(&again));
    let submitted = s.emu.stats().commerce.submitted;
    assert_eq!(submitted.len(), 3, "{submitted:?}");
    assert!(submitted.values().all(|n| *n == 1), "each row once: {submitted:?}");
    s.remove();
}
