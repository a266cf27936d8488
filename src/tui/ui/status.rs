//! The two bottom lines: key hints (or the search prompt, or the last error) and the status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::hint_spans;
use super::{SPINNER, Theme};
use crate::keymap::KeyAction;
use crate::keymap::KeyContext;
use crate::sanitize::truncate_to_width;
use crate::tui::app::notices::Level;
use crate::tui::app::{App, Mode, describe_age};

pub fn draw_hints(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let width = area.width as usize;
    let line = if app.screen.mode == Mode::Search {
        let count = if app.list.search.query.is_empty() {
            String::new()
        } else if app.list.search.matches.is_empty() {
            "  no match".to_owned()
        } else {
            format!("  {}/{}", app.list.search.current + 1, app.list.search.matches.len())
        };
        Line::from(vec![
            Span::styled("/", theme.accent()),
            Span::raw(app.list.search.query.clone()),
            Span::styled("▏", theme.accent()),
            Span::styled(count, theme.dim()),
            Span::styled("   Enter keep · Esc clear", theme.dim()),
        ])
    } else if let Some(n) = app.status.notices.shown() {
        let (mark, style) = match n.level {
            Level::Error => ("! ", theme.bad()),
            Level::Warning => ("! ", theme.warn()),
            Level::Info => ("· ", theme.dim()),
        };
        let more = match app.status.notices.waiting() {
            0 => String::new(),
            n => format!(" (+{n})"),
        };
        let text = format!("{mark}{}", n.text);
        let mut lines = notice_lines(&text, width, &more);
        if lines.len() > 1 && app.screen.mode == Mode::Normal {
            // A notice is one sentence saying what went wrong and how to fix it: cut at 80
            // columns it would lose the fix. It grows upward over the panes' last rows instead.
            let rows = lines.len() as u16;
            let top = (area.y + 1).saturating_sub(rows);
            let above = Rect {
                y: top,
                height: area.y + 1 - top,
                ..area
            };
            let lines: Vec<Line> = lines
                .into_iter()
                .map(|l| Line::from(vec![Span::styled(l, style)]))
                .collect();
            f.render_widget(Clear, above);
            f.render_widget(Paragraph::new(lines), above);
            return;
        }
        let text = match lines.len() {
            1 => lines.pop().unwrap_or_default(),
            // Over the editor or a form, the notice keeps to its line: it must not hide what
            // the person is typing.
            _ => truncate_to_width(&text, width.saturating_sub(more.len())),
        };
        Line::from(vec![Span::styled(text, style), Span::styled(more, theme.dim())])
    } else {
        use KeyAction as A;
        let context = match app.screen.mode {
            Mode::Editor => KeyContext::Editor,
            _ => KeyContext::Normal,
        };
        let actions: &[KeyAction] = match app.screen.mode {
            Mode::Editor if app.volume.show_review => &[A::ShowReview],
            Mode::Normal if app.mark_count() > 0 => &[
                A::Mark,
                A::Reply,
                A::MarkAll,
                A::ClearMarks,
                A::Templates,
                A::NextView,
                A::Help,
            ],
            Mode::Normal => &[
                A::MoveDown,
                A::MoveUp,
                A::FocusDetail,
                A::Reply,
                A::Search,
                A::Help,
                A::Quit,
                A::Filters,
                A::UnansweredFirst,
                A::SwitchApp,
            ],
            _ => &[],
        };
        // A source that takes no answers here (a Commerce site) is not offered `r` or `t`.
        let answerable = app.sources.can(crate::provider::Feature::Respond);
        let actions: Vec<KeyAction> = actions
            .iter()
            .copied()
            .filter(|a| answerable || !matches!(a, A::Reply | A::Templates))
            .collect();
        let mut spans = hint_spans(&app.keymap.hints(context, &actions), theme);
        if !app.list.search.query.is_empty() && app.screen.mode == Mode::Normal {
            spans.insert(
                0,
                Span::styled(
                    format!(
                        "/{} {}/{} (n/N)  ",
                        app.list.search.query,
                        app.list.search.current + 1,
                        app.list.search.matches.len()
                    ),
                    theme.accent(),
                ),
            );
        }
        Line::from(spans)
    };
    f.render_widget(Paragraph::new(line), area);
}

