use super::*;
use crate::store::Review;
use crate::store::dates::parse_store_date;

/// A report as Partner Center might lay it out: its own header names, US dates, an extra column.
const REPORT: &str = "Review ID\tDate\tRating\tTitle\tReview\tReviewer name\tCountry/Region\tPackage version\tOS version\tDevice type\tHelpful\tNot helpful\tResponse\tResponse date\tSentiment\n\
b5e27de9-2334-4849-d17d-4eae3e1e7aa9\t5/24/2026 1:14:46 AM\t1\tCrashes\t\"Crashes on start,\ttabs \"\"quoted\"\"\nand lines\"\tAnn\tUS\t3.1.4.0\tWindows 11\tPC\t3\t0\t\t\tnegative\n\
c0ffee00-0000-4000-8000-000000000001\t05/31/2026\t5 stars\tGreat\tLove it\tBo\tDE\t3.1.4.0\tWindows 10\tPC\t\t\tThanks!\t6/1/2026 9:00 PM\tpositive\n";

fn utf16(text: &str, bom: bool, little: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut units: Vec<u16> = text.encode_utf16().collect();
    if bom {
        units.insert(0, 0xFEFF);
    }
    for u in units {
        out.extend(if little { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

fn check_rows(report: &Report) {
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.rows.len(), 2);
    let first = &report.rows[0];
    assert_eq!(first.id(), "b5e27de9-2334-4849-d17d-4eae3e1e7aa9");
    assert_eq!(first.line, 2);
    assert_eq!(first.review["rating"], 1);
    assert_eq!(
        first.review["reviewText"],
        "Crashes on start,\ttabs \"quoted\"\nand lines"
    );
    assert_eq!(first.review["market"], "US");
    assert_eq!(first.review["helpfulCount"], 3);
    assert_eq!(first.review["Sentiment"], "negative", "unknown columns are kept");
    assert!(first.review.get("responseText").is_none(), "empty cells are left out");
    let second = &report.rows[1];
    assert_eq!(second.line, 4, "the quoted line break moves the line count on");
    assert_eq!(second.review["rating"], 5);
    assert_eq!(second.review["responseText"], "Thanks!");
    // The cache reads the rows as it reads the API's reviews, dates included.
    let parsed: Review = serde_json::from_value(Value::Object(first.review.clone())).unwrap();
    assert_eq!(parsed.timestamp, parse_store_date("2026-05-24T01:14:46Z"));
    let parsed: Review = serde_json::from_value(Value::Object(second.review.clone())).unwrap();
    assert_eq!(parsed.timestamp, parse_store_date("2026-05-31"));
    assert_eq!(parsed.response_timestamp, parse_store_date("2026-06-01T21:00:00Z"));
    assert!(parsed.is_answered());
}

#[test]
fn reads_utf8_with_and_without_a_bom() {
    check_rows(&parse(REPORT.as_bytes()).unwrap());
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(REPORT.as_bytes());
    check_rows(&parse(&bom).unwrap());
}

#[test]
fn reads_utf16_le_and_be() {
    check_rows(&parse(&utf16(REPORT, true, true)).unwrap());
    check_rows(&parse(&utf16(REPORT, true, false)).unwrap());
    // Excel's "Unicode Text" without its BOM.
    check_rows(&parse(&utf16(REPORT, false, true)).unwrap());
}

#[test]
fn shuffled_and_renamed_headers_map_to_the_same_fields() {
    let text = "COUNTRY\treview_text\tstars\treview-id\tReviewer\tDate (UTC)\n\
US\tfine\t4\tr-1\tAnn\t2026-05-01\n";
    let report = parse(text.as_bytes()).unwrap();
    assert_eq!(
        report.columns,
        ["market", "reviewText", "rating", "id", "reviewerName", "date"]
    );
    let row = &report.rows[0];
    assert_eq!(
        (row.id(), &row.review["rating"], &row.review["reviewText"]),
        ("r-1", &Value::from(4), &Value::from("fine"))
    );
}

#[test]
fn no_id_column_is_refused_naming_the_headers() {
    let e = parse(b"Date\tRating\tReview\n5/1/2026\t3\tok\n").unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ReportError::NoIdColumn { .. }));
    assert!(msg.contains("\"Date\", \"Rating\", \"Review\""), "{msg}");
}

#[test]
fn bad_rows_are_skipped_and_named() {
    let text = "id\trating\n\tmissing id\nr-1\t2\textra cell\nr-2\t3\n";
    let report = parse(text.as_bytes()).unwrap();
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].id(), "r-2");
    assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);
    assert!(report.skipped[0].starts_with("line 2: no review ID"));
    assert!(report.skipped[1].starts_with("line 3: 3 cells"));
}

#[test]
fn undecodable_and_empty_files_are_refused() {
    assert_eq!(parse(b""), Err(ReportError::Empty));
    assert_eq!(parse(b"\n\n"), Err(ReportError::Empty));
    assert!(matches!(parse(b"id\n\xff\xfe\xfd"), Err(ReportError::Encoding(_))));
    assert!(matches!(parse(&[0xFF, 0xFE, 0x41]), Err(ReportError::Encoding(_))));
}

#[test]
fn duplicate_field_headers_keep_both_columns() {
    let report = parse("Review ID\tid\tReview\tText\nr-1\tx\ta\tb\n".as_bytes()).unwrap();
    assert_eq!(report.columns, ["id", "id (2)", "reviewText", "Text"]);
    assert_eq!(report.rows[0].review["Text"], "b");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines of tab-separated cells drawn from report-like pieces, quotes and tabs included.
    fn report_text() -> impl Strategy<Value = String> {
        let cell = prop::sample::select(vec![
            "",
            "r-1",
            "r-2",
            "5/24/2026 1:14:46 AM",
            "4",
            "x\"y",
            "\"a\tb\"",
            "\"",
            "Review ID",
            "é日本",
            "\u{1b}]0;t\u{7}",
        ]);
        prop::collection::vec(prop::collection::vec(cell, 0..6), 0..6).prop_map(|lines| {
            let mut s = String::from("Review ID\tRating\tReview\n");
            for l in lines {
                s.push_str(&l.join("\t"));
                s.push('\n');
            }
            s
        })
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused_in_one_line(data in prop::collection::vec(any::<u8>(), 0..200)) {
            match parse(&data) {
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(!msg.contains('\n') && !msg.chars().any(crate::sanitize::is_forbidden), "{msg:?}");
                }
                Ok(r) => prop_assert!(r.rows.iter().all(|row| !row.id().trim().is_empty())),
            }
        }

        #[test]
        fn every_row_has_an_id_and_reads_as_a_review(text in report_text(), utf16_le in any::<bool>()) {
            let bytes = if utf16_le { utf16(&text, true, true) } else { text.clone().into_bytes() };
            let report = parse(&bytes).unwrap();
            prop_assert_eq!(report.headers.len(), report.columns.len());
            for row in &report.rows {
                prop_assert!(!row.id().trim().is_empty());
                prop_assert!(serde_json::from_value::<Review>(Value::Object(row.review.clone())).is_ok());
            }
        }
    }
}
