//! Snapshots of the stats screen at 80x24 and 120x40, with and without colour. The stats are
//! computed by the library from reviews built here with fixed dates, so nothing depends on
//! the clock.

use std::collections::HashMap;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use reviewdesk::db::{EarlierRating, ReviewFacts};
use reviewdesk::stats::{Inputs, Stats, compute};
use reviewdesk::tui::ui::stats::draw_stats;

const D: i64 = 86_400;
/// 2026-12-01 12:00 UTC.
const NOW: i64 = 1_796_126_400;
const HOSTILE: &str = "\u{1b}]52;c;aGVsbG8=\u{7}";

/// 120 reviews over 90 days, more of them and worse lately; a third answered; a few revised
/// after a reply.
fn inputs() -> Inputs {
    let versions = ["3.1.4.0", "3.1.3.0", "3.0.9.0"];
    let markets = ["US", "DE", "BR", "IN", "JP", "FR"];
    let mut reviews = Vec::new();
    let mut replies = HashMap::new();
    let mut earlier = HashMap::new();
    for i in 0..120i64 {
        // Denser towards now: the i-th review is about (i²/160) days old.
        let age = i * i * D / 160 + (i * 3_601) % D;
        let rating = if age < 14 * D { 1 + (i * 7) % 4 } else { 1 + (i * 3) % 5 };
        let id = format!("r{i}");
        let answered = i % 3 == 0;
        let mut market = markets[(i as usize * 5) % markets.len()].to_owned();
        if i == 4 {
            market = format!("US{HOSTILE}");
        }
        reviews.push(ReviewFacts {
            id: Some(id.clone()),
            date_ts: NOW - age,
            rating: Some(rating),
            market: (rating <= 2).then_some(market),
            package_version: (rating <= 2).then(|| versions[(i as usize) % 3].to_owned()),
            answered,
            response_ts: answered.then_some(NOW - age + (i % 7 + 1) * 3 * 3_600),
        });
        if i % 10 == 5 {
            // Revised after a reply: it had one star less (or two), a week earlier.
            replies.insert(id.clone(), vec![NOW - age - 3 * D]);
            earlier.insert(
                id.clone(),
                vec![EarlierRating {
                    date_ts: Some(NOW - age - 7 * D),
                    rating: Some((rating - 1 - i % 2).max(1)),
                    answered: false,
                    response_ts: None,
                }],
            );
        }
    }
    Inputs {
        reviews,
        replies,
        earlier,
        second_breakdown: "version",
    }
}

fn render(stats: &Stats, days: u32, w: u16, h: u16, no_color: bool) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw_stats(f, f.area(), stats, days, no_color)).unwrap();
    let text = t.backend().to_string();
    assert!(!text.contains(HOSTILE), "raw escape reached the screen:\n{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    t
}

fn coloured_cells(t: &Terminal<TestBackend>) -> usize {
    t.backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .count()
}

#[test]
fn stats_screen_90_days() {
    let stats = compute(&inputs(), 90, NOW);
    for (w, h) in [(80, 24), (120, 40)] {
        let coloured = render(&stats, 90, w, h, false);
        assert!(coloured_cells(&coloured) > 0, "no colour at all");
        insta::assert_snapshot!(format!("stats_90_days_{w}x{h}"), coloured.backend().to_string());
        let plain = render(&stats, 90, w, h, true);
        assert_eq!(coloured_cells(&plain), 0, "colour under NO_COLOR");
        insta::assert_snapshot!(format!("stats_90_days_no_color_{w}x{h}"), plain.backend().to_string());
    }
}

#[test]
fn stats_screen_365_and_30_days() {
    let year = compute(&inputs(), 365, NOW);
    insta::assert_snapshot!(
        "stats_365_days_80x24",
        render(&year, 365, 80, 24, false).backend().to_string()
    );
    let month = compute(&inputs(), 30, NOW);
    insta::assert_snapshot!(
        "stats_30_days_120x40",
        render(&month, 30, 120, 40, false).backend().to_string()
    );
}

#[test]
fn stats_screen_without_reviews() {
    let empty = compute(&Inputs::default(), 30, NOW);
    insta::assert_snapshot!(
        "stats_empty_80x24",
        render(&empty, 30, 80, 24, true).backend().to_string()
    );
}
