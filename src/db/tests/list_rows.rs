//! The list form beside each cached review's JSON: written with every review, read instead of
//! the JSON, and rows without it (stored before it, or of another form version) still read.

use super::super::{CachedReview, ListForm};
use super::{open, temp};
use crate::store::Review;

const HOSTILE: &str = r#"{"id":"h","date":"2026-11-30T10:00:00","reviewTitle":"\u001b]52;c;aGk=\u0007title","reviewText":"a\u202eb\r\nc","reviewerName":"two\nlines","rating":2,"moderation":{"state":"Approved"}}"#;

fn row(id: &str, json: &str) -> CachedReview {
    CachedReview {
        id: id.to_owned(),
        date_ts: Some(1_796_032_800),
        raw_json: json.to_owned(),
    }
}

/// The review as the list must show it: parsed from the JSON and cleaned, the old way.
fn cleaned(json: &str) -> Review {
    let mut r: Review = serde_json::from_str(json).unwrap();
    crate::store::list_form::sanitize_review(&mut r);
    r
}

#[test]
fn a_stored_review_is_read_back_from_its_list_form_cleaned_as_its_json_would_be() {
    let dir = temp();
    let mut db = open(dir.path());
    let plain = r#"{"id":"p","date":"2026-11-30T09:00:00","reviewText":"fine","rating":5,"helpfulCount":"3"}"#;
    db.upsert_reviews("app", &[row("h", HOSTILE), row("p", plain)], 7)
        .unwrap();
    let mut rows = Vec::new();
    db.scan_reviews("app", 1, |part| rows.extend(part)).unwrap();
    assert_eq!(rows.len(), 2);
    for (r, json) in rows.iter().zip([HOSTILE, plain]) {
        assert!(matches!(r.form, ListForm::Cleaned(_)), "{:?}", r.form);
        assert_eq!(r.review(), Some(cleaned(json)));
    }
    let hostile = rows[0].review().unwrap();
    assert_eq!(hostile.review_title.as_deref(), Some("title"));
    assert!(
        hostile.extra.is_some(),
        "fields this version does not know are kept (Commerce moderation)"
    );
    // The JSON as received is still what the other readers get.
    assert_eq!(db.review("app", "h").unwrap().unwrap().raw_json, HOSTILE);
    let newest = db.load_newest_reviews("app", 5).unwrap();
    assert_eq!(
        newest.iter().map(|r| r.review()).collect::<Vec<_>>(),
        [Some(cleaned(HOSTILE)), Some(cleaned(plain))]
    );
}

/// A cache written before the list form (or by a version with another form) opens and lists
/// the same reviews, from their JSON; the next write of a row gives it the form.
#[test]
fn rows_without_a_form_of_this_version_are_read_from_their_json() {
    let dir = temp();
    let mut db = open(dir.path());
    let other = r#"{"id":"o","reviewTitle":"other form","rating":3}"#;
    db.upsert_reviews("app", &[row("h", HOSTILE), row("o", other)], 7)
        .unwrap();
    db.conn
        .execute("UPDATE reviews SET list_form = NULL WHERE id = 'h'", [])
        .unwrap();
    db.conn
        .execute("UPDATE reviews SET list_form = x'02' || list_form WHERE id = 'o'", [])
        .unwrap();
    let mut rows = Vec::new();
    db.scan_reviews("app", 10, |part| rows.extend(part)).unwrap();
    assert_eq!(rows[0].form, ListForm::Json(HOSTILE.to_owned()));
    assert_eq!(rows[1].form, ListForm::Json(other.to_owned()));
    assert_eq!(rows[0].review(), Some(cleaned(HOSTILE)));
    assert_eq!(rows[1].review(), Some(cleaned(other)));

    db.upsert_reviews("app", &[row("h", HOSTILE)], 8).unwrap();
    let newest = db.load_newest_reviews("app", 1).unwrap();
    assert!(matches!(newest[0].form, ListForm::Cleaned(_)));
}

/// A damaged form is skipped (as a JSON that does not parse is), not misread.
#[test]
fn a_damaged_form_is_skipped() {
    let dir = temp();
    let mut db = open(dir.path());
    db.upsert_reviews("app", &[row("h", HOSTILE)], 7).unwrap();
    db.conn
        .execute("UPDATE reviews SET list_form = substr(list_form, 1, 9)", [])
        .unwrap();
    let rows = db.load_newest_reviews("app", 1).unwrap();
    assert!(matches!(rows[0].form, ListForm::Cleaned(_)));
    assert_eq!(rows[0].review(), None);
}

/// Fetched reviews stored as received give the same rows as their JSON stored: the same JSON,
/// stats' columns and list form (made from the reviews, not from the JSON parsed again).
#[test]
fn fetched_reviews_store_what_their_json_would() {
    let (a, b) = (temp(), temp());
    let (mut from_json, mut fetched) = (open(a.path()), open(b.path()));
    let plain = r#"{"id":"p","date":"2026-11-30T09:00:00","reviewText":"fine","rating":"4","market":"DE","packageVersion":"1.2.3.0","responseText":"Thanks","responseDate":"2026-11-30T10:00:00"}"#;
    let mut reviews: Vec<Review> = [HOSTILE, plain]
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
    // Set in memory but not in the JSON: the stored row follows the JSON.
    reviews[0].timestamp = Some(5);
    let no_id = Review {
        review_text: Some("no id".into()),
        ..Review::default()
    };
    let rows: Vec<CachedReview> = reviews.iter().filter_map(CachedReview::of).collect();
    from_json.upsert_reviews("app", &rows, 7).unwrap();
    reviews.push(no_id);
    assert_eq!(fetched.upsert_fetched("app", &reviews, 7).unwrap(), 2);
    let all = |db: &crate::db::Db| -> Vec<Vec<rusqlite::types::Value>> {
        let mut stmt = db
            .conn
            .prepare("SELECT id, date_ts, raw_json, rating, market, package_version, answered, response_ts, list_form FROM reviews ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| (0..9).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(all(&fetched), all(&from_json));
    assert_eq!(all(&fetched).len(), 2);
}
