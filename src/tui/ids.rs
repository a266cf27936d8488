//! Reviews by id: where each review of the list is, so that a fetched page is merged by looking
//! up its own ids instead of indexing the whole list again. Kept as a 64-bit hash of the id (no
//! copy of the id, 16 bytes a review); the review itself is compared to confirm a hit, and the
//! rare ids whose hashes collide are kept whole on the side.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::hashed::HashedKeyMap;

use crate::store::Review;

type ByHash = HashedKeyMap<usize>;

#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    by_hash: ByHash,
    collided: HashMap<String, usize>,
}

fn hash(id: &str) -> u64 {
    // Fixed keys: the same id hashes the same on the db thread and the UI thread.
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl IdIndex {
    /// The index of every review of `reviews` that has an id.
    pub fn build(reviews: &[Review]) -> IdIndex {
        let mut ids = IdIndex::default();
        ids.by_hash.reserve(reviews.len());
        for (i, r) in reviews.iter().enumerate() {
            if let Some(id) = &r.id {
                ids.insert(id, i, reviews);
            }
        }
        ids
    }

    /// Where the review `id` is in `reviews` (the list this index was kept for).
    pub fn get(&self, id: &str, reviews: &[Review]) -> Option<usize> {
        self.get_hashed(hash(id), id, reviews)
    }

    fn get_hashed(&self, h: u64, id: &str, reviews: &[Review]) -> Option<usize> {
        match self.by_hash.get(&h) {
            Some(&i) if reviews.get(i).and_then(|r| r.id.as_deref()) == Some(id) => Some(i),
            _ => self.collided.get(id).copied(),
        }
    }

    /// Notes that `id` is at `i`; `reviews` is the list (the entries already indexed are read to
    /// tell a collision from the same id).
    pub fn insert(&mut self, id: &str, i: usize, reviews: &[Review]) {
        self.insert_hashed(hash(id), id, i, reviews);
    }

    fn insert_hashed(&mut self, h: u64, id: &str, i: usize, reviews: &[Review]) {
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let there = reviews.get(*e.get()).and_then(|r| r.id.as_deref());
                if there == Some(id) || there.is_none() {
                    e.insert(i);
                } else {
                    self.collided.insert(id.to_owned(), i);
                }
            }
        }
    }

    /// Room for `more` ids: growing a table of a million entries rehashes all of them at once,
    /// tens of milliseconds on the UI thread in the middle of a fetch.
    pub fn reserve(&mut self, more: usize) {
        self.by_hash.reserve(more);
    }

    pub fn len(&self) -> usize {
        self.by_hash.len() + self.collided.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_id(id: &str) -> Review {
        Review {
            id: Some(id.to_owned()),
            ..Review::default()
        }
    }

    #[test]
    fn finds_every_review_and_nothing_else() {
        let reviews: Vec<Review> = (0..5000).map(|i| with_id(&format!("id-{i}"))).collect();
        let ids = IdIndex::build(&reviews);
        assert_eq!(ids.len(), 5000);
        for (i, r) in reviews.iter().enumerate() {
            assert_eq!(ids.get(r.id.as_deref().unwrap(), &reviews), Some(i));
        }
        assert_eq!(ids.get("id-5000", &reviews), None);
        assert_eq!(ids.get("", &reviews), None);
    }

    /// Two ids with the same hash are both found, and moving either keeps the other.
    #[test]
    fn a_collision_keeps_both() {
        let reviews = vec![with_id("a"), with_id("b"), with_id("a"), with_id("b")];
        let mut ids = IdIndex::default();
        ids.insert_hashed(7, "a", 0, &reviews);
        ids.insert_hashed(7, "b", 1, &reviews);
        assert_eq!(ids.get_hashed(7, "a", &reviews), Some(0));
        assert_eq!(ids.get_hashed(7, "b", &reviews), Some(1));
        assert_eq!(ids.get_hashed(7, "c", &reviews), None);
        ids.insert_hashed(7, "a", 2, &reviews);
        ids.insert_hashed(7, "b", 3, &reviews);
        assert_eq!(ids.get_hashed(7, "a", &reviews), Some(2));
        assert_eq!(ids.get_hashed(7, "b", &reviews), Some(3));
        assert_eq!(ids.len(), 2);
    }
}
