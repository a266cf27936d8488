//! The bulk composer (the review above, its reply below; at wide sizes the marked reviews
//! beside them) and its one confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::overlays::yes_no;
use super::wrap::wrap;
use super::{Theme, popup, review_card};
use crate::keymap::{KeyAction, KeyContext};
use crate::sanitize::{sanitize_line, truncate_to_width};
use crate::tui::app::App;
use crate::tui::app::bulk::{BulkComposer, BulkStage, EntryStatus};
use crate::tui::layout::{WIDE, centered};

/// The entry's state in a glyph and a few words.
fn status_words(s: &EntryStatus) -> (&'static str, String) {
    match s {
        EntryStatus::Checking => ("…", "checking with the Store".to_owned()),
        EntryStatus::Cannot(why) => ("⊘", format!("cannot be answered: {why}")),
        EntryStatus::Skipped => ("–", "skipped (Ctrl-x includes it again)".to_owned()),
        EntryStatus::Blocked(why) => ("!", format!("cannot go as it is: {why}")),
        EntryStatus::Ready { warnings: 0 } => ("✓", "ready".to_owned()),
        EntryStatus::Ready { warnings } => ("✓", format!("ready, {warnings} warning(s)")),
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(c) = app.volume.bulk.as_ref() else { return };
    let n = c.entries.len();
    let stage = match c.stage {
        BulkStage::Body => "write once",
        BulkStage::Step => "check each",
    };
    let block = theme.block(format!(" Reply to {n} marked reviews · {stage} "), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let main = if area.width >= WIDE {
        let [list, main] =
            Layout::horizontal([Constraint::Length(inner.width * 2 / 5), Constraint::Min(20)]).areas(inner);
        entries(f, app, c, list, theme);
        main
    } else {
        inner
    };
    let width = main.width as usize;
    let Some(entry) = c.current_entry() else { return };
    let (status, findings) = app.entry_status(entry);
    let (glyph, words) = status_words(&status);
    let tall = main.height >= 30;
    let mut top: Vec<Line> = vec![Line::styled(
        truncate_to_width(&format!("Review {} of {n}: {glyph} {words}", c.current + 1), width),
        theme.title(),
    )];
    if let Some(r) = app.review_by_id(&entry.review) {
        top.extend(review_card::lines(r, width, if tall { 8 } else { 4 }, theme));
    }
    let hints = hints(app, c, width, theme);
    let problem: Vec<Line> = c
        .problem
        .as_deref()
        .map(|p| {
            wrap(p, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.bad()))
                .collect()
        })
        .unwrap_or_default();
    let warn = review_card::findings(&findings, width, theme);
    let warn_rows = warn.len().min(if tall { 6 } else { 2 });
    let [top_a, label_a, text_a, preview_a, warn_a, problem_a, hints_a] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(if c.stage == BulkStage::Body { main.height / 4 } else { 0 }),
        Constraint::Length(warn_rows as u16),
        Constraint::Length(problem.len() as u16),
        Constraint::Length(hints.len() as u16),
    ])
    .areas(main);
    f.render_widget(Paragraph::new(top), top_a);
    let label = match c.stage {
        BulkStage::Body => "The reply for all (placeholders filled per review):",
        BulkStage::Step => "Its reply (edit to personalise):",
    };
    f.render_widget(Paragraph::new(Line::styled(label, theme.dim())), label_a);
    match c.stage {
        BulkStage::Body => {
            f.render_widget(&c.body, text_a);
            let preview = match app.bulk_reply(entry) {
                Ok(t) => wrap(&t, width).into_iter().map(Line::raw).collect::<Vec<_>>(),
                Err(why) => vec![Line::styled(why, theme.dim())],
            };
            let mut lines = vec![Line::styled("Rendered for this review:", theme.dim())];
            lines.extend(preview);
            f.render_widget(Paragraph::new(lines), preview_a);
        }
        BulkStage::Step => f.render_widget(&c.reply, text_a),
    }
    f.render_widget(
        Paragraph::new(warn.into_iter().take(warn_rows).collect::<Vec<_>>()),
        warn_a,
    );
    f.render_widget(Paragraph::new(problem), problem_a);
    f.render_widget(Paragraph::new(hints), hints_a);
}

