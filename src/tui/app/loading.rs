//! Loading reviews, keeping the selection, and asking for eligibility ahead of time.

use super::{DbCommand, StoreCommand};
use std::collections::HashSet;

use super::notices::{Activity, Topic};
use super::view::{ViewSpec, build_view, insert_into_view, view_position};
use super::{App, Command, Loading};
use crate::store::Review;
use crate::tui::action::{CachedReviews, Eligibility, FetchedPage};
use crate::tui::layout::list_rows;
use crate::tui::search_text::SearchText;

/// The most reviews room is made for ahead of a fetch, whatever count the service announces.
const MAX_RESERVED: usize = 5_000_000;

/// How many reviews after the selected one get their eligibility fetched ahead of time.
const PREFETCH: usize = 3;

impl App {
    /// Moves the selection (clamped), resets the text scroll, keeps the row on screen and asks
    /// for the eligibility of the selected review and the next few.
    pub fn select(&mut self, pos: usize) -> Vec<Command> {
        let pos = pos.min(self.list.view.len().saturating_sub(1));
        if pos != self.list.selected {
            self.screen.detail_scroll = 0;
        }
        self.list.selected = pos;
        self.keep_selection_visible();
        self.prefetch_eligibility()
    }

    pub(super) fn keep_selection_visible(&mut self) {
        let rows = list_rows(self.screen.size).max(1);
        if self.list.selected < self.list.offset {
            self.list.offset = self.list.selected;
        } else if self.list.selected >= self.list.offset + rows {
            self.list.offset = self.list.selected + 1 - rows;
        }
        let max_offset = self.list.view.len().saturating_sub(rows);
        self.list.offset = self.list.offset.min(max_offset);
    }

    /// Asks the source whether `review` may be answered, and remembers that it asked.
    pub(super) fn ask_eligibility(&mut self, app: &str, review: String) -> Command {
        let request = self.request_id();
        self.replies.pending_info.insert(review.clone(), request);
        self.replies.eligibility.insert(review.clone(), Eligibility::Checking);
        Command::Store(StoreCommand::CheckEligibility {
            request,
            app: app.to_owned(),
            review,
        })
    }

    pub(super) fn prefetch_eligibility(&mut self) -> Vec<Command> {
        // A source without the check (a Commerce site) is never asked.
        if !self.sources.can(crate::provider::Feature::Eligibility) {
            return Vec::new();
        }
        let app = self.app_id().to_owned();
        let wanted: Vec<String> = self
            .list
            .view
            .iter()
            .skip(self.list.selected)
            .take(PREFETCH + 1)
            .filter(|&&i| !self.is_vanished(&self.list.reviews[i]))
            .filter_map(|&i| self.list.reviews[i].id.clone())
            .filter(|id| !self.replies.pending_info.contains_key(id))
            .filter(|id| {
                !matches!(
                    self.replies.eligibility.get(id),
                    Some(Eligibility::CanRespond { .. } | Eligibility::OptedOut)
                )
            })
            .collect();
        let mut out = Vec::new();
        for review in wanted {
            // A failed check is tried again only for the selected review, on purpose.
            if matches!(
                self.replies.eligibility.get(&review),
                Some(Eligibility::Failed(_) | Eligibility::ApiDown(_))
            ) && Some(review.as_str()) != self.selected_id()
            {
                continue;
            }
            out.push(self.ask_eligibility(&app, review));
        }
        out
    }

    /// Reads the cache first (the fetch follows its answer).
    pub(super) fn load_reviews(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.list.loading = Some(Loading {
            request,
            from_cache: true,
            ..Loading::default()
        });
        self.list.cache_request = Some(request);
        let view = self.view_spec();
        self.list.cache_view = Some(view.clone());
        self.status.activity = Some(Activity::ReadingCache);
        vec![Command::Db(DbCommand::LoadCache {
            request,
            app: self.app_id().to_owned(),
            view,
        })]
    }

    /// The filters, order and saved view shown now.
    pub fn view_spec(&self) -> ViewSpec {
        ViewSpec {
            filters: self.filters.active.clone(),
            unanswered_first: self.filters.unanswered_first,
            saved: self.volume.view.and_then(|i| self.volume.views.get(i)).cloned(),
        }
    }

