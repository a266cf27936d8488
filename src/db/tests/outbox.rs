//! The outbox state machine and the history table.

use super::super::{DbError, DraftRow, HistoryRow, OutboxState};
use super::{open, reply, temp};

use OutboxState::*;

#[test]
fn enqueue_claim_send_clears_the_draft_and_records_history() {
    let dir = temp();
    let mut db = open(dir.path());
    db.save_draft(
        "app",
        "r1",
        &DraftRow {
            text: "thanks!".into(),
            public: true,
            email: String::new(),
        },
        1,
    )
    .unwrap();
    let id = db.enqueue(&reply("app", "r1", "thanks!"), 5).unwrap();
    let item = db.outbox_item(id).unwrap();
    assert_eq!(
        (item.state, item.attempts, item.next_attempt_at, item.created_at),
        (Queued, 0, 5, 5)
    );
    assert_eq!(db.outbox_pending().unwrap(), 1);
    assert_eq!(db.outbox_next_due().unwrap(), Some(5));

    assert!(
        db.claim_next("w", 4, 60).unwrap().is_none(),
        "not due before next_attempt_at"
    );
    let claimed = db.claim_next("w", 6, 60).unwrap().unwrap();
    assert_eq!((claimed.id, claimed.state, claimed.attempts), (id, Sending, 1));
    assert_eq!((claimed.owner.as_deref(), claimed.lease_until), (Some("w"), Some(66)));
    assert!(db.claim_next("other", 7, 60).unwrap().is_none(), "held");

    let sent = db.mark_sent(id, 8).unwrap();
    assert_eq!((sent.state, sent.sent_at, sent.owner), (Sent, Some(8), None));
    assert!(
        db.draft("app", "r1").unwrap().is_none(),
        "a sent reply clears its draft"
    );
    let h = db.history(10).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (
            h[0].row.profile.as_str(),
            h[0].row.text.as_str(),
            h[0].row.result.as_str()
        ),
        ("main", "thanks!", "sent")
    );
    assert_eq!(h[0].outbox_id, Some(id));
    // Idempotent: a second success report changes nothing and records nothing.
    assert_eq!(db.mark_sent(id, 9).unwrap().sent_at, Some(8));
    assert_eq!(db.history(10).unwrap().len(), 1);
    assert_eq!(db.outbox_pending().unwrap(), 0);
    // Listed while recent, then not.
    assert_eq!(db.outbox(Some("app"), 8).unwrap().len(), 1);
    assert!(db.outbox(Some("app"), 9).unwrap().is_empty());
}

#[test]
fn one_live_item_per_review() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "one"), 1).unwrap();
    let err = db.enqueue(&reply("app", "r", "two"), 2).unwrap_err();
    assert!(
        matches!(err, DbError::AlreadyInOutbox { id: i, state: Queued, .. } if i == id),
        "{err}"
    );
    db.enqueue(&reply("app", "other", "fine"), 2).unwrap();
    db.enqueue(&reply("app2", "r", "other app, fine"), 2).unwrap();
    // Still blocked while sending and while unconfirmed; free once failed or sent.
    db.claim_next("w", 3, 60).unwrap().unwrap();
    assert!(matches!(
        db.enqueue(&reply("app", "r", "x"), 4),
        Err(DbError::AlreadyInOutbox { state: Sending, .. })
    ));
    db.mark_unconfirmed(id, "w", "timed out", 4).unwrap();
    assert!(matches!(
        db.enqueue(&reply("app", "r", "x"), 4),
        Err(DbError::AlreadyInOutbox { state: Unconfirmed, .. })
    ));
    db.mark_failed(id, "w", "the review was removed", 5).unwrap();
    let second = db.enqueue(&reply("app", "r", "second try"), 6).unwrap();
    // The failed one cannot be retried while the new one is live.
    assert!(matches!(db.retry(id, 7), Err(DbError::AlreadyInOutbox { .. })));
    assert_eq!(db.outbox_live_for("app", "r").unwrap().unwrap().id, second);
    // The index holds even against a raw insert.
    let raw = db.conn.execute(
        "INSERT INTO outbox (app, review, text, support_email, public, state, created_at, updated_at, next_attempt_at)
         VALUES ('app', 'r', 't', '', 1, 'queued', 0, 0, 0)",
        [],
    );
    assert!(raw.is_err());
}

