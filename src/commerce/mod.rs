//! Dynamics 365 Commerce Ratings & Reviews (R&R): a site's reviews, exported in full, and
//! reviews imported one Submit a Review call at a time.
//!
//! What is documented and what is not (store-api.md §4):
//! * **Documented / observed**: the two operations and their parameters (the Power Platform
//!   connector `dynamics365ratingsre`); S2S access through an Entra app registration that site
//!   builder allow-lists by Client App ID and Directory (Tenant) ID; the export answers
//!   `{blobSasUrl, expires, created}`; the storefront's `Review` field names.
//! * **Inferred, configurable**: the base URL (per customer, `https://<rnr-id>.rnr.ms`; the
//!   profile's `rnr_url`), the token audience ([`default_audience`], the profile's `scope`), the
//!   connector's `tenantId` (default: the profile's tenant), the export file's format (detected:
//!   CSV, JSON or JSON lines), `locale`/`encodedUser` defaults for imported rows.

pub mod cache;
pub mod check;
mod client;
pub mod export;
pub mod import;
pub mod listed;
pub mod parse;
pub mod review;
pub mod sas;
mod session;
pub mod site_fields;

pub use client::{CommerceClient, CommerceError, DownloadProgress, ExportTicket, SubmitRequest};
pub use review::CommerceReview;
pub use session::{CommerceSession, commerce_profiles};

/// [INF] The token audience when the profile names none: the R&R service URL itself, as
/// `{rnr_url}/.default` (v2) or `resource={rnr_url}` (v1). Nothing documents the real one.
pub fn default_audience(rnr_url: &str) -> String {
    rnr_url.trim().trim_end_matches('/').to_owned()
}

/// [INF] The storefront's default limits (review text 500, title 50 characters): warnings on
/// import, since the service's own limits are unknown.
pub const STOREFRONT_TEXT_LIMIT: usize = 500;
pub const STOREFRONT_TITLE_LIMIT: usize = 50;

/// FNV-1a over the parts, with a separator so ("ab","c") and ("a","bc") differ. Stable across
/// builds and platforms: journal keys are written to disk.
pub fn fnv64<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for part in parts {
        for b in part.bytes().chain([0x1f]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
