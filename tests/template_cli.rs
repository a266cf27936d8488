//! `reviewdesk template …` and `respond --template/--check`: the real binary in a private HOME,
//! against the emulator over TCP.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::tmux::{APP, Emu, emu};

fn run(home: &Path, emu: Option<&Emu>, args: &[&str]) -> Output {
    cmd(home, emu, args).output().unwrap()
}

fn cmd(home: &Path, emu: Option<&Emu>, args: &[&str]) -> Command {
    let mut c = common::bin_in(home);
    if let Some(e) = emu {
        common::emulator_env(&mut c, &e.handle.base_url());
    }
    c.args(args);
    c
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn templates_dir(home: &Path) -> PathBuf {
    home.join("config").join("reviewdesk").join("templates")
}

/// An $EDITOR that replaces the file with `content` and records how many REVIEWDESK_*
/// variables it could see.
fn editor(home: &Path, name: &str, content: &str) -> PathBuf {
    let path = home.join(name);
    let script = format!(
        "#!/bin/sh\nenv | grep -c '^REVIEWDESK_' > \"{}\"\ncat > \"$1\" <<'END'\n{content}\nEND\n",
        home.join(format!("{name}.env")).display()
    );
    std::fs::write(&path, script).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).unwrap();
    path
}

#[test]
fn add_list_show_edit_remove() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = run(
        h,
        None,
        &["template", "add", "thanks", "--body", "Thank you, {reviewer|friend}!"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = run(h, None, &["template", "add", "thanks", "--body", "again"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("exists already"), "{}", err(&o));

    let crash = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/crash-fixed.toml");
    let o = run(
        h,
        None,
        &["template", "add", "crash-fixed", "--from", crash.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = run(h, None, &["template", "list"]);
    let listing = out(&o);
    assert!(
        listing.contains("crash-fixed") && listing.contains("default,de,fr"),
        "{listing}"
    );
    assert!(listing.lines().any(|l| l.starts_with("thanks ")), "{listing}");
    let o = run(h, None, &["template", "show", "thanks"]);
    assert!(out(&o).contains("Thank you, {reviewer|friend}!"), "{}", out(&o));

    // An unknown placeholder is refused with file and line; nothing is written.
    let o = run(h, None, &["template", "add", "bad", "--body", "Hi\n{reviwer}"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("bad.toml:3: unknown placeholder {reviwer}"),
        "{}",
        err(&o)
    );
    assert!(!templates_dir(h).join("bad.toml").exists());

    // An edit that does not load keeps the template as it was and the edit aside.
    let broken = editor(h, "broken.sh", "body = \"Hello {nme}\"");
    let o = cmd(h, None, &["template", "edit", "thanks"])
        .env("EDITOR", &broken)
        .env("REVIEWDESK_CLIENT_SECRET", "must-not-reach-the-editor")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("your edit is kept in"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(h.join("broken.sh.env")).unwrap().trim(), "0");
    assert!(out(&run(h, None, &["template", "show", "thanks"])).contains("{reviewer|friend}"));
    let side = templates_dir(h).join(".thanks.toml.edit");
    assert!(std::fs::read_to_string(&side).unwrap().contains("{nme}"));
    let fixed = editor(h, "fixed.sh", "body = \"Hello {reviewer|you}\"");
    let o = cmd(h, None, &["template", "edit", "thanks"])
        .env("EDITOR", &fixed)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("Reopening your earlier edit"), "{}", err(&o));
    assert!(out(&run(h, None, &["template", "show", "thanks"])).contains("Hello {reviewer|you}"));
    assert!(!side.exists());

    let o = run(h, None, &["template", "remove", "thanks"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = run(h, None, &["template", "show", "thanks"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("the templates are crash-fixed"), "{}", err(&o));
}

/// The response the emulator holds for a review, read back through `reviews --format json`.
fn response_of(home: &Path, e: &Emu, review: &str) -> Option<String> {
    let filter = format!("id eq '{review}'");
    let o = run(
        home,
        Some(e),
        &[
            "reviews",
            "--app",
            APP,
            "--since",
            "2012-01-01",
            "--filter",
            &filter,
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .first()?
        .get("responseText")?
        .as_str()
        .map(str::to_owned)
}

#[test]
fn respond_with_a_template_renders_it_for_the_review_and_keeps_hostile_names_out() {
    let e = emu(None);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let body = "Hi {reviewer|there}, {app} {version|} is fixed. Write to {support_email}.";
    assert!(
        run(h, None, &["template", "add", "fixed", "--body", body])
            .status
            .success()
    );
    let review = e.handle.add_review(
        APP,
        serde_json::json!({"reviewerName": "Eve\u{1b}]0;pwned\u{7}\r\nRoot", "packageVersion": "2.4.1", "rating": 1}),
    );
    let o = run(
        h,
        Some(&e),
        &[
            "respond",
            "--app",
            APP,
            "--review",
            &review,
            "--template",
            "fixed",
            "--support-email",
            "help@contoso.example",
        ],
    );
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let text = response_of(h, &e, &review).expect("the reply reached the emulator");
    assert!(text.starts_with("Hi Eve Root, "), "{text:?}");
    assert!(
        text.ends_with(" 2.4.1 is fixed. Write to help@contoso.example."),
        "{text:?}"
    );
    assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    assert_eq!(e.handle.stats().applied_responses.get(&review), Some(&1));
}

#[test]
fn respond_check_sends_nothing_and_its_exit_code_says_whether_anything_blocks() {
    let e = emu(None);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(
        run(
            h,
            None,
            &["template", "add", "strict", "--body", "Version {version} fixes it."]
        )
        .status
        .success()
    );
    let review = e
        .handle
        .add_review(APP, serde_json::json!({"rating": 2, "reviewText": "crashes"}));
    let base = [
        "respond",
        "--app",
        APP,
        "--review",
        review.as_str(),
        "--support-email",
        "help@contoso.example",
    ];

    let mut args = base.to_vec();
    args.extend(["--template", "strict", "--check"]);
    let o = run(h, Some(&e), &args);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("blocks [unfilled placeholder]") && err(&o).contains("\"{version}\""),
        "{}",
        err(&o)
    );
    assert!(
        out(&o).contains("something blocks sending. Nothing was sent."),
        "{}",
        out(&o)
    );

    let mut args = base.to_vec();
    args.extend([
        "--text",
        "Fixed! Also download our other app at https://contoso.example",
        "--check",
    ]);
    let o = run(h, Some(&e), &args);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("warning [promotion]") && err(&o).contains("\"download our\""),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("\"https://contoso.example\""), "{}", err(&o));

    // Without --check, a blocking finding refuses to send.
    let mut args = base.to_vec();
    args.extend(["--template", "strict"]);
    let o = run(h, Some(&e), &args);
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!(err(&o).contains("nothing was sent"), "{}", err(&o));
    let st = e.handle.stats();
    assert_eq!((st.submit_requests, st.submitted_items), (0, 0), "{st:?}");
}

#[test]
fn a_batch_fills_the_template_where_a_line_has_no_text() {
    let e = emu(None);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(
        run(
            h,
            None,
            &["template", "add", "hello", "--body", "Thanks, {reviewer|there}!"]
        )
        .status
        .success()
    );
    let names = ["Ana", "Ben", "Zoë"];
    let ids: Vec<String> = names
        .iter()
        .map(|n| {
            e.handle
                .add_review(APP, serde_json::json!({"reviewerName": n, "rating": 1}))
        })
        .collect();
    let csv = format!(
        "app,review,text,support_email\n{APP},{},,help@contoso.example\n{APP},{},,help@contoso.example\n{APP},{},Personal words for you.,help@contoso.example\n",
        ids[0], ids[1], ids[2]
    );
    let file = h.join("batch.csv");
    std::fs::write(&file, csv).unwrap();
    let o = run(
        h,
        Some(&e),
        &["respond", "--batch", file.to_str().unwrap(), "--template", "hello"],
    );
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("Summary: 3 sent"), "{}", out(&o));
    assert_eq!(response_of(h, &e, &ids[0]).as_deref(), Some("Thanks, Ana!"));
    assert_eq!(response_of(h, &e, &ids[1]).as_deref(), Some("Thanks, Ben!"));
    assert_eq!(response_of(h, &e, &ids[2]).as_deref(), Some("Personal words for you."));
    // One request carried all three.
    assert_eq!(e.handle.stats().submit_requests, 1);
}
