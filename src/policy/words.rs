//! The per-language word lists of the policy check (`assets/policy/<lang>.toml`, built in),
//! and matching them against a reply's words.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use serde::Deserialize;

/// The lists shipped in `assets/policy/`, by language.
const BUILT_IN: &[(&str, &str)] = &[
    ("en", include_str!("../../assets/policy/en.toml")),
    ("de", include_str!("../../assets/policy/de.toml")),
    ("fr", include_str!("../../assets/policy/fr.toml")),
    ("es", include_str!("../../assets/policy/es.toml")),
];

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ListFile {
    profanity: Vec<String>,
    insults: Vec<String>,
    offers: Vec<String>,
    rating_changes: Vec<String>,
    promotion: Vec<String>,
}

/// One entry: its words, the last one maybe a prefix (`idiot*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub words: Vec<String>,
    pub prefix: bool,
}

impl Entry {
    fn parse(raw: &str) -> Option<Entry> {
        let raw = raw.trim().to_lowercase();
        let (raw, prefix) = match raw.strip_suffix('*') {
            Some(r) => (r.to_owned(), true),
            None => (raw, false),
        };
        let words = tokens(&raw).into_iter().map(|t| t.word).collect::<Vec<_>>();
        (!words.is_empty()).then_some(Entry { words, prefix })
    }

    /// Where this entry occurs in `toks`: the index of its first word.
    fn find_in(&self, toks: &[Token]) -> Option<usize> {
        let n = self.words.len();
        (0..toks.len().saturating_sub(n - 1)).find(|&i| {
            self.words.iter().enumerate().all(|(k, w)| {
                let t = &toks[i + k].word;
                if self.prefix && k == n - 1 {
                    t.starts_with(w.as_str())
                } else {
                    t == w
                }
            })
        })
    }
}

/// One language's lists.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    pub profanity: Vec<Entry>,
    pub offers: Vec<Entry>,
    pub rating_changes: Vec<Entry>,
    pub promotion: Vec<Entry>,
}

/// Every language's lists.
#[derive(Clone, Debug, Default)]
pub struct WordLists {
    pub by_language: BTreeMap<String, Lists>,
}

impl WordLists {
    /// The lists shipped with reviewdesk.
    pub fn built_in() -> WordLists {
        WordLists::parse(BUILT_IN).expect("the built-in word lists parse (a unit test checks it)")
    }

    /// Lists from `(language, TOML text)` pairs.
    pub fn parse(files: &[(&str, &str)]) -> Result<WordLists> {
        let mut by_language = BTreeMap::new();
        for (lang, text) in files {
            let file: ListFile =
                toml::from_str(text).map_err(|e| anyhow!("the {lang} word list is not valid: {}", e.message()))?;
            let entries = |v: &[String]| v.iter().filter_map(|s| Entry::parse(s)).collect::<Vec<_>>();
            let mut profanity = entries(&file.profanity);
            profanity.extend(entries(&file.insults));
            by_language.insert(
                (*lang).to_owned(),
                Lists {
                    profanity,
                    offers: entries(&file.offers),
                    rating_changes: entries(&file.rating_changes),
                    promotion: entries(&file.promotion),
                },
            );
        }
        Ok(WordLists { by_language })
    }

    pub fn languages(&self) -> Vec<&str> {
        self.by_language.keys().map(String::as_str).collect()
    }
}

/// A word of the reply, lowercased, with where it starts and ends in the reply (bytes) and the
/// sentence it belongs to.
#[derive(Clone, Debug)]
pub struct Token {
    pub word: String,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
}

/// Words: letters, digits and inner apostrophes or hyphens ("don't", "e-mail", "5-star").
pub fn tokens(text: &str) -> Vec<Token> {
    word_spans(text)
        .map(|(start, end, sentence)| Token {
            word: text[start..end].to_lowercase().replace('’', "'"),
            start,
            end,
            sentence,
        })
        .collect()
}

/// Where each word of `text` starts and ends (bytes), and its sentence: the one definition of a
/// word that [`tokens`] and [`word_hash`] share, walked without allocating.
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    let mut sentence = 0;
    std::iter::from_fn(move || {
        let mut start: Option<usize> = None;
        while let Some((i, c)) = chars.next() {
            let next_is_word = chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            let inner = (c == '\'' || c == '’' || c == '-') && start.is_some() && next_is_word;
            if c.is_alphanumeric() || inner {
                start.get_or_insert(i);
                continue;
            }
            let word = start.map(|s| (s, i, sentence));
            if matches!(c, '.' | '!' | '?' | '\n' | ';') {
                sentence += 1;
            }
            if word.is_some() {
                return word;
            }
        }
        start.map(|s| (s, text.len(), sentence))
    })
}

/// A word's hash as [`tokens`] would spell it (lowercased, ’ as '), without building the
/// string: the near-duplicate index hashes every word of thousands of replies.
pub fn word_hash(word: &str) -> u64 {
    // FxHash-style mixing: these hashes are compared, never exposed to an attacker who could
    // pick collisions to any effect beyond a missed or extra warning.
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut mix = |c: char| h = (h.rotate_left(5) ^ c as u64).wrapping_mul(K);
    // Most words are ASCII: lowercased byte by byte, without Unicode's case tables.
    if word.is_ascii() {
        word.bytes().for_each(|b| mix(b.to_ascii_lowercase() as char));
    } else {
        for c in word.chars().flat_map(char::to_lowercase) {
            mix(if c == '’' { '\'' } else { c });
        }
    }
    // A final avalanche, so that words differing in their last letter differ in every bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// Every entry of `list` found in `toks`, as the reply spells it.
pub fn matches<'a>(text: &'a str, toks: &[Token], list: &[Entry]) -> Vec<(&'a str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for e in list {
        let mut from = 0;
        while let Some(i) = e.find_in(&toks[from..]).map(|i| i + from) {
            let last = &toks[i + e.words.len() - 1];
            out.push((&text[toks[i].start..last.end], toks[i].sentence));
            from = i + 1;
        }
    }
    out.sort_by_key(|(w, _)| w.as_ptr() as usize);
    out.dedup();
    out
}