    /// The cached reviews, in one answer or two (the newest first, then the rest): shown at once,
    /// marked as cached; after the last part, refreshed from the last sync. When a refresh (`R`)
    /// took over before the cache answered, the cache still fills in what the refresh has not
    /// brought: a fetched review wins over its cached copy.
    pub(super) fn on_cache_loaded(
        &mut self,
        request: u64,
        app: String,
        result: Result<CachedReviews, String>,
    ) -> Vec<Command> {
        if app != self.app_id() || self.list.cache_request != Some(request) {
            return Vec::new();
        }
        // No fetch started meanwhile: the one that follows the cache is still to be asked for.
        let ours = self
            .list
            .loading
            .as_ref()
            .is_some_and(|l| l.request == request && l.from_cache);
        let more = matches!(&result, Ok(c) if c.more);
        if !more {
            self.list.cache_request = None;
        }
        let mut cmds = Vec::new();
        let mut error = None;
        match result {
            Ok(cached) => {
                self.list.last_sync = if ours {
                    cached.last_sync
                } else {
                    self.list.last_sync.or(cached.last_sync)
                };
                if !cached.reviews.is_empty() {
                    if ours || !self.list.complete {
                        self.list.cache_age = cached.age_secs.or(Some(0));
                    }
                    cmds = self.merge_cached(cached, ours);
                }
            }
            Err(why) => error = Some(format!("Cached reviews could not be read: {why}")),
        }
        if ours && !more {
            cmds.extend(self.fetch_reviews());
        }
        if let Some(e) = error {
            self.status.notices.error(e);
        }
        cmds
    }

    /// Puts cached reviews (cleaned already) into the list. One already there by id stays as it
    /// is (fetched, so newer); the others are added, with their vanished marks. The db thread's
    /// last part holds the whole list: while nothing but the first part is shown (`ours`), it
    /// replaces the list as it is, index and all, and only the view takes in the new reviews.
    fn merge_cached(&mut self, cached: CachedReviews, ours: bool) -> Vec<Command> {
        let CachedReviews {
            mut reviews,
            mut haystacks,
            vanished,
            whole,
            ids,
            unanswered,
            view,
            ..
        } = cached;
        let keep = self.list.view.get(self.list.selected).copied();
        let shown = self.list.reviews.len();
        let same_front = || reviews.len() >= shown && self.list.reviews.iter().zip(&reviews).all(|(a, b)| a.id == b.id);
        if whole && ours && haystacks.len() == reviews.len() && ids.len() <= reviews.len() && same_front() {
            self.list.vanished.extend(vanished);
            self.list.reviews = reviews;
            self.list.haystacks = haystacks;
            self.list.ids = ids;
            self.list.unanswered = unanswered;
            // The db thread's view is for the filters asked with; the person may have changed
            // them since (then each review is placed, as for any other part).
            let asked = self.list.cache_view.take();
            match view.filter(|v| v.len() <= self.list.reviews.len() && asked == Some(self.view_spec())) {
                Some(view) => self.list.view = view,
                None => self.place_in_view(Vec::new(), (shown..self.list.reviews.len()).collect()),
            }
            return self.after_view_change(keep);
        }
        if haystacks.len() != reviews.len() {
            // Not from the db thread, which cleans them and makes their search text.
            reviews.iter_mut().for_each(sanitize_review);
            haystacks = SearchText::of(&reviews);
        }
        let vanished: HashSet<String> = vanished.into_iter().collect();
        let mut fresh = Vec::new();
        self.list.reviews.reserve(reviews.len());
        self.list.haystacks.reserve(reviews.len());
        for (j, r) in reviews.into_iter().enumerate() {
            if let Some(id) = &r.id {
                if self.list.ids.get(id, &self.list.reviews).is_some() {
                    continue;
                }
                if vanished.contains(id) {
                    self.list.vanished.insert(id.clone());
                }
            }
            fresh.push(self.push_review(r, haystacks.get(j)));
        }
        self.place_in_view(Vec::new(), fresh);
        self.after_view_change(keep)
    }

    /// Appends a review that is not in the list yet; answers its index.
    fn push_review(&mut self, r: Review, words: &str) -> usize {
        let i = self.list.reviews.len();
        if let Some(id) = &r.id {
            self.list.ids.insert(id, i, &self.list.reviews);
        }
        if !r.is_answered() {
            self.list.unanswered += 1;
        }
        self.list.reviews.push(r);
        self.list.haystacks.push_words(words);
        i
    }

    pub(super) fn fetch_reviews(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.list.loading = Some(Loading {
            request,
            ..Loading::default()
        });
        self.status.activity = Some(Activity::Fetching(self.fetch_activity("fetching reviews")));
        self.status.notices.clear(Topic::Fetch);
        vec![Command::Store(StoreCommand::FetchReviews {
            request,
            app: self.app_id().to_owned(),
            since: self.list.last_sync,
        })]
    }

