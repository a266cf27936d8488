//! The review list: only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::commerce::listed::SiteMark;
use crate::sanitize::stars;
use crate::sanitize::{display_width, pad_to_width, truncate_to_width};
use crate::store::Review;
use crate::tui::action::{Eligibility, ReplyState};
use crate::tui::app::{App, Focus, Mode};

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let entry = &app.sources.apps[app.sources.index];
    let mut title = format!(" {} · {} ", entry.name.as_deref().unwrap_or("Reviews"), entry.id);
    if let Some(view) = app.view_name() {
        title.push_str(&format!(
            "· view: {} ({}) ",
            crate::sanitize::sanitize_line(view),
            app.list.view.len()
        ));
    }
    let focused = app.screen.focus == Focus::List && app.screen.mode == Mode::Normal;
    let block = theme.block(title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if app.list.view.is_empty() {
        let msg = if app.list.loading.is_some() {
            "Fetching reviews…"
        } else if app.list.reviews.is_empty() {
            "No reviews in this period. R fetches again."
        } else {
            "No review passes the filters. f changes them."
        };
        f.render_widget(Paragraph::new(msg).style(theme.dim()), inner);
        return;
    }
    let width = inner.width as usize;
    let rows = inner.height as usize;
    let lines: Vec<Line> = app
        .list
        .view
        .iter()
        .enumerate()
        .skip(app.list.offset)
        .take(rows)
        .map(|(pos, &i)| row(app, &app.list.reviews[i], pos == app.list.selected, width, theme))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The answer-state marker: what a person wants to see at a glance.
fn marker(app: &App, r: &Review) -> (&'static str, ratatui::style::Style, &'static str) {
    let id = r.id.as_deref().unwrap_or("");
    match app.replies.state.get(id) {
        _ if app.list.vanished.contains(id) => ("⌀", theme_bad(app), "removed"),
        Some(ReplyState::Sending) => ("⇡", theme_warn(app), "sending"),
        Some(ReplyState::Queued(_)) => ("⧗", theme_warn(app), "queued"),
        Some(ReplyState::Failed(_)) => ("✗", theme_bad(app), "failed"),
        Some(ReplyState::Unconfirmed(_)) => ("?", theme_warn(app), "unconfirmed"),
        _ if SiteMark::of(r).is_some() => site_marker(app, r),
        _ if r.revised_after_response() => ("↻", theme_warn(app), "revised"),
        _ if r.is_answered() => ("✓", theme_good(app), "answered"),
        _ if matches!(app.replies.eligibility.get(id), Some(Eligibility::OptedOut)) => {
            ("⊘", theme_dim(app), "opted out")
        }
        _ => (" ", ratatui::style::Style::default(), ""),
    }
}

/// A Commerce site review's moderation in the marker column: distinct glyphs, so it reads
/// without colour (NO_COLOR) too.
fn site_marker(app: &App, r: &Review) -> (&'static str, ratatui::style::Style, &'static str) {
    match SiteMark::of(r) {
        Some(SiteMark::TakenDown) => ("⊗", theme_bad(app), "taken down"),
        Some(SiteMark::UpdatedSinceResponse) => ("↻", theme_warn(app), "updated since response"),
        Some(SiteMark::Responded) => ("✓", theme_good(app), "responded"),
        None => (" ", ratatui::style::Style::default(), ""),
    }
}

fn theme_warn(app: &App) -> ratatui::style::Style {
    Theme::new(app.settings.no_color).warn()
}
fn theme_bad(app: &App) -> ratatui::style::Style {
    Theme::new(app.settings.no_color).bad()
}
fn theme_good(app: &App) -> ratatui::style::Style {
    Theme::new(app.settings.no_color).good()
}
fn theme_dim(app: &App) -> ratatui::style::Style {
    Theme::new(app.settings.no_color).dim()
}

fn row<'a>(app: &App, r: &'a Review, selected: bool, width: usize, theme: &Theme) -> Line<'a> {
    let (mark, mark_style, _) = marker(app, r);
    let draft = if r.id.as_deref().is_some_and(|id| app.replies.drafts.contains_key(id)) {
        "✎"
    } else {
        " "
    };
    let date_fmt = if width >= 90 { "%Y-%m-%d" } else { "%y-%m-%d" };
    let date = r
        .timestamp
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format(date_fmt).to_string())
        .unwrap_or_else(|| " ".repeat(if width >= 90 { 10 } else { 8 }));
    let market = r.market.as_deref().unwrap_or("").chars().take(2).collect::<String>();
    let reviewer_w = if width >= 90 { 16 } else { 12 };
    let reviewer = pad_to_width(
        &truncate_to_width(&one_line(r.reviewer_name.as_deref().unwrap_or("")), reviewer_w),
        reviewer_w,
    );
    let fixed = 1 + 1 + 1 + 5 + 1 + date.chars().count() + 1 + 2 + 1 + reviewer_w + 1;
    let summary = truncate_to_width(&summary(r), width.saturating_sub(fixed));
    let marked = if app.is_marked(r) { "●" } else { " " };
    let mut spans = vec![
        Span::styled(mark, mark_style),
        Span::styled(draft, theme.accent()),
        Span::styled(marked, theme.accent()),
        Span::styled(stars(r.rating), theme.stars()),
        Span::raw(" "),
        Span::styled(date, theme.dim()),
        Span::raw(" "),
        Span::raw(format!("{market:<2}")),
        Span::raw(" "),
        Span::raw(reviewer),
        Span::raw(" "),
        Span::raw(summary),
    ];
    let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    if used < width {
        spans.push(Span::raw(" ".repeat(width - used)));
    }
    let line = Line::from(spans);
    if selected { line.style(theme.selected()) } else { line }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn summary(r: &Review) -> String {
    let title = r.review_title.as_deref().map(one_line).filter(|t| !t.trim().is_empty());
    let text = r.review_text.as_deref().map(one_line).filter(|t| !t.trim().is_empty());
    match (title, text) {
        (Some(t), _) => t,
        (None, Some(x)) => x,
        (None, None) => "(no text)".to_owned(),
    }
}
