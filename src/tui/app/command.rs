//! What `App::update` asks for, typed by who carries it out: each worker has its own command
//! enum and the event loop routes by the outer variant, so a new kind of work is handled by the
//! one worker it belongs to or does not compile. The loop's own commands (the terminal, leaving)
//! are variants of [`Command`] itself.

use super::editor::Draft;
use crate::profiles::ops::ProfileDraft;
use crate::store::Review;

// One is made per key or answer and moved once: boxing the profile draft would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Store(StoreCommand),
    Db(DbCommand),
    Outbox(OutboxCommand),
    Profiles(ProfilesCommand),
    OpenExternalEditor {
        text: String,
    },
    Suspend,
    Quit,
    /// The event loop's: put the text on the clipboard of the terminal (OSC 52).
    CopyToClipboard {
        text: String,
    },
    /// Leave the UI and start it again with this profile (for the event loop).
    SwitchProfile {
        name: String,
        notice: Option<String>,
    },
}

/// The Store worker's (`tui::store_worker`): everything that talks to the Store.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreCommand {
    /// Fetch the reviews of `app`; with `since` (the last complete refresh), only from then
    /// minus an overlap.
    FetchReviews {
        request: u64,
        app: String,
        since: Option<i64>,
    },
    CheckEligibility {
        request: u64,
        app: String,
        review: String,
    },
}

/// The db thread's (`tui::db_worker`): the review cache and the drafts.
#[derive(Clone, Debug, PartialEq)]
pub enum DbCommand {
    /// The stats of `app` over the last `days`, counted from the cache (`crate::stats`).
    ComputeStats {
        request: u64,
        app: String,
        days: u32,
    },
    /// The review cache, for the db thread: read the cached reviews of `app`, and make the
    /// whole list's view for `view` (the one shown when asked).
    LoadCache {
        request: u64,
        app: String,
        view: super::view::ViewSpec,
    },
    /// Store a fetched page (as received, before cleaning).
    CacheReviews {
        app: String,
        reviews: Vec<Review>,
    },
    /// A fetch of `app` completed: mark the cached reviews in the window not `seen` as
    /// vanished, and note the sync.
    CacheSynced {
        app: String,
        start_ts: i64,
        end_ts: i64,
        seen: Vec<String>,
    },
    /// Drafts, for the db thread: keyed by app and review.
    SaveDraft {
        app: String,
        review: String,
        draft: Draft,
    },
    DeleteDraft {
        app: String,
        review: String,
    },
    /// The profile's sent replies, indexed for the canned-reply check (`tui::db_history`).
    LoadReplyHistory,
}

/// The outbox worker's (`tui::outbox_worker`): confirmed replies, durably, and the history.
#[derive(Clone, Debug, PartialEq)]
pub enum OutboxCommand {
    /// The outbox worker's: write a confirmed reply to the outbox (durably), then send it.
    Enqueue {
        app: String,
        review: String,
        text: String,
        support_email: String,
        public: bool,
    },
    /// Failed → queued; queued → due now; unconfirmed → read the review back now.
    OutboxRetry {
        id: i64,
    },
    /// Keeps a queued item from being sent (while edited, or answered in Partner Center) until
    /// `OutboxRetry`.
    OutboxHold {
        id: i64,
        reason: String,
    },
    /// Removes a queued or failed item; its text comes back as the review's draft.
    OutboxDiscard {
        id: i64,
    },
    /// Changes a queued or failed reply; a failed one is queued again.
    OutboxEdit {
        id: i64,
        text: String,
        support_email: String,
        public: bool,
    },
    /// Degraded mode: the person answered the review in Partner Center.
    OutboxAnsweredElsewhere {
        id: i64,
    },
    LoadHistory,
    /// The Store answered a request: items waiting out a backoff may go now.
    ServiceAnswered,
    /// Takes these replies back inside their undo-send window (those no sender claimed yet).
    TakeBack {
        ids: Vec<i64>,
    },
    /// These replies skip the rest of their undo-send window.
    SendNow {
        ids: Vec<i64>,
    },
}

/// The profiles worker's (`tui::profile_worker`): config.toml and the secret store.
#[derive(Clone, Debug, PartialEq)]
pub enum ProfilesCommand {
    /// Profiles: read config.toml, then which secrets the store holds.
    ListProfiles {
        request: u64,
    },
    /// The secret (if any) goes to the store, the rest to config.toml.
    SaveProfile {
        request: u64,
        draft: ProfileDraft,
    },
    /// A token and response info per app; without a secret in the draft, the stored one.
    TestProfile {
        request: u64,
        draft: ProfileDraft,
    },
    RemoveProfile {
        request: u64,
        name: String,
    },
    /// Whether the profile can be switched to, before leaving the screen.
    CheckSwitch {
        request: u64,
        name: String,
    },
}
