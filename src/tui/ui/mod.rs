//! Drawing: a pure function of `&App`. Nothing here changes state or does I/O.

mod bulk;
mod clusters;
mod detail;
mod editor;
mod list;
mod outbox;
mod overlays;
mod picker;
mod profile_form;
mod profiles;
mod review_card;
pub mod stats;
mod status;
pub mod wrap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::app::{App, Mode};
use super::layout::{MIN_HEIGHT, MIN_WIDTH, panes, too_small};

pub(crate) const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(f: &mut Frame, app: &App) {
    draw_screen(f, app);
    clusters::spread_multi_cell_clusters(f.buffer_mut());
}

fn draw_screen(f: &mut Frame, app: &App) {
    let area = f.area();
    if too_small(area) {
        let msg = format!(
            "Terminal too small: {}x{}. reviewdesk needs at least {MIN_WIDTH}x{MIN_HEIGHT}.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let theme = Theme::new(app.settings.no_color);
    // Full-screen: the profile form (the only screen during the first-run setup) and the list.
    match app.screen.mode {
        Mode::ProfileForm => return profile_form::draw(f, app, area, &theme),
        Mode::Profiles | Mode::ProfileConfirm => return profiles::draw(f, app, area, &theme),
        Mode::Outbox => return outbox::draw(f, app, area, &theme),
        Mode::Stats => return stats::draw_screen(f, area, &app.stats, &app.keymap, app.settings.no_color),
        _ => {}
    }
    let p = panes(area);
    let picking_for_bulk = app
        .volume
        .picker
        .as_ref()
        .is_some_and(|k| k.target == crate::tui::app::picker::PickerTarget::Bulk);
    match app.screen.mode {
        Mode::Bulk | Mode::BulkConfirm => bulk::draw(f, app, p.list.union(p.detail), &theme),
        Mode::Picker if picking_for_bulk => bulk::draw(f, app, p.list.union(p.detail), &theme),
        _ => list::draw(f, app, p.list, &theme),
    }
    match app.screen.mode {
        Mode::Bulk | Mode::BulkConfirm => {}
        Mode::Picker if picking_for_bulk => {}
        // At 80x24 the review being answered shows in the editor's place on a key.
        Mode::Editor if app.volume.show_review => detail::draw(f, app, p.detail, &theme),
        Mode::Editor | Mode::Confirm | Mode::Picker => editor::draw(f, app, p.detail, &theme),
        _ => detail::draw(f, app, p.detail, &theme),
    }
    status::draw_hints(f, app, p.hints, &theme);
    status::draw_status(f, app, p.status, &theme);
    match app.screen.mode {
        Mode::Help => overlays::help(f, app, area, &theme),
        Mode::Filters => overlays::filters(f, app, area, &theme),
        Mode::Apps => overlays::apps(f, app, area, &theme),
        Mode::Confirm => overlays::confirm(f, app, area, &theme),
        Mode::QuitConfirm => overlays::quit(f, app, area, &theme),
        Mode::Picker => picker::draw(f, app, area, &theme),
        Mode::BulkConfirm => bulk::confirm(f, app, area, &theme),
        _ => {}
    }
    if app.screen.mode == Mode::Normal
        && let Some(text) = &app.status.notice
    {
        overlays::notice(f, text, p.hints, &theme);
    }
}

/// Named colours only (readable in 16 colours), and none at all under `NO_COLOR`: then
/// emphasis comes from bold, reverse and underline alone.
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(no_color: bool) -> Theme {
        Theme { color: !no_color }
    }
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan)
    }
    pub fn stars(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn block<'a>(&self, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
        let b = Block::default().borders(Borders::ALL).title(title);
        if focused {
            b.border_type(BorderType::Thick)
                .border_style(self.accent().add_modifier(Modifier::BOLD))
        } else {
            b.border_style(self.dim())
        }
    }
}

/// Clears a box and draws a bordered popup in it.
pub fn popup(f: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    // Clear one column more on each side: a double-width character (CJK, emoji) standing just
    // left of the box would otherwise spill its second half over the border.
    let margin = Rect {
        x: area.x.saturating_sub(1),
        width: (area.width + 2).min(f.area().width.saturating_sub(area.x.saturating_sub(1))),
        ..area
    };
    f.render_widget(ratatui::widgets::Clear, margin);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .title(title)
        .border_style(theme.accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A hint line's spans: each key in the accent colour, its label dimmed.
pub fn hint_spans(hints: &[crate::keymap::Hint], theme: &Theme) -> Vec<ratatui::text::Span<'static>> {
    let mut spans = Vec::with_capacity(hints.len() * 2);
    for h in hints {
        spans.push(ratatui::text::Span::styled(h.keys.clone(), theme.accent()));
        spans.push(ratatui::text::Span::styled(format!(" {}  ", h.label), theme.dim()));
    }
    spans
}
