//! The seam every source of reviews sits behind. A source declares what it can do as
//! [`Capabilities`]; commands and screens ask for a [`Feature`] instead of testing which service
//! a profile talks to, and a missing one is explained in the source's own words.
//!
//! Adding a source (App Store Connect, Google Play) is a new module for its client and emulator,
//! its [`ReviewSource`] declared here beside the others (`store_source`, `commerce_source`), and
//! one arm in [`source_for`]. The declarations live here, not in the clients' modules, so that
//! the registry depends on the clients and never the other way round (no import cycle).

pub mod commerce_source;
mod store_source;

use crate::profiles::ProfileKind;

/// One thing a source of reviews may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Read reviews by date range, page by page.
    ListReviews,
    /// Fetch every review at once, as a file.
    ExportReviews,
    /// Ask per review whether it may be answered.
    Eligibility,
    /// Answer a review from here.
    Respond,
    /// Answer privately (by email) instead of under the review.
    PrivateReply,
    /// Change an answer once posted.
    EditReplies,
    /// Submit reviews written elsewhere.
    ImportReviews,
}

impl Feature {
    pub fn describe(self) -> &'static str {
        match self {
            Feature::ListReviews => "list reviews by date",
            Feature::ExportReviews => "export all reviews",
            Feature::Eligibility => "check whether a review may be answered",
            Feature::Respond => "answer reviews",
            Feature::PrivateReply => "answer privately",
            Feature::EditReplies => "edit a posted answer",
            Feature::ImportReviews => "import reviews",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub list_reviews: bool,
    pub export_reviews: bool,
    pub eligibility: bool,
    pub respond: bool,
    pub private_reply: bool,
    pub editable_replies: bool,
    pub import_reviews: bool,
    /// The longest answer, in the unit the service counts (UTF-16 units for the Store).
    pub reply_limit: Option<usize>,
}

impl Capabilities {
    pub fn has(&self, f: Feature) -> bool {
        match f {
            Feature::ListReviews => self.list_reviews,
            Feature::ExportReviews => self.export_reviews,
            Feature::Eligibility => self.eligibility,
            Feature::Respond => self.respond,
            Feature::PrivateReply => self.private_reply,
            Feature::EditReplies => self.editable_replies,
            Feature::ImportReviews => self.import_reviews,
        }
    }
}

pub trait ReviewSource: Send + Sync {
    /// The service, for people: "Microsoft Store".
    fn service(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    /// Why a missing feature is missing and what to do instead, in one sentence.
    fn instead(&self, feature: Feature) -> String;
    /// What it means that the service stopped returning a review it returned before.
    fn vanished(&self) -> &'static str;
}

/// How a Commerce site is named among the sources of the terminal UI (the app switcher, the
/// review cache): `site:` and its profile's name. Store IDs never hold a colon.
pub const SITE_PREFIX: &str = "site:";

/// The source ID of the site a Commerce profile reaches.
pub fn site_source_id(profile: &str) -> String {
    format!("{SITE_PREFIX}{profile}")
}

/// The profile behind a site's source ID; `None` for a Store app.
pub fn site_profile(source_id: &str) -> Option<&str> {
    source_id.strip_prefix(SITE_PREFIX)
}

/// Which kind of source an ID of the app switcher names.
pub fn kind_of(source_id: &str) -> ProfileKind {
    match site_profile(source_id) {
        Some(_) => ProfileKind::Commerce,
        None => ProfileKind::Store,
    }
}

/// The source behind an ID of the app switcher.
pub fn source_of(source_id: &str) -> &'static dyn ReviewSource {
    source_for(kind_of(source_id))
}

/// The source a profile of this kind reads from.
pub fn source_for(kind: ProfileKind) -> &'static dyn ReviewSource {
    match kind {
        ProfileKind::Store => &store_source::StoreSource,
        ProfileKind::Commerce => &commerce_source::CommerceSource,
    }
}

/// When `source` lacks `feature`: the sentence naming the profile and the way out (callers make
/// it a usage error, exit 2).
pub fn require(source: &dyn ReviewSource, profile: &str, feature: Feature) -> Result<(), String> {
    if source.capabilities().has(feature) {
        return Ok(());
    }
    Err(format!(
        "profile {profile} reads {}, which cannot {}: {}",
        source.service(),
        feature.describe(),
        source.instead(feature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_says_what_it_can_do_and_what_to_do_instead() {
        let store = source_for(ProfileKind::Store);
        let site = source_for(ProfileKind::Commerce);
        assert!(store.capabilities().has(Feature::Respond) && !store.capabilities().has(Feature::ImportReviews));
        assert_eq!(store.capabilities().reply_limit, Some(1000));
        assert!(site.capabilities().has(Feature::ExportReviews) && site.capabilities().has(Feature::ImportReviews));
        let no = require(site, "fabrikam", Feature::Respond).unwrap_err().to_string();
        assert!(no.contains("Home → Reviews → Moderation"), "{no}");
        assert!(require(store, "contoso", Feature::ListReviews).is_ok());
        assert_eq!(source_of(&site_source_id("fabrikam")).service(), site.service());
        assert_eq!(source_of("9NBLGGGZ5QDR").service(), store.service());
        assert_eq!(site_profile("site:fabrikam"), Some("fabrikam"));
        assert!(
            require(store, "contoso", Feature::ExportReviews)
                .unwrap_err()
                .to_string()
                .contains("reviewdesk reviews")
        );
    }
}