/// Rows a notice takes at most: beyond them it is cut, and `Esc` shows the next one.
const NOTICE_ROWS: usize = 4;

/// The notice as the lines it is shown on: one when it fits, else wrapped, at most
/// [`NOTICE_ROWS`], the last cut with "…" if it is still longer; `more` ("(+2)") ends the last.
fn notice_lines(text: &str, width: usize, more: &str) -> Vec<String> {
    if crate::sanitize::display_width(text) + more.len() <= width {
        return vec![text.to_owned()];
    }
    let mut lines = super::wrap::wrap(text, width);
    if lines.len() > NOTICE_ROWS {
        lines.truncate(NOTICE_ROWS);
        let last = lines.last_mut().expect("four lines");
        last.push_str(" …");
    }
    if let Some(last) = lines.last_mut() {
        if crate::sanitize::display_width(last) + more.len() > width {
            *last = truncate_to_width(last, width.saturating_sub(more.len() + 1));
        }
        last.push_str(more);
    }
    lines
}

pub fn draw_status(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let entry = &app.sources.apps[app.sources.index];
    let left = format!(
        " {} · {} │ {} reviews · {} unanswered · {} shown",
        app.sources.profile,
        entry.id,
        app.list.reviews.len(),
        app.unanswered_count(),
        app.list.view.len()
    );
    let mut right = String::new();
    // On the right, which is cut last: at 80 columns the counts on the left give way first.
    let marked = app.mark_count();
    if marked > 0 {
        right.push_str(&format!("● {marked} marked  "));
    }
    // The undo-send window first: it is what may need a key within seconds.
    let waiting = app.waiting_to_go();
    if let Some(last) = waiting.iter().map(|i| i.next_attempt_at).max() {
        let secs = (last - app.volume.now).max(0);
        right.push_str(&format!(
            "⧗ {} {} in {secs}s ({} undo)  ",
            waiting.len(),
            if waiting.len() == 1 { "reply goes" } else { "replies go" },
            app.keymap.key_for(KeyContext::Normal, KeyAction::TakeBack)
        ));
    }
    if !app.filters.active.is_default() {
        right.push_str(&format!("filter: {}  ", app.filters.active.describe()));
    }
    if app.filters.unanswered_first {
        right.push_str("unanswered first  ");
    }
    let waiting = app.outbox.pending();
    if waiting > 0 {
        let down = if app.outbox.api_down.is_some() {
            ", API down"
        } else {
            ""
        };
        let next = app
            .outbox
            .next_try(chrono::Utc::now().timestamp())
            .map(|t| format!(", next try {}", crate::tui::app::outbox::clock(t)))
            .unwrap_or_default();
        right.push_str(&format!("outbox {waiting}{down}{next} (o)  "));
    }
    if let Some(a) = &app.status.activity {
        // While cached reviews are shown and refreshed, retries included: "cached 12 min ago · ".
        let cached = match app.list.cache_age {
            Some(age) if app.list.loading.is_some() => format!("cached {} · ", describe_age(age)),
            _ => String::new(),
        };
        right.push_str(&format!("{} {cached}{a} ", SPINNER[app.screen.spinner % SPINNER.len()]));
    } else if let Some(age) = app.list.cache_age {
        right.push_str(&format!("cached {} ", describe_age(age)));
    }
    let width = area.width as usize;
    let right = truncate_to_width(&right, width.saturating_sub(20));
    let rw = crate::sanitize::display_width(&right);
    let left = truncate_to_width(&left, width.saturating_sub(rw + 1));
    let lw = crate::sanitize::display_width(&left);
    let gap = " ".repeat(width.saturating_sub(lw + rw));
    let style = theme.selected();
    f.render_widget(
        Paragraph::new(Line::from(vec![Span::raw(left), Span::raw(gap), Span::raw(right)])).style(style),
        area,
    );
}
