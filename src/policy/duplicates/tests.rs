use super::*;

/// What the index must agree with: every entry compared word by word.
fn brute_force(history: &[SentReply], reply: &str, review: &str, review_text: Option<&str>) -> (usize, usize) {
    let words = word_set(reply);
    let this_words = review_text.map(word_set);
    let (mut same, mut different) = (0, 0);
    for h in history {
        if h.review.eq_ignore_ascii_case(review) || jaccard(&word_set(&h.reply), &words) < SAME_REPLY {
            continue;
        }
        same += 1;
        let same_question = match (h.review_text.as_deref().map(word_set), &this_words) {
            (Some(a), Some(b)) => jaccard(&a, b) >= SAME_REVIEW,
            _ => false,
        };
        if !same_question {
            different += 1;
        }
    }
    (same, different)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
}

const BASES: &[&str] = &[
    "Hi Ana, thank you for reporting the crash, it is fixed in the latest update of the app.",
    "Thanks for the five stars! We are glad the new sync works well for you.",
    "Sorry about the lost notes: please write to us so that we can restore them from the backup.",
    "Dark mode is on our list for the next version; thank you for asking.",
    "🙂",
];
const SWAPS: &[&str] = &[
    "Ben", "Zoë", "crash", "sync", "Léa", "version", "today", "soon", "über", "merci",
];

/// A base reply with a few words changed, added or dropped: near and far duplicates both.
fn variant(rng: &mut Rng) -> String {
    let mut words: Vec<String> = BASES[rng.next() % BASES.len()].split(' ').map(str::to_owned).collect();
    for _ in 0..rng.next() % 5 {
        let at = rng.next() % words.len();
        match rng.next() % 3 {
            0 => words[at] = SWAPS[rng.next() % SWAPS.len()].to_owned(),
            1 => words.insert(at, SWAPS[rng.next() % SWAPS.len()].to_owned()),
            _ if words.len() > 1 => {
                words.remove(at);
            }
            _ => {}
        }
    }
    words.join(" ")
}

fn sent(rng: &mut Rng, i: usize) -> SentReply {
    SentReply {
        review: format!("R{}", i % 40),
        reply: variant(rng),
        review_text: (rng.next() % 4 != 0).then(|| variant(rng)),
    }
}

/// The prefix index finds exactly the entries comparing each with every one would (up to where
/// counting stops), whether built at once or grown by `push` after the build.
#[test]
fn the_index_agrees_with_comparing_every_entry() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..150 {
        let n = 1 + rng.next() % 60;
        let mut history: Vec<SentReply> = (0..n).map(|i| sent(&mut rng, i)).collect();
        let mut index = HistoryIndex::new(&history);
        for i in 0..rng.next() % 10 {
            let more = sent(&mut rng, n + i);
            index.push(&more);
            history.push(more);
        }
        for _ in 0..10 {
            let reply = variant(&mut rng);
            let review = format!("r{}", rng.next() % 50);
            let review_text = variant(&mut rng);
            let got = index.check(&reply, &review, Some(&review_text));
            let (same, different) = brute_force(&history, &reply, &review, Some(&review_text));
            if got.at_least {
                assert!(
                    different >= COUNT_UP_TO,
                    "case {case}: {reply:?}: {got:?} vs {different}"
                );
                assert_eq!(got.different_reviews, COUNT_UP_TO);
            } else {
                assert_eq!(
                    (got.same_reply, got.different_reviews),
                    (same, different),
                    "case {case}: {reply:?}"
                );
            }
        }
    }
}

#[test]
fn counting_stops_once_the_warning_is_certain() {
    let history: Vec<SentReply> = (0..200)
        .map(|i| SentReply {
            review: format!("old{i}"),
            reply: "Thank you for your feedback, we appreciate it and keep improving the app.".into(),
            review_text: Some(format!("topic number {i} of many")),
        })
        .collect();
    let index = HistoryIndex::new(&history);
    let got = index.check(
        "Thank you for your feedback, we appreciate it and keep improving the app!",
        "new",
        Some("the font is small"),
    );
    assert!(got.at_least, "{got:?}");
    assert_eq!(got.different_reviews, COUNT_UP_TO);
}

#[test]
fn prefixes_are_as_long_as_the_threshold_needs() {
    // 4 words at 0.75: 3 must be shared, so 2 of them are enough to look up.
    assert_eq!(prefix_len(4, 0.75), 2);
    assert_eq!(prefix_len(1, 0.75), 1);
    assert_eq!(prefix_len(0, 0.75), 0);
    assert_eq!(prefix_len(10, 0.5), 6);
    for len in 1..200 {
        let p = prefix_len(len, SAME_REPLY);
        assert!((1..=len).contains(&p), "{len}: {p}");
    }
}

#[test]
fn word_hashes_follow_the_tokens() {
    use crate::policy::words::{tokens, word_hash};
    for text in ["Don’t CRASH, e-mail: Zoë's 5-star ÜBER.", "  ", "a--b 'quoted' end-"] {
        let from_tokens: Vec<u64> = tokens(text).iter().map(|t| t.hash).collect();
        let from_spans: Vec<u64> = tokens(text).iter().map(|t| word_hash(&text[t.start..t.end])).collect();
        assert_eq!(from_tokens, from_spans, "{text}");
        assert_eq!(word_set(text), sorted_set(from_tokens), "{text}");
    }
    assert_eq!(word_hash("Don’t"), word_hash("don't"));
    assert_eq!(word_hash("ÜBER"), word_hash("über"));
    assert_ne!(word_hash("uber"), word_hash("über"));
}
