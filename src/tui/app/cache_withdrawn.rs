//! Taking back cached reviews that were shown before the database file was checked, when the
//! check then failed (the db thread reads the cache beside `Db::open`'s `quick_check`).

use super::parts::ReviewList;
use super::{App, Command};

impl App {
    /// Empties the list of `app` while its `LoadCache` `request` is still answering: what it
    /// showed came from a file that failed its check. The load's state stays (its last answer,
    /// from the fresh file, follows, and then the fetch); so does the search being typed.
    pub(super) fn on_cache_withdrawn(&mut self, request: u64, app: &str, why: String) -> Vec<Command> {
        if app != self.app_id() || self.list.cache_request != Some(request) {
            return Vec::new();
        }
        let shown = std::mem::take(&mut self.list);
        let mut search = shown.search;
        // Its kept hits index the old text.
        search.last = None;
        search.matches.clear();
        search.current = 0;
        self.list = ReviewList {
            cache_request: shown.cache_request,
            cache_view: shown.cache_view,
            loading: shown.loading,
            search,
            ..ReviewList::default()
        };
        self.status.notices.error(why);
        Vec::new()
    }
}
