//! The policy check: the Partner Center content rules for review responses
//! (`shared/reference/store-api.md` §2) as findings on one reply, before it is confirmed.
//!
//! Blocking: over the length limit, and a placeholder left unfilled. Warnings: compensation
//! for a rating, promotion (links, store links, "download our…"), profanity and insults,
//! personal data other than the support address, and a canned reply already sent to many
//! reviews that say different things. Every finding names its rule and the words that
//! triggered it. The word lists are per language, in `assets/policy/`.

pub mod duplicates;
pub mod words;

use std::fmt;

use crate::store::validate::{MAX_RESPONSE_UTF16, utf16_len};
use crate::templates::Placeholder;
use crate::templates::lang::text_language;
pub use duplicates::{HistoryIndex, SentReply};
use words::{Kind, Token, WordLists, tokens};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The reply cannot be confirmed as it is.
    Block,
    /// Shown; the person decides.
    Warn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    Length,
    UnfilledPlaceholder,
    Compensation,
    Promotion,
    Profanity,
    PersonalData,
    CannedReply,
}

impl Rule {
    /// A short name, as printed: "length", "compensation", …
    pub fn name(self) -> &'static str {
        match self {
            Rule::Length => "length",
            Rule::UnfilledPlaceholder => "unfilled placeholder",
            Rule::Compensation => "compensation for a rating",
            Rule::Promotion => "promotion",
            Rule::Profanity => "profanity or insult",
            Rule::PersonalData => "personal data",
            Rule::CannedReply => "canned reply",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// The words of the reply that triggered it, as written there.
    pub words: Vec<String>,
    /// One sentence: what is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Block => "blocks",
            Severity::Warn => "warning",
        };
        write!(f, "{level} [{}]: {}", self.rule.name(), self.message)?;
        if !self.words.is_empty() {
            let quoted: Vec<String> = self
                .words
                .iter()
                .map(|w| format!("\"{}\"", crate::sanitize::sanitize_line(w)))
                .collect();
            write!(f, " ({})", quoted.join(", "))?;
        }
        Ok(())
    }
}

/// Whether any finding blocks.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Block)
}

/// What a reply is checked against besides its own text.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// The support address the reply goes out with: naming it is not personal data.
    pub support_email: Option<&'a str>,
    /// The review being answered: its ID (never counted as a duplicate of itself) and text.
    pub review: Option<&'a str>,
    pub review_text: Option<&'a str>,
    pub history: Option<&'a HistoryIndex>,
}

/// The loaded word lists; build once, check many replies.
#[derive(Clone, Debug)]
pub struct Policy {
    lists: WordLists,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            lists: WordLists::built_in(),
        }
    }
}

impl Policy {
    pub fn with_lists(lists: WordLists) -> Policy {
        Policy { lists }
    }

    /// Every finding for `reply`, blocking ones first.
    pub fn check(&self, reply: &str, ctx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let units = utf16_len(reply);
        if units > MAX_RESPONSE_UTF16 {
            out.push(Finding {
                rule: Rule::Length,
                severity: Severity::Block,
                words: Vec::new(),
                message: format!(
                    "the reply has {units} characters and the Store takes at most {MAX_RESPONSE_UTF16}: shorten it by {}",
                    units - MAX_RESPONSE_UTF16
                ),
            });
        }
        let unfilled = unfilled_placeholders(reply);
        if !unfilled.is_empty() {
            out.push(Finding {
                rule: Rule::UnfilledPlaceholder,
                severity: Severity::Block,
                message: "the review has no value for a placeholder: write the text in, or give the placeholder a \
                          fallback such as {reviewer|there}"
                    .into(),
                words: unfilled,
            });
        }
        let toks = tokens(reply);
        let langs = self.languages_for(reply);
        self.word_rules(reply, &toks, &langs, &mut out);
        out.extend(links(reply));
        out.extend(personal_data(reply, ctx.support_email));
        if let (Some(history), Some(review)) = (ctx.history, ctx.review) {
            let words = duplicates::sorted_set(toks.iter().map(|t| t.hash).collect());
            let d = history.check_words(&words, review, ctx.review_text);
            if d.different_reviews >= duplicates::CANNED_AFTER {
                out.push(Finding {
                    rule: Rule::CannedReply,
                    severity: Severity::Warn,
                    words: vec![opening(reply)],
                    message: format!(
                        "nearly the same reply already went to {}; Microsoft allows one reply to many only when \
                         it answers the same question: make it about this review",
                        if d.at_least {
                            format!("at least {} other reviews about something else", d.different_reviews)
                        } else {
                            format!(
                                "{} other reviews, {} of them about something else",
                                d.same_reply, d.different_reviews
                            )
                        }
                    ),
                });
            }
        }
        out.sort_by_key(|f| f.severity);
        out
    }

