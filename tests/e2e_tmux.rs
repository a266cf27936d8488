//! End to end: the real binary in a real terminal (a private tmux server) against the in-process
//! emulator. What a person at a terminal would see and do: keys, paste, resizes, signals, and
//! the bytes that reach the terminal.
//!
//! Every test starts its own tmux server (`tmux -L <unique socket>`) and its own emulator, so the
//! tests are independent and may run in parallel. Without tmux the tests say SKIPPED loudly and
//! pass, except under `CI`, where a missing tmux fails them.

mod common;

use std::time::{Duration, Instant};

use common::tmux::*;
use reviewdesk::emulator::FaultSpec;
// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn navigate_search_reply_and_quit() {
    require_tmux!();
    let e = emu(None);
    let title = "Zebra stripes vanish after update";
    // In the middle of the list: the search has to move the selection to it.
    let id = e.handle.add_review(
        APP,
        serde_json::json!({
            "date": days_ago(3),
            "reviewTitle": title,
            "reviewText": "Since 3.1 the stripes are gone.",
            "reviewerName": "Zed Zebra",
            "rating": 2,
            "market": "US",
        }),
    );
    let t = Term::launch(&e, Launch::default());
    let s = wait_list(&t);
    let rows = list_rows(&s);
    let first = detail_title(&s);
    assert!(rows[0].contains(&head(&first)), "row 0 is selected:\n{s}");
    assert_ne!(first, title, "the new review is not the first");

    t.keys(&["j"]);
    wait_selected(&t, "the selection on row 1", &rows[1], &first);
    t.keys(&["k"]);
    wait_detail_title(&t, &first);

    t.keys(&["G"]);
    // The list scrolls: the last row on screen is the selected one, and row 0 is gone.
    t.wait_until("the selection on the last row", |s| {
        let d = detail_title(s);
        let rows = list_rows(s);
        !d.is_empty()
            && d != first
            && rows.last().is_some_and(|r| r.contains(&head(&d)))
            && !rows.iter().any(|r| r.contains(&head(&first)))
    });
    t.keys(&["g"]);
    let s = wait_detail_title(&t, &first);
    assert!(list_rows(&s)[0].contains(&head(&first)));

    t.keys(&["Enter"]);
    t.wait_for("┏ Review ━");

    t.keys(&["/"]);
    t.wait_for("Enter keep · Esc clear");
    t.type_text("zebra");
    t.wait_for("/zebra▏  1/1");
    t.keys(&["Enter"]);
    let s = t.wait_for("/zebra 1/1 (n/N)");
    assert_eq!(detail_title(&s), title, "the search selected the match:\n{s}");
    assert!(list_rows(&s).iter().any(|r| r.contains("Zebra stripes")), "{s}");

    t.wait_for("can respond");
    t.keys(&["r"]);
    t.wait_for("Reply to Zed Zebra");
    t.wait_for("Write your response");
    t.type_text("Thanks! Fixed in 3.2.");
    t.wait_for("21/1000");
    assert_eq!(e.handle.stats().submit_requests, 0, "typing sends nothing");
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    assert_eq!(e.handle.stats().submit_requests, 0, "the dialog only asks");
    t.keys(&["y"]);
    t.wait_for("accepted by the Store");

    let stats = e.handle.stats();
    assert_eq!(stats.applied_responses.get(&id), Some(&1), "{stats:?}");
    assert_eq!(stats.applied_responses.values().sum::<u64>(), 1, "{stats:?}");
    assert_eq!(stats.submit_requests, 1, "{stats:?}");

    // The reply was accepted, so there is no draft and q quits at once.
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    let s = t.screen();
    assert!(s.trim_start().starts_with("EXIT=0"), "the shell's screen is back:\n{s}");
    t.assert_restored();
}

