//! The db thread: holds the profile's database connection, saves and deletes drafts as the app
//! asks, and answers with actions. A plain thread, not a task: SQLite calls block, and a save
//! must never hold up drawing. The UI itself never touches the disk.

use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::action::Action;
use super::app::Command;
use crate::db::{Db, DraftRow};

/// Where the drafts of this run live: the data directory and the database's profile name.
#[derive(Clone, Debug)]
pub struct DraftsAt {
    pub dir: PathBuf,
    pub profile: String,
}

/// The handle the event loop keeps.
pub struct DbWorker {
    tx: Option<std_mpsc::Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

/// Opens the database on its own thread, then sends [`Action::DraftsLoaded`] with the drafts of
/// `apps` (or why it could not be opened).
pub fn spawn(at: DraftsAt, apps: Vec<String>, actions: mpsc::Sender<Action>) -> DbWorker {
    let (tx, rx) = std_mpsc::channel::<Command>();
    let thread = std::thread::Builder::new()
        .name("reviewdesk-db".into())
        .spawn(move || serve(at, apps, rx, actions))
        .ok();
    DbWorker {
        tx: thread.as_ref().map(|_| tx),
        thread,
    }
}

impl DbWorker {
    /// Drafts commands go to the thread; anything else is not its business.
    pub fn send(&self, cmd: Command) {
        if let (Some(tx), Command::SaveDraft { .. } | Command::DeleteDraft { .. }) = (&self.tx, &cmd) {
            let _ = tx.send(cmd);
        }
    }

    /// Waits until everything sent has been written, and closes the database.
    pub fn finish(mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn serve(at: DraftsAt, apps: Vec<String>, rx: std_mpsc::Receiver<Command>, actions: mpsc::Sender<Action>) {
    // The event loop may be gone (or not reading) by the time an answer is ready: never block.
    let tell = |a: Action| {
        let _ = actions.try_send(a);
    };
    let db = match Db::open(&at.dir, &at.profile) {
        Ok((db, report)) => {
            let mut drafts = Vec::new();
            let loaded = apps.iter().try_for_each(|app| {
                drafts.extend(db.drafts(app)?);
                Ok::<_, crate::db::DbError>(())
            });
            match loaded {
                Ok(()) => {
                    tell(Action::DraftsLoaded(Ok((drafts, report.message()))));
                    Some(db)
                }
                Err(e) => {
                    tell(Action::DraftsLoaded(Err(e.to_string())));
                    None
                }
            }
        }
        Err(e) => {
            tell(Action::DraftsLoaded(Err(e.to_string())));
            None
        }
    };
    let Some(db) = db else {
        // Drain, so that senders never notice; nothing is written.
        for _ in rx {}
        return;
    };
    let mut last_error: Option<String> = None;
    for cmd in rx {
        let result = db.check_file().and_then(|()| match &cmd {
            Command::SaveDraft { app, review, draft } => {
                let row = DraftRow {
                    text: draft.text.clone(),
                    public: draft.public,
                    email: draft.email.clone(),
                };
                db.save_draft(app, review, &row, now())
            }
            Command::DeleteDraft { app, review } => db.delete_draft(app, review).map(drop),
            _ => Ok(()),
        });
        match result {
            Ok(()) => last_error = None,
            Err(e) => {
                let e = e.to_string();
                tracing::warn!(error = %e, "saving a draft failed");
                // Once per kind of failure, not once per keystroke.
                if last_error.as_deref() != Some(e.as_str()) {
                    tell(Action::DraftStoreFailed(e.clone()));
                    last_error = Some(e);
                }
            }
        }
    }
}
