//! Loading reviews, keeping the selection, and asking for eligibility ahead of time.

use super::view::{build_view, haystack, search};
use super::{App, AppCache, Command, Loading, Search};
use crate::store::Review;
use crate::tui::action::Eligibility;
use crate::tui::layout::list_rows;

/// How many reviews after the selected one get their eligibility fetched ahead of time.
const PREFETCH: usize = 3;

impl App {
    /// Moves the selection (clamped), resets the text scroll, keeps the row on screen and asks
    /// for the eligibility of the selected review and the next few.
    pub fn select(&mut self, pos: usize) -> Vec<Command> {
        let pos = pos.min(self.view.len().saturating_sub(1));
        if pos != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = pos;
        self.keep_selection_visible();
        self.prefetch_eligibility()
    }

    pub(super) fn keep_selection_visible(&mut self) {
        let rows = list_rows(self.size).max(1);
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + rows {
            self.list_offset = self.selected + 1 - rows;
        }
        let max_offset = self.view.len().saturating_sub(rows);
        self.list_offset = self.list_offset.min(max_offset);
    }

    pub(super) fn prefetch_eligibility(&mut self) -> Vec<Command> {
        let app = self.app_id().to_owned();
        let wanted: Vec<String> = self
            .view
            .iter()
            .skip(self.selected)
            .take(PREFETCH + 1)
            .filter_map(|&i| self.reviews[i].id.clone())
            .filter(|id| !self.pending_info.contains_key(id))
            .filter(|id| {
                !matches!(
                    self.eligibility.get(id),
                    Some(Eligibility::CanRespond { .. } | Eligibility::OptedOut)
                )
            })
            .collect();
        let mut out = Vec::new();
        for review in wanted {
            // A failed check is tried again only for the selected review, on purpose.
            if matches!(
                self.eligibility.get(&review),
                Some(Eligibility::Failed(_) | Eligibility::ApiDown(_))
            ) && Some(review.as_str()) != self.selected_id()
            {
                continue;
            }
            let request = self.request_id();
            self.pending_info.insert(review.clone(), request);
            self.eligibility.insert(review.clone(), Eligibility::Checking);
            out.push(Command::CheckEligibility {
                request,
                app: app.clone(),
                review,
            });
        }
        out
    }

    pub(super) fn fetch_reviews(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.loading = Some(Loading {
            request,
            pages: 0,
            total: None,
        });
        self.activity = Some("fetching reviews".to_owned());
        self.last_error = None;
        vec![Command::FetchReviews {
            request,
            app: self.app_id().to_owned(),
        }]
    }

    pub(super) fn on_reviews(
        &mut self,
        request: u64,
        app: String,
        mut page: Vec<Review>,
        total: Option<u64>,
        done: bool,
    ) -> Vec<Command> {
        let Some(loading) = self.loading.as_mut().filter(|l| l.request == request) else {
            return Vec::new();
        };
        if app != self.apps[self.app_index].id {
            return Vec::new();
        }
        let first_page = loading.pages == 0;
        loading.pages += 1;
        loading.total = total;
        let pages_text = match total {
            Some(t) => format!(
                "fetching reviews: {} of {t}",
                self.reviews.len() * usize::from(!first_page) + page.len()
            ),
            None => format!("fetching reviews: page {}", loading.pages),
        };
        for r in &mut page {
            sanitize_review(r);
        }
        // Later pages only append, so the current selection is still valid to read here.
        let current = if first_page {
            None
        } else {
            self.selected_id().map(str::to_owned)
        };
        if first_page {
            // A refresh replaces what was there. The selected review is remembered by id until
            // a page brings it back (or the last page came), and the view is emptied first: its
            // indices point into the list being replaced.
            self.restore_selection = self.selected_id().map(str::to_owned).or(self.restore_selection.take());
            self.view.clear();
            self.reviews.clear();
            self.haystacks.clear();
        }
        self.haystacks.extend(page.iter().map(haystack));
        self.reviews.extend(page);
        if done {
            self.loading = None;
            self.activity = None;
            self.complete = true;
        } else {
            self.activity = Some(pages_text);
        }
        let keep = self.restore_selection.clone().or(current);
        let cmds = self.rebuild_view_keeping(keep.clone());
        if done || (keep.is_some() && self.selected_id() == keep.as_deref()) {
            self.restore_selection = None;
        }
        cmds
    }

    /// Filters or order changed: the same reviews, so the selection is kept by its id.
    pub(super) fn rebuild_view(&mut self) -> Vec<Command> {
        let keep = self.selected_id().map(str::to_owned);
        self.rebuild_view_keeping(keep)
    }

    /// `keep` is the id to select afterwards; `self.view` may be stale here, so it is not read.
    pub(super) fn rebuild_view_keeping(&mut self, keep: Option<String>) -> Vec<Command> {
        self.unanswered = self.reviews.iter().filter(|r| !r.is_answered()).count();
        self.view = build_view(&self.reviews, &self.filters, self.unanswered_first);
        if !self.search.query.is_empty() {
            self.search.matches = search(&self.view, &self.haystacks, &self.search.query.to_lowercase());
            self.search.current = 0;
        }
        let pos = keep
            .and_then(|id| {
                self.view
                    .iter()
                    .position(|&i| self.reviews[i].id.as_deref() == Some(&id))
            })
            .unwrap_or(0);
        self.selected = usize::MAX; // force the select() bookkeeping
        self.select(pos)
    }

    pub(super) fn switch_app(&mut self, index: usize) -> Vec<Command> {
        if index == self.app_index || index >= self.apps.len() {
            return Vec::new();
        }
        let old = self.apps[self.app_index].id.clone();
        self.other_apps.insert(
            old,
            AppCache {
                reviews: std::mem::take(&mut self.reviews),
                haystacks: std::mem::take(&mut self.haystacks),
                complete: self.complete,
            },
        );
        self.app_index = index;
        self.view.clear();
        self.restore_selection = None;
        self.pending_info.clear();
        self.loading = None;
        self.search = Search::default();
        self.selected = 0;
        self.list_offset = 0;
        let id = self.apps[index].id.clone();
        match self.other_apps.remove(&id) {
            Some(cache) if cache.complete => {
                self.reviews = cache.reviews;
                self.haystacks = cache.haystacks;
                self.complete = true;
                self.rebuild_view_keeping(None)
            }
            _ => {
                self.complete = false;
                self.view.clear();
                self.fetch_reviews()
            }
        }
    }
}

/// Review text is written by strangers: it is cleaned once, where it enters the UI model.
pub fn sanitize_review(r: &mut Review) {
    use crate::sanitize::{is_forbidden, sanitize_line, sanitize_text};
    let dirty = |s: &str| s.chars().any(|c| is_forbidden(c) || c == '\r' || c == '\t');
    for field in [&mut r.review_title, &mut r.review_text, &mut r.response_text] {
        if let Some(s) = field.as_mut()
            && dirty(s)
        {
            *s = sanitize_text(s);
        }
    }
    for field in [
        &mut r.reviewer_name,
        &mut r.market,
        &mut r.package_version,
        &mut r.device_model,
        &mut r.device_type,
        &mut r.os_version,
        &mut r.date,
        &mut r.application_name,
    ] {
        if let Some(s) = field.as_mut()
            && (dirty(s) || s.contains('\n'))
        {
            *s = sanitize_line(s);
        }
    }
}
