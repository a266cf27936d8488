//! The outbox screen, full screen: every reply not yet known to be sent (and those sent this
//! run) with its state and reason, the selected one in full with what can be done about it; on
//! the second tab, the history of replies. In degraded mode (the reviews API is down) it leads
//! with the way out: Partner Center, the clipboard, "answered there".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::hint_spans;
use super::wrap::wrap;
use super::{Theme, popup};
use crate::db::{OutboxItem, OutboxState};
use crate::keymap::KeyAction;
use crate::keymap::KeyContext;
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::store::partner_center_url;
use crate::tui::app::App;
use crate::tui::app::outbox::{OutboxTab, clock, describe, short_id};
use crate::tui::layout::centered;

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let o = &app.outbox;
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let title = match o.tab {
        OutboxTab::Queue => {
            let failed = o.items.iter().filter(|i| i.state == OutboxState::Failed).count();
            let failed = if failed > 0 {
                format!(" · {failed} failed")
            } else {
                String::new()
            };
            format!(" Outbox · {} waiting{failed} · Tab: history ", o.pending())
        }
        OutboxTab::History => " History of replies · Tab: outbox ".to_owned(),
    };
    let block = theme.block(title, true);
    let inner = block.inner(body);
    f.render_widget(block, body);
    let width = inner.width as usize;
    let mut lines = Lines { out: Vec::new(), width };
    match o.tab {
        OutboxTab::Queue => queue(&mut lines, app, inner.height as usize, theme),
        OutboxTab::History => history(&mut lines, app, inner.height as usize, theme),
    }
    if let Some(n) = &o.notice {
        let room = (inner.height as usize).saturating_sub(1);
        lines.out.truncate(room);
        while lines.out.len() < room {
            lines.out.push(Line::raw(""));
        }
        lines.out.push(Line::styled(
            truncate_to_width(&sanitize_line(n), width),
            theme.accent(),
        ));
    }
    f.render_widget(Paragraph::new(lines.out), inner);
    let hints = Rect {
        y: area.y + area.height.saturating_sub(1),
        height: 1,
        ..area
    };
    f.render_widget(Paragraph::new(hint_line(app, theme)), hints);
    if let Some(item) = o.confirm_discard.and_then(|id| o.items.iter().find(|i| i.id == id)) {
        confirm_discard(f, item, area, theme);
    }
}

struct Lines {
    out: Vec<Line<'static>>,
    width: usize,
}

impl Lines {
    fn wrapped(&mut self, text: &str, indent: usize, style: Style) {
        for l in wrap(text, self.width.saturating_sub(indent).max(10)) {
            self.out.push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
        }
    }

    /// A reply's text, cleaned, wrapped and indented, in what is left of `height` rows.
    fn reply_text(&mut self, text: &str, height: usize) {
        let room = height.saturating_sub(self.out.len() + 1).max(1);
        let width = self.width.saturating_sub(2).max(10);
        let body = text.lines().flat_map(|line| wrap(&sanitize_line(line), width));
        for line in body.take(room) {
            self.out.push(Line::raw(format!("  {line}")));
        }
    }

    fn row(&mut self, text: String, selected: bool, theme: &Theme) {
        let style = if selected { theme.selected() } else { Style::default() };
        self.out.push(Line::styled(truncate_to_width(&text, self.width), style));
    }
}

