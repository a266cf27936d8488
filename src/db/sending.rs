//! The worker's side of the outbox: claiming an item under a lease, and recording what the
//! request did. Every change here is one fsynced `BEGIN IMMEDIATE` transaction, so two
//! processes on one profile never both hold the same item.
//!
//! A lease that runs out means the worker died (or hung) while it held the item: whether the
//! request reached the Store is unknown, so the item becomes `unconfirmed`, never `queued`.
//! Keep the lease well above the request timeout (say, lease 120 s for a 30 s timeout) and stop
//! waiting for a response before the lease ends.

use std::path::Path;

use rusqlite::{Transaction, params};

use super::history::{HistoryRow, append as append_history};
use super::outbox::{ITEM_COLUMNS, OutboxItem, OutboxState, get_item, item_from_row, queue_now, require};
use super::{At, Db, DbError, Result, sys};

use OutboxState::{Queued, Sending, Sent, Unconfirmed};

/// An owner name for this process: `<pid>@<boot id>`, which [`owner_gone`] can check. Each
/// worker needs its own name: a process with several adds `/<n>` (`format!("{}/2", ...)`).
pub fn process_owner() -> String {
    format!(
        "{}@{}",
        std::process::id(),
        boot_id().unwrap_or_else(|| "unknown".to_owned())
    )
}

fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_owned())
}

/// Whether the process behind a [`process_owner`] name is certainly gone: the machine rebooted,
/// or no process has that pid. A reused pid looks alive, so the lease then decides. Names in
/// any other form are never judged gone.
pub fn owner_gone(owner: &str) -> bool {
    // `<pid>@<boot id>`, maybe followed by `/<worker>` when a process runs several workers.
    let Some((pid, rest)) = owner.split_once('@') else {
        return false;
    };
    let boot = rest.split('/').next().unwrap_or(rest);
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    match boot_id() {
        Some(now) if boot != "unknown" && now != boot => true,
        _ => sys::pid_gone(pid),
    }
}

/// Leaves `sending` for `unconfirmed` for every item whose lease ended before `now`.
fn expire(tx: &Transaction<'_>, path: &Path, now: i64) -> Result<Vec<i64>> {
    let mut stmt = tx
        .prepare_cached(
            "UPDATE outbox SET state = 'unconfirmed', updated_at = ?1,
                 reason = 'the reviewdesk sending it stopped answering before it knew the outcome',
                 owner = NULL, lease_until = NULL
             WHERE state = 'sending' AND lease_until <= ?1
             RETURNING id",
        )
        .at(path)?;
    let ids = stmt.query_map([now], |r| r.get(0)).at(path)?;
    ids.collect::<rusqlite::Result<Vec<i64>>>().at(path)
}

/// Checks that a `sending` item is still held by `owner`.
fn held_by(path: &Path, item: &OutboxItem, owner: &str) -> Result<()> {
    if item.state == Sending && item.owner.as_deref() != Some(owner) {
        return Err(DbError::LeaseLost {
            path: path.to_owned(),
            id: item.id,
            owner: owner.to_owned(),
        });
    }
    Ok(())
}

/// What [`Db::renew_leases`] found: the ids still held, and the others with the reason.
pub type Renewed = (Vec<i64>, Vec<(i64, DbError)>);

impl Db {
    /// Atomically takes the oldest due `queued` item: it becomes `sending`, held by `owner`
    /// until `now + lease_secs`, its attempts counted. First turns expired leases into
    /// `unconfirmed`. `None` when nothing is due.
    pub fn claim_next(&mut self, owner: &str, now: i64, lease_secs: i64) -> Result<Option<OutboxItem>> {
        Ok(self.claim_batch(owner, now, lease_secs, 1)?.pop())
    }

