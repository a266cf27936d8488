//! The background worker: owns the clients of the session's sources (the Store client and each
//! Commerce site's, and through them the tokens), takes typed commands, answers with actions
//! carrying the request id. The UI never awaits the network. Which client serves a command
//! follows from its source ID (`provider::kind_of`). Replies are not sent from here: every reply
//! goes through the durable outbox (`tui::outbox_worker`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::action::{Action, Eligibility, FetchedPage};
use super::app::StoreCommand;
use super::site_fetch::{SiteClient, fetch_site};
use crate::profiles::ProfileKind;
use crate::provider::{Feature, kind_of, source_of};
use crate::store::dates::today_utc;
use crate::store::{Progress, ReviewQuery, StoreClient, StoreError};

/// Eligibility checks in flight at once.
const CONCURRENT_CHECKS: usize = 4;
pub const CHANNEL: usize = 256;

/// The clients of a session's sources: the Store's (none for a session of Commerce sites only)
/// and each site's by source ID (`provider::site_source_id`), or why that site cannot be read.
#[derive(Default)]
pub struct Clients {
    pub store: Option<StoreClient>,
    pub sites: HashMap<String, SiteClient>,
}

/// A session of Store apps only.
impl From<StoreClient> for Clients {
    fn from(store: StoreClient) -> Clients {
        Clients {
            store: Some(store),
            ..Clients::default()
        }
    }
}

/// Starts the worker; returns where to send commands. Answers arrive on `actions`. With
/// `for_cache`, each fetched page also carries its copy as received, for the review cache.
pub fn spawn(
    clients: impl Into<Clients>,
    days: u32,
    for_cache: bool,
    actions: mpsc::Sender<Action>,
) -> mpsc::Sender<StoreCommand> {
    let (tx, mut rx) = mpsc::channel::<StoreCommand>(CHANNEL);
    let progress_out = actions.clone();
    let clients = clients.into();
    let client = clients.store.map(|c| {
        let progress_out = progress_out.clone();
        Arc::new(c.with_progress(Arc::new(move |p: Progress| {
            // Progress is advisory: when the UI is behind, dropping a line of it is fine.
            if let Progress::Retrying { .. } = p {
                let _ = progress_out.try_send(Action::Activity(p.describe()));
            }
        })))
    });
    let sites = clients.sites;
    tokio::spawn(async move {
        let checks = Arc::new(Semaphore::new(CONCURRENT_CHECKS));
        let mut fetch: Option<JoinHandle<()>> = None;
        while let Some(cmd) = rx.recv().await {
            match cmd {
                StoreCommand::FetchReviews { request, app, since } => {
                    // Only the newest refresh matters.
                    if let Some(old) = fetch.take() {
                        old.abort();
                    }
                    let out = actions.clone();
                    fetch = Some(match (kind_of(&app), &client) {
                        (ProfileKind::Commerce, _) => {
                            let site = sites
                                .get(&app)
                                .cloned()
                                .unwrap_or_else(|| Err(format!("{app} is not a site of this session")));
                            tokio::spawn(fetch_site(site, request, app, for_cache, out))
                        }
                        (ProfileKind::Store, Some(client)) => tokio::spawn(fetch_reviews(
                            Arc::clone(client),
                            request,
                            fetch_query(&app, days, since, today_utc()),
                            app,
                            for_cache,
                            out,
                        )),
                        (ProfileKind::Store, None) => tokio::spawn(async move {
                            let error = format!(
                                "{app} is a Store app, and this session has no Store profile: open one with --profile"
                            );
                            let _ = out.send(Action::ReviewsFailed { request, error }).await;
                        }),
                    });
                }
                StoreCommand::CheckEligibility { request, app, review } => {
                    let source = source_of(&app);
                    let Some(client) = client
                        .as_ref()
                        .filter(|_| source.capabilities().has(Feature::Eligibility))
                    else {
                        let result = Eligibility::Failed(source.instead(Feature::Eligibility));
                        let _ = actions
                            .send(Action::EligibilityResult {
                                request,
                                app,
                                review,
                                result,
                            })
                            .await;
                        continue;
                    };
                    let (client, out, checks) = (Arc::clone(client), actions.clone(), Arc::clone(&checks));
                    tokio::spawn(async move {
                        let _permit = checks.acquire().await;
                        let result = match client.response_info(&app, Some(&review)).await {
                            Ok(info) if info.can_respond() => Eligibility::CanRespond {
                                support_email: info.support_email().map(str::to_owned),
                            },
                            Ok(_) => Eligibility::OptedOut,
                            Err(e @ StoreError::ReviewsApiDown { .. }) => Eligibility::ApiDown(e.to_string()),
                            Err(e) => Eligibility::Failed(e.to_string()),
                        };
                        let _ = out
                            .send(Action::EligibilityResult {
                                request,
                                app,
                                review,
                                result,
                            })
                            .await;
                    });
                }
            }
        }
    });
    tx
}

/// Reviews get revised: an incremental refresh asks again this far before the last sync.
pub const SYNC_OVERLAP_DAYS: u64 = 7;

/// The last `days` days; after a sync (`since`), only from the sync minus the overlap, never
/// more than the default window.
pub fn fetch_query(app: &str, days: u32, since: Option<i64>, today: NaiveDate) -> ReviewQuery {
    let mut query = ReviewQuery::last_days(app, days, today);
    if let Some(from) = since
        .and_then(|ts| chrono::DateTime::from_timestamp(ts, 0))
        .map(|t| t.date_naive() - chrono::Days::new(SYNC_OVERLAP_DAYS))
    {
        query.start = from.clamp(query.start, query.end);
    }
    query
}

/// The query's dates as Unix seconds: from the start day's first second to the end day's last.
pub fn query_window(query: &ReviewQuery) -> (i64, i64) {
    let start = query.start.and_time(NaiveTime::MIN).and_utc().timestamp();
    let end = query.end.and_time(NaiveTime::MIN).and_utc().timestamp() + 86_399;
    (start, end)
}

async fn fetch_reviews(
    client: Arc<StoreClient>,
    request: u64,
    query: ReviewQuery,
    app: String,
    for_cache: bool,
    out: mpsc::Sender<Action>,
) {
    let (start_ts, end_ts) = query_window(&query);
    let _ = out
        .send(Action::FetchWindow {
            request,
            start_ts,
            end_ts,
        })
        .await;
    let (pages_tx, mut pages_rx) = mpsc::unbounded_channel();
    let fetch = client.fetch_review_pages(&query, move |page, total| {
        let _ = pages_tx.send((page, total));
    });
    let forward = async {
        while let Some((received, total)) = pages_rx.recv().await {
            // Cleaning, search text and the cache's copy are work per review: never the UI's.
            let reviews = match tokio::task::spawn_blocking(move || FetchedPage::prepare(received, for_cache)).await {
                Ok(page) => page,
                Err(e) => {
                    let error = format!("A page of reviews could not be prepared ({e}); press R to fetch again");
                    let _ = out.send(Action::ReviewsFailed { request, error }).await;
                    break;
                }
            };
            let _ = out
                .send(Action::ReviewsPage {
                    request,
                    app: app.clone(),
                    reviews,
                    total,
                    done: false,
                })
                .await;
        }
    };
    let (result, ()) = tokio::join!(fetch, forward);
    let last = match result {
        Ok(()) => Action::ReviewsPage {
            request,
            app: app.clone(),
            reviews: FetchedPage::default(),
            total: None,
            done: true,
        },
        Err(e) => Action::ReviewsFailed {
            request,
            error: e.to_string(),
        },
    };
    let _ = out.send(last).await;
}
