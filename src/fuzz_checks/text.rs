//! Text people write into files reviewdesk reads: the Reviews report, templates, filters.

use std::path::Path;

use super::{assert_displayable, assert_one_displayable_line, hostile_review, is_unsafe};
use crate::filter_lang::{Expr, Lit, Op};
use crate::templates::{Body, Values, parse_template};
use crate::views::{Condition, View, parse_filter};

/// The Partner Center Reviews report (.tsv, any encoding): a refusal is one displayable line;
/// every row has a review ID and reads as a review the cache accepts.
pub fn reviews_report(data: &[u8]) {
    match crate::report::parse(data) {
        Err(e) => assert_one_displayable_line("the report error", &e.to_string()),
        Ok(report) => {
            assert_eq!(report.headers.len(), report.columns.len());
            for row in &report.rows {
                assert!(!row.id().trim().is_empty(), "a row without an ID: {row:?}");
                let value = serde_json::Value::Object(row.review.clone());
                serde_json::from_value::<crate::store::Review>(value).expect("a row reads as a review");
            }
        }
    }
}

/// The filter language as the client uses it (saved views, the filter form, `reviews
/// --filter`): a refusal is one displayable line; an expression written back in the language
/// parses to the same expression; a view matches exactly what its expression does.
pub fn filter_view(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let reviews = [hostile_review(), crate::store::Review::default()];
    match parse_filter(src) {
        Err(e) => {
            assert_one_displayable_line("the filter error", &e);
            let view = View::new("fuzz", src, Condition::Any).expect_err("the view refuses what the filter does");
            assert_one_displayable_line("the view error", &view.to_string());
        }
        Ok(None) => assert!(src.trim().is_empty(), "{src:?} read as no filter"),
        Ok(Some(expr)) => {
            let view = View::new("fuzz", src, Condition::Any).expect("the view takes what the filter does");
            for r in &reviews {
                assert_eq!(view.matches(r), expr.matches(r), "{src:?} on {r:?}");
            }
            if let Some(written) = unparse_filter(&expr) {
                let again = parse_filter(&written)
                    .unwrap_or_else(|e| panic!("{src:?} written back as {written:?} is refused: {e}"))
                    .expect("an expression");
                assert_eq!(again, expr, "{src:?} written back as {written:?}");
            }
        }
    }
}

/// An expression written back in the filter language. `None` for what has no single spelling
/// (dates, numbers beyond f64's range).
pub fn unparse_filter(e: &Expr) -> Option<String> {
    let joined = |parts: &[Expr], sep: &str, bare: fn(&Expr) -> bool| -> Option<String> {
        let written: Option<Vec<String>> = parts
            .iter()
            .map(|p| unparse_filter(p).map(|w| if bare(p) { w } else { format!("({w})") }))
            .collect();
        Some(written?.join(sep))
    };
    match e {
        Expr::Or(parts) => joined(parts, " or ", |p| !matches!(p, Expr::Or(_))),
        Expr::And(parts) => joined(parts, " and ", |p| matches!(p, Expr::Cmp { .. })),
        Expr::Cmp { field, op, value } => {
            let value = match value {
                Lit::Str(s) => format!("'{}'", s.replace('\'', "''")),
                Lit::Num(n) if n.is_finite() => format!("{n}"),
                Lit::Bool(b) => b.to_string(),
                Lit::Num(_) | Lit::Date(..) => return None,
            };
            Some(match op {
                Op::Contains => format!("contains({},{value})", field.name()),
                op => format!("{} {} {value}", field.name(), op.name()),
            })
        }
    }
}

/// A reply template file (TOML with `body`, `variants`, `hints`): a refusal is one displayable
/// line naming the file and a line within it; a template renders for a hostile review with
/// every placeholder filled and, when its own text is displayable, nothing the review brought
/// makes the reply undisplayable. Any text with its braces doubled is a body that renders back
/// to that text.
pub fn template(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let path = Path::new("/templates/fuzz.toml");
    let values = Values::for_review(&hostile_review(), Some("help@contoso.com"));
    match parse_template("fuzz", path, src) {
        Err(e) => {
            let text = format!("{e:#}");
            assert_one_displayable_line("the template error", &text);
            let rest = text
                .strip_prefix("/templates/fuzz.toml:")
                .unwrap_or_else(|| panic!("the error does not name the file: {text}"));
            let line: usize = rest
                .split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("the error names no line: {text}"));
            let lines = src.lines().count().max(1) + 1;
            assert!((1..=lines).contains(&line), "line {line} of {src:?}: {text}");
        }
        Ok(t) => {
            for body in std::iter::once(&t.body).chain(t.variants.values()) {
                let rendered = body.render(&values);
                assert!(
                    rendered.unfilled.is_empty(),
                    "unfilled {:?} in {:?}",
                    rendered.unfilled,
                    body.source
                );
                if !body.source.chars().any(is_unsafe) {
                    assert_displayable("the rendered reply", &rendered.text);
                }
            }
        }
    }
    let doubled = src.replace('{', "{{").replace('}', "}}");
    let body = Body::parse(&doubled).unwrap_or_else(|e| panic!("{doubled:?} with its braces doubled: {e}"));
    assert_eq!(body.render(&Values::default()).text, src, "doubled braces render back");
}
