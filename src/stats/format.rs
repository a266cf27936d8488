//! The numbers in words, the same on the screen and in `reviewdesk stats`.

use super::{Breakdown, Share};

/// `45 min`, `5 h 12 min`, `3 d 4 h`.
pub fn duration(secs: i64) -> String {
    let mins = secs.max(0) / 60;
    match mins {
        0..60 => format!("{mins} min"),
        60..1440 => format!("{} h {} min", mins / 60, mins % 60),
        _ => format!("{} d {} h", mins / 1440, mins % 1440 / 60),
    }
}

/// `41%`, rounded; `–` without a value.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |p| format!("{p:.0}%"))
}

/// `3.42★`; `–` without a value.
pub fn rating(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}★"))
}

/// `+1.25`, `-0.50`.
pub fn change(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |c| format!("{c:+.2}"))
}

/// The day of a Unix time, `2024-05-31` (UTC).
pub fn day(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0).map_or_else(|| "?".to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

/// `3.1.4.0 41%, 3.1.3.0 20%`: the shares in one line; `none` when empty.
pub fn shares(list: &[Share]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    list.iter()
        .map(|s| format!("{} {:.0}% ({})", s.name, s.percent, s.reviews))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The head line of a breakdown's first version: `3.1.4.0: 41% of this week's 1–2★`.
pub fn leading(b: &Breakdown, of: &str) -> Option<String> {
    b.versions
        .first()
        .map(|s| format!("{}: {:.0}% of {of} 1–2★", s.name, s.percent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(59), "0 min");
        assert_eq!(duration(45 * 60), "45 min");
        assert_eq!(duration(5 * 3600 + 12 * 60), "5 h 12 min");
        assert_eq!(duration(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(duration(-5), "0 min");
    }

    #[test]
    fn missing_values_are_a_dash() {
        assert_eq!(
            (percent(None), rating(None), change(None)),
            ("–".into(), "–".into(), "–".into())
        );
        assert_eq!(
            (percent(Some(41.4)), rating(Some(3.4166)), change(Some(0.5))),
            ("41%".into(), "3.42★".into(), "+0.50".into())
        );
    }
}
