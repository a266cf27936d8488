//! Reading and checking an import file before anything is sent: CSV with a header, or JSON
//! lines, one review per row, the connector's fields matched case-insensitively.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::parse::{FileFormat, Record, detect, for_each_record};
use super::review::normalise_name;
use super::{STOREFRONT_TEXT_LIMIT, STOREFRONT_TITLE_LIMIT, SubmitRequest, fnv64};

/// [INF] Import files are checked whole before sending, so they are read into memory: this
/// bounds that. A bigger file can be split; the journal makes importing the parts safe.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

/// Values for the connector's required query parameters when a row has none.
#[derive(Clone, Debug)]
pub struct RowDefaults {
    /// [INF] `en-us`.
    pub locale: String,
    /// [INF] the encoding of `encodedUser` is unknown; the value is sent as given.
    pub user: String,
}

impl Default for RowDefaults {
    fn default() -> Self {
        Self {
            locale: "en-us".into(),
            user: "imported-review".into(),
        }
    }
}

/// One row ready to send.
#[derive(Clone, Debug)]
pub struct ImportItem {
    pub line: u64,
    pub request: SubmitRequest,
    /// The request's hash and its ordinal among identical rows of the file.
    pub row_key: String,
    /// Product, title and text: what an export shows of it.
    pub content_key: String,
}

#[derive(Debug, Default)]
pub struct ImportFile {
    pub format: Option<FileFormat>,
    pub items: Vec<ImportItem>,
    /// `(line, sentence)` of rows that cannot be sent.
    pub problems: Vec<(u64, String)>,
    /// `(line, sentence)` of rows that can be sent but may be cut or refused.
    pub warnings: Vec<(u64, String)>,
    /// Columns that are no Submit a Review field (not sent).
    pub unknown_columns: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    ProductId,
    Rating,
    Title,
    ReviewText,
    ProductName,
    Sku,
    LegalEntity,
    SubmittedDateTime,
    ExtendedProperties,
    Locale,
    Market,
    ChannelId,
    User,
}

fn field(norm: &str) -> Option<Field> {
    use Field::*;
    Some(match norm {
        "productid" => ProductId,
        "rating" => Rating,
        "title" => Title,
        "reviewtext" | "text" => ReviewText,
        "productname" => ProductName,
        "sku" => Sku,
        "legalentity" => LegalEntity,
        "submitteddatetime" | "submitteddate" | "date" => SubmittedDateTime,
        "extendedproperties" => ExtendedProperties,
        "locale" => Locale,
        "market" => Market,
        "channelid" => ChannelId,
        "user" | "encodeduser" | "username" => User,
        _ => return None,
    })
}

pub const COLUMNS: &str = "productId, rating, title, reviewText, productName (required); sku, legalEntity, submittedDateTime, extendedProperties, locale, market, channelId, user (optional)";

/// Reads and checks the whole file. `Err` is a problem with the file as a whole.
pub fn read_import_file(path: &Path, defaults: &RowDefaults) -> Result<ImportFile, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "{} is {:.1} GB, more than the {} MB reviewdesk checks at once: split it into smaller files (the journal keeps importing them one after another safe)",
            path.display(),
            meta.len() as f64 / 1e9,
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    read_import(&path.display().to_string(), BufReader::new(file), defaults)
}

/// [`read_import_file`] of bytes already in memory (the fuzz target's entry point); `name`
/// stands for the file in the sentences.
pub fn read_import_bytes(name: &str, bytes: &[u8], defaults: &RowDefaults) -> Result<ImportFile, String> {
    read_import(name, bytes, defaults)
}

