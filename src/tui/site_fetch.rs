//! A Commerce site's reviews for the terminal UI: Export All Reviews, the file downloaded to a
//! private temporary file (streamed, never held whole in memory), then read review by review
//! and handed to the UI in pages, the same `ReviewsPage` answers a Store fetch gives. An export
//! is always the whole site: the window is "all time", so a review no longer exported is marked
//! gone like one the Store stopped returning.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::action::{Action, FetchedPage};
use crate::commerce::CommerceClient;
use crate::commerce::export::{fetch_export, read_export};
use crate::commerce::listed::to_review;

/// Reviews per page handed to the UI: as many as a Store page.
const PAGE: usize = 500;
/// The download's progress goes to the status line at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Why a site cannot be read at all (no secret stored, no site table): said when it is shown.
pub type SiteClient = Result<Arc<CommerceClient>, String>;

pub async fn fetch_site(client: SiteClient, request: u64, app: String, for_cache: bool, out: mpsc::Sender<Action>) {
    let last = match export(client, request, &app, for_cache, &out).await {
        Ok(()) => Action::ReviewsPage {
            request,
            app,
            reviews: FetchedPage::default(),
            total: None,
            done: true,
        },
        Err(error) => Action::ReviewsFailed { request, error },
    };
    let _ = out.send(last).await;
}

async fn export(
    client: SiteClient,
    request: u64,
    app: &str,
    for_cache: bool,
    out: &mpsc::Sender<Action>,
) -> Result<(), String> {
    let client = client?;
    let again = "press R to try again";
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| format!("No temporary file for the site's export ({e}); {again}"))?;
    let _ = out
        .send(Action::FetchWindow {
            request,
            start_ts: i64::MIN,
            end_ts: i64::MAX,
        })
        .await;
    let mut shown = Instant::now() - PROGRESS_EVERY;
    let progress_out = out.clone();
    let mut progress = move |done: u64, total: Option<u64>| {
        if shown.elapsed() < PROGRESS_EVERY {
            return;
        }
        shown = Instant::now();
        let of = total.map(|t| format!(" of {}", kib(t))).unwrap_or_default();
        // Advisory: when the UI is behind, a line of progress may be dropped.
        let _ = progress_out.try_send(Action::Activity(format!(
            "downloading the site's export: {}{of}",
            kib(done)
        )));
    };
    fetch_export(&client, file.as_file_mut(), &mut progress)
        .await
        .map_err(|e| format!("The site's export failed: {e}; {again}"))?;
    let pages = out.clone();
    let app = app.to_owned();
    // Reading and cleaning are work per review: never on the UI thread or the runtime's.
    let read = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(PAGE);
        let send = |batch: Vec<_>| {
            let reviews = FetchedPage::prepare(batch, for_cache);
            pages
                .blocking_send(Action::ReviewsPage {
                    request,
                    app: app.clone(),
                    reviews,
                    total: None,
                    done: false,
                })
                .map_err(|_| "the UI has closed".to_owned())
        };
        read_export(file.path(), |c| {
            batch.push(to_review(&c));
            if batch.len() == PAGE {
                send(std::mem::replace(&mut batch, Vec::with_capacity(PAGE)))?;
            }
            Ok(())
        })
        .map_err(|e| format!("The site's export could not be read: {e}; {again}"))?;
        if !batch.is_empty() {
            send(batch)?;
        }
        Ok::<(), String>(())
    });
    read.await
        .map_err(|e| format!("Reading the site's export stopped ({e}); {again}"))?
}

fn kib(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    }
}
