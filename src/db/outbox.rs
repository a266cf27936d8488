//! The outbox: a reply the person confirmed is written here, durably, before any request is
//! made for it. This file has the items, enqueueing, listing and the person's edits; the
//! worker's side (claims, leases, outcomes) is in [`sending`](super::sending).
//!
//! States and who moves them:
//!
//! ```text
//!  enqueue ──► queued ──claim_next──► sending ──mark_sent──────────► sent (final)
//!               ▲  ▲                    │  │ ──mark_failed────────► failed ──retry──► queued
//!               │  └──requeue (429, 5xx, network, before the request went out)
//!               │                       │ ──mark_unconfirmed / lease ran out──► unconfirmed
//!               └────── verify_unconfirmed(already_applied = false) ◄───────────────┘
//!                       verify_unconfirmed(already_applied = true) ──► sent
//! ```
//!
//! Also: `mark_failed` from queued or unconfirmed too; `mark_sent` from any state (a late
//! success is still true); `mark_answered_elsewhere` (queued, failed or unconfirmed →
//! unconfirmed + manual: never re-sent, only a sync showing the response makes it sent);
//! `discard` of a queued or failed item deletes it.
//!
//! The undo-send window: [`Db::enqueue_delayed`] queues a reply with its `next_attempt_at` (its
//! not-before time) `send_delay_secs` ahead. No claim takes it before then, and
//! [`Db::bring_forward`] never moves an item that was never attempted (only backoffs are cut
//! short), so the window holds across restarts. [`Db::take_back`] removes an item only if no
//! sender ever claimed it, in one transaction with that check. [`Db::send_now`] ends the window.
//!
//! "Live" = queued, sending or unconfirmed: at most one live item per review, enforced by a
//! unique partial index, so it holds across processes too. A sent item can never change
//! (trigger), and an item that is or may have been sent can never be deleted (trigger).

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{At, Db, DbError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting to be sent (maybe not before `next_attempt_at`).
    Queued,
    /// Claimed by a worker (`owner`) until `lease_until`; a request may be in flight.
    Sending,
    /// Done: the Store has the reply.
    Sent,
    /// Given up on, with the reason; the person may retry or discard.
    Failed,
    /// It may or may not have reached the Store: fetch the review before anything else.
    Unconfirmed,
}

impl OutboxState {
    pub const ALL: [OutboxState; 5] = [Self::Queued, Self::Sending, Self::Sent, Self::Failed, Self::Unconfirmed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unconfirmed => "unconfirmed",
        }
    }

    /// Is or may be on its way: blocks another item for the same review.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Queued | Self::Sending | Self::Unconfirmed)
    }
}

impl fmt::Display for OutboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromSql for OutboxState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| FromSqlError::Other(s.into()))
    }
}

/// A reply to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxNew {
    pub app: String,
    pub review: String,
    pub text: String,
    pub support_email: String,
    pub public: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub app: String,
    pub review: String,
    pub text: String,
    pub support_email: String,
    pub public: bool,
    pub state: OutboxState,
    /// Why it failed, is unconfirmed, or was put back in the queue.
    pub reason: Option<String>,
    /// The person said they answered it in Partner Center: never re-sent automatically.
    pub manual: bool,
    /// How many times it was claimed for sending.
    pub attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub next_attempt_at: i64,
    pub owner: Option<String>,
    pub lease_until: Option<i64>,
    pub sent_at: Option<i64>,
}

/// `next_attempt_at` of a held item: never due ([`Db::hold`]).
pub const HOLD: i64 = i64::MAX / 2;

impl OutboxItem {
    /// Held by [`Db::hold`]: queued, but not sent until released.
    pub fn held(&self) -> bool {
        self.state == OutboxState::Queued && self.next_attempt_at >= HOLD
    }
}

pub(crate) const ITEM_COLUMNS: &str = "id, app, review, text, support_email, public, state, reason, manual, attempts, \
     created_at, updated_at, next_attempt_at, owner, lease_until, sent_at";

