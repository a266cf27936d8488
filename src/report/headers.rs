//! Report headers to the analytics API's field names, and cells to JSON values of the type the
//! API uses for that field.

use serde_json::{Number, Value};

use crate::store::models::REVIEW_FIELD_NAMES;

/// Headers the report (or a person's spreadsheet) may use for a field, normalised as
/// [`normalise`] does. Every field's own name matches too (`reviewText`, `deviceRAM`, ...).
const ALIASES: &[(&str, &[&str])] = &[
    ("id", &["reviewid", "reviewguid", "guid", "reviewidentifier"]),
    (
        "date",
        &[
            "reviewdate",
            "datetime",
            "submitted",
            "submitteddate",
            "submissiondate",
            "created",
            "reviewsubmitted",
            "reviewsubmitteddate",
            "acquisitiondate",
        ],
    ),
    ("applicationId", &["storeid", "productid", "appid", "bigid"]),
    ("applicationName", &["appname", "productname", "app", "product"]),
    (
        "market",
        &["country", "region", "countryregion", "countryorregion", "marketname"],
    ),
    ("osVersion", &["os", "operatingsystem", "osversionname"]),
    ("deviceType", &["device", "devicefamily"]),
    ("isRevised", &["revised", "updated", "isupdated", "edited"]),
    ("packageVersion", &["appversion", "version", "package"]),
    ("deviceModel", &["model"]),
    ("deviceRAM", &["ram", "ramsize", "deviceram"]),
    ("deviceScreenResolution", &["screenresolution", "resolution"]),
    ("deviceStorageCapacity", &["storage", "storagecapacity", "disksize"]),
    ("isTouchEnabled", &["touch", "touchenabled", "istouch"]),
    (
        "reviewerName",
        &["reviewer", "name", "author", "username", "customername", "customer"],
    ),
    ("rating", &["stars", "starrating", "score", "ratingstars"]),
    ("reviewTitle", &["title", "subject", "headline"]),
    (
        "reviewText",
        &[
            "review",
            "text",
            "body",
            "content",
            "comment",
            "comments",
            "reviewbody",
            "reviewcomment",
        ],
    ),
    (
        "helpfulCount",
        &["helpful", "helpfulvotes", "helpfulyes", "thumbsup", "helpfulness"],
    ),
    (
        "notHelpfulCount",
        &["nothelpful", "unhelpful", "nothelpfulvotes", "helpfulno", "thumbsdown"],
    ),
    (
        "responseDate",
        &[
            "replydate",
            "respondeddate",
            "developerresponsedate",
            "responsesubmitted",
            "responsesubmitteddate",
            "responsetime",
        ],
    ),
    (
        "responseText",
        &[
            "response",
            "reply",
            "developerresponse",
            "developerreply",
            "yourresponse",
        ],
    ),
];

/// Lower case, letters and digits only: "Review ID", "review_id", "ReviewId" and "Review-ID
/// (GUID)" all become "reviewid" or "reviewidguid".
fn normalise(header: &str) -> String {
    header
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The analytics field a header holds, if it is one we know.
pub fn field_for(header: &str) -> Option<&'static str> {
    let n = normalise(header);
    if n.is_empty() {
        return None;
    }
    // A unit or note in parentheses ("Rating (1-5)", "Date (UTC)") does not change the field.
    let without_note = header
        .split_once('(')
        .map(|(before, _)| normalise(before))
        .filter(|b| !b.is_empty());
    [Some(n), without_note].into_iter().flatten().find_map(|n| {
        REVIEW_FIELD_NAMES
            .iter()
            .find(|f| normalise(f) == n)
            .copied()
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(_, names)| names.contains(&n.as_str()))
                    .map(|(f, _)| *f)
            })
    })
}

/// Per header, the key its cells go under: the field, or the header itself when it is no field
/// or when an earlier column already took that field (both are kept). A blank header is
/// `column N`.
pub fn assign(headers: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let key = match field_for(h) {
            Some(f) if !taken.iter().any(|t| t == f) => f.to_owned(),
            _ if h.is_empty() => format!("column {}", i + 1),
            _ => h.clone(),
        };
        // Two unknown headers spelled alike: the second is kept under a numbered name.
        let key = if taken.contains(&key) {
            format!("{key} ({})", i + 1)
        } else {
            key
        };
        taken.push(key);
    }
    taken
}

/// A cell as the API would have sent the field: numbers for the counts and the rating,
/// booleans for the flags, strings for the rest (dates stay as written).
pub fn value_for(field: &str, cell: &str) -> Value {
    match field {
        "rating" | "helpfulCount" | "notHelpfulCount" | "deviceRAM" | "deviceStorageCapacity" => {
            integer(cell).map_or_else(|| Value::String(cell.to_owned()), |n| Value::Number(Number::from(n)))
        }
        "isRevised" | "isTouchEnabled" => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => Value::String(cell.to_owned()),
        },
        _ => Value::String(cell.to_owned()),
    }
}

/// "4", "4.0", "1,024" and "4 stars" as 4, 4, 1024, 4; None for anything else.
fn integer(cell: &str) -> Option<i64> {
    let digits: String = cell.split_whitespace().next()?.chars().filter(|c| *c != ',').collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits);
    digits.parse().ok()
}
