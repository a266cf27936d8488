//! The stats screen: a pure function of [`Stats`] (computed off the UI thread) and the window.
//! Charts are ratatui's (sparklines for the weeks, a bar chart for the ratings); every number
//! is also written as text, so the screen reads the same without colour (`NO_COLOR`) and in 16
//! colours (named colours only, through [`Theme`]). Market and version names were sanitised
//! when the stats were computed; no review text is shown.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline, SparklineBar};

use super::Theme;
use crate::sanitize::truncate_to_width;
use crate::stats::{Share, Stats, WINDOWS, format as f};

/// Draws the screen into `area`: the window's summary, the weekly charts, the rating
/// distribution and where 1–2★ reviews come from, answering, and the reply effect.
pub fn draw_stats(frame: &mut Frame, area: Rect, stats: &Stats, window_days: u32, no_color: bool) {
    let theme = Theme::new(no_color);
    let outer = theme.block(title(window_days, &theme), true);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    // The text panels keep their lines and the weekly charts take the rest; on a tall terminal
    // the panels get a line or two of air.
    let (middle_h, bottom_h) = if inner.height >= 30 { (9, 8) } else { (7, 6) };
    let [summary, weeks, middle, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(middle_h),
        Constraint::Length(bottom_h),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(summary_line(stats, &theme)), summary);
    let halves = |r: Rect| Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(r);
    let w = halves(weeks);
    draw_reviews_per_week(frame, w[0], stats, &theme);
    draw_average_per_week(frame, w[1], stats, &theme);
    let m = halves(middle);
    draw_distribution(frame, m[0], stats, &theme);
    draw_low_ratings(frame, m[1], stats, &theme);
    let b = halves(bottom);
    draw_answering(frame, b[0], stats, &theme);
    draw_reply_effect(frame, b[1], stats, &theme);
}

