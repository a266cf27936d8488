use std::path::Path;

use proptest::prelude::*;

use super::render::{Body, Placeholder, Values};
use super::*;

fn review() -> Review {
    Review {
        reviewer_name: Some("Ana".into()),
        application_name: Some("Contoso Notes".into()),
        package_version: Some("2.4.1".into()),
        market: Some("US".into()),
        review_title: Some("Crashes on start".into()),
        rating: Some(1),
        timestamp: Some(1_717_200_000), // 2024-06-01
        review_text: Some("It crashes every time after the update".into()),
        ..Review::default()
    }
}

fn render(body: &str, r: &Review) -> Rendered {
    Body::parse(body)
        .unwrap()
        .render(&Values::for_review(r, Some("help@contoso.com")))
}

#[test]
fn every_placeholder_is_filled_from_the_review() {
    let out = render(
        "{reviewer}|{app}|{version}|{market}|{title}|{rating}|{support_email}|{date}",
        &review(),
    );
    assert_eq!(
        out.text,
        "Ana|Contoso Notes|2.4.1|US|Crashes on start|1|help@contoso.com|2024-06-01"
    );
    assert!(out.unfilled.is_empty());
}

#[test]
fn a_missing_value_takes_its_fallback_or_is_reported_unfilled() {
    let r = Review::default();
    let out = render("Hi {reviewer|there}, version {version|}.", &r);
    assert_eq!(out.text, "Hi there, version .");
    assert!(out.unfilled.is_empty());
    let out = render("Hi {reviewer}, about {app|our app} {title}", &r);
    assert_eq!(out.text, "Hi {reviewer}, about our app {title}");
    assert_eq!(out.unfilled, vec![Placeholder::Reviewer, Placeholder::Title]);
}

#[test]
fn a_value_that_is_only_whitespace_counts_as_missing() {
    let r = Review {
        reviewer_name: Some(" \u{200B}\t ".into()),
        ..Review::default()
    };
    assert_eq!(render("Hi {reviewer|there}", &r).text, "Hi there");
}

#[test]
fn doubled_braces_are_literal() {
    let out = render("{{reviewer}} is written {{ and }}", &review());
    assert_eq!(out.text, "{reviewer} is written { and }");
}

#[test]
fn spaces_inside_the_braces_are_allowed_and_fallbacks_keep_theirs() {
    assert_eq!(render("{ reviewer |a friend}", &Review::default()).text, "a friend");
}

#[test]
fn unknown_and_broken_placeholders_name_their_line() {
    let e = Body::parse("Hi,\nthanks {reviwer}\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("{reviwer}") && e.message.contains("{reviewer}"),
        "{e}"
    );
    assert_eq!(Body::parse("a\nb\n{app").unwrap_err().line, 3);
    assert_eq!(Body::parse("x }").unwrap_err().line, 1);
}

#[test]
fn hostile_review_values_do_not_reach_the_reply() {
    let r = Review {
        reviewer_name: Some("Eve\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}\r\nX\u{0}".into()),
        review_title: Some("\u{9b}2Jtitle".into()),
        ..Review::default()
    };
    let out = render("Hi {reviewer}, re {title}", &r);
    assert_eq!(out.text, "Hi Eve X, re title");
    assert!(!out.text.chars().any(crate::sanitize::is_forbidden));
}

#[test]
fn a_very_long_name_is_cut() {
    let r = Review {
        reviewer_name: Some("n".repeat(500).into()),
        ..Review::default()
    };
    let out = render("{reviewer}", &r);
    assert_eq!(out.text.chars().count(), 81);
    assert!(out.text.ends_with('…'));
}

#[test]
fn unicode_survives_rendering() {
    let r = Review {
        reviewer_name: Some("Zoë 山田 🙂".into()),
        ..Review::default()
    };
    assert_eq!(
        render("Grüße, {reviewer} — ありがとう", &r).text,
        "Grüße, Zoë 山田 🙂 — ありがとう"
    );
}

