//! Near-duplicates against the reply history: Microsoft forbids one canned reply to many users
//! "unless it answers the same question". A reply is a near-duplicate of a sent one when their
//! normalised words mostly agree (a different name or version does not make it personal); it
//! is worth a warning when such replies already went to several reviews that say different
//! things from the one being answered.
//!
//! Checked against 10,000 sent replies for every reply in a bulk composer, so the index does not
//! compare a reply with every entry: each entry's words are put in one global order, rarest
//! first, and only the first few of them (its prefix) are indexed. Two word sets whose Jaccard
//! similarity reaches the threshold share at least one word of their prefixes (prefix
//! filtering), so looking up the reply's own prefix finds every entry that can be similar
//! enough, and only those are compared word by word.

use crate::hashed::HashedKeyMap;

use super::words::each_word;

/// Share of words two replies must have in common to count as the same reply.
const SAME_REPLY: f64 = 0.75;
/// Share of words two reviews must have in common to count as saying the same thing.
const SAME_REVIEW: f64 = 0.5;
/// From this many different reviews on, one reply is "canned".
pub const CANNED_AFTER: usize = 3;
/// Counting stops here: the warning needs [`CANNED_AFTER`], and a template sent a thousand
/// times would otherwise be compared a thousand times per reply (per frame, in the composer).
pub const COUNT_UP_TO: usize = 25;

/// Replies of the history a reply is compared against: the newest 10,000.
pub const HISTORY_LIMIT: usize = 10_000;

/// One reply sent before, and the review it answered (when the cache has it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    pub review: String,
    pub reply: String,
    pub review_text: Option<String>,
}

#[derive(Clone, Debug)]
struct Indexed {
    /// Distinct word hashes, sorted by value (for the word-by-word comparison).
    words: Vec<u64>,
    review: String,
    review_text: Option<String>,
    /// The review's words, made the first time this entry is compared with a review: most
    /// entries never are (their reply is not similar), and this halves building the index.
    review_words: std::sync::OnceLock<Vec<u64>>,
}

impl Indexed {
    fn review_words(&self) -> Option<&[u64]> {
        let text = self.review_text.as_deref()?;
        Some(self.review_words.get_or_init(|| word_set(text)))
    }
}

/// Word hashes are already well mixed: hashing them again would only cost time.
type WordMap<V> = HashedKeyMap<V>;

/// The reply history, prepared once for checking many replies against it.
#[derive(Clone, Debug, Default)]
pub struct HistoryIndex {
    entries: Vec<Indexed>,
    /// In how many entries each word occurs, when the index was built: the global order is
    /// rarest first.
    frequency: WordMap<u32>,
    /// A word → the entries that have it in their prefix.
    postings: WordMap<Vec<u32>>,
    /// Entries without a word (an emoji-only reply): similar only to each other.
    wordless: Vec<u32>,
}

/// What a reply shares with the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateReport {
    /// Near-identical replies already sent, to other reviews.
    pub same_reply: usize,
    /// How many of those reviews say something different from this one (or are not cached).
    pub different_reviews: usize,
    /// Counting stopped at [`COUNT_UP_TO`] different reviews: both counts are "at least".
    pub at_least: bool,
}

impl HistoryIndex {
    pub fn new(history: &[SentReply]) -> HistoryIndex {
        let sets: Vec<Vec<u64>> = history.iter().map(|h| word_set(&h.reply)).collect();
        let mut frequency = WordMap::default();
        for w in sets.iter().flatten() {
            *frequency.entry(*w).or_insert(0u32) += 1;
        }
        let mut index = HistoryIndex {
            entries: Vec::with_capacity(history.len()),
            frequency,
            ..HistoryIndex::default()
        };
        let mut order = Vec::new();
        for (h, words) in history.iter().zip(sets) {
            index.add(h, words, &mut order);
        }
        index
    }

    /// Adds one more sent reply (one the Store just took) without building the index again.
    /// The order stays the one of the build (a word new since then counts as rarest): every
    /// prefix, the entries' and the reply's, must come from the same order to meet.
    pub fn push(&mut self, sent: &SentReply) {
        self.add(sent, word_set(&sent.reply), &mut Vec::new());
    }

