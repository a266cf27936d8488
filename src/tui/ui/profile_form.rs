//! The profile form, full screen: first-run setup, add and edit. The secret is drawn as one •
//! per character and nothing else.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::hint_spans;
use super::wrap::wrap;
use super::{SPINNER, Theme, popup};
use crate::keymap::KeyAction;
use crate::keymap::KeyContext;
use crate::profiles::ProfileKind;
use crate::sanitize::{display_width, sanitize_line, truncate_to_width};
use crate::tui::app::App;
use crate::tui::app::profile_form::{FormField, FormKind, ProfileForm, TestState};
use crate::tui::app::profiles::{StoreStatus, report_lines};
use crate::tui::layout::centered;

/// Label column, "▸ " included.
const LABEL: usize = 17;

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(form) = app.profiles.form.as_ref() else { return };
    let title = match &form.kind {
        FormKind::Setup => " Set up reviewdesk: your app registration ".to_owned(),
        FormKind::Add => " Add a profile ".to_owned(),
        FormKind::Edit(name) if form.service == ProfileKind::Commerce => format!(" Edit Commerce site {name} "),
        FormKind::Edit(name) => format!(" Edit profile {name} "),
    };
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let block = theme.block(title, true);
    let inner = block.inner(body);
    f.render_widget(block, body);
    let width = inner.width as usize;
    let (lines, focus) = form_lines(app, form, width, theme);
    // As much of the end (problems, progress, test results) as fits, never scrolling the
    // current field off the top.
    let height = inner.height as usize;
    let scroll = lines.len().saturating_sub(height).min(focus);
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
    let hints = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    f.render_widget(Paragraph::new(hint_line(app, form, theme)), hints);
    if form.confirm_discard {
        discard(f, form, area, theme);
    }
}