const FILE: &str = r#"description = "Crash fixed"
body = """
Hi {reviewer|there},
the crash in {app|the app} is fixed.
"""
[variants]
de = """
Hallo {reviewer|},
der Absturz ist behoben.
"""
[hints]
ratings = [1, 2]
keywords = ["crash", "absturz"]
"#;

#[test]
fn a_file_loads_with_variants_and_hints() {
    let t = parse_template("crash-fixed", Path::new("crash-fixed.toml"), FILE).unwrap();
    assert_eq!(t.description.as_deref(), Some("Crash fixed"));
    assert_eq!(t.variants.keys().collect::<Vec<_>>(), vec!["de"]);
    assert_eq!(t.hints.ratings, vec![1, 2]);
    let de = Review {
        market: Some("DE".into()),
        ..review()
    };
    assert!(t.render_for(&de, None).text.starts_with("Hallo Ana,"));
    assert!(t.render_for(&review(), None).text.starts_with("Hi Ana,"));
}

#[test]
fn the_language_of_the_text_decides_where_the_market_does_not() {
    let t = parse_template("c", Path::new("c.toml"), FILE).unwrap();
    let swiss = Review {
        market: Some("CH".into()),
        review_text: Some("Die App stürzt nach dem Update ab und ist nicht nutzbar".into()),
        ..review()
    };
    assert_eq!(t.body_for(&swiss).1.as_deref(), Some("de"));
    let swiss_french = Review {
        market: Some("CH".into()),
        review_text: Some("L'application plante depuis la mise à jour".into()),
        ..review()
    };
    // No French variant: the main body.
    assert_eq!(t.body_for(&swiss_french).1, None);
}

#[test]
fn an_unknown_placeholder_in_a_file_names_file_and_line() {
    let bad = FILE.replace("the crash in {app|the app}", "the crash in {ap}");
    let e = parse_template("c", Path::new("/x/c.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/x/c.toml:4: unknown placeholder {ap}"), "{e}");
    let bad = FILE.replace("der Absturz", "der {fehler}");
    let e = parse_template("c", Path::new("/x/c.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/x/c.toml:9: unknown placeholder {fehler}"), "{e}");
}

