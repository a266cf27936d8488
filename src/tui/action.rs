//! Everything that can happen to the app, as data: keys (already looked up in the keymap), raw
//! input for text fields, ticks, and the worker's answers. `App::update` is the only consumer.

use std::time::Instant;

use crate::keymap::KeyAction;
use ratatui::crossterm::event::KeyEvent;

use crate::db::{HistoryEntry, OutboxItem, StoredDraft};
use crate::outbox_sender::Outcome;
use crate::profiles::Profile;
use crate::profiles::ops::{SecretState, TestReport};
use crate::store::Review;
use crate::tui::ids::IdIndex;
use crate::tui::search_text::SearchText;

/// How a review can be answered, from get-response-info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Eligibility {
    Checking,
    CanRespond {
        support_email: Option<String>,
    },
    OptedOut,
    /// The documented outage of the reviews API; the text names the way out.
    ApiDown(String),
    Failed(String),
}

/// A profile as the profiles screen lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    pub name: String,
    pub profile: Profile,
    pub default: bool,
}

/// The secret store in use, in words: "the kernel keyring", kept "until the machine reboots".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreInfo {
    pub name: String,
    pub persistence: String,
}

/// One app's reviews as the local cache holds them, or a part of them: a large cache comes in
/// two `CacheLoaded` answers, the newest reviews first (`more` set) so that the first screen does
/// not wait for the rest.
#[derive(Clone, Debug, Default)]
pub struct CachedReviews {
    /// Cleaned (`sanitize_review`) on the db thread.
    pub reviews: Vec<Review>,
    /// The search text of each review, made on the db thread's helpers. When
    /// there is not one per review, the app cleans the reviews and makes them itself.
    pub haystacks: SearchText,
    /// Ids of reviews the service stopped returning (removed by Microsoft).
    pub vanished: Vec<String>,
    /// When the app was last refreshed completely (Unix seconds).
    pub last_sync: Option<i64>,
    /// How old the cache is, in seconds, when read.
    pub age_secs: Option<i64>,
    /// Another part follows for the same request (the rest of the cache, older reviews).
    pub more: bool,
    /// This part holds every cached review, the first part's at the same places (in front), so
    /// the list can be swapped for it whole: set on the db thread's last part.
    pub whole: bool,
    /// Where each of `reviews` is, by id; made with the part when `whole` is set.
    pub ids: IdIndex,
    /// How many of `reviews` are unanswered, when `whole` is set.
    pub unanswered: usize,
    /// The view of `reviews` (positions, filtered and in order) for the view the cache read was
    /// asked with, when `whole` is set: the UI swaps it in instead of placing each review.
    pub view: Option<Vec<usize>>,
}

/// A fetched page made ready for the list off the UI thread: cleaned, each with its search text,
/// and a copy as received for the cache (which keeps what the Store sent, not what is shown).
#[derive(Clone, Debug, Default)]
pub struct FetchedPage {
    pub reviews: Vec<Review>,
    pub haystacks: SearchText,
    pub as_received: Vec<Review>,
}

/// A reply's fate on the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyState {
    /// In the outbox, waiting to be sent; the reason of the last attempt, if any.
    Queued(Option<String>),
    Sending,
    Sent,
    Failed(String),
    Unconfirmed(String),
}

#[derive(Clone, Debug)]
pub enum Action {
    Key(KeyAction),
    /// A key with no binding in the current mode: text for the editor, search or a form.
    Input(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock, every 120 ms while something is under way (a draft waiting to be saved too).
    Tick(Instant),
    /// Leaving (quit, a signal, a profile switch) or suspending: save the open editor's draft now.
    SaveNow,
    /// The profile's local database opened, with the drafts of the apps shown and what the
    /// opening has to say (a fresh or replaced file); or why it could not be opened.
    DraftsLoaded(Result<(Vec<StoredDraft>, Option<String>), String>),
    /// The stats asked for by `ComputeStats` (or why they could not be counted).
    StatsComputed {
        request: u64,
        result: Result<Box<crate::stats::Stats>, String>,
    },
    /// A draft could not be saved or deleted.
    DraftStoreFailed(String),
    /// The review cache of `app`, read for `LoadCache` (or why it could not be read).
    CacheLoaded {
        request: u64,
        app: String,
        result: Result<CachedReviews, String>,
    },
    /// The cached reviews of `app` sent for `LoadCache` `request` before the file was checked
    /// came from a file that then failed its check: take them back, and say `why`.
    CacheWithdrawn {
        request: u64,
        app: String,
        why: String,
    },
    /// Writing fetched reviews to the cache failed.
    CacheStoreFailed(String),
    /// The dates a fetch covers (Unix seconds, both inclusive), sent before its first page.
    FetchWindow {
        request: u64,
        start_ts: i64,
        end_ts: i64,
    },
    /// The external editor closed with this text, or could not run (the reason).
    ExternalEditorDone(Result<String, String>),
    /// A page of reviews for the request `request`.
    ReviewsPage {
        request: u64,
        app: String,
        reviews: FetchedPage,
        total: Option<u64>,
        done: bool,
    },
    ReviewsFailed {
        request: u64,
        error: String,
    },
    EligibilityResult {
        request: u64,
        app: String,
        review: String,
        result: Eligibility,
    },
    /// The outbox is ready (with the ids of items a killed earlier run left unclear), or could
    /// not be opened: replies then cannot be confirmed (they stay drafts).
    OutboxOpened(Result<Vec<i64>, String>),
    /// The outbox as it is now: every live and failed item, and those sent during this run.
    OutboxSnapshot(Vec<OutboxItem>),
    /// Something happened to one item.
    OutboxOutcome(Outcome),
    /// A confirmed reply is in the outbox (its id), or could not be written there.
    Enqueued {
        app: String,
        review: String,
        result: Result<i64, String>,
    },
    /// A discarded item, whose text goes back to its review's draft.
    OutboxDiscarded(OutboxItem),
    /// An outbox operation the person asked for failed.
    OutboxFailed(String),
    HistoryLoaded(Result<Vec<HistoryEntry>, String>),
    /// The profile's sent replies, indexed for the policy check's canned-reply rule, read for
    /// `LoadReplyHistory` (or why they could not be read).
    ReplyHistoryLoaded(Result<std::sync::Arc<crate::policy::HistoryIndex>, String>),
    /// Replies taken back inside their undo-send window, and how many had already gone.
    TakenBack {
        items: Vec<OutboxItem>,
        too_late: usize,
    },
    /// Background activity to show ("retrying in 4 s").
    Activity(String),
    /// The profiles in config.toml, as read for `ListProfiles`.
    ProfilesListed {
        request: u64,
        result: Result<Vec<ProfileRow>, String>,
    },
    /// The secret store opened (or not), and which profiles have a secret in it.
    SecretsChecked {
        request: u64,
        result: Result<(StoreInfo, Vec<(String, SecretState)>), String>,
    },
    /// A profile operation under way: what it is doing now.
    ProfileProgress {
        request: u64,
        text: String,
    },
    ProfileSaved {
        request: u64,
        name: String,
        result: Result<StoreInfo, String>,
    },
    ProfileRemoved {
        request: u64,
        name: String,
        /// Whether a secret was stored, and the store it left.
        result: Result<(bool, StoreInfo), String>,
    },
    ProfileTested {
        request: u64,
        result: Result<TestReport, String>,
    },
    /// Whether the profile can be switched to: it exists, covers an app, has a secret.
    SwitchChecked {
        request: u64,
        name: String,
        result: Result<(), String>,
    },
}