#[test]
fn an_expired_lease_becomes_unconfirmed_and_verification_settles_it() {
    let dir = temp();
    let mut db = open(dir.path());
    let a = db.enqueue(&reply("app", "a", "reply a"), 0).unwrap();
    let b = db.enqueue(&reply("app", "b", "reply b"), 0).unwrap();
    assert_eq!(db.claim_next("dead", 1, 60).unwrap().unwrap().id, a);
    assert_eq!(db.claim_next("dead", 1, 60).unwrap().unwrap().id, b);
    // Before the lease ends nothing happens; at its end, another worker's claim turns both
    // into unconfirmed, never back to queued.
    assert!(db.claim_next("live", 60, 60).unwrap().is_none());
    assert_eq!(db.outbox_item(a).unwrap().state, Sending);
    assert!(db.claim_next("live", 61, 60).unwrap().is_none());
    for id in [a, b] {
        let item = db.outbox_item(id).unwrap();
        assert_eq!(
            (item.state, item.owner.as_deref(), item.lease_until),
            (Unconfirmed, None, None)
        );
        assert!(item.reason.unwrap().contains("before it knew the outcome"));
    }
    // The dead owner's late reports: it no longer holds them.
    assert!(matches!(
        db.requeue(a, "dead", 70, "429", 62),
        Err(DbError::WrongState { state: Unconfirmed, .. })
    ));
    assert!(matches!(
        db.mark_unconfirmed(a, "dead", "x", 62),
        Err(DbError::WrongState { .. })
    ));
    // a: the review already shows the reply → sent, not re-posted.
    assert_eq!(db.verify_unconfirmed(a, true, 63).unwrap(), Sent);
    assert_eq!(
        db.history(1).unwrap()[0].row.result,
        "sent (verified after an unclear answer)"
    );
    // b: the review shows no response → queued, due now, claimable again.
    assert_eq!(db.verify_unconfirmed(b, false, 63).unwrap(), Queued);
    let again = db.claim_next("live", 63, 60).unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (b, 2));
    assert!(matches!(
        db.verify_unconfirmed(b, false, 64),
        Err(DbError::WrongState { state: Sending, .. })
    ));
    // The new holder's item cannot be touched by the old one.
    let err = db.mark_failed(b, "dead", "late 400", 64).unwrap_err();
    assert!(matches!(err, DbError::LeaseLost { .. }), "{err}");
    assert!(err.to_string().contains("verify"), "{err}");
    db.renew_lease(b, "live", 100, 60).unwrap();
    assert_eq!(db.outbox_item(b).unwrap().lease_until, Some(160));
    assert!(matches!(
        db.renew_lease(b, "dead", 100, 60),
        Err(DbError::LeaseLost { .. })
    ));
    db.mark_sent(b, 101).unwrap();
}

#[test]
fn requeue_backs_off_and_failure_can_be_retried() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "hello"), 0).unwrap();
    db.claim_next("w", 0, 60).unwrap().unwrap();
    db.requeue(id, "w", 30, "429: throttled", 1).unwrap();
    let item = db.outbox_item(id).unwrap();
    assert_eq!(
        (item.state, item.next_attempt_at, item.reason.as_deref()),
        (Queued, 30, Some("429: throttled"))
    );
    assert!(db.claim_next("w", 29, 60).unwrap().is_none());
    db.claim_next("w", 30, 60).unwrap().unwrap();
    db.mark_failed(id, "w", "400: the review cannot be answered", 31)
        .unwrap();
    assert_eq!(
        db.history(1).unwrap()[0].row.result,
        "failed: 400: the review cannot be answered"
    );
    assert_eq!(db.outbox(None, i64::MAX).unwrap().len(), 1, "failed items stay listed");
    db.retry(id, 40).unwrap();
    let item = db.outbox_item(id).unwrap();
    assert_eq!((item.state, item.reason, item.next_attempt_at), (Queued, None, 40));
}

#[test]
fn edits_and_discards_only_while_unsent() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "typo"), 0).unwrap();
    db.update_text(id, "fixed", 1).unwrap();
    db.update_reply(id, "fixed again", "other@example.com", false, 2)
        .unwrap();
    let item = db.outbox_item(id).unwrap();
    assert_eq!(
        (item.text.as_str(), item.support_email.as_str(), item.public),
        ("fixed again", "other@example.com", false)
    );
    db.claim_next("w", 3, 60).unwrap();
    for err in [db.update_text(id, "late", 4).unwrap_err(), db.discard(id).unwrap_err()] {
        assert!(matches!(err, DbError::WrongState { state: Sending, .. }), "{err}");
        assert!(err.to_string().contains("only while"), "{err}");
    }
    db.mark_unconfirmed(id, "w", "timeout", 4).unwrap();
    assert!(matches!(
        db.discard(id),
        Err(DbError::WrongState { state: Unconfirmed, .. })
    ));
    db.verify_unconfirmed(id, true, 5).unwrap();
    assert!(matches!(
        db.update_text(id, "x", 6),
        Err(DbError::WrongState { state: Sent, .. })
    ));
    assert!(matches!(db.discard(id), Err(DbError::WrongState { state: Sent, .. })));

    let other = db.enqueue(&reply("app", "r2", "never mind"), 7).unwrap();
    let gone = db.discard(other).unwrap();
    assert_eq!(gone.text, "never mind");
    assert!(matches!(db.outbox_item(other), Err(DbError::NotFound { .. })));
    assert!(matches!(db.discard(other), Err(DbError::NotFound { .. })));
}

