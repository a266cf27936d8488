//! The profiles screen, full screen: the profiles in config.toml, which one is in use, whether
//! each secret is stored (never the secret), the last test, and the remove / switch questions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::hint_spans;
use super::wrap::wrap;
use super::{SPINNER, Theme, popup};
use crate::config::{ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TENANT_ID};
use crate::keymap::KeyAction;
use crate::keymap::KeyContext;
use crate::profiles::ops::app_label;
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::tui::action::ProfileRow;
use crate::tui::app::profile_form::TestState;
use crate::tui::app::profiles::{ProfileConfirm, StoreStatus, report_lines};
use crate::tui::app::{App, Mode};
use crate::tui::layout::centered;

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let p = &app.profiles;
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let block = theme.block(" Profiles ", true);
    let inner = block.inner(body);
    f.render_widget(block, body);
    let width = inner.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let wrapped = |lines: &mut Vec<Line<'static>>, text: &str, indent: usize, style: Style| {
        for l in wrap(text, width.saturating_sub(indent).max(10)) {
            lines.push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
        }
    };
    if p.env_credentials {
        wrapped(
            &mut lines,
            &format!(
                "{ENV_TENANT_ID}, {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} are set: those credentials are in use for \
                 this run. Profiles can still be managed here, and Enter switches to one."
            ),
            0,
            theme.warn(),
        );
    }
    let store = match &p.store {
        StoreStatus::Checking => ("Secrets: checking the secret store…".to_owned(), theme.dim()),
        StoreStatus::Ready(s) => (format!("Secrets: {}, kept {}.", s.name, s.persistence), theme.dim()),
        StoreStatus::Failed(e) => (format!("✗ No secret store: {e}"), theme.bad()),
    };
    wrapped(&mut lines, &store.0, 0, store.1);
    lines.push(Line::raw(""));
    let tenant_w = if width >= 110 { 38 } else { 26 };
    let name_w = 18;
    lines.push(Line::styled(
        truncate_to_width(
            &format!("   {:<name_w$} {:<tenant_w$} {:<8} APPS", "NAME", "TENANT", "SECRET"),
            width,
        ),
        theme.dim(),
    ));
    if p.rows.is_empty() {
        let text = if p.loaded {
            "   No profiles yet: add one with a."
        } else {
            "   Reading config.toml…"
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    for (i, row) in p.rows.iter().enumerate() {
        let mark = if i == p.selected { "▸" } else { " " };
        let line = format!("{mark}{}", row_text(app, row, name_w, tenant_w));
        let style = if i == p.selected {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(truncate_to_width(&line, width), style));
    }
    lines.push(Line::styled("   ● in use   * default", theme.dim()));
    lines.push(Line::raw(""));
    let spin = SPINNER[app.screen.spinner % SPINNER.len()];
    if let Some((name, test)) = &p.test {
        match test {
            TestState::Running(_) => lines.push(Line::styled(format!("{spin} Testing {name}…"), theme.dim())),
            TestState::Done(Ok(report)) => {
                lines.push(Line::styled(format!("Connection test of {name}:"), theme.title()));
                for (ok, text) in report_lines(report) {
                    wrapped(&mut lines, &text, 2, if ok { theme.good() } else { theme.bad() });
                }
            }
            TestState::Done(Err(e)) => wrapped(&mut lines, &format!("✗ Test of {name} failed: {e}"), 0, theme.bad()),
        }
    }
    if let Some((_, doing)) = &p.busy {
        wrapped(&mut lines, &format!("{spin} {doing}"), 0, theme.accent());
    }
    if let Some((good, text)) = &p.message {
        wrapped(&mut lines, text, 0, if *good { theme.good() } else { theme.bad() });
    }
    f.render_widget(Paragraph::new(lines), inner);
    let hints = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    f.render_widget(Paragraph::new(hint_line(app, theme)), hints);
    if app.screen.mode == Mode::ProfileConfirm
        && let Some(q) = &p.confirm
    {
        confirm(f, app, q, area, theme);
    }
}

fn row_text(app: &App, row: &ProfileRow, name_w: usize, tenant_w: usize) -> String {
    let p = &app.profiles;
    let current = if p.current.as_deref() == Some(row.name.as_str()) {
        "●"
    } else {
        " "
    };
    let name = format!("{}{}", row.name, if row.default { " *" } else { "" });
    let secret = match (&p.store, p.secrets.get(&row.name)) {
        (_, Some(s)) => s.label(),
        (StoreStatus::Checking, None) => "…",
        _ => "unknown",
    };
    let apps: Vec<String> = row.profile.apps.iter().map(app_label).collect();
    format!(
        "{current} {:<name_w$} {:<tenant_w$} {secret:<8} {}",
        truncate_to_width(&name, name_w),
        truncate_to_width(&sanitize_line(&row.profile.tenant), tenant_w),
        apps.join(", ")
    )
}

fn hint_line(app: &App, theme: &Theme) -> Line<'static> {
    use KeyAction as A;
    let actions = [
        A::MoveDown,
        A::MoveUp,
        A::Confirm,
        A::Add,
        A::Edit,
        A::Remove,
        A::Test,
        A::Back,
    ];
    Line::from(hint_spans(&app.keymap.hints(KeyContext::Profiles, &actions), theme))
}

fn confirm(f: &mut Frame, app: &App, q: &ProfileConfirm, area: Rect, theme: &Theme) {
    let (title, mut text, yes, no) = match q {
        ProfileConfirm::Remove(name) => {
            let store = match &app.profiles.store {
                StoreStatus::Ready(s) => s.name.clone(),
                _ => "the secret store".to_owned(),
            };
            let mut t = vec![format!(
                "Its settings leave config.toml and its secret leaves {store}. This cannot be undone."
            )];
            if app.profiles.current.as_deref() == Some(name.as_str()) {
                t.push("It is the profile in use: reviewdesk keeps using it until you switch or quit.".to_owned());
            }
            (format!(" Remove profile {name}? "), t, "remove", "keep it")
        }
        ProfileConfirm::Switch(name) => {
            let mut t = Vec::new();
            let queued = app.outbox.to_send();
            if queued > 0 {
                t.push(format!(
                    "{queued} {} still in the outbox: they go out the next time this profile is open.",
                    if queued == 1 { "reply is" } else { "replies are" }
                ));
            }
            let drafts = app.replies.drafts.len();
            if drafts > 0 && !app.drafts_safe() {
                t.push(format!(
                    "{drafts} unsent {} kept only while this profile is open: switching discards them.",
                    if drafts == 1 { "draft is" } else { "drafts are" }
                ));
            }
            (format!(" Switch to {name}? "), t, "switch", "stay")
        }
    };
    let width = 64.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2) as usize;
    text.push(String::new());
    let mut lines: Vec<Line> = text
        .iter()
        .flat_map(|t| wrap(t, inner_w))
        .map(|l| Line::styled(l, theme.warn()))
        .collect();
    lines.push(super::overlays::yes_no(theme, yes, no));
    let inner = popup(f, centered(area, width, lines.len() as u16 + 2), &title, theme);
    f.render_widget(Paragraph::new(lines), inner);
}
