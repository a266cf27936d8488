//! What `App::update` asks the event loop to do: the Store worker's, the profiles worker's, the
//! db thread's and the loop's own commands.

use super::editor::Draft;
use crate::profiles_ops::ProfileDraft;
use crate::store::ResponseItem;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    FetchReviews {
        request: u64,
        app: String,
    },
    CheckEligibility {
        request: u64,
        app: String,
        review: String,
    },
    Submit {
        request: u64,
        items: Vec<ResponseItem>,
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
    OpenExternalEditor {
        text: String,
    },
    Suspend,
    Quit,
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
    /// Leave the UI and start it again with this profile (for the event loop).
    SwitchProfile {
        name: String,
        notice: Option<String>,
    },
}

impl Command {
    /// Answered by the profiles worker rather than the Store worker.
    pub fn is_profile_op(&self) -> bool {
        matches!(
            self,
            Command::ListProfiles { .. }
                | Command::SaveProfile { .. }
                | Command::TestProfile { .. }
                | Command::RemoveProfile { .. }
                | Command::CheckSwitch { .. }
        )
    }
}
