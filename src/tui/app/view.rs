//! Which reviews are shown, in what order: filters, "unanswered first", and search.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::store::Review;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Answered {
    #[default]
    Any,
    Unanswered,
    Answered,
}

impl Answered {
    pub fn next(self) -> Self {
        match self {
            Answered::Any => Answered::Unanswered,
            Answered::Unanswered => Answered::Answered,
            Answered::Answered => Answered::Any,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Answered::Any => "any",
            Answered::Unanswered => "unanswered only",
            Answered::Answered => "answered only",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// Index 0 is one star.
    pub ratings: [bool; 5],
    /// Upper-case ISO codes; empty means every market.
    pub markets: Vec<String>,
    pub answered: Answered,
    pub revised_only: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            ratings: [true; 5],
            markets: Vec::new(),
            answered: Answered::Any,
            revised_only: false,
            from: None,
            to: None,
        }
    }
}

impl Filters {
    pub fn is_default(&self) -> bool {
        *self == Filters::default()
    }

    pub fn accepts(&self, r: &Review) -> bool {
        if let Some(rating) = r.rating
            && (1..=5).contains(&rating)
            && !self.ratings[(rating - 1) as usize]
        {
            return false;
        }
        if !self.markets.is_empty() {
            let m = r.market.as_deref().unwrap_or("").to_ascii_uppercase();
            if !self.markets.contains(&m) {
                return false;
            }
        }
        match self.answered {
            Answered::Any => {}
            Answered::Unanswered if r.is_answered() => return false,
            Answered::Answered if !r.is_answered() => return false,
            _ => {}
        }
        if self.revised_only && !r.revised_after_response() {
            return false;
        }
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let day = r
            .timestamp
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|d| d.date_naive());
        if let (Some(from), Some(day)) = (self.from, day)
            && day < from
        {
            return false;
        }
        if let (Some(to), Some(day)) = (self.to, day)
            && day > to
        {
            return false;
        }
        true
    }

    /// "★1-2 · US,DE · unanswered" for the status bar.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.ratings != [true; 5] {
            let on: Vec<String> = (1..=5).filter(|i| self.ratings[i - 1]).map(|i| i.to_string()).collect();
            parts.push(format!("★{}", on.join(",")));
        }
        if !self.markets.is_empty() {
            parts.push(self.markets.join(","));
        }
        if self.answered != Answered::Any {
            parts.push(self.answered.label().to_owned());
        }
        if self.revised_only {
            parts.push("revised".to_owned());
        }
        match (self.from, self.to) {
            (None, None) => {}
            (f, t) => parts.push(format!(
                "{}…{}",
                f.map(|d| d.to_string()).unwrap_or_default(),
                t.map(|d| d.to_string()).unwrap_or_default()
            )),
        }
        parts.join(" · ")
    }
}

/// Everything that decides which reviews are shown and in what order: the filters, the order
/// and the saved view shown. A cache read carries the one it was asked with, so the db thread
/// hands the UI its view ready ([`ViewSpec::build`]); the UI takes it only if it still has
/// the same one.
#[derive(Clone, Debug, Default)]
pub struct ViewSpec {
    pub filters: Filters,
    pub unanswered_first: bool,
    pub saved: Option<crate::views::View>,
}

impl PartialEq for ViewSpec {
    fn eq(&self, other: &ViewSpec) -> bool {
        // A saved view is its name, filter text and condition (the parsed filter follows from
        // the text).
        let saved = |s: &ViewSpec| {
            s.saved
                .as_ref()
                .map(|v| (v.name.clone(), v.filter.clone(), v.condition))
        };
        self.filters == other.filters && self.unanswered_first == other.unanswered_first && saved(self) == saved(other)
    }
}

impl ViewSpec {
    /// The view of `reviews`: what [`build_view`] gives, narrowed to the saved view.
    pub fn build(&self, reviews: &[Review]) -> Vec<usize> {
        let mut view = build_view(reviews, &self.filters, self.unanswered_first);
        if let Some(saved) = &self.saved {
            view.retain(|&i| saved.matches(&reviews[i]));
        }
        view
    }
}

/// The shown reviews as indices into `reviews`: filtered, newest first, unanswered first when
/// asked.
pub fn build_view(reviews: &[Review], filters: &Filters, unanswered_first: bool) -> Vec<usize> {
    let mut view: Vec<usize> = (0..reviews.len()).filter(|&i| filters.accepts(&reviews[i])).collect();
    // Nearly free on reviews already in order (newest first, as the cache hands them over).
    view.sort_by(|&a, &b| view_order(reviews, unanswered_first, a, b));
    view
}

/// The list's order: unanswered first when asked, then newest first, then as they came. Total:
/// two different indices never compare equal, so a review's place can be found by bisection.
pub fn view_order(reviews: &[Review], unanswered_first: bool, a: usize, b: usize) -> Ordering {
    let (ra, rb) = (&reviews[a], &reviews[b]);
    let group = |r: &Review| unanswered_first && r.is_answered();
    group(ra)
        .cmp(&group(rb))
        .then(rb.timestamp.cmp(&ra.timestamp))
        .then(a.cmp(&b))
}

