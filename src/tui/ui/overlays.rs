//! Popups: help, filters, app switcher, send confirmation, quit confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, popup};
use crate::store::validate::MAX_RESPONSE_UTF16;
use crate::tui::app::App;
use crate::tui::app::filter_form::{FIELDS, FilterField};
use crate::tui::help::{self, HelpLine};
use crate::tui::layout::centered;

pub fn help(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let inner = popup(f, help::area(area), " Keys (Esc closes) ", theme);
    let lines: Vec<Line> = help::lines(&app.keymap)
        .into_iter()
        .map(|line| match line {
            HelpLine::Title(t) => Line::styled(t, theme.title()),
            HelpLine::Binding { keys, description } => {
                Line::from(vec![Span::styled(keys, theme.accent()), Span::raw(description)])
            }
            HelpLine::Blank => Line::raw(""),
            HelpLine::Note(n) => Line::styled(n, theme.dim()),
        })
        .collect();
    let scroll = app
        .screen
        .help_scroll
        .min(help::max_scroll(&app.keymap, app.screen.size));
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)),
        inner,
    );
}

pub fn filters(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(form) = app.filters.form.as_ref() else { return };
    let box_ = centered(area, 60, 13);
    let inner = popup(f, box_, " Filters ", theme);
    let mut lines = Vec::new();
    for (i, field) in FIELDS.iter().enumerate() {
        let (label, value, hint) = match field {
            FilterField::Rating => (
                "Rating",
                (1..=5)
                    .map(|s| {
                        if form.filters.ratings[s - 1] {
                            format!("[{s}★]")
                        } else {
                            format!(" {s}  ")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                "keys 1-5 toggle, 0 all",
            ),
            FilterField::Answered => ("Answered", form.filters.answered.label().to_owned(), "Space cycles"),
            FilterField::Revised => (
                "Revised since answered",
                if form.filters.revised_only {
                    "only those".to_owned()
                } else {
                    "any".to_owned()
                },
                "Space toggles",
            ),
            FilterField::Market => ("Market", form.market.clone(), "e.g. US,DE"),
            FilterField::From => ("From", form.from.clone(), "2026-01-31, 30d, yesterday"),
            FilterField::To => ("To", form.to.clone(), "empty = today"),
        };
        let selected = i == form.field;
        let line = Line::from(vec![
            Span::raw(if selected { "▸ " } else { "  " }),
            Span::styled(
                format!("{label:<24}"),
                if selected { theme.title() } else { theme.dim() },
            ),
            Span::raw(value),
            Span::styled(if selected { "▏" } else { "" }, theme.accent()),
            Span::styled(if selected { format!("  {hint}") } else { String::new() }, theme.dim()),
        ]);
        lines.push(line);
    }
    lines.push(Line::raw(""));
    match &form.problem {
        Some(p) => lines.push(Line::styled(p.clone(), theme.bad())),
        None => lines.push(Line::styled("↑/↓ field · Enter apply · Esc cancel", theme.dim())),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn apps(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let box_ = centered(area, 50, (app.sources.apps.len() as u16 + 4).min(area.height));
    let inner = popup(f, box_, " Switch app ", theme);
    let lines: Vec<Line> = app
        .sources
        .apps
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let text = format!(
                "{} {}  {}",
                if i == app.sources.index { "•" } else { " " },
                a.id,
                a.name.as_deref().unwrap_or("")
            );
            if i == app.sources.picker {
                Line::styled(text, theme.selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// A message over the bottom of the reviews, just above the key hints, until a key is pressed.
pub fn notice(f: &mut Frame, text: &str, hints: Rect, theme: &Theme) {
    let area = f.area();
    let width = area.width.saturating_sub(4).min(100);
    let lines: Vec<Line> = super::wrap::wrap(text, width.saturating_sub(2) as usize)
        .into_iter()
        .map(|l| Line::styled(l, theme.good()))
        .collect();
    let height = (lines.len() as u16 + 2).min(hints.y);
    let box_ = Rect {
        x: area.x + (area.width - width) / 2,
        y: hints.y - height,
        width,
        height,
    };
    let inner = popup(f, box_, " Notice ", theme);
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn confirm(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(ed) = app.editor.as_ref() else { return };
    let findings = app.check_reply(&ed.body(), &ed.review_id);
    let warn = super::review_card::findings(&findings, 60, theme);
    let box_ = centered(area, 64, 10 + warn.len().min(6) as u16);
    let inner = popup(f, box_, " Send this response? ", theme);
    let how = if ed.public {
        Line::styled(
            "Public: shown under the review in the Store; the customer may also get it by email.",
            theme.good(),
        )
    } else {
        Line::styled("Private: sent to the customer by email only.", theme.warn())
    };
    let lines = vec![
        how,
        Line::raw(format!(
            "Length: {}/{MAX_RESPONSE_UTF16} · support email: {}",
            ed.length(),
            ed.email_value()
        )),
        Line::raw(""),
    ];
    let mut lines = lines;
    lines.extend(warn.into_iter().take(6));
    lines.extend([
        Line::styled("Store responses cannot be edited later.", theme.warn()),
        // Offline or in an outage, "send" would otherwise look like a promise it cannot keep.
        Line::styled(
            "Kept in the outbox until the Store has it; z takes it back while it waits.",
            theme.dim(),
        ),
        yes_no(theme, "send", "keep editing"),
    ]);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn quit(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let box_ = centered(area, 64, 9);
    let inner = popup(f, box_, " Quit? ", theme);
    let mut lines = Vec::new();
    let queued = app.outbox.to_send();
    let waiting = app.waiting_to_go().len();
    if waiting > 0 {
        lines.push(Line::styled(
            format!(
                "{waiting} {} still in the undo window.",
                plural(waiting, "reply is", "replies are")
            ),
            theme.warn(),
        ));
        lines.push(Line::from(vec![
            Span::styled("s", theme.accent()),
            Span::raw(" send them now, then quit    "),
            Span::styled("y", theme.accent()),
            Span::raw(" quit, they go out at the next start"),
        ]));
        lines.push(Line::from(vec![
            Span::styled("n", theme.accent()),
            Span::raw(" / "),
            Span::styled("Esc", theme.accent()),
            Span::raw(" stay"),
        ]));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    if queued > 0 {
        lines.push(Line::styled(
            format!(
                "{queued} {} still in the outbox: {} will go out the next time reviewdesk starts with this profile.",
                plural(queued, "reply is", "replies are"),
                plural(queued, "it", "they")
            ),
            theme.warn(),
        ));
    }
    // A draft whose reply is in the outbox was counted above.
    let drafts = app.replies.drafts.keys().filter(|r| !app.outbox.is_live(r)).count();
    if drafts > 0 && app.drafts_safe() {
        lines.push(Line::raw(format!(
            "{drafts} {} saved: {} will be here next time.",
            plural(drafts, "draft is", "drafts are"),
            plural(drafts, "it", "they")
        )));
    } else if drafts > 0 {
        // No database (it could not be opened, or a save failed): only memory holds them.
        lines.push(Line::styled(
            format!(
                "{drafts} unsent {} kept only while reviewdesk runs: quitting discards {}.",
                plural(drafts, "draft is", "drafts are"),
                plural(drafts, "it", "them")
            ),
            theme.warn(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(yes_no(theme, "quit", "stay"));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// "y send    n / Esc keep editing": the answer keys of a confirmation.
pub fn yes_no<'a>(theme: &Theme, yes: &'a str, no: &'a str) -> Line<'a> {
    Line::from(vec![
        Span::styled("y", theme.accent()),
        Span::raw(format!(" {yes}    ")),
        Span::styled("n", theme.accent()),
        Span::raw(" / "),
        Span::styled("Esc", theme.accent()),
        Span::raw(format!(" {no}")),
    ])
}