    /// `order` is room for [`HistoryIndex::prefix`], reused from one entry to the next.
    fn add(&mut self, sent: &SentReply, words: Vec<u64>, order: &mut Vec<(u32, u64)>) {
        let n = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        if words.is_empty() {
            self.wordless.push(n);
        }
        for &(_, w) in self.prefix(&words, SAME_REPLY, order) {
            self.postings.entry(w).or_default().push(n);
        }
        self.entries.push(Indexed {
            words,
            review: sent.review.to_ascii_lowercase(),
            review_text: sent.review_text.clone(),
            review_words: std::sync::OnceLock::new(),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first words of `words` in the global order (rarest first, then by hash) that any set
    /// similar to it by `threshold` must share at least one of, in no particular order (`order`
    /// is where they are put; it is reused).
    fn prefix<'o>(&self, words: &[u64], threshold: f64, order: &'o mut Vec<(u32, u64)>) -> &'o [(u32, u64)] {
        order.clear();
        order.extend(words.iter().map(|w| (self.frequency.get(w).copied().unwrap_or(0), *w)));
        let keep = prefix_len(words.len(), threshold);
        if keep > 0 && keep < order.len() {
            // Which words come first is all that matters, not their order among themselves.
            order.select_nth_unstable(keep - 1);
        }
        &order[..keep]
    }

    /// How often (about) this reply went to other reviews, and how many of them differ from
    /// `review_text`. `review` (the one being answered) is never counted against itself.
    pub fn check(&self, reply: &str, review: &str, review_text: Option<&str>) -> DuplicateReport {
        self.check_words(&word_set(reply), review, review_text)
    }

    /// [`HistoryIndex::check`] for a reply already made into its sorted, distinct word hashes.
    pub fn check_words(&self, words: &[u64], review: &str, review_text: Option<&str>) -> DuplicateReport {
        // The review's own words are needed only once a reply like this one is found.
        let mut this_review_words: Option<Option<Vec<u64>>> = None;
        let mut report = DuplicateReport {
            same_reply: 0,
            different_reviews: 0,
            at_least: false,
        };
        let mut candidates: Vec<u32> = if words.is_empty() {
            self.wordless.clone()
        } else {
            let mut order = Vec::with_capacity(words.len());
            self.prefix(words, SAME_REPLY, &mut order)
                .iter()
                .filter_map(|(_, w)| self.postings.get(w))
                .flatten()
                .copied()
                .collect()
        };
        // An entry found under several prefix words is compared once.
        candidates.sort_unstable();
        candidates.dedup();
        for n in candidates {
            let e = &self.entries[n as usize];
            if !could_reach(e.words.len(), words.len(), SAME_REPLY)
                || e.review.eq_ignore_ascii_case(review)
                || jaccard(&e.words, words) < SAME_REPLY
            {
                continue;
            }
            report.same_reply += 1;
            let this = this_review_words.get_or_insert_with(|| review_text.map(word_set));
            let same_question = match (e.review_words(), this) {
                (Some(a), Some(b)) => jaccard(a, b) >= SAME_REVIEW,
                _ => false,
            };
            if !same_question {
                report.different_reviews += 1;
                if report.different_reviews >= COUNT_UP_TO {
                    report.at_least = true;
                    break;
                }
            }
        }
        report
    }
}

/// Whether sets of these sizes can be similar by `threshold` at all: the Jaccard similarity is
/// at most the smaller over the larger.
fn could_reach(a: usize, b: usize, threshold: f64) -> bool {
    let (small, large) = if a < b { (a, b) } else { (b, a) };
    large == 0 || small as f64 >= threshold * large as f64 - 1e-9
}

/// How many words of a set of `len` in the global order make its prefix: any set with a
/// Jaccard similarity of at least `threshold` shares at least `threshold × len` words with it
/// (the union is at least this set), so it cannot miss all of the first
/// `len − ⌈threshold × len⌉ + 1`.
fn prefix_len(len: usize, threshold: f64) -> usize {
    let overlap = (len as f64 * threshold - 1e-9).ceil().max(0.0) as usize;
    (len + 1).saturating_sub(overlap).min(len)
}

/// The text's words, lowercased, as sorted distinct hashes.
pub fn word_set(text: &str) -> Vec<u64> {
    let mut v = Vec::with_capacity(text.len() / 5);
    each_word(text, |t| v.push(t.hash));
    sorted_set(v)
}

/// Hashes sorted, each once.
pub fn sorted_set(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v
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

#[cfg(test)]
mod tests;
