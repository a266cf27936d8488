//! Answering at volume end to end: the real binary in tmux at 80x24 against the emulator over
//! TCP. Twenty reviews about one crash are found, marked, answered from a template with one
//! personalised; the two that cannot be answered are left out; the emulator gets exactly 18
//! replies, each once. A reply taken back inside the undo-send window never reaches it.

mod common;

use std::time::{Duration, Instant};

use common::tmux::*;

/// The review's id, added newest first with a word the search finds.
fn add_crash(e: &Emu, i: usize, extra: serde_json::Value) -> String {
    let mut review = serde_json::json!({
        "reviewTitle": format!("Kraken crash {i}"),
        "reviewText": "Since the update the app crashes when I open a photo.",
        "reviewerName": format!("Kim{i}"),
        "rating": 1,
        "market": "US",
    });
    if let (Some(r), Some(x)) = (review.as_object_mut(), extra.as_object()) {
        r.extend(x.clone());
    }
    e.handle.add_review(APP, review)
}

/// The text inside a popup's double border, its lines joined by spaces.
fn popup_text(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| {
            let a = l.find('║')?;
            let b = l.rfind('║')?;
            (b > a).then(|| l[a + '║'.len_utf8()..b].trim().to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn history(e: &Emu, t: &Term) -> Vec<serde_json::Value> {
    let out = t.cli(e, &["history", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn twenty_marked_two_cannot_be_answered_and_exactly_eighteen_replies_arrive_once() {
    require_tmux!();
    let e = emu(None);
    let mut ids = Vec::new();
    for i in 0..20 {
        let extra = match i {
            7 => serde_json::json!({"optedOut": true}),
            12 => serde_json::json!({"responseText": "We answered this one already.", "responseDate": days_ago(0)}),
            _ => serde_json::json!({}),
        };
        ids.push(add_crash(&e, i, extra));
    }
    // A short undo window: the batch then goes out together, several to a request.
    let t = Term::launch(
        &e,
        Launch {
            config: Some("[outbox]\nsend_delay_secs = 3\n".to_owned()),
            ..Launch::default()
        },
    );
    wait_list(&t);
    // Find them, mark every match.
    t.keys(&["/"]);
    t.type_text("Kraken");
    t.wait_for("1/20");
    t.keys(&["Enter", "*"]);
    t.wait_for("20 marked");
    t.keys(&["r"]);
    t.wait_for("Reply to 20 marked reviews");
    // A template for all of them.
    t.keys(&["C-t"]);
    t.wait_for("Preview for this review");
    t.type_text("crash");
    t.wait_for("1 of 4");
    t.keys(&["Enter"]);
    t.wait_for("Hi {reviewer|there}");
    t.keys(&["C-s"]);
    t.wait_for("Its reply (edit to personalise)");
    // The first one that can be answered personalised (the list order of reviews added in
    // the same second varies).
    let mut k = 1;
    while !t.screen().contains(&format!("Review {k} of 20: ✓")) {
        assert!(k < 3, "two cannot be answered, so one of the first three can");
        k += 1;
        t.keys(&["C-n"]);
        t.wait_for(&format!("Review {k} of 20"));
    }
    t.type_text(" See you, Kim!");
    // The reply wraps anywhere: read it without the border and line ends.
    t.wait_until("the personal words in the reply", |s| {
        let flat: String = s.lines().map(|l| l.trim_matches('┃')).collect();
        flat.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("See you, Kim!")
    });
    t.keys(&["C-n"]);
    t.wait_for(&format!("Review {} of 20", k + 1));
    // Confirm once every eligibility check has answered.
    let start = Instant::now();
    loop {
        t.keys(&["C-s"]);
        let s = t.wait_until("the confirmation or the wait for checks", |s| {
            s.contains("Send 18 public replies?") || s.contains("still being checked")
        });
        if s.contains("Send 18 public replies?") {
            let popup = popup_text(&s);
            assert!(popup.contains("2 cannot be answered:"), "{s}");
            assert!(
                popup.contains("1 opted out") && popup.contains("1 already answered"),
                "{s}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the checks never answered:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let before = e.handle.stats();
    assert_eq!(before.submit_requests, 0, "nothing before the confirmation: {before:?}");
    t.keys(&["y"]);
    let sendable: Vec<&String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 7 && *i != 12)
        .map(|(_, id)| id)
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sendable
        .iter()
        .all(|id| e.handle.stats().applied_responses.contains_key(*id))
    {
        assert!(Instant::now() < deadline, "not all applied: {:?}", e.handle.stats());
        std::thread::sleep(POLL);
    }
    // The two left out stay marked.
    t.wait_for("2 marked");
    t.wait_for("18 replies sent");
    // Settled: nothing more arrives.
    std::thread::sleep(Duration::from_secs(2));
    let st = e.handle.stats();
    for id in &sendable {
        assert_eq!(st.applied_responses.get(*id), Some(&1), "review {id}: {st:?}");
    }
    assert_eq!(st.submitted_items, 18, "exactly 18 replies reached the Store: {st:?}");
    assert!(st.submit_requests <= 2, "several to a request: {st:?}");
    assert!(
        !st.applied_responses.contains_key(&ids[7]) && !st.already_answered.contains_key(&ids[12]),
        "{st:?}"
    );
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    let h = history(&e, &t);
    assert_eq!(h.len(), 18, "{h:?}");
    // Each rendered for its own review; exactly one personalised.
    for entry in &h {
        let i = ids
            .iter()
            .position(|id| entry["review"] == id.as_str())
            .expect("one of ours");
        let text = entry["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("Hi Kim{i}, thank you")), "{text}");
    }
    let personal = h
        .iter()
        .filter(|x| x["text"].as_str().unwrap().ends_with("See you, Kim!"))
        .count();
    assert_eq!(personal, 1, "{h:?}");
}

#[test]
fn a_reply_taken_back_in_the_undo_window_never_reaches_the_store() {
    require_tmux!();
    let e = emu(None);
    add_crash(&e, 0, serde_json::json!({"reviewTitle": "Undo me please"}));
    let t = Term::launch(
        &e,
        Launch {
            config: Some("[outbox]\nsend_delay_secs = 120\n".to_owned()),
            ..Launch::default()
        },
    );
    wait_detail_title(&t, "Undo me please");
    t.keys(&["r"]);
    t.wait_for("Write your response");
    let text = "Sorry, Kim: 3.2 fixes the crash.";
    t.type_text(text);
    t.wait_for(&format!("{}/1000", text.chars().count()));
    t.keys(&["C-s"]);
    t.wait_for("cannot be edited later");
    t.keys(&["y"]);
    t.wait_for("1 reply goes in");
    // Quitting now asks.
    t.keys(&["q"]);
    t.wait_for("still in the undo window");
    t.keys(&["n"]);
    t.wait_until("the question gone", |s| !s.contains("still in the undo window"));
    t.keys(&["z"]);
    let s = t.wait_for("Taken back");
    assert!(s.contains(text), "the text is back in the editor:\n{s}");
    t.keys(&["Escape"]);
    t.wait_until("the countdown gone", |s| !s.contains("reply goes in"));
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 0);
    let st = e.handle.stats();
    assert_eq!((st.submit_requests, st.submitted_items), (0, 0), "{st:?}");
    assert!(history(&e, &t).is_empty());
}
