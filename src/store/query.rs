//! get-app-reviews queries and the filter expressions the Store understands.

use chrono::NaiveDate;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::dates::query_date;

/// Everything except RFC 3986 unreserved characters is encoded, so a space becomes `%20` (not
/// `+`, which some servers keep as a plus) and the slashes of `MM/dd/yyyy` become `%2F`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// The Store's own maximum (and default) page size.
pub const MAX_TOP: u32 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct ReviewQuery {
    pub app_id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub top: u32,
    pub filter: Option<String>,
    pub orderby: Option<String>,
}

impl ReviewQuery {
    /// The last `days` days up to today: the Store's own default window is today only.
    pub fn last_days(app_id: impl Into<String>, days: u32, today: NaiveDate) -> Self {
        Self {
            app_id: app_id.into(),
            start: today - chrono::Days::new(u64::from(days)),
            end: today,
            top: MAX_TOP,
            filter: None,
            orderby: None,
        }
    }

    /// The query string of the first page.
    pub fn to_query_string(&self) -> String {
        let mut q = format!(
            "applicationId={}&startDate={}&endDate={}&top={}&skip=0",
            encode_component(&self.app_id),
            encode_component(&query_date(self.start)),
            encode_component(&query_date(self.end)),
            self.top.clamp(1, MAX_TOP)
        );
        if let Some(f) = self.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            q.push_str("&filter=");
            q.push_str(&encode_component(f.trim()));
        }
        if let Some(o) = self.orderby.as_deref().filter(|o| !o.trim().is_empty()) {
            q.push_str("&orderby=");
            q.push_str(&encode_component(o.trim()));
        }
        q
    }
}

/// A filter expression: `field op value`, `contains(field,'text')`, joined with and/or.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter(String);

#[derive(Clone, Debug)]
pub enum FilterValue {
    Str(String),
    Num(i64),
    Bool(bool),
}

impl From<&str> for FilterValue {
    fn from(s: &str) -> Self {
        FilterValue::Str(s.to_owned())
    }
}
impl From<String> for FilterValue {
    fn from(s: String) -> Self {
        FilterValue::Str(s)
    }
}
impl From<i64> for FilterValue {
    fn from(n: i64) -> Self {
        FilterValue::Num(n)
    }
}
impl From<bool> for FilterValue {
    fn from(b: bool) -> Self {
        FilterValue::Bool(b)
    }
}

impl FilterValue {
    fn render(&self) -> String {
        match self {
            // OData convention: a quote inside a string is doubled [INF: undocumented].
            FilterValue::Str(s) => format!("'{}'", s.replace('\'', "''")),
            FilterValue::Num(n) => n.to_string(),
            FilterValue::Bool(b) => b.to_string(),
        }
    }
}

impl Filter {
    fn cmp(field: &str, op: &str, value: impl Into<FilterValue>) -> Self {
        Filter(format!("{field} {op} {}", value.into().render()))
    }
    pub fn eq(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "eq", value)
    }
    pub fn ne(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "ne", value)
    }
    pub fn gt(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "gt", value)
    }
    pub fn lt(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "lt", value)
    }
    pub fn ge(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "ge", value)
    }
    pub fn le(field: &str, value: impl Into<FilterValue>) -> Self {
        Self::cmp(field, "le", value)
    }
    pub fn contains(field: &str, text: &str) -> Self {
        Filter(format!(
            "contains({field},{})",
            FilterValue::Str(text.to_owned()).render()
        ))
    }
    pub fn and(self, other: Filter) -> Self {
        Filter(format!("{} and {}", self.0, other.0))
    }
    /// Wrapped in parentheses, since the Store does not document how and/or bind.
    pub fn or(self, other: Filter) -> Self {
        Filter(format!("({} or {})", self.0, other.0))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_doc_example() {
        let f = Filter::contains("reviewText", "great")
            .and(Filter::contains("reviewText", "ads"))
            .and(Filter::lt("deviceRAM", 2048))
            .and(Filter::eq("market", "US"));
        assert_eq!(
            f.as_str(),
            "contains(reviewText,'great') and contains(reviewText,'ads') and deviceRAM lt 2048 and market eq 'US'"
        );
    }

    #[test]
    fn quotes_are_doubled_and_or_is_grouped() {
        let f = Filter::eq("reviewerName", "O'Brien").or(Filter::eq("isRevised", true));
        assert_eq!(f.as_str(), "(reviewerName eq 'O''Brien' or isRevised eq true)");
    }

    #[test]
    fn query_string_is_percent_encoded() {
        let mut q = ReviewQuery::last_days("9NBLGGGZ5QDR", 90, NaiveDate::from_ymd_opt(2020, 9, 14).unwrap());
        q.filter = Some("market eq 'US'".into());
        q.orderby = Some("date desc".into());
        assert_eq!(
            q.to_query_string(),
            "applicationId=9NBLGGGZ5QDR&startDate=06%2F16%2F2020&endDate=09%2F14%2F2020&top=10000&skip=0&filter=market%20eq%20%27US%27&orderby=date%20desc"
        );
    }
}
