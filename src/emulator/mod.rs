//! A local stand-in for the Microsoft Store analytics/reviews API and the Entra ID token
//! endpoint (in the spirit of Azurite). One HTTP server on loopback serves both the login paths
//! (`/{tenant}/oauth2/token`, `/{tenant}/oauth2/v2.0/token`) and the Store paths (`/v1.0/...`),
//! plus a control surface under `/_emulator/...` for tests that run it as a separate process.
//!
//! The wire formats follow `shared/reference/store-api.md` (§1.3–1.7, §3.3, §3.4). Every choice
//! the reference leaves open is marked with a comment starting `// [INF]`.

mod chaos;
pub mod commerce;
mod control;
mod corpus;
pub(crate) mod data;
pub(crate) mod dates;
mod entra;
mod errors;
mod faults;
mod fields;
mod paging;
/// The filter language lives in `crate::filter_lang`, shared with the client.
use crate::filter_lang as filter;
mod store;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDateTime, Timelike, Utc};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use chaos::{ChaosSpec, ChaosSpecError, ChaosStats};
pub use faults::{FaultSpec, ServerError, Throttle};

pub const DEFAULT_TENANT_ID: &str = "7e1f0c3a-5b2d-4c8e-9f10-2a3b4c5d6e7f";
/// Accepted in place of the tenant GUID in token URLs.
pub const DEFAULT_TENANT_DOMAIN: &str = "contoso-emulated.onmicrosoft.com";
pub const DEFAULT_CLIENT_ID: &str = "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b";
/// Deliberately contains `+ / = ~ & %`: it only matches when the client form-encodes it.
pub const DEFAULT_CLIENT_SECRET: &str = "emu~Secret+/=&%42.local";
pub const DEFAULT_APPS: &[&str] = &["9NBLGGGZ5QDR", "9WZDNCRFJ3Q8"];

#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub addr: SocketAddr,
    pub tenant_id: String,
    pub tenant_domain: String,
    pub client_id: String,
    pub client_secret: String,
    /// Store IDs served.
    pub apps: Vec<String>,
    /// Reviews generated per app (hostile ones included).
    pub reviews_per_app: usize,
    /// Same seed => same reviews (dates are relative to the start time).
    pub seed: u64,
    pub token_lifetime: Duration,
    /// Reviews on the R&R sample site.
    pub commerce_reviews: usize,
    /// The `tenantId` the R&R side answers for.
    pub rnr_tenant_id: String,
    /// Token audiences R&R accepts besides the emulator's own URL.
    pub rnr_audiences: Vec<String>,
    /// Seeded random faults on every Store API request from the start (see [`ChaosSpec`]).
    pub chaos: Option<ChaosSpec>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            tenant_domain: DEFAULT_TENANT_DOMAIN.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            apps: DEFAULT_APPS.iter().map(|s| (*s).to_owned()).collect(),
            reviews_per_app: 60,
            seed: 42,
            token_lifetime: Duration::from_secs(3599),
            commerce_reviews: 40,
            rnr_tenant_id: commerce::DEFAULT_RNR_TENANT_ID.to_owned(),
            rnr_audiences: Vec::new(),
            chaos: None,
        }
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Every request to either token endpoint, whatever its outcome.
    pub token_requests: u64,
    /// Every request to `GET /v1.0/my/analytics/reviews`, counted on arrival (faulted ones too).
    pub review_page_requests: u64,
    /// Every request to a `responses/info` path, counted on arrival.
    pub info_requests: u64,
    /// Every request to `POST /v1.0/my/reviews/responses`, counted on arrival.
    pub submit_requests: u64,
    /// Items in well-formed submit bodies that reached the handler.
    pub submitted_items: u64,
    /// Review id -> times a response was applied to it.
    pub applied_responses: BTreeMap<String, u64>,
    /// Review id -> submissions refused because it already had a response: a client that
    /// posts a reply again after it was applied shows up here.
    #[serde(default)]
    pub already_answered: BTreeMap<String, u64>,
    /// Store API answers with 401.
    pub unauthorized: u64,
    /// 429 answers, from the Store API throttle and the token throttle.
    pub throttled: u64,
    /// Injected 5xx answers.
    pub server_errors: u64,
    /// The Ratings & Reviews side.
    #[serde(default)]
    pub commerce: commerce::CommerceStats,
    /// Chaos mode's faults by kind (all zero when it is off); its 429s and 5xx are also in
    /// `throttled` and `server_errors`.
    #[serde(default)]
    pub chaos: ChaosStats,
}