#[test]
fn sent_items_are_final_even_for_raw_sql() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "done"), 0).unwrap();
    db.mark_sent(id, 1).unwrap();
    for sql in [
        "UPDATE outbox SET state = 'queued' WHERE id = ?1",
        "UPDATE outbox SET text = 'changed' WHERE id = ?1",
        "DELETE FROM outbox WHERE id = ?1",
    ] {
        let err = db.conn.execute(sql, [id]).unwrap_err();
        assert!(err.to_string().contains("outbox:"), "{sql}: {err}");
    }
    assert_eq!(db.outbox_item(id).unwrap().state, Sent);
}

#[test]
fn answered_in_partner_center_is_never_resent_and_a_sync_confirms_it() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "answer"), 0).unwrap();
    db.mark_answered_elsewhere(id, 1).unwrap();
    let item = db.outbox_item(id).unwrap();
    assert!(item.manual && item.state == Unconfirmed);
    assert!(db.claim_next("w", 2, 60).unwrap().is_none());
    // A sync that does not show it yet leaves it waiting.
    assert_eq!(db.verify_unconfirmed(id, false, 3).unwrap(), Unconfirmed);
    assert_eq!(db.verify_unconfirmed(id, true, 4).unwrap(), Sent);
    assert_eq!(db.history(1).unwrap()[0].row.result, "sent in Partner Center");
}

#[cfg(unix)]
#[test]
fn abandoned_items_of_a_dead_process_are_released_at_start() {
    use super::super::{owner_gone, process_owner};
    let dir = temp();
    let mut db = open(dir.path());
    let mine = db.enqueue(&reply("app", "a", "x"), 0).unwrap();
    let theirs = db.enqueue(&reply("app", "b", "y"), 0).unwrap();
    db.claim_next(&process_owner(), 0, 600).unwrap();
    db.claim_next("1999999999@someboot", 0, 600).unwrap();
    assert!(!owner_gone(&process_owner()));
    assert!(owner_gone("1999999999@someboot"), "another boot");
    assert!(!owner_gone("worker-a"), "unknown forms are never judged gone");
    assert!(
        !owner_gone(&format!("{}/2", process_owner())),
        "a second worker of this process"
    );
    assert_eq!(db.release_abandoned(1).unwrap(), [theirs]);
    assert_eq!(db.outbox_item(mine).unwrap().state, Sending);
    assert_eq!(db.outbox_item(theirs).unwrap().state, Unconfirmed);
    assert_eq!(db.release_where(2, |_| true).unwrap(), [mine]);
    assert_eq!(db.expire_leases(10_000).unwrap(), Vec::<i64>::new());
}

#[test]
fn history_is_append_only() {
    let dir = temp();
    let mut db = open(dir.path());
    for i in 0..3 {
        let row = HistoryRow {
            profile: "main".into(),
            app: "app".into(),
            review: format!("r{i}"),
            at: 100 + i,
            text: format!("reply {i}"),
            result: "answered in Partner Center".into(),
        };
        db.append_history(&row).unwrap();
    }
    let h = db.history(2).unwrap();
    assert_eq!(
        h.iter().map(|e| e.row.review.as_str()).collect::<Vec<_>>(),
        ["r2", "r1"]
    );
    let json = serde_json::to_value(&h[0]).unwrap();
    assert_eq!(json["review"], "r2");
    assert_eq!(json["at"], 102);
    assert!(json.get("outbox_id").is_none());
    for sql in [
        "UPDATE history SET text = 'rewritten'",
        "DELETE FROM history",
        "DELETE FROM history WHERE id = 1",
    ] {
        let err = db.conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(db.history(10).unwrap().len(), 3);
    assert_eq!(db.history(10).unwrap()[2].row.text, "reply 0");
}

#[test]
fn a_late_success_of_a_failed_item_stops_a_queued_second_reply() {
    let dir = temp();
    let mut db = open(dir.path());
    let first = db.enqueue(&reply("app", "r", "first"), 0).unwrap();
    db.claim_next("w", 0, 60).unwrap();
    db.mark_failed(first, "w", "gave up", 1).unwrap();
    let second = db.enqueue(&reply("app", "r", "second"), 2).unwrap();
    // The first one turns out to have gone through.
    db.mark_sent(first, 3).unwrap();
    let item = db.outbox_item(second).unwrap();
    assert_eq!(item.state, Failed);
    assert!(item.reason.unwrap().contains(&format!("item {first}")));
    assert!(db.claim_next("w", 4, 60).unwrap().is_none());
}

#[test]
fn errors_and_handles_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send>() {}
    send_sync::<DbError>();
    send::<super::super::Db>();
}

