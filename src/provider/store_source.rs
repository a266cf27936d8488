//! The Microsoft Store as a [`ReviewSource`]: reviews listed by date through the analytics API,
//! eligibility and answers (public or private, 1000 UTF-16 units, final once posted) through
//! the reviews API.

use super::{Capabilities, Feature, ReviewSource};

pub struct StoreSource;

impl ReviewSource for StoreSource {
    fn service(&self) -> &'static str {
        "Microsoft Store reviews (Partner Center)"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            list_reviews: true,
            export_reviews: false,
            eligibility: true,
            respond: true,
            private_reply: true,
            editable_replies: false,
            import_reviews: false,
            reply_limit: Some(crate::store::validate::MAX_RESPONSE_UTF16),
        }
    }

    fn instead(&self, feature: Feature) -> String {
        match feature {
            Feature::ExportReviews => "list them with `reviewdesk reviews --app STOREID --format json`".into(),
            Feature::EditReplies => {
                "a response cannot be changed once posted unless the customer revises their review".into()
            }
            Feature::ImportReviews => "the Store takes reviews from customers only".into(),
            _ => "this should not happen; please report it".into(),
        }
    }

    fn vanished(&self) -> &'static str {
        "removed by Microsoft (spam or pre-release): no longer live, cannot be answered"
    }
}
