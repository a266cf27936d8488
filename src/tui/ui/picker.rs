//! The template picker: over the list at wide sizes (the review and the editor stay beside
//! it), over the whole main area at 80x24 with the review at its top.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::wrap::wrap;
use super::{Theme, popup, review_card};
use crate::keymap::{KeyAction, KeyContext};
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::tui::app::App;
use crate::tui::layout::{WIDE, panes};

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(p) = app.volume.picker.as_ref() else { return };
    let panes = panes(area);
    let wide = area.width >= WIDE;
    let box_ = if wide {
        panes.list
    } else {
        Rect {
            height: panes.list.height + panes.detail.height,
            ..panes.list
        }
    };
    let title = if app.volume.examples {
        " Templates (the shipped examples: add yours with reviewdesk template add) "
    } else {
        " Templates "
    };
    let inner = popup(f, box_, title, theme);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let review = app.review_by_id(&p.review);
    // At 80x24 the review is not beside the picker: its first lines come first.
    if !wide && let Some(r) = review {
        lines.extend(review_card::lines(r, width, 3, theme));
    }
    lines.push(Line::from(vec![
        Span::styled("Name: ", theme.dim()),
        Span::raw(sanitize_line(&p.query)),
        Span::styled("▏", theme.accent()),
        Span::styled(
            format!("  {} of {}", p.shown.len(), app.volume.templates.len()),
            theme.dim(),
        ),
    ]));
    let rows = if wide { 8 } else { 4 };
    let start = p.selected.saturating_sub(rows - 1);
    for (pos, &i) in p.shown.iter().enumerate().skip(start).take(rows) {
        let t = &app.volume.templates[i];
        let why = &p.reasons[i];
        let note = if why.is_empty() {
            t.description.clone().unwrap_or_default()
        } else {
            format!("suggested: {}", why.join(", "))
        };
        let text = truncate_to_width(
            &format!(" {:<16} {}", t.name, sanitize_line(&note)),
            width.saturating_sub(2),
        );
        let marker = if pos == p.selected { "▸" } else { " " };
        let line = Line::from(vec![Span::raw(marker.to_owned()), Span::raw(text)]);
        lines.push(if pos == p.selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if p.shown.is_empty() {
        lines.push(Line::styled(
            "No template name matches: Backspace widens it",
            theme.warn(),
        ));
    }
    lines.push(Line::styled(
        format!("{:─<width$}", "─ Preview for this review "),
        theme.dim(),
    ));
    let footer = footer(app, p.confirm_replace, theme, width);
    let room = (inner.height as usize).saturating_sub(lines.len() + footer.len());
    if let Some((text, findings)) = app.picker_preview() {
        let warn = review_card::findings(&findings, width, theme);
        let keep_warn = warn.len().min(room / 2);
        let mut body: Vec<Line> = wrap(&text, width).into_iter().map(Line::raw).collect();
        body.truncate(room - keep_warn);
        lines.extend(body);
        lines.extend(warn.into_iter().take(keep_warn));
    }
    let pad = (inner.height as usize).saturating_sub(lines.len() + footer.len());
    lines.extend(std::iter::repeat_n(Line::raw(""), pad));
    lines.extend(footer);
    f.render_widget(Paragraph::new(lines), inner);
}

fn footer(app: &App, confirm_replace: bool, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    if confirm_replace {
        let text = "This replaces the text you typed: Enter again to replace (Ctrl-u in the editor brings it back), Esc keeps it";
        return wrap(text, width)
            .into_iter()
            .map(|l| Line::styled(l, theme.warn()))
            .collect();
    }
    use KeyAction as A;
    let hints = app
        .keymap
        .hints(KeyContext::Picker, &[A::MoveDown, A::MoveUp, A::Confirm, A::Back]);
    let text: Vec<String> = hints.iter().map(|h| format!("{} {}", h.keys, h.label)).collect();
    vec![Line::styled(
        truncate_to_width(&format!("type to filter · {}", text.join(" · ")), width),
        theme.dim(),
    )]
}
