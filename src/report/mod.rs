//! The Partner Center Reviews report (the `.tsv` its "Download reports" gives), read into the
//! Store's review JSON so that the cache holds imported reviews exactly like fetched ones.
//!
//! Its columns, encoding, quoting and date format are undocumented (store-api.md §1.3,
//! "Related data"), so everything here is tolerant and driven by the header line:
//! - encoding: UTF-8 with or without a BOM, UTF-16 LE or BE with a BOM (Excel's "Unicode
//!   text"), and UTF-16 LE without one when the bytes plainly are (every other byte zero);
//! - quoting: Excel's (a cell in double quotes may hold tabs, line breaks and doubled quotes);
//! - headers: matched case-, space-, underscore-, hyphen- and punctuation-insensitively to the
//!   analytics field names ([`headers::field_for`]); a column that matches nothing is kept under
//!   its header, as the API's unknown fields are;
//! - values: dates stay as written (the cache parses the US forms and ISO, as for the API),
//!   numbers and booleans become JSON numbers and booleans when they read as such.
//!
//! [`parse`] is pure (bytes in, rows out) so that the fuzz target calls it directly.

mod headers;

use serde_json::{Map, Value};

pub use headers::field_for;

/// Why a file is not a Reviews report we can read; each message is one sentence for the person.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error(
        "the file is empty: download the Reviews report again from Partner Center (Insights, Reviews, Download reports)"
    )]
    Empty,
    #[error(
        "the file is neither UTF-8 nor UTF-16 with a byte-order mark ({0}): open it in Excel and save it as \"Unicode Text\" or \"UTF-8\""
    )]
    Encoding(String),
    #[error("the file's header line cannot be read as tab-separated text ({0})")]
    Header(String),
    #[error(
        "no review-ID column among the headers {seen}: the report needs a column such as \"Review ID\" (the review's GUID); download the Reviews report with all columns"
    )]
    NoIdColumn { seen: String },
}

/// One review read from the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// The line of the file it starts on (1 is the header).
    pub line: usize,
    /// The review as the Store's JSON object: `id`, `reviewText`, ..., unknown columns under
    /// their header. Empty cells are left out, as the API leaves out missing fields.
    pub review: Map<String, Value>,
}

impl ReportRow {
    pub fn id(&self) -> &str {
        self.review.get("id").and_then(Value::as_str).unwrap_or("")
    }

    pub fn application_id(&self) -> Option<&str> {
        self.review
            .get("applicationId")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// What [`parse`] made of a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The header line as written.
    pub headers: Vec<String>,
    /// Per header, the field it was read into (its own header when unknown).
    pub columns: Vec<String>,
    pub rows: Vec<ReportRow>,
    /// Lines that were not read, each with why: "line 7: no review ID".
    pub skipped: Vec<String>,
}

/// Reads a Reviews report. Refuses the whole file only when it cannot be decoded, has no
/// header, or has no review-ID column; a bad row is skipped and named in [`Report::skipped`].
pub fn parse(bytes: &[u8]) -> Result<Report, ReportError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    // The header is the first line that is not blank.
    let headers: Vec<String> = loop {
        match records.next() {
            None => return Err(ReportError::Empty),
            Some(Err(e)) => return Err(ReportError::Header(e.to_string())),
            Some(Ok(r)) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Some(Ok(r)) => break r.iter().map(|h| h.trim().to_owned()).collect(),
        }
    };
    let columns = headers::assign(&headers);
    if !columns.iter().any(|c| c == "id") {
        let seen = headers
            .iter()
            .map(|h| format!("{:?}", crate::sanitize::sanitize_line(h)))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ReportError::NoIdColumn { seen });
    }
    let mut report = Report {
        headers,
        columns,
        ..Report::default()
    };
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                report.skipped.push(format!("line {line}: cannot be read ({e})"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > report.columns.len() {
            report.skipped.push(format!(
                "line {line}: {} cells for {} headers (a tab inside a cell that is not quoted?)",
                record.len(),
                report.columns.len()
            ));
            continue;
        }
        let mut review = Map::new();
        for (column, cell) in report.columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            if !cell.is_empty() {
                review.insert(column.clone(), headers::value_for(column, cell));
            }
        }
        match review.get("id").and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => report.rows.push(ReportRow { line, review }),
            _ => report.skipped.push(format!("line {line}: no review ID")),
        }
    }
    Ok(report)
}

/// The file's text, by its byte-order mark (or, without one, UTF-8, or UTF-16 LE when every
/// other byte of the start is zero, as Excel's "Unicode Text" is).
fn decode(bytes: &[u8]) -> Result<String, ReportError> {
    if bytes.is_empty() {
        return Err(ReportError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    let head = &bytes[..bytes.len().min(64)];
    let looks_utf16le = head.len() >= 4 && head.iter().skip(1).step_by(2).all(|b| *b == 0);
    if looks_utf16le && !head.iter().step_by(2).all(|b| *b == 0) {
        return utf16(bytes, u16::from_le_bytes);
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, ReportError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|e| ReportError::Encoding(format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to())))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ReportError> {
    if bytes.len() % 2 != 0 {
        return Err(ReportError::Encoding("UTF-16 with an odd number of bytes".into()));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| ReportError::Encoding(format!("invalid UTF-16 ({e})")))
}

#[cfg(test)]
mod tests;
