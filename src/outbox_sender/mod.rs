//! Sends what the outbox holds, several replies per request (the API takes an array and
//! answers per item), and settles every unclear outcome by
//! reading the review back before anything is sent again. Used by the terminal UI (in the
//! background) and by `reviewdesk outbox send`.
//!
//! One round:
//! 1. **Verify** each `unconfirmed` item: fetch its review. The response there is ours → `sent`;
//!    no response (or one older than a revision of the review) → back in the queue; someone
//!    else's response → `failed`, never re-sent. An item answered in Partner Center (`manual`)
//!    is confirmed by any response and otherwise left alone. A failed lookup leaves the item
//!    unconfirmed: nothing is re-sent on a guess.
//! 2. **Send** due `queued` items: up to [`SendPolicy::batch_size`] are claimed in the
//!    database first (atomic across processes), then sent in one request; each item's own
//!    `Successful`/`FailureReason` decides its state. An item in its undo-send window
//!    ([`SendPolicy::send_delay_secs`]) is not due, so never claimed (see `db::outbox`). What the Store said decides the next state:
//!    accepted → `sent`; refused for the item → `failed`; nothing reached it (connect error,
//!    429, 503, token trouble) → `queued` again with backoff, and the round stops, since the
//!    next item would fare the same; may have reached it (timeout, connection lost after the
//!    body left, 5xx) → `unconfirmed`, verified at once.
//!
//! The documented outage of the reviews API keeps the item queued (retried every few minutes)
//! and is reported as [`Delivery::ApiDown`], for the UI's degraded mode.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::{Db, DbError, OutboxItem, OutboxNew, OutboxState};
use crate::store::{Review, StoreClient};

/// How often a reply answered in Partner Center is looked for on its review, when no refresh
/// asks sooner.
const MANUAL_RECHECK_SECS: i64 = 300;

/// Timing of claims and retries, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct SendPolicy {
    /// How long a claim holds: well above the request timeout and its retries.
    pub lease_secs: i64,
    /// The first wait after a failure that left nothing applied; doubled per attempt.
    pub first_backoff_secs: i64,
    pub max_backoff_secs: i64,
    /// The wait after the reviews API's documented outage.
    pub api_down_backoff_secs: i64,
    /// A request cut off by a killed run may still be processed by the Store for about as long
    /// as a request may take: its review is read back only this long after it was claimed.
    pub settle_secs: i64,
    /// The undo-send window: a reply enqueued here is not sent before this many seconds
    /// (`[outbox] send_delay_secs` in the config; 0 = at once).
    pub send_delay_secs: i64,
    /// Replies sent in one request at most.
    pub batch_size: usize,
}

impl Default for SendPolicy {
    fn default() -> Self {
        SendPolicy {
            lease_secs: 600,
            first_backoff_secs: 15,
            max_backoff_secs: 600,
            api_down_backoff_secs: 300,
            settle_secs: 40,
            send_delay_secs: 0,
            batch_size: DEFAULT_BATCH,
        }
    }
}

/// Replies per request: enough for a bulk answer to go out in a request or two, few enough that
/// one slow answer keeps only a few items unclear.
pub const DEFAULT_BATCH: usize = 20;

impl SendPolicy {
    /// The default timing, with the settle wait fitted to the configured request timeout.
    pub fn for_network(net: &crate::http::NetworkConfig) -> Self {
        SendPolicy {
            settle_secs: net.request_timeout().as_secs() as i64 + 10,
            ..SendPolicy::default()
        }
    }

    /// [`SendPolicy::for_network`] with the config's undo-send window.
    pub fn from_config(config: &crate::config::Config) -> Self {
        SendPolicy {
            send_delay_secs: i64::try_from(config.outbox.send_delay_secs).unwrap_or(i64::MAX),
            ..SendPolicy::for_network(&config.network)
        }
    }

    /// The wait after the `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: i64) -> i64 {
        let doublings = attempts.clamp(1, 20) - 1;
        self.first_backoff_secs
            .saturating_mul(1 << doublings)
            .min(self.max_backoff_secs)
    }
}

