//! Rows of named columns written as a table, JSON, JSON lines, CSV or TSV: the one writer behind
//! `--format` (and `--columns`) of every command a script reads: `reviews`, `history`,
//! `eligibility`, `outbox list`, `profile list`, `stats`. CSV, TSV and JSON lines are written
//! row by row ([`RowWriter`]), so an export of any size holds one row at a time.
//!
//! Every format treats the text as hostile, whatever stdout is:
//! - table: one sanitised line per row ([`sanitize_line`]), cut to the terminal width;
//! - JSON and JSON lines: every C0/C1 and bidi control escaped as `\uXXXX` ([`output::write_json`]);
//! - CSV (RFC 4180, CRLF line ends, quotes doubled): cells pass through [`sanitize_text`], so
//!   newlines stay (quoted) and nothing else below U+0020 or in U+007F..U+009F or the bidi
//!   controls does; a tab becomes four spaces;
//! - TSV: as CSV, then a line break is written `\n` and a backslash `\\`, so that each row is
//!   one line and no cell holds a tab;
//! - CSV and TSV text cells that a spreadsheet would run as a formula (starting with `=`, `+`,
//!   `-`, `@`, tab or CR) get a leading apostrophe, as OWASP advises; so does a cell that
//!   already starts with one, so that [`restore_formula`] (used by `respond --batch`) gives back
//!   exactly the text that was exported. Numbers and booleans are written as they are.

use std::io::{self, Write};

use clap::ValueEnum;
use serde_json::{Map, Value};

use super::output;
use crate::sanitize::{display_width, pad_to_width, sanitize_line, sanitize_text, truncate_to_width};
use crate::session::usage;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// For people: sanitised, one line per row, cut to the width (COLUMNS, else 100).
    /// (`text` is the same, the name `eligibility` and `profile list` used before.)
    #[value(alias = "text")]
    Table,
    /// One array of objects.
    Json,
    /// One object per line.
    Jsonl,
    /// RFC 4180, spreadsheet-safe.
    Csv,
    /// Tab-separated, one row per line, `\n` and `\\` escaped.
    Tsv,
}

/// The characters a spreadsheet reads as the start of a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `v` with an apostrophe in front when a spreadsheet would run it as a formula, or when it
/// already starts with an apostrophe (so that [`restore_formula`] can tell the two apart).
pub fn defuse_formula(v: String) -> String {
    if v.starts_with(FORMULA_STARTS) || v.starts_with('\'') {
        format!("'{v}")
    } else {
        v
    }
}

/// Undoes [`defuse_formula`]: one leading apostrophe goes when a formula character or another
/// apostrophe follows it. Text written by hand that starts with `'` and a letter is kept.
pub fn restore_formula(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => v,
    }
}

/// The columns asked for with `--columns a,b,c`, matched case-insensitively against `valid`
/// and given back in `valid`'s spelling, in the order asked; one sentence for the first that is
/// not a column.
pub fn parse_columns(spec: &str, valid: &[&'static str]) -> anyhow::Result<Vec<&'static str>> {
    let mut chosen = Vec::new();
    for name in spec.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(usage(format!(
                "--columns {:?} has an empty name: give names separated by commas, such as {}",
                sanitize_line(spec),
                valid[..valid.len().min(3)].join(",")
            )));
        }
        match valid.iter().find(|v| v.eq_ignore_ascii_case(name)) {
            Some(v) => chosen.push(*v),
            None => {
                return Err(usage(format!(
                    "--columns: {:?} is not a column; the columns are {}",
                    sanitize_line(name),
                    valid.join(", ")
                )));
            }
        }
    }
    Ok(chosen)
}

/// A JSON value as one CSV/TSV/table cell: strings as they are, null as empty, arrays and
/// objects as compact JSON. The flag says whether it is text (and so may need defusing).
fn cell_text(v: Option<&Value>) -> (String, bool) {
    match v {
        None | Some(Value::Null) => (String::new(), false),
        Some(Value::String(s)) => (s.clone(), true),
        Some(Value::Bool(b)) => (b.to_string(), false),
        Some(Value::Number(n)) => (n.to_string(), false),
        Some(other) => (other.to_string(), true),
    }
}

/// A cell for CSV: sanitised (newlines kept) and defused.
fn csv_cell(v: Option<&Value>) -> String {
    let (text, is_text) = cell_text(v);
    let clean = sanitize_text(&text);
    if is_text { defuse_formula(clean) } else { clean }
}

/// A cell for TSV: as for CSV, then `\` and line breaks escaped so the row stays one line.
fn tsv_cell(v: Option<&Value>) -> String {
    let cell = csv_cell(v);
    if !cell.contains(['\\', '\n']) {
        return cell;
    }
    let mut out = String::with_capacity(cell.len() + 8);
    for c in cell.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Only the chosen keys of a row, in the order chosen; a key the row lacks is `null`, so every
/// object has the same keys. (`serde_json::Map` would sort them.)
struct Selected<'a> {
    columns: &'a [&'a str],
    row: &'a Map<String, Value>,
}

