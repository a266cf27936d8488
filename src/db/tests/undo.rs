//! The undo-send window and batch claims.

use super::super::{DbError, OutboxState};
use super::{open, reply, temp};

#[test]
fn a_delayed_reply_is_not_claimed_before_its_time() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue_delayed(&reply("app", "r", "thanks"), 100, 10).unwrap();
    assert_eq!(db.outbox_item(id).unwrap().next_attempt_at, 110);
    assert_eq!(db.undo_window(100).unwrap(), vec![(id, 110)]);
    assert!(db.claim_next("w", 109, 60).unwrap().is_none());
    assert_eq!(db.claim_next("w", 110, 60).unwrap().map(|i| i.id), Some(id));
    assert!(db.undo_window(100).unwrap().is_empty());
}

#[test]
fn bringing_backoffs_forward_leaves_the_undo_window_alone() {
    let dir = temp();
    let mut db = open(dir.path());
    let waiting = db
        .enqueue_delayed(&reply("app", "a", "in the window"), 100, 10)
        .unwrap();
    let backing_off = db.enqueue(&reply("app", "b", "throttled"), 100).unwrap();
    db.claim_next("w", 100, 60).unwrap().unwrap();
    db.requeue(backing_off, "w", 500, "429", 100).unwrap();
    assert_eq!(db.bring_forward(101).unwrap(), 1);
    assert_eq!(db.outbox_item(backing_off).unwrap().next_attempt_at, 101);
    assert_eq!(db.outbox_item(waiting).unwrap().next_attempt_at, 110);
}

#[test]
fn take_back_returns_the_text_only_before_any_claim() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue_delayed(&reply("app", "r", "my words"), 0, 10).unwrap();
    let back = db.take_back(id).unwrap();
    assert_eq!(back.text, "my words");
    assert!(matches!(db.outbox_item(id), Err(DbError::NotFound { .. })));
    // The review can be answered again at once.
    let again = db.enqueue_delayed(&reply("app", "r", "better words"), 1, 10).unwrap();
    db.claim_next("w", 11, 60).unwrap().unwrap();
    let err = db.take_back(again).unwrap_err();
    assert!(matches!(err, DbError::TooLateToTakeBack { .. }), "{err}");
    assert!(err.to_string().contains("may be on its way"), "{err}");
    // Put back after a 429, it is queued again but was handed to a sender: still too late.
    db.requeue(again, "w", 100, "429", 12).unwrap();
    assert!(matches!(db.take_back(again), Err(DbError::TooLateToTakeBack { .. })));
    assert_eq!(db.outbox_item(again).unwrap().state, OutboxState::Queued);
}

#[test]
fn send_now_ends_the_window() {
    let dir = temp();
    let mut db = open(dir.path());
    let id = db.enqueue_delayed(&reply("app", "r", "go"), 0, 3600).unwrap();
    db.send_now(id, 5).unwrap();
    assert_eq!(db.claim_next("w", 5, 60).unwrap().map(|i| i.id), Some(id));
}

#[test]
fn a_batch_claim_takes_the_oldest_due_items_once() {
    let dir = temp();
    let mut db = open(dir.path());
    let ids: Vec<i64> = (0..5)
        .map(|i| db.enqueue(&reply("app", &format!("r{i}"), "x"), i).unwrap())
        .collect();
    db.enqueue_delayed(&reply("app", "later", "x"), 0, 1000).unwrap();
    let first = db.claim_batch("a", 10, 60, 3).unwrap();
    assert_eq!(first.iter().map(|i| i.id).collect::<Vec<_>>(), ids[..3]);
    assert!(
        first
            .iter()
            .all(|i| i.state == OutboxState::Sending && i.owner.as_deref() == Some("a"))
    );
    let second = db.claim_batch("b", 10, 60, 10).unwrap();
    assert_eq!(second.iter().map(|i| i.id).collect::<Vec<_>>(), ids[3..]);
    assert!(db.claim_batch("c", 10, 60, 10).unwrap().is_empty());
    let (held, lost) = db.renew_leases(&ids, "a", 11, 60).unwrap();
    assert_eq!(held, ids[..3]);
    assert_eq!(lost.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids[3..]);
    assert!(lost.iter().all(|(_, e)| matches!(e, DbError::LeaseLost { .. })));
}
