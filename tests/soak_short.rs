//! A short run of the fault soak (`benches/soak.rs` runs it for as long as asked, with the
//! release binary): 45 seconds of chaos, kill -9 and `outbox send` beside the UI, with a
//! different seed each day so CI walks new paths over time. It fails on any broken promise;
//! how many replies get through in the time is not checked (that depends on the machine).

mod common;

use std::time::Duration;

use common::tmux::require_tmux;

#[test]
fn a_short_soak_breaks_no_promise() {
    require_tmux!();
    let day = std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_secs() / 86_400;
    let seed = std::env::var("REVIEWDESK_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(day);
    let report = common::soak::run(&common::soak::Options::new(Duration::from_secs(45), seed));
    let mut text = Vec::new();
    report.print(&mut text).unwrap();
    let text = String::from_utf8_lossy(&text);
    eprintln!("seed {seed} (REVIEWDESK_SOAK_SEED={seed} repeats it)\n{text}");
    assert!(report.violations.is_empty(), "seed {seed}:\n{text}");
    assert!(
        report.confirmed + report.maybe > 0,
        "the soak answered nothing:\n{text}"
    );
}
