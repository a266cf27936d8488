//! The selected review: full text, device details, eligibility, the existing response.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Theme;
use crate::cli::output::stars;
use crate::store::dates::display_timestamp;
use crate::tui::action::{Eligibility, ReplyState};
use crate::tui::app::{App, Focus, Mode};

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let focused = app.focus == Focus::Detail && app.mode == Mode::Normal;
    let block = theme.block(" Review ", focused);
    let Some(r) = app.selected_review() else {
        f.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let id = r.id.as_deref().unwrap_or("");
    let mut lines: Vec<Line> = Vec::new();
    let title = r
        .review_title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("(no title)");
    lines.push(Line::styled(title.replace('\n', " "), theme.title()));
    let mut meta = vec![Span::styled(stars(r.rating), theme.stars()), Span::raw("  ")];
    if let Some(t) = r.timestamp {
        meta.push(Span::raw(display_timestamp(t)));
        meta.push(Span::raw("  "));
    }
    if let Some(m) = &r.market {
        meta.push(Span::raw(m.clone()));
        meta.push(Span::raw("  "));
    }
    meta.push(Span::styled(
        r.reviewer_name.clone().unwrap_or_else(|| "(anonymous)".into()),
        theme.accent(),
    ));
    lines.push(Line::from(meta));
    let device: Vec<String> = [
        r.package_version
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("v{v}")),
        r.device_type.clone(),
        r.os_version.clone(),
        r.device_model.clone(),
        match (r.helpful_count, r.not_helpful_count) {
            (Some(h), Some(n)) if h + n > 0 => Some(format!("helpful {h} of {}", h + n)),
            _ => None,
        },
    ]
    .into_iter()
    .flatten()
    .collect();
    if !device.is_empty() {
        lines.push(Line::styled(device.join(" · "), theme.dim()));
    }
    lines.push(eligibility_line(app, id, theme));
    lines.push(Line::raw(""));
    match r.review_text.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => lines.extend(text.lines().map(|l| Line::raw(l.to_owned()))),
        None => lines.push(Line::styled("(the review has no text)", theme.dim())),
    }
    if let Some(resp) = r.response_text.as_deref().filter(|t| !t.trim().is_empty()) {
        lines.push(Line::raw(""));
        let when = r.response_timestamp.map(display_timestamp).unwrap_or_default();
        let head = if r.revised_after_response() {
            format!("── Your response ({when}) — the customer revised the review since ──")
        } else {
            format!("── Your response ({when}) ──")
        };
        lines.push(Line::styled(
            head,
            if r.revised_after_response() {
                theme.warn()
            } else {
                theme.good()
            },
        ));
        lines.extend(resp.lines().map(|l| Line::raw(l.to_owned())));
    }
    match app.replies.get(id) {
        Some(ReplyState::Sending) => lines.push(Line::styled("⇡ Sending your reply…", theme.warn())),
        Some(ReplyState::Sent) => lines.push(Line::styled("✓ Your reply was accepted by the Store", theme.good())),
        Some(ReplyState::Failed(why)) => {
            lines.push(Line::styled(format!("✗ Your reply was not sent: {why}"), theme.bad()));
            lines.push(Line::styled(
                "  The draft is kept: r to edit and send again.",
                theme.dim(),
            ));
        }
        Some(ReplyState::Unconfirmed(why)) => lines.push(Line::styled(format!("? Unconfirmed: {why}"), theme.warn())),
        None => {}
    }
    if let Some(d) = app.drafts.get(id)
        && !matches!(app.replies.get(id), Some(ReplyState::Sending))
    {
        let first: String = d.text.chars().take(60).collect::<String>().replace('\n', " ");
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("✎ Draft: {first}… (r to continue)"),
            theme.accent(),
        ));
    }
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    f.render_widget(p, area);
}

fn eligibility_line<'a>(app: &App, id: &str, theme: &Theme) -> Line<'a> {
    match app.eligibility.get(id) {
        Some(Eligibility::CanRespond { support_email }) => Line::from(vec![
            Span::styled("✓ can respond", theme.good()),
            Span::styled(
                match support_email {
                    Some(e) => format!(" · support email {e}"),
                    None => " · the listing has no support email".to_owned(),
                },
                theme.dim(),
            ),
        ]),
        Some(Eligibility::OptedOut) => Line::styled("⊘ customer opted out: cannot respond", theme.bad()),
        Some(Eligibility::Checking) | None => {
            Line::styled("… checking whether this review can be answered", theme.dim())
        }
        Some(Eligibility::ApiDown(_)) => Line::styled(
            "! Microsoft's reviews API is not working; answer in Partner Center (details below)",
            theme.bad(),
        ),
        Some(Eligibility::Failed(why)) => Line::styled(format!("! eligibility unknown: {why}"), theme.bad()),
    }
}
