//! The outbox worker: writes confirmed replies to the outbox, sends them in the background with
//! [`OutboxSender`], and carries out the person's edits, retries and discards. Two tasks share
//! one database connection: rounds (which wait on the network) and commands (which must
//! answer at once, so a confirmed reply is on disk within milliseconds, whatever the Store is
//! doing).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, oneshot};

use super::action::Action;
use super::app::OutboxCommand;
use crate::db::{Db, OutboxNew, OutboxState, process_owner};
use crate::outbox_sender::{OutboxSender, SendPolicy, now};
use crate::store::StoreClient;

/// Even with nothing due, look again this often: another reviewdesk on the profile may have
/// queued something, or a lease may have run out.
const POLL: Duration = Duration::from_secs(60);
/// How long quitting waits for a reply being sent to get its answer.
const FINISH_IN_FLIGHT: Duration = Duration::from_secs(3);
/// How many history entries the history view shows.
pub const HISTORY_SHOWN: usize = 500;

/// The handle the event loop keeps.
pub struct OutboxWorker {
    tx: Option<mpsc::UnboundedSender<OutboxCommand>>,
    task: tokio::task::JoinHandle<()>,
}

impl OutboxWorker {
    pub fn send(&self, cmd: OutboxCommand) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cmd);
        }
    }

    /// Carries out the commands already sent (a reply confirmed just before quitting is
    /// written), then stops sending. A request cut off here is settled at the next start: its
    /// item is unconfirmed, and the review is read back before anything is sent again.
    pub async fn finish(mut self) {
        self.tx = None;
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

impl Drop for OutboxWorker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the worker. `db` brings the connection once the db thread opened the database (or
/// why it could not); until then commands wait.
pub fn spawn(
    db: oneshot::Receiver<Result<Db, String>>,
    client: StoreClient,
    policy: SendPolicy,
    actions: mpsc::Sender<Action>,
) -> OutboxWorker {
    let (tx, rx) = mpsc::unbounded_channel();
    OutboxWorker {
        tx: Some(tx),
        task: tokio::spawn(serve(db, client, policy, actions, rx)),
    }
}

async fn serve(
    db: oneshot::Receiver<Result<Db, String>>,
    client: StoreClient,
    policy: SendPolicy,
    actions: mpsc::Sender<Action>,
    mut rx: mpsc::UnboundedReceiver<OutboxCommand>,
) {
    let db = match db.await {
        Ok(Ok(db)) => db,
        Ok(Err(why)) => return unavailable(why, &actions, rx).await,
        Err(_) => return unavailable("the local database was not opened".to_owned(), &actions, rx).await,
    };
    let sender = OutboxSender::new(db, Arc::new(client), process_owner(), policy);
    let started = now();
    let recovered = sender.recover().await.map_err(|e| e.to_string());
    let _ = actions.send(Action::OutboxOpened(recovered)).await;
    snapshot(&sender, started, &actions).await;
    let wake = Arc::new(Notify::new());
    // Dropped (so the rounds are aborted) when this task ends or is aborted.
    let mut background = tokio::task::JoinSet::new();
    background.spawn(rounds(sender.clone(), Arc::clone(&wake), started, actions.clone()));
    while let Some(cmd) = rx.recv().await {
        if let Some(action) = carry_out(&sender, cmd).await {
            let _ = actions.send(action).await;
        }
        snapshot(&sender, started, &actions).await;
        wake.notify_one();
    }
    // Leaving: a reply being sent gets a moment to hear back, so it need not be verified (after
    // a wait) at the next start.
    sender.stop(FINISH_IN_FLIGHT).await;
}

/// Without a database nothing can be queued: say so, and refuse what comes.
async fn unavailable(why: String, actions: &mpsc::Sender<Action>, mut rx: mpsc::UnboundedReceiver<OutboxCommand>) {
    let _ = actions.send(Action::OutboxOpened(Err(why.clone()))).await;
    while let Some(cmd) = rx.recv().await {
        if let OutboxCommand::Enqueue { app, review, .. } = cmd {
            let result = Err(format!("the outbox is not available ({why})"));
            let _ = actions.send(Action::Enqueued { app, review, result }).await;
        }
    }
}

async fn carry_out(sender: &OutboxSender, cmd: OutboxCommand) -> Option<Action> {
    let failed = |e: crate::db::DbError| Some(Action::OutboxFailed(e.to_string()));
    match cmd {
        OutboxCommand::Enqueue {
            app,
            review,
            text,
            support_email,
            public,
        } => {
            let new = OutboxNew {
                app: app.clone(),
                review: review.clone(),
                text,
                support_email,
                public,
            };
            let result = sender.enqueue(new).await.map_err(|e| e.to_string());
            Some(Action::Enqueued { app, review, result })
        }
        OutboxCommand::OutboxRetry { id } => {
            // Unconfirmed: nothing to change in the database, only the wait to read it back.
            let result = sender
                .with_db(move |db| match db.outbox_item(id)?.state {
                    OutboxState::Unconfirmed => Ok(()),
                    _ => db.send_again(id, now()),
                })
                .await;
            sender.forget_verify_wait(id);
            result.err().and_then(failed)
        }
        OutboxCommand::OutboxHold { id, reason } => sender
            .with_db(move |db| db.hold(id, &reason, now()))
            .await
            .err()
            .and_then(failed),
        OutboxCommand::OutboxDiscard { id } => match sender.with_db(move |db| db.discard(id)).await {
            Ok(item) => Some(Action::OutboxDiscarded(item)),
            Err(e) => failed(e),
        },
        OutboxCommand::OutboxEdit {
            id,
            text,
            support_email,
            public,
        } => {
            let result = sender
                .with_db(move |db| {
                    db.update_reply(id, &text, &support_email, public, now())?;
                    // Failed: queued again; held while it was edited: released.
                    db.send_again(id, now())
                })
                .await;
            result.err().and_then(failed)
        }
        OutboxCommand::OutboxAnsweredElsewhere { id } => sender
            .with_db(move |db| db.mark_answered_elsewhere(id, now()))
            .await
            .err()
            .and_then(failed),
        OutboxCommand::LoadHistory => Some(Action::HistoryLoaded(
            sender
                .with_db(|db| db.history(HISTORY_SHOWN))
                .await
                .map_err(|e| e.to_string()),
        )),
        OutboxCommand::ServiceAnswered => sender.service_answered().await.err().and_then(failed),
        OutboxCommand::TakeBack { ids } => {
            let (mut items, mut too_late) = (Vec::new(), 0);
            for id in ids {
                match sender.take_back(id).await {
                    Ok(item) => items.push(item),
                    // Claimed meanwhile: it is on its way, and stays in the outbox.
                    Err(crate::db::DbError::TooLateToTakeBack { .. }) => too_late += 1,
                    Err(e) => return failed(e),
                }
            }
            Some(Action::TakenBack { items, too_late })
        }
        OutboxCommand::SendNow { ids } => {
            let result = sender
                .with_db(move |db| {
                    for id in ids {
                        // One already claimed (or taken back) needs nothing more.
                        if db.outbox_item(id).is_ok_and(|i| i.state == OutboxState::Queued) {
                            db.send_now(id, now())?;
                        }
                    }
                    Ok(())
                })
                .await;
            result.err().and_then(failed)
        }
    }
}

async fn snapshot(sender: &OutboxSender, started: i64, actions: &mpsc::Sender<Action>) {
    match sender.with_db(move |db| db.outbox(None, started)).await {
        Ok(items) => {
            let _ = actions.send(Action::OutboxSnapshot(items)).await;
        }
        Err(e) => {
            let _ = actions.send(Action::OutboxFailed(e.to_string())).await;
        }
    }
}

/// Verify and send, then sleep until something is due, the poll interval passes, or a command
/// wakes the loop.
async fn rounds(sender: OutboxSender, wake: Arc<Notify>, started: i64, actions: mpsc::Sender<Action>) {
    loop {
        let wait = match sender.round(|_| {}).await {
            Ok(summary) => {
                // Every outcome reaches the app (a "sent" one marks the review answered).
                for o in &summary.outcomes {
                    let _ = actions.send(Action::OutboxOutcome(o.clone())).await;
                }
                if !summary.outcomes.is_empty() {
                    snapshot(&sender, started, &actions).await;
                }
                summary
                    .next_round_at()
                    .map(|at| Duration::from_secs((at - now()).clamp(1, POLL.as_secs() as i64) as u64))
                    .unwrap_or(POLL)
            }
            Err(e) => {
                tracing::warn!(error = %e, "an outbox round failed");
                let _ = actions.send(Action::OutboxFailed(e.to_string())).await;
                POLL / 2
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
