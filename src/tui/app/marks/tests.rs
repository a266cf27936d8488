use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

#[derive(Clone, Debug)]
enum Op {
    Insert(String),
    Remove(String),
}

fn op() -> impl Strategy<Value = Op> {
    // Few distinct ids, some long (to make removed bytes pile up and be packed away).
    let id = prop_oneof![
        "[a-d]{1,3}".prop_map(|s| s),
        "[a-b]{1,2}".prop_map(|s| format!("{s}{}", "x".repeat(300))),
        Just(String::new()),
        Just("Zoë-🙂".to_owned()),
    ];
    prop_oneof![id.clone().prop_map(Op::Insert), id.prop_map(Op::Remove)]
}

proptest! {
    /// The set agrees with a plain set of strings, under any inserts and removals, whether each
    /// id has a hash of its own or (with `collide`) most share one of only three hashes.
    #[test]
    fn agrees_with_a_set_of_strings(ops in proptest::collection::vec(op(), 0..300), collide in any::<bool>()) {
        let hash = |id: &str| if collide { id_hash(id) % 3 } else { id_hash(id) };
        let (mut set, mut model) = (IdSet::default(), HashSet::new());
        for op in &ops {
            match op {
                Op::Insert(id) => prop_assert_eq!(set.insert_hashed(hash(id), id), model.insert(id.clone())),
                Op::Remove(id) => prop_assert_eq!(set.remove_hashed(hash(id), id), model.remove(id)),
            }
            prop_assert_eq!(set.len(), model.len());
        }
        for id in ["a", "b", "c", "d", "ab", "", "Zoë-🙂", "zz"] {
            prop_assert_eq!(set.contains_hashed(hash(id), id), model.contains(id), "{}", id);
        }
        for id in &model {
            prop_assert!(set.contains_hashed(hash(id), id), "{}", id);
        }
    }
}

#[test]
fn two_ids_with_one_hash_are_both_kept_and_removed_on_their_own() {
    let mut set = IdSet::default();
    assert!(set.insert_hashed(7, "a"));
    assert!(set.insert_hashed(7, "b"));
    assert!(!set.insert_hashed(7, "b"));
    assert_eq!(set.len(), 2);
    assert!(set.contains_hashed(7, "a") && set.contains_hashed(7, "b"));
    assert!(!set.contains_hashed(7, "c"));
    assert!(set.remove_hashed(7, "a"));
    assert!(set.contains_hashed(7, "b") && !set.contains_hashed(7, "a"));
    // "b" still waits aside: marking it again is no new mark.
    assert!(!set.insert_hashed(7, "b"));
    assert!(set.insert_hashed(7, "a"));
    assert_eq!(set.len(), 2);
}

#[test]
fn removed_ids_are_packed_away_and_the_rest_still_found() {
    let mut set = IdSet::default();
    let ids: Vec<String> = (0..2000).map(|i| format!("review-{i:05}-{}", "p".repeat(20))).collect();
    for id in &ids {
        assert!(set.insert(id));
    }
    let before = set.text.len();
    for id in ids.iter().step_by(2).chain(ids.iter().skip(1).step_by(4)) {
        assert!(set.remove(id));
    }
    assert!(set.text.len() < before / 2, "packed: {} of {before}", set.text.len());
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(set.contains(id), i % 4 == 3, "{id}");
    }
    assert_eq!(set.len(), 500);
}

#[test]
fn marks_are_per_source() {
    let mut marks = Marks::default();
    assert_eq!(marks.insert_all("app", ["a", "b", "a"].into_iter()), 2);
    assert!(marks.insert("site:x", "a"));
    assert!(!marks.insert("app", "b"));
    assert_eq!(
        (marks.count("app"), marks.count("site:x"), marks.count("none")),
        (2, 1, 0)
    );
    assert!(marks.remove("site:x", "a"));
    assert!(marks.contains("app", "a") && !marks.contains("site:x", "a"));
    assert_eq!(marks.clear("app"), 2);
    assert_eq!(marks.count("app"), 0);
}