    /// The reply's language if the common words tell, else every language (a short reply
    /// could be any).
    fn languages_for(&self, reply: &str) -> Vec<&str> {
        let all = self.lists.languages();
        match text_language(reply, &all) {
            Some(l) => vec![l],
            None => all,
        }
    }

    fn word_rules(&self, reply: &str, toks: &[Token], langs: &[&str], out: &mut Vec<Finding>) {
        let (mut bad, mut promo, mut paid) = (Vec::new(), Vec::new(), Vec::new());
        for lang in langs {
            let Some(l) = self.lists.by_language.get(*lang) else {
                continue;
            };
            let found = l.matches(reply, toks);
            bad.extend(found[Kind::Profanity as usize].iter().map(|(w, _)| *w));
            promo.extend(found[Kind::Promotion as usize].iter().map(|(w, _)| *w));
            // An offer counts only in the sentence that asks for a rating change.
            let (offers, changes) = (&found[Kind::Offer as usize], &found[Kind::RatingChange as usize]);
            for (offer, s) in offers {
                for (change, s2) in changes {
                    if s == s2 {
                        paid.push(*offer);
                        paid.push(*change);
                    }
                }
            }
        }
        let mut push = |words: Vec<&str>, rule: Rule, message: &str| {
            let mut words: Vec<String> = words.into_iter().map(str::to_owned).collect();
            words.dedup();
            if !words.is_empty() {
                out.push(Finding {
                    rule,
                    severity: Severity::Warn,
                    words,
                    message: message.to_owned(),
                });
            }
        };
        push(
            paid,
            Rule::Compensation,
            "the reply seems to offer something for a better rating, which the App Developer Agreement forbids: \
             offer help, not a reward",
        );
        push(
            promo,
            Rule::Promotion,
            "the reply seems to market or promote another app or service, which the Store does not allow in responses",
        );
        push(
            bad,
            Rule::Profanity,
            "the reply contains a profane or insulting word: the Store allows nothing profane, aggressive or personal",
        );
    }
}

/// `{name}` of a known placeholder still in the text: a template value that was missing, or a
/// placeholder typed into a personalised reply.
pub fn unfilled_placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        let inner = &rest[..close];
        let name = inner.split('|').next().unwrap_or("").trim();
        if Placeholder::from_name(name).is_some() {
            let token = format!("{{{inner}}}");
            if !out.contains(&token) {
                out.push(token);
            }
        }
    }
    out
}

