//! Every input a fuzz target (fuzz/src/bin/) crashed on, and every seed it starts from, replayed
//! through exactly the check the fuzzer runs (`reviewdesk::fuzz_checks::<target>`: each target
//! is one line calling it, which the first test holds), plus the plain sentences of what was
//! found. A new crash: copy it from fuzz/artifacts/<target>/ to tests/fixtures/fuzz/<target>/ and
//! fix the code; the target's replay test picks it up.

use std::path::{Path, PathBuf};

use reviewdesk::fuzz_checks::{self, SECRET, credentials, is_unsafe};
use reviewdesk::keymap::{KeySpec, Keymap, KeysConfig};
use reviewdesk::sanitize::{sanitize_line, sanitize_text};

fn unsafe_char(text: &str) -> Option<char> {
    text.chars().find(|&c| is_unsafe(c))
}

/// A fuzz target's check: panics, naming what broke.
type Check = fn(&[u8]);

/// Every target and its check, as `fuzz/src/bin/<target>.rs` calls it.
const TARGETS: [(&str, Check); 15] = [
    ("commerce_export", fuzz_checks::commerce_export),
    ("commerce_import", fuzz_checks::commerce_import),
    ("config_toml", fuzz_checks::config_toml),
    ("emulator_query", fuzz_checks::emulator_query),
    ("entra_error", fuzz_checks::entra_error),
    ("filter_view", fuzz_checks::filter_view),
    ("keymap", fuzz_checks::keymap),
    ("paste", fuzz_checks::paste),
    ("review_item", fuzz_checks::review_item),
    ("review_page", fuzz_checks::review_page),
    ("reviews_api_answer", fuzz_checks::reviews_api_answer),
    ("reviews_report", fuzz_checks::reviews_report),
    ("sanitize", fuzz_checks::sanitize),
    ("template", fuzz_checks::template),
    ("token_answer", fuzz_checks::token_answer),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

/// The inputs kept for `target`: its crash inputs (tests/fixtures/fuzz/<target>/) and its
/// seeds (fuzz/seeds/<target>/); at least one, or the replay would check nothing.
fn kept_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut paths = files_in(&root().join("tests/fixtures/fuzz").join(target));
    paths.extend(files_in(&root().join("fuzz/seeds").join(target)));
    paths.sort();
    assert!(!paths.is_empty(), "no crash inputs or seeds kept for {target}");
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn replay(target: &str) {
    let (_, check) = TARGETS.iter().find(|(t, _)| *t == target).expect("a known target");
    for (name, data) in kept_inputs(target) {
        eprintln!("replaying {name}");
        check(&data);
    }
}

/// Each target is exactly one call to its check (so that the replays here run what the
/// fuzzer runs), and each has a replay test: a target added or changed without that fails.
#[test]
fn every_fuzz_target_is_one_call_to_its_check() {
    let mut found: Vec<String> = files_in(&root().join("fuzz/src/bin"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let code: Vec<String> = std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("//"))
                .map(str::to_owned)
                .collect();
            let call = format!("libfuzzer_sys::fuzz_target!(|data: &[u8]| reviewdesk::fuzz_checks::{name}(data));");
            assert_eq!(code, ["#![no_main]".to_owned(), call], "{}", p.display());
            name
        })
        .collect();
    found.sort();
    let listed: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
    assert_eq!(found, listed, "fuzz/src/bin/ and TARGETS name the same targets");
}

macro_rules! replays {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*
    };
}

/// One test per target, so a failure names it.
mod replay {
    use super::replay;

    replays!(
        commerce_export,
        commerce_import,
        config_toml,
        emulator_query,
        entra_error,
        filter_view,
        keymap,
        paste,
        review_item,
        review_page,
        reviews_api_answer,
        reviews_report,
        sanitize,
        template,
        token_answer,
    );
}

#[test]
fn every_target_has_its_replay_test() {
    let source = std::fs::read_to_string(root().join("tests/fuzz_regressions.rs")).unwrap();
    let block = &source[source.find("replays!(\n").expect("the replays! call")..];
    let block = &block[..block.find(");").unwrap()];
    for (target, _) in TARGETS {
        assert!(block.contains(&format!(" {target},")), "no replay test for {target}");
    }
}

/// Found first (`sanitize`): U+200E (LRM) survived; the marks are Bidi_Control characters too.
#[test]
fn the_bidi_marks_are_dropped_like_the_overrides() {
    for mark in ['\u{061C}', '\u{200E}', '\u{200F}', '\u{202E}', '\u{2067}'] {
        assert_eq!(sanitize_line(&format!("a{mark}b")), "ab", "U+{:04X}", mark as u32);
    }
    assert_eq!(
        sanitize_text("مرحبا بالعالم"),
        "مرحبا بالعالم",
        "right-to-left text itself is kept"
    );
}

