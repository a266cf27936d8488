//! Near-duplicates against the reply history: Microsoft forbids one canned reply to many users
//! "unless it answers the same question". A reply is a near-duplicate of a sent one when their
//! normalised words mostly agree (a different name or version does not make it personal); it
//! is worth a warning when such replies already went to several reviews that say different
//! things from the one being answered.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::words::tokens;

/// Bits that may differ between two replies' fingerprints for them to be compared word by word.
const MAX_FINGERPRINT_DISTANCE: u32 = 16;
/// Share of words two replies must have in common to count as the same reply.
const SAME_REPLY: f64 = 0.75;
/// Share of words two reviews must have in common to count as saying the same thing.
const SAME_REVIEW: f64 = 0.5;
/// From this many different reviews on, one reply is "canned".
pub const CANNED_AFTER: usize = 3;

/// One reply sent before, and the review it answered (when the cache has it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    pub review: String,
    pub reply: String,
    pub review_text: Option<String>,
}

struct Indexed {
    fingerprint: u64,
    words: Vec<u64>,
    review: String,
    review_words: Option<Vec<u64>>,
}

/// The reply history, prepared once for checking many replies against it.
pub struct HistoryIndex {
    entries: Vec<Indexed>,
}

/// What a reply shares with the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateReport {
    /// Near-identical replies already sent, to other reviews.
    pub same_reply: usize,
    /// How many of those reviews say something different from this one (or are not cached).
    pub different_reviews: usize,
}

impl HistoryIndex {
    pub fn new(history: &[SentReply]) -> HistoryIndex {
        let entries = history
            .iter()
            .map(|h| {
                let words = word_hashes(&h.reply);
                Indexed {
                    fingerprint: simhash(&words),
                    words,
                    review: h.review.to_ascii_lowercase(),
                    review_words: h.review_text.as_deref().map(word_hashes),
                }
            })
            .collect();
        HistoryIndex { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How often (about) this reply went to other reviews, and how many of them differ from
    /// `review_text`. `review` (the one being answered) is never counted against itself.
    pub fn check(&self, reply: &str, review: &str, review_text: Option<&str>) -> DuplicateReport {
        let words = word_hashes(reply);
        let fingerprint = simhash(&words);
        let this_review = review.to_ascii_lowercase();
        let this_review_words = review_text.map(word_hashes);
        let mut report = DuplicateReport {
            same_reply: 0,
            different_reviews: 0,
        };
        for e in &self.entries {
            if (e.fingerprint ^ fingerprint).count_ones() > MAX_FINGERPRINT_DISTANCE
                || e.review == this_review
                || jaccard(&e.words, &words) < SAME_REPLY
            {
                continue;
            }
            report.same_reply += 1;
            let same_question = match (&e.review_words, &this_review_words) {
                (Some(a), Some(b)) => jaccard(a, b) >= SAME_REVIEW,
                _ => false,
            };
            if !same_question {
                report.different_reviews += 1;
            }
        }
        report
    }
}

/// The reply's words, lowercased, as sorted distinct hashes.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut v: Vec<u64> = tokens(text)
        .into_iter()
        .map(|t| {
            let mut h = DefaultHasher::new();
            t.word.hash(&mut h);
            h.finish()
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A 64-bit fingerprint in which similar word sets differ in few bits (Charikar's simhash).
fn simhash(words: &[u64]) -> u64 {
    let mut counts = [0i32; 64];
    for w in words {
        for (bit, c) in counts.iter_mut().enumerate() {
            *c += if w >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    counts
        .iter()
        .enumerate()
        .fold(0u64, |acc, (bit, c)| if *c > 0 { acc | 1 << bit } else { acc })
}

/// |a ∩ b| / |a ∪ b| of two sorted distinct lists.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}
