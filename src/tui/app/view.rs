//! Which reviews are shown, in what order: filters, "unanswered first", and search.

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

/// The shown reviews as indices into `reviews`: filtered, newest first, unanswered first when
/// asked.
pub fn build_view(reviews: &[Review], filters: &Filters, unanswered_first: bool) -> Vec<usize> {
    let mut view: Vec<usize> = (0..reviews.len()).filter(|&i| filters.accepts(&reviews[i])).collect();
    view.sort_by(|&a, &b| {
        let (ra, rb) = (&reviews[a], &reviews[b]);
        let group = |r: &Review| unanswered_first && r.is_answered();
        group(ra)
            .cmp(&group(rb))
            .then(rb.timestamp.cmp(&ra.timestamp))
            .then(a.cmp(&b))
    });
    view
}

/// Lower-case text a search runs over: title, text and reviewer.
pub fn haystack(r: &Review) -> Box<str> {
    let mut s = String::new();
    for part in [&r.review_title, &r.review_text, &r.reviewer_name]
        .into_iter()
        .flatten()
    {
        s.push_str(&part.to_lowercase());
        s.push('\u{1}');
    }
    s.into_boxed_str()
}

/// Positions in `view` whose review contains `query` (already lower-case).
pub fn search(view: &[usize], haystacks: &[Box<str>], query: &str) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let finder = memchr::memmem::Finder::new(query.as_bytes());
    view.iter()
        .enumerate()
        .filter(|(_, i)| finder.find(haystacks[**i].as_bytes()).is_some())
        .map(|(pos, _)| pos)
        .collect()
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
        let hay: Vec<Box<str>> = rs.iter().map(haystack).collect();
        let view = build_view(&rs, &Filters::default(), false);
        assert_eq!(search(&view, &hay, "app"), vec![0]);
        assert_eq!(search(&view, &hay, "jürg"), vec![1]);
        assert!(search(&view, &hay, "zzz").is_empty());
    }
}
