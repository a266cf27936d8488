//! The reply editor: text, live counter, public/private, support email.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::keymap::KeyAction;
use crate::keymap::KeyContext;
use crate::store::validate::MAX_RESPONSE_UTF16;
use crate::tui::action::Eligibility;
use crate::tui::app::App;
use crate::tui::app::editor::{Field, WARN_AT};

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(ed) = app.editor.as_ref() else { return };
    let who = app
        .list
        .reviews
        .iter()
        .find(|r| r.id.as_deref() == Some(ed.review_id.as_str()))
        .and_then(|r| r.reviewer_name.clone())
        .unwrap_or_else(|| "the customer".into());
    let block = theme.block(format!(" Reply to {} ", who.replace('\n', " ")), true);
    let mut inner = block.inner(area);
    f.render_widget(block, area);
    // With room, the review being answered stays in view above the reply.
    if inner.height >= 20
        && let Some(r) = app.review_by_id(&ed.review_id)
    {
        let width = inner.width as usize;
        let mut lines = super::review_card::lines(r, width, (inner.height / 3) as usize, theme);
        lines.push(Line::styled("─".repeat(width), theme.dim()));
        let used = lines.len() as u16;
        f.render_widget(Paragraph::new(lines), Rect { height: used, ..inner });
        inner = Rect {
            y: inner.y + used,
            height: inner.height - used,
            ..inner
        };
    }
    let [text_area, counter, email, problem] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    let mut text = ed.text.clone();
    if ed.field != Field::Text {
        text.set_cursor_style(ratatui::style::Style::default());
    }
    f.render_widget(&text, text_area);

    let n = ed.length();
    let count_style = if n > MAX_RESPONSE_UTF16 {
        theme.bad()
    } else if n >= WARN_AT {
        theme.warn()
    } else {
        theme.dim()
    };
    let km = &app.keymap;
    let visibility = if ed.public {
        Span::styled(
            format!(
                "public: shown under the review ({} private)",
                km.key_for(KeyContext::Editor, KeyAction::TogglePublic)
            ),
            theme.good(),
        )
    } else {
        Span::styled(
            format!(
                "private: by email only ({} public)",
                km.key_for(KeyContext::Editor, KeyAction::TogglePublic)
            ),
            theme.warn(),
        )
    };
    let private_note = match app.replies.eligibility.get(&ed.review_id) {
        Some(Eligibility::CanRespond { .. }) => None,
        Some(Eligibility::Checking) | None => Some(" · private waits for the eligibility check"),
        _ => Some(" · private not available"),
    };
    // The count and what is wrong with it first: on a narrow pane the rest may be cut.
    let mut spans = vec![Span::styled(format!("{n}/{MAX_RESPONSE_UTF16}"), count_style)];
    if n > MAX_RESPONSE_UTF16 {
        spans.push(Span::styled(
            format!(" {} over the limit", n - MAX_RESPONSE_UTF16),
            theme.bad(),
        ));
    }
    spans.push(Span::raw("  "));
    spans.push(visibility);
    if let (Some(note), true) = (private_note, ed.public) {
        spans.push(Span::styled(note, theme.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), counter);

    let [label, field] = Layout::horizontal([Constraint::Length(15), Constraint::Min(1)]).areas(email);
    let label_style = if ed.field == Field::Email {
        theme.title()
    } else {
        theme.dim()
    };
    f.render_widget(Paragraph::new(Span::styled("Support email:", label_style)), label);
    let mut email_area = ed.email.clone();
    if ed.field != Field::Email {
        email_area.set_cursor_style(ratatui::style::Style::default());
    }
    f.render_widget(&email_area, field);

    let bottom: Vec<Line> = match &ed.problem {
        Some(p) => super::wrap::wrap(p, problem.width as usize)
            .into_iter()
            .map(|l| Line::styled(l, theme.bad()))
            .collect(),
        None => {
            use KeyAction as A;
            let hints = km.hints(
                KeyContext::Editor,
                &[
                    A::Send,
                    A::NextField,
                    A::Templates,
                    A::ShowReview,
                    A::ExternalEditor,
                    A::Back,
                ],
            );
            let text: Vec<String> = hints.iter().map(|h| format!("{} {}", h.keys, h.label)).collect();
            super::wrap::wrap(&text.join(" · "), problem.width as usize)
                .into_iter()
                .map(|l| Line::styled(l, theme.dim()))
                .collect()
        }
    };
    f.render_widget(Paragraph::new(bottom), problem);
}
