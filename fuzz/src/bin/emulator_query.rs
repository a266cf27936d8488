//! The emulator's reviews query: applicationId, startDate/endDate, top/skip, the `$filter`
//! language with its per-field operator whitelist, `$orderby`; run over sample reviews. Its
//! page must be JSON the client reads, and its `@nextLink` a query it parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::store::ReviewsPage;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a valid date");
    let Ok(page) = reviewdesk::emulator::answer_reviews_query(raw, now, 12) else {
        return;
    };
    let parsed: ReviewsPage = serde_json::from_slice(&page).expect("the emulator's page is what the client reads");
    if let Some(link) = parsed.next_link {
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        assert!(
            reviewdesk::emulator::answer_reviews_query(query, now, 12).is_ok(),
            "the emulator's own @nextLink {link:?} (from {raw:?}) is refused"
        );
    }
});