pub(crate) fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        app: r.get(1)?,
        review: r.get(2)?,
        text: r.get(3)?,
        support_email: r.get(4)?,
        public: r.get(5)?,
        state: r.get(6)?,
        reason: r.get(7)?,
        manual: r.get(8)?,
        attempts: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        next_attempt_at: r.get(12)?,
        owner: r.get(13)?,
        lease_until: r.get(14)?,
        sent_at: r.get(15)?,
    })
}

pub(crate) fn get_item(conn: &Connection, path: &std::path::Path, id: i64) -> Result<OutboxItem> {
    conn.prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1"))
        .at(path)?
        .query_row([id], item_from_row)
        .optional()
        .at(path)?
        .ok_or_else(|| DbError::NotFound {
            path: path.to_owned(),
            id,
        })
}

/// The live item of a review, if any.
pub(crate) fn live_item(
    conn: &Connection,
    path: &std::path::Path,
    app: &str,
    review: &str,
) -> Result<Option<OutboxItem>> {
    conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM outbox
         WHERE app = ?1 AND review = ?2 AND state IN ('queued', 'sending', 'unconfirmed')"
    ))
    .at(path)?
    .query_row([app, review], item_from_row)
    .optional()
    .at(path)
}

/// Errors with `WrongState` unless the item is in one of `allowed`.
pub(crate) fn require(
    path: &std::path::Path,
    item: &OutboxItem,
    allowed: &[OutboxState],
    action: &'static str,
    allowed_words: &'static str,
) -> Result<()> {
    if allowed.contains(&item.state) {
        Ok(())
    } else {
        Err(DbError::WrongState {
            path: path.to_owned(),
            id: item.id,
            state: item.state,
            action,
            allowed: allowed_words,
        })
    }
}

/// Back to `queued`, due at once, reason cleared: the end of a retry and of a verification that
/// found the reply had not landed.
pub(crate) fn queue_now(conn: &Connection, path: &std::path::Path, id: i64, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'queued', reason = NULL, next_attempt_at = ?2, updated_at = ?2
         WHERE id = ?1",
    )
    .at(path)?
    .execute(params![id, now])
    .at(path)?;
    Ok(())
}

pub(crate) fn already(path: &std::path::Path, live: OutboxItem) -> DbError {
    DbError::AlreadyInOutbox {
        path: path.to_owned(),
        app: live.app,
        review: live.review,
        id: live.id,
        state: live.state,
    }
}

impl Db {
    /// Queues a confirmed reply, durably (fsynced) — call before any request is made. Refuses a
    /// second live item for the same review ([`DbError::AlreadyInOutbox`]). Returns its id.
    pub fn enqueue(&mut self, new: &OutboxNew, now: i64) -> Result<i64> {
        self.enqueue_delayed(new, now, 0)
    }

