//! Answer orders kept between pages: a client pages through one query with growing `skip`, and
//! filtering and sorting every review for every page made a 1,000,000-review fetch take ~97 s.
//! The first page of a query filters and sorts once; the pages after it are slices of that
//! order, until a review of the app changes (its generation moves on).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::data::AppData;
use super::lock;
use super::store::{ReviewQuery, matching_in_order};

/// Queries remembered at once; a few clients paging concurrently each keep theirs.
const KEPT: usize = 8;

#[derive(Clone, PartialEq, Eq)]
struct OrderKey {
    app: String,
    start: NaiveDate,
    end: NaiveDate,
    filter: Option<String>,
    orderby: Option<String>,
}

struct Entry {
    key: OrderKey,
    generation: u64,
    rows: Arc<[u32]>,
}

#[derive(Default)]
pub struct PageOrders {
    /// Most recently used first.
    entries: Mutex<VecDeque<Entry>>,
}

impl PageOrders {
    /// The indices into `app.reviews` that `q` matches, in answer order (`skip`/`top` aside).
    pub fn order(&self, app_key: &str, app: &AppData, q: &ReviewQuery) -> Arc<[u32]> {
        let key = OrderKey {
            app: app_key.to_owned(),
            start: q.start,
            end: q.end,
            filter: q.filter.as_ref().map(|(raw, _)| raw.clone()),
            orderby: q.orderby.as_ref().map(|(raw, _)| raw.clone()),
        };
        {
            let mut entries = lock(&self.entries);
            if let Some(i) = entries
                .iter()
                .position(|e| e.key == key && e.generation == app.generation())
            {
                let hit = entries.remove(i).expect("the position was just found");
                let rows = hit.rows.clone();
                entries.push_front(hit);
                return rows;
            }
        }
        // Computed without the lock: another query's pages need not wait for this sort.
        let rows: Arc<[u32]> = matching_in_order(&app.reviews, q).into();
        let mut entries = lock(&self.entries);
        entries.retain(|e| e.key != key);
        entries.truncate(KEPT - 1);
        entries.push_front(Entry {
            key,
            generation: app.generation(),
            rows: rows.clone(),
        });
        rows
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}
