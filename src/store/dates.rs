//! The Store's dates: US-style `3/5/2021 12:48:33 PM` in new answers, `2015-07-29` in old ones,
//! ISO 8601 with seven fractional digits for `responseDate`. None carries a zone; they are read as
//! UTC [INF]. Requests send `MM/dd/yyyy`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Parses any date form the Store is known to send, to Unix seconds (UTC).
pub fn parse_store_date(raw: &str) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if s.contains('T') {
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(dt.timestamp());
        }
        // ISO without an offset.
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(dt.and_utc().timestamp());
            }
        }
        return None;
    }
    let (date_part, time_part) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = parse_date_part(date_part)?;
    let time = match time_part {
        None | Some("") => NaiveTime::MIN,
        Some(t) => parse_time_part(t)?,
    };
    Some(date.and_time(time).and_utc().timestamp())
}

/// `M/d/yyyy`, `MM/dd/yyyy`, `yyyy-MM-dd` and `yyyy/MM/dd`.
fn parse_date_part(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let mut parts = s.split(sep);
    let a: u32 = parts.next()?.parse().ok()?;
    let b: u32 = parts.next()?.parse().ok()?;
    let c: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    if a > 999 {
        NaiveDate::from_ymd_opt(a as i32, b, c)
    } else if sep == '/' && c > 999 {
        NaiveDate::from_ymd_opt(c as i32, a, b)
    } else {
        None
    }
}

/// `h:mm:ss AM`, `hh:mm:ss`, `h:mm PM`.
fn parse_time_part(s: &str) -> Option<NaiveTime> {
    let (clock, meridiem) = match s.rsplit_once(' ') {
        Some((c, m)) => (c.trim(), Some(m.trim().to_ascii_uppercase())),
        None => (s, None),
    };
    let mut it = clock.split(':');
    let mut h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let sec: u32 = match it.next() {
        Some(x) => x.split('.').next()?.parse().ok()?,
        None => 0,
    };
    match meridiem.as_deref() {
        Some("AM") if (1..=12).contains(&h) => h %= 12,
        Some("PM") if (1..=12).contains(&h) => h = h % 12 + 12,
        Some(_) => return None,
        None => {}
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

/// The request form: `MM/dd/yyyy` (callers percent-encode it).
pub fn query_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.month(), d.day(), d.year())
}

pub fn today_utc() -> NaiveDate {
    Utc::now().date_naive()
}

/// A date a person typed on the command line: `2024-05-31`, `5/31/2024`, `today`, `yesterday`,
/// or `30d` (thirty days ago).
pub fn parse_user_date(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let s = input.trim();
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "today" => return Ok(today),
        "yesterday" => return Ok(today - chrono::Days::new(1)),
        _ => {}
    }
    if let Some(n) = lower.strip_suffix('d').and_then(|n| n.parse::<u64>().ok()) {
        return today
            .checked_sub_days(chrono::Days::new(n))
            .ok_or_else(|| format!("{s:?} reaches too far back"));
    }
    parse_date_part(s).ok_or_else(|| {
        format!("{s:?} is not a date: write 2024-05-31, 5/31/2024, today, yesterday, or 30d for thirty days ago")
    })
}

/// Unix seconds to `yyyy-MM-dd HH:mm` for display.
pub fn display_timestamp(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn every_documented_form() {
        assert_eq!(
            parse_store_date("3/5/2021 12:48:33 PM"),
            Some(ts(2021, 3, 5, 12, 48, 33))
        );
        assert_eq!(parse_store_date("1/6/2021 8:41:42 AM"), Some(ts(2021, 1, 6, 8, 41, 42)));
        assert_eq!(parse_store_date("1/6/2021 12:05:00 AM"), Some(ts(2021, 1, 6, 0, 5, 0)));
        assert_eq!(parse_store_date("2015-07-29"), Some(ts(2015, 7, 29, 0, 0, 0)));
        assert_eq!(
            parse_store_date("2015-08-07T01:50:22.9874488Z"),
            Some(ts(2015, 8, 7, 1, 50, 22))
        );
        assert_eq!(parse_store_date("2015-08-07T01:50:22"), Some(ts(2015, 8, 7, 1, 50, 22)));
        assert_eq!(parse_store_date("2015/01/01"), Some(ts(2015, 1, 1, 0, 0, 0)));
        assert_eq!(parse_store_date("8/1/2015 12:00:00 AM"), Some(ts(2015, 8, 1, 0, 0, 0)));
        assert_eq!(
            parse_store_date("06/19/2022 23:10:00"),
            Some(ts(2022, 6, 19, 23, 10, 0))
        );
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for bad in [
            "",
            "yesterday",
            "13/45/2020",
            "3/5/2021 13:00:00 PM",
            "2021-02-30",
            "1/2/3",
            "T",
            "3/5/2021 x",
        ] {
            assert_eq!(parse_store_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_dates_are_padded_us_style() {
        assert_eq!(query_date(NaiveDate::from_ymd_opt(2020, 9, 4).unwrap()), "09/04/2020");
    }

    #[test]
    fn user_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            parse_user_date("2026-01-02", today).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()
        );
        assert_eq!(
            parse_user_date("1/2/2026", today).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()
        );
        assert_eq!(
            parse_user_date("30d", today).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 22).unwrap()
        );
        assert_eq!(
            parse_user_date("Yesterday", today).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
        let err = parse_user_date("last week", today).unwrap_err();
        assert!(err.contains("2024-05-31"), "{err}");
    }
}
