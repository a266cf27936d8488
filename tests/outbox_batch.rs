//! The outbox sender against the emulator over TCP: several replies per request, each item's
//! own result applied, nothing sent twice; the undo-send window holds back the first request,
//! and a reply taken back inside it never reaches the Store.

mod common;

use std::sync::Arc;

use common::*;
use reviewdesk::db::{Db, DbError, OutboxNew, OutboxState};
use reviewdesk::emulator::{EmulatorConfig, EmulatorHandle, FaultSpec, Throttle};
use reviewdesk::outbox_sender::{Delivery, OutboxSender, SendPolicy, now};

fn new_reply(review: &str, text: &str, public: bool) -> OutboxNew {
    OutboxNew {
        app: APP.into(),
        review: review.into(),
        text: text.into(),
        support_email: "help@contoso.example".into(),
        public,
    }
}

fn sender(emu: &EmulatorHandle, dir: &std::path::Path, policy: SendPolicy) -> OutboxSender {
    let db = Db::open(dir, "batch").unwrap().0;
    let client = Arc::new(session(emu).client);
    OutboxSender::new(db, client, "test-sender".into(), policy)
}

fn reviews(emu: &EmulatorHandle, n: usize, opted_out: bool) -> Vec<String> {
    (0..n)
        .map(|i| {
            emu.add_review(
                APP,
                serde_json::json!({"reviewTitle": format!("Crash {i}"), "rating": 1, "optedOut": opted_out}),
            )
        })
        .collect()
}

#[tokio::test]
async fn replies_go_several_to_a_request_with_per_item_results() {
    let emu = emulator(EmulatorConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let s = sender(&emu, dir.path(), SendPolicy::default());
    let ids = reviews(&emu, 24, false);
    let opted_out = reviews(&emu, 1, true).remove(0);
    for (i, id) in ids.iter().enumerate() {
        s.enqueue(new_reply(id, &format!("Fixed in 2.1, thank you ({i})."), true))
            .await
            .unwrap();
    }
    // A private reply to a customer who opted out: the Store refuses that one item.
    let refused = s
        .enqueue(new_reply(&opted_out, "A private word.", false))
        .await
        .unwrap();
    let before = emu.stats();
    let summary = s.round(|_| {}).await.unwrap();
    let after = emu.stats();
    assert_eq!(
        after.submit_requests - before.submit_requests,
        2,
        "20 + 5 in two requests"
    );
    assert_eq!(after.submitted_items - before.submitted_items, 25);
    let sent = summary.outcomes.iter().filter(|o| o.what == Delivery::Sent).count();
    assert_eq!(sent, 24, "{:?}", summary.outcomes);
    let failed = summary.outcomes.iter().find(|o| o.item.id == refused).unwrap();
    assert_eq!(failed.item.state, OutboxState::Failed);
    assert!(
        failed.item.reason.as_deref().unwrap_or("").contains("No Permission"),
        "{:?}",
        failed.item.reason
    );
    for id in &ids {
        assert_eq!(after.applied_responses.get(id), Some(&1), "{id}");
    }
    assert_eq!(after.applied_responses.get(&opted_out), None);
    // Nothing is left to send: another round makes no request.
    s.round(|_| {}).await.unwrap();
    assert_eq!(emu.stats().submit_requests, after.submit_requests);
}

#[tokio::test]
async fn a_throttled_batch_is_requeued_whole_and_sent_once_later() {
    let emu = emulator(EmulatorConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let s = sender(&emu, dir.path(), SendPolicy::default());
    let ids = reviews(&emu, 5, false);
    for id in &ids {
        s.enqueue(new_reply(id, "Thanks, fixed.", true)).await.unwrap();
    }
    emu.set_faults(FaultSpec {
        throttle: Some(Throttle {
            count: 1,
            retry_after: None,
        }),
        ..FaultSpec::default()
    });
    let first = s.round(|_| {}).await.unwrap();
    assert!(first.paused_until.is_some());
    assert!(
        first
            .outcomes
            .iter()
            .all(|o| matches!(o.what, Delivery::Retrying { .. })),
        "{:?}",
        first.outcomes
    );
    assert!(emu.stats().applied_responses.is_empty());
    s.service_answered().await.unwrap();
    let second = s.round(|_| {}).await.unwrap();
    assert_eq!(second.outcomes.iter().filter(|o| o.what == Delivery::Sent).count(), 5);
    let st = emu.stats();
    assert!(ids.iter().all(|id| st.applied_responses.get(id) == Some(&1)), "{st:?}");
}

#[tokio::test]
async fn the_undo_window_holds_the_first_request_and_take_back_keeps_it_from_the_store() {
    let emu = emulator(EmulatorConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let policy = SendPolicy {
        send_delay_secs: 3600,
        ..SendPolicy::default()
    };
    let s = sender(&emu, dir.path(), policy);
    let ids = reviews(&emu, 3, false);
    let mut items = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        items.push(s.enqueue(new_reply(id, &format!("Reply {i}"), true)).await.unwrap());
    }
    let summary = s.round(|_| {}).await.unwrap();
    assert!(summary.outcomes.is_empty());
    assert_eq!(emu.stats().submit_requests, 0);
    let due = summary.next_due.unwrap();
    assert!(due >= now() + 3590, "the next round waits for the window: {due}");

    // Taken back: the text returns; restarting (recover) does not shorten the others' window.
    let back = s.take_back(items[0]).await.unwrap();
    assert_eq!(back.text, "Reply 0");
    s.recover().await.unwrap();
    let second = items[1];
    s.with_db(move |db| db.send_now(second, now())).await.unwrap();
    let summary = s.round(|_| {}).await.unwrap();
    assert_eq!(summary.outcomes.len(), 1);
    assert_eq!(summary.outcomes[0].item.id, items[1]);
    let st = emu.stats();
    assert_eq!(st.submitted_items, 1);
    assert_eq!(st.applied_responses.get(&ids[0]), None);
    assert_eq!(st.applied_responses.get(&ids[1]), Some(&1));
    assert_eq!(st.applied_responses.get(&ids[2]), None);
    let window = s.with_db(|db| db.undo_window(now())).await.unwrap();
    assert_eq!(window.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![items[2]]);
    // Sent: too late.
    let err = s.take_back(items[1]).await.unwrap_err();
    assert!(matches!(err, DbError::TooLateToTakeBack { .. }), "{err}");
}