    /// [`Db::claim_next`] for up to `max` items at once, oldest first, in one transaction: one
    /// request can then carry them all. A review has at most one live item, so the batch
    /// never holds two replies to one review.
    pub fn claim_batch(&mut self, owner: &str, now: i64, lease_secs: i64, max: usize) -> Result<Vec<OutboxItem>> {
        let max = i64::try_from(max.max(1)).unwrap_or(i64::MAX);
        self.write_tx(true, |tx, path| {
            expire(tx, path, now)?;
            let mut stmt = tx
                .prepare_cached(&format!(
                    "UPDATE outbox SET state = 'sending', owner = ?1, lease_until = ?2 + ?3, updated_at = ?2,
                         attempts = attempts + 1
                     WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?2
                                  ORDER BY id LIMIT ?4)
                     RETURNING {ITEM_COLUMNS}"
                ))
                .at(path)?;
            let rows = stmt
                .query_map(params![owner, now, lease_secs.max(1), max], item_from_row)
                .at(path)?;
            let mut items = rows.collect::<rusqlite::Result<Vec<_>>>().at(path)?;
            items.sort_by_key(|i| i.id);
            Ok(items)
        })
    }

    /// Turns expired leases into `unconfirmed`; returns the ids. [`Db::claim_next`] does this
    /// too; call it at start and before showing the outbox.
    pub fn expire_leases(&mut self, now: i64) -> Result<Vec<i64>> {
        self.write_tx(true, |tx, path| expire(tx, path, now))
    }

    /// At start: items still `sending` for an owner that [`owner_gone`] (a killed earlier run)
    /// become `unconfirmed` at once, without waiting for the lease. Returns the ids.
    pub fn release_abandoned(&mut self, now: i64) -> Result<Vec<i64>> {
        self.release_where(now, owner_gone)
    }

    /// [`Db::release_abandoned`] with the liveness test given.
    pub fn release_where(&mut self, now: i64, gone: impl Fn(&str) -> bool) -> Result<Vec<i64>> {
        self.write_tx(true, |tx, path| {
            let mut find = tx
                .prepare_cached("SELECT id, owner FROM outbox WHERE state = 'sending'")
                .at(path)?;
            let held = find
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .at(path)?;
            let held = held.collect::<rusqlite::Result<Vec<_>>>().at(path)?;
            let mut set = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'unconfirmed', updated_at = ?2,
                         reason = 'an earlier reviewdesk run ended while sending it, before it knew the outcome',
                         owner = NULL, lease_until = NULL
                     WHERE id = ?1 AND state = 'sending'",
                )
                .at(path)?;
            let mut released = Vec::new();
            for (id, owner) in held {
                if gone(&owner) {
                    set.execute(params![id, now]).at(path)?;
                    released.push(id);
                }
            }
            Ok(released)
        })
    }

    /// [`Db::renew_lease`] for several items in one transaction; returns the ids still held
    /// (renewed) and, for the others, why not ([`Renewed`]).
    pub fn renew_leases(&mut self, ids: &[i64], owner: &str, now: i64, lease_secs: i64) -> Result<Renewed> {
        self.write_tx(true, |tx, path| {
            let (mut held, mut lost) = (Vec::new(), Vec::new());
            for &id in ids {
                let item = get_item(tx, path, id)?;
                let check =
                    require(path, &item, &[Sending], "renewed", "sending").and_then(|()| held_by(path, &item, owner));
                match check {
                    Ok(()) => {
                        tx.prepare_cached("UPDATE outbox SET lease_until = ?2 + ?3, updated_at = ?2 WHERE id = ?1")
                            .at(path)?
                            .execute(params![id, now, lease_secs.max(1)])
                            .at(path)?;
                        held.push(id);
                    }
                    Err(e) => lost.push((id, e)),
                }
            }
            Ok((held, lost))
        })
    }

    /// Extends a lease still held by `owner` (for a slow request); `LeaseLost` otherwise.
    pub fn renew_lease(&mut self, id: i64, owner: &str, now: i64, lease_secs: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[Sending], "renewed", "sending")?;
            held_by(path, &item, owner)?;
            tx.prepare_cached("UPDATE outbox SET lease_until = ?2 + ?3, updated_at = ?2 WHERE id = ?1")
                .at(path)?
                .execute(params![id, now, lease_secs.max(1)])
                .at(path)?;
            Ok(())
        })
    }

    /// The Store has the reply. Accepted from any state and by anyone (a late success is still
    /// the truth); in the same transaction the review's draft is deleted, a history row
    /// appended, and any other queued item for the review failed. Already sent: nothing
    /// changes. Returns the item as stored.
    pub fn mark_sent(&mut self, id: i64, now: i64) -> Result<OutboxItem> {
        self.finish_sent(id, now, "sent")
    }

    fn finish_sent(&mut self, id: i64, now: i64, result: &str) -> Result<OutboxItem> {
        let profile = self.profile.clone();
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            if item.state == Sent {
                return Ok(item);
            }
            tx.prepare_cached(
                "UPDATE outbox SET state = 'sent', sent_at = ?2, updated_at = ?2, reason = NULL, owner = NULL,
                     lease_until = NULL
                 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, now])
            .at(path)?;
            tx.prepare_cached("DELETE FROM drafts WHERE app = ?1 AND review = ?2")
                .at(path)?
                .execute([&item.app, &item.review])
                .at(path)?;
            // A review gets one reply: a queued one for the same review (possible only when a
            // failed item turns out to have been sent after all) must not go out too.
            tx.prepare_cached(
                "UPDATE outbox SET state = 'failed', updated_at = ?4,
                     reason = 'another reply to this review was sent (item ' || ?3 || ')'
                 WHERE app = ?1 AND review = ?2 AND state = 'queued' AND id <> ?3",
            )
            .at(path)?
            .execute(params![item.app, item.review, id, now])
            .at(path)?;
            // The cached review shows the response at once, so the next start (before its
            // refresh) does not offer the review as unanswered. A reply typed in Partner Center
            // may differ from ours: the refresh brings that one.
            if !item.manual {
                tx.prepare_cached(
                    "UPDATE reviews SET raw_json = json_set(raw_json, '$.responseText', ?3,
                         '$.responseDate', strftime('%Y-%m-%dT%H:%M:%S', ?4, 'unixepoch'))
                     WHERE app = ?1 AND id = ?2 AND json_valid(raw_json)",
                )
                .at(path)?
                .execute(params![item.app, item.review, item.text, now])
                .at(path)?;
            }
            let row = HistoryRow {
                profile,
                app: item.app.clone(),
                review: item.review.clone(),
                at: now,
                text: item.text.clone(),
                result: result.to_owned(),
            };
            append_history(tx, path, &row, Some(id))?;
            get_item(tx, path, id)
        })
    }

    /// Gives up on an item (a 4xx that retrying cannot fix, the review is gone, …), appending a
    /// history row. From `sending` (held by `owner`), `queued` or `unconfirmed` (after checking
    /// the review does not show it).
    pub fn mark_failed(&mut self, id: i64, owner: &str, reason: &str, now: i64) -> Result<()> {
        let profile = self.profile.clone();
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(
                path,
                &item,
                &[Sending, Queued, Unconfirmed],
                "marked failed",
                "queued, sending or unconfirmed",
            )?;
            held_by(path, &item, owner)?;
            tx.prepare_cached(
                "UPDATE outbox SET state = 'failed', reason = ?2, updated_at = ?3, owner = NULL, lease_until = NULL
                 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, reason, now])
            .at(path)?;
            let row = HistoryRow {
                profile,
                app: item.app,
                review: item.review,
                at: now,
                text: item.text,
                result: format!("failed: {reason}"),
            };
            append_history(tx, path, &row, Some(id))?;
            Ok(())
        })
    }

    /// The request may have reached the Store but no answer says so (timeout, connection lost
    /// after sending, a 5xx after the body went out). Only by the item's holder.
    pub fn mark_unconfirmed(&mut self, id: i64, owner: &str, reason: &str, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[Sending], "marked unconfirmed", "sending")?;
            held_by(path, &item, owner)?;
            tx.prepare_cached(
                "UPDATE outbox SET state = 'unconfirmed', reason = ?2, updated_at = ?3, owner = NULL,
                     lease_until = NULL
                 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, reason, now])
            .at(path)?;
            Ok(())
        })
    }

    /// Back to the queue, not before `next_attempt_at`: for failures known to have happened
    /// before the request reached the Store (connect error, 429, a 5xx with no effect). The
    /// reason is kept to show. Only by the item's holder.
    pub fn requeue(&mut self, id: i64, owner: &str, next_attempt_at: i64, reason: &str, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[Sending], "put back in the queue", "sending")?;
            held_by(path, &item, owner)?;
            tx.prepare_cached(
                "UPDATE outbox SET state = 'queued', reason = ?2, next_attempt_at = ?3, updated_at = ?4,
                     owner = NULL, lease_until = NULL
                 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, reason, next_attempt_at, now])
            .at(path)?;
            Ok(())
        })
    }

    /// Settles an `unconfirmed` item after fetching its review: `already_applied` (the review's
    /// response matches the text) → `sent`; otherwise → `queued`, due now — except an item the
    /// person answered in Partner Center, which stays unconfirmed until a sync shows it.
    /// Returns the new state.
    pub fn verify_unconfirmed(&mut self, id: i64, already_applied: bool, now: i64) -> Result<OutboxState> {
        let item = self.outbox_item(id)?;
        require(&self.path, &item, &[Unconfirmed], "verified", "unconfirmed")?;
        if already_applied {
            let result = if item.manual {
                "sent in Partner Center"
            } else {
                "sent (verified after an unclear answer)"
            };
            return self.finish_sent(id, now, result).map(|i| i.state);
        }
        if item.manual {
            return Ok(Unconfirmed);
        }
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[Unconfirmed], "verified", "unconfirmed")?;
            queue_now(tx, path, id, now)?;
            Ok(Queued)
        })
    }
}
