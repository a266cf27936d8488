//! Placeholders in a template body: `{reviewer}`, `{reviewer|there}` (with a fallback), and
//! `{{` / `}}` for literal braces. A body is parsed once, when the templates are loaded, so an
//! unknown placeholder is reported with its line before anything is rendered.

use std::fmt;

use chrono::Datelike;

use crate::sanitize::sanitize_line;
use crate::store::Review;

/// Every placeholder a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placeholder {
    Reviewer,
    App,
    Version,
    Market,
    Title,
    Rating,
    SupportEmail,
    Date,
}

impl Placeholder {
    pub const ALL: [Placeholder; 8] = [
        Self::Reviewer,
        Self::App,
        Self::Version,
        Self::Market,
        Self::Title,
        Self::Rating,
        Self::SupportEmail,
        Self::Date,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Reviewer => "reviewer",
            Self::App => "app",
            Self::Version => "version",
            Self::Market => "market",
            Self::Title => "title",
            Self::Rating => "rating",
            Self::SupportEmail => "support_email",
            Self::Date => "date",
        }
    }

    pub fn from_name(name: &str) -> Option<Placeholder> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// "{reviewer}, {app}, …": for error messages.
    pub fn list() -> String {
        Self::ALL.map(|p| format!("{{{}}}", p.name())).join(", ")
    }
}

/// One piece of a parsed body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Value {
        placeholder: Placeholder,
        fallback: Option<String>,
    },
}

/// A body that parsed: text and placeholders in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub source: String,
    pub pieces: Vec<Piece>,
}

/// What is wrong with a body, and on which of its lines (1-based, within the body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyError {
    pub line: usize,
    pub message: String,
    /// The placeholder as written (`{reviwer}`), to find it in the file.
    pub token: Option<String>,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Body {
    pub fn parse(source: &str) -> Result<Body, BodyError> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut line = 1;
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut inner = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        inner.push(c);
                    }
                    if !closed || inner.contains('\n') {
                        return Err(BodyError {
                            line,
                            message: "a `{` is not closed on its line: close the placeholder with `}`, or write `{{` \
                                      for a literal brace"
                                .into(),
                            token: None,
                        });
                    }
                    let (name, fallback) = match inner.split_once('|') {
                        Some((n, f)) => (n.trim(), Some(f.to_owned())),
                        None => (inner.trim(), None),
                    };
                    let Some(placeholder) = Placeholder::from_name(name) else {
                        return Err(BodyError {
                            line,
                            message: format!(
                                "unknown placeholder {{{}}}: the known ones are {} (write `{{{{` for a literal brace)",
                                sanitize_line(name),
                                Placeholder::list()
                            ),
                            token: Some(format!("{{{inner}}}")),
                        });
                    };
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Value { placeholder, fallback });
                }
                '}' => {
                    return Err(BodyError {
                        line,
                        message: "a `}` without its `{`: write `}}` for a literal brace".into(),
                        token: None,
                    });
                }
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    text.push(c);
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Body {
            source: source.to_owned(),
            pieces,
        })
    }

    /// The placeholders used, in order of first use.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        let mut out = Vec::new();
        for p in &self.pieces {
            if let Piece::Value { placeholder, .. } = p {
                if !out.contains(placeholder) {
                    out.push(*placeholder);
                }
            }
        }
        out
    }

    /// Fills every placeholder from `values`. A value that is missing (and has no fallback)
    /// stays as `{name}` in the text and is listed in `unfilled`: the policy check blocks it.
    pub fn render(&self, values: &Values) -> Rendered {
        let mut text = String::with_capacity(self.source.len() + 32);
        let mut unfilled = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Value { placeholder, fallback } => match (values.get(*placeholder), fallback) {
                    (Some(v), _) => text.push_str(v),
                    (None, Some(f)) => text.push_str(f),
                    (None, None) => {
                        text.push('{');
                        text.push_str(placeholder.name());
                        text.push('}');
                        if !unfilled.contains(placeholder) {
                            unfilled.push(*placeholder);
                        }
                    }
                },
            }
        }
        Rendered { text, unfilled }
    }
}

/// A rendered reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Placeholders with no value and no fallback (left as `{name}` in the text).
    pub unfilled: Vec<Placeholder>,
}

/// The values for one review. Every one is cleaned when set: review fields are written by
/// strangers, and none of their control characters, line breaks or bidi controls may reach a
/// reply. A value that is empty after cleaning counts as missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    values: [Option<String>; 8],
}

/// Longest value put into a reply, in characters: a 300-character "name" would eat the
/// Store's 1000-character limit.
const MAX_VALUE_CHARS: usize = 80;

impl Values {
    pub fn get(&self, p: Placeholder) -> Option<&str> {
        self.values[p as usize].as_deref()
    }

    pub fn set(&mut self, p: Placeholder, value: Option<&str>) {
        self.values[p as usize] = value.and_then(clean_value);
    }

    /// The values a review gives (and the support email the app's listing or the person chose).
    pub fn for_review(review: &Review, support_email: Option<&str>) -> Values {
        let mut v = Values::default();
        v.set(Placeholder::Reviewer, review.reviewer_name.as_deref());
        v.set(Placeholder::App, review.application_name.as_deref());
        v.set(Placeholder::Version, review.package_version.as_deref());
        v.set(Placeholder::Market, review.market.as_deref());
        v.set(Placeholder::Title, review.review_title.as_deref());
        v.set(Placeholder::Rating, review.rating.map(|r| r.to_string()).as_deref());
        v.set(Placeholder::SupportEmail, support_email);
        let date = review
            .timestamp
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(ymd);
        v.set(Placeholder::Date, date.as_deref());
        v
    }
}

/// The date as `%Y-%m-%d`, without parsing that format for every review of a bulk reply.
pub(super) fn ymd(d: chrono::DateTime<chrono::Utc>) -> String {
    match d.year() {
        0..=9999 => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

fn clean_value(raw: &str) -> Option<String> {
    if is_clean(raw) {
        return Some(raw.to_owned());
    }
    cleaned(raw)
}

pub(super) fn cleaned(raw: &str) -> Option<String> {
    // sanitize_line drops control characters, escape sequences and bidi controls and turns line
    // breaks into spaces; zero-width and format characters go too, so a name cannot hide text.
    let line = sanitize_line(raw);
    let cleaned: String = line
        .chars()
        .filter(|c| !matches!(*c as u32, 0x200B..=0x200D | 0x2060..=0x2064 | 0xFEFF | 0x00AD))
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    Some(match collapsed.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", collapsed[..cut].trim_end()),
        None => collapsed,
    })
}

/// Whether [`clean_value`] would give `raw` back as it is (most names, apps and versions):
/// nothing to drop, single spaces only between words, not too long.
pub(super) fn is_clean(raw: &str) -> bool {
    let mut prev_space = true;
    let mut chars = 0;
    for c in raw.chars() {
        chars += 1;
        let hidden =
            crate::sanitize::is_forbidden(c) || matches!(c as u32, 0x200B..=0x200D | 0x2060..=0x2064 | 0xFEFF | 0x00AD);
        let space = c.is_whitespace();
        if hidden || (space && (c != ' ' || prev_space)) || chars > MAX_VALUE_CHARS {
            return false;
        }
        prev_space = space;
    }
    chars > 0 && !prev_space
}
