//! A Dynamics 365 Commerce site as a [`ReviewSource`]: every review at once through Export All
//! Reviews, and Submit a Review for imports. Moderators answer in site builder only: R&R has no
//! response API, so nothing here pretends to.

use super::{Capabilities, Feature, ReviewSource};

/// Where a Commerce review is answered, for every screen and message that needs to say it.
pub const WHERE_TO_ANSWER: &str = "Ratings & Reviews has no API for responses: answer in Commerce site builder, Home → Reviews → Moderation → select the review → Add a response";

pub struct CommerceSource;

impl ReviewSource for CommerceSource {
    fn service(&self) -> &'static str {
        "Dynamics 365 Commerce Ratings & Reviews"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            list_reviews: false,
            export_reviews: true,
            eligibility: false,
            respond: false,
            private_reply: false,
            editable_replies: false,
            import_reviews: true,
            reply_limit: None,
        }
    }

    fn instead(&self, feature: Feature) -> String {
        match feature {
            Feature::ListReviews => "export them all with `reviewdesk commerce export`".into(),
            Feature::Eligibility => {
                format!("its export carries each review's moderation state instead; {WHERE_TO_ANSWER}")
            }
            Feature::Respond | Feature::PrivateReply | Feature::EditReplies => WHERE_TO_ANSWER.into(),
            _ => "this should not happen; please report it".into(),
        }
    }

    fn vanished(&self) -> &'static str {
        "no longer in the site's export (removed in site builder)"
    }
}
