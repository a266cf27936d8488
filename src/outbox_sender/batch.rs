//! Sending a batch of claimed items in one request and recording each item's outcome.
//!
//! Every guarantee of one-by-one sending holds per item: each was claimed (atomically) before
//! the request, each claim is checked again right before it, and each item's own answer
//! (`Successful`/`FailureReason`, or the request's failure) decides its state, written before
//! the claim is let go. An item the answer does not mention is unconfirmed and read back, never
//! sent again on a guess.

use std::collections::HashSet;

use super::{Delivery, InFlight, OutboxSender, Outcome, RoundSummary, SendPolicy, now};
use crate::db::{DbError, OutboxItem};
use crate::store::validate::{normalize_store_id, validate_email, validate_response_text, validate_review_id};
use crate::store::{ResponseItem, StoreError, SubmitStatus};

/// The request item for an outbox item, checked as the client would check it: one bad item
/// must fail alone, not refuse the whole request.
fn request_for(item: &OutboxItem) -> Result<ResponseItem, String> {
    validate_response_text(&item.text).map_err(|e| e.to_string())?;
    validate_email(item.support_email.trim()).map_err(|e| e.to_string())?;
    Ok(ResponseItem {
        application_id: normalize_store_id(&item.app).map_err(|e| e.to_string())?,
        review_id: validate_review_id(&item.review).map_err(|e| e.to_string())?,
        response_text: item.text.clone(),
        support_email: item.support_email.trim().to_owned(),
        is_public: item.public,
    })
}

/// What the Store's answer for one item (and the request's failure, if any) means for it.
fn delivery(status: SubmitStatus, error: Option<&StoreError>, policy: &SendPolicy, attempts: i64) -> Delivery {
    match status {
        SubmitStatus::Sent => Delivery::Sent,
        SubmitStatus::Rejected(why) => Delivery::Failed(format!("the Store refused the reply: {why}")),
        SubmitStatus::Unconfirmed(why) => Delivery::Unconfirmed(why),
        SubmitStatus::Failed(why) | SubmitStatus::NotSent(why) => match error {
            Some(StoreError::ReviewsApiDown { .. }) => Delivery::ApiDown {
                at: now() + policy.api_down_backoff_secs,
                message: why,
            },
            Some(
                StoreError::Network { .. }
                | StoreError::Throttled { .. }
                | StoreError::Auth(_)
                | StoreError::Unauthorized { .. },
            ) => Delivery::Retrying {
                at: now() + policy.backoff(attempts),
                reason: why,
            },
            // A 503 may come from a front end that timed out while the Store went on.
            Some(StoreError::ServerError { .. } | StoreError::Unconfirmed(_) | StoreError::Unexpected { .. })
            | None => Delivery::Unconfirmed(why),
            Some(StoreError::Invalid(_) | StoreError::Api { .. }) => Delivery::Failed(why),
        },
    }
}

/// Splits items into requests in which no review appears twice (the client refuses such a
/// request whole). One live item per review makes this one request in practice.
type Request = Vec<(OutboxItem, ResponseItem)>;

fn requests(items: Request) -> Vec<Request> {
    let mut out: Vec<(HashSet<String>, Request)> = Vec::new();
    for (item, request) in items {
        let key = request.review_id.to_ascii_lowercase();
        match out.iter_mut().find(|(keys, _)| !keys.contains(&key)) {
            Some((keys, group)) => {
                keys.insert(key);
                group.push((item, request));
            }
            None => out.push((HashSet::from([key]), vec![(item, request)])),
        }
    }
    out.into_iter().map(|(_, g)| g).collect()
}