/// Links and store links: promotion whatever they point to (a support page belongs behind the
/// support address, which the customer gets anyway).
fn links(reply: &str) -> Option<Finding> {
    const SCHEMES: &[&str] = &[
        "http://",
        "https://",
        "www.",
        "ms-windows-store:",
        "ms-store:",
        "aka.ms/",
        "bit.ly/",
    ];
    let mut words = Vec::new();
    for raw in reply.split_whitespace() {
        let w = raw.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | '"' | '\'' | ',' | '.' | '!' | '?'));
        // Every scheme and store address has one of these (lowercasing makes none of them):
        // most words are passed over without being lowercased.
        if !w.contains(['.', ':', '/']) {
            continue;
        }
        let lower = w.to_lowercase();
        let store = lower.contains("apps.microsoft.com")
            || lower.contains("microsoft.com/store")
            || lower.contains("play.google.com")
            || lower.contains("apps.apple.com");
        // "//" before a scheme too ("https://www.…"), found without building "//{s}" for every
        // word and scheme: this runs on every reply of a bulk composer.
        let at_scheme =
            |s: &str| lower.starts_with(s) || lower.match_indices(s).any(|(i, _)| lower[..i].ends_with("//"));
        if store || SCHEMES.iter().any(|s| at_scheme(s)) {
            words.push(w.to_owned());
        }
    }
    (!words.is_empty()).then(|| Finding {
        rule: Rule::Promotion,
        severity: Severity::Warn,
        words,
        message: "the reply contains a link; links and store links count as promotion: point to the support address \
                  instead"
            .into(),
    })
}

/// Email addresses other than the support address, and phone numbers.
fn personal_data(reply: &str, support_email: Option<&str>) -> Option<Finding> {
    let support = support_email.map(|s| s.trim().to_lowercase());
    let mut words = Vec::new();
    // An address needs an `@`: a reply without one is not read word by word.
    let words_of_reply = reply
        .contains('@')
        .then(|| reply.split_whitespace())
        .into_iter()
        .flatten();
    for raw in words_of_reply {
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if looks_like_email(w) && support.as_deref() != Some(w.to_lowercase().as_str()) {
            words.push(w.to_owned());
        }
    }
    words.extend(phone_numbers(reply));
    (!words.is_empty()).then(|| Finding {
        rule: Rule::PersonalData,
        severity: Severity::Warn,
        words,
        message: "the reply contains an email address or phone number other than the support address: a public \
                  reply must not carry personal data"
            .into(),
    })
}

fn looks_like_email(w: &str) -> bool {
    match w.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.')
        }
        None => false,
    }
}

/// Runs of digits with the separators phone numbers use, holding 9 to 15 digits. Version
/// numbers (dots only, uneven groups) and dates (8 digits) are not phone numbers.
fn phone_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // Most replies have too few digits for any: they are not scanned further.
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() < 9 {
        return out;
    }
    let is_part = |b: u8| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'+' | b'/');
    let mut i = 0;
    while i < bytes.len() {
        // Every byte a run is made of is ASCII, so `i` is at a character wherever it matters.
        let b = bytes[i];
        let starts =
            b.is_ascii_digit() || ((b == b'+' || b == b'(') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        let after_word = starts
            && text[..i]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_alphanumeric() || p == '.');
        if !starts || after_word {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && is_part(bytes[j]) {
            j += 1;
        }
        let run = text[i..j].trim_end_matches(|c: char| !c.is_ascii_digit());
        let digits = run.bytes().filter(u8::is_ascii_digit).count();
        let followed_by_letter = text[i + run.len()..].chars().next().is_some_and(char::is_alphabetic);
        if (9..=15).contains(&digits) && !followed_by_letter && !is_version(run) {
            out.push(run.to_owned());
        }
        i = j.max(i + 1);
    }
    out
}

/// "10.0.19045.1234": dot-separated groups that are not the even pairs of "01.23.45.67.89".
fn is_version(run: &str) -> bool {
    if run.contains([' ', '-', '+', '(', '/']) {
        return false;
    }
    let groups: Vec<&str> = run.split('.').collect();
    !(groups.len() >= 4 && groups.iter().all(|g| (2..=4).contains(&g.len())))
}

/// The reply's first words, to name a canned reply.
fn opening(reply: &str) -> String {
    let words: Vec<&str> = reply.split_whitespace().take(8).collect();
    let mut s = words.join(" ");
    if reply.split_whitespace().count() > 8 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