impl serde::Serialize for Selected<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for c in self.columns {
            map.serialize_entry(c, self.row.get(*c).unwrap_or(&Value::Null))?;
        }
        map.end()
    }
}

/// Each item as one line of compact, escaped JSON.
pub fn write_jsonl<T: serde::Serialize>(out: &mut dyn Write, items: &[T]) -> io::Result<()> {
    for item in items {
        output::write_json_compact(out, item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the `columns` of `rows` (objects, such as a review's Store JSON) in `format`.
pub fn write_rows(
    out: &mut dyn Write,
    format: ExportFormat,
    columns: &[&str],
    rows: &[Map<String, Value>],
) -> io::Result<()> {
    match format {
        ExportFormat::Json => {
            let selected: Vec<Selected<'_>> = rows.iter().map(|row| Selected { columns, row }).collect();
            output::write_json(&mut &mut *out, &selected)
        }
        ExportFormat::Table => write_table(out, columns, rows, output::terminal_width()),
        streamed => {
            let mut w = RowWriter::new(out, streamed, columns)?;
            for row in rows {
                w.row(row)?;
            }
            w.finish()
        }
    }
}

/// CSV, TSV or JSON lines of chosen columns, one row at a time: nothing but the row being
/// written is held, whatever the number of rows.
pub enum RowWriter<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>, &'a [&'a str]),
    Tsv(&'a mut dyn Write, &'a [&'a str], String),
    Jsonl(&'a mut dyn Write, &'a [&'a str]),
}

impl<'a> RowWriter<'a> {
    /// The header is written at once (CSV, TSV). `format` must be csv, tsv or jsonl.
    pub fn new(out: &'a mut dyn Write, format: ExportFormat, columns: &'a [&'a str]) -> io::Result<Self> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                w.write_record(columns)?;
                RowWriter::Csv(Box::new(w), columns)
            }
            ExportFormat::Tsv => {
                writeln!(out, "{}", columns.join("\t"))?;
                RowWriter::Tsv(out, columns, String::new())
            }
            ExportFormat::Jsonl => RowWriter::Jsonl(out, columns),
            other => {
                return Err(io::Error::other(format!("{other:?} is not written row by row")));
            }
        })
    }

    pub fn row(&mut self, row: &Map<String, Value>) -> io::Result<()> {
        match self {
            RowWriter::Csv(w, columns) => Ok(w.write_record(columns.iter().map(|c| csv_cell(row.get(*c))))?),
            RowWriter::Tsv(out, columns, line) => {
                line.clear();
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        line.push('\t');
                    }
                    line.push_str(&tsv_cell(row.get(*c)));
                }
                line.push('\n');
                out.write_all(line.as_bytes())
            }
            RowWriter::Jsonl(out, columns) => {
                output::write_json_compact(*out, &Selected { columns, row })?;
                out.write_all(b"\n")
            }
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            RowWriter::Csv(mut w, _) => w.flush(),
            RowWriter::Tsv(out, ..) | RowWriter::Jsonl(out, _) => out.flush(),
        }
    }
}

/// A value's JSON object (its fields by their serialised names); empty for anything else.
pub fn to_object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The answer of a command that lists things (profiles, outbox items, eligibility): `table` is
/// the command's own layout for people; json the whole objects as an array (or the one object,
/// with `one`), jsonl one per line; CSV and TSV the `columns`.
pub fn write_listing(
    out: &mut dyn Write,
    format: ExportFormat,
    columns: &[&str],
    items: &[Map<String, Value>],
    shape: Shape,
    table: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match (format, shape) {
        (ExportFormat::Table, _) => table(out),
        (ExportFormat::Json, Shape::One) if items.len() == 1 => output::write_json(&mut &mut *out, &items[0]),
        (ExportFormat::Json, _) => output::write_json(&mut &mut *out, &items),
        (ExportFormat::Jsonl, _) => write_jsonl(out, items),
        (format, _) => write_rows(out, format, columns, items),
    }
}

/// Whether a command answers with one object (`eligibility`) or a list.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    One,
    List,
}

/// Widest a column other than the last may be; the last takes what is left of the width.
const MAX_COLUMN: usize = 36;

