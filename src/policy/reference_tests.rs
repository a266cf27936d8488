//! The policy's word-level scans against the straightforward versions they replaced (kept here
//! as the reference): words as owned lowercased strings, each list entry searched for through
//! the whole reply, the language counted over a list of lowercased words, digits scanned as a
//! `Vec<char>`. Any text, in any language, must give the same result either way.

use proptest::prelude::*;
use serde::Deserialize;

use super::words::{Kind, WordLists, tokens, word_hash};
use super::{links, phone_numbers};
use crate::templates::lang::{LanguageHits, text_language};

/// A word of the reference: lowercased, as a string.
struct RefToken {
    word: String,
    start: usize,
    end: usize,
    sentence: usize,
}

fn ref_tokens(text: &str) -> Vec<RefToken> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut sentence = 0;
    let mut start: Option<usize> = None;
    let mut push = |start: usize, end: usize, sentence: usize| {
        out.push(RefToken {
            word: text[start..end].to_lowercase().replace('’', "'"),
            start,
            end,
            sentence,
        })
    };
    while let Some((i, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
        let inner = (c == '\'' || c == '’' || c == '-') && start.is_some() && next_is_word;
        if c.is_alphanumeric() || inner {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push(s, i, sentence);
        }
        if matches!(c, '.' | '!' | '?' | '\n' | ';') {
            sentence += 1;
        }
    }
    if let Some(s) = start {
        push(s, text.len(), sentence);
    }
    out
}

struct RefEntry {
    words: Vec<String>,
    prefix: bool,
}

fn ref_entry(raw: &str) -> Option<RefEntry> {
    let raw = raw.trim().to_lowercase();
    let (raw, prefix) = match raw.strip_suffix('*') {
        Some(r) => (r.to_owned(), true),
        None => (raw, false),
    };
    let words: Vec<String> = ref_tokens(&raw).into_iter().map(|t| t.word).collect();
    (!words.is_empty()).then_some(RefEntry { words, prefix })
}

fn ref_matches<'a>(text: &'a str, toks: &[RefToken], list: &[RefEntry]) -> Vec<(&'a str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for e in list {
        let n = e.words.len();
        for i in 0..toks.len().saturating_sub(n - 1) {
            let here = e.words.iter().enumerate().all(|(k, w)| {
                let t = &toks[i + k].word;
                if e.prefix && k == n - 1 {
                    t.starts_with(w.as_str())
                } else {
                    t == w
                }
            });
            if here {
                out.push((&text[toks[i].start..toks[i + n - 1].end], toks[i].sentence));
            }
        }
    }
    out.sort_by_key(|(w, _)| w.as_ptr() as usize);
    out.dedup();
    out
}

#[derive(Deserialize)]
struct ListFile {
    profanity: Vec<String>,
    insults: Vec<String>,
    offers: Vec<String>,
    rating_changes: Vec<String>,
    promotion: Vec<String>,
}

