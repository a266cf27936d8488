//! The Dynamics 365 Commerce Ratings & Reviews side of the emulator. **Speculative**: the two
//! operations follow the Power Platform connector `dynamics365ratingsre` (store-api.md §4.2),
//! whose paths and parameter names are known but whose host, token audience, answers and export
//! file format are not documented. Every such choice here is marked `// [INF]`.
//!
//! * `GET /v2.0/export/reviews/?tenantId=…` answers `{blobSasUrl, expires, created}`; the URL
//!   points back at this emulator (`/devstoreaccount1/rnr-exports/…`, Azurite's account name),
//!   carries `se=` (expiry) and `sig=` (a keyed hash), and is refused like Azure Blob storage
//!   (403 `AuthenticationFailed`) once expired or tampered with.
//! * `POST /v2.0/reviews/product/{productId}/user?tenantId&locale&encodedUser[&channelId][&market]`
//!   stores the review; it is in the next export.
//! * Bearer tokens must be for an R&R audience and for a Client App ID on the S2S allow-list
//!   (site builder: Home → Reviews → Settings → Service-to-Service (S2S) Authentication), which
//!   the control API manages by Name, Client App ID and Tenant ID.

mod data;
mod routes;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub use data::SiteReview;
pub(crate) use routes::router;

use super::lock;

/// The R&R tenant the emulator's site answers for. [INF] the connector's `tenantId` is probably
/// the Commerce (Entra) tenant; the emulator uses the same GUID as its Entra tenant.
pub const DEFAULT_RNR_TENANT_ID: &str = super::DEFAULT_TENANT_ID;
/// The registration the emulator's allow-list starts with (the site-builder doc's example name).
pub const DEFAULT_REGISTRATION_NAME: &str = "Fabrikam App";

/// One S2S app registration, as the site-builder panel keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub name: String,
    pub client_app_id: String,
    pub tenant_id: String,
}

/// What the export answers with; settable over the control API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// [INF] the default, by analogy with site builder's "Download reviews data" (CSV).
    #[default]
    Csv,
    /// A JSON array of storefront `Review` entities.
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSettings {
    pub export_format: ExportFormat,
    /// How long an export's SAS URL is good for. [INF] nothing documents it; an hour.
    pub sas_lifetime_secs: u64,
    /// The next N exports hand out a URL that has already expired (a fault).
    pub expired_exports: u32,
}

impl Default for CommerceSettings {
    fn default() -> Self {
        Self {
            export_format: ExportFormat::Csv,
            sas_lifetime_secs: 3600,
            expired_exports: 0,
        }
    }
}

/// A partial [`CommerceSettings`]: given fields replace the current ones.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommerceSettingsPatch {
    pub export_format: Option<ExportFormat>,
    pub sas_lifetime_secs: Option<u64>,
    pub expired_exports: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceStats {
    /// Every request to the export path, counted on arrival (faulted ones too).
    pub export_requests: u64,
    /// Every request to the submit path, counted on arrival.
    pub submit_requests: u64,
    /// Reviews stored, keyed `productId|encodedUser|Title`: a row imported twice shows as 2.
    pub submitted: BTreeMap<String, u64>,
    /// Blob downloads served in full.
    pub blob_downloads: u64,
    /// Blob downloads refused (expired or bad signature).
    pub blob_refused: u64,
    /// R&R answers with 401 (no token, wrong audience, Client App ID not allow-listed).
    pub unauthorized: u64,
}

pub(crate) struct Blob {
    pub bytes: bytes::Bytes,
    pub content_type: &'static str,
}

pub(crate) struct Inner {
    pub registrations: Vec<Registration>,
    pub reviews: Vec<SiteReview>,
    pub blobs: HashMap<String, Blob>,
    pub settings: CommerceSettings,
    pub stats: CommerceStats,
}

/// The R&R half of the emulator's shared state.
pub(crate) struct CommerceState {
    pub inner: Mutex<Inner>,
    /// Token audiences (resource / App ID URI) R&R accepts, without a trailing slash.
    audiences: Vec<String>,
    /// The emulator's own URL, which export SAS URLs point at.
    pub base_url: String,
    pub rnr_tenant: String,
    /// Signs the SAS URLs.
    pub sas_key: u64,
}

impl CommerceState {
    /// `base_url` is the emulator's own URL: [INF] the emulator takes `{base}/.default` (the
    /// client's default scope, `{R&R URL}/.default`) as well as any configured audiences.
    pub fn new(config: &super::EmulatorConfig, base_url: &str, sas_key: u64, now: chrono::NaiveDateTime) -> Self {
        let mut audiences = vec![base_url.trim_end_matches('/').to_owned()];
        audiences.extend(config.rnr_audiences.iter().map(|a| a.trim_end_matches('/').to_owned()));
        let reviews = data::generate(config.commerce_reviews, config.seed, now);
        Self {
            inner: Mutex::new(Inner {
                registrations: vec![Registration {
                    name: DEFAULT_REGISTRATION_NAME.to_owned(),
                    client_app_id: config.client_id.clone(),
                    tenant_id: config.tenant_id.clone(),
                }],
                reviews,
                blobs: HashMap::new(),
                settings: CommerceSettings::default(),
                stats: CommerceStats::default(),
            }),
            audiences,
            base_url: base_url.trim_end_matches('/').to_owned(),
            rnr_tenant: config.rnr_tenant_id.clone(),
            sas_key,
        }
    }

    /// Whether a token for `resource` is one R&R takes (compared without a trailing slash).
    pub fn accepts_audience(&self, resource: &str) -> bool {
        let r = resource.trim_end_matches('/');
        self.audiences.iter().any(|a| a.eq_ignore_ascii_case(r))
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    pub fn stats(&self) -> CommerceStats {
        self.lock().stats.clone()
    }

    pub fn registrations(&self) -> Vec<Registration> {
        self.lock().registrations.clone()
    }

    /// Adds or replaces (by Name, case-insensitively) a registration, as the pencil does.
    pub fn put_registration(&self, name: &str, reg: Registration) {
        let mut inner = self.lock();
        inner.registrations.retain(|r| !r.name.eq_ignore_ascii_case(name));
        inner.registrations.push(reg);
    }

    /// The trash can. `false` when there is no registration by that Name.
    pub fn remove_registration(&self, name: &str) -> bool {
        let mut inner = self.lock();
        let before = inner.registrations.len();
        inner.registrations.retain(|r| !r.name.eq_ignore_ascii_case(name));
        inner.registrations.len() != before
    }

    pub fn is_allowed(&self, client_app_id: &str) -> bool {
        self.lock()
            .registrations
            .iter()
            .any(|r| r.client_app_id.eq_ignore_ascii_case(client_app_id))
    }

    pub fn patch_settings(&self, patch: CommerceSettingsPatch) -> CommerceSettings {
        let mut inner = self.lock();
        let s = &mut inner.settings;
        if let Some(f) = patch.export_format {
            s.export_format = f;
        }
        if let Some(l) = patch.sas_lifetime_secs {
            s.sas_lifetime_secs = l;
        }
        if let Some(n) = patch.expired_exports {
            s.expired_exports = n;
        }
        s.clone()
    }

    /// Inserts a crafted review (storefront field names; lenient like the Store side's).
    pub fn add_review(&self, value: &serde_json::Value, fresh_id: String) -> String {
        let review = data::from_json(value, fresh_id, super::now_utc());
        let id = review.review_id.clone();
        let mut inner = self.lock();
        inner.reviews.retain(|r| r.review_id != id);
        inner.reviews.push(review);
        id
    }
}
