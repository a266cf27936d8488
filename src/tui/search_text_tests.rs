//! `SearchText`'s tests: every search answers what a plain scan of each review's fields does.

use super::*;

fn review(title: &str, text: &str, who: &str) -> Review {
    Review {
        review_title: (!title.is_empty()).then(|| title.into()),
        review_text: (!text.is_empty()).then(|| text.to_owned()),
        reviewer_name: (!who.is_empty()).then(|| who.into()),
        ..Review::default()
    }
}

/// What a search must answer: a plain scan of each review's fields, one by one.
fn expected(reviews: &[Review], query: &str) -> Vec<usize> {
    (0..reviews.len())
        .filter(|&i| {
            let r = &reviews[i];
            [
                r.review_title.as_deref(),
                r.review_text.as_deref(),
                r.reviewer_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|f| f.to_lowercase().contains(query))
        })
        .collect()
}

/// Review `i` revised to `r`, as a merged page does it.
fn revise(text: &mut SearchText, i: usize, r: &Review) {
    text.set_from(i, &SearchText::of([r]), 0);
}

fn all(text: &SearchText) -> Vec<usize> {
    (0..text.len()).collect()
}

#[test]
fn finds_in_any_field_case_insensitively_and_never_across_fields() {
    let rs = vec![
        review("Crash", "on START", "Ana"),
        review("", "", ""),
        review("Works", "fine", "Ünal Çelik"),
        review("cra", "sh", "x"),
    ];
    let text = SearchText::of(&rs);
    assert_eq!(text.search(&all(&text), "crash"), vec![0]);
    assert_eq!(text.search(&all(&text), "start"), vec![0]);
    assert_eq!(text.search(&all(&text), "ünal ç"), vec![2]);
    assert_eq!(text.search(&all(&text), "a"), vec![0, 2, 3], "one position per review");
    assert_eq!(text.search(&all(&text), "\u{1}"), Vec::<usize>::new());
    assert_eq!(text.search(&all(&text), ""), Vec::<usize>::new());
}

#[test]
fn answers_positions_in_the_view_in_its_order() {
    let rs = vec![review("a", "", ""), review("b", "", ""), review("ab", "", "")];
    let text = SearchText::of(&rs);
    assert_eq!(text.search(&[2, 0, 1], "a"), vec![0, 1]);
    assert_eq!(text.search(&[1, 2], "b"), vec![0, 1]);
}

#[test]
fn set_swap_and_append_keep_every_review_findable() {
    let mut rs: Vec<Review> = (0..300).map(|i| review(&format!("t{i}x"), "body", "")).collect();
    let mut text = SearchText::of(&rs);
    // Revise every third review, some twice, and swap some pairs.
    for round in 0..2 {
        for i in (0..rs.len()).step_by(3) {
            rs[i] = review(&format!("new{round}-{i}y"), "body", "");
            revise(&mut text, i, &rs[i]);
        }
    }
    for (a, b) in [(0, 299), (5, 6), (17, 100)] {
        rs.swap(a, b);
        text.swap(a, b);
    }
    let mut more = SearchText::of(&rs[..10]);
    let extra = review("tail", "", "");
    more.push(&extra);
    let mut all_reviews = rs.clone();
    all_reviews.extend(rs[..10].iter().cloned());
    all_reviews.push(extra);
    text.append(more);
    assert_eq!(text.len(), all_reviews.len());
    for q in ["t1", "new1-3y", "new0", "body", "tail", "x", "y", "9x"] {
        assert_eq!(text.search(&all(&text), q), expected(&all_reviews, q), "query {q:?}");
    }
    for (i, r) in all_reviews.iter().enumerate() {
        assert_eq!(text.get(i), SearchText::of([r]).get(0), "review {i}");
    }
}

#[test]
fn unchanged_text_takes_no_room_and_dead_text_is_compacted() {
    let rs: Vec<Review> = (0..2000).map(|i| review(&format!("{i:0>600}"), "", "")).collect();
    let mut text = SearchText::of(&rs);
    let size = text.text.len();
    for (i, r) in rs.iter().enumerate() {
        revise(&mut text, i, r);
    }
    assert_eq!(text.text.len(), size, "the same words again are not stored again");
    for round in 0..4 {
        for i in 0..rs.len() {
            revise(&mut text, i, &review(&format!("r{round}-{i:0>600}"), "", ""));
        }
    }
    assert!(
        text.text.len() < 3 * size,
        "compacted: {} bytes for {size} live",
        text.text.len()
    );
    assert_eq!(text.search(&all(&text), "r3-"), all(&text));
    assert_eq!(text.search(&all(&text), "r2-"), Vec::<usize>::new());
    let mut page = SearchText::new();
    page.push(&review("fresh words", "", ""));
    text.set_from(7, &page, 0);
    assert_eq!(text.search(&all(&text), "fresh"), vec![7]);
}

