//! `reviewdesk stats` against the emulator: reviews seeded there, fetched into the cache by the
//! real binary over TCP, counted; then one of them revised after its reply and fetched again.

mod common;

use common::Emu;

use std::process::Output;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

const APP: &str = "9NBLGGGZ5QDR";

fn emu() -> Emu {
    Emu::start(0)
}

impl Emu {
    fn stats(&self, args: &[&str]) -> Output {
        self.bin().arg("stats").args(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.stats(&[args, &["--format", "json"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[test]
fn stats_count_what_was_fetched_and_see_a_rating_move_after_a_reply() {
    let emu = emu();
    let h = &emu.handle;
    h.add_review(
        APP,
        json!({"id": "r-one", "rating": 1, "market": "US", "packageVersion": "3.1.4.0", "date": ago(2),
               "reviewText": "crashes", "responseText": "Sorry, fixed in 3.1.5", "responseDate": ago(1)}),
    );
    h.add_review(
        APP,
        json!({"id": "r-two", "rating": 2, "market": "DE\u{1b}]52;c;aGk=\u{7}", "packageVersion": "3.1.4.0",
               "date": ago(3), "reviewText": "\u{1b}[2J SECRET-TEXT"}),
    );
    h.add_review(
        APP,
        json!({"id": "r-three", "rating": 5, "date": ago(10), "responseText": "Thanks!", "responseDate": ago(9)}),
    );
    // Outside the 30-day window.
    h.add_review(APP, json!({"id": "r-four", "rating": 4, "date": ago(40)}));

    let s = emu.json(&["--refresh", "--app", APP, "--days", "30"]);
    assert_eq!(s["app"], APP);
    assert_eq!(s["reviews"], 3, "{s:#}");
    assert_eq!(s["distribution"], json!([1, 1, 0, 0, 1]));
    assert_eq!(s["answering"]["answered"], 2);
    // Both answered a day after they were written.
    assert_eq!(s["answering"]["median_reply_secs"], 86_400);
    assert_eq!(
        s["answering"]["backlog"],
        json!({"fresh": 0, "this_week": 1, "older": 0})
    );
    let versions = &s["low_ratings"]["window"]["versions"];
    assert_eq!(versions[0], json!({"name": "3.1.4.0", "reviews": 2, "percent": 100.0}));
    assert_eq!(s["reply_effect"]["reviews"], 0);

    // The customer revises the answered 1★ to 4★; the Store drops the response.
    h.add_review(
        APP,
        json!({"id": "r-one", "rating": 4, "market": "US", "packageVersion": "3.1.5.0", "date": ago(0),
               "isRevised": true, "reviewText": "works now"}),
    );
    // Without --refresh nothing is fetched: the cache still has the earlier version.
    assert_eq!(
        emu.json(&["--app", APP, "--days", "30"])["distribution"],
        json!([1, 1, 0, 0, 1])
    );
    let s = emu.json(&["--refresh", "--app", APP, "--days", "30"]);
    assert_eq!(s["distribution"], json!([0, 1, 0, 1, 1]));
    assert_eq!(s["answering"]["answered"], 1);
    let effect = &s["reply_effect"];
    assert_eq!(effect["reviews"], 1, "{s:#}");
    assert_eq!(effect["moves"], json!([{"before": 1, "after": 4, "reviews": 1}]));
    assert_eq!(effect["mean_change"], 3.0);

    // The table, with the only cached app chosen by itself: the numbers, no review text, no
    // control bytes from the hostile market.
    let out = emu.stats(&["--days", "30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with(&format!("Stats of app {APP}, the last 30 days")),
        "{table}"
    );
    assert!(
        table.contains("Reply effect  1 revised after a reply: 1.00★ → 4.00★ (mean change +3.00)"),
        "{table}"
    );
    assert!(table.contains("1★→4★ 1"), "{table}");
    assert!(table.contains("by market   DE"), "{table}");
    assert!(
        !table.contains("SECRET") && !table.contains("crashes") && !table.contains("works now"),
        "{table}"
    );
    assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{table:?}");
}

#[test]
fn stats_refuse_bad_input_in_one_sentence() {
    let emu = emu();
    // Nothing cached yet, and nothing is fetched without --refresh.
    let out = emu.stats(&["--app", APP]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing is cached for profile env") && err.contains("--refresh"),
        "{err}"
    );
    assert_eq!(emu.handle.stats().review_page_requests, 0, "nothing fetched");

    let out = emu.stats(&["--days", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = emu.stats(&["--refresh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--refresh needs --app"));
}