fn queue(l: &mut Lines, app: &App, height: usize, theme: &Theme) {
    let o = &app.outbox;
    if o.api_down.is_some() {
        l.wrapped(
            "⚠ Microsoft's reviews API is down (its documentation says it \"is currently not in a working \
             state\"). Replies wait here and are tried again every few minutes.",
            0,
            theme.warn(),
        );
        let km = &app.keymap;
        l.wrapped(
            &format!(
                "To answer now: {} copies the reply; paste it in Partner Center (link below); then {} marks it \
                 answered there.",
                km.key_for(KeyContext::Outbox, KeyAction::Copy),
                km.key_for(KeyContext::Outbox, KeyAction::MarkAnswered)
            ),
            0,
            theme.dim(),
        );
        l.out.push(Line::raw(""));
    }
    if o.items.is_empty() {
        l.out.push(Line::styled(
            "No replies waiting. A reply you confirm is written here first, then sent.",
            theme.dim(),
        ));
        return;
    }
    l.out.push(Line::styled(
        truncate_to_width(
            &format!("  {:<12} {:<12} {:<8} {:>5}  REPLY", "STATE", "APP", "REVIEW", "TRIES"),
            l.width,
        ),
        theme.dim(),
    ));
    // The list gets what the selected item's details leave.
    let rows = height.saturating_sub(l.out.len() + 9).max(3);
    let start = o.selected.saturating_sub(rows.saturating_sub(1));
    for (i, item) in o.items.iter().enumerate().skip(start).take(rows) {
        let mark = if i == o.selected { "▸" } else { " " };
        let text = sanitize_line(&item.text.replace('\n', " "));
        l.row(
            format!(
                "{mark} {:<12} {:<12} {:<8} {:>5}  {text}",
                describe(item),
                sanitize_line(&item.app),
                sanitize_line(short_id(&item.review)),
                item.attempts
            ),
            i == o.selected,
            theme,
        );
    }
    let Some(item) = o.selected_item() else {
        return;
    };
    l.out.push(Line::styled("─".repeat(l.width), theme.dim()));
    let (state, style) = state_line(item, theme);
    l.wrapped(&state, 0, style);
    // The outage is explained above; any other reason is shown here.
    if let Some(reason) = item
        .reason
        .as_ref()
        .filter(|r| o.api_down.as_ref() != Some(*r) && !item.held() && !item.manual)
    {
        l.wrapped(&format!("Why: {}", sanitize_line(reason)), 2, theme.dim());
    }
    l.wrapped(&format!("Review {}", sanitize_line(&item.review)), 0, theme.dim());
    l.wrapped(
        &format!("Partner Center: {} → Insights → Reviews", partner_center_url(&item.app)),
        0,
        theme.dim(),
    );
    let visibility = if item.public {
        format!("public, support email {}", sanitize_line(&item.support_email))
    } else {
        format!("private, by email from {}", sanitize_line(&item.support_email))
    };
    l.wrapped(&format!("Reply ({visibility}):"), 0, Style::default());
    l.reply_text(&item.text, height);
}

fn state_line(item: &OutboxItem, theme: &Theme) -> (String, Style) {
    match item.state {
        OutboxState::Queued if item.held() => (
            "⏸ Held: not sent from here until you press r (or m, once answered in Partner Center)".to_owned(),
            theme.warn(),
        ),
        OutboxState::Queued if item.attempts == 0 => ("⧗ Queued: going out now".to_owned(), theme.warn()),
        OutboxState::Queued => (
            format!(
                "⧗ Queued after {} {}: next try at {}",
                item.attempts,
                if item.attempts == 1 { "attempt" } else { "attempts" },
                clock(item.next_attempt_at)
            ),
            theme.warn(),
        ),
        OutboxState::Sending => ("⇡ Sending now".to_owned(), theme.warn()),
        OutboxState::Sent => (
            format!("✓ Sent at {}", item.sent_at.map(clock).unwrap_or_default()),
            theme.good(),
        ),
        OutboxState::Failed => (
            "✗ Failed: not sent. r retries, e edits, d discards".to_owned(),
            theme.bad(),
        ),
        OutboxState::Unconfirmed if item.manual => (
            "✓ Answered in Partner Center: a refresh that shows the response confirms it".to_owned(),
            theme.good(),
        ),
        OutboxState::Unconfirmed => (
            "? Unclear whether it arrived: the review is read back before anything is sent again".to_owned(),
            theme.warn(),
        ),
    }
}