/// State shared by the handlers and the handle.
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    /// Keyed by upper-cased Store ID.
    pub apps: RwLock<HashMap<String, data::AppData>>,
    pub tokens: Mutex<entra::TokenTable>,
    pub faults: Mutex<FaultSpec>,
    pub stats: Mutex<Stats>,
    pub chaos: Mutex<Option<chaos::Chaos>>,
    /// Each recent query's answer order, so that its later pages are slices.
    pub page_orders: paging::PageOrders,
    pub commerce: commerce::CommerceState,
    nonce: AtomicU64,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn read_apps(&self) -> RwLockReadGuard<'_, HashMap<String, data::AppData>> {
        self.apps.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write_apps(&self) -> RwLockWriteGuard<'_, HashMap<String, data::AppData>> {
        self.apps.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh pseudo-random value for ids, trace ids and token signatures. Not cryptographic:
    /// this is a local test double.
    pub fn random(&self) -> u64 {
        let n = self.nonce.fetch_add(1, Ordering::Relaxed);
        let t = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
        data::Rng::new(n ^ t.rotate_left(17)).next_u64()
    }

    pub fn random_guid(&self) -> String {
        data::Rng::new(self.random()).guid()
    }

    pub fn set_faults(&self, spec: FaultSpec) {
        lock(&self.faults).merge(spec);
    }

    pub fn clear_faults(&self) {
        *lock(&self.faults) = FaultSpec::default();
    }

    /// Chaos mode on with a fresh random stream (the spec's seed), or off; counts start at zero.
    pub fn set_chaos(&self, spec: Option<ChaosSpec>) {
        *lock(&self.chaos) = spec.map(chaos::Chaos::new);
    }

    /// The fault chaos mode gives the next Store API request, if it is on.
    pub fn draw_chaos(&self) -> Option<chaos::ChaosFault> {
        lock(&self.chaos).as_mut()?.draw(std::time::Instant::now())
    }

    /// The reviews API answers 4012: the injected outage, or one of chaos mode's (counted).
    pub fn reviews_down(&self) -> bool {
        if lock(&self.faults).reviews_down() {
            return true;
        }
        let mut chaos = lock(&self.chaos);
        match chaos.as_mut() {
            Some(c) if c.reviews_down(std::time::Instant::now()) => {
                c.stats.down_answers += 1;
                true
            }
            _ => false,
        }
    }

    pub fn stats(&self) -> Stats {
        let mut stats = lock(&self.stats).clone();
        stats.commerce = self.commerce.stats();
        if let Some(c) = lock(&self.chaos).as_ref() {
            stats.chaos = c.stats.clone();
        }
        stats
    }

    pub fn revoke_tokens(&self) {
        lock(&self.tokens).revoke_all();
    }

    /// A response given outside the API, as in Partner Center: not counted as a submission.
    /// `false` when there is no such review.
    pub fn respond_outside_api(&self, app: &str, review: &str, text: &str) -> bool {
        let now = now_utc();
        let mut apps = self.write_apps();
        match apps.get_mut(&app.to_ascii_uppercase()).and_then(|a| a.get_mut(review)) {
            Some(r) => {
                r.response_text = Some(text.to_owned());
                r.response_date = Some(now);
                true
            }
            None => false,
        }
    }

    pub fn add_review(&self, app: &str, review: &serde_json::Value) -> String {
        let key = app.to_ascii_uppercase();
        let now = now_utc();
        let fresh_id = self.random_guid();
        let mut apps = self.write_apps();
        let entry = apps.entry(key.clone()).or_insert_with(|| data::AppData::empty(&key));
        let review = data::review_from_json(&key, &entry.name, review, now, fresh_id);
        let id = review.id.clone();
        entry.upsert(review);
        id
    }
}

/// Now in UTC, as the naive date-time every timestamp in this module uses.
pub(crate) fn now_utc() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// The reviews query as the emulator's handler answers it, without HTTP: the raw query string
/// parsed (applicationId, dates, top/skip, the `$filter` language, `$orderby`) and run over
/// `reviews_per_app` seeded sample reviews dated around `now`; the page's JSON, or the 400
/// detail. For the fuzz targets, which need the parser without a server.
pub fn answer_reviews_query(raw: &str, now: NaiveDateTime, reviews_per_app: usize) -> Result<Vec<u8>, String> {
    let q = store::ReviewQuery::parse(raw, now.date())?;
    let app = data::generate_app(&q.app.to_ascii_uppercase(), reviews_per_app, 7, now);
    Ok(store::page_json(&app.reviews, &q))
}

