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
        for part in [&r.review_title, &r.review_text, &r.reviewer_name]
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
mod tests {
    use super::*;

    fn review(title: &str, text: &str, who: &str) -> Review {
        Review {
            review_title: (!title.is_empty()).then(|| title.to_owned()),
            review_text: (!text.is_empty()).then(|| text.to_owned()),
            reviewer_name: (!who.is_empty()).then(|| who.to_owned()),
            ..Review::default()
        }
    }

    /// What a search must answer: a plain scan of each review's fields, one by one.
    fn expected(reviews: &[Review], query: &str) -> Vec<usize> {
        (0..reviews.len())
            .filter(|&i| {
                let r = &reviews[i];
                [&r.review_title, &r.review_text, &r.reviewer_name]
                    .into_iter()
                    .flatten()
                    .any(|f| f.to_lowercase().contains(query))
            })
            .collect()
    }

    /// Review `i` revised to `r`, as a merged page does it.
    fn revise(text: &mut SearchText, i: usize, r: &Review) {
        text.set_from(i, &SearchText::of([r]), 0);
    }

    fn all(text: &SearchText) -> Vec<usize> {
        (0..text.len()).collect()
    }

    #[test]
    fn finds_in_any_field_case_insensitively_and_never_across_fields() {
        let rs = vec![
            review("Crash", "on START", "Ana"),
            review("", "", ""),
            review("Works", "fine", "Ünal Çelik"),
            review("cra", "sh", "x"),
        ];
        let text = SearchText::of(&rs);
        assert_eq!(text.search(&all(&text), "crash"), vec![0]);
        assert_eq!(text.search(&all(&text), "start"), vec![0]);
        assert_eq!(text.search(&all(&text), "ünal ç"), vec![2]);
        assert_eq!(text.search(&all(&text), "a"), vec![0, 2, 3], "one position per review");
        assert_eq!(text.search(&all(&text), "\u{1}"), Vec::<usize>::new());
        assert_eq!(text.search(&all(&text), ""), Vec::<usize>::new());
    }

    #[test]
    fn answers_positions_in_the_view_in_its_order() {
        let rs = vec![review("a", "", ""), review("b", "", ""), review("ab", "", "")];
        let text = SearchText::of(&rs);
        assert_eq!(text.search(&[2, 0, 1], "a"), vec![0, 1]);
        assert_eq!(text.search(&[1, 2], "b"), vec![0, 1]);
    }

    #[test]
    fn set_swap_and_append_keep_every_review_findable() {
        let mut rs: Vec<Review> = (0..300).map(|i| review(&format!("t{i}x"), "body", "")).collect();
        let mut text = SearchText::of(&rs);
        // Revise every third review, some twice, and swap some pairs.
        for round in 0..2 {
            for i in (0..rs.len()).step_by(3) {
                rs[i] = review(&format!("new{round}-{i}y"), "body", "");
                revise(&mut text, i, &rs[i]);
            }
        }
        for (a, b) in [(0, 299), (5, 6), (17, 100)] {
            rs.swap(a, b);
            text.swap(a, b);
        }
        let mut more = SearchText::of(&rs[..10]);
        let extra = review("tail", "", "");
        more.push(&extra);
        let mut all_reviews = rs.clone();
        all_reviews.extend(rs[..10].iter().cloned());
        all_reviews.push(extra);
        text.append(more);
        assert_eq!(text.len(), all_reviews.len());
        for q in ["t1", "new1-3y", "new0", "body", "tail", "x", "y", "9x"] {
            assert_eq!(text.search(&all(&text), q), expected(&all_reviews, q), "query {q:?}");
        }
        for (i, r) in all_reviews.iter().enumerate() {
            assert_eq!(text.get(i), SearchText::of([r]).get(0), "review {i}");
        }
    }

    #[test]
    fn unchanged_text_takes_no_room_and_dead_text_is_compacted() {
        let rs: Vec<Review> = (0..2000).map(|i| review(&format!("{i:0>600}"), "", "")).collect();
        let mut text = SearchText::of(&rs);
        let size = text.text.len();
        for (i, r) in rs.iter().enumerate() {
            revise(&mut text, i, r);
        }
        assert_eq!(text.text.len(), size, "the same words again are not stored again");
        for round in 0..4 {
            for i in 0..rs.len() {
                revise(&mut text, i, &review(&format!("r{round}-{i:0>600}"), "", ""));
            }
        }
        assert!(
            text.text.len() < 3 * size,
            "compacted: {} bytes for {size} live",
            text.text.len()
        );
        assert_eq!(text.search(&all(&text), "r3-"), all(&text));
        assert_eq!(text.search(&all(&text), "r2-"), Vec::<usize>::new());
        let mut page = SearchText::new();
        page.push(&review("fresh words", "", ""));
        text.set_from(7, &page, 0);
        assert_eq!(text.search(&all(&text), "fresh"), vec![7]);
    }

