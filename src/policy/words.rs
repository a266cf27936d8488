//! The per-language word lists of the policy check (`assets/policy/<lang>.toml`, built in),
//! and matching them against a reply's words.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, anyhow};
use serde::Deserialize;

use crate::hashed::HashedKeyMap;

/// The lists shipped in `assets/policy/`, by language.
pub(super) const BUILT_IN: &[(&str, &str)] = &[
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

/// One entry: its words (as [`word_hash`]es), the last one maybe a prefix (`idiot*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub words: Vec<u64>,
    /// For `idiot*`: the last word as written in the list, lowercased, which a reply's word
    /// must start with (its hash in `words` is then not used).
    pub prefix: Option<String>,
}

impl Entry {
    fn parse(raw: &str) -> Option<Entry> {
        let raw = raw.trim().to_lowercase();
        let (raw, prefix) = match raw.strip_suffix('*') {
            Some(r) => (r.to_owned(), true),
            None => (raw, false),
        };
        let toks = tokens(&raw);
        let last = toks.last()?;
        let prefix = prefix.then(|| raw[last.start..last.end].replace('’', "'"));
        Some(Entry {
            words: toks.iter().map(|t| t.hash).collect(),
            prefix,
        })
    }

    /// Whether the entry occurs in `text` at `toks[0]` (`toks` runs to the end of the reply).
    fn is_at(&self, text: &str, toks: &[Token]) -> bool {
        let n = self.words.len();
        toks.len() >= n
            && self
                .words
                .iter()
                .zip(toks)
                .enumerate()
                .all(|(k, (w, t))| match &self.prefix {
                    Some(p) if k == n - 1 => lowercase_starts_with(&text[t.start..t.end], p),
                    _ => t.hash == *w,
                })
    }
}

/// Whether `word`, lowercased (’ as '), starts with `prefix` (already so), without building the
/// lowercased word.
fn lowercase_starts_with(word: &str, prefix: &str) -> bool {
    let mut want = prefix.chars();
    for c in word.chars().flat_map(char::to_lowercase) {
        let c = if c == '’' { '\'' } else { c };
        match want.next() {
            None => return true,
            Some(p) if p == c => {}
            Some(_) => return false,
        }
    }
    want.next().is_none()
}

/// One language's lists.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    pub profanity: Vec<Entry>,
    pub offers: Vec<Entry>,
    pub rating_changes: Vec<Entry>,
    pub promotion: Vec<Entry>,
    /// Every entry by its first word's hash, so a reply is read once for all of them rather
    /// than once per entry; entries that start with a prefix (`idiot*`) by its first letter.
    by_first_word: HashedKeyMap<Vec<(Kind, u32)>>,
    by_first_letter: Vec<(char, Vec<(Kind, u32)>)>,
}

/// Which list of a language an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Profanity = 0,
    Offer = 1,
    RatingChange = 2,
    Promotion = 3,
}

/// What one language's lists found in a reply: by [`Kind`], each as [`Lists::matches`] gives it.
pub type Found<'a> = [Vec<(&'a str, usize)>; 4];

impl Lists {
    pub fn new(profanity: Vec<Entry>, offers: Vec<Entry>, rating_changes: Vec<Entry>, promotion: Vec<Entry>) -> Lists {
        let mut by_first_word: HashedKeyMap<Vec<(Kind, u32)>> = HashedKeyMap::default();
        let mut by_first_letter: HashMap<char, Vec<(Kind, u32)>> = HashMap::new();
        let kinds = [
            (Kind::Profanity, &profanity),
            (Kind::Offer, &offers),
            (Kind::RatingChange, &rating_changes),
            (Kind::Promotion, &promotion),
        ];
        for (kind, list) in kinds {
            for (i, e) in list.iter().enumerate() {
                let at = (kind, i as u32);
                match (&e.prefix, e.words.len()) {
                    (Some(p), 1) => {
                        if let Some(c) = p.chars().next() {
                            by_first_letter.entry(c).or_default().push(at);
                        }
                    }
                    _ => by_first_word.entry(e.words[0]).or_default().push(at),
                }
            }
        }
        // Sorted, for a binary search per word: cheaper than hashing a character.
        let mut by_first_letter: Vec<_> = by_first_letter.into_iter().collect();
        by_first_letter.sort_unstable_by_key(|(c, _)| *c);
        Lists {
            profanity,
            offers,
            rating_changes,
            promotion,
            by_first_word,
            by_first_letter,
        }
    }

    pub fn list(&self, kind: Kind) -> &[Entry] {
        match kind {
            Kind::Profanity => &self.profanity,
            Kind::Offer => &self.offers,
            Kind::RatingChange => &self.rating_changes,
            Kind::Promotion => &self.promotion,
        }
    }

