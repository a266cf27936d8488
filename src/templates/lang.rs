//! Which language a review is in, for choosing a template's variant: the review's market
//! first (a German market reads German), then a count of common words in its text.

use std::sync::OnceLock;

use crate::hashed::HashedKeyMap;
use crate::policy::words::{WordHasher, word_hash};
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

/// How many of each language's common words a text has, counted once per text: the
/// language of a review is guessed once, whatever number of templates it is weighed against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LanguageHits([u32; COMMON_WORDS.len()]);

/// Each common word by its [`word_hash`], with the languages that have it (a bit per entry of
/// [`COMMON_WORDS`]): one look-up per word of the text instead of a comparison per common word.
fn common_words() -> &'static HashedKeyMap<(&'static str, u32)> {
    static TABLE: OnceLock<HashedKeyMap<(&'static str, u32)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashedKeyMap::default();
        for (lang, (_, words)) in COMMON_WORDS.iter().enumerate() {
            for w in *words {
                table.entry(word_hash(w)).or_insert((*w, 0)).1 |= 1 << lang;
            }
        }
        table
    })
}

impl LanguageHits {
    pub fn of(text: &str) -> LanguageHits {
        let mut hits = LanguageHits::default();
        hits.add(text);
        hits
    }

    /// Counts the common words of `text` too; words are what lies between characters that are
    /// neither letters nor digits.
    pub fn add(&mut self, text: &str) {
        let table = common_words();
        let mut count = |word: &str, hash: &WordHasher| {
            if let Some((common, langs)) = table.get(&hash.finish()) {
                // The hash found it; the spelling confirms it.
                if word.chars().flat_map(char::to_lowercase).eq(common.chars()) {
                    for (lang, n) in self.0.iter_mut().enumerate() {
                        *n += (langs >> lang) & 1;
                    }
                }
            }
        };
        let bytes = text.as_bytes();
        let (mut i, mut start) = (0, None);
        let mut hash = WordHasher::default();
        while i < bytes.len() {
            let (alnum, len) = match bytes[i] {
                b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                _ => {
                    let c = text[i..].chars().next().expect("i is at a character");
                    (c.is_alphanumeric(), c.len_utf8())
                }
            };
            if alnum {
                if start.is_none() {
                    start = Some(i);
                    hash = WordHasher::default();
                }
                match bytes[i] {
                    b if b.is_ascii() => hash.push_ascii(b),
                    _ => text[i..i + len].chars().for_each(|c| hash.push(c)),
                }
            } else if let Some(s) = start.take() {
                count(&text[s..i], &hash);
            }
            i += len;
        }
        if let Some(s) = start {
            count(&text[s..], &hash);
        }
    }

    /// The language whose common words the text has most of, among `candidates`; at least two
    /// hits, so a lone "die" or "no" decides nothing. On a tie, the first in [`COMMON_WORDS`].
    pub fn best(&self, candidates: &[&str]) -> Option<&'static str> {
        let mut best: Option<(&'static str, u32)> = None;
        for ((lang, _), &hits) in COMMON_WORDS.iter().zip(&self.0) {
            if candidates.contains(lang) && hits >= 2 && best.is_none_or(|(_, b)| hits > b) {
                best = Some((lang, hits));
            }
        }
        best.map(|(l, _)| l)
    }
}

/// The language whose common words the text has most of, among `candidates`; at least two
/// hits, so a lone "die" or "no" decides nothing.
pub fn text_language(text: &str, candidates: &[&str]) -> Option<&'static str> {
    LanguageHits::of(text).best(candidates)
}

/// What tells one review's language: its market, and (counted the first time it is needed)
/// the common words of its title and text.
#[derive(Debug)]
pub struct ReviewLanguage<'a> {
    review: &'a Review,
    market: Option<&'static str>,
    hits: OnceLock<LanguageHits>,
}

impl<'a> ReviewLanguage<'a> {
    pub fn of(review: &'a Review) -> ReviewLanguage<'a> {
        ReviewLanguage {
            review,
            market: review.market.as_deref().and_then(market_language),
            hits: OnceLock::new(),
        }
    }

    /// The variant to use among `available` languages: the market's language if there is a
    /// variant for it, else the language of the text, else none (the main body).
    pub fn choose(&self, available: &[&str]) -> Option<String> {
        if available.is_empty() {
            return None;
        }
        if let Some(lang) = self.market.filter(|l| available.contains(l)) {
            return Some(lang.to_owned());
        }
        let hits = self.hits.get_or_init(|| {
            let mut hits = LanguageHits::of(self.review.review_title.as_deref().unwrap_or(""));
            hits.add(self.review.review_text.as_deref().unwrap_or(""));
            hits
        });
        hits.best(available).map(str::to_owned)
    }
}

/// The variant to use for a review among `available` languages: the market's language if
/// there is a variant for it, else the language of the text, else none (the main body).
pub fn choose(review: &Review, available: &[&str]) -> Option<String> {
    ReviewLanguage::of(review).choose(available)
}
