//! A site's reviews in the terminal UI's list, which holds Store-shaped reviews: each exported
//! review becomes a [`Review`] ([`to_review`]) whose fields carry what they can (title, text,
//! rating, date, the moderator's response), and whose one extra entry, [`MODERATION_KEY`],
//! carries what only a site has (moderation state, product, SKU). The cache, search, filters and
//! stats then need nothing of their own.

use serde_json::{Map, Value};

use super::CommerceReview;
use crate::store::Review;
use crate::store::dates::parse_store_date;

/// The entry of [`Review::extra`] that holds a site review's moderation and product fields.
pub const MODERATION_KEY: &str = "commerceModeration";

/// What a site review carries besides the Store-shaped fields, as the detail pane shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moderation {
    /// "published", "taken down", "responded", "updated since response", "not published".
    pub state: String,
    pub taken_down: bool,
    pub violations_found: bool,
    pub updated_since_response: bool,
    /// Who answered in site builder (`userResponse.responderName`).
    pub responder: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub sku: Option<String>,
    /// The rating as the site gave it (it may have a half star; the list shows it rounded).
    pub rating: Option<f64>,
    pub channel_id: Option<String>,
}

impl Moderation {
    /// The moderation fields of a site review; `None` for a Store review.
    pub fn of(review: &Review) -> Option<Moderation> {
        let m = review.extra.as_ref()?.get(MODERATION_KEY)?.as_object()?;
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
        let flag = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
        Some(Moderation {
            state: text("state").unwrap_or_else(|| "published".to_owned()),
            taken_down: flag("isTakenDown"),
            violations_found: flag("violationsFound"),
            updated_since_response: flag("updatedSinceResponse"),
            responder: text("responderName"),
            product_id: text("productId"),
            product_name: text("productName"),
            sku: text("sku"),
            rating: m.get("rating").and_then(Value::as_f64),
            channel_id: text("channelId"),
        })
    }
}

/// What a list row shows of a site review's moderation, in its one-character marker column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteMark {
    /// Moderation took it down: customers no longer see it.
    TakenDown,
    /// The customer changed it after the moderator's response.
    UpdatedSinceResponse,
    /// A moderator answered it in site builder.
    Responded,
}

impl SiteMark {
    /// The mark of a site review worth seeing at a glance; `None` for a Store review or a
    /// published site review without a response. Taken down wins: it is what changes what
    /// customers see.
    pub fn of(review: &Review) -> Option<SiteMark> {
        let m = Moderation::of(review)?;
        if m.taken_down {
            Some(SiteMark::TakenDown)
        } else if m.updated_since_response {
            Some(SiteMark::UpdatedSinceResponse)
        } else if review.is_answered() || m.responder.is_some() {
            Some(SiteMark::Responded)
        } else {
            None
        }
    }
}

/// The entry of the moderation object that holds the export's columns reviewdesk does not know.
const COLUMNS_KEY: &str = "columns";

/// An exported review as a list entry, and as the one copy the profile's database keeps of it
/// (`reviews`, under the site's source ID). Its ID is the cache key (the review ID, else a hash
/// of what identifies it), so a review exported twice is one entry. Nothing of the export is
/// lost: the texts go in the Store-shaped fields, everything else (moderation, product, exact
/// rating, unknown columns) in the moderation object, and [`from_review`] puts them back.
pub fn to_review(c: &CommerceReview) -> Review {
    // Each text once: the Store-shaped fields carry these, the moderation object the rest.
    let mut rest = CommerceReview {
        title: None,
        review_text: None,
        user_name: None,
        submitted_date_time: None,
        response_text: None,
        response_date_time: None,
        ..c.clone()
    };
    let columns = std::mem::take(&mut rest.extra);
    let mut m = match serde_json::to_value(&rest) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert("state".into(), c.moderation_state().into());
    if !columns.is_empty() {
        m.insert(COLUMNS_KEY.into(), Value::Object(columns.into_iter().collect()));
    }
    let mut extra = Map::new();
    extra.insert(MODERATION_KEY.into(), Value::Object(m));
    // Saturating: a vote count beyond 32 bits is shown as the largest.
    let count = |v: Option<f64>| v.filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as i32);
    Review {
        id: Some(c.cache_key()),
        date: c.submitted_date_time.as_deref().map(Into::into),
        timestamp: c.submitted_date_time.as_deref().and_then(parse_store_date),
        application_id: c.product_id.as_deref().map(Into::into),
        application_name: c.product_name.as_deref().map(Into::into),
        market: c.market.as_deref().or(c.locale.as_deref()).map(Into::into),
        is_revised: c.is_revised,
        reviewer_name: c.user_name.as_deref().map(Into::into),
        rating: c
            .rating
            .filter(|r| r.is_finite())
            .map(|r| r.round().clamp(0.0, 5.0) as i64),
        review_title: c.title.as_deref().map(Into::into),
        review_text: c.review_text.clone(),
        helpful_count: count(c.helpful_positive),
        not_helpful_count: count(c.helpful_negative),
        response_date: c.response_date_time.as_deref().map(Into::into),
        response_timestamp: c.response_date_time.as_deref().and_then(parse_store_date),
        response_text: c.response_text.clone().filter(|t| !t.trim().is_empty()),
        extra: Some(Box::new(extra)),
        ..Review::default()
    }
}