    /// "fetching reviews: …", or with cached reviews shown "refreshing: …" (the status bar says
    /// "cached 12 min ago · " before it).
    fn fetch_activity(&self, what: &str) -> String {
        match self.list.cache_age {
            Some(_) => format!("refreshing{}", what.trim_start_matches("fetching reviews")),
            None => what.to_owned(),
        }
    }

    /// Puts a prepared page into the list: a review already there (by id) is replaced in place,
    /// others appended. The view follows without being rebuilt: only reviews whose place in it
    /// changed (new, or revised in date, answer or filter) are placed. The selection is kept.
    fn merge(&mut self, page: FetchedPage) -> Vec<Command> {
        let keep = self.list.view.get(self.list.selected).copied();
        let FetchedPage { reviews, haystacks, .. } = page;
        let mut fresh = Vec::new();
        let mut moved = Vec::new();
        for (j, r) in reviews.into_iter().enumerate() {
            let Some(i) = r.id.as_deref().and_then(|id| self.list.ids.get(id, &self.list.reviews)) else {
                fresh.push(self.push_review(r, haystacks.get(j)));
                continue;
            };
            let old = &self.list.reviews[i];
            if old.is_answered() != r.is_answered() {
                if r.is_answered() {
                    self.list.unanswered = self.list.unanswered.saturating_sub(1);
                } else {
                    self.list.unanswered += 1;
                }
            }
            let same_place = old.timestamp == r.timestamp
                && old.is_answered() == r.is_answered()
                && self.filters.active.accepts(old) == self.filters.active.accepts(&r);
            if !same_place {
                moved.push(i);
            }
            self.list.reviews[i] = r;
            self.list.haystacks.set_from(i, &haystacks, j);
        }
        self.place_in_view(moved, fresh);
        self.after_view_change(keep)
    }

    /// Takes `moved` (in the list, maybe in the view at a place no longer theirs) out of the
    /// view, and puts them and `fresh` (not in the view) where they belong.
    fn place_in_view(&mut self, moved: Vec<usize>, mut fresh: Vec<usize>) {
        if !moved.is_empty() {
            let out: HashSet<usize> = moved.iter().copied().collect();
            self.list.view.retain(|i| !out.contains(i));
            fresh.extend(moved);
        }
        fresh.retain(|&i| self.in_saved_view(i));
        insert_into_view(
            &mut self.list.view,
            &self.list.reviews,
            &self.filters.active,
            self.filters.unanswered_first,
            fresh,
        );
    }

    /// After the view changed: the search runs again, and the review `keep` (an index into the
    /// list) stays selected, else the first.
    fn after_view_change(&mut self, keep: Option<usize>) -> Vec<Command> {
        if !self.list.search.query.is_empty() {
            self.list.search.matches = self
                .list
                .haystacks
                .search(&self.list.view, &self.list.search.query.to_lowercase());
            self.list.search.current = 0;
        }
        let pos = keep
            .and_then(|i| view_position(&self.list.view, &self.list.reviews, self.filters.unanswered_first, i))
            .unwrap_or(0);
        self.list.selected = usize::MAX; // force the select() bookkeeping
        self.select(pos)
    }