fn read_import<R: BufRead>(name: &str, mut reader: R, defaults: &RowDefaults) -> Result<ImportFile, String> {
    let head = reader
        .fill_buf()
        .map_err(|e| format!("cannot read {name}: {e}"))?
        .to_vec();
    let format = detect(&head).map_err(|e| format!("{name}: {e}"))?;
    if format == FileFormat::Json {
        return Err(format!(
            "{name} is one JSON document; import takes CSV with a header line or JSON lines (one review object per line)"
        ));
    }
    let mut out = ImportFile {
        format: Some(format),
        ..ImportFile::default()
    };
    let mut ordinals: HashMap<u64, u32> = HashMap::new();
    for_each_record(format, reader, |record| {
        let line = record.line();
        let pairs: Vec<(String, Value)> = match record {
            Record::Csv { fields, .. } => fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect(),
            Record::Json { object, .. } => object.into_iter().collect(),
        };
        match check_row(&pairs, defaults, &mut out.unknown_columns) {
            Ok((request, warnings)) => {
                for w in warnings {
                    out.warnings.push((line, w));
                }
                let hash = fnv64([serde_json::to_string(&request).unwrap_or_default().as_str()]);
                let n = ordinals.entry(hash).or_insert(0);
                *n += 1;
                let content_key = content_key(
                    &request.product_id,
                    request.body["Title"].as_str().unwrap_or(""),
                    request.body["ReviewText"].as_str().unwrap_or(""),
                );
                out.items.push(ImportItem {
                    line,
                    request,
                    row_key: format!("{hash:016x}#{n}"),
                    content_key,
                });
            }
            Err(problems) => out.problems.extend(problems.into_iter().map(|p| (line, p))),
        }
        Ok(())
    })
    .map_err(|e| format!("{name}: {e}"))?;
    if out.items.is_empty() && out.problems.is_empty() {
        return Err(format!("{name} has a header but no reviews"));
    }
    Ok(out)
}