/// Where review `i` is in `view`, if shown. Bisection, so the view must be in [`view_order`];
/// a review changed in place since (a reply sent) is still found, by a scan.
pub fn view_position(view: &[usize], reviews: &[Review], unanswered_first: bool, i: usize) -> Option<usize> {
    match view.binary_search_by(|&v| view_order(reviews, unanswered_first, v, i)) {
        Ok(pos) => Some(pos),
        Err(_) => view.iter().position(|&v| v == i),
    }
}

/// Puts the reviews `fresh` (indices not in `view`) that the filters accept into `view`, in
/// order. Costs the sort of `fresh` and, per fresh review, a search from the previous one's place
/// (galloping, so a run of reviews older than all shown costs next to nothing), plus copying the
/// view once: never a sort of the whole list.
pub fn insert_into_view(
    view: &mut Vec<usize>,
    reviews: &[Review],
    filters: &Filters,
    unanswered_first: bool,
    mut fresh: Vec<usize>,
) {
    fresh.retain(|&i| filters.accepts(&reviews[i]));
    if fresh.is_empty() {
        return;
    }
    let before = |a: usize, b: usize| view_order(reviews, unanswered_first, a, b) == Ordering::Less;
    // Sorted by small keys read once each: comparing through the reviews themselves reads two
    // scattered structs per comparison, which is most of the cost of a page.
    let key = |i: usize| {
        let r = &reviews[i];
        (unanswered_first && r.is_answered(), std::cmp::Reverse(r.timestamp), i)
    };
    let mut keyed: Vec<_> = fresh.iter().map(|&i| key(i)).collect();
    keyed.sort_unstable();
    let fresh: Vec<usize> = keyed.into_iter().map(|(_, _, i)| i).collect();
    if view.last().is_none_or(|&last| before(last, fresh[0])) {
        view.extend(fresh);
        return;
    }
    let old = std::mem::take(view);
    view.reserve(old.len() + fresh.len());
    let mut from = 0;
    for i in fresh {
        // The first place in old[from..] whose review does not come before `i`.
        let rest = &old[from..];
        let mut step = 1;
        while step <= rest.len() && before(rest[step - 1], i) {
            step *= 2;
        }
        let lo = step / 2;
        let hi = step.min(rest.len());
        let at = lo + rest[lo..hi].partition_point(|&v| before(v, i));
        view.extend_from_slice(&rest[..at]);
        view.push(i);
        from += at;
    }
    view.extend_from_slice(&old[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(rating: i64, answered: bool, ts: i64, market: &str, title: &str) -> Review {
        Review {
            rating: Some(rating),
            response_text: answered.then(|| "thanks".to_owned()),
            timestamp: Some(ts),
            market: Some(market.into()),
            review_title: Some(title.into()),
            ..Review::default()
        }
    }

    #[test]
    fn view_orders_and_filters() {
        let rs = vec![
            review(5, true, 3, "US", "Great"),
            review(1, false, 1, "DE", "Crash"),
            review(2, false, 2, "US", "Slow"),
        ];
        assert_eq!(build_view(&rs, &Filters::default(), false), vec![0, 2, 1]);
        assert_eq!(build_view(&rs, &Filters::default(), true), vec![2, 1, 0]);
        let f = Filters {
            ratings: [true, true, false, false, false],
            ..Filters::default()
        };
        assert_eq!(build_view(&rs, &f, false), vec![2, 1]);
        let f = Filters {
            markets: vec!["US".into()],
            answered: Answered::Unanswered,
            ..Filters::default()
        };
        assert_eq!(build_view(&rs, &f, false), vec![2]);
        assert_eq!(f.describe(), "US · unanswered only");
    }

    #[test]
    fn search_is_case_insensitive_over_title_text_and_reviewer() {
        let mut rs = vec![
            review(5, true, 3, "US", "Great APP"),
            review(1, false, 1, "DE", "Absturz"),
        ];
        rs[1].reviewer_name = Some("Jürgen".into());
        let hay = crate::tui::search_text::SearchText::of(&rs);
        let view = build_view(&rs, &Filters::default(), false);
        assert_eq!(hay.search(&view, "app"), vec![0]);
        assert_eq!(hay.search(&view, "jürg"), vec![1]);
        assert!(hay.search(&view, "zzz").is_empty());
    }

    /// Adding reviews part by part gives the view that sorting them all at once gives, for every
    /// order and filter, with ties in time and reviews older, newer and in between.
    #[test]
    fn inserting_parts_gives_the_same_view_as_building_it_whole() {
        let mut seed = 0x9e37_79b9_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..60 {
            let n = 1 + next(400) as usize;
            let rs: Vec<Review> = (0..n)
                .map(|_| review(1 + next(5) as i64, next(3) == 0, next(50) as i64, "US", "t"))
                .collect();
            let filters = Filters {
                ratings: [true, round % 3 != 0, true, true, round % 2 == 0],
                ..Filters::default()
            };
            let unanswered_first = round % 2 == 1;
            let mut view = Vec::new();
            let mut start = 0;
            while start < n {
                let end = (start + 1 + next(120) as usize).min(n);
                insert_into_view(&mut view, &rs, &filters, unanswered_first, (start..end).collect());
                start = end;
            }
            assert_eq!(view, build_view(&rs, &filters, unanswered_first), "round {round}");
            for (pos, &i) in view.iter().enumerate() {
                assert_eq!(view_position(&view, &rs, unanswered_first, i), Some(pos));
            }
        }
    }
}