pub struct EmulatorHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds, generates the data, spawns the server task and returns at once.
pub async fn start(config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let mut addr = listener.local_addr()?;
    if addr.ip().is_unspecified() {
        // [INF] a wildcard bind is reached through loopback; base_url() must be dialable.
        addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let gen_config = config.clone();
    let base_url = format!("http://{addr}");
    let (apps, commerce) = tokio::task::spawn_blocking(move || {
        let anchor = now_utc().with_nanosecond(0).unwrap_or_else(now_utc);
        let sas_key = data::Rng::new(anchor.and_utc().timestamp_nanos_opt().unwrap_or(7) as u64).next_u64();
        let commerce = commerce::CommerceState::new(&gen_config, &base_url, sas_key, anchor);
        (data::generate_all(&gen_config, anchor), commerce)
    })
    .await?;
    let chaos = config.chaos.clone().map(chaos::Chaos::new);
    let shared = Arc::new(Shared {
        config,
        apps: RwLock::new(apps),
        tokens: Mutex::new(entra::TokenTable::default()),
        faults: Mutex::new(FaultSpec::default()),
        stats: Mutex::new(Stats::default()),
        chaos: Mutex::new(chaos),
        page_orders: paging::PageOrders::default(),
        commerce,
        nonce: AtomicU64::new(0),
    });
    let app = router(shared.clone());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!("emulator server stopped with an error: {e}");
        }
    });
    tracing::debug!("emulator listening on {addr}");
    Ok(EmulatorHandle {
        shared,
        addr,
        stop: Some(stop_tx),
        task: Some(task),
    })
}

fn router(shared: Arc<Shared>) -> Router {
    let store_api = Router::new()
        .route("/v1.0/my/analytics/reviews", get(store::get_reviews))
        .route(
            "/v1.0/my/reviews/{review_id}/apps/{app_id}/responses/info",
            get(store::review_response_info),
        )
        .route(
            "/v1.0/my/reviews/apps/{app_id}/responses/info",
            get(store::app_response_info),
        )
        .route("/v1.0/my/reviews/responses", post(store::submit_responses))
        .route_layer(axum::middleware::from_fn_with_state(shared.clone(), faults::store_gate));
    let login = Router::new()
        .route("/{tenant}/oauth2/token", post(entra::token_v1))
        .route("/{tenant}/oauth2/v2.0/token", post(entra::token_v2));
    store_api
        .merge(login)
        .merge(control::router())
        .merge(commerce::router(shared.clone()))
        .with_state(shared)
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash; serves both the login and the API paths.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Merge: fields that are `Some` replace the current ones.
    pub fn set_faults(&self, faults: FaultSpec) {
        self.shared.set_faults(faults);
    }

    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Chaos mode on (a fresh stream from the spec's seed, counts from zero) or off.
    pub fn set_chaos(&self, spec: Option<ChaosSpec>) {
        self.shared.set_chaos(spec);
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Every token issued so far now gets 401.
    pub fn revoke_tokens(&self) {
        self.shared.revoke_tokens();
    }

    /// The bearer tokens this emulator has issued: what a leak test looks for in files, logs
    /// and screens.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.shared.tokens).tokens()
    }

    /// Inserts a crafted review (camelCase Store fields; `id` optional; dated now unless `date`
    /// is given; the emulator-only key `"optedOut": true` makes `CanRespond` false) and returns
    /// its id. A review with an existing id replaces it; an unknown app is created. Lenient:
    /// keys that are missing or of the wrong type get defaults (see `data::review_from_json`).
    pub fn add_review(&self, app: &str, review: serde_json::Value) -> String {
        self.shared.add_review(app, &review)
    }

    /// The person answers a review in Partner Center (degraded mode): the response is there
    /// for the next fetch, without any API submission. `false` when there is no such review.
    pub fn respond_in_partner_center(&self, app: &str, review: &str, text: &str) -> bool {
        self.shared.respond_outside_api(app, review, text)
    }

    /// The response a review has now (applied through the API or in Partner Center).
    pub fn response_text(&self, app: &str, review: &str) -> Option<String> {
        let apps = self.shared.read_apps();
        apps.get(&app.to_ascii_uppercase())?.get(review)?.response_text.clone()
    }

    /// The R&R side's S2S allow-list, as site builder shows it.
    pub fn commerce_registrations(&self) -> Vec<commerce::Registration> {
        self.shared.commerce.registrations()
    }

    /// Adds, or edits by Name, an S2S registration.
    pub fn put_commerce_registration(&self, name: &str, reg: commerce::Registration) {
        self.shared.commerce.put_registration(name, reg);
    }

    /// Removes an S2S registration by Name; `false` when there was none.
    pub fn remove_commerce_registration(&self, name: &str) -> bool {
        self.shared.commerce.remove_registration(name)
    }

    pub fn set_commerce_settings(&self, patch: commerce::CommerceSettingsPatch) -> commerce::CommerceSettings {
        self.shared.commerce.patch_settings(patch)
    }

    /// Inserts a crafted site review (storefront field names); answers its reviewId.
    pub fn add_commerce_review(&self, review: serde_json::Value) -> String {
        self.shared.commerce.add_review(&review, self.shared.random_guid())
    }

    /// Graceful stop: in-flight requests finish, then the task ends (forced after 5 s).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        // Dropping the handle without shutdown() still stops the server.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
