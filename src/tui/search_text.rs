//! The lower-cased text the list's search runs over, for every review in one buffer.
//!
//! One allocation per review (the old `Vec<Box<str>>`) scattered a million haystacks over the
//! heap, and a search visited them in the view's order: at a million reviews a keystroke was a
//! cache miss per review (median 151 ms). Here every review's text sits in one buffer and a
//! search is one forward `memmem` scan over it, jumping to the next review after a hit, then one
//! pass over the view through a bitmap: sequential memory both times.
//!
//! Each review's text is a *segment*: its title, text and reviewer, lower-cased, each followed
//! by [`FIELD_END`] (so a query never matches across two fields or two reviews). A review whose
//! text changes gets a new segment at the end and its old one is marked dead; the buffer is
//! compacted when dead bytes outgrow live ones.

use crate::store::Review;

/// Ends each field of a segment; a query holding it matches nothing.
const FIELD_END: char = '\u{1}';
/// The owner of a segment no review uses any more.
const DEAD: u32 = u32::MAX;
/// Dead bytes tolerated before a compaction, at least.
const COMPACT_AFTER: usize = 1 << 20;
/// Text (bytes) from which a search is split over the cores: about 25,000 reviews, a scan of
/// well over a millisecond.
const SPLIT_ABOVE: usize = 4 << 20;
/// Threads a search uses at most.
const MAX_PARTS: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct SearchText {
    text: String,
    /// Where each segment starts in `text`, ascending; it ends where the next one starts.
    seg_start: Vec<usize>,
    /// The review (index) each segment is of, or [`DEAD`].
    seg_owner: Vec<u32>,
    /// Each review's segment.
    seg_of: Vec<u32>,
    dead_bytes: usize,
    /// Changes with every change of the text, so that a [`Narrowing`] of other text is not used.
    version: u64,
}

/// What a search found, kept so that the next, longer query need only look at those reviews.
#[derive(Clone, Debug)]
pub struct Narrowing {
    query: String,
    found: Found,
    version: u64,
}

/// The reviews a query was found in, and the first place in the text it was found in each.
#[derive(Clone, Debug)]
struct Found {
    hits: Bitmap,
    /// Byte offsets in the text, ascending, one per review found.
    at: Vec<usize>,
}

impl Found {
    fn new(reviews: usize) -> Self {
        Found {
            hits: Bitmap::new(reviews),
            at: Vec::new(),
        }
    }

    /// The segment owned by `owner` holds the query at `place` (a dead segment counts for none).
    fn add(&mut self, owner: u32, place: usize) {
        if owner != DEAD {
            self.hits.set(owner as usize);
            self.at.push(place);
        }
    }

    /// Takes in what was found further on in the text.
    fn join(&mut self, more: Found) {
        self.hits.merge(&more.hits);
        self.at.extend(more.at);
    }
}

impl SearchText {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `reviews` more reviews (their text grows the buffer as it comes).
    pub fn reserve(&mut self, reviews: usize) {
        self.seg_start.reserve(reviews);
        self.seg_owner.reserve(reviews);
        self.seg_of.reserve(reviews);
    }

    /// How many reviews have a text here.
    pub fn len(&self) -> usize {
        self.seg_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seg_of.is_empty()
    }

