//! Random sequences of outbox operations never give a review two live items, never move a sent
//! item, never take a transition outside the state machine, and never reach SQLite's own
//! constraints (the API refuses first, with a clear error).

use std::collections::HashMap;

use proptest::prelude::*;

use super::super::{Db, DbError, OutboxState};
use super::{reply, temp};

use OutboxState::*;

#[derive(Clone, Debug)]
enum Op {
    Enqueue(u8),
    Claim(u8),
    Sent(u8),
    Failed(u8, u8),
    Unconfirmed(u8, u8),
    Requeue(u8, u8, u8),
    Verify(u8, bool),
    Retry(u8),
    Discard(u8),
    Edit(u8),
    Elsewhere(u8),
    Tick(u8),
    Release,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4u8).prop_map(Op::Enqueue),
        3 => (0..2u8).prop_map(Op::Claim),
        2 => any::<u8>().prop_map(Op::Sent),
        1 => (any::<u8>(), 0..2u8).prop_map(|(i, o)| Op::Failed(i, o)),
        1 => (any::<u8>(), 0..2u8).prop_map(|(i, o)| Op::Unconfirmed(i, o)),
        2 => (any::<u8>(), 0..2u8, 0..30u8).prop_map(|(i, o, d)| Op::Requeue(i, o, d)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(i, b)| Op::Verify(i, b)),
        1 => any::<u8>().prop_map(Op::Retry),
        1 => any::<u8>().prop_map(Op::Discard),
        1 => any::<u8>().prop_map(Op::Edit),
        1 => any::<u8>().prop_map(Op::Elsewhere),
        2 => (0..90u8).prop_map(Op::Tick),
        1 => Just(Op::Release),
    ]
}

/// May the state go from `a` to `b` (`None` = deleted) in one operation?
fn allowed(a: OutboxState, b: Option<OutboxState>) -> bool {
    match (a, b) {
        (x, Some(y)) if x == y => true,
        (Sent, _) => false,
        (Queued, None) | (Failed, None) => true,
        (_, None) => false,
        (Queued, Some(s)) => matches!(s, Sending | Sent | Failed | Unconfirmed),
        (Sending, Some(s)) => matches!(s, Sent | Failed | Unconfirmed | Queued),
        (Unconfirmed, Some(s)) => matches!(s, Sent | Failed | Queued),
        (Failed, Some(s)) => matches!(s, Queued | Sent | Unconfirmed),
    }
}

fn pick(ids: &[i64], i: u8) -> i64 {
    if ids.is_empty() {
        999_999
    } else {
        ids[i as usize % ids.len()]
    }
}

fn snapshot(db: &Db) -> HashMap<i64, (OutboxState, String, String)> {
    db.outbox(None, i64::MIN)
        .unwrap()
        .into_iter()
        .map(|i| (i.id, (i.state, i.review, i.text)))
        .collect()
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = temp();
    let (mut db, _) = Db::open(dir.path(), "main").unwrap();
    let owners = ["worker-a", "worker-b"];
    let mut now = 0i64;
    let mut ids: Vec<i64> = Vec::new();
    let mut before = snapshot(&db);
    for op in ops {
        let result: Result<(), DbError> = match op {
            Op::Enqueue(r) => db
                .enqueue(&reply("app", &format!("r{r}"), "text"), now)
                .map(|id| ids.push(id)),
            Op::Claim(o) => db.claim_next(owners[o as usize], now, 60).map(|item| {
                if let Some(item) = item {
                    assert_eq!(
                        before.get(&item.id).map(|b| b.0),
                        Some(Queued),
                        "claimed a non-queued item"
                    );
                }
            }),
            Op::Sent(i) => db.mark_sent(pick(&ids, i), now).map(drop),
            Op::Failed(i, o) => db.mark_failed(pick(&ids, i), owners[o as usize], "nope", now),
            Op::Unconfirmed(i, o) => db.mark_unconfirmed(pick(&ids, i), owners[o as usize], "timeout", now),
            Op::Requeue(i, o, d) => db.requeue(pick(&ids, i), owners[o as usize], now + i64::from(d), "429", now),
            Op::Verify(i, applied) => db.verify_unconfirmed(pick(&ids, i), applied, now).map(drop),
            Op::Retry(i) => db.retry(pick(&ids, i), now),
            Op::Discard(i) => db.discard(pick(&ids, i)).map(drop),
            Op::Edit(i) => db.update_text(pick(&ids, i), &format!("edited at {now}"), now),
            Op::Elsewhere(i) => db.mark_answered_elsewhere(pick(&ids, i), now),
            Op::Tick(s) => {
                now += i64::from(s);
                Ok(())
            }
            Op::Release => db.expire_leases(now).map(drop),
        };
        if let Err(e) = &result {
            let expected = matches!(
                e,
                DbError::AlreadyInOutbox { .. }
                    | DbError::AlreadySent { .. }
                    | DbError::NotFound { .. }
                    | DbError::WrongState { .. }
                    | DbError::LeaseLost { .. }
            );
            prop_assert!(expected, "{op:?} hit the database's own guard: {e}");
        }
        let after = snapshot(&db);
        let mut live = HashMap::new();
        for (id, (state, review, _)) in &after {
            if state.is_live() {
                prop_assert!(
                    live.insert(review.clone(), *id).is_none(),
                    "two live items for {review}: {after:?}"
                );
            }
        }
        for (id, (state, _, text)) in &before {
            let next = after.get(id);
            prop_assert!(
                allowed(*state, next.map(|n| n.0)),
                "{op:?}: item {id} went {state} -> {next:?}"
            );
            if *state == Sent {
                prop_assert_eq!(&next.unwrap().2, text, "a sent text changed");
            }
        }
        before = after;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn outbox_invariants_hold_for_any_sequence(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