/// The form's lines, and the index of the current field's line.
fn form_lines(app: &App, form: &ProfileForm, width: usize, theme: &Theme) -> (Vec<Line<'static>>, usize) {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let push_wrapped = |lines: &mut Vec<Line<'static>>, text: &str, indent: usize, style: Style| {
        for l in wrap(text, width.saturating_sub(indent).max(10)) {
            lines.push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
        }
    };
    if form.kind == FormKind::Setup {
        let intro = match form.service {
            ProfileKind::Store => {
                "No profile yet. Enter the Entra app registration that Partner Center knows (Manager role). \
                 The client secret goes to the OS keyring, never to a file."
            }
            ProfileKind::Commerce => {
                "No profile yet. Enter the S2S app registration that Commerce site builder lists \
                 (Home → Reviews → Settings → Service-to-Service (S2S) Authentication → Manage). \
                 The client secret goes to the OS keyring, never to a file."
            }
        };
        push_wrapped(&mut lines, intro, 0, Style::default());
    }
    if form.service_open() {
        let service = match form.service {
            ProfileKind::Store => "Service: Microsoft Store apps · Ctrl-k: a Commerce site instead",
            ProfileKind::Commerce => "Service: a Commerce site (Ratings & Reviews) · Ctrl-k: Store apps instead",
        };
        push_wrapped(&mut lines, service, 0, theme.accent());
    }
    let store = match &app.profiles.store {
        StoreStatus::Checking => ("Secret store: checking…".to_owned(), theme.dim()),
        StoreStatus::Ready(s) => (
            format!("Secret store: {}, kept {}.", s.name, s.persistence),
            theme.dim(),
        ),
        StoreStatus::Failed(e) => (format!("✗ No secret store: {e}"), theme.bad()),
    };
    push_wrapped(&mut lines, &store.0, 0, store.1);
    lines.push(Line::raw(""));
    let mut focus = 0;
    let value_width = width.saturating_sub(LABEL + 1).max(4);
    for (i, field) in form.fields().iter().enumerate() {
        let current = i == form.field;
        if current {
            focus = lines.len();
        }
        let fixed = *field == FormField::Name && matches!(form.kind, FormKind::Edit(_));
        let (value, placeholder) = match field {
            FormField::Secret if form.secret.is_empty() && matches!(form.kind, FormKind::Edit(_)) => {
                (String::new(), "(empty: the stored secret is kept)")
            }
            FormField::Secret if form.secret.is_empty() && form.secret_shared_with().is_some() => (
                String::new(),
                "(empty: the secret stored for this registration is used)",
            ),
            FormField::Secret => ("•".repeat(form.secret.chars()), ""),
            FormField::Name => (form.name.clone(), ""),
            FormField::Tenant => (form.tenant.clone(), ""),
            FormField::Client => (form.client.clone(), ""),
            FormField::Apps => (form.apps.clone(), ""),
            FormField::Email => (form.email.clone(), "(optional)"),
            FormField::RnrUrl => (form.rnr_url.clone(), ""),
            FormField::RnrTenant => (form.rnr_tenant.clone(), "(optional: the tenant ID above)"),
            FormField::Scope => (form.scope.clone(), "(optional: the R&R URL)"),
        };
        let value = sanitize_line(&value);
        // The end of a long value, where the cursor is.
        let shown = tail_to_width(&value, value_width.saturating_sub(1));
        let label_style = if current { theme.title() } else { theme.dim() };
        let mut spans = vec![
            Span::styled(if current { "▸ " } else { "  " }, theme.accent()),
            Span::styled(format!("{:<w$}", field.label(), w = LABEL - 2), label_style),
            Span::styled(shown, if fixed { theme.dim() } else { Style::default() }),
        ];
        if current && !fixed {
            spans.push(Span::styled("▏", theme.accent()));
        }
        if value.is_empty() && !placeholder.is_empty() {
            spans.push(Span::styled(placeholder, theme.dim()));
        }
        lines.push(Line::from(spans));
        match &form.errors[i] {
            Some(e) => push_wrapped(&mut lines, &format!("✗ {e}"), LABEL, theme.bad()),
            None => {
                let hint = if fixed {
                    "cannot change (remove and add to rename)"
                } else {
                    hint(*field, form.service)
                };
                lines.push(Line::styled(
                    format!("{}{}", " ".repeat(LABEL), truncate_to_width(hint, value_width)),
                    theme.dim(),
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    let spin = SPINNER[app.screen.spinner % SPINNER.len()];
    match &form.test {
        Some(TestState::Running(_)) => lines.push(Line::styled(format!("{spin} Testing the connection…"), theme.dim())),
        Some(TestState::Done(Ok(report))) => {
            lines.push(Line::styled("Connection test:", theme.title()));
            for (ok, text) in report_lines(report) {
                push_wrapped(&mut lines, &text, 2, if ok { theme.good() } else { theme.bad() });
            }
        }
        Some(TestState::Done(Err(e))) => push_wrapped(&mut lines, &format!("✗ Test failed: {e}"), 0, theme.bad()),
        None => {}
    }
    if let Some(p) = &form.progress {
        push_wrapped(&mut lines, &format!("{spin} {p}"), 0, theme.accent());
    }
    if let Some(p) = &form.problem {
        push_wrapped(&mut lines, &format!("✗ Not saved: {p}"), 0, theme.bad());
    }
    (lines, focus)
}

fn hint(field: FormField, service: ProfileKind) -> &'static str {
    match field {
        FormField::Name if service == ProfileKind::Commerce => {
            "the registration's Name in site builder, e.g. Fabrikam App"
        }
        FormField::Tenant if service == ProfileKind::Commerce => "Directory (Tenant) ID, as site builder lists it",
        FormField::Client if service == ProfileKind::Commerce => "Client App ID, as site builder lists it: a GUID",
        FormField::Name => "a short name for this registration, e.g. contoso-prod",
        FormField::Tenant => "Directory (tenant) ID: a GUID or contoso.onmicrosoft.com",
        FormField::Client => "Application (client) ID: a GUID",
        FormField::Secret => "the secret's Value (not its ID); hidden; paste works",
        FormField::Apps => "9NBLGGGZ5QDR or 9NBLGGGZ5QDR=Name; commas or spaces between",
        FormField::Email => "optional: your default support email",
        FormField::RnrUrl => "the site's R&R service URL: https://<rnr-id>.rnr.ms",
        FormField::RnrTenant => "the connector's tenantId, if not the tenant ID [inferred]",
        FormField::Scope => "token audience, if the inferred one is refused [inferred]",
    }
}

/// The last characters of `s` that fit in `max` columns.
fn tail_to_width(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_owned();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let w = display_width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out.into_iter().rev().collect()
}

fn hint_line<'a>(app: &App, form: &ProfileForm, theme: &Theme) -> Line<'a> {
    use KeyAction as A;
    let actions = [A::MoveDown, A::MoveUp, A::Save, A::Test, A::Back];
    let mut hints = app.keymap.hints(KeyContext::ProfileForm, &actions);
    for h in &mut hints {
        // Leaving the first-run form leaves the program.
        if h.action == A::Back && form.kind == FormKind::Setup {
            h.label = "quit";
        }
    }
    Line::from(hint_spans(&hints, theme))
}

fn discard(f: &mut Frame, form: &ProfileForm, area: Rect, theme: &Theme) {
    let (title, what) = if form.kind == FormKind::Setup {
        (" Quit? ", "quit")
    } else {
        (" Discard? ", "discard it")
    };
    let inner = popup(f, centered(area, 56, 6), title, theme);
    let lines = vec![
        Line::raw("What you typed is not saved."),
        Line::raw(""),
        super::overlays::yes_no(theme, what, "keep editing"),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}
