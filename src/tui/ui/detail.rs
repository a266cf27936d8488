//! The selected review: full text, device details, eligibility (or, for a source without it,
//! such as a Commerce site, the moderation state and where to answer), the existing response.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::wrap::wrap;
use crate::commerce::listed::Moderation;
use crate::provider::Feature;
use crate::sanitize::stars;
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::store::dates::display_timestamp;
use crate::tui::action::{Eligibility, ReplyState};
use crate::tui::app::{App, Focus, Mode};

/// Lines for the pane, wrapped to `width` here rather than by ratatui (see `wrap`).
struct Lines<'a> {
    out: Vec<Line<'a>>,
    width: usize,
}

impl<'a> Lines<'a> {
    fn text(&mut self, text: &str, style: Style) {
        self.out
            .extend(wrap(text, self.width).into_iter().map(|l| Line::styled(l, style)));
    }
    /// Short lines of several styles: cut rather than wrapped.
    fn spans(&mut self, spans: Vec<Span<'a>>) {
        let mut left = self.width;
        let cut: Vec<Span> = spans
            .into_iter()
            .map(|s| {
                let t = truncate_to_width(&s.content, left);
                left = left.saturating_sub(crate::sanitize::display_width(&t));
                Span::styled(t, s.style)
            })
            .collect();
        self.out.push(Line::from(cut));
    }
    fn blank(&mut self) {
        self.out.push(Line::raw(""));
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let focused = app.screen.focus == Focus::Detail && app.screen.mode == Mode::Normal;
    let block = theme.block(" Review ", focused);
    let inner = block.inner(area);
    let Some(r) = app.selected_review() else {
        f.render_widget(block, area);
        return;
    };
    let id = r.id.as_deref().unwrap_or("");
    let mut l = Lines {
        out: Vec::new(),
        width: inner.width as usize,
    };
    let title = r
        .review_title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("(no title)");
    l.text(&title.replace('\n', " "), theme.title());
    let mut meta = vec![Span::styled(stars(r.rating), theme.stars()), Span::raw("  ")];
    if let Some(t) = r.timestamp {
        meta.push(Span::raw(display_timestamp(t) + "  "));
    }
    if let Some(m) = &r.market {
        meta.push(Span::raw(format!("{m}  ")));
    }
    meta.push(Span::styled(
        r.reviewer_name.clone().unwrap_or_else(|| "(anonymous)".into()),
        theme.accent(),
    ));
    l.spans(meta);
    let device: Vec<String> = [
        r.package_version
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("v{v}")),
        r.device_type.as_deref().map(str::to_owned),
        r.os_version.as_deref().map(str::to_owned),
        r.device_model.as_deref().map(str::to_owned),
        match (r.helpful_count.map(i64::from), r.not_helpful_count.map(i64::from)) {
            (Some(h), Some(n)) if h + n > 0 => Some(format!("helpful {h} of {}", h + n)),
            _ => None,
        },
    ]
    .into_iter()
    .flatten()
    .collect();
    if !device.is_empty() {
        l.text(&device.join(" · "), theme.dim());
    }
    let moderation = Moderation::of(r);
    if let Some(m) = &moderation {
        product(&mut l, m, theme);
    }
    if app.list.vanished.contains(id) {
        l.text(&format!("⌀ {}", app.sources.source().vanished()), theme.bad());
    } else if app.sources.can(Feature::Eligibility) {
        eligibility(&mut l, app, id, theme);
    }
    if let Some(m) = &moderation {
        moderation_state(&mut l, m, theme);
    }
    if !app.sources.can(Feature::Respond) {
        l.text(
            &format!("↗ {}", app.sources.source().instead(Feature::Respond)),
            theme.dim(),
        );
    }
    l.blank();
    match r.review_text.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => l.text(text, Style::default()),
        None => l.text("(the review has no text)", theme.dim()),
    }
    if let Some(resp) = r.response_text.as_deref().filter(|t| !t.trim().is_empty()) {
        l.blank();
        let when = r.response_timestamp.map(display_timestamp).unwrap_or_default();
        if let Some(m) = &moderation {
            let who = sanitize_line(m.responder.as_deref().unwrap_or("Moderator"));
            let style = if m.updated_since_response {
                theme.warn()
            } else {
                theme.good()
            };
            l.text(&format!("── Response by {who} ({when}) ──"), style);
        } else if r.revised_after_response() {
            l.text(
                &format!("── Your response ({when}) — the customer revised the review since ──"),
                theme.warn(),
            );
        } else {
            l.text(&format!("── Your response ({when}) ──"), theme.good());
        }
        l.text(resp, Style::default());
    }
    match app.replies.state.get(id) {
        Some(ReplyState::Sending) => l.text("⇡ Sending your reply…", theme.warn()),
        Some(ReplyState::Sent) => l.text("✓ Your reply was accepted by the Store", theme.good()),
        Some(ReplyState::Queued(why)) => {
            let why = why
                .as_deref()
                .map(|w| format!(": {}", sanitize_line(w)))
                .unwrap_or_default();
            l.blank();
            l.text(
                &format!("⧗ Your reply is in the outbox, waiting to be sent{why}"),
                theme.warn(),
            );
            l.text("  o: the outbox (retry, edit, discard, copy)", theme.dim());
        }
        Some(ReplyState::Failed(why)) => {
            l.blank();
            l.text(
                &format!("✗ Your reply was not sent: {}", sanitize_line(why)),
                theme.bad(),
            );
            l.text("  o: outbox (retry, edit or discard it).", theme.dim());
        }
        Some(ReplyState::Unconfirmed(why)) => {
            l.blank();
            l.text(&format!("? Unconfirmed: {}", sanitize_line(why)), theme.warn());
        }
        None => {}
    }
    // While a reply is on its way, its draft is that reply: "r to continue" would be refused.
    if let Some(d) = app.replies.drafts.get(id)
        && !matches!(
            app.replies.state.get(id),
            Some(ReplyState::Sending | ReplyState::Queued(_) | ReplyState::Unconfirmed(_))
        )
    {
        let flat = d.text.replace('\n', " ");
        let first = truncate_to_width(&flat, 60);
        l.blank();
        l.text(&format!("✎ Draft: {first} (r to continue)"), theme.accent());
    }
    f.render_widget(
        Paragraph::new(l.out).block(block).scroll((app.screen.detail_scroll, 0)),
        area,
    );
}