/// What became of one item in a round: delivered, verified, failed, waiting or unclear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Found on the review after an unclear answer: sent, and not sent again.
    VerifiedSent,
    /// The review shows no response after an unclear answer: queued to be sent again.
    VerifiedNotApplied,
    Failed(String),
    /// Nothing reached the Store; tried again not before `at` (Unix seconds).
    Retrying {
        at: i64,
        reason: String,
    },
    /// Microsoft's reviews API is in its documented outage; the message names the way out.
    ApiDown {
        at: i64,
        message: String,
    },
    /// The request may have reached the Store; the review is read back before anything else.
    Unconfirmed(String),
    /// The review could not be read back; still unconfirmed, looked at again later.
    StillUnknown(String),
}

#[derive(Clone, Debug)]
pub struct Outcome {
    /// The item as stored after the change.
    pub item: OutboxItem,
    pub what: Delivery,
}

/// What a round leaves for the next one.
#[derive(Clone, Debug, Default)]
pub struct RoundSummary {
    pub outcomes: Vec<Outcome>,
    /// The round stopped because the service failed: do not start another before this.
    pub paused_until: Option<i64>,
    /// The earliest time a queued item is due.
    pub next_due: Option<i64>,
    /// Unconfirmed items whose review could not be read: look again at this time.
    pub verify_again_at: Option<i64>,
}

impl RoundSummary {
    /// When the next round should start, if anything is waiting; `None` when nothing is.
    pub fn next_round_at(&self) -> Option<i64> {
        let due = match (self.next_due, self.paused_until) {
            (Some(d), Some(p)) => Some(d.max(p)),
            (d, _) => d,
        };
        [due, self.verify_again_at].into_iter().flatten().min()
    }
}

/// One profile's outbox and the client that sends it.
#[derive(Clone)]
pub struct OutboxSender {
    db: Arc<Mutex<Db>>,
    client: Arc<StoreClient>,
    owner: String,
    policy: SendPolicy,
    /// Unconfirmed items whose review could not be read (or, answered in Partner Center,
    /// showed nothing yet), and when to look again; the service answering clears it.
    verify_after: Arc<Mutex<HashMap<i64, i64>>>,
    /// Unconfirmed items whose last request may still be processed by the Store: not read back
    /// before this time, whatever else happens.
    settle_until: Arc<Mutex<HashMap<i64, i64>>>,
    /// Submissions under way right now.
    in_flight: Arc<AtomicUsize>,
    /// Set when reviewdesk is leaving: no new item is claimed.
    stopping: Arc<AtomicBool>,
}

/// The state in a word or two, for the outbox list and sentences: "queued", "held",
/// "sending", "done in PC" (answered in Partner Center), …
pub fn describe(item: &OutboxItem) -> &'static str {
    match item.state {
        OutboxState::Queued if item.held() => "held",
        OutboxState::Unconfirmed if item.manual => "done in PC",
        s => s.as_str(),
    }
}

/// The first block of a review GUID: enough to tell reviews apart in a status line.
pub fn short_id(review: &str) -> &str {
    review.split('-').next().unwrap_or(review)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The Store may trim or re-wrap what it stores: compare without the ends' whitespace and with
/// one kind of line break.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().replace("\r\n", "\n");
    norm(a) == norm(b)
}

impl OutboxSender {
    pub fn new(db: Db, client: Arc<StoreClient>, owner: String, policy: SendPolicy) -> Self {
        // One attempt per claim: the client's own retries (429, 503, connect errors) could
        // outlive the claim (a suspended laptop), and the outbox backs off by itself.
        let single = crate::http::retry::RetryPolicy {
            max_attempts: 1,
            ..crate::http::retry::RetryPolicy::default()
        };
        let client = Arc::new(StoreClient::clone(&client).with_retry(single));
        OutboxSender {
            db: Arc::new(Mutex::new(db)),
            client,
            owner,
            policy,
            verify_after: Arc::default(),
            settle_until: Arc::default(),
            in_flight: Arc::default(),
            stopping: Arc::default(),
        }
    }

    /// Leaving: claims nothing more, and waits up to `limit` for a submission under way to get
    /// its answer (a request cut off is settled at the next start, but only after a wait).
    pub async fn stop(&self, limit: Duration) {
        self.stopping.store(true, Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + limit;
        while self.in_flight.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // What is still held here (a request cut off) becomes unconfirmed now, for the next
        // start (maybe in this very process, after a profile switch) to settle.
        let owner = self.owner.clone();
        let released = self.with_db(move |db| db.release_where(now(), |o| o == owner)).await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not release the outbox items held by this run");
        }
    }