#[test]
fn typing_letter_by_letter_finds_what_a_whole_search_finds() {
    let mut rs: Vec<Review> = (0..400)
        .map(|i| {
            let text = match i % 50 {
                0 => "crashes when opened",
                25 => "crash",
                _ => "fine",
            };
            review(&format!("t{i}"), text, "")
        })
        .collect();
    let mut text = SearchText::of(&rs);
    let view = all(&text);
    let mut last = None;
    for end in 1..="crashes when".len() {
        let q = &"crashes when"[..end];
        assert_eq!(text.search_narrowing(&view, q, &mut last), expected(&rs, q), "{q:?}");
    }
    // The text changed under the kept hits: they must not be used.
    rs[3] = review("t3", "crashes when saving", "");
    revise(&mut text, 3, &rs[3]);
    assert_eq!(
        text.search_narrowing(&view, "crashes when s", &mut last),
        expected(&rs, "crashes when s")
    );
    // A query that is not longer than the last starts over.
    assert_eq!(text.search_narrowing(&view, "fine", &mut last), expected(&rs, "fine"));
    assert_eq!(text.search_narrowing(&view, "", &mut last), Vec::<usize>::new());
    assert!(last.is_none());
}

#[test]
fn matches_a_plain_scan_on_generated_lists() {
    // A small deterministic generator: words from a tiny alphabet so queries hit often.
    let mut seed = 0x9e37_79b9_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let words = ["ab", "ba", "aab", "Éa", "b", "", "abab", "ÀB"];
    for _ in 0..50 {
        let n = (next() % 40) as usize;
        let rs: Vec<Review> = (0..n)
            .map(|_| {
                let w = |k: u64| words[(k % words.len() as u64) as usize];
                review(w(next()), &format!("{} {}", w(next()), w(next())), w(next()))
            })
            .collect();
        let text = SearchText::of(&rs);
        for q in ["a", "ab", "ba", "b a", "éa", "àb", "abab", "aab ", "zz"] {
            assert_eq!(text.search(&all(&text), q), expected(&rs, q), "query {q:?} over {rs:?}");
            // Typed letter by letter, each key going on from the last one's places.
            let mut last = None;
            for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
                let typed = text.search_narrowing(&all(&text), &q[..end], &mut last);
                assert_eq!(typed, expected(&rs, &q[..end]), "typing {q:?} over {rs:?}");
            }
        }
    }
}

/// Split over threads, a search finds exactly what one scan finds, wherever the cuts fall
/// (inside a run of hits, at dead segments, more parts than reviews).
#[test]
fn a_search_split_in_parts_finds_what_one_scan_finds() {
    let mut rs: Vec<Review> = (0..257)
        .map(|i| {
            let text = ["crashes when", "crash", "fine", "", "when crashes"][i % 5];
            review(&format!("t{i}"), text, if i % 7 == 0 { "Ana" } else { "" })
        })
        .collect();
    let mut text = SearchText::of(&rs);
    // Dead segments in the middle and at the end of the buffer.
    for i in [0, 100, 101, 256] {
        rs[i] = review(&format!("r{i}"), "crashes now", "");
        revise(&mut text, i, &rs[i]);
    }
    let view: Vec<usize> = (0..rs.len()).rev().collect();
    for q in ["crash", "crashes w", "when", "t1", "ana", "r10", "zz", "s"] {
        let want: Vec<usize> = expected(&rs, q);
        let every = text.matching_in_parts(q, 1);
        for parts in 2..=9 {
            let got = text.matching_in_parts(q, parts);
            assert_eq!(
                (&got.hits.0, &got.at),
                (&every.hits.0, &every.at),
                "query {q:?} in {parts} parts"
            );
            let positions = text.positions_in(&view, &got.hits, parts);
            let want_positions: Vec<usize> = (0..view.len()).filter(|&p| want.contains(&view[p])).collect();
            assert_eq!(positions, want_positions, "query {q:?}, view in {parts} parts");
        }
        // Typed on from each shorter query: found where one search finds it.
        for end in 1..q.len() {
            let before = text.matching_in_parts(&q[..end], 1);
            for parts in 1..=5 {
                let after = text.matching_after(q, &before, parts);
                assert_eq!(
                    (&after.hits.0, &after.at),
                    (&every.hits.0, &every.at),
                    "query {q:?} after {:?}, {parts} parts",
                    &q[..end]
                );
            }
        }
        assert_eq!(
            (0..rs.len()).filter(|&i| every.hits.get(i)).collect::<Vec<_>>(),
            want,
            "query {q:?}"
        );
    }
    assert_eq!(SearchText::new().matching_in_parts("a", 4).hits.count(), 0);
}
