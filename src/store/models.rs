//! The Store's JSON, as documented and as observed. Every review field is optional because the
//! Store omits what it does not know; unknown fields are kept so JSON output loses nothing.

use std::fmt;

use compact_str::CompactString;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::dates::parse_store_date;
use crate::http::flex::{FlexBool, FlexI64, FlexString};

/// One review from get-app-reviews. Field names follow the Store's camelCase.
///
/// The short fields (dates, app, market, device, versions, reviewer, title) are `CompactString`s:
/// up to 24 bytes inline, without an allocation of their own. A million cached reviews held a
/// dozen small allocations each (BENCHMARKS.md, "Where the memory held goes"); `as_deref()`
/// reads them as before. The id and the two long texts stay `String`s. The counts and sizes
/// (RAM in MB, storage, helpful votes) are 32-bit: a `Review` is 480 bytes, was 512.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Review {
    pub id: Option<String>,
    /// As the Store sent it.
    pub date: Option<CompactString>,
    /// `date` parsed, in Unix seconds (UTC).
    pub timestamp: Option<i64>,
    pub application_id: Option<CompactString>,
    pub application_name: Option<CompactString>,
    pub market: Option<CompactString>,
    pub os_version: Option<CompactString>,
    pub device_type: Option<CompactString>,
    pub is_revised: Option<bool>,
    pub package_version: Option<CompactString>,
    pub device_model: Option<CompactString>,
    pub product_family: Option<CompactString>,
    pub device_ram: Option<i32>,
    pub device_screen_resolution: Option<CompactString>,
    pub device_storage_capacity: Option<i32>,
    pub is_touch_enabled: Option<bool>,
    pub reviewer_name: Option<CompactString>,
    pub rating: Option<i64>,
    pub review_title: Option<CompactString>,
    pub review_text: Option<String>,
    pub helpful_count: Option<i32>,
    pub not_helpful_count: Option<i32>,
    pub response_date: Option<CompactString>,
    pub response_timestamp: Option<i64>,
    pub response_text: Option<String>,
    /// Fields this version does not know, kept for JSON output.
    pub extra: Option<Box<Map<String, Value>>>,
}

impl Review {
    /// Answered: the Store shows a developer response under it.
    pub fn is_answered(&self) -> bool {
        self.response_text.as_deref().is_some_and(|t| !t.trim().is_empty())
    }

    /// The customer revised the review after it was answered. The Store removes the response on
    /// revision, so a review still carrying one and flagged revised is worth a second look.
    pub fn revised_after_response(&self) -> bool {
        self.is_revised == Some(true)
            && match (self.timestamp, self.response_timestamp) {
                (Some(review), Some(response)) => review > response,
                _ => self.is_answered(),
            }
    }
}

macro_rules! review_fields {
    ($m:ident) => {
        $m! {
            Id "id" id str,
            Date "date" date date,
            ApplicationId "applicationId" application_id cstr,
            ApplicationName "applicationName" application_name cstr,
            Market "market" market cstr,
            OsVersion "osVersion" os_version cstr,
            DeviceType "deviceType" device_type cstr,
            IsRevised "isRevised" is_revised bool,
            PackageVersion "packageVersion" package_version cstr,
            DeviceModel "deviceModel" device_model cstr,
            ProductFamily "productFamily" product_family cstr,
            DeviceRam "deviceRAM" device_ram int32,
            DeviceScreenResolution "deviceScreenResolution" device_screen_resolution cstr,
            DeviceStorageCapacity "deviceStorageCapacity" device_storage_capacity int32,
            IsTouchEnabled "isTouchEnabled" is_touch_enabled bool,
            ReviewerName "reviewerName" reviewer_name cstr,
            Rating "rating" rating int,
            ReviewTitle "reviewTitle" review_title cstr,
            ReviewText "reviewText" review_text str,
            HelpfulCount "helpfulCount" helpful_count int32,
            NotHelpfulCount "notHelpfulCount" not_helpful_count int32,
            ResponseDate "responseDate" response_date rdate,
            ResponseText "responseText" response_text str,
        }
    };
}

macro_rules! define_field_enum {
    ($($variant:ident $json:literal $field:ident $kind:ident,)*) => {
        enum Field { $($variant,)* Other(String) }

        impl Field {
            fn from_key(k: &str) -> Field {
                match k { $($json => Field::$variant,)* other => Field::Other(other.to_owned()) }
            }
        }

        impl Serialize for Review {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(None)?;
                $( if let Some(v) = &self.$field { map.serialize_entry($json, v)?; } )*
                if let Some(extra) = &self.extra {
                    for (k, v) in extra.iter() { map.serialize_entry(k, v)?; }
                }
                map.end()
            }
        }

        impl<'de> Visitor<'de> for ReviewVisitor {
            type Value = Review;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result { f.write_str("a review object") }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Review, A::Error> {
                let mut r = Review::default();
                while let Some(key) = map.next_key::<FieldKey>()? {
                    match key.0 {
                        $( Field::$variant => read_field!(map r $field $kind), )*
                        Field::Other(name) => {
                            let v: Value = map.next_value()?;
                            r.extra.get_or_insert_with(Default::default).insert(name, v);
                        }
                    }
                }
                Ok(r)
            }
        }
    };
}

