//! A review of a Commerce site as reviewdesk keeps it: the storefront `Review` entity's fields
//! (store-api.md §4.2b), with the moderator's response flattened, and every column it did not
//! recognise kept as it came.
//!
//! The export file's format is undocumented, so names are matched case-insensitively and
//! without `_`, `-`, `.` or spaces: `ReviewText`, `review_text` and `Review Text` are one column.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommerceReview {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpful_positive: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpful_negative: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thoughtfulness_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_taken_down: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations_found: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_published: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_revised: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_since_response: Option<bool>,
    /// `userResponse.responderName`: who answered in site builder (default "Moderator").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responder_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_properties: Option<Value>,
    /// Columns reviewdesk does not know, under their original names.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Flag,
    Json,
}

/// Normalised column name → (field, type).
fn known(norm: &str) -> Option<(&'static str, Kind)> {
    use Kind::*;
    Some(match norm {
        "reviewid" | "id" => ("reviewId", Text),
        "productid" => ("productId", Text),
        "productname" => ("productName", Text),
        "sku" => ("sku", Text),
        "legalentity" => ("legalEntity", Text),
        "username" | "user" | "reviewername" | "nickname" => ("userName", Text),
        "market" => ("market", Text),
        "locale" => ("locale", Text),
        "channelid" | "channel" => ("channelId", Text),
        "rating" => ("rating", Number),
        "title" | "reviewtitle" => ("title", Text),
        "reviewtext" | "text" | "comment" => ("reviewText", Text),
        "submitteddatetime" | "submitteddate" | "reviewdate" | "date" => ("submittedDateTime", Text),
        "helpfulpositive" => ("helpfulPositive", Number),
        "helpfulnegative" => ("helpfulNegative", Number),
        "thoughtfulnessscore" => ("thoughtfulnessScore", Number),
        "istakendown" | "takendown" => ("isTakenDown", Flag),
        "violationsfound" => ("violationsFound", Flag),
        "ispublished" | "published" => ("isPublished", Flag),
        "isrevised" | "revised" => ("isRevised", Flag),
        "updatedsinceresponse" => ("updatedSinceResponse", Flag),
        "respondername" | "responsename" => ("responderName", Text),
        "responsetext" | "moderatorresponse" | "response" => ("responseText", Text),
        "responsedatetime" | "responsesubmitteddatetime" | "responsedate" => ("responseDateTime", Text),
        "extendedproperties" => ("extendedProperties", Json),
        _ => return None,
    })
}

/// The storefront field a column or key names (`Review Text` → `reviewText`), if any.
pub fn field_named(name: &str) -> Option<&'static str> {
    known(&normalise_name(name)).map(|(field, _)| field)
}

/// The field a key of a review's nested `userResponse` object stands for, if any.
pub fn user_response_field(key: &str) -> Option<&'static str> {
    match normalise_name(key).as_str() {
        "respondername" => Some("responderName"),
        "responsetext" => Some("responseText"),
        "submitteddatetime" => Some("responseDateTime"),
        _ => None,
    }
}

/// `Review Text`, `review_text`, `ReviewText` → `reviewtext`.
pub fn normalise_name(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn as_number(v: &Value) -> Option<Value> {
    match v {
        Value::Number(_) => Some(v.clone()),
        Value::String(s) if s.trim().is_empty() => Some(Value::Null),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)),
        Value::Null => Some(Value::Null),
        _ => None,
    }
}

fn as_flag(v: &Value) -> Option<Value> {
    match v {
        Value::Bool(_) | Value::Null => Some(v.clone()),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Some(Value::Null),
            "true" | "1" | "yes" => Some(Value::Bool(true)),
            "false" | "0" | "no" => Some(Value::Bool(false)),
            _ => None,
        },
        Value::Number(n) => n.as_i64().map(|i| Value::Bool(i != 0)),
        _ => None,
    }
}

fn as_text(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) if s.is_empty() => Some(Value::Null),
        Value::String(_) | Value::Null => Some(v.clone()),
        Value::Number(_) | Value::Bool(_) => Some(Value::String(v.to_string())),
        _ => None,
    }
}

fn as_json(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) if s.trim().is_empty() => Some(Value::Null),
        // A CSV cell holds the object as text. Only an object or an array is taken out of its
        // text: a cell of ` "{}"` is a JSON string that holds JSON, and unwrapping it would make
        // the review change again each time it is written out and read back (fuzzing found it).
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(parsed @ (Value::Object(_) | Value::Array(_))) => Some(parsed),
            _ => Some(v.clone()),
        },
        _ => Some(v.clone()),
    }
}

/// Sorts one (name, value) pair into `known` or `extra`. A value of the wrong type for a known
/// field stays in `extra`, under its original name, rather than being lost.
fn place(known_out: &mut Map<String, Value>, extra: &mut BTreeMap<String, Value>, name: &str, v: Value) {
    let Some((field, kind)) = known(&normalise_name(name)) else {
        extra.insert(name.to_owned(), v);
        return;
    };
    let converted = match kind {
        Kind::Text => as_text(&v),
        Kind::Number => as_number(&v),
        Kind::Flag => as_flag(&v),
        Kind::Json => as_json(&v),
    };
    match converted {
        Some(Value::Null) => {}
        Some(c) => {
            known_out.entry(field.to_owned()).or_insert(c);
        }
        None => {
            extra.insert(name.to_owned(), v);
        }
    }
}