    /// The search text of each of `reviews`, in order.
    pub fn of<'a>(reviews: impl IntoIterator<Item = &'a Review>) -> Self {
        let mut s = Self::new();
        for r in reviews {
            s.push(r);
        }
        s
    }

    /// Adds the text of the next review (index `len()`).
    pub fn push(&mut self, r: &Review) {
        self.version += 1;
        let seg = self.new_segment(self.seg_of.len());
        self.seg_of.push(seg);
        self.write_fields(r);
    }

    /// Adds the next review's text as [`get`](Self::get) answered it elsewhere.
    pub fn push_words(&mut self, words: &str) {
        self.version += 1;
        let seg = self.new_segment(self.seg_of.len());
        self.seg_of.push(seg);
        self.text.push_str(words);
    }

    /// Review `i`'s search text (fields ended by `\u{1}`).
    pub fn get(&self, i: usize) -> &str {
        let seg = self.seg_of[i] as usize;
        &self.text[self.seg_range(seg)]
    }

    /// Exchanges the texts of reviews `a` and `b` (the list was reordered).
    pub fn swap(&mut self, a: usize, b: usize) {
        self.version += 1;
        self.seg_of.swap(a, b);
        self.seg_owner[self.seg_of[a] as usize] = a as u32;
        self.seg_owner[self.seg_of[b] as usize] = b as u32;
    }

    /// Appends `other`'s reviews after these (their indices move up by `len()`).
    pub fn append(&mut self, other: SearchText) {
        self.version += 1;
        let (base_text, base_review, base_seg) =
            (self.text.len(), self.seg_of.len() as u32, self.seg_start.len() as u32);
        self.text.push_str(&other.text);
        self.seg_start.extend(other.seg_start.iter().map(|s| s + base_text));
        self.seg_owner.extend(
            other
                .seg_owner
                .iter()
                .map(|&o| if o == DEAD { DEAD } else { o + base_review }),
        );
        self.seg_of.extend(other.seg_of.iter().map(|s| s + base_seg));
        self.dead_bytes += other.dead_bytes;
    }

    /// Review `j` of `other` becomes review `i`'s text here.
    pub fn set_from(&mut self, i: usize, other: &SearchText, j: usize) {
        self.version += 1;
        let words = other.get(j);
        let old = self.seg_of[i] as usize;
        let old_range = self.seg_range(old);
        if self.text[old_range.clone()] == *words {
            return;
        }
        let seg = self.new_segment(i);
        self.text.push_str(words);
        self.seg_owner[old] = DEAD;
        self.seg_of[i] = seg;
        self.dead_bytes += old_range.len();
        if self.dead_bytes > COMPACT_AFTER && self.dead_bytes > self.text.len() / 2 {
            self.compact();
        }
    }

    /// The reviews whose text contains `query` (lower-case already), as a bitmap by index. A
    /// large text is scanned in parts, one per core: at a million reviews one scan is ~20 ms of
    /// one core, over the 30 ms a keystroke may take under load.
    pub fn matching(&self, query: &str) -> Bitmap {
        self.matching_in_parts(query, self.parts_for(self.text.len())).hits
    }

    /// [`matching`](Self::matching) over `parts` runs of segments, each on a thread of its own
    /// (the first on this one), with where each hit was first found.
    fn matching_in_parts(&self, query: &str, parts: usize) -> Found {
        if query.is_empty() || query.contains(FIELD_END) {
            return Found::new(self.len());
        }
        let finder = memchr::memmem::Finder::new(query.as_bytes());
        let runs = self.segment_runs(parts);
        self.in_parts(&runs, |segs, found| self.scan_segments(&finder, segs, found))
    }

    /// The reviews among those found for a shorter query (`before`, the same text) whose text
    /// contains `query`, which starts with that one. Each was found first at an offset: `query`
    /// is either there too (then that is its first place as well: an earlier one would have been
    /// an earlier place of the shorter query) or further on in the same review, or not in it.
    /// When each prefix matches most reviews (typing "crashes when"), a key is one comparison a
    /// review instead of a search in each.
    fn matching_after(&self, query: &str, before: &Found, parts: usize) -> Found {
        if query.contains(FIELD_END) {
            return Found::new(self.len());
        }
        let finder = memchr::memmem::Finder::new(query.as_bytes());
        let runs = even_runs(before.at.len(), parts);
        self.in_parts(&runs, |run, found| self.look_again(&finder, &before.at[run], found))
    }

    /// Runs `look` over each of `runs` into a [`Found`] of its own, the first on this thread and
    /// the others on threads of their own, and joins what they found, in order.
    fn in_parts(
        &self,
        runs: &[std::ops::Range<usize>],
        look: impl Fn(std::ops::Range<usize>, &mut Found) + Sync,
    ) -> Found {
        let mut found = Found::new(self.len());
        let Some((mine, others)) = runs.split_first() else {
            return found;
        };
        std::thread::scope(|s| {
            let helpers: Vec<_> = others
                .iter()
                .map(|run| {
                    let look = &look;
                    s.spawn(move || {
                        let mut more = Found::new(self.len());
                        look(run.clone(), &mut more);
                        more
                    })
                })
                .collect();
            look(mine.clone(), &mut found);
            for helper in helpers {
                match helper.join() {
                    Ok(more) => found.join(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        found
    }

    /// How many threads a pass over `bytes` of text is worth: one below [`SPLIT_ABOVE`] (a
    /// thread costs tens of microseconds to start), else one per core, at most [`MAX_PARTS`].
    fn parts_for(&self, bytes: usize) -> usize {
        if bytes < SPLIT_ABOVE {
            return 1;
        }
        static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *CORES.get_or_init(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, MAX_PARTS)
        })
    }

    /// The segments cut into at most `parts` consecutive runs of about equal bytes.
    fn segment_runs(&self, parts: usize) -> Vec<std::ops::Range<usize>> {
        let segs = self.seg_start.len();
        let parts = parts.clamp(1, segs.max(1));
        let mut runs = Vec::with_capacity(parts);
        let mut from = 0;
        for k in 1..=parts {
            let to = if k == parts {
                segs
            } else {
                // The first segment starting at or after the k-th share of the bytes.
                let mark = self.text.len() / parts * k;
                self.seg_start.partition_point(|&s| s < mark).clamp(from, segs)
            };
            if to > from {
                runs.push(from..to);
            }
            from = to;
        }
        runs
    }

    /// The segment holding byte `at`, at or after segment `seg` (which starts at or before it):
    /// the places looked up come in order, so this gallops forward from the last.
    fn segment_from(&self, seg: usize, at: usize) -> usize {
        let rest = &self.seg_start[seg + 1..];
        let mut step = 1;
        while step <= rest.len() && rest[step - 1] <= at {
            step *= 2;
        }
        let (lo, hi) = (step / 2, step.min(rest.len()));
        seg + lo + rest[lo..hi].partition_point(|&s| s <= at)
    }

    /// Where segment `seg` ends.
    fn segment_end(&self, seg: usize) -> usize {
        self.seg_start.get(seg + 1).copied().unwrap_or(self.text.len())
    }

    /// Records in `found` each live segment in `segs` whose text holds `finder`'s needle, and
    /// where: one forward scan over their bytes, going on from the next segment after each hit.
    fn scan_segments(&self, finder: &memchr::memmem::Finder<'_>, segs: std::ops::Range<usize>, found: &mut Found) {
        if segs.is_empty() {
            return;
        }
        let bytes = self.text.as_bytes();
        let end = self.segment_end(segs.end - 1);
        let mut from = self.seg_start[segs.start];
        let mut seg = segs.start;
        while let Some(hit) = finder.find(&bytes[from..end]) {
            let at = from + hit;
            seg = self.segment_from(seg, at);
            found.add(self.seg_owner[seg], at);
            // One hit is enough for a review: go on from the next segment.
            seg += 1;
            if seg >= segs.end {
                break;
            }
            from = self.seg_start[seg];
        }
    }

    /// [`matching_after`](Self::matching_after) for the places `at` (ascending, each in a
    /// segment of its own) where the shorter query was first found.
    fn look_again(&self, finder: &memchr::memmem::Finder<'_>, at: &[usize], found: &mut Found) {
        let Some(&first) = at.first() else { return };
        let bytes = self.text.as_bytes();
        let needle = finder.needle();
        let mut seg = self.seg_start.partition_point(|&s| s <= first).saturating_sub(1);
        for &at in at {
            seg = self.segment_from(seg, at);
            let end = self.segment_end(seg);
            let here = bytes[at..end].starts_with(needle);
            let place = if here {
                Some(at)
            } else {
                finder.find(&bytes[at + 1..end]).map(|k| at + 1 + k)
            };
            if let Some(place) = place {
                found.add(self.seg_owner[seg], place);
            }
        }
    }

    /// Positions in `view` whose review contains `query` (already lower-case).
    pub fn search(&self, view: &[usize], query: &str) -> Vec<usize> {
        self.search_narrowing(view, query, &mut None)
    }

    /// [`search`](Self::search), keeping its hits in `last`: when the query only grew since
    /// (one more letter typed) and the text is the same, only the reviews that matched before
    /// are looked at, each from where the shorter query was found in it.
    pub fn search_narrowing(&self, view: &[usize], query: &str, last: &mut Option<Narrowing>) -> Vec<usize> {
        if query.is_empty() {
            *last = None;
            return Vec::new();
        }
        let found = match last.take() {
            Some(before) if before.version == self.version && query.starts_with(&before.query) => {
                let bytes = before
                    .found
                    .at
                    .len()
                    .saturating_mul(self.text.len() / self.len().max(1));
                self.matching_after(query, &before.found, self.parts_for(bytes))
            }
            _ => self.matching_in_parts(query, self.parts_for(self.text.len())),
        };
        let positions = self.positions_in(view, &found.hits, self.parts_for(view.len() * 16));
        *last = Some(Narrowing {
            query: query.to_owned(),
            found,
            version: self.version,
        });
        positions
    }

    /// The positions in `view` of the reviews set in `hits`, in order, the view cut into
    /// `parts` runs each looked through on a thread of its own.
    fn positions_in(&self, view: &[usize], hits: &Bitmap, parts: usize) -> Vec<usize> {
        let pick = |run: std::ops::Range<usize>| -> Vec<usize> {
            let from = run.start;
            view[run]
                .iter()
                .enumerate()
                .filter(|(_, i)| hits.get(**i))
                .map(|(pos, _)| from + pos)
                .collect()
        };
        let runs = even_runs(view.len(), parts);
        if runs.len() <= 1 {
            return pick(0..view.len());
        }
        std::thread::scope(|s| {
            let helpers: Vec<_> = runs[1..].iter().map(|run| s.spawn(|| pick(run.clone()))).collect();
            let mut positions = pick(runs[0].clone());
            for helper in helpers {
                match helper.join() {
                    Ok(more) => positions.extend(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            positions
        })
    }

    fn new_segment(&mut self, owner: usize) -> u32 {
        let seg = self.seg_start.len() as u32;
        self.seg_start.push(self.text.len());
        self.seg_owner.push(owner as u32);
        seg
    }

    fn seg_range(&self, seg: usize) -> std::ops::Range<usize> {
        let end = self.seg_start.get(seg + 1).copied().unwrap_or(self.text.len());
        self.seg_start[seg]..end
    }

    fn write_fields(&mut self, r: &Review) {
        for part in [
            r.review_title.as_deref(),
            r.review_text.as_deref(),
            r.reviewer_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if part.is_ascii() {
                let from = self.text.len();
                self.text.push_str(part);
                // ASCII lower-casing keeps the length, so in place is safe.
                self.text[from..].make_ascii_lowercase();
            } else {
                self.text.extend(part.chars().flat_map(char::to_lowercase));
            }
            self.text.push(FIELD_END);
        }
    }

    /// Rewrites the buffer with the live segments only, in review order.
    fn compact(&mut self) {
        let mut fresh = SearchText::new();
        fresh.reserve(self.len());
        fresh.text.reserve(self.text.len() - self.dead_bytes);
        for i in 0..self.len() {
            let seg = fresh.new_segment(i);
            fresh.seg_of.push(seg);
            fresh.text.push_str(self.get(i));
        }
        fresh.version = self.version + 1;
        *self = fresh;
    }
}

/// `0..len` cut into at most `parts` consecutive runs of about equal length, none empty.
fn even_runs(len: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.clamp(1, len.max(1));
    (0..parts)
        .map(|k| len * k / parts..len * (k + 1) / parts)
        .filter(|r| !r.is_empty())
        .collect()
}

/// One bit per review.
#[derive(Clone, Debug)]
pub struct Bitmap(Vec<u64>);

impl Bitmap {
    fn new(len: usize) -> Self {
        Bitmap(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Sets every bit set in `other` (of the same length).
    fn merge(&mut self, other: &Bitmap) {
        for (w, o) in self.0.iter_mut().zip(&other.0) {
            *w |= o;
        }
    }
}

#[cfg(test)]
#[path = "search_text_tests.rs"]
mod tests;