/// What an export shows of a review, to tell whether a row whose answer was lost arrived.
pub fn content_key(product_id: &str, title: &str, text: &str) -> String {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{:016x}", fnv64([product_id.trim(), &squash(title), &squash(text)]))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn valid_date(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

type Checked = (SubmitRequest, Vec<String>);

fn check_row(
    pairs: &[(String, Value)],
    defaults: &RowDefaults,
    unknown: &mut Vec<String>,
) -> Result<Checked, Vec<String>> {
    let mut values: HashMap<u8, Value> = HashMap::new();
    for (name, v) in pairs {
        match field(&normalise_name(name)) {
            Some(f) => {
                values.entry(f as u8).or_insert_with(|| v.clone());
            }
            None => {
                if !unknown.iter().any(|u| u == name) {
                    unknown.push(name.clone());
                }
            }
        }
    }
    let get = |f: Field| values.get(&(f as u8));
    let text = |f: Field| get(f).and_then(as_text);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut required = |f: Field, name: &str| {
        let t = text(f);
        if t.is_none() {
            problems.push(format!("{name} is missing or empty"));
        }
        t.unwrap_or_default()
    };
    let product_id = required(Field::ProductId, "productId");
    let title = required(Field::Title, "title");
    let review_text = required(Field::ReviewText, "reviewText");
    let product_name = required(Field::ProductName, "productName");
    let rating = match get(Field::Rating) {
        None => {
            problems.push("rating is missing: give a whole number from 1 to 5".into());
            0
        }
        Some(v) => {
            let parsed = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match parsed {
                Some(r) if r.fract() == 0.0 && (1.0..=5.0).contains(&r) => r as u8,
                _ => {
                    let shown = crate::sanitize::sanitize_line(&as_text(v).unwrap_or_else(|| v.to_string()));
                    problems.push(format!("rating {shown:?} is not a whole number from 1 to 5"));
                    0
                }
            }
        }
    };
    let submitted = text(Field::SubmittedDateTime);
    if let Some(d) = &submitted
        && !valid_date(d)
    {
        problems.push(format!(
            "submittedDateTime {:?} is not an ISO 8601 date such as 2024-05-31T14:00:00Z",
            crate::sanitize::sanitize_line(d)
        ));
    }
    let extended = match get(Field::ExtendedProperties) {
        None => None,
        Some(Value::Object(o)) => Some(Value::Object(o.clone())),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ Value::Object(_)) => Some(v),
            _ => {
                problems.push("extendedProperties is not a JSON object such as {\"color\":\"red\"}".into());
                None
            }
        },
        Some(_) => {
            problems.push("extendedProperties is not a JSON object".into());
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    if review_text.chars().count() > STOREFRONT_TEXT_LIMIT {
        warnings.push(format!(
            "reviewText has {} characters; the storefront shows at most {STOREFRONT_TEXT_LIMIT} by default",
            review_text.chars().count()
        ));
    }
    if title.chars().count() > STOREFRONT_TITLE_LIMIT {
        warnings.push(format!(
            "title has {} characters; the storefront shows at most {STOREFRONT_TITLE_LIMIT} by default",
            title.chars().count()
        ));
    }
    let mut body = Map::new();
    body.insert("Rating".into(), json!(rating));
    body.insert("Title".into(), json!(title));
    body.insert("ReviewText".into(), json!(review_text));
    body.insert("ProductName".into(), json!(product_name));
    if let Some(s) = text(Field::Sku) {
        body.insert("Sku".into(), json!(s));
    }
    if let Some(s) = text(Field::LegalEntity) {
        body.insert("LegalEntity".into(), json!(s));
    }
    if let Some(e) = extended {
        body.insert("ExtendedProperties".into(), e);
    }
    if let Some(d) = submitted {
        // The connector's one lowercase key.
        body.insert("submittedDateTime".into(), json!(d));
    }
    Ok((
        SubmitRequest {
            product_id,
            locale: text(Field::Locale).unwrap_or_else(|| defaults.locale.clone()),
            encoded_user: text(Field::User).unwrap_or_else(|| defaults.user.clone()),
            channel_id: text(Field::ChannelId),
            market: text(Field::Market),
            body: Value::Object(body),
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ImportFile, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.csv");
        std::fs::write(&p, text).unwrap();
        read_import_file(&p, &RowDefaults::default())
    }

    #[test]
    fn every_bad_row_is_named_with_its_line() {
        let f = read(
            "ProductID,Rating,Title,ReviewText,ProductName,SubmittedDateTime,Colour\n\
             p1,5,Good,Fine,Shoe,2024-05-31T10:00:00Z,red\n\
             p1,0,Bad,Meh,Shoe,,\n\
             p1,five,Bad,Meh,Shoe,,\n\
             ,3,T,X,Shoe,31/05/2024,\n",
        )
        .unwrap();
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].request.body["submittedDateTime"], "2024-05-31T10:00:00Z");
        assert_eq!(f.unknown_columns, ["Colour"]);
        let lines: Vec<u64> = f.problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, [3, 4, 5, 5]);
        assert!(f.problems[1].1.contains("\"five\""), "{:?}", f.problems);
        assert!(f.problems[3].1.contains("ISO 8601"));
    }

    #[test]
    fn identical_rows_get_distinct_keys_and_limits_warn() {
        let long = "x".repeat(501);
        let f = read(&format!(
            "{{\"productId\":\"p\",\"rating\":4,\"title\":\"t\",\"reviewText\":\"r\",\"productName\":\"n\"}}\n\
             {{\"productId\":\"p\",\"rating\":4,\"title\":\"t\",\"reviewText\":\"r\",\"productName\":\"n\"}}\n\
             {{\"productId\":\"p\",\"rating\":\"2\",\"title\":\"t\",\"reviewText\":\"{long}\",\"productName\":\"n\",\"user\":\"u1\"}}\n"
        ))
        .unwrap();
        assert_eq!(f.items.len(), 3);
        assert_ne!(f.items[0].row_key, f.items[1].row_key);
        assert_eq!(f.items[0].content_key, f.items[1].content_key);
        assert_eq!(f.items[2].request.encoded_user, "u1");
        assert_eq!(f.items[0].request.locale, "en-us");
        assert_eq!(f.warnings.len(), 1);
        assert!(read("").unwrap_err().contains("empty"));
        assert!(read("productId,rating\n").unwrap_err().contains("no reviews"));
    }
}