fn build(known_fields: Map<String, Value>, extra: BTreeMap<String, Value>) -> CommerceReview {
    let mut review: CommerceReview = serde_json::from_value(Value::Object(known_fields)).unwrap_or_default();
    review.extra = extra;
    review
}

impl CommerceReview {
    /// From one CSV record and its header.
    pub fn from_record<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> CommerceReview {
        let (mut k, mut extra) = (Map::new(), BTreeMap::new());
        for (name, value) in pairs {
            place(&mut k, &mut extra, name, Value::String(value.to_owned()));
        }
        build(k, extra)
    }

    /// From one JSON object; a nested `userResponse` is flattened into the responder fields.
    pub fn from_json(object: Map<String, Value>) -> CommerceReview {
        let (mut k, mut extra) = (Map::new(), BTreeMap::new());
        for (name, value) in object {
            if normalise_name(&name) == "userresponse" {
                match value {
                    Value::Object(resp) => {
                        for (rk, rv) in resp {
                            let Some(target) = user_response_field(&rk) else {
                                continue;
                            };
                            place(&mut k, &mut extra, target, rv);
                        }
                    }
                    Value::Null => {}
                    other => {
                        extra.insert(name, other);
                    }
                }
                continue;
            }
            place(&mut k, &mut extra, &name, value);
        }
        build(k, extra)
    }

    /// The key a review is cached under: its ID, else a hash of what identifies it.
    pub fn cache_key(&self) -> String {
        match &self.review_id {
            Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
            _ => format!(
                "nokey-{:016x}",
                crate::commerce::fnv64(
                    [
                        &self.product_id,
                        &self.user_name,
                        &self.title,
                        &self.review_text,
                        &self.submitted_date_time
                    ]
                    .iter()
                    .map(|f| f.as_deref().unwrap_or(""))
                )
            ),
        }
    }

    /// The moderation state in words, for tables and the TUI.
    pub fn moderation_state(&self) -> &'static str {
        match (self.is_taken_down, self.is_published, &self.response_text) {
            (Some(true), _, _) => "taken down",
            (_, _, Some(_)) if self.updated_since_response == Some(true) => "updated since response",
            (_, _, Some(_)) => "responded",
            (_, Some(false), _) => "not published",
            _ => "published",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_properties_in_text_are_taken_out_only_when_an_object_or_array() {
        let cell = |text: &str| as_json(&Value::String(text.into()));
        assert_eq!(cell(r#"{"size": 44}"#), Some(serde_json::json!({"size": 44})));
        assert_eq!(cell("[1, 2]"), Some(serde_json::json!([1, 2])));
        // JSON that is a string (or a number) stays the text it was: unwrapped, it would be
        // unwrapped again on the next read of the written review.
        assert_eq!(cell(r#" "{}""#), Some(Value::String(r#" "{}""#.into())));
        assert_eq!(cell("5"), Some(Value::String("5".into())));
        let once = cell(r#""{}""#).unwrap();
        assert_eq!(as_json(&once), Some(once.clone()), "a second read changes nothing");
    }

    #[test]
    fn columns_map_case_insensitively_and_unknown_ones_are_kept() {
        let r = CommerceReview::from_record(
            [
                ("REVIEW_ID", "r1"),
                ("Review Text", "Great"),
                ("rating", "4"),
                ("IsTakenDown", "FALSE"),
                ("Shoe size", "44"),
                ("HelpfulPositive", "lots"),
            ]
            .into_iter(),
        );
        assert_eq!(r.review_id.as_deref(), Some("r1"));
        assert_eq!(r.review_text.as_deref(), Some("Great"));
        assert_eq!(r.rating, Some(4.0));
        assert_eq!(r.is_taken_down, Some(false));
        assert_eq!(r.extra.get("Shoe size"), Some(&Value::String("44".into())));
        assert_eq!(
            r.extra.get("HelpfulPositive"),
            Some(&Value::String("lots".into())),
            "kept, not lost"
        );
        assert_eq!(r.helpful_positive, None);
    }

    #[test]
    fn nested_user_response_is_flattened() {
        let v: Value = serde_json::json!({
            "reviewId": "x", "rating": 3.5, "isPublished": true,
            "userResponse": {"responderName": "Moderator", "responseText": "Thanks", "submittedDateTime": "2024-01-02T00:00:00Z"},
            "newThing": [1, 2]
        });
        let Value::Object(m) = v else { unreachable!() };
        let r = CommerceReview::from_json(m);
        assert_eq!(r.responder_name.as_deref(), Some("Moderator"));
        assert_eq!(r.response_date_time.as_deref(), Some("2024-01-02T00:00:00Z"));
        assert_eq!(r.rating, Some(3.5));
        assert_eq!(r.moderation_state(), "responded");
        assert!(r.extra.contains_key("newThing"));
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["newThing"], serde_json::json!([1, 2]));
    }
}