    /// Every entry of every list found in `toks` (the words of `text`), as the reply spells it,
    /// with its sentence: per list in the reply's order (entries found at one place in the
    /// list's order), a repeat of the one before dropped.
    pub fn matches<'a>(&self, text: &'a str, toks: &[Token]) -> Found<'a> {
        // (list, start, entry, end, sentence)
        let mut hits: Vec<(Kind, usize, u32, usize, usize)> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            let by_word = self.by_first_word.get(&t.hash).into_iter().flatten();
            let first = match text.as_bytes()[t.start] {
                b if b.is_ascii() => Some(b.to_ascii_lowercase() as char),
                _ => text[t.start..].chars().flat_map(char::to_lowercase).next(),
            };
            let letter = first.and_then(|c| self.by_first_letter.binary_search_by_key(&c, |(l, _)| *l).ok());
            let by_letter = letter.map(|at| &self.by_first_letter[at].1).into_iter().flatten();
            for &(kind, e) in by_word.chain(by_letter) {
                let entry = &self.list(kind)[e as usize];
                if entry.is_at(text, &toks[i..]) {
                    let last = &toks[i + entry.words.len() - 1];
                    hits.push((kind, t.start, e, last.end, t.sentence));
                }
            }
        }
        hits.sort_unstable_by_key(|&(kind, start, e, ..)| (kind as u8, start, e));
        let mut found: Found<'a> = Default::default();
        for (kind, start, _, end, sentence) in hits {
            let out = &mut found[kind as usize];
            let m = (&text[start..end], sentence);
            if out.last() != Some(&m) {
                out.push(m);
            }
        }
        found
    }
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
                Lists::new(
                    profanity,
                    entries(&file.offers),
                    entries(&file.rating_changes),
                    entries(&file.promotion),
                ),
            );
        }
        Ok(WordLists { by_language })
    }

    pub fn languages(&self) -> Vec<&str> {
        self.by_language.keys().map(String::as_str).collect()
    }
}

/// A word of the reply: where it starts and ends in the reply (bytes), the sentence it belongs
/// to, and the [`word_hash`] of its lowercased form (the reply is never copied word by word).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
    pub hash: u64,
}

/// Words: letters, digits and inner apostrophes or hyphens ("don't", "e-mail", "5-star").
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    each_word(text, |t| out.push(t));
    out
}

/// The one definition of a word that [`tokens`], the near-duplicate index and the word lists
/// share, walked byte by byte (most review text is ASCII) without allocating.
pub fn each_word(text: &str, mut word: impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let char_at = |i: usize| -> (char, usize) {
        match bytes[i] {
            b if b < 0x80 => (b as char, 1),
            _ => {
                let c = text[i..].chars().next().expect("i is at a character");
                (c, c.len_utf8())
            }
        }
    };
    let is_word_char = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        }
    };
    let (mut i, mut sentence) = (0, 0);
    let mut start: Option<usize> = None;
    let mut hash = WordHasher::default();
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                hash = WordHasher::default();
            }
            // A run of ASCII letters and digits, most of any reply, in one tight loop.
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                hash.push_ascii(bytes[i]);
                i += 1;
            }
            continue;
        }
        let (c, len) = char_at(i);
        let next_is_word = || i + len < bytes.len() && is_word_char(char_at(i + len).0);
        if is_word_char(c) || (matches!(c, '\'' | '’' | '-') && start.is_some() && next_is_word()) {
            if start.is_none() {
                start = Some(i);
                hash = WordHasher::default();
            }
            hash.push(c);
        } else {
            if let Some(s) = start.take() {
                word(Token {
                    start: s,
                    end: i,
                    sentence,
                    hash: hash.finish(),
                });
            }
            if matches!(c, '.' | '!' | '?' | '\n' | ';') {
                sentence += 1;
            }
        }
        i += len;
    }
    if let Some(s) = start {
        word(Token {
            start: s,
            end: text.len(),
            sentence,
            hash: hash.finish(),
        });
    }
}

/// A word's hash as it is spelled lowercased (’ as '), fed one character of the word as
/// written at a time.
#[derive(Default)]
pub struct WordHasher(u64);

impl WordHasher {
    // FxHash-style mixing: these hashes are compared, never exposed to an attacker who could
    // pick collisions to any effect beyond a missed or extra warning.
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn mix(&mut self, c: char) {
        self.0 = (self.0.rotate_left(5) ^ c as u64).wrapping_mul(Self::K);
    }

    /// An ASCII character, as a byte.
    #[inline]
    pub fn push_ascii(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(Self::K);
    }

    pub fn push(&mut self, c: char) {
        if c.is_ascii() {
            self.push_ascii(c as u8);
        } else {
            for l in c.to_lowercase() {
                self.mix(if l == '’' { '\'' } else { l });
            }
        }
    }

    /// A final avalanche, so that words differing in their last letter differ in every bit.
    pub fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A word's hash as [`tokens`] gives it.
pub fn word_hash(word: &str) -> u64 {
    let mut h = WordHasher::default();
    word.chars().for_each(|c| h.push(c));
    h.finish()
}
