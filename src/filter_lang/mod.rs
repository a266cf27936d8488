//! The Store's filter language, shared: the emulator answers the `filter` query parameter with
//! it, and the client evaluates saved views, the UI's filter form and `reviews --filter` with
//! the same parser on its own reviews. Statements `field op value` and
//! `contains(field,'text')` joined by `and`/`or`.
//!
//! Grammar (undocumented parts are emulator choices):
//! ```text
//! expr    := conj ("or" conj)*            // [INF] `and` binds tighter than `or`
//! conj    := primary ("and" primary)*
//! primary := "(" expr ")"                 // [INF] parentheses are accepted
//!          | "contains" "(" field "," string ")"
//!          | field op value               // [INF] `field contains 'x'` also works
//! value   := 'single-quoted' | number | true | false
//! ```
//! [INF] inside a string `''` stands for one `'` (the OData convention).

use chrono::NaiveDateTime;

pub mod fields;
mod store_review;

use crate::emulator::dates;
pub use fields::{Field, HasFields, Kind, Op, Val};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Cmp { field: Field, op: Op, value: Lit },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// Lower-cased (string comparisons ignore case).
    Str(String),
    Num(f64),
    Bool(bool),
    /// A date, and whether only its day is compared (no time was given).
    Date(NaiveDateTime, bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Word(String),
    Str(String),
    Num(f64),
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, String> {
    let mut out = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some(&(pos, c)) = it.peek() {
        match c {
            c if c.is_whitespace() => {
                it.next();
            }
            '(' | ')' | ',' => {
                it.next();
                let tok = match c {
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    _ => Tok::Comma,
                };
                out.push((pos, tok));
            }
            '\'' => {
                it.next();
                let mut s = String::new();
                loop {
                    match it.next() {
                        Some((_, '\'')) if it.peek().is_some_and(|&(_, n)| n == '\'') => {
                            it.next();
                            s.push('\'');
                        }
                        Some((_, '\'')) => break,
                        Some((_, ch)) => s.push(ch),
                        None => {
                            return Err(format!("unterminated string starting at position {pos}"));
                        }
                    }
                }
                out.push((pos, Tok::Str(s)));
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut s = String::new();
                while let Some(&(_, ch)) = it.peek() {
                    if ch.is_ascii_digit() || ch == '.' || (ch == '-' && s.is_empty()) {
                        s.push(ch);
                        it.next();
                    } else {
                        break;
                    }
                }
                let n = s
                    .parse()
                    .map_err(|_| format!("'{s}' at position {pos} is not a number"))?;
                out.push((pos, Tok::Num(n)));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::new();
                while let Some(&(_, ch)) = it.peek() {
                    if ch.is_alphanumeric() || ch == '_' {
                        s.push(ch);
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push((pos, Tok::Word(s)));
            }
            // Shown as its code point when it cannot be shown: the sentence reaches a
            // terminal (the CLI, the filter form, the emulator's 400 body).
            other if crate::sanitize::is_forbidden(other) || other.is_control() => {
                return Err(format!("unexpected character U+{:04X} at position {pos}", other as u32));
            }
            other => return Err(format!("unexpected character '{other}' at position {pos}")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.len, |(p, _)| *p)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).map(|(_, t)| t.clone());
        self.at += 1;
        t
    }

    fn keyword(&mut self, kw: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw));
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), String> {
        let pos = self.pos();
        match self.next() {
            Some(t) if t == want => Ok(()),
            _ => Err(format!("expected {what} at position {pos}")),
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.conj()?];
        while self.keyword("or") {
            parts.push(self.conj()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn conj(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.primary()?];
        while self.keyword("and") {
            parts.push(self.primary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Open) => {
                let e = self.expr()?;
                self.expect(Tok::Close, "')'")?;
                Ok(e)
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("contains") && self.peek() == Some(&Tok::Open) => {
                self.next();
                let field = self.field()?;
                self.expect(Tok::Comma, "','")?;
                let value = self.value()?;
                self.expect(Tok::Close, "')'")?;
                statement(field, Op::Contains, value)
            }
            Some(Tok::Word(w)) => {
                let field = lookup(&w)?;
                let op_pos = self.pos();
                let op = match self.next() {
                    Some(Tok::Word(o)) => Op::parse(&o).ok_or_else(|| format!("'{o}' is not a supported operator"))?,
                    _ => return Err(format!("expected an operator at position {op_pos}")),
                };
                let value = self.value()?;
                statement(field, op, value)
            }
            _ => Err(format!("expected a field name, 'contains' or '(' at position {pos}")),
        }
    }

    fn field(&mut self) -> Result<Field, String> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Word(w)) => lookup(&w),
            _ => Err(format!("expected a field name at position {pos}")),
        }
    }

    fn value(&mut self) -> Result<Tok, String> {
        let pos = self.pos();
        match self.next() {
            Some(t @ (Tok::Str(_) | Tok::Num(_))) => Ok(t),
            Some(Tok::Word(w)) if w == "true" || w == "false" => Ok(Tok::Word(w)),
            _ => Err(format!("expected a value at position {pos}")),
        }
    }
}

fn lookup(name: &str) -> Result<Field, String> {
    Field::lookup(name)
        .filter(|f| !f.filter_ops().is_empty())
        .ok_or_else(|| format!("'{name}' is not a supported filter field"))
}

/// Checks the operator against the field's whitelist and the value against its type.
fn statement(field: Field, op: Op, value: Tok) -> Result<Expr, String> {
    let name = field.name();
    if !field.filter_ops().contains(&op) {
        return Err(format!("operator '{}' is not supported for field '{name}'", op.name()));
    }
    let lit = match (field.kind(), value) {
        (Kind::Str, Tok::Str(s)) => Lit::Str(s.to_lowercase()),
        (Kind::Num, Tok::Num(n)) => Lit::Num(n),
        // [INF] booleans may also be quoted ('true').
        (Kind::Bool, Tok::Word(w)) => Lit::Bool(w == "true"),
        (Kind::Bool, Tok::Str(s)) if s.eq_ignore_ascii_case("true") => Lit::Bool(true),
        (Kind::Bool, Tok::Str(s)) if s.eq_ignore_ascii_case("false") => Lit::Bool(false),
        // [INF] a responseDate value is a quoted date; without a time only the day is compared.
        (Kind::Date, Tok::Str(s)) => match dates::parse_date_only(s.trim()) {
            Some(d) => Lit::Date(d.and_hms_opt(0, 0, 0).unwrap_or_default(), true),
            None => Lit::Date(
                dates::parse_datetime_lenient(&s).ok_or_else(|| {
                    format!(
                        "'{}' is not a valid date for field '{name}'",
                        crate::sanitize::sanitize_line(&s)
                    )
                })?,
                false,
            ),
        },
        (kind, _) => {
            let want = match kind {
                Kind::Str => "a single-quoted string",
                Kind::Num => "a number",
                Kind::Bool => "true or false",
                Kind::Date => "a single-quoted date",
            };
            return Err(format!("field '{name}' expects {want}"));
        }
    };
    Ok(Expr::Cmp { field, op, value: lit })
}

/// Parses a filter; the error names the offending field, operator or position.
pub fn parse(src: &str) -> Result<Expr, String> {
    let toks = lex(src).map_err(|e| format!("Invalid filter: {e}"))?;
    let mut p = Parser {
        toks,
        at: 0,
        len: src.len(),
    };
    let e = p.expr().map_err(|e| format!("Invalid filter: {e}"))?;
    if p.at < p.toks.len() {
        return Err(format!("Invalid filter: unexpected input at position {}", p.pos()));
    }
    Ok(e)
}

/// Case-insensitive substring test, without allocating when both sides are ASCII.
fn contains_ci(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle_lower.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle_lower)
    }
}