    pub fn policy(&self) -> SendPolicy {
        self.policy
    }

    /// Runs `f` on the database off the async threads (SQLite blocks; an fsync takes ms).
    pub async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Db) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            db.check_file()?;
            f(&mut db)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// At start: items a killed earlier run held become unconfirmed now (verified next round),
    /// as do items whose lease ran out; queued items waiting out an earlier run's backoff are
    /// due now (a new start is a new try). Returns the ids of the unclear items.
    pub async fn recover(&self) -> Result<Vec<i64>, DbError> {
        let ids = self
            .with_db(move |db| {
                let t = now();
                let mut ids = db.release_abandoned(t)?;
                ids.extend(db.expire_leases(t)?);
                db.bring_forward(t)?;
                Ok(ids)
            })
            .await?;
        // A request of the ended run may still be on its way (when it was last attempted is
        // not recorded): let it settle before reading the review back, or the read-back could
        // miss it and the reply go out twice.
        self.settle(&ids);
        Ok(ids)
    }

    /// These items are not read back before the settle time from now.
    fn settle(&self, ids: &[i64]) {
        let at = now() + self.policy.settle_secs;
        let mut settle = self.settle_until.lock().unwrap_or_else(|p| p.into_inner());
        for id in ids {
            settle.insert(*id, at);
        }
    }

    /// Writes a confirmed reply to the outbox, durably; returns its id. Nothing is sent here,
    /// and nothing before the undo-send window ([`SendPolicy::send_delay_secs`]) ends.
    pub async fn enqueue(&self, new: OutboxNew) -> Result<i64, DbError> {
        let delay = self.policy.send_delay_secs;
        self.with_db(move |db| db.enqueue_delayed(&new, now(), delay)).await
    }

    /// Takes a reply back inside its undo-send window: it is removed and returned (for its
    /// text), unless a sender already claimed it ([`DbError::TooLateToTakeBack`]).
    pub async fn take_back(&self, id: i64) -> Result<OutboxItem, DbError> {
        self.with_db(move |db| db.take_back(id)).await
    }

    /// The person asked to look at an unconfirmed item now, not after the wait.
    pub fn forget_verify_wait(&self, id: i64) {
        self.verify_after.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    /// The service answered again: queued items waiting out a backoff are due now, and
    /// unconfirmed ones are verified at the next round.
    pub async fn service_answered(&self) -> Result<usize, DbError> {
        self.verify_after.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.with_db(|db| db.bring_forward(now())).await
    }

    /// Verifies what is unconfirmed, then sends what is due, reporting each step to `report`.
    pub async fn round(&self, mut report: impl FnMut(&Outcome)) -> Result<RoundSummary, DbError> {
        let mut summary = RoundSummary::default();
        let mut push = |summary: &mut RoundSummary, o: Outcome| {
            report(&o);
            summary.outcomes.push(o);
        };
        let (expired, unconfirmed) = self
            .with_db(|db| {
                let expired = db.expire_leases(now())?;
                let unconfirmed = db
                    .outbox(None, i64::MAX)?
                    .into_iter()
                    .filter(|i| i.state == OutboxState::Unconfirmed)
                    .collect::<Vec<_>>();
                Ok((expired, unconfirmed))
            })
            .await?;
        self.settle(&expired);
        for item in unconfirmed {
            let wait = [&self.settle_until, &self.verify_after]
                .into_iter()
                .filter_map(|m| m.lock().unwrap_or_else(|p| p.into_inner()).get(&item.id).copied())
                .max();
            if wait.is_some_and(|at| at > now()) {
                summary.verify_again_at = min_some(summary.verify_again_at, wait);
                continue;
            }
            if let Some(o) = self.verify(item, &mut summary).await? {
                push(&mut summary, o);
            }
        }
        while summary.paused_until.is_none() && !self.stopping.load(Ordering::SeqCst) {
            let (owner, lease, max) = (self.owner.clone(), self.policy.lease_secs, self.policy.batch_size);
            let items = self
                .with_db(move |db| db.claim_batch(&owner, now(), lease, max))
                .await?;
            if items.is_empty() {
                break;
            }
            for outcome in self.send_batch(items, &mut summary).await? {
                if matches!(outcome.what, Delivery::Unconfirmed(_)) {
                    // Read back only once the Store has surely processed what it received.
                    self.settle(&[outcome.item.id]);
                    let at = now() + self.policy.settle_secs;
                    summary.verify_again_at = min_some(summary.verify_again_at, Some(at));
                }
                push(&mut summary, outcome);
            }
        }
        summary.next_due = self.with_db(|db| db.outbox_next_due()).await?;
        Ok(summary)
    }

    /// Reads the review back to settle an unconfirmed item. `None` when nothing changed and
    /// nothing is worth saying (a manual item still waiting for its response to show).
    async fn verify(&self, item: OutboxItem, summary: &mut RoundSummary) -> Result<Option<Outcome>, DbError> {
        let id = item.id;
        let review = match self.client.fetch_review(&item.app, &item.review).await {
            Ok(r) => r,
            Err(e) => {
                let at = now() + self.policy.backoff(2);
                self.verify_after
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, at);
                summary.verify_again_at = min_some(summary.verify_again_at, Some(at));
                return Ok(Some(Outcome {
                    item,
                    what: Delivery::StillUnknown(format!("could not read the review back to check: {e}")),
                }));
            }
        };
        self.verify_after.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        let verdict = judge(&item, review.as_ref());
        let (what, applied) = match verdict {
            Verdict::Applied => (Delivery::VerifiedSent, true),
            Verdict::NotApplied if item.manual => {
                // Answered in Partner Center, not showing yet: look again in a while (a refresh
                // that answers sooner clears this wait).
                let at = now() + MANUAL_RECHECK_SECS;
                self.verify_after
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, at);
                summary.verify_again_at = min_some(summary.verify_again_at, Some(at));
                return Ok(None);
            }
            Verdict::NotApplied => (Delivery::VerifiedNotApplied, false),
            Verdict::Conflict(why) => (Delivery::Failed(why), false),
        };
        let stored_what = what.clone();
        let owner = self.owner.clone();
        let seen_attempts = item.attempts;
        let item = self
            .with_db(move |db| {
                let t = now();
                // Another process may have settled it, and even sent it again, while the review
                // was being read: what was read is then about an older attempt. Leave it.
                let current = db.outbox_item(id)?;
                if current.state != OutboxState::Unconfirmed || current.attempts != seen_attempts {
                    return Ok(None);
                }
                match &stored_what {
                    Delivery::Failed(why) => db.mark_failed(id, &owner, why, t)?,
                    _ => {
                        db.verify_unconfirmed(id, applied, t)?;
                    }
                }
                db.outbox_item(id).map(Some)
            })
            .await?;
        Ok(item.map(|item| Outcome { item, what }))
    }
}

