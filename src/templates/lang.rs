//! Which language a review is in, for choosing a template's variant: the review's market
//! first (a German market reads German), then a count of common words in its text.

use crate::store::Review;

/// The language of a Store market (ISO 3166 country code), for the markets whose language is
/// clear. Multilingual markets (CH, BE, CA, …) give none: the text decides there.
pub fn market_language(market: &str) -> Option<&'static str> {
    let m = market.trim().to_ascii_uppercase();
    Some(match m.as_str() {
        "US" | "GB" | "AU" | "NZ" | "IE" | "ZA" | "IN" | "SG" => "en",
        "DE" | "AT" | "LI" => "de",
        "FR" | "MC" => "fr",
        "ES" | "MX" | "AR" | "CO" | "CL" | "PE" => "es",
        "IT" => "it",
        "NL" => "nl",
        "PT" | "BR" => "pt",
        "PL" => "pl",
        "SE" => "sv",
        "JP" => "ja",
        _ => return None,
    })
}

/// Short, frequent words that tell these languages apart in a sentence or two.
const COMMON_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "is", "it", "this", "not", "app", "to", "with", "but", "after", "when",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ich", "mit", "nach", "aber", "wenn", "stürzt",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "est", "pas", "une", "avec", "mais", "depuis", "plante", "je",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "es", "no", "una", "con", "pero", "desde", "que", "muy",
        ],
    ),
    ("it", &["il", "gli", "e", "è", "non", "una", "con", "ma", "che", "dopo"]),
    (
        "nl",
        &["de", "het", "en", "is", "niet", "een", "met", "maar", "na", "ik"],
    ),
    (
        "pt",
        &["o", "os", "e", "é", "não", "uma", "com", "mas", "depois", "que"],
    ),
];

/// The language whose common words the text has most of, among `candidates`; at least two
/// hits, so a lone "die" or "no" decides nothing.
pub fn text_language(text: &str, candidates: &[&str]) -> Option<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut best: Option<(&'static str, usize)> = None;
    for (lang, common) in COMMON_WORDS {
        if !candidates.contains(lang) {
            continue;
        }
        let hits = words.iter().filter(|w| common.contains(&w.as_str())).count();
        if hits >= 2 && best.is_none_or(|(_, b)| hits > b) {
            best = Some((lang, hits));
        }
    }
    best.map(|(l, _)| l)
}

/// The variant to use for a review among `available` languages: the market's language if
/// there is a variant for it, else the language of the text, else none (the main body).
pub fn choose(review: &Review, available: &[&str]) -> Option<String> {
    if available.is_empty() {
        return None;
    }
    if let Some(lang) = review.market.as_deref().and_then(market_language) {
        if available.contains(&lang) {
            return Some(lang.to_owned());
        }
    }
    let text = format!(
        "{} {}",
        review.review_title.as_deref().unwrap_or(""),
        review.review_text.as_deref().unwrap_or("")
    );
    text_language(&text, available).map(str::to_owned)
}