/// Headers in capitals, each column as wide as its widest cell (capped), the last one cut to
/// what is left of `width`.
fn write_table(out: &mut dyn Write, columns: &[&str], rows: &[Map<String, Value>], width: usize) -> io::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| columns.iter().map(|c| sanitize_line(&cell_text(r.get(*c)).0)).collect())
        .collect();
    let headers: Vec<String> = columns.iter().map(|c| c.to_ascii_uppercase()).collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| display_width(&row[i]))
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
                .min(MAX_COLUMN)
        })
        .collect();
    let fixed: usize = widths.iter().rev().skip(1).map(|w| w + 2).sum();
    let last = width.saturating_sub(fixed).max(10);
    let line = |values: &[String]| {
        let mut s = String::new();
        for (i, v) in values.iter().enumerate() {
            if i + 1 == values.len() {
                s.push_str(&truncate_to_width(v, last));
            } else {
                s.push_str(&pad_to_width(&truncate_to_width(v, widths[i]), widths[i]));
                s.push_str("  ");
            }
        }
        s.trim_end().to_owned()
    };
    writeln!(out, "{}", line(&headers))?;
    for row in &cells {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<Map<String, Value>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect()
    }

    fn written(format: ExportFormat, columns: &[&str], data: &[Map<String, Value>]) -> String {
        let mut buf = Vec::new();
        write_rows(&mut buf, format, columns, data).unwrap();
        String::from_utf8(buf).unwrap()
    }

    const HOSTILE: &str = "a\u{1b}]52;c;aGVsbG8=\u{7}b\u{9b}2Jc\u{202e}d\u{0}e\u{7f}f\tg\r\nh";

    #[test]
    fn csv_and_tsv_carry_no_control_or_bidi_characters() {
        let data = rows(json!([{"t": HOSTILE, "n": 3}]));
        for format in [ExportFormat::Csv, ExportFormat::Tsv, ExportFormat::Table] {
            let s = written(format, &["t", "n"], &data);
            let bad: Vec<char> = s
                .chars()
                .filter(|c| crate::sanitize::is_forbidden(*c) && !matches!(c, '\r' | '\t'))
                .collect();
            assert!(bad.is_empty(), "{format:?}: {s:?}");
            assert!(s.contains("abcdef"), "{format:?}: {s:?}");
        }
        // CSV: CR only as the record terminator; TSV: tabs only between cells.
        let csv = written(ExportFormat::Csv, &["t", "n"], &data);
        assert_eq!(csv, "t,n\r\n\"abcdef    g\nh\",3\r\n");
        let tsv = written(ExportFormat::Tsv, &["t", "n"], &data);
        assert_eq!(tsv, "t\tn\nabcdef    g\\nh\t3\n");
    }

    #[test]
    fn json_escapes_what_csv_removes() {
        let data = rows(json!([{"t": HOSTILE}]));
        for format in [ExportFormat::Json, ExportFormat::Jsonl] {
            let s = written(format, &["t"], &data);
            assert!(!s.chars().any(crate::sanitize::is_forbidden), "{s:?}");
            let first = s.lines().next().unwrap();
            let back: Value = if format == ExportFormat::Json {
                serde_json::from_str(&s).unwrap()
            } else {
                serde_json::from_str(first).unwrap()
            };
            let t = if format == ExportFormat::Json {
                &back[0]["t"]
            } else {
                &back["t"]
            };
            assert_eq!(t, HOSTILE, "{format:?} keeps the data");
        }
    }

    #[test]
    fn formulas_are_defused_and_restored() {
        for text in ["=1+1", "+1", "-2", "@SUM(A1)", "'quoted", "''", "plain", "'=x", ""] {
            let defused = defuse_formula(text.to_owned());
            assert!(!defused.starts_with(FORMULA_STARTS), "{text}: {defused}");
            assert_eq!(restore_formula(&defused), text, "{defused}");
        }
        let data = rows(json!([{"t": "=HYPERLINK(\"http://evil\")", "n": -1}]));
        let csv = written(ExportFormat::Csv, &["t", "n"], &data);
        assert_eq!(csv, "t,n\r\n\"'=HYPERLINK(\"\"http://evil\"\")\",-1\r\n");
        // Hand-written text starting with an apostrophe and a letter stays as written.
        assert_eq!(restore_formula("'tis"), "'tis");
    }

    #[test]
    fn columns_are_matched_and_unknown_ones_named() {
        let valid = ["id", "reviewText", "rating"];
        assert_eq!(parse_columns("RATING, id", &valid).unwrap(), vec!["rating", "id"]);
        let e = parse_columns("id,stars", &valid).unwrap_err().to_string();
        assert!(e.contains("\"stars\"") && e.contains("id, reviewText, rating"), "{e}");
        assert!(parse_columns("id,,rating", &valid).is_err());
    }

    #[test]
    fn selected_json_objects_have_every_chosen_key() {
        let data = rows(json!([{"id": "a", "x": 1}, {"id": "b"}]));
        let s = written(ExportFormat::Jsonl, &["x", "id"], &data);
        assert_eq!(s, "{\"x\":1,\"id\":\"a\"}\n{\"x\":null,\"id\":\"b\"}\n");
    }

    #[test]
    fn table_fits_the_width() {
        let data = rows(json!([{"id": "r1", "text": "x".repeat(300)}, {"id": "r2", "text": "日本語"}]));
        let mut buf = Vec::new();
        write_table(&mut buf, &["id", "text"], &data, 40).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.lines().all(|l| display_width(l) <= 40), "{s}");
        assert!(s.starts_with("ID  TEXT\n"), "{s}");
        assert!(s.lines().nth(2).unwrap().ends_with("日本語"), "{s}");
    }
}