/// The exported review a cached site review was made from ([`to_review`]'s inverse); `None`
/// for a Store review. Rows moved from the old `commerce_reviews` table have their unknown
/// columns beside the known ones rather than under `columns`; both read back the same.
pub fn from_review(r: &Review) -> Option<CommerceReview> {
    let mut m = r.extra.as_ref()?.get(MODERATION_KEY)?.as_object()?.clone();
    m.remove("state");
    let columns = match m.remove(COLUMNS_KEY) {
        Some(Value::Object(c)) => c,
        Some(other) => Map::from_iter([(COLUMNS_KEY.to_owned(), other)]),
        None => Map::new(),
    };
    let mut c = CommerceReview::from_json(m);
    c.extra.extend(columns);
    c.title = r.review_title.as_deref().map(str::to_owned);
    c.review_text = r.review_text.clone();
    c.user_name = r.reviewer_name.as_deref().map(str::to_owned);
    c.submitted_date_time = r.date.as_deref().map(str::to_owned);
    c.response_text = r.response_text.clone();
    c.response_date_time = r.response_date.as_deref().map(str::to_owned);
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_review_keeps_its_moderation_through_the_cache_json() {
        let c = CommerceReview {
            review_id: Some("rv-1".into()),
            product_id: Some("68719498121".into()),
            product_name: Some("Fabrikam Boot".into()),
            sku: Some("FB-44".into()),
            rating: Some(3.5),
            title: Some("Snug".into()),
            review_text: Some("Fits well".into()),
            submitted_date_time: Some("2026-11-20T10:00:00Z".into()),
            is_published: Some(true),
            updated_since_response: Some(true),
            responder_name: Some("Moderator Ann".into()),
            response_text: Some("Thanks!".into()),
            response_date_time: Some("2026-11-21T09:00:00Z".into()),
            ..CommerceReview::default()
        };
        let r = to_review(&c);
        assert_eq!(r.id.as_deref(), Some("rv-1"));
        assert_eq!(r.rating, Some(4), "rounded for the list");
        assert!(r.is_answered() && r.timestamp.is_some() && r.response_timestamp > r.timestamp);
        // The cache keeps the JSON a review serialises to, and reads it back.
        let back: Review = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        let m = Moderation::of(&back).expect("kept");
        assert_eq!(m.state, "updated since response");
        assert!(m.updated_since_response && !m.taken_down);
        assert_eq!(m.responder.as_deref(), Some("Moderator Ann"));
        assert_eq!((m.sku.as_deref(), m.rating), (Some("FB-44"), Some(3.5)));
        let store_review = Review {
            id: Some("x".into()),
            ..Review::default()
        };
        assert_eq!(Moderation::of(&store_review), None);
    }

    #[test]
    fn the_cached_review_gives_back_the_whole_export_row() {
        let c = CommerceReview {
            product_id: Some("p1".into()),
            legal_entity: Some("USRT".into()),
            locale: Some("de-de".into()),
            rating: Some(2.5),
            title: Some("Zu klein \u{1b}[31m".into()),
            review_text: Some("Léa sagt: passt nicht".into()),
            user_name: Some("Léa".into()),
            submitted_date_time: Some("2026-11-20T10:00:00Z".into()),
            is_taken_down: Some(true),
            thoughtfulness_score: Some(0.25),
            extended_properties: Some(serde_json::json!({"size": 44})),
            extra: [
                ("Shoe size".to_owned(), Value::String("44".into())),
                ("state".to_owned(), Value::String("WA".into())),
            ]
            .into(),
            ..CommerceReview::default()
        };
        let cached = serde_json::to_string(&to_review(&c)).unwrap();
        assert_eq!(cached.matches("passt nicht").count(), 1, "each text once: {cached}");
        let back: Review = serde_json::from_str(&cached).unwrap();
        assert_eq!(
            from_review(&back),
            Some(c.clone()),
            "nothing lost, not even a column named state"
        );
        assert_eq!(to_review(&c).id, back.id, "the same cache key (a hash: no review ID)");
        assert_eq!(SiteMark::of(&back), Some(SiteMark::TakenDown));
        assert_eq!(from_review(&Review::default()), None);
    }

    #[test]
    fn a_review_without_an_id_gets_a_stable_one() {
        let c = CommerceReview {
            title: Some("No id".into()),
            ..CommerceReview::default()
        };
        assert_eq!(to_review(&c).id, to_review(&c.clone()).id);
        assert!(to_review(&c).id.unwrap().starts_with("nokey-"));
    }
}
