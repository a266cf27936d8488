//! A Commerce site's cached export as stats inputs. The export has no versions and no package
//! version: the 1–2★ reviews are broken down by product instead, and the reply effect stays
//! empty. Reviews taken down by moderation are left out, as the Store's removed ones are.

use super::Inputs;
use crate::commerce::listed::from_review;
use crate::db::ReviewFacts;
use crate::store::Review;
use crate::store::dates::parse_store_date;

/// The inputs for a site's reviews as the cache keeps them (`commerce::listed::to_review`'s
/// JSON, in `reviews` under the site's source ID); an undated or unreadable one is skipped.
pub fn commerce_inputs<'a>(cached: impl IntoIterator<Item = &'a str>) -> Inputs {
    let reviews = cached
        .into_iter()
        .filter_map(|json| serde_json::from_str::<Review>(json).ok())
        .filter_map(|r| from_review(&r))
        .filter(|r| r.is_taken_down != Some(true))
        .filter_map(|r| {
            let date_ts = r.submitted_date_time.as_deref().and_then(parse_store_date)?;
            let rating = r.rating.filter(|s| s.is_finite()).map(|s| s.round() as i64);
            let low = rating.is_some_and(|s| s <= 2);
            Some(ReviewFacts {
                // Nothing is looked up by it: a site has no reply history or versions here.
                id: None,
                date_ts,
                rating,
                market: r.market.clone().filter(|_| low),
                package_version: r.product_name.clone().or_else(|| r.product_id.clone()).filter(|_| low),
                answered: r.response_text.as_deref().is_some_and(|t| !t.trim().is_empty()),
                response_ts: r.response_date_time.as_deref().and_then(parse_store_date),
            })
        })
        .collect();
    Inputs {
        reviews,
        second_breakdown: "product",
        ..Inputs::default()
    }
}
