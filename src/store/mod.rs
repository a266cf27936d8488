//! The Microsoft Store analytics and reviews APIs, as documented (quirks included).

mod client;
pub mod dates;
pub mod errors;
pub mod list_form;
pub mod models;
pub mod query;
pub mod validate;

pub use client::{
    Progress, ProgressFn, ReviewsFetch, SUBMIT_CHUNK, StoreClient, SubmitOutcome, SubmitReport, SubmitStatus,
};
pub use errors::{StoreError, partner_center_url};
pub use models::{ResponseInfo, ResponseItem, Review, ReviewsPage};
pub use query::{Filter, ReviewQuery};
