//! Saved views: a name and a filter in the Store's own filter language (`crate::filter_lang`),
//! evaluated on our side against the reviews we hold. Three are built in; more come from the
//! config:
//!
//! ```toml
//! [[views]]
//! name = "German crashes"
//! filter = "market eq 'DE' and contains(reviewText,'absturz')"
//! ```
//!
//! The built-ins need what the language cannot say ("has no response", "revised after our
//! response"), so a view also has a [`Condition`] on the review's answer.

use anyhow::{Result, anyhow};
use serde::Deserialize;

use crate::filter_lang::{self, Expr};
use crate::store::Review;

/// A view as the config file holds it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    pub name: String,
    pub filter: String,
}

/// What a view asks of the review's developer response, besides its filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Any,
    /// No response shows (never answered, or the Store removed ours after a revision).
    Unanswered,
    /// Revised after our response: the Store removed it, and it may be answered again.
    Outdated,
}

#[derive(Clone, Debug)]
pub struct View {
    pub name: String,
    /// As written ("" for none).
    pub filter: String,
    expr: Option<Expr>,
    pub condition: Condition,
}

impl View {
    /// A view from its name and filter; a filter that does not parse is an error naming the
    /// view and what is wrong.
    pub fn new(name: &str, filter: &str, condition: Condition) -> Result<View> {
        let expr =
            parse_filter(filter).map_err(|e| anyhow!("the view {name:?} has a filter that does not parse: {e}"))?;
        Ok(View {
            name: name.to_owned(),
            filter: filter.to_owned(),
            expr,
            condition,
        })
    }

    pub fn matches(&self, r: &Review) -> bool {
        let answer = match self.condition {
            Condition::Any => true,
            Condition::Unanswered => !r.is_answered() || r.revised_after_response(),
            Condition::Outdated => r.revised_after_response(),
        };
        answer && self.expr.as_ref().is_none_or(|e| e.matches(r))
    }

    /// How many of `reviews` the view shows.
    pub fn count<'a>(&self, reviews: impl IntoIterator<Item = &'a Review>) -> usize {
        reviews.into_iter().filter(|r| self.matches(r)).count()
    }
}

/// The one filter language: an empty filter is none; otherwise the Store's grammar, with the
/// Store's error wording ("Invalid filter: …").
pub fn parse_filter(src: &str) -> Result<Option<Expr>, String> {
    if src.trim().is_empty() {
        return Ok(None);
    }
    filter_lang::parse(src).map(Some)
}

/// The built-in views, then the config's, in order. A config view may not reuse a name.
pub fn all(config: &[ViewConfig]) -> Result<Vec<View>> {
    let mut views = vec![
        View::new("Needs an answer", "", Condition::Unanswered)?,
        View::new("Outdated", "", Condition::Outdated)?,
        View::new("Negative, unanswered", "rating le 2", Condition::Unanswered)?,
    ];
    for v in config {
        if views.iter().any(|b| b.name.eq_ignore_ascii_case(v.name.trim())) {
            return Err(anyhow!(
                "two views are called {:?}: give the one in the config file another name",
                v.name
            ));
        }
        views.push(View::new(v.name.trim(), &v.filter, Condition::Any)?);
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(rating: i64, market: &str, response: Option<&str>, revised_after: bool) -> Review {
        Review {
            rating: Some(rating),
            market: Some(market.into()),
            review_text: Some("It crashes after the update".into()),
            response_text: response.map(str::to_owned),
            is_revised: Some(revised_after),
            timestamp: Some(if revised_after { 200 } else { 50 }),
            response_timestamp: response.map(|_| 100),
            ..Review::default()
        }
    }

    #[test]
    fn the_built_ins_pick_what_their_names_say() {
        let v = all(&[]).unwrap();
        let fresh_bad = review(1, "US", None, false);
        let answered = review(1, "US", Some("Thanks"), false);
        let outdated = review(2, "US", Some("Thanks"), true);
        let happy = review(5, "US", None, false);
        let names = |r: &Review| {
            v.iter()
                .filter(|x| x.matches(r))
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&fresh_bad), vec!["Needs an answer", "Negative, unanswered"]);
        assert_eq!(names(&answered), Vec::<&str>::new());
        assert_eq!(
            names(&outdated),
            vec!["Needs an answer", "Outdated", "Negative, unanswered"]
        );
        assert_eq!(names(&happy), vec!["Needs an answer"]);
        assert_eq!(v[0].count([&fresh_bad, &answered, &outdated, &happy]), 3);
    }

    #[test]
    fn config_views_use_the_store_grammar_on_our_reviews() {
        let v = all(&[ViewConfig {
            name: "German crashes".into(),
            filter: "market eq 'de' and contains(reviewText,'CRASH') and rating lt 3".into(),
        }])
        .unwrap();
        let german = &v[3];
        assert!(german.matches(&review(1, "DE", None, false)));
        assert!(!german.matches(&review(1, "US", None, false)));
        assert!(!german.matches(&review(4, "DE", None, false)));
        // A field the review omits: `ne` matches, others do not (as the emulator has it).
        let ne = View::new("x", "deviceType ne 'PC'", Condition::Any).unwrap();
        assert!(ne.matches(&Review::default()));
        let eq = View::new("x", "deviceType eq 'PC'", Condition::Any).unwrap();
        assert!(!eq.matches(&Review::default()));
    }

    #[test]
    fn bad_filters_and_names_are_refused_in_one_sentence() {
        let e = all(&[ViewConfig {
            name: "Mine".into(),
            filter: "rating contains 'x'".into(),
        }])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("\"Mine\"") && e.contains("operator 'contains' is not supported for field 'rating'"),
            "{e}"
        );
        let e = all(&[ViewConfig {
            name: "outdated".into(),
            filter: String::new(),
        }])
        .unwrap_err()
        .to_string();
        assert!(e.contains("two views are called"), "{e}");
        assert_eq!(parse_filter("  ").unwrap(), None);
    }
}