/// Found first (`keymap`): a NUL (any control character) was accepted as a key, and the help
/// printed it.
#[test]
fn a_control_character_is_not_a_key_and_the_config_says_so() {
    for control in ["\u{0}", "\u{1b}", "ctrl-\u{7}", "\u{9b}", "\u{202e}"] {
        let err = KeySpec::parse(control).unwrap_err();
        assert!(err.contains("control characters cannot be bound"), "{control:?}: {err}");
        assert_eq!(unsafe_char(&err), None, "the message itself is clean: {err:?}");
    }
    let keys: KeysConfig = toml::from_str("[normal]\nreply = [\"r\", \"\\u001b\"]\n").unwrap();
    let err = Keymap::with_overrides(&keys).unwrap_err();
    assert!(err.contains("is not a key"), "{err}");
    assert!(
        KeySpec::parse("é").is_ok() && KeySpec::parse("ctrl-s").is_ok(),
        "real keys still parse"
    );
}

/// Found first (`entra_error`): Entra's `error` field (and the trace and correlation IDs) went
/// into the sentence as they came, line breaks and escape sequences included.
#[test]
fn every_field_of_an_entra_error_reaches_the_sentence_clean() {
    let body = format!(
        r#"{{"error":"invalid_client\n\u001b]0;pwned\u0007 {SECRET}","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"trace_id":"t\u001b[2J1","correlation_id":"c\n2"}}"#
    );
    let err = reviewdesk::auth::read_token_answer(401, body.as_bytes(), &credentials(), SECRET).unwrap_err();
    let text = err.to_string();
    assert_eq!(unsafe_char(&text), None, "{text:?}");
    assert!(!text.contains('\n') && !text.contains(SECRET), "{text:?}");
    assert!(
        text.contains("The client secret was rejected") && text.contains("invalid_client"),
        "{text}"
    );
    // The check the fuzzer runs says the same of this body, under every status.
    for status_pick in 0..8u8 {
        let mut data = vec![status_pick];
        data.extend_from_slice(body.as_bytes());
        fuzz_checks::entra_error(&data);
    }
}

/// Found first (`review_item`, `review_page`): a large number in an unknown field was read as
/// a neighbouring f64, so it was written out as a number different from the one read
/// (serde_json's fast float parsing; now `float_roundtrip`).
#[test]
fn a_large_number_in_an_unknown_field_is_written_back_as_read() {
    let item = br#"{"id":"a","rating":3,"dateid":111111111555555555555555}"#;
    fuzz_checks::review_item(item);
    let mut page = br#"{"Value":["#.to_vec();
    page.extend_from_slice(item);
    page.extend_from_slice(b"]}");
    fuzz_checks::review_page(&page);
}

/// Found first (2026-12-01, `filter_view`, within seconds): a character the lexer does not know
/// went into the refusal as it was, so `market eq 'US' \u{1b}[2J` put an escape sequence in
/// the sentence the CLI, the filter form and the emulator's 400 body show; so did a date value
/// that does not parse. Both are now shown as code points or cleaned.
#[test]
fn a_filter_refusal_never_carries_what_it_refuses_raw() {
    for src in [
        "rating le 2 \u{1b}]52;c;aGk=\u{7}",
        "market eq 'US' and \u{9b}2J",
        "responseDate ge '\u{1b}[31mnot a date'",
        "rating \u{202e}le 2",
    ] {
        let err = reviewdesk::views::parse_filter(src).unwrap_err();
        assert_eq!(unsafe_char(&err), None, "{src:?}: {err:?}");
        assert!(err.starts_with("Invalid filter: "), "{err}");
        fuzz_checks::filter_view(src.as_bytes());
    }
    let err = reviewdesk::views::parse_filter("rating le 2 \u{1b}").unwrap_err();
    assert!(
        err.contains("U+001B at position 12"),
        "the character is still named: {err}"
    );
}

/// Found by a long run of commerce_export (its input is in tests/fixtures/fuzz/commerce_export/):
/// a header with `isPublished` twice, the first value not a flag (kept as an unknown column under
/// its name), the second a flag. Written out as JSON the review had the key twice and read back
/// different. Two columns or keys for one field are now refused, in one sentence.
#[test]
fn two_columns_for_one_field_are_refused_in_one_sentence() {
    use reviewdesk::commerce::export::read_export_bytes;
    let csv = b"ReviewId,Rating,rating\nr1,5,4\n";
    let err = read_export_bytes(csv, |_| Ok(())).unwrap_err().to_string();
    assert_eq!(
        err,
        "the export file could not be read: the header has two columns for rating, \"Rating\" (column 2) and \"rating\" (column 3): remove or rename one"
    );
    let jsonl = b"{\"reviewId\":\"r1\",\"responderName\":\"A\",\"userResponse\":{\"responderName\":\"B\"}}\n";
    let err = read_export_bytes(jsonl, |_| Ok(())).unwrap_err().to_string();
    assert!(err.contains("line 1 has two fields for responderName"), "{err}");
    // A column whose name holds a control character names no field: kept, not refused.
    let odd = b"ReviewId,Rating,\x1b[2JRating\nr1,5,4\n";
    assert!(read_export_bytes(odd, |_| Ok(())).is_ok());
}
