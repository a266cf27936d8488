//! The Microsoft Store analytics and reviews APIs, as documented (quirks included).

mod client;
pub mod dates;
pub mod errors;
pub mod flex;
pub mod models;
pub mod query;
pub mod retry;
mod tls;
pub mod validate;

pub use client::{
    Progress, ProgressFn, ReviewsFetch, SUBMIT_CHUNK, StoreClient, SubmitOutcome, SubmitReport, SubmitStatus,
    build_http_client, describe_reqwest_error,
};
pub use errors::{StoreError, partner_center_url};
pub use models::{ResponseInfo, ResponseItem, Review, ReviewsPage};
pub use query::{Filter, ReviewQuery};
pub use retry::RetryPolicy;
pub use tls::{ENV_CA_FILE, extra_ca_certificates};
