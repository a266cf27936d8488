//! The Store endpoints: analytics reviews (§1.3), response info (§1.4), submit responses (§1.5).
//! Authentication and faults are handled before these run (see `faults::store_gate`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use super::data::Review;
use super::errors::{self, bad_query};
use super::fields::{self, SortKey};
use super::filter::{self, Expr};
use super::{Shared, dates, lock, now_utc};

pub const MAX_TOP: usize = 10_000;

/// The parsed query of `GET /v1.0/my/analytics/reviews`.
pub struct ReviewQuery {
    pub app: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub top: usize,
    pub skip: usize,
    pub filter: Option<(String, Expr)>,
    pub orderby: Option<(String, Vec<SortKey>)>,
}

impl ReviewQuery {
    /// Parses the raw query string. `today` is the default for both dates. The error is the
    /// detail for [`bad_query`].
    // [INF] parameter names are matched case-insensitively (ASP.NET style); unknown ones are
    // ignored; the first of repeated ones wins.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, String> {
        let get = |name: &str| {
            url::form_urlencoded::parse(raw.as_bytes())
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.into_owned())
        };
        let app = get("applicationId")
            .filter(|a| !a.trim().is_empty())
            .ok_or("applicationId parameter is required")?;
        let number = |v: Option<String>, name: &str, default: usize| match v {
            None => Ok(default),
            // [INF] a non-numeric or negative top/skip is an invalid query parameter.
            Some(t) => t
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("{name} parameter must be a non-negative integer")),
        };
        let top = number(get("top"), "top", MAX_TOP)?;
        if top > MAX_TOP {
            return Err("top parameter cannot be more than 10000".into());
        }
        if top == 0 {
            // [INF] top=0 would page forever; refuse it.
            return Err("top parameter must be greater than 0".into());
        }
        let skip = number(get("skip"), "skip", 0)?;
        let date = |v: Option<String>, name: &str| match v {
            None => Ok(today),
            Some(d) => dates::parse_query_date(&d).ok_or_else(|| format!("{name} parameter '{d}' is not a valid date")),
        };
        let start = date(get("startDate"), "startDate")?;
        let end = date(get("endDate"), "endDate")?;
        if start > end {
            // [INF] an inverted range is refused rather than answered empty.
            return Err("startDate cannot be later than endDate".into());
        }
        // [INF] an empty filter/orderby is the same as none.
        let filter = match get("filter").filter(|f| !f.trim().is_empty()) {
            None => None,
            Some(f) => Some((f.clone(), filter::parse(&f)?)),
        };
        let orderby = match get("orderby").filter(|o| !o.trim().is_empty()) {
            None => None,
            Some(o) => Some((o.clone(), fields::parse_orderby(&o)?)),
        };
        Ok(Self {
            app,
            start,
            end,
            top,
            skip,
            filter,
            orderby,
        })
    }

    /// The relative `@nextLink` for the page after this one, in the sibling endpoints' form.
    /// Spaces stay raw as in the doc samples; only characters that would break the query
    /// string (`%`, `&`, `#`, `+`) are escaped.
    pub fn next_link(&self) -> String {
        let mut link = format!(
            "reviews?applicationId={}&startDate={}&endDate={}&top={}&skip={}",
            escape(&self.app),
            dates::link_date(self.start),
            dates::link_date(self.end),
            self.top,
            self.skip.saturating_add(self.top)
        );
        if let Some((f, _)) = &self.filter {
            link.push_str("&filter=");
            link.push_str(&escape(f));
        }
        if let Some((o, _)) = &self.orderby {
            link.push_str("&orderby=");
            link.push_str(&escape(o));
        }
        link
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '#' => out.push_str("%23"),
            '+' => out.push_str("%2B"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "Value")]
    value: &'a [&'a Review],
    #[serde(rename = "@nextLink")]
    next_link: Option<String>,
    #[serde(rename = "TotalCount")]
    total_count: usize,
}

/// Filters, sorts and pages one app's reviews and serialises the page from borrowed reviews.
pub fn page_json(reviews: &[Review], q: &ReviewQuery) -> Vec<u8> {
    let from = q.start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let until = q
        .end
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(chrono::NaiveDateTime::MAX);
    let mut rows: Vec<&Review> = reviews
        .iter()
        .filter(|r| r.date >= from && r.date < until)
        .filter(|r| q.filter.as_ref().is_none_or(|(_, f)| f.matches(*r)))
        .collect();
    let keys = q.orderby.as_ref().map_or(&[][..], |(_, k)| k.as_slice());
    rows.sort_unstable_by(|a, b| fields::compare(keys, a, b));
    let total = rows.len();
    let end = q.skip.saturating_add(q.top);
    let page = &rows[q.skip.min(total)..end.min(total)];
    let envelope = Envelope {
        value: page,
        next_link: (end < total).then(|| q.next_link()),
        total_count: total,
    };
    serde_json::to_vec(&envelope).unwrap_or_default()
}

pub async fn get_reviews(State(s): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let today = now_utc().date();
    let q = match ReviewQuery::parse(raw.as_deref().unwrap_or(""), today) {
        Ok(q) => q,
        Err(detail) => return bad_query(detail),
    };
    let body = {
        let apps = s.read_apps();
        match apps.get(&q.app.to_ascii_uppercase()) {
            Some(app) => page_json(&app.reviews, &q),
            None => return errors::unknown_app(),
        }
    };
    errors::json(StatusCode::OK, body)
}