fn eligibility(l: &mut Lines, app: &App, id: &str, theme: &Theme) {
    match app.replies.eligibility.get(id) {
        Some(Eligibility::CanRespond { support_email }) => l.text(
            &match support_email {
                Some(e) => format!("✓ can respond · support email {e}"),
                None => "✓ can respond · the listing has no support email".to_owned(),
            },
            theme.good(),
        ),
        Some(Eligibility::OptedOut) => l.text("⊘ customer opted out: cannot respond", theme.bad()),
        Some(Eligibility::Checking) | None => l.text("… checking whether this review can be answered", theme.dim()),
        Some(Eligibility::ApiDown(why)) => l.text(&format!("! {why}"), theme.bad()),
        Some(Eligibility::Failed(why)) => l.text(&format!("! eligibility unknown: {why}"), theme.bad()),
    }
}

/// A site review's product: name, ID, SKU, the exact rating and the channel.
fn product(l: &mut Lines, m: &Moderation, theme: &Theme) {
    let parts: Vec<String> = [
        m.product_name.as_deref().map(sanitize_line),
        m.product_id.as_deref().map(|p| format!("product {}", sanitize_line(p))),
        m.sku.as_deref().map(|s| format!("SKU {}", sanitize_line(s))),
        m.rating.filter(|r| r.fract() != 0.0).map(|r| format!("rated {r}")),
        m.channel_id.as_deref().map(|c| format!("channel {}", sanitize_line(c))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !parts.is_empty() {
        l.text(&parts.join(" · "), theme.dim());
    }
}

/// Where a site review stands with the moderators, in place of the Store's eligibility.
fn moderation_state(l: &mut Lines, m: &Moderation, theme: &Theme) {
    let (mark, text, style) = match m.state.as_str() {
        "taken down" => ("⊗", "taken down by a moderator: not shown on the site", theme.bad()),
        "not published" => ("○", "not published yet: waiting for moderation", theme.warn()),
        "updated since response" => (
            "↻",
            "responded, and the customer updated the review since",
            theme.warn(),
        ),
        "responded" => ("✓", "published, with a moderator's response", theme.good()),
        _ => ("●", "published on the site, no response yet", theme.good()),
    };
    l.text(&format!("{mark} Moderation: {text}"), style);
    if m.violations_found {
        l.text("! the moderation check found violations", theme.bad());
    }
}
