//! A review in a few lines, for wherever one is answered (the editor, the template picker, the
//! bulk composer): who, how many stars, the title and the start of the text. Review text is
//! hostile: every line is cleaned again here, whatever the model holds.

use ratatui::text::{Line, Span};

use super::Theme;
use super::wrap::wrap;
use crate::policy::{Finding, Severity};
use crate::sanitize::{sanitize_line, sanitize_text, stars, truncate_to_width};
use crate::store::Review;

/// At most `max` lines of `width`: a header, the title, then the text (cut with "…").
pub fn lines(r: &Review, width: usize, max: usize, theme: &Theme) -> Vec<Line<'static>> {
    let who = sanitize_line(r.reviewer_name.as_deref().unwrap_or("a customer"));
    let market = sanitize_line(r.market.as_deref().unwrap_or(""));
    let date = r
        .timestamp
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let header = format!(" {who} · {market} · {date}");
    let mut out = vec![Line::from(vec![
        Span::styled(stars(r.rating), theme.stars()),
        Span::raw(truncate_to_width(&header, width.saturating_sub(5))),
    ])];
    if let Some(t) = r.review_title.as_deref().filter(|t| !t.trim().is_empty()) {
        out.push(Line::styled(truncate_to_width(&sanitize_line(t), width), theme.title()));
    }
    let text = sanitize_text(r.review_text.as_deref().unwrap_or(""));
    let mut body = wrap(&text, width);
    let room = max.saturating_sub(out.len());
    if body.len() > room {
        body.truncate(room);
        if let Some(last) = body.last_mut() {
            *last = format!("{}…", truncate_to_width(last, width.saturating_sub(1)));
        }
    }
    out.extend(body.into_iter().map(Line::raw));
    out.truncate(max);
    out
}

/// The policy check's findings, each wrapped: blocking ones in red, warnings in yellow.
pub fn findings(findings: &[Finding], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for f in findings {
        let style = match f.severity {
            Severity::Block => theme.bad(),
            Severity::Warn => theme.warn(),
        };
        out.extend(
            wrap(&format!("! {f}"), width)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    }
    out
}
