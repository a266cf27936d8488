//! The whole cached list as the db thread assembles it from the parts its helper threads parse:
//! each part is appended as it arrives, so its memory is freed at once, and the list is put
//! newest first in place at the end. Collecting the parts and then concatenating them held every
//! review twice at the peak (1,455 MB of heap for 896 MB held at a million reviews).

use std::cmp::Reverse;

use super::action::CachedReviews;
use super::ids::IdIndex;

/// The list being assembled: the first part (already shown, newest first) in front, then the
/// other parts in the order they arrived.
pub struct WholeList {
    whole: CachedReviews,
    /// Where the appended parts start: the first part stays where it is.
    rest_from: usize,
    /// Each appended part: its place in storage order (the order it was read in), and where
    /// its reviews are in the list.
    parts: Vec<(usize, std::ops::Range<usize>)>,
}

impl WholeList {
    /// Starts with `front`, the first part as it was sent, with room for `total` reviews in all
    /// (the count of cached reviews; more or fewer is only slower).
    pub fn new(front: CachedReviews, total: usize) -> WholeList {
        let mut whole = CachedReviews {
            reviews: Vec::with_capacity(total.max(front.reviews.len())),
            vanished: front.vanished,
            whole: true,
            ..CachedReviews::default()
        };
        whole.haystacks.reserve(whole.reviews.capacity());
        whole.reviews.extend(front.reviews);
        whole.haystacks.append(front.haystacks);
        WholeList {
            rest_from: whole.reviews.len(),
            whole,
            parts: Vec::new(),
        }
    }

    /// Appends the part that was the `read`-th to be read (its reviews in storage order).
    pub fn append(&mut self, read: usize, part: CachedReviews) {
        let start = self.whole.reviews.len();
        self.whole.reviews.extend(part.reviews);
        self.whole.haystacks.append(part.haystacks);
        self.whole.vanished.extend(part.vanished);
        self.parts.push((read, start..self.whole.reviews.len()));
    }

    /// The list: the first part, then the rest newest first (among equal dates in storage
    /// order, as `Db::load_reviews` gives them and the view's tie-break expects), with its index
    /// by id and unanswered count.
    pub fn finish(self) -> CachedReviews {
        let WholeList {
            mut whole,
            rest_from,
            mut parts,
        } = self;
        whole.reviews.shrink_to_fit();
        parts.sort_unstable_by_key(|(read, _)| *read);
        // Positions (from `rest_from`) in storage order, then stably sorted by date.
        let mut order: Vec<usize> = parts
            .into_iter()
            .flat_map(|(_, at)| (at.start - rest_from)..(at.end - rest_from))
            .collect();
        let (reviews, haystacks) = (&mut whole.reviews[rest_from..], &mut whole.haystacks);
        order.sort_by_key(|&i| Reverse(reviews[i].timestamp));
        permute_in_place(&mut order, |a, b| {
            reviews.swap(a, b);
            haystacks.swap(rest_from + a, rest_from + b);
        });
        whole.ids = IdIndex::build(&whole.reviews);
        whole.unanswered = whole.reviews.iter().filter(|r| !r.is_answered()).count();
        whole
    }
}

/// Rearranges a sequence so that position `k` holds what was at `order[k]`, through `swap`,
/// without a second copy: each cycle of the permutation is walked once. `order` must be a
/// permutation of `0..order.len()`; it is used up (left as the identity).
fn permute_in_place(order: &mut [usize], mut swap: impl FnMut(usize, usize)) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Review;
    use crate::tui::search_text::SearchText;

    /// Every permutation of up to six items, and a few long shuffled ones, come out as indexing
    /// a copy would give.
    #[test]
    fn permuting_in_place_gives_what_indexing_a_copy_gives() {
        fn check(order: &[usize]) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items.clone();
            let mut o = order.to_vec();
            permute_in_place(&mut o, |a, b| got.swap(a, b));
            assert_eq!(got, want, "order {order:?}");
        }
        fn all(prefix: &mut Vec<usize>, n: usize) {
            if prefix.len() == n {
                return check(prefix);
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    all(prefix, n);
                    prefix.pop();
                }
            }
        }
        for n in 0..=6 {
            all(&mut Vec::new(), n);
        }
        let mut seed = 0x2545_f491_u64;
        for n in [100, 1000, 4097] {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            check(&order);
        }
    }

    fn part(reviews: Vec<Review>) -> CachedReviews {
        CachedReviews {
            haystacks: SearchText::of(&reviews),
            vanished: reviews
                .iter()
                .filter(|r| r.review_text.as_deref() == Some("gone"))
                .filter_map(|r| r.id.clone())
                .collect(),
            reviews,
            ..CachedReviews::default()
        }
    }

    fn review(id: usize, ts: Option<i64>) -> Review {
        Review {
            id: Some(format!("r{id}")),
            timestamp: ts,
            reviewer_name: Some(format!("name{id}x").into()),
            review_text: Some(if id % 7 == 0 { "gone".into() } else { "kept".into() }),
            ..Review::default()
        }
    }

    /// Parts arriving in any order come out as if they had been concatenated in storage order and
    /// stably sorted newest first (undated last), behind the first part, each review with its
    /// own search text and place in the index.
    #[test]
    fn parts_appended_as_they_arrive_come_out_in_storage_order_newest_first() {
        // Storage order: ids 0..40, dates repeating so that ties are common, some undated.
        let stored: Vec<Review> = (0..40)
            .map(|i| review(i, (i % 5 != 3).then_some((i as i64 * 7) % 4)))
            .collect();
        let front: Vec<Review> = (100..103).map(|i| review(i, Some(9))).collect();
        let mut want: Vec<Review> = stored.clone();
        want.sort_by_key(|r| Reverse(r.timestamp));
        let want: Vec<Review> = front.iter().cloned().chain(want).collect();
        let chunks: Vec<Vec<Review>> = stored.chunks(6).map(<[Review]>::to_vec).collect();
        for arrival in [
            vec![0, 1, 2, 3, 4, 5, 6],
            vec![6, 5, 4, 3, 2, 1, 0],
            vec![3, 0, 6, 1, 5, 2, 4],
        ] {
            let mut list = WholeList::new(part(front.clone()), 10);
            for &k in &arrival {
                list.append(k, part(chunks[k].clone()));
            }
            let whole = list.finish();
            assert_eq!(whole.reviews, want, "arrival {arrival:?}");
            assert!(whole.whole);
            for (i, r) in whole.reviews.iter().enumerate() {
                let name = r.reviewer_name.as_deref().unwrap().to_lowercase();
                assert!(whole.haystacks.get(i).contains(&name), "search text of {i}");
                assert_eq!(whole.ids.get(r.id.as_deref().unwrap(), &whole.reviews), Some(i));
            }
            let mut vanished = whole.vanished.clone();
            vanished.sort();
            let mut gone: Vec<String> = want
                .iter()
                .filter(|r| r.review_text.as_deref() == Some("gone"))
                .filter_map(|r| r.id.clone())
                .collect();
            gone.sort();
            assert_eq!(vanished, gone);
            assert_eq!(whole.unanswered, want.len());
        }
    }
}