fn entries(f: &mut Frame, app: &App, c: &BulkComposer, area: Rect, theme: &Theme) {
    let width = area.width.saturating_sub(1) as usize;
    let rows = area.height as usize;
    let start = c.current.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = c
        .entries
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, e)| {
            let (status, _) = app.entry_status(e);
            let (glyph, words) = status_words(&status);
            let who = app
                .review_by_id(&e.review)
                .and_then(|r| r.reviewer_name.as_deref())
                .map(sanitize_line)
                .unwrap_or_default();
            let own = if e.own.is_some() { "✎" } else { " " };
            let short = match status {
                EntryStatus::Ready { .. } => String::new(),
                _ => words,
            };
            let line = Line::raw(truncate_to_width(&format!("{glyph}{own} {who}  {short}"), width));
            if i == c.current {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

fn hints(app: &App, c: &BulkComposer, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    use KeyAction as A;
    let actions: &[A] = match c.stage {
        BulkStage::Body => &[A::Send, A::Templates, A::NextReply, A::PrevReply, A::Back],
        BulkStage::Step => &[A::Send, A::NextReply, A::PrevReply, A::Skip, A::Templates, A::Back],
    };
    let label = |h: &crate::keymap::Hint| match (c.stage, h.action) {
        (BulkStage::Body, A::Send) => "check each".to_owned(),
        (BulkStage::Step, A::Send) => "confirm all".to_owned(),
        _ => h.label.to_owned(),
    };
    let text: Vec<String> = app
        .keymap
        .hints(KeyContext::Bulk, actions)
        .iter()
        .map(|h| format!("{} {}", h.keys, label(h)))
        .collect();
    wrap(&text.join(" · "), width)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect()
}

/// "Send 18 public replies? 2 cannot be answered: …", the warnings, and y / n.
pub fn confirm(f: &mut Frame, app: &App, area: Rect, theme: &Theme) {
    let Some(s) = app.volume.bulk.as_ref().and_then(|c| c.confirming.as_ref()) else {
        return;
    };
    let width = area.width.min(72).saturating_sub(2) as usize;
    let mut lines: Vec<Line> = wrap(&s.sentence(), width)
        .into_iter()
        .map(|l| Line::styled(l, theme.title()))
        .collect();
    if s.warnings.is_empty() {
        lines.push(Line::styled(
            "The policy check found nothing to warn about.",
            theme.good(),
        ));
    } else {
        lines.push(Line::styled(
            "Policy warnings (Esc goes back to change them):",
            theme.warn(),
        ));
        for (rule, count, words) in &s.warnings {
            let quoted: Vec<String> = words.iter().map(|w| format!("\"{}\"", sanitize_line(w))).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {rule}: "), theme.warn()),
                Span::raw(format!(
                    "{count} {} {}",
                    if *count == 1 { "reply" } else { "replies" },
                    if quoted.is_empty() {
                        String::new()
                    } else {
                        format!("({})", quoted.join(", "))
                    }
                )),
            ]));
        }
    }
    lines.push(Line::raw(""));
    let note = "Store responses cannot be edited later. Each reply is one item in the outbox; they wait out the undo window first (z takes them back).";
    lines.extend(wrap(note, width).into_iter().map(|l| Line::styled(l, theme.dim())));
    lines.push(yes_no(theme, "send", "back to the composer"));
    // As tall as what it says (warning lines may still wrap once).
    let box_ = centered(area, 72, lines.len() as u16 + 2 + s.warnings.len() as u16);
    let inner = popup(f, box_, " Send these replies? ", theme);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