    pub(super) fn on_reviews(
        &mut self,
        request: u64,
        app: String,
        mut page: FetchedPage,
        total: Option<u64>,
        done: bool,
    ) -> Vec<Command> {
        let Some(loading) = self
            .list
            .loading
            .as_mut()
            .filter(|l| l.request == request && !l.from_cache)
        else {
            return Vec::new();
        };
        if app != self.sources.apps[self.sources.index].id {
            return Vec::new();
        }
        let mut cmds = Vec::new();
        loading.pages += 1;
        loading.total = total;
        // The service's count, bounded: it decides how much is set aside at once.
        let total_expected = total.map(|t| (t as usize).min(MAX_RESERVED));
        if let Some(total) = total_expected {
            // Room for the whole fetch at once: growing a set of a million ids rehashes them
            // all on the UI thread, tens of milliseconds in the middle of the fetch.
            loading.seen.reserve(total.saturating_sub(loading.seen.len()));
        }
        let any_vanished = !self.list.vanished.is_empty();
        for r in &page.reviews {
            if let Some(id) = &r.id {
                loading.seen.insert(id.clone());
                if any_vanished {
                    self.list.vanished.remove(id);
                }
            }
        }
        let pages_text = match total {
            Some(t) => format!("fetching reviews: {} of {t}", loading.seen.len()),
            None => format!("fetching reviews: page {}", loading.pages),
        };
        let as_received = std::mem::take(&mut page.as_received);
        if !as_received.is_empty() {
            cmds.push(Command::Db(DbCommand::CacheReviews {
                app: app.clone(),
                reviews: as_received,
            }));
        }
        if let Some(total) = total_expected {
            // Room for the whole fetch at once: growing by doubling would copy the list (up to
            // hundreds of MB) on the UI thread in the middle of the fetch.
            let more = total.saturating_sub(self.list.reviews.len());
            self.list.reviews.reserve(more);
            self.list.haystacks.reserve(more);
            self.list.ids.reserve(more);
        }
        // Merged by id: the list is never emptied during a refresh, and the selection is kept.
        let merged = self.merge(page);
        if done {
            let loading = self.list.loading.take().unwrap_or_default();
            self.status.activity = None;
            self.list.complete = true;
            self.list.cache_age = None;
            if let Some((start_ts, end_ts)) = loading.window {
                // What the service no longer returns in the window it was asked for is gone.
                self.list.vanished.extend(
                    self.list
                        .reviews
                        .iter()
                        .filter(|r| r.timestamp.is_some_and(|t| (start_ts..=end_ts).contains(&t)))
                        .filter_map(|r| r.id.as_ref())
                        .filter(|id| !loading.seen.contains(*id))
                        .cloned(),
                );
                cmds.push(Command::Db(DbCommand::CacheSynced {
                    app,
                    start_ts,
                    end_ts,
                    seen: loading.seen.into_iter().collect(),
                }));
            }
            // After the pages and the sync in the db thread's queue: counted with them.
            cmds.extend(self.stats_after_sync());
        } else {
            self.status.activity = Some(Activity::Fetching(self.fetch_activity(&pages_text)));
        }
        cmds.extend(merged);
        cmds
    }

    /// Filters or order changed: the same reviews, so the selection is kept by its id.
    pub(super) fn rebuild_view(&mut self) -> Vec<Command> {
        let keep = self.selected_id().map(str::to_owned);
        self.rebuild_view_keeping(keep)
    }

    /// `keep` is the id to select afterwards; `self.list.view` may be stale here, so it is not read.
    pub(super) fn rebuild_view_keeping(&mut self, keep: Option<String>) -> Vec<Command> {
        self.list.unanswered = self.list.reviews.iter().filter(|r| !r.is_answered()).count();
        self.list.view = build_view(&self.list.reviews, &self.filters.active, self.filters.unanswered_first);
        self.apply_saved_view();
        let keep = keep.and_then(|id| self.list.ids.get(&id, &self.list.reviews));
        self.after_view_change(keep)
    }

    pub(super) fn switch_app(&mut self, index: usize) -> Vec<Command> {
        if index == self.sources.index || index >= self.sources.apps.len() {
            return Vec::new();
        }
        // One swap: the shown list is parked whole (less how it was being looked at), and the
        // other app's comes back if it was complete; the filters stay.
        let old = self.app_id().to_owned();
        let id = self.sources.apps[index].id.clone();
        let incoming = self
            .sources
            .parked
            .remove(&id)
            .filter(|l| l.complete)
            .unwrap_or_default();
        let shown = std::mem::replace(&mut self.list, incoming);
        self.sources.parked.insert(old, shown.parked());
        self.sources.index = index;
        self.replies.pending_info.clear();
        if self.list.complete {
            self.rebuild_view_keeping(None)
        } else {
            self.load_reviews()
        }
    }
}

pub use crate::store::list_form::sanitize_review;

/// "just now", "12 min ago", "3 h ago", "2 days ago".
pub fn describe_age(secs: i64) -> String {
    match secs {
        s if s < 60 => "just now".to_owned(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

// Here, beside the merge that takes it, rather than with the `Action` type: making a page
// needs the app's cleaning and search text, and `action` must not depend on `app`.
impl FetchedPage {
    /// Copies the page for the cache (`for_cache`), cleans it and makes its search text: the
    /// Store worker does this on a blocking thread, so the UI only moves the result into its list
    /// (and never frees a copy nobody wanted).
    pub fn prepare(received: Vec<Review>, for_cache: bool) -> FetchedPage {
        let as_received = if for_cache { received.clone() } else { Vec::new() };
        let mut reviews = received;
        reviews.iter_mut().for_each(sanitize_review);
        let haystacks = SearchText::of(&reviews);
        FetchedPage {
            reviews,
            haystacks,
            as_received,
        }
    }
}

impl From<Vec<Review>> for FetchedPage {
    fn from(received: Vec<Review>) -> FetchedPage {
        FetchedPage::prepare(received, true)
    }
}
