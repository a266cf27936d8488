//! What the Store's APIs answer (review pages and items, response info, submission results,
//! error bodies) and the emulator's reviews query.

use super::assert_one_displayable_line;
use crate::sanitize::is_forbidden;
use crate::store::dates::parse_store_date;
use crate::store::errors::read_error_body;
use crate::store::list_form::{self, sanitize_review};
use crate::store::models::{ResponseInfo, SubmitResponse};
use crate::store::{Review, ReviewsPage};

/// What parses serialises again (JSON output does that) and reads back the same review.
fn assert_round_trip(review: &Review) {
    let json = serde_json::to_vec(review).expect("a parsed review serialises");
    let again: Review = serde_json::from_slice(&json).expect("a serialised review parses");
    assert_eq!(&again, review, "{}", String::from_utf8_lossy(&json));
}

/// The list form (what the cache shows from) holds a cleaned review as it is, and a form of a
/// review never cleaned (an edited file) comes back as `sanitize_review` makes it, with no
/// character the cleaning rule forbids in a shown field (checked by the character rule itself,
/// not the byte scans the form's reading uses).
fn assert_list_form_cleans(review: &Review) {
    let mut clean = review.clone();
    sanitize_review(&mut clean);
    assert_eq!(list_form::decode(&list_form::encode(&clean)).as_ref(), Some(&clean));
    let got = list_form::decode(&list_form::encode(review)).expect("a form reads back");
    let texts = [
        got.review_title.as_deref(),
        got.review_text.as_deref(),
        got.response_text.as_deref(),
    ];
    let lines = [
        got.reviewer_name.as_deref(),
        got.market.as_deref(),
        got.package_version.as_deref(),
        got.device_model.as_deref(),
        got.device_type.as_deref(),
        got.os_version.as_deref(),
        got.date.as_deref(),
        got.application_name.as_deref(),
    ];
    for (s, one_line) in texts.map(|s| (s, false)).into_iter().chain(lines.map(|s| (s, true))) {
        let bad = |c: char| is_forbidden(c) || (one_line && c == '\n');
        assert!(!s.unwrap_or("").chars().any(bad), "shown as is: {s:?}");
    }
    assert_eq!(got, clean);
}

/// One review object on its own, and the Store's date formats (US-style and ISO, with and
/// without a zone) that its `date` and `responseDate` go through: the round trip holds.
pub fn review_item(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_store_date(text);
    }
    let Ok(review) = serde_json::from_slice::<Review>(data) else {
        return;
    };
    assert_round_trip(&review);
    assert_list_form_cleans(&review);
    let _ = (review.is_answered(), review.revised_after_response());
}

/// A page of get-app-reviews (`Value`, `@nextLink`, `TotalCount`, the camelCase reviews with
/// their dates, flexible numbers and booleans): each review's round trip holds.
pub fn review_page(data: &[u8]) {
    let Ok(page) = serde_json::from_slice::<ReviewsPage>(data) else {
        return;
    };
    page.value.iter().for_each(assert_round_trip);
}

/// The reviews API's answers: get-response-info, the submission result, and the error bodies
/// of the reviews and analytics APIs, whose message is shown: one displayable line.
pub fn reviews_api_answer(data: &[u8]) {
    if let Ok(info) = serde_json::from_slice::<ResponseInfo>(data) {
        let _ = (info.can_respond(), info.support_email());
    }
    if let Ok(submitted) = serde_json::from_slice::<SubmitResponse>(data) {
        let _ = submitted.result.iter().filter(|r| r.successful.0).count();
    }
    let e = read_error_body(data);
    assert_one_displayable_line("the error message", &e.message);
}

/// The emulator's reviews query (applicationId, startDate/endDate, top/skip, `$filter` with
/// its per-field operators, `$orderby`) over sample reviews: its page is JSON the client reads,
/// and its `@nextLink` a query it takes again.
pub fn emulator_query(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a valid date");
    let Ok(page) = crate::emulator::answer_reviews_query(raw, now, 12) else {
        return;
    };
    let parsed: ReviewsPage = serde_json::from_slice(&page).expect("the emulator's page is what the client reads");
    if let Some(link) = parsed.next_link {
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        assert!(
            crate::emulator::answer_reviews_query(query, now, 12).is_ok(),
            "the emulator's own @nextLink {link:?} (from {raw:?}) is refused"
        );
    }
}
