//! Date parsing and formatting in the Store API's formats. All times are UTC.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};

/// A query-string date (`startDate`/`endDate`): `M/d/yyyy`, `MM/dd/yyyy`, `yyyy/MM/dd` or
/// `yyyy-MM-dd`, optionally followed by a time (` 12:00:00 AM`, ` 00:00:00`, `T00:00:00Z`).
// [INF] only the calendar day counts: the range always covers whole days, so a trailing time is
// validated and then ignored.
pub fn parse_query_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    if !time.is_empty() && !is_time(time) {
        return None;
    }
    parse_date_only(date)
}

/// Just the date forms of [`parse_query_date`], with nothing after them.
pub fn parse_date_only(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') {
        '/'
    } else if s.contains('-') {
        '-'
    } else {
        return None;
    };
    let parts: Vec<&str> = s.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if sep == '/' && parts[2].len() == 4 {
        (parts[2], parts[0], parts[1])
    } else {
        return None;
    };
    if m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `h:mm[:ss[.fff]]` with an optional ` AM`/` PM`, `Z` or `±hh:mm`.
fn is_time(s: &str) -> bool {
    let upper = s.to_ascii_uppercase();
    let (clock, twelve) = match upper.strip_suffix("AM").or_else(|| upper.strip_suffix("PM")) {
        Some(rest) => (rest.trim_end().to_owned(), true),
        None => (upper.clone(), false),
    };
    let clock = clock.strip_suffix('Z').unwrap_or(&clock);
    let clock = match clock.rfind(['+', '-']) {
        Some(i) if !twelve => &clock[..i],
        _ => clock,
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let num = |p: &str, max: u32| {
        let whole = p.split('.').next().unwrap_or("");
        !whole.is_empty()
            && whole.len() <= 2
            && whole.bytes().all(|b| b.is_ascii_digit())
            && whole.parse::<u32>().is_ok_and(|v| v <= max)
            && p.split('.')
                .nth(1)
                .is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()))
    };
    let max_hour = if twelve { 12 } else { 23 };
    num(parts[0], max_hour) && parts[1..].iter().all(|p| num(p, 59))
}

/// A date-time in any of the forms the Store uses: ISO 8601 (with or without zone and
/// fraction), `M/d/yyyy h:mm:ss AM/PM`, `M/d/yyyy HH:mm:ss`, or a bare date (midnight).
pub fn parse_datetime_lenient(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_utc());
    }
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
    ];
    let unzoned = s.strip_suffix('Z').unwrap_or(s);
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(unzoned, f).ok())
        .or_else(|| parse_date_only(s).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// `date` as in the current doc sample: `3/5/2021 12:48:33 PM`.
pub struct UsDateTime(pub NaiveDateTime);

impl fmt::Display for UsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let (hour, half) = match d.hour() {
            0 => (12, "AM"),
            h @ 1..=11 => (h, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        write!(
            f,
            "{}/{}/{} {}:{:02}:{:02} {}",
            d.month(),
            d.day(),
            d.year(),
            hour,
            d.minute(),
            d.second(),
            half
        )
    }
}

/// `responseDate` as in the old doc sample: `2015-08-07T01:50:22.9874488Z` (7 fraction digits).
pub struct IsoDateTime7(pub NaiveDateTime);

impl fmt::Display for IsoDateTime7 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            (d.nanosecond() % 1_000_000_000) / 100
        )
    }
}

/// Dates echoed in `@nextLink`, as in the sibling samples: `2015/01/01`.
pub fn link_date(d: NaiveDate) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn query_dates_accept_documented_forms() {
        assert_eq!(parse_query_date("1/1/2015"), Some(ymd(2015, 1, 1)));
        assert_eq!(parse_query_date("06/19/2022"), Some(ymd(2022, 6, 19)));
        assert_eq!(parse_query_date("2015/01/01"), Some(ymd(2015, 1, 1)));
        assert_eq!(parse_query_date("2015-08-31"), Some(ymd(2015, 8, 31)));
        assert_eq!(parse_query_date("8/1/2015 12:00:00 AM"), Some(ymd(2015, 8, 1)));
        assert_eq!(parse_query_date("2015-08-01T13:04:05Z"), Some(ymd(2015, 8, 1)));
        assert_eq!(parse_query_date("2015-08-01 13:04"), Some(ymd(2015, 8, 1)));
    }

    #[test]
    fn query_dates_reject_garbage() {
        for bad in [
            "",
            "yesterday",
            "13/1/2015",
            "2/30/2015",
            "1-1-2015",
            "15/1/1",
            "1/1/2015 25:00:00",
            "1/1/2015 1:00:00 XM",
            "2015/001/01",
        ] {
            assert_eq!(parse_query_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lenient_datetimes() {
        let t = |y, mo, d, h, mi, s| ymd(y, mo, d).and_hms_opt(h, mi, s).unwrap();
        assert_eq!(
            parse_datetime_lenient("3/5/2021 12:48:33 PM"),
            Some(t(2021, 3, 5, 12, 48, 33))
        );
        assert_eq!(
            parse_datetime_lenient("3/5/2021 12:48:33 AM"),
            Some(t(2021, 3, 5, 0, 48, 33))
        );
        assert_eq!(
            parse_datetime_lenient("2015-08-07T01:50:22.9874488Z").map(|d| d.nanosecond()),
            Some(987_448_800)
        );
        assert_eq!(
            parse_datetime_lenient("2015-08-07T03:50:22+02:00"),
            Some(t(2015, 8, 7, 1, 50, 22))
        );
        assert_eq!(parse_datetime_lenient("2015-07-29"), Some(t(2015, 7, 29, 0, 0, 0)));
        assert_eq!(parse_datetime_lenient("soon"), None);
    }

    #[test]
    fn formats_match_samples() {
        let d = |h, mi, s| ymd(2021, 3, 5).and_hms_opt(h, mi, s).unwrap();
        assert_eq!(UsDateTime(d(12, 48, 33)).to_string(), "3/5/2021 12:48:33 PM");
        assert_eq!(UsDateTime(d(0, 5, 9)).to_string(), "3/5/2021 12:05:09 AM");
        assert_eq!(UsDateTime(d(8, 41, 42)).to_string(), "3/5/2021 8:41:42 AM");
        assert_eq!(UsDateTime(d(23, 0, 0)).to_string(), "3/5/2021 11:00:00 PM");
        let r = parse_datetime_lenient("2015-08-07T01:50:22.9874488Z").unwrap();
        assert_eq!(IsoDateTime7(r).to_string(), "2015-08-07T01:50:22.9874488Z");
        assert_eq!(link_date(ymd(2015, 1, 1)), "2015/01/01");
    }
}
