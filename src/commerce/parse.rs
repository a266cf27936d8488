//! Reading an export file (or an import file) one review at a time, whatever its format: CSV
//! with a header, a JSON array, `{"items": [...]}`, or JSON lines. Nothing holds the whole file:
//! a JSON array is cut into its elements by a small scanner and each element parsed alone.

use std::io::BufRead;

use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    /// A JSON array, or an object whose first array (`items`) holds the reviews.
    Json,
    Jsonl,
}

/// One record: its line number (1-based, of its first line) and its fields.
pub enum Record {
    Csv { line: u64, fields: Vec<(String, String)> },
    Json { line: u64, object: Map<String, Value> },
}

impl Record {
    pub fn line(&self) -> u64 {
        match self {
            Record::Csv { line, .. } | Record::Json { line, .. } => *line,
        }
    }
}

/// What is wrong with a file as a whole, in one sentence.
pub fn check_encoding(head: &[u8]) -> Result<(), String> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; save it as UTF-8 (in Excel: Save As → CSV UTF-8) and try again".into());
    }
    if head.is_empty() || head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("the file is empty: it needs a header line and at least one review".into());
    }
    Ok(())
}

/// Looks at the first bytes to tell the format.
pub fn detect(head: &[u8]) -> Result<FileFormat, String> {
    check_encoding(head)?;
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = body.iter().position(|b| !b.is_ascii_whitespace()).map(|i| body[i]);
    Ok(match first {
        Some(b'[') => FileFormat::Json,
        Some(b'{') => {
            // JSON lines when the first line is a complete object; otherwise one document.
            let start = body.iter().position(|b| *b == b'{').unwrap_or(0);
            let line_end = body[start..].iter().position(|b| *b == b'\n').map(|e| start + e);
            match line_end {
                Some(end) if serde_json::from_slice::<Value>(&body[start..end]).is_ok_and(|v| v.is_object()) => {
                    FileFormat::Jsonl
                }
                // A one-line file: JSON lines unless it is a wrapper with an `items` array.
                None if serde_json::from_slice::<Value>(&body[start..]).is_ok_and(|v| v.get("items").is_none()) => {
                    FileFormat::Jsonl
                }
                _ => FileFormat::Json,
            }
        }
        _ => FileFormat::Csv,
    })
}

/// Two columns (or keys of one object) that name the same storefront field (`isPublished` twice,
/// or `rating` and `Rating`): which one holds the review's value cannot be told, and keeping both
/// would write a review that does not read back the same. Answers the field and the two names
/// with their places (0-based).
fn same_field_twice<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<(&'static str, Named<'a>, Named<'a>)> {
    let mut seen: Vec<(&'static str, &'a str, usize)> = Vec::new();
    for (n, name) in names.into_iter().enumerate() {
        let Some(field) = super::review::field_named(name) else {
            continue;
        };
        if let Some(&(_, first, at)) = seen.iter().find(|(f, _, _)| *f == field) {
            return Some((field, (first, at), (name, n)));
        }
        seen.push((field, name, n));
    }
    None
}

/// A column's or key's name, and its place.
type Named<'a> = (&'a str, usize);

fn one_column_per_field(headers: &[String]) -> Result<(), String> {
    match same_field_twice(headers.iter().map(String::as_str)) {
        None => Ok(()),
        Some((field, (a, i), (b, j))) => Err(format!(
            "the header has two columns for {field}, \"{}\" (column {}) and \"{}\" (column {}): remove or rename one",
            crate::sanitize::sanitize_line(a),
            i + 1,
            crate::sanitize::sanitize_line(b),
            j + 1
        )),
    }
}

/// [`same_field_twice`] for one JSON review, whose `userResponse` object also names fields
/// (`responderName`, `responseText`, and its `submittedDateTime` as `responseDateTime`).
fn one_key_per_field(object: &Map<String, Value>, line: u64) -> Result<(), String> {
    let mut names: Vec<&str> = Vec::with_capacity(object.len());
    for (key, value) in object {
        match value {
            Value::Object(inner) if super::review::normalise_name(key) == "userresponse" => {
                names.extend(inner.keys().filter_map(|k| super::review::user_response_field(k)));
            }
            _ => names.push(key),
        }
    }
    match same_field_twice(names) {
        None => Ok(()),
        Some((field, (a, _), (b, _))) => Err(format!(
            "line {line} has two fields for {field}, \"{}\" and \"{}\": remove or rename one",
            crate::sanitize::sanitize_line(a),
            crate::sanitize::sanitize_line(b),
        )),
    }
}