/// Counts a submission under way for as long as it lives.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(count: &Arc<AtomicUsize>) -> InFlight {
        count.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(count))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

enum Verdict {
    Applied,
    NotApplied,
    /// The review cannot take this reply any more; the reason says why.
    Conflict(String),
}

/// What the review as the Store returns it says about an unconfirmed item.
fn judge(item: &OutboxItem, review: Option<&Review>) -> Verdict {
    let Some(review) = review else {
        return Verdict::Conflict(
            "the Store no longer returns this review (Microsoft removes spam and pre-release reviews); not sent"
                .to_owned(),
        );
    };
    match review.response_text.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) if same_text(text, &item.text) => Verdict::Applied,
        // Answered in Partner Center: whatever was typed there counts.
        Some(_) if item.manual => Verdict::Applied,
        // The customer revised the review after that response: it can be answered again. Only
        // when the dates say so: without them, a response we cannot match is not ours to judge.
        Some(_) if revised_after(review) => Verdict::NotApplied,
        Some(_) => Verdict::Conflict(
            "the review shows a response that is not this text (answered elsewhere, or changed by the Store?); it is \
             not sent again from here: check the review"
                .to_owned(),
        ),
        None => Verdict::NotApplied,
    }
}

/// Revised after its response, by the dates (both must be known).
fn revised_after(review: &Review) -> bool {
    review.is_revised == Some(true)
        && matches!((review.timestamp, review.response_timestamp), (Some(r), Some(resp)) if r > resp)
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

mod batch;
#[cfg(test)]
mod tests;
