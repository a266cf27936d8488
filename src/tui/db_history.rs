//! The db thread's answer to `LoadReplyHistory`: the profile's sent replies, indexed for the
//! policy check's canned-reply rule. Read and indexed here, off the UI thread (tens of
//! milliseconds at 10,000 replies), once per session; replies sent later are added by the app.

use std::sync::Arc;

use super::action::Action;
use crate::db::Db;
use crate::policy::HistoryIndex;
use crate::policy::duplicates::HISTORY_LIMIT;

pub(super) fn load(db: &Db) -> Action {
    let started = std::time::Instant::now();
    let result = db
        .check_file()
        .and_then(|()| db.sent_replies(HISTORY_LIMIT))
        .map(|sent| Arc::new(HistoryIndex::new(&sent)))
        .map_err(|e| e.to_string());
    match &result {
        Ok(index) => tracing::info!(
            replies = index.len(),
            ms = started.elapsed().as_millis() as u64,
            "indexed the reply history"
        ),
        Err(e) => tracing::warn!(error = %e, "reading the reply history failed"),
    }
    Action::ReplyHistoryLoaded(result)
}

/// Without a database there is no history to compare with.
pub(super) fn not_open() -> Action {
    Action::ReplyHistoryLoaded(Err("the local database is not open".to_owned()))
}