/// Calls `each` for every record of `input` (already detected as `format`). Stops at the first
/// error `each` returns, or at the first record that cannot be read.
pub fn for_each_record<R: BufRead>(
    format: FileFormat,
    input: R,
    mut each: impl FnMut(Record) -> Result<(), String>,
) -> Result<u64, String> {
    let mut count = 0u64;
    match format {
        FileFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
            let headers: Vec<String> = reader
                .headers()
                .map_err(|e| csv_problem(&e))?
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
                .collect();
            one_column_per_field(&headers)?;
            let mut record = csv::StringRecord::new();
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => return Err(csv_problem(&e)),
                }
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let line = record.position().map_or(0, |p| p.line());
                let fields = headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.clone(), v.to_owned()))
                    .collect();
                count += 1;
                each(Record::Csv { line, fields })?;
            }
        }
        FileFormat::Jsonl => {
            for (i, line) in input.split(b'\n').enumerate() {
                let line = line.map_err(|e| format!("cannot read the file: {e}"))?;
                let text = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
                if text.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                let object = match serde_json::from_slice::<Value>(text) {
                    Ok(Value::Object(o)) => o,
                    Ok(_) => return Err(format!("line {}: each line must be one JSON object", i + 1)),
                    Err(e) => return Err(format!("line {}: not JSON ({e})", i + 1)),
                };
                one_key_per_field(&object, i as u64 + 1)?;
                count += 1;
                each(Record::Json {
                    line: i as u64 + 1,
                    object,
                })?;
            }
        }
        FileFormat::Json => {
            let mut scanner = ArrayScanner::default();
            let mut line = 1u64;
            for b in input.bytes() {
                let b = b.map_err(|e| format!("cannot read the file: {e}"))?;
                if b == b'\n' {
                    line += 1;
                }
                match scanner.feed(b, line) {
                    Step::More => {}
                    Step::Done => break,
                    Step::Element(start_line, raw) => {
                        let object = match serde_json::from_slice::<Value>(&raw) {
                            Ok(Value::Object(o)) => o,
                            Ok(_) => return Err(format!("line {start_line}: each review must be a JSON object")),
                            Err(e) => return Err(format!("line {start_line}: not JSON ({e})")),
                        };
                        one_key_per_field(&object, start_line)?;
                        count += 1;
                        each(Record::Json {
                            line: start_line,
                            object,
                        })?;
                    }
                }
            }
            if !scanner.finished {
                return Err(format!(
                    "the JSON ends early (line {line}): no closing ] for the list of reviews; was the download cut off?"
                ));
            }
        }
    }
    Ok(count)
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { pos, .. } => format!(
            "line {}: not UTF-8 text; save the file as UTF-8 and try again",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        _ => format!("the CSV cannot be read: {e}"),
    }
}

enum Step {
    More,
    Done,
    Element(u64, Vec<u8>),
}

/// Cuts the elements out of the first JSON array in a stream (at the top level, or one level
/// down for `{"items": [...]}`), tracking strings so brackets inside text do not count.
#[derive(Default)]
struct ArrayScanner {
    depth: usize,
    array_depth: Option<usize>,
    in_string: bool,
    escaped: bool,
    element: Option<(u64, Vec<u8>)>,
    finished: bool,
}

impl ArrayScanner {
    fn feed(&mut self, b: u8, line: u64) -> Step {
        if let Some((_, buf)) = self.element.as_mut() {
            buf.push(b);
        }
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Step::More;
        }
        match b {
            b'"' => self.in_string = true,
            b'[' | b'{' => {
                self.depth += 1;
                match self.array_depth {
                    None if b == b'[' && self.depth <= 2 => self.array_depth = Some(self.depth),
                    Some(d) if self.depth == d + 1 && self.element.is_none() => {
                        self.element = Some((line, vec![b]));
                    }
                    _ => {}
                }
            }
            b']' | b'}' => {
                let closing = self.depth;
                self.depth = self.depth.saturating_sub(1);
                match self.array_depth {
                    Some(d) if closing == d => {
                        self.finished = true;
                        return Step::Done;
                    }
                    Some(d) if closing == d + 1 => {
                        if let Some((start, buf)) = self.element.take() {
                            return Step::Element(start, buf);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Step::More
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Result<Vec<(u64, String)>, String> {
        let format = detect(text.as_bytes())?;
        let mut out = Vec::new();
        for_each_record(format, text.as_bytes(), |r| {
            let line = r.line();
            let t = match r {
                Record::Csv { fields, .. } => fields
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
                Record::Json { object, .. } => Value::Object(object).to_string(),
            };
            out.push((line, t));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn formats_are_told_apart_and_read() {
        let csv = collect("\u{feff}Title,Rating\n\"a, [b]\",5\n\"multi\nline\",4\n,\n").unwrap();
        assert_eq!(
            csv,
            [
                (2, "Title=a, [b],Rating=5".into()),
                (3, "Title=multi\nline,Rating=4".into())
            ]
        );
        let arr = collect("[\n {\"t\": \"x]}\\\"\"},\n {\"t\": [1]}\n]").unwrap();
        assert_eq!(arr, [(2, r#"{"t":"x]}\""}"#.into()), (3, r#"{"t":[1]}"#.into())]);
        let wrapped = collect("{\n \"items\": [{\"a\":1}],\n \"pagingInfo\": {\"totalItems\": 1}\n}").unwrap();
        assert_eq!(wrapped.len(), 1);
        let lines = collect("{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        assert_eq!(lines, [(1, r#"{"a":1}"#.into()), (3, r#"{"a":2}"#.into())]);
        assert_eq!(collect("{\"a\":1}").unwrap().len(), 1);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(detect(b"").unwrap_err().contains("empty"));
        assert!(detect(b"\xFF\xFEa\0").unwrap_err().contains("UTF-16"));
        assert!(collect("[{\"a\":1},").unwrap_err().contains("ends early"));
        assert!(collect("{\"a\":1}\nnope\n").unwrap_err().contains("line 2"));
        let bad_utf8: &[u8] = b"Title\n\xff\xfe\n";
        let err = for_each_record(FileFormat::Csv, bad_utf8, |_| Ok(())).unwrap_err();
        assert!(err.contains("UTF-8"), "{err}");
    }
}