fn eq_ci(hay: &str, lower: &str) -> bool {
    hay.eq_ignore_ascii_case(lower) || (!hay.is_ascii() && hay.to_lowercase() == lower)
}

impl Expr {
    // [INF] a review that omits the field: `ne` matches, every other operator does not
    // (OData null semantics). [INF] string `eq`/`ne` ignore case, like a SQL CI collation.
    pub fn matches<R: HasFields + ?Sized>(&self, r: &R) -> bool {
        match self {
            Expr::Or(v) => v.iter().any(|e| e.matches(r)),
            Expr::And(v) => v.iter().all(|e| e.matches(r)),
            Expr::Cmp { field, op, value } => {
                let ord = match (r.field(*field), value) {
                    (Val::Str(Some(s)), Lit::Str(lower)) => {
                        return match op {
                            Op::Contains => contains_ci(s, lower),
                            Op::Eq => eq_ci(s, lower),
                            _ => !eq_ci(s, lower),
                        };
                    }
                    (Val::Num(Some(n)), Lit::Num(v)) => n.partial_cmp(v),
                    (Val::Bool(Some(b)), Lit::Bool(v)) => Some(b.cmp(v)),
                    (Val::Date(Some(d)), Lit::Date(v, day_only)) => {
                        Some(if *day_only { d.date().cmp(&v.date()) } else { d.cmp(v) })
                    }
                    _ => None,
                };
                match ord {
                    None => *op == Op::Ne,
                    Some(o) => match op {
                        Op::Eq => o.is_eq(),
                        Op::Ne => o.is_ne(),
                        Op::Gt => o.is_gt(),
                        Op::Lt => o.is_lt(),
                        Op::Ge => o.is_ge(),
                        Op::Le => o.is_le(),
                        Op::Contains => false,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::data::{Review, review_from_json};
    use serde_json::json;

    fn review(v: serde_json::Value) -> Review {
        let now = crate::emulator::dates::parse_datetime_lenient("2024-05-01T10:00:00Z").unwrap();
        review_from_json("9NBLGGGZ5QDR", "Contoso", &v, now, "id-1".into())
    }

    fn check(filter: &str, r: &Review) -> bool {
        parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(r)
    }

    #[test]
    fn doc_example_parses_and_matches() {
        let f = "contains(reviewText,'great') and contains(reviewText,'ads') and deviceRAM lt 2048 and market eq 'US'";
        let hit = review(json!({"reviewText": "Great app, no ADS", "deviceRAM": 1024, "market": "US"}));
        let big = review(json!({"reviewText": "Great app, no ADS", "deviceRAM": 4096, "market": "US"}));
        let no_ram = review(json!({"reviewText": "Great app, no ADS", "market": "US"}));
        assert!(check(f, &hit));
        assert!(!check(f, &big));
        assert!(!check(f, &no_ram), "an omitted deviceRAM is not lt 2048");
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let r = review(json!({"market": "DE", "rating": 1}));
        // market eq 'US' and rating eq 5  or  market eq 'DE'  => (false) or (true)
        assert!(check("market eq 'US' and rating eq 5 or market eq 'DE'", &r));
        // If `or` bound tighter this would be US and (5 or DE) => false. Parentheses change it.
        assert!(!check("market eq 'US' and (rating eq 5 or market eq 'DE')", &r));
        assert!(matches!(parse("a eq 1").unwrap_err(), e if e.contains("'a'")));
        let tree = parse("rating eq 1 or rating eq 2 and market eq 'US'").unwrap();
        assert!(matches!(&tree, Expr::Or(v) if v.len() == 2 && matches!(v[1], Expr::And(_))));
    }

    #[test]
    fn contains_is_case_insensitive_including_non_ascii() {
        let r = review(json!({"reviewTitle": "Übersichtlich UND schnell", "reviewText": "Ça MARCHE"}));
        assert!(check("contains(reviewTitle,'übersichtlich')", &r));
        assert!(check("contains(reviewText, 'ça marche')", &r));
        assert!(check("reviewText contains 'march'", &r));
        assert!(!check("contains(reviewText,'nope')", &r));
        assert!(check("reviewTitle eq 'übersichtlich und SCHNELL'", &r));
    }

    #[test]
    fn escaped_quotes() {
        let r = review(json!({"reviewerName": "Liam O'Connor"}));
        assert!(check("reviewerName eq 'Liam O''Connor'", &r));
        assert!(!check("reviewerName eq 'Liam O'", &r));
        assert!(parse("reviewerName eq 'Liam O'Connor'").is_err());
        assert!(parse("reviewerName eq 'open").unwrap_err().contains("unterminated"));
    }

    #[test]
    fn whitelist_errors_name_the_culprit() {
        let e = parse("market gt 'US'").unwrap_err();
        assert!(e.contains("'gt'") && e.contains("'market'"), "{e}");
        let e = parse("contains(market,'U')").unwrap_err();
        assert!(e.contains("'contains'") && e.contains("'market'"), "{e}");
        let e = parse("helpfulCount ge 3").unwrap_err();
        assert!(e.contains("'ge'") && e.contains("'helpfulCount'"), "{e}");
        for field in ["applicationId", "date", "stars"] {
            let e = parse(&format!("{field} eq 'x'")).unwrap_err();
            assert!(e.contains(&format!("'{field}'")), "{e}");
        }
        let e = parse("rating like 5").unwrap_err();
        assert!(e.contains("'like'"), "{e}");
        assert!(parse("rating eq 'five'").unwrap_err().contains("'rating'"));
        assert!(parse("market eq US").is_err());
        assert!(parse("rating eq 5 and").is_err());
        assert!(parse("(rating eq 5").is_err());
        assert!(parse("rating eq 5)").is_err());
    }

    #[test]
    fn numbers_booleans_and_missing_fields() {
        let r = review(json!({"rating": 4, "isRevised": true, "deviceStorageCapacity": 51200}));
        assert!(check("rating ge 4 and rating le 4 and rating gt 3 and rating lt 5", &r));
        assert!(!check("rating ne 4", &r));
        assert!(check("isRevised eq true", &r));
        assert!(check("isRevised ne 'false'", &r));
        assert!(check("deviceStorageCapacity gt 51199.5", &r));
        assert!(check("market ne 'US'", &r), "omitted market is ne 'US'");
        assert!(!check("market eq 'US'", &r));
        assert!(check("isTouchEnabled ne true", &r));
        assert!(check("deviceRAM ne -1", &r));
    }

    #[test]
    fn response_date_compares_by_day_or_instant() {
        let r = review(json!({"responseDate": "2015-08-07T01:50:22.9874488Z"}));
        assert!(check("responseDate eq '2015-08-07'", &r));
        assert!(check("responseDate eq '8/7/2015'", &r));
        assert!(!check("responseDate eq '2015-08-08'", &r));
        assert!(check("responseDate ne '2015-08-07T01:50:22Z'", &r));
        assert!(parse("responseDate eq 'someday'").is_err());
    }
}