#[test]
fn hostile_review_text_never_reaches_the_terminal() {
    require_tmux!();
    let e = emu(None);
    // Dated now: newer than every generated review, so it is the first row.
    e.handle.add_review(
        APP,
        serde_json::json!({
            "reviewTitle": "Hello\u{1b}]52;c;aGVsbG8=\u{7} from\u{1b}]0;pwned\u{7} the\u{1b}P+q544e\u{1b}\\ other\u{1b}[2J side\u{202e}!",
            "reviewText": "Line one\u{1b}]52;c;aGVsbG8=\u{7} ok\n\u{1b}[2Jsecond\u{1b}P+q544e\u{1b}\\ line\u{202e} done\u{1b}]0;pwned\u{7}",
            "reviewerName": "Mallory\u{1b}]0;pwned\u{7}\u{202e}Evil\u{1b}[2J",
            "rating": 1,
        }),
    );
    let t = Term::launch(
        &e,
        Launch {
            record: true,
            ..Launch::default()
        },
    );
    let title = "Hello from the other side!";
    let s = wait_list(&t);
    assert_eq!(detail_title(&s), title, "the hostile review is first, sanitised:\n{s}");
    assert!(list_rows(&s)[0].contains("MalloryEvil"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("┏ Review ━");
    let s = t.wait_for("second line done");
    assert!(s.contains("Line one ok"), "{s}");
    t.keys(&["j"]);
    t.keys(&["k"]);
    t.keys(&["r"]);
    let s = t.wait_for("Reply to MalloryEvil");
    for leftover in ["pwned", "aGVsbG8", "544e", "[2J", "52;c"] {
        assert!(!s.contains(leftover), "{leftover:?} is not shown:\n{s}");
    }
    t.keys(&["Escape"]);
    t.wait_for("┏ Review ━");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);

    let rec = t.recording_until(b"EXIT=0");
    assert!(
        find(&rec, b"\x1b[?1049h").is_some(),
        "the recording started before the binary (it has the switch to the alternate screen)"
    );
    for (what, bad) in [
        ("OSC 52 (clipboard write)", &b"\x1b]52"[..]),
        ("OSC 0 (window title)", b"\x1b]0;pwned"),
        ("DCS (terminal query)", b"\x1bP+q"),
        ("any OSC", b"\x1b]"),
        ("any DCS", b"\x1bP"),
        ("U+202E (bidi override)", "\u{202e}".as_bytes()),
        ("BEL", b"\x07"),
    ] {
        assert!(find(&rec, bad).is_none(), "{what} reached the terminal");
    }
    // The program clears the screen once on its own (`terminal.clear()` at start-up, and ratatui
    // again after a resize), so a CSI 2J before the first frame is legitimate. The first frame
    // always has the status bar ("… unanswered …"), and this test does not resize: from there
    // on, a CSI 2J can only have come from the review text.
    let first_frame = find(&rec, b"unanswered").expect("the first frame was recorded");
    assert!(
        find(&rec[first_frame..], b"\x1b[2J").is_none(),
        "CSI 2J reached the terminal after the first frame"
    );
}

#[test]
fn resizes_redraw_and_keys_still_work() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    let s = wait_list(&t);
    let rows: Vec<String> = list_rows(&s);
    let row = |i: usize| rows[i].clone();
    let first = detail_title(&s);

    // Wide: list and review side by side, 40 lines.
    t.resize(120, 40);
    let s = t.wait_until("the side-by-side layout at 120x40", |s| {
        let first_line = s.lines().next().unwrap_or_default();
        first_line.contains("Reviews ·")
            && first_line.contains(" Review ")
            && s.lines().count() == 40
            && s.lines().nth(39).is_some_and(|l| l.contains("unanswered"))
    });
    assert_eq!(detail_title(&s), first, "the selection survived the resize");
    t.keys(&["j"]);
    let s = wait_selected(&t, "the selection on row 1", &row(1), &first);
    let second = detail_title(&s);

    // Back to 80x24: stacked again.
    t.resize(80, 24);
    t.wait_until("the stacked layout at 80x24", |s| {
        !s.lines().next().unwrap_or_default().contains(" Review ")
            && s.lines().count() == 24
            && s.lines().nth(23).unwrap_or_default().contains("unanswered")
    });
    t.keys(&["j"]);
    let s = wait_selected(&t, "the selection on row 2", &row(2), &second);
    let third = detail_title(&s);

    // Too small: a message instead of a broken layout; keys are still taken.
    t.resize(50, 12);
    let s = t.wait_for("Terminal too small: 50x12");
    assert!(!s.contains("unanswered"), "no half-drawn UI:\n{s}");
    t.keys(&["j"]);

    t.resize(80, 24);
    // The j pressed while too small was taken: row 3 is selected.
    let s = wait_selected(&t, "the UI again at 80x24, on row 3", &row(3), &third);
    assert!(!s.contains("Terminal too small"), "{s}");
    t.keys(&["g"]);
    wait_detail_title(&t, &first);
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    t.assert_restored();
}

