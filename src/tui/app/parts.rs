//! The parts `App` is made of. Each owns one kind of state: the shown source's reviews (switching
//! sources swaps one value), the replies, what the list is filtered by, the screen, the status
//! line and the settings the session started with.

use std::collections::{HashMap, HashSet};

use super::drafts::DraftSync;
use super::editor::Draft;
use super::filter_form::FilterForm;
use super::notices::{Activity, Notices};
use super::view::Filters;
use super::{AppEntry, Focus, Loading, Mode, Search};
use crate::store::Review;
use crate::tui::action::{Eligibility, ReplyState};
use crate::tui::ids::IdIndex;
use crate::tui::search_text::SearchText;

/// What the session was started with; fixed for its life.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `NO_COLOR`: marks and words instead of colours.
    pub no_color: bool,
    /// The session's database is removed when the UI ends (the demo, or no home directory):
    /// drafts in it are not promised to survive.
    pub temporary: bool,
    /// Replies start public unless the profile says private.
    pub default_public: bool,
    /// The profile's support email, when the eligibility check gives none.
    pub default_support_email: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            no_color: false,
            temporary: false,
            default_public: true,
            default_support_email: None,
        }
    }
}

/// The session's sources of reviews (Store apps, Commerce sites: `provider::source_of` tells
/// them apart by ID), which one is shown, and the reviews of the others, parked while they are
/// not.
#[derive(Debug, Default)]
pub struct Sources {
    pub profile: String,
    pub apps: Vec<AppEntry>,
    pub index: usize,
    /// The row chosen in the app switcher.
    pub picker: usize,
    /// The reviews of apps not shown, by app id: kept when complete, to come back without a fetch.
    pub parked: HashMap<String, ReviewList>,
}

impl Sources {
    /// The app shown; `None` only in the first-run form, which shows no reviews.
    pub fn current(&self) -> Option<&AppEntry> {
        self.apps.get(self.index)
    }

    /// What the shown source can do: screens ask this, never which service it is.
    pub fn source(&self) -> &'static dyn crate::provider::ReviewSource {
        crate::provider::source_of(self.current().map_or("", |a| a.id.as_str()))
    }

    /// Whether the shown source can do `feature`.
    pub fn can(&self, feature: crate::provider::Feature) -> bool {
        self.source().capabilities().has(feature)
    }
}

/// The shown source's reviews, and how the person is looking at them.
#[derive(Debug, Default)]
pub struct ReviewList {
    pub reviews: Vec<Review>,
    /// The search text of each review, made once.
    pub haystacks: SearchText,
    /// Where each of `reviews` is, by id: a page merges without a pass over the whole list.
    pub ids: IdIndex,
    /// The `LoadCache` still answering (in parts), even after a refresh took over `loading`.
    pub cache_request: Option<u64>,
    /// What the view was when `cache_request` was asked: the db thread's ready view of the whole
    /// list is taken only while it is still the same.
    pub cache_view: Option<super::view::ViewSpec>,
    /// Every review of the window is here (a fetch or the cache completed).
    pub complete: bool,
    /// Positions in `reviews`, in the order shown, after filters.
    pub view: Vec<usize>,
    /// Position in `view`.
    pub selected: usize,
    /// The first row of `view` on screen.
    pub offset: usize,
    pub search: Search,
    /// Where the selection was when the search started: Esc goes back there.
    pub search_origin: usize,
    pub loading: Option<Loading>,
    /// The reviews the service stopped returning (removed by Microsoft).
    pub vanished: HashSet<String>,
    /// How old the cached reviews shown were when read; `None` once a fetch completed.
    pub cache_age: Option<i64>,
    /// The last complete refresh, from the cache.
    pub last_sync: Option<i64>,
    /// Kept up to date by `rebuild_view`: counting 100,000 reviews every frame would cost more
    /// than drawing it.
    pub unanswered: usize,
}

impl ReviewList {
    pub fn selected_review(&self) -> Option<&Review> {
        self.view.get(self.selected).map(|&i| &self.reviews[i])
    }

    pub fn selected_id(&self) -> Option<&str> {
        self.selected_review().and_then(|r| r.id.as_deref())
    }

    /// Whether the service stopped returning the review (Microsoft removed it).
    pub fn is_vanished(&self, r: &Review) -> bool {
        r.id.as_deref().is_some_and(|id| self.vanished.contains(id))
    }

    /// What is worth keeping while another source is shown: the reviews, not how they were
    /// being looked at (the selection, a search, a load under way).
    pub fn parked(self) -> ReviewList {
        ReviewList {
            reviews: self.reviews,
            haystacks: self.haystacks,
            ids: self.ids,
            complete: self.complete,
            vanished: self.vanished,
            last_sync: self.last_sync,
            ..ReviewList::default()
        }
    }
}

/// What the list is narrowed to and in what order; kept when another source is shown.
#[derive(Debug, Default)]
pub struct ListFilters {
    pub active: Filters,
    pub unanswered_first: bool,
    /// The `f` form, while open.
    pub form: Option<FilterForm>,
}

/// Everything about answering: whether each review may be answered, where each reply is, the
/// drafts and where they are kept.
#[derive(Debug, Default)]
pub struct Replies {
    pub eligibility: HashMap<String, Eligibility>,
    /// Per review: where its reply is (from the outbox).
    pub state: HashMap<String, ReplyState>,
    /// Eligibility checks asked for, by review: the request whose answer counts.
    pub pending_info: HashMap<String, u64>,
    pub drafts: HashMap<String, Draft>,
    pub draft_sync: DraftSync,
}

/// The screen: which mode and pane, scroll positions, the terminal's size.
#[derive(Debug)]
pub struct Screen {
    pub mode: Mode,
    pub focus: Focus,
    pub detail_scroll: u16,
    pub help_scroll: u16,
    pub size: (u16, u16),
    pub spinner: usize,
    pub should_quit: bool,
}

impl Screen {
    pub fn new(size: (u16, u16)) -> Screen {
        Screen {
            mode: Mode::Normal,
            focus: Focus::List,
            detail_scroll: 0,
            help_scroll: 0,
            size,
            spinner: 0,
            should_quit: false,
        }
    }
}

/// The status and hint lines: what is going on, and messages for the person.
#[derive(Debug, Default)]
pub struct Status {
    /// Messages for the hint line, with levels; see `notices` for how they show and expire.
    pub notices: Notices,
    pub activity: Option<Activity>,
    /// Shown once over the reviews until a key is pressed ("Saved profile …").
    pub notice: Option<String>,
}