    /// [`Db::enqueue`], with the first request not before `now + delay_secs`: the undo-send
    /// window, in which [`Db::take_back`] still works. 0 = due at once.
    pub fn enqueue_delayed(&mut self, new: &OutboxNew, now: i64, delay_secs: i64) -> Result<i64> {
        let not_before = now.saturating_add(delay_secs.clamp(0, HOLD / 2));
        self.write_tx(true, |tx, path| {
            if let Some(live) = live_item(tx, path, &new.app, &new.review)? {
                return Err(already(path, live));
            }
            tx.prepare_cached(
                "INSERT INTO outbox (app, review, text, support_email, public, state, created_at, updated_at,
                     next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?6, ?7)",
            )
            .at(path)?
            .execute(params![
                new.app,
                new.review,
                new.text,
                new.support_email,
                new.public,
                now,
                not_before
            ])
            .at(path)?;
            Ok(tx.last_insert_rowid())
        })
    }

    pub fn outbox_item(&self, id: i64) -> Result<OutboxItem> {
        get_item(&self.conn, &self.path, id)
    }

    /// The live item (queued, sending or unconfirmed) of one review.
    pub fn outbox_live_for(&self, app: &str, review: &str) -> Result<Option<OutboxItem>> {
        live_item(&self.conn, &self.path, app, review)
    }

    /// What the outbox view shows, oldest first: every live and failed item, and the items
    /// sent at or after `sent_since`. `app = None` lists all apps of the profile.
    pub fn outbox(&self, app: Option<&str>, sent_since: i64) -> Result<Vec<OutboxItem>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM outbox
                 WHERE (?1 IS NULL OR app = ?1) AND (state <> 'sent' OR sent_at >= ?2)
                 ORDER BY id"
            ))
            .at(&self.path)?;
        let rows = stmt.query_map(params![app, sent_since], item_from_row).at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }

    /// How many items are queued, sending or unconfirmed: ask before quitting when not zero.
    pub fn outbox_pending(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'unconfirmed')")
            .at(&self.path)?
            .query_row([], |r| r.get(0))
            .at(&self.path)?;
        Ok(n as usize)
    }

    /// The earliest `next_attempt_at` of a queued item: when the worker should look again.
    pub fn outbox_next_due(&self) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'")
            .at(&self.path)?
            .query_row([], |r| r.get(0))
            .at(&self.path)
    }

    /// Edits the text of a queued reply (only while queued: once claimed, it may be on its way).
    pub fn update_text(&mut self, id: i64, text: &str, now: i64) -> Result<()> {
        let item = self.outbox_item(id)?;
        self.update_reply(id, text, &item.support_email, item.public, now)
    }

    /// Edits a queued or failed reply: text, support email and visibility. (A failed one stays
    /// failed until [`Db::retry`]: editing is not sending.)
    pub fn update_reply(&mut self, id: i64, text: &str, support_email: &str, public: bool, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(
                path,
                &item,
                &[OutboxState::Queued, OutboxState::Failed],
                "edited",
                "queued or failed",
            )?;
            tx.prepare_cached(
                "UPDATE outbox SET text = ?2, support_email = ?3, public = ?4, updated_at = ?5 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, text, support_email, public, now])
            .at(path)?;
            Ok(())
        })
    }

    /// Removes a queued or failed item and returns it (say, to put its text back in a draft).
    pub fn discard(&mut self, id: i64) -> Result<OutboxItem> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(
                path,
                &item,
                &[OutboxState::Queued, OutboxState::Failed],
                "discarded",
                "queued or failed",
            )?;
            tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")
                .at(path)?
                .execute([id])
                .at(path)?;
            Ok(item)
        })
    }

    /// The service answers again: every queued item waiting out a backoff becomes due now
    /// (items answered in Partner Center are never queued, so never sent; held ones stay
    /// held; one never attempted is in its undo-send window, which is the person's to end).
    /// Returns how many.
    pub fn bring_forward(&mut self, now: i64) -> Result<usize> {
        self.write_tx(true, |tx, path| {
            tx.prepare_cached(
                "UPDATE outbox SET next_attempt_at = ?1
                 WHERE state = 'queued' AND attempts > 0 AND next_attempt_at > ?1 AND next_attempt_at < ?2",
            )
            .at(path)?
            .execute([now, HOLD])
            .at(path)
        })
    }

    /// Takes a reply back inside its undo-send window: deletes the item and returns it (its
    /// text goes back to the editor), but only if no sender ever claimed it: checked and done in
    /// one transaction, so a claim and a take-back never both succeed.
    /// [`DbError::TooLateToTakeBack`] otherwise.
    pub fn take_back(&mut self, id: i64) -> Result<OutboxItem> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            if item.state != OutboxState::Queued || item.attempts > 0 {
                return Err(DbError::TooLateToTakeBack {
                    path: path.to_owned(),
                    id,
                    state: item.state,
                    attempts: item.attempts,
                });
            }
            tx.prepare_cached("DELETE FROM outbox WHERE id = ?1 AND state = 'queued' AND attempts = 0")
                .at(path)?
                .execute([id])
                .at(path)?;
            Ok(item)
        })
    }

    /// Items in their undo-send window at `now` (queued, never claimed, not yet due), with the
    /// time each will be sent: for a countdown.
    pub fn undo_window(&self, now: i64) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, next_attempt_at FROM outbox
                 WHERE state = 'queued' AND attempts = 0 AND next_attempt_at > ?1 AND next_attempt_at < ?2
                 ORDER BY id",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map(params![now, HOLD], |r| Ok((r.get(0)?, r.get(1)?)))
            .at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }

    /// Keeps a queued item from being sent until [`Db::send_now`]: while the person edits it,
    /// or answers it in Partner Center (the outage), so it cannot go out twice meanwhile.
    pub fn hold(&mut self, id: i64, reason: &str, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[OutboxState::Queued], "held", "queued")?;
            tx.prepare_cached("UPDATE outbox SET next_attempt_at = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1")
                .at(path)?
                .execute(params![id, HOLD, reason, now])
                .at(path)?;
            Ok(())
        })
    }

    /// A queued item (held, or waiting out a backoff) is due now.
    pub fn send_now(&mut self, id: i64, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[OutboxState::Queued], "sent now", "queued")?;
            queue_now(tx, path, id, now)
        })
    }

    /// "Send it again": a failed item is retried ([`Db::retry`]'s rules), a queued one (held,
    /// or waiting out a backoff) is due now ([`Db::send_now`]). Others are refused.
    pub fn send_again(&mut self, id: i64, now: i64) -> Result<()> {
        match self.outbox_item(id)?.state {
            OutboxState::Failed => self.retry(id, now),
            _ => self.send_now(id, now),
        }
    }

    /// Puts a failed item back in the queue, due now. Refused if the review has another live
    /// item meanwhile, or a reply from this outbox was sent to it: a review takes one response.
    pub fn retry(&mut self, id: i64, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            require(path, &item, &[OutboxState::Failed], "retried", "failed")?;
            if let Some(live) = live_item(tx, path, &item.app, &item.review)? {
                return Err(already(path, live));
            }
            let sent: Option<i64> = tx
                .prepare_cached("SELECT id FROM outbox WHERE app = ?1 AND review = ?2 AND state = 'sent' LIMIT 1")
                .at(path)?
                .query_row([&item.app, &item.review], |r| r.get(0))
                .optional()
                .at(path)?;
            if let Some(sent) = sent {
                return Err(DbError::AlreadySent {
                    path: path.to_owned(),
                    id,
                    sent,
                });
            }
            queue_now(tx, path, id, now)
        })
    }

    /// Degraded mode: the person answered in Partner Center. The item becomes unconfirmed and
    /// manual: never sent automatically; a later sync showing the response confirms it through
    /// [`Db::verify_unconfirmed`]. Allowed from queued, failed or unconfirmed.
    pub fn mark_answered_elsewhere(&mut self, id: i64, now: i64) -> Result<()> {
        self.write_tx(true, |tx, path| {
            let item = get_item(tx, path, id)?;
            let allowed = [OutboxState::Queued, OutboxState::Failed, OutboxState::Unconfirmed];
            require(
                path,
                &item,
                &allowed,
                "marked as answered in Partner Center",
                "queued, failed or unconfirmed",
            )?;
            if item.state == OutboxState::Failed {
                if let Some(live) = live_item(tx, path, &item.app, &item.review)? {
                    return Err(already(path, live));
                }
            }
            tx.prepare_cached(
                "UPDATE outbox SET state = 'unconfirmed', manual = 1, updated_at = ?2,
                     reason = 'answered in Partner Center; a sync that shows the response confirms it'
                 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, now])
            .at(path)?;
            Ok(())
        })
    }
}