    #[test]
    fn typing_letter_by_letter_finds_what_a_whole_search_finds() {
        let mut rs: Vec<Review> = (0..400)
            .map(|i| {
                let text = match i % 50 {
                    0 => "crashes when opened",
                    25 => "crash",
                    _ => "fine",
                };
                review(&format!("t{i}"), text, "")
            })
            .collect();
        let mut text = SearchText::of(&rs);
        let view = all(&text);
        let mut last = None;
        for end in 1..="crashes when".len() {
            let q = &"crashes when"[..end];
            assert_eq!(text.search_narrowing(&view, q, &mut last), expected(&rs, q), "{q:?}");
        }
        // The text changed under the kept hits: they must not be used.
        rs[3] = review("t3", "crashes when saving", "");
        revise(&mut text, 3, &rs[3]);
        assert_eq!(
            text.search_narrowing(&view, "crashes when s", &mut last),
            expected(&rs, "crashes when s")
        );
        // A query that is not longer than the last starts over.
        assert_eq!(text.search_narrowing(&view, "fine", &mut last), expected(&rs, "fine"));
        assert_eq!(text.search_narrowing(&view, "", &mut last), Vec::<usize>::new());
        assert!(last.is_none());
    }

    #[test]
    fn matches_a_plain_scan_on_generated_lists() {
        // A small deterministic generator: words from a tiny alphabet so queries hit often.
        let mut seed = 0x9e37_79b9_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let words = ["ab", "ba", "aab", "Éa", "b", "", "abab", "ÀB"];
        for _ in 0..50 {
            let n = (next() % 40) as usize;
            let rs: Vec<Review> = (0..n)
                .map(|_| {
                    let w = |k: u64| words[(k % words.len() as u64) as usize];
                    review(w(next()), &format!("{} {}", w(next()), w(next())), w(next()))
                })
                .collect();
            let text = SearchText::of(&rs);
            for q in ["a", "ab", "ba", "b a", "éa", "àb", "abab", "aab ", "zz"] {
                assert_eq!(text.search(&all(&text), q), expected(&rs, q), "query {q:?} over {rs:?}");
                // Typed letter by letter, each key going on from the last one's places.
                let mut last = None;
                for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    let typed = text.search_narrowing(&all(&text), &q[..end], &mut last);
                    assert_eq!(typed, expected(&rs, &q[..end]), "typing {q:?} over {rs:?}");
                }
            }
        }
    }

    /// Split over threads, a search finds exactly what one scan finds, wherever the cuts fall
    /// (inside a run of hits, at dead segments, more parts than reviews).
    #[test]
    fn a_search_split_in_parts_finds_what_one_scan_finds() {
        let mut rs: Vec<Review> = (0..257)
            .map(|i| {
                let text = ["crashes when", "crash", "fine", "", "when crashes"][i % 5];
                review(&format!("t{i}"), text, if i % 7 == 0 { "Ana" } else { "" })
            })
            .collect();
        let mut text = SearchText::of(&rs);
        // Dead segments in the middle and at the end of the buffer.
        for i in [0, 100, 101, 256] {
            rs[i] = review(&format!("r{i}"), "crashes now", "");
            revise(&mut text, i, &rs[i]);
        }
        let view: Vec<usize> = (0..rs.len()).rev().collect();
        for q in ["crash", "crashes w", "when", "t1", "ana", "r10", "zz", "s"] {
            let want: Vec<usize> = expected(&rs, q);
            let every = text.matching_in_parts(q, 1);
            for parts in 2..=9 {
                let got = text.matching_in_parts(q, parts);
                assert_eq!(
                    (&got.hits.0, &got.at),
                    (&every.hits.0, &every.at),
                    "query {q:?} in {parts} parts"
                );
                let positions = text.positions_in(&view, &got.hits, parts);
                let want_positions: Vec<usize> = (0..view.len()).filter(|&p| want.contains(&view[p])).collect();
                assert_eq!(positions, want_positions, "query {q:?}, view in {parts} parts");
            }
            // Typed on from each shorter query: found where one search finds it.
            for end in 1..q.len() {
                let before = text.matching_in_parts(&q[..end], 1);
                for parts in 1..=5 {
                    let after = text.matching_after(q, &before, parts);
                    assert_eq!(
                        (&after.hits.0, &after.at),
                        (&every.hits.0, &every.at),
                        "query {q:?} after {:?}, {parts} parts",
                        &q[..end]
                    );
                }
            }
            assert_eq!(
                (0..rs.len()).filter(|&i| every.hits.get(i)).collect::<Vec<_>>(),
                want,
                "query {q:?}"
            );
        }
        assert_eq!(SearchText::new().matching_in_parts("a", 4).hits.count(), 0);
    }
}