macro_rules! read_field {
    ($map:ident $r:ident $field:ident str) => {
        $r.$field = $map.next_value::<Option<FlexString>>()?.map(|v| v.0)
    };
    ($map:ident $r:ident $field:ident cstr) => {
        $r.$field = $map.next_value::<Option<FlexString>>()?.map(|v| v.0.into())
    };
    ($map:ident $r:ident $field:ident int) => {
        $r.$field = lenient::<A, FlexI64>(&mut $map)?.map(|v| v.0)
    };
    // A count or size beyond 32 bits is no known value, as a wrongly typed one is.
    ($map:ident $r:ident $field:ident int32) => {
        $r.$field = lenient::<A, FlexI64>(&mut $map)?.and_then(|v| i32::try_from(v.0).ok())
    };
    ($map:ident $r:ident $field:ident bool) => {
        $r.$field = lenient::<A, FlexBool>(&mut $map)?.map(|v| v.0)
    };
    ($map:ident $r:ident $field:ident date) => {{
        $r.$field = $map.next_value::<Option<FlexString>>()?.map(|v| v.0.into());
        $r.timestamp = $r.$field.as_deref().and_then(parse_store_date);
    }};
    ($map:ident $r:ident $field:ident rdate) => {{
        $r.$field = $map.next_value::<Option<FlexString>>()?.map(|v| v.0.into());
        $r.response_timestamp = $r.$field.as_deref().and_then(parse_store_date);
    }};
}

struct ReviewVisitor;

/// A map key, matched without allocating for the known names.
struct FieldKey(Field);

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = FieldKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldKey, E> {
                Ok(FieldKey(Field::from_key(v)))
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A value of the wrong type for a numeric or boolean field becomes "unknown" rather than
/// failing the whole page of 10,000 reviews.
fn lenient<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A) -> Result<Option<T>, A::Error> {
    let v: Value = map.next_value()?;
    Ok(T::deserialize(v).ok())
}

impl<'de> Deserialize<'de> for Review {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ReviewVisitor)
    }
}

review_fields!(define_field_enum);

macro_rules! define_field_names {
    ($($variant:ident $json:literal $field:ident $kind:ident,)*) => {
        /// The Store's names of the review fields this version knows, in the Store's order: the
        /// columns `reviewdesk reviews --columns` offers.
        pub const REVIEW_FIELD_NAMES: &[&str] = &[$($json,)*];
    };
}

review_fields!(define_field_names);

/// The get-app-reviews envelope: PascalCase keys around camelCase items.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewsPage {
    #[serde(rename = "Value", default)]
    pub value: Vec<Review>,
    #[serde(rename = "@nextLink", default)]
    pub next_link: Option<String>,
    #[serde(rename = "TotalCount", default)]
    pub total_count: Option<FlexI64>,
}

/// get-response-info.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseInfo {
    #[serde(rename = "CanRespond")]
    pub can_respond: FlexBool,
    #[serde(rename = "DefaultSupportEmail", default)]
    pub default_support_email: Option<String>,
}

impl ResponseInfo {
    pub fn can_respond(&self) -> bool {
        self.can_respond.0
    }
    /// The listing's support address, if it has one (the Store sends `""` when not).
    pub fn support_email(&self) -> Option<&str> {
        self.default_support_email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }
}

/// One response to submit. `IsPublic` goes out as a JSON boolean, as the current docs show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseItem {
    #[serde(rename = "ApplicationId")]
    pub application_id: String,
    #[serde(rename = "ReviewId")]
    pub review_id: String,
    #[serde(rename = "ResponseText")]
    pub response_text: String,
    #[serde(rename = "SupportEmail")]
    pub support_email: String,
    #[serde(rename = "IsPublic")]
    pub is_public: bool,
}

#[derive(Serialize)]
pub(crate) struct SubmitRequest<'a> {
    #[serde(rename = "Responses")]
    pub responses: &'a [ResponseItem],
}

#[derive(Debug, Deserialize)]
pub struct SubmitResponse {
    #[serde(rename = "Result", default)]
    pub result: Vec<ResultItem>,
}

/// One entry of the submit result. `Successful` is documented as the string `"true"`/`"false"`.
#[derive(Clone, Debug, Deserialize)]
pub struct ResultItem {
    #[serde(rename = "ApplicationId", default)]
    pub application_id: Option<String>,
    #[serde(rename = "ReviewId", default)]
    pub review_id: Option<String>,
    #[serde(rename = "Successful")]
    pub successful: FlexBool,
    #[serde(rename = "FailureReason", default)]
    pub failure_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_submit_result_parses_with_string_booleans() {
        let r: SubmitResponse = serde_json::from_str(include_str!("../../tests/fixtures/submit-result.json")).unwrap();
        assert_eq!(r.result.len(), 2);
        assert!(r.result[0].successful.0);
        assert!(!r.result[1].successful.0);
        assert_eq!(r.result[1].failure_reason.as_deref(), Some("No Permission"));
        let b: ResultItem = serde_json::from_str(r#"{"ReviewId":"x","Successful":true}"#).unwrap();
        assert!(b.successful.0);
    }

    #[test]
    fn a_wrongly_typed_number_does_not_sink_the_page() {
        let page: ReviewsPage = serde_json::from_str(
            r#"{"Value":[{"id":"a","rating":"five","helpfulCount":{}},{"id":"b","rating":3}],"TotalCount":"2"}"#,
        )
        .unwrap();
        assert_eq!(page.value.len(), 2);
        assert_eq!(page.value[0].rating, None);
        assert_eq!(page.value[1].rating, Some(3));
    }
}