#[test]
fn bracketed_paste_into_the_reply_editor_sends_nothing() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    wait_list(&t);
    t.wait_for("can respond");
    // In the list a paste is not keys: "q" would quit, "r" would open the editor.
    t.paste("qrq");
    std::thread::sleep(Duration::from_millis(300));
    let s = t.screen();
    assert!(
        s.contains("unanswered") && !s.contains("Reply to") && !s.contains("Quit?"),
        "{s}"
    );

    t.keys(&["r"]);
    t.wait_for("Write your response");
    let support = t.wait_for("Support email:");
    let email_line = support
        .lines()
        .find(|l| l.contains("Support email:"))
        .unwrap()
        .to_owned();
    // tmux turns LF into CR when pasting, as terminals do; the editor must make lines of them.
    t.paste("Thanks for the report!\nWe fixed it in 3.2.");
    let s = t.wait_for("42/1000");
    let lines: Vec<&str> = s.lines().collect();
    let a = lines
        .iter()
        .position(|l| l.contains("Thanks for the report!"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        lines[a + 1].contains("We fixed it in 3.2."),
        "the second line below the first:\n{s}"
    );
    assert!(
        s.lines().any(|l| l == email_line),
        "the paste went into the text, the email field is untouched:\n{s}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let s = t.screen();
    assert!(!s.contains("cannot be edited later"), "no confirmation was asked:\n{s}");
    let stats = e.handle.stats();
    assert_eq!(stats.submit_requests, 0, "{stats:?}");
    assert!(stats.applied_responses.is_empty(), "{stats:?}");

    // The draft is kept, on disk: quitting needs no question.
    t.keys(&["Escape"]);
    t.wait_for("✎ Draft: Thanks for the report! We fixed it in 3.2.");
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    assert_eq!(e.handle.stats().submit_requests, 0);
}

#[test]
fn sigterm_and_sighup_end_it_and_restore_the_terminal() {
    require_tmux!();
    let e = emu(None);
    for signal in ["-TERM", "-HUP"] {
        let t = Term::launch(&e, Launch::default());
        wait_list(&t);
        t.keys(&["r"]);
        t.wait_for("Write your response");
        t.type_text("half-written draft");
        t.wait_for("18/1000");
        t.signal(signal);
        let code = t.exit_code();
        // 128 + signal number would mean the default action killed it before it could restore
        // the terminal.
        assert!(
            code != 143 && code != 129,
            "{signal}: handled, not killed (EXIT={code})"
        );
        assert_eq!(code, 0, "{signal}");
        t.assert_restored();
        // The draft was written on the way out.
        t.restart();
        t.wait_for("✎ Draft: half-written draft");
    }
    assert_eq!(e.handle.stats().submit_requests, 0);
}

#[test]
fn kill_9_while_typing_the_sentence_is_there_on_return() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    let s = wait_list(&t);
    let title = detail_title(&s);
    t.keys(&["r"]);
    t.wait_for("Write your response");
    let sentence = "We found the cause and fix it in 3.3";
    t.type_text(sentence);
    t.wait_for(&format!("{}/1000", sentence.len()));
    // No Esc, no quit: the draft is saved by itself (about 500 ms after the last change). Wait
    // for it on disk rather than sleeping a guess, which a loaded machine can outlast.
    let saved = Instant::now();
    while !t.drafts().iter().any(|d| d == sentence) {
        assert!(
            saved.elapsed() < Duration::from_secs(30),
            "the draft never reached the database"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.signal("-KILL");
    // Killed in full-screen mode: the shell's line lands on whatever the UI had drawn.
    t.wait_for("EXIT=137");

    // The same HOME and XDG directories, a new process.
    t.restart();
    let s = t.wait_until("the list with the draft marker", |s| {
        list_rows(s).iter().any(|r| r.contains('✎'))
    });
    assert_eq!(detail_title(&s), title, "the same review is selected:\n{s}");
    assert!(s.contains(&format!("✎ Draft: {sentence}")), "{s}");
    t.keys(&["r"]);
    let s = t.wait_for("Ctrl-s send");
    let editor = pane_text(&s, "┏ Reply to");
    assert!(editor.contains(sentence), "the sentence is back in the editor:\n{s}");
    assert_eq!(e.handle.stats().submit_requests, 0);
}

/// The response the Store now holds for a review, read back with the binary's own CLI.
fn stored_response(emu: &Emu, t: &Term, id: &str) -> Option<String> {
    let out = t
        .cli(emu, &["reviews", "--app", APP, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reviews: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    reviews
        .iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["responseText"].as_str().map(str::to_owned))
}

/// A paste is the user's own text, but it can carry what a terminal or clipboard put there:
/// escape sequences, BEL, bidi overrides. The editor shows them stripped, so they must not be
/// published either: what is seen is what is sent (or the send is refused).
#[test]
fn pasted_control_characters_are_not_published() {
    require_tmux!();
    let e = emu(None);
    let id = e.handle.add_review(
        APP,
        serde_json::json!({"reviewTitle": "Paste target", "reviewerName": "Pat", "rating": 3}),
    );
    let t = Term::launch(&e, Launch::default());
    wait_detail_title(&t, "Paste target");
    t.wait_for("can respond");
    t.keys(&["r"]);
    t.wait_for("Write your response");
    t.paste("AB\x1b]0;pwned\x07CD\x1b[2JEF\u{202e}GH");
    t.wait_for("EFGH");
    t.keys(&["C-s"]);
    let s = t.wait_until("a confirmation or a refusal", |s| {
        s.contains("cannot be edited later") || !pane_text(s, "┏ Reply to").contains("Ctrl-s send")
    });
    if s.contains("cannot be edited later") {
        t.keys(&["y"]);
        t.wait_until("the outcome", |s| {
            s.contains("accepted by the Store") || s.contains("not sent")
        });
        let sent = stored_response(&e, &t, &id).unwrap_or_default();
        assert!(
            !sent
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "published with control characters: {sent:?}"
        );
    } else {
        assert_eq!(e.handle.stats().submit_requests, 0);
    }
}

/// The second start draws the reviews from the local cache while the Store answers nothing but
/// 503: they can only have come from the cache. The failure is shown, the list stays.
#[test]
fn second_start_shows_the_cached_reviews_while_the_store_is_down() {
    require_tmux!();
    let e = emu(None);
    let t = Term::launch(&e, Launch::default());
    wait_list(&t);
    let s = t.wait_until("the whole list fetched", |s| {
        s.contains("unanswered") && !s.contains(" 0 reviews") && !s.contains("fetching") && !s.contains("reading")
    });
    let (title, rows) = (detail_title(&s), list_rows(&s));
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);

    e.handle.set_faults(FaultSpec {
        server_error: Some(reviewdesk::emulator::ServerError {
            count: 1000,
            status: 503,
        }),
        ..FaultSpec::default()
    });
    t.restart();
    let s = t.wait_until("the cached list", |s| list_rows(s).len() > 2 && s.contains("cached"));
    assert_eq!(list_rows(&s), rows, "the same reviews, from the cache:\n{s}");
    assert_eq!(detail_title(&s), title);
    // The refresh gives up after its retries (about 15 s); the cached reviews stay, readable.
    std::thread::sleep(Duration::from_secs(8));
    let s = t.wait_until("the fetch's error", |s| s.contains("! ") && !s.contains("refreshing"));
    assert_eq!(list_rows(&s), rows, "{s}");
    t.keys(&["j"]);
    assert_ne!(detail_title(&wait_selected_moved(&t, &title)), "");
}

fn wait_selected_moved(t: &Term, from: &str) -> String {
    t.wait_until("the next review selected", |s| detail_title(s) != from)
}