#[test]
fn a_held_item_is_not_claimed_nor_brought_forward_until_sent_now() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue(&reply("app", "r", "answer in Partner Center"), 0).unwrap();
    db.hold(id, "held: copied", 1).unwrap();
    let item = db.outbox_item(id).unwrap();
    assert!(item.held(), "{item:?}");
    assert_eq!(item.reason.as_deref(), Some("held: copied"));
    assert!(db.claim_next("w", 1_000_000, 60).unwrap().is_none(), "never due");
    assert_eq!(
        db.bring_forward(2).unwrap(),
        0,
        "the service answering does not release it"
    );
    assert!(db.claim_next("w", 3, 60).unwrap().is_none());
    // Only queued items can be held; a held one can still be marked answered elsewhere.
    db.send_now(id, 4).unwrap();
    assert!(!db.outbox_item(id).unwrap().held());
    assert_eq!(db.claim_next("w", 4, 60).unwrap().map(|i| i.id), Some(id));
    assert!(matches!(
        db.hold(id, "late", 5),
        Err(DbError::WrongState { state: Sending, .. })
    ));
    assert!(matches!(
        db.send_now(id, 5),
        Err(DbError::WrongState { state: Sending, .. })
    ));

    let other = db.enqueue(&reply("app", "r2", "typed there"), 6).unwrap();
    db.hold(other, "held: copied", 6).unwrap();
    db.mark_answered_elsewhere(other, 7).unwrap();
    let item = db.outbox_item(other).unwrap();
    assert_eq!((item.state, item.manual), (Unconfirmed, true));
}

#[test]
fn a_failed_reply_is_not_retried_once_another_reply_to_its_review_was_sent() {
    let dir = temp();
    let mut db = open(dir.path());
    let first = db.enqueue(&reply("app", "r", "first try"), 0).unwrap();
    db.claim_next("w", 1, 60).unwrap();
    db.mark_failed(first, "w", "HTTP 400", 2).unwrap();
    let second = db.enqueue(&reply("app", "r", "second try"), 3).unwrap();
    db.claim_next("w", 4, 60).unwrap();
    db.mark_sent(second, 5).unwrap();
    let err = db.retry(first, 6).unwrap_err();
    assert!(
        matches!(err, DbError::AlreadySent { id, sent, .. } if id == first && sent == second),
        "{err}"
    );
    assert!(err.to_string().contains("one response"), "{err}");
    assert_eq!(db.outbox_item(first).unwrap().state, Failed);
}

#[test]
fn a_sent_reply_shows_on_its_cached_review() {
    use super::super::CachedReview;
    let dir = temp();
    let mut db = open(dir.path());
    let raw = r#"{"id":"r","reviewTitle":"Crashes","rating":1,"date":"2026-11-20T10:00:00"}"#;
    let row = |id: &str| CachedReview {
        id: id.into(),
        date_ts: Some(1),
        raw_json: raw.replace("\"r\"", &format!("{id:?}")),
    };
    db.upsert_reviews("app", &[row("r"), row("other")], 1).unwrap();
    let id = db.enqueue(&reply("app", "r", "Fixed in 3.3, thanks!"), 2).unwrap();
    db.claim_next("w", 3, 60).unwrap();
    db.mark_sent(id, 1_795_269_780).unwrap();
    let cached = db.review("app", "r").unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(&cached.raw_json).unwrap();
    assert_eq!(v["responseText"], "Fixed in 3.3, thanks!");
    assert_eq!(v["responseDate"], "2026-11-21T14:03:00");
    assert_eq!(v["reviewTitle"], "Crashes", "the rest is kept");
    let other: serde_json::Value = serde_json::from_str(&db.review("app", "other").unwrap().unwrap().raw_json).unwrap();
    assert!(other.get("responseText").is_none(), "only its own review");
}