fn history(l: &mut Lines, app: &App, height: usize, theme: &Theme) {
    let o = &app.outbox;
    let entries = match &o.history {
        None => {
            l.out.push(Line::styled("Reading the history…", theme.dim()));
            return;
        }
        Some(Err(e)) => {
            l.wrapped(
                &format!("✗ The history could not be read: {}", sanitize_line(e)),
                0,
                theme.bad(),
            );
            return;
        }
        Some(Ok(entries)) if entries.is_empty() => {
            l.out
                .push(Line::styled("No replies sent from this profile yet.", theme.dim()));
            return;
        }
        Some(Ok(entries)) => entries,
    };
    l.out.push(Line::styled(
        truncate_to_width(
            &format!("  {:<16} {:<12} {:<8} {:<10} REPLY", "WHEN", "APP", "REVIEW", "RESULT"),
            l.width,
        ),
        theme.dim(),
    ));
    let rows = height.saturating_sub(8).max(3);
    let start = o.history_selected.saturating_sub(rows.saturating_sub(1));
    for (i, e) in entries.iter().enumerate().skip(start).take(rows) {
        let mark = if i == o.history_selected { "▸" } else { " " };
        let result = sanitize_line(&e.row.result);
        // "sent", "failed", "sent (verified …)" → the first word; the line below has it whole.
        let word = result.split([':', ' ']).next().unwrap_or(&result);
        let result_short = truncate_to_width(word, 10);
        l.row(
            format!(
                "{mark} {:<16} {:<12} {:<8} {:<10} {}",
                when(e.row.at),
                sanitize_line(&e.row.app),
                sanitize_line(short_id(&e.row.review)),
                result_short,
                sanitize_line(&e.row.text.replace('\n', " "))
            ),
            i == o.history_selected,
            theme,
        );
    }
    if let Some(e) = entries.get(o.history_selected) {
        l.out.push(Line::styled("─".repeat(l.width), theme.dim()));
        l.wrapped(
            &format!(
                "{} · review {} · {}",
                when(e.row.at),
                sanitize_line(&e.row.review),
                sanitize_line(&e.row.result)
            ),
            0,
            theme.dim(),
        );
        l.reply_text(&e.row.text, height);
    }
}

fn when(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn hint_line(app: &App, theme: &Theme) -> Line<'static> {
    use KeyAction as A;
    let mut actions: Vec<KeyAction> = Vec::new();
    if app.outbox.confirm_discard.is_none() && (app.outbox.tab == OutboxTab::History || app.outbox.items.len() > 1) {
        actions.extend([A::MoveDown, A::MoveUp]);
    }
    // What applies now, shortest first to fit 80 columns; the full list is in the help (?).
    actions.extend_from_slice(match app.outbox.tab {
        _ if app.outbox.confirm_discard.is_some() => &[],
        OutboxTab::Queue if app.outbox.items.is_empty() => &[A::SwitchPane, A::Back],
        // Tab (history) is in the title.
        OutboxTab::Queue => &[A::Retry, A::Edit, A::Remove, A::Copy, A::MarkAnswered, A::Back],
        OutboxTab::History => &[A::SwitchPane, A::Back],
    });
    let mut hints = app.keymap.hints(KeyContext::Outbox, &actions);
    for h in &mut hints {
        // In the history, the same key goes back to the outbox.
        if h.action == A::SwitchPane && app.outbox.tab == OutboxTab::History {
            h.label = "outbox";
        }
    }
    Line::from(hint_spans(&hints, theme))
}

fn confirm_discard(f: &mut Frame, item: &OutboxItem, area: Rect, theme: &Theme) {
    let width = 64.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2) as usize;
    let text = format!(
        "The reply to review {} is removed from the outbox and will not be sent. Its text goes back to the \
         review's draft.",
        sanitize_line(short_id(&item.review))
    );
    let mut lines: Vec<Line> = wrap(&text, inner_w)
        .into_iter()
        .map(|l| Line::styled(l, theme.warn()))
        .collect();
    lines.push(Line::raw(""));
    lines.push(super::overlays::yes_no(theme, "discard", "keep it"));
    let inner = popup(
        f,
        centered(area, width, lines.len() as u16 + 2),
        " Discard this reply? ",
        theme,
    );
    f.render_widget(Paragraph::new(lines), inner);
}