/// `Stats · last 90 days · 30 [90] 365`: the window chosen among those offered.
fn title(window_days: u32, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!(" Stats · last {window_days} days · "),
        theme.title(),
    )];
    for d in WINDOWS {
        if d == window_days {
            spans.push(Span::styled(
                format!("[{d}]"),
                theme.accent().add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::styled(d.to_string(), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn summary_line(s: &Stats, theme: &Theme) -> Line<'static> {
    if s.reviews == 0 {
        return Line::styled(
            format!("No cached review is dated in the last {} days.", s.window_days),
            theme.dim(),
        );
    }
    Line::from(vec![
        Span::styled(format!("{} reviews", s.reviews), theme.title()),
        Span::raw(" · average "),
        Span::styled(f::rating(s.average), theme.stars()),
        Span::raw(format!(
            " · answered {} · median reply {}",
            f::percent(s.answering.response_rate),
            s.answering
                .median_reply_secs
                .map_or_else(|| "–".to_owned(), f::duration)
        )),
    ])
}

/// One value per column: the weeks are spread over the whole width (week `i` takes the
/// columns `c` with `c * weeks / width == i`), or, when there are more weeks than columns, the
/// newest that fit are shown; so 5, 13 and 53 weeks all fill the chart.
fn stretched<T: Copy>(values: &[T], width: u16) -> Vec<T> {
    let width = usize::from(width);
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    if values.len() >= width {
        return values[values.len() - width..].to_vec();
    }
    (0..width).map(|c| values[c * values.len() / width]).collect()
}

fn draw_reviews_per_week(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let most = s.weeks.iter().map(|w| w.reviews).max().unwrap_or(0);
    let this_week = s.weeks.last().map_or(0, |w| w.reviews);
    let block = theme
        .block(Line::styled(" Reviews per week ", theme.title()), false)
        .title_bottom(Line::styled(
            format!(" most {most} · this week {this_week} "),
            theme.dim(),
        ));
    let inner = block.inner(area);
    let counts: Vec<u64> = s.weeks.iter().map(|w| w.reviews).collect();
    let chart = Sparkline::default()
        .block(block)
        .data(stretched(&counts, inner.width))
        .max(most.max(1))
        .style(theme.accent());
    frame.render_widget(chart, area);
}

fn draw_average_per_week(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let this_week = s.weeks.last().and_then(|w| w.average);
    let block = theme
        .block(Line::styled(" Average rating per week ", theme.title()), false)
        .title_bottom(Line::styled(
            format!(" 0–5★ · this week {} ", f::rating(this_week)),
            theme.dim(),
        ));
    let inner = block.inner(area);
    // Tenths of a star, so 3.4★ and 3.6★ differ; a week without ratings has no bar.
    let tenths: Vec<Option<u64>> = s
        .weeks
        .iter()
        .map(|w| w.average.map(|a| (a * 10.0).round() as u64))
        .collect();
    let chart = Sparkline::default()
        .block(block)
        .data(stretched(&tenths, inner.width).into_iter().map(SparklineBar::from))
        .max(50)
        // A week without a rated review stays blank (no average is ever 0).
        .absent_value_symbol(" ")
        .style(theme.stars());
    frame.render_widget(chart, area);
}

fn draw_distribution(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let rated: u64 = s.distribution.iter().sum();
    let bars: Vec<Bar<'_>> = (1..=5)
        .rev()
        .map(|star| {
            let n = s.distribution[star - 1];
            let share = (rated > 0).then(|| n as f64 * 100.0 / rated as f64);
            let style = match star {
                1 | 2 => theme.bad(),
                3 => theme.warn(),
                _ => theme.good(),
            };
            Bar::default()
                .label(Line::from(format!("{star}★")))
                .value(n)
                .text_value(format!("{n} {}", f::percent(share)))
                .style(style)
                .value_style(Style::default().add_modifier(Modifier::REVERSED))
        })
        .collect();
    let chart = BarChart::default()
        .block(theme.block(Line::styled(" Ratings ", theme.title()), false))
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

fn draw_low_ratings(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let low = &s.low_ratings;
    let block = theme.block(
        Line::styled(
            format!(
                " 1–2★: {} in {} days, {} this week ",
                low.window.reviews, s.window_days, low.this_week.reviews
            ),
            theme.title(),
        ),
        false,
    );
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let by = low.second_breakdown;
    let mut lines = Vec::new();
    match f::leading(&low.this_week, "this week's") {
        Some(head) => lines.push(Line::styled(truncate_to_width(&head, width), theme.warn())),
        None => lines.push(Line::styled("none this week", theme.dim())),
    }
    let list = |label: String, shares: &[Share]| {
        let items: Vec<String> = shares.iter().map(|x| format!("{} {:.0}%", x.name, x.percent)).collect();
        let text = if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(" · ")
        };
        let label = format!("{label:<10}");
        let room = width.saturating_sub(label.chars().count());
        Line::from(vec![
            Span::styled(label, theme.dim()),
            Span::raw(truncate_to_width(&text, room)),
        ])
    };
    let window = format!("{}d", s.window_days);
    let by = match by {
        "product" => "prod",
        _ => "ver",
    };
    lines.push(list(format!("{window} mkt"), &low.window.markets));
    lines.push(list(format!("{window} {by}"), &low.window.versions));
    lines.push(list("7d mkt".to_owned(), &low.this_week.markets));
    lines.push(list(format!("7d {by}"), &low.this_week.versions));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_answering(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let a = &s.answering;
    let block = theme.block(Line::styled(" Answering ", theme.title()), false);
    let backlog = &a.backlog;
    let older_style = if backlog.older > 0 { theme.bad() } else { theme.dim() };
    let lines = vec![
        Line::from(vec![
            Span::raw("response rate  "),
            Span::styled(f::percent(a.response_rate), theme.title()),
            Span::raw(format!(" ({} of {})", a.answered, s.reviews)),
        ]),
        Line::from(vec![
            Span::raw("median reply   "),
            Span::styled(
                a.median_reply_secs.map_or_else(|| "–".to_owned(), f::duration),
                theme.title(),
            ),
            Span::styled(format!(" ({} timed)", a.replies_timed), theme.dim()),
        ]),
        Line::styled("unanswered by age", theme.dim()),
        Line::from(vec![
            Span::raw("0–2 days "),
            Span::styled(format!("{:<5}", backlog.fresh), theme.good()),
            Span::raw("3–7 "),
            Span::styled(format!("{:<5}", backlog.this_week), theme.warn()),
            Span::raw("older "),
            Span::styled(backlog.older.to_string(), older_style),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_reply_effect(frame: &mut Frame, area: Rect, s: &Stats, theme: &Theme) {
    let e = &s.reply_effect;
    let block = theme.block(Line::styled(" Reply effect ", theme.title()), false);
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let lines = if e.reviews == 0 {
        vec![
            Line::raw("no review was revised after a reply"),
            Line::styled("in this window yet", theme.dim()),
        ]
    } else {
        let change_style = match e.mean_change {
            Some(c) if c > 0.0 => theme.good(),
            Some(c) if c < 0.0 => theme.bad(),
            _ => Style::default(),
        };
        let moves: Vec<String> = e
            .moves
            .iter()
            .map(|m| format!("{}→{}★ {}", m.before, m.after, m.reviews))
            .collect();
        vec![
            Line::raw(format!("{} revised after a reply", e.reviews)),
            Line::from(vec![
                Span::styled(f::rating(e.mean_before), theme.stars()),
                Span::raw(" → "),
                Span::styled(f::rating(e.mean_after), theme.stars()),
                Span::raw("  change "),
                Span::styled(f::change(e.mean_change), change_style.add_modifier(Modifier::BOLD)),
            ]),
            Line::raw(format!(
                "{} better · {} same · {} worse",
                e.improved, e.unchanged, e.worse
            )),
            Line::styled(truncate_to_width(&moves.join(" · "), width), theme.dim()),
        ]
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The whole stats screen: the last answer for the window (or what is going on instead), and
/// the keys on the bottom line. Takes only what it draws: the screen's state and the keymap.
pub fn draw_screen(
    frame: &mut Frame,
    area: Rect,
    view: &crate::tui::app::stats::StatsView,
    keymap: &crate::keymap::Keymap,
    no_color: bool,
) {
    use crate::keymap::{KeyAction, KeyContext};
    let theme = Theme::new(no_color);
    let [body, hints] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    match &view.shown {
        Some(Ok(stats)) => draw_stats(frame, body, stats, view.days, no_color),
        other => {
            let text = match other {
                Some(Err(why)) => format!(
                    "The stats could not be counted: {}",
                    crate::sanitize::sanitize_line(why)
                ),
                _ => "Counting the cached reviews…".to_owned(),
            };
            let block = theme.block(title(view.days, &theme), true);
            frame.render_widget(Paragraph::new(text).block(block), body);
        }
    }
    let mut spans = super::hint_spans(
        &keymap.hints(
            KeyContext::Stats,
            &[KeyAction::NextWindow, KeyAction::Refresh, KeyAction::Back],
        ),
        &theme,
    );
    if view.waiting.is_some() && view.shown.is_some() {
        spans.push(Span::styled("  counting…", theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), hints);
}