#[test]
fn a_file_with_an_unknown_key_is_refused_with_its_line() {
    let e = parse_template("c", Path::new("c.toml"), "body = \"x\"\nbdy = \"y\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("c.toml:2: not a valid template"), "{e}");
}

#[test]
fn names_are_checked() {
    assert!(check_name("crash-fixed_2").is_ok());
    for bad in ["", "../x", "a b", "ä", &"x".repeat(41)] {
        assert!(check_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_shipped_examples_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates");
    let all = load_dir(&dir).unwrap();
    assert!(all.len() >= 3, "{all:?}");
    for t in &all {
        let out = t.render_for(&review(), Some("help@contoso.com"));
        assert!(out.unfilled.is_empty(), "{}: {:?}", t.name, out.unfilled);
        let bare = t.render_for(&Review::default(), Some("help@contoso.com"));
        assert!(
            bare.unfilled.is_empty(),
            "{} needs fallbacks: {:?}",
            t.name,
            bare.unfilled
        );
    }
}

#[test]
fn suggestions_rank_by_rating_and_keywords() {
    let crash = parse_template("crash", Path::new("crash.toml"), FILE).unwrap();
    let thanks = parse_template(
        "thanks",
        Path::new("thanks.toml"),
        "body = \"Thank you!\"\n[hints]\nratings = [4, 5]\n",
    )
    .unwrap();
    let plain = parse_template("plain", Path::new("plain.toml"), "body = \"Hello\"\n").unwrap();
    let all = vec![plain, thanks, crash];
    let ranked = suggest(&all, &review());
    assert_eq!(all[ranked[0].index].name, "crash");
    assert!(ranked[0].reasons.iter().any(|r| r.contains("crash")), "{ranked:?}");
    assert!(ranked[1..].iter().all(|s| s.score == 0));
    let happy = Review {
        rating: Some(5),
        review_text: Some("Great app".into()),
        ..Review::default()
    };
    let ranked = suggest(&all, &happy);
    assert_eq!(all[ranked[0].index].name, "thanks");
    assert_eq!(ranked.iter().find(|s| all[s.index].name == "crash").unwrap().score, 0);
}

fn placeholder() -> impl Strategy<Value = Placeholder> {
    proptest::sample::select(Placeholder::ALL.to_vec())
}

proptest! {
    /// Whatever a stranger puts in a review, the reply carries no control character, no line
    /// break from it, and no bidi control.
    #[test]
    fn rendered_values_are_always_clean(p in placeholder(), value in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}a-z]{0,40}") {
        let mut v = Values::default();
        v.set(p, Some(&value));
        let body = Body::parse(&format!("[{{{}|-}}]", p.name())).unwrap();
        let out = body.render(&v);
        prop_assert!(!out.text.chars().any(|c| crate::sanitize::is_forbidden(c) || c == '\n'), "{:?}", out.text);
        prop_assert!(out.unfilled.is_empty());
    }

    /// Text without braces renders to itself.
    #[test]
    fn plain_text_is_unchanged(text in "[^{}]*") {
        let out = Body::parse(&text).unwrap().render(&Values::default());
        prop_assert_eq!(out.text, text);
    }

    /// A fallback is used exactly when the value is missing.
    #[test]
    fn fallback_only_when_missing(p in placeholder(), value in proptest::option::of("[a-zA-Z0-9 ]{1,20}"), fallback in "[a-z]{0,10}") {
        let mut v = Values::default();
        v.set(p, value.as_deref());
        let out = Body::parse(&format!("{{{}|{fallback}}}", p.name())).unwrap().render(&v);
        let expected = match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.split_whitespace().collect::<Vec<_>>().join(" "),
            None => fallback.clone(),
        };
        prop_assert_eq!(out.text, expected);
    }
}

#[test]
fn the_line_is_right_after_line_continuations() {
    let src = "body = \"\"\"\nHi {reviewer}, \\\nthanks \\\nfor {raiting}.\n\"\"\"\n";
    let e = parse_template("c", Path::new("c.toml"), src).unwrap_err().to_string();
    assert!(e.starts_with("c.toml:4: unknown placeholder {raiting}"), "{e}");
}

proptest! {
    /// A value taken as it is (the fast path) is one that cleaning would give back unchanged.
    #[test]
    fn a_value_taken_as_it_is_is_already_clean(
        value in "[a-zA-Zé0-9]{1,12}( [a-zA-Z.]{1,12}){0,8}|[a-z \u{a0}\u{200b}\u{202e}\u{1b}\n\t]{0,90}|\\PC{0,100}"
    ) {
        if render::is_clean(&value) {
            prop_assert_eq!(render::cleaned(&value), Some(value.clone()));
        }
    }

    #[test]
    fn the_date_is_strftimes(t in -70_000_000_000i64..300_000_000_000i64) {
        if let Some(d) = chrono::DateTime::from_timestamp(t, 0) {
            prop_assert_eq!(render::ymd(d), d.format("%Y-%m-%d").to_string());
        }
    }
}

#[test]
fn plain_values_take_the_fast_path_and_odd_ones_do_not() {
    for plain in ["Ana", "Jean-Luc Picard", "3.4.1", "山田 太郎"] {
        assert!(render::is_clean(plain), "{plain}");
    }
    for odd in [
        "",
        " Ana",
        "Ana ",
        "Ana  B",
        "A\u{a0}B",
        "A\u{200b}B",
        "Eve\u{1b}[2J",
        "a\nb",
        &"x".repeat(81),
    ] {
        assert!(!render::is_clean(odd), "{odd:?}");
    }
}