impl OutboxSender {
    /// Sends claimed items, as few requests as it takes, and records what became of each.
    pub(super) async fn send_batch(
        &self,
        items: Vec<OutboxItem>,
        summary: &mut RoundSummary,
    ) -> Result<Vec<Outcome>, DbError> {
        tracing::info!(count = items.len(), "sending replies from the outbox");
        // Held until every outcome is on disk: leaving waits for that, not just for the answer.
        let _in_flight = InFlight::enter(&self.in_flight);
        // The token first (it may take a while), then make sure the claims still hold: a
        // process suspended after claiming must not send what another one took over.
        let token = self.client.tokens().token().await;
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let (owner, lease) = (self.owner.clone(), self.policy.lease_secs);
        let (held, lost) = self
            .with_db(move |db| db.renew_leases(&ids, &owner, now(), lease))
            .await?;
        let mut decided: Vec<(OutboxItem, Delivery)> = Vec::new();
        let mut outcomes = Vec::new();
        for (id, e) in lost {
            tracing::warn!(id, error = %e, "the claim ran out before sending; not sent");
            let item = self.with_db(move |db| db.outbox_item(id)).await?;
            outcomes.push(Outcome {
                item,
                what: Delivery::StillUnknown(format!("not sent: {e}")),
            });
        }
        let mut ready = Vec::new();
        for item in items.into_iter().filter(|i| held.contains(&i.id)) {
            match request_for(&item) {
                Ok(request) => ready.push((item, request)),
                // Refused before sending: the item itself is wrong (text, email, IDs).
                Err(why) => decided.push((item, Delivery::Failed(format!("the Store refused the reply: {why}")))),
            }
        }
        let token_error: Option<StoreError> = token.err().map(Into::into);
        for group in requests(ready) {
            if let Some(at) = summary.paused_until {
                // An earlier request of this round found the service unavailable.
                for (item, _) in group {
                    let reason = "not sent: the service was unavailable for the request before".to_owned();
                    decided.push((item, Delivery::Retrying { at, reason }));
                }
                continue;
            }
            let mut request_error: Option<StoreError> = None;
            let statuses = match &token_error {
                Some(e) => vec![SubmitStatus::Failed(e.to_string()); group.len()],
                None => {
                    let requests: Vec<ResponseItem> = group.iter().map(|(_, r)| r.clone()).collect();
                    match self.client.submit_responses(&requests).await {
                        Ok(report) => {
                            request_error = report.error;
                            // In the order sent; an item the answer lacks may have been applied.
                            let mut statuses: Vec<SubmitStatus> =
                                report.outcomes.into_iter().map(|o| o.status).collect();
                            statuses.resize(
                                group.len(),
                                SubmitStatus::Unconfirmed("the Store's answer did not mention this review".into()),
                            );
                            statuses
                        }
                        // Refused before sending (each item was checked above, so rare).
                        Err(e) => vec![SubmitStatus::Rejected(e.to_string()); group.len()],
                    }
                }
            };
            let error = request_error.as_ref().or(token_error.as_ref());
            for ((item, _), status) in group.into_iter().zip(statuses) {
                let what = delivery(status, error, &self.policy, item.attempts);
                if let Delivery::Retrying { at, .. } | Delivery::ApiDown { at, .. } = &what {
                    summary.paused_until = Some(*at);
                }
                decided.push((item, what));
            }
        }
        let owner = self.owner.clone();
        let recorded = self
            .with_db(move |db| {
                let mut out = Vec::new();
                for (item, what) in decided {
                    let (id, t) = (item.id, now());
                    let stored = match &what {
                        Delivery::Sent => db.mark_sent(id, t)?,
                        other => {
                            match other {
                                Delivery::Failed(why) => db.mark_failed(id, &owner, why, t)?,
                                Delivery::Unconfirmed(why) => db.mark_unconfirmed(id, &owner, why, t)?,
                                Delivery::Retrying { at, reason } => db.requeue(id, &owner, *at, reason, t)?,
                                Delivery::ApiDown { at, message } => db.requeue(id, &owner, *at, message, t)?,
                                _ => {}
                            }
                            db.outbox_item(id)?
                        }
                    };
                    out.push(Outcome { item: stored, what });
                }
                Ok(out)
            })
            .await?;
        for o in &recorded {
            tracing::info!(id = o.item.id, state = %o.item.state, "outbox item settled");
        }
        outcomes.extend(recorded);
        Ok(outcomes)
    }
}