/// Each language's lists as the reference reads them, in `Kind` order.
/// A language, its lists in `Kind` order, and every entry as written.
type RefLists = (&'static str, [Vec<RefEntry>; 4], Vec<String>);

fn ref_lists() -> Vec<RefLists> {
    super::words::BUILT_IN
        .iter()
        .map(|(lang, text)| {
            let f: ListFile = toml::from_str(text).unwrap();
            let all: Vec<String> = [&f.profanity, &f.insults, &f.offers, &f.rating_changes, &f.promotion]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            let entries = |v: &[String]| v.iter().filter_map(|s| ref_entry(s)).collect::<Vec<_>>();
            let mut profanity = entries(&f.profanity);
            profanity.extend(entries(&f.insults));
            let lists = [
                profanity,
                entries(&f.offers),
                entries(&f.rating_changes),
                entries(&f.promotion),
            ];
            (*lang, lists, all)
        })
        .collect()
}

const COMMON: &[(&str, &[&str])] = &[
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

fn ref_text_language(text: &str, candidates: &[&str]) -> Option<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut best: Option<(&'static str, usize)> = None;
    for (lang, common) in COMMON {
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

fn ref_phone_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let starts =
            c.is_ascii_digit() || ((c == '+' || c == '(') && bytes.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts || (i > 0 && (bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len()
            && (bytes[j].is_ascii_digit() || matches!(bytes[j], ' ' | '-' | '.' | '(' | ')' | '+' | '/'))
        {
            j += 1;
        }
        let run: String = bytes[i..j].iter().collect::<String>();
        let run = run.trim_end_matches(|c: char| !c.is_ascii_digit()).to_owned();
        let digits = run.chars().filter(char::is_ascii_digit).count();
        let followed_by_letter = bytes.get(i + run.chars().count()).is_some_and(|c| c.is_alphabetic());
        if (9..=15).contains(&digits) && !followed_by_letter && !super::is_version(&run) {
            out.push(run.clone());
        }
        i = j.max(i + 1);
    }
    out
}

fn ref_links(reply: &str) -> Vec<String> {
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
        let lower = w.to_lowercase();
        let store = [
            "apps.microsoft.com",
            "microsoft.com/store",
            "play.google.com",
            "apps.apple.com",
        ]
        .iter()
        .any(|s| lower.contains(s));
        if store
            || SCHEMES
                .iter()
                .any(|s| lower.contains(&format!("//{s}")) || lower.starts_with(s))
        {
            words.push(w.to_owned());
        }
    }
    words
}

/// Texts made of the lists' own words and phrases (in any case), the common words, numbers,
/// links and odd characters: matches of every kind happen, and near misses.
fn text() -> impl Strategy<Value = String> {
    let lists = ref_lists();
    let mut pieces: Vec<String> = lists
        .iter()
        .flat_map(|(_, _, all)| all.iter().map(|s| s.trim_end_matches('*').to_owned()))
        .collect();
    pieces.extend(COMMON.iter().flat_map(|(_, w)| w.iter().map(|s| (*s).to_owned())));
    pieces.extend(
        [
            "idiots",
            "Scheiße",
            "ÉTOILES",
            "don’t",
            "e-mail",
            "-",
            "'",
            "’",
            ".",
            "!",
            "?",
            ";",
            "\n",
            ",",
            "(",
            ")",
            "+49 30 1234567",
            "(425) 555-0100",
            "01.23.45.67.89",
            "10.0.19045.1234",
            "2024-06-01",
            "202406011",
            "é1234567890",
            "https://contoso.com/fix",
            "www.Contoso.com",
            "ms-windows-store://pdp",
            "apps.microsoft.com/x",
            "bit.ly/x",
            "help@contoso.com",
            "ΟΔΟΣ",
            "İstanbul",
            "ǅemal",
            "🙂",
            "5",
            "stars",
            "x",
        ]
        .map(str::to_owned),
    );
    let piece = prop_oneof![
        4 => proptest::sample::select(pieces),
        1 => "\\PC{0,6}",
    ];
    let sep = proptest::sample::select(vec!["", " ", " ", " ", "  ", "-", "'", ". ", "\n", "’"]);
    let upper = any::<bool>();
    proptest::collection::vec((piece, sep, upper), 0..40).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, s, up)| format!("{}{s}", if up { p.to_uppercase() } else { p }))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn tokens_are_the_reference_words(text in text()) {
        let new = tokens(&text);
        let old = ref_tokens(&text);
        prop_assert_eq!(new.len(), old.len());
        for (n, o) in new.iter().zip(&old) {
            prop_assert_eq!((n.start, n.end, n.sentence), (o.start, o.end, o.sentence));
            prop_assert_eq!(n.hash, word_hash(&text[n.start..n.end]));
        }
    }

    #[test]
    fn every_list_finds_what_the_reference_finds(text in text()) {
        let lists = WordLists::built_in();
        let toks = tokens(&text);
        let old_toks = ref_tokens(&text);
        for (lang, reference, _) in ref_lists() {
            let found = lists.by_language[lang].matches(&text, &toks);
            for kind in [Kind::Profanity, Kind::Offer, Kind::RatingChange, Kind::Promotion] {
                let want = ref_matches(&text, &old_toks, &reference[kind as usize]);
                prop_assert_eq!(&found[kind as usize], &want, "{} {:?}", lang, kind);
            }
        }
    }

    #[test]
    fn the_language_is_the_reference_language(text in text(), pick in proptest::collection::vec(any::<bool>(), 7)) {
        let candidates: Vec<&str> = COMMON.iter().zip(&pick).filter(|(_, p)| **p).map(|((l, _), _)| *l).collect();
        prop_assert_eq!(text_language(&text, &candidates), ref_text_language(&text, &candidates));
        // Counted in two parts, as a review's title and text are.
        let cut = text.char_indices().map(|(i, _)| i).nth(text.chars().count() / 2).unwrap_or(0);
        let mut hits = LanguageHits::of(&text[..cut]);
        hits.add(&text[cut..]);
        let joined = format!("{} {}", &text[..cut], &text[cut..]);
        prop_assert_eq!(hits.best(&candidates), ref_text_language(&joined, &candidates));
    }

    #[test]
    fn phone_numbers_and_links_are_the_reference_ones(text in text()) {
        prop_assert_eq!(phone_numbers(&text), ref_phone_numbers(&text));
        let got = links(&text).map(|f| f.words).unwrap_or_default();
        prop_assert_eq!(got, ref_links(&text));
    }
}