/// 404 for an unknown app or review on the reviews API.
// [INF] emulator-invented: the reviews API's answer for an unknown review is undocumented. A 404
// (not 400) keeps it distinct from the 400 the real API gives while it is down; the body borrows
// the reviews-API error shape.
fn not_found(what: &str) -> Response {
    let body = ReviewsError {
        code: 404,
        description: format!("Description: {what} was not found., Exception: "),
        data: [],
        source: "ReviewResponseFD",
    };
    errors::json_value(StatusCode::NOT_FOUND, &body)
}

#[derive(Serialize)]
struct ReviewsError {
    code: u16,
    description: String,
    data: [(); 0],
    source: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Info<'a> {
    can_respond: bool,
    default_support_email: &'a str,
}

/// One `Result` entry; `Successful` is a string, as documented.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Outcome<'a> {
    application_id: &'a str,
    review_id: &'a str,
    successful: &'static str,
    failure_reason: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SubmitResult<'a> {
    result: Vec<Outcome<'a>>,
}

fn info(s: &Shared, review_id: Option<&str>, app_id: &str) -> Response {
    if lock(&s.faults).reviews_down() {
        return errors::reviews_4012();
    }
    let apps = s.read_apps();
    let Some(app) = apps.get(&app_id.to_ascii_uppercase()) else {
        return not_found("The application");
    };
    // [INF] CanRespond reflects permission only (opt-out); a review that already has a response
    // still says true, and the submit then fails with "A response already exists".
    let can = match review_id {
        // [INF] without a review id: may I respond to this app's reviews at all (always yes).
        None => true,
        Some(id) => match app.get(id) {
            Some(r) => !r.opted_out,
            None => return not_found("The review"),
        },
    };
    let body = Info {
        can_respond: can,
        default_support_email: &app.support_email,
    };
    errors::json_value(StatusCode::OK, &body)
}

pub async fn review_response_info(
    State(s): State<Arc<Shared>>,
    Path((review_id, app_id)): Path<(String, String)>,
) -> Response {
    info(&s, Some(&review_id), &app_id)
}

pub async fn app_response_info(State(s): State<Arc<Shared>>, Path(app_id): Path<String>) -> Response {
    info(&s, None, &app_id)
}

/// One well-formed item of a submit body.
struct Item {
    app: String,
    review: String,
    text: String,
}

/// The submit body, or `None` when it earns the 4012 answer: not JSON, no `Responses` array, an
/// item missing a required key, an `IsPublic` that is neither a boolean nor "true"/"false", or an
/// empty `SupportEmail`.
// [INF] keys are matched exactly (PascalCase, as documented). [INF] an empty `ResponseText`
// counts as missing, and a `SupportEmail` without '@' as malformed; both earn 4012 too.
fn parse_submit(body: &[u8]) -> Option<Vec<Item>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let items = v.get("Responses")?.as_array()?;
    items
        .iter()
        .map(|it| {
            let s = |k: &str| it.get(k).and_then(Value::as_str);
            let email = s("SupportEmail")?.trim();
            let public_ok = match it.get("IsPublic")? {
                Value::Bool(_) => true,
                Value::String(p) => p.eq_ignore_ascii_case("true") || p.eq_ignore_ascii_case("false"),
                _ => false,
            };
            let text = s("ResponseText")?;
            let item = Item {
                app: s("ApplicationId")?.to_owned(),
                review: s("ReviewId")?.to_owned(),
                text: text.to_owned(),
            };
            (public_ok && email.contains('@') && !text.trim().is_empty()).then_some(item)
        })
        .collect()
}

pub async fn submit_responses(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (down, late) = {
        let f = lock(&s.faults);
        (f.reviews_down(), f.late_reply_ms.unwrap_or(0))
    };
    if down {
        return errors::reviews_4012();
    }
    let Some(items) = parse_submit(&body) else {
        return errors::reviews_4012();
    };
    let results = apply(&s, &items);
    if late > 0 {
        tokio::time::sleep(Duration::from_millis(late)).await;
    }
    errors::json_value(StatusCode::OK, &SubmitResult { result: results })
}

/// Applies each item in order (later items see earlier ones) and returns the `Result` entries.
fn apply<'a>(s: &Shared, items: &'a [Item]) -> Vec<Outcome<'a>> {
    let now = now_utc();
    let mut applied = Vec::new();
    let results = {
        let mut apps = s.write_apps();
        items
            .iter()
            .map(|it| {
                let review = apps
                    .get_mut(&it.app.to_ascii_uppercase())
                    .and_then(|a| a.get_mut(&it.review));
                let failure = match review {
                    // [INF] reason text for an unknown app or review.
                    None => "Review not found",
                    // [DOC] the only documented reason. [INF] it applies whatever IsPublic says:
                    // an opted-out customer cannot be answered at all (CanRespond false).
                    Some(r) if r.opted_out => "No Permission",
                    // [INF] reason text; the limit counts UTF-16 code units, as .NET does.
                    Some(_) if it.text.encode_utf16().count() > 1000 => {
                        "Response text exceeds the maximum length of 1000 characters"
                    }
                    // [INF] reason text; a response can only be replaced after a revision.
                    Some(r) if r.response_locked() => "A response already exists",
                    Some(r) => {
                        r.response_text = Some(it.text.clone());
                        r.response_date = Some(now);
                        applied.push(r.id.clone());
                        ""
                    }
                };
                Outcome {
                    application_id: &it.app,
                    review_id: &it.review,
                    successful: if failure.is_empty() { "true" } else { "false" },
                    failure_reason: failure,
                }
            })
            .collect()
    };
    let mut st = lock(&s.stats);
    st.submitted_items += items.len() as u64;
    for id in applied {
        *st.applied_responses.entry(id).or_default() += 1;
    }
    results
}
