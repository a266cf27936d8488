//! The marks: reviews picked, by source (app or site) and id, for one reply to many. `*` marks
//! every review shown, 100,000 of them within a frame, so the set of a source's ids is made for
//! that: no id is copied into an allocation of its own, and no id is hashed twice.
//!
//! Marks are ids, not places in the list: they survive a refresh, a merge that moves reviews
//! around, and switching to another source and back.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use crate::hashed::HashedKeyMap;

/// Marked reviews by source and id: each source's marks are counted and answered on their own,
/// and wait while another source is shown.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    by_source: HashMap<String, IdSet>,
}

impl Marks {
    pub fn count(&self, source: &str) -> usize {
        self.by_source.get(source).map_or(0, IdSet::len)
    }

    pub fn contains(&self, source: &str, id: &str) -> bool {
        self.by_source.get(source).is_some_and(|m| m.contains(id))
    }

    /// Whether it was not marked before.
    pub fn insert(&mut self, source: &str, id: &str) -> bool {
        self.set_of(source).insert(id)
    }

    /// Marks every one of `ids`; how many were not marked before. The set is looked up and
    /// grown once: `*` marks 100,000 reviews within a frame.
    pub fn insert_all<'a>(&mut self, source: &str, ids: impl Iterator<Item = &'a str>) -> usize {
        let set = self.set_of(source);
        let mut ids = ids.peekable();
        let more = ids.size_hint().1.unwrap_or(0);
        set.reserve(more);
        // Room for the ids' bytes too, guessed from the first (ids of a source look alike):
        // growing a text of megabytes step by step copies it each time.
        set.text.reserve(more * ids.peek().map_or(0, |id| id.len()));
        ids.map(|id| usize::from(set.insert(id))).sum()
    }

    /// Whether it was marked.
    pub fn remove(&mut self, source: &str, id: &str) -> bool {
        self.by_source.get_mut(source).is_some_and(|m| m.remove(id))
    }

    /// Clears the source's marks; how many there were.
    pub fn clear(&mut self, source: &str) -> usize {
        self.by_source.remove(source).map_or(0, |m| m.len())
    }

    fn set_of(&mut self, source: &str) -> &mut IdSet {
        if !self.by_source.contains_key(source) {
            self.by_source.insert(source.to_owned(), IdSet::default());
        }
        self.by_source.get_mut(source).expect("inserted above")
    }
}

/// A set of ids, exact. Each id is kept once, its bytes one after another in one string, and
/// found by a 64-bit hash whose hit is confirmed against those bytes. Two ids with the same
/// hash (a chance of about one in 10⁹ among 100,000) are both kept: the second whole, aside.
#[derive(Clone, Debug, Default)]
pub struct IdSet {
    /// An id's hash → where its bytes are in `text`.
    by_hash: HashedKeyMap<(u32, u32)>,
    text: String,
    /// Ids whose hash an id of `by_hash` has.
    collided: HashSet<String>,
    /// Bytes of `text` of ids removed since: packed away once they are most of it.
    removed_bytes: usize,
}

fn stored_in(text: &str, (start, len): (u32, u32)) -> &str {
    &text[start as usize..(start + len) as usize]
}

/// FxHash-style mixing, eight bytes at a time: a hit is always confirmed, so the hash only has
/// to spread the ids, not withstand anyone choosing them.
fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let bytes = id.as_bytes();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let mut h = mix(0, bytes.len() as u64);
    if bytes.len() >= 8 {
        let mut at = 0;
        while at + 8 < bytes.len() {
            h = mix(h, word(at));
            at += 8;
        }
        // The last eight bytes, overlapping the ones before: no copy for the ragged end (the
        // length, mixed in first, tells "ab" + overlap from a longer id).
        h = mix(h, word(bytes.len() - 8));
    } else {
        let mut last = [0u8; 8];
        last[..bytes.len()].copy_from_slice(bytes);
        h = mix(h, u64::from_le_bytes(last));
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

impl IdSet {
    pub fn len(&self) -> usize {
        self.by_hash.len() + self.collided.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn reserve(&mut self, more: usize) {
        self.by_hash.reserve(more);
    }

    fn stored(&self, at: (u32, u32)) -> &str {
        stored_in(&self.text, at)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.contains_hashed(id_hash(id), id)
    }

    fn contains_hashed(&self, h: u64, id: &str) -> bool {
        match self.by_hash.get(&h) {
            Some(&at) if self.stored(at) == id => true,
            _ => !self.collided.is_empty() && self.collided.contains(id),
        }
    }

    /// Whether it was not in the set before.
    pub fn insert(&mut self, id: &str) -> bool {
        self.insert_hashed(id_hash(id), id)
    }

    fn insert_hashed(&mut self, h: u64, id: &str) -> bool {
        if !self.collided.is_empty() && self.collided.contains(id) {
            return false;
        }
        let start = self.text.len();
        let fits = u32::try_from(start + id.len()).is_ok();
        match self.by_hash.entry(h) {
            Entry::Vacant(e) if fits => {
                self.text.push_str(id);
                e.insert((start as u32, id.len() as u32));
                true
            }
            Entry::Occupied(e) if stored_in(&self.text, *e.get()) == id => false,
            // Another id has this hash (or the text is full): kept whole.
            _ => self.collided.insert(id.to_owned()),
        }
    }

    /// Whether it was in the set.
    pub fn remove(&mut self, id: &str) -> bool {
        self.remove_hashed(id_hash(id), id)
    }

    fn remove_hashed(&mut self, h: u64, id: &str) -> bool {
        match self.by_hash.get(&h) {
            Some(&at) if self.stored(at) == id => {
                self.by_hash.remove(&h);
                self.removed_bytes += id.len();
                if self.removed_bytes > 4096 && self.removed_bytes > self.text.len() / 2 {
                    self.pack();
                }
                true
            }
            _ => self.collided.remove(id),
        }
    }

    /// Copies the ids still in the set into a new text, leaving out the removed ones.
    fn pack(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.removed_bytes);
        for at in self.by_hash.values_mut() {
            let start = text.len() as u32;
            text.push_str(stored_in(&self.text, *at));
            at.0 = start;
        }
        self.text = text;
        self.removed_bytes = 0;
    }
}

#[cfg(test)]
mod tests;
