use super::*;

fn check(reply: &str) -> Vec<Finding> {
    Policy::default().check(
        reply,
        &Context {
            support_email: Some("help@contoso.com"),
            ..Context::default()
        },
    )
}

fn rules(reply: &str) -> Vec<Rule> {
    check(reply).into_iter().map(|f| f.rule).collect()
}

fn words_of(reply: &str, rule: Rule) -> Vec<String> {
    check(reply)
        .into_iter()
        .find(|f| f.rule == rule)
        .map(|f| f.words)
        .unwrap_or_default()
}

#[test]
fn the_built_in_lists_parse_for_every_language() {
    let lists = WordLists::built_in();
    assert_eq!(lists.languages(), vec!["de", "en", "es", "fr"]);
    for l in lists.by_language.values() {
        assert!(!l.profanity.is_empty() && !l.offers.is_empty() && !l.promotion.is_empty());
    }
}

#[test]
fn plain_good_replies_raise_nothing() {
    for reply in [
        "Thanks for the review! The crash is fixed in version 2.4.1; write to help@contoso.com if it persists.",
        "We are sorry about the free trial ending early: the update restores it.",
        "Thank you for your review. Our assistant feature is classic Scunthorpe-proof.",
        "Danke für Ihre Bewertung! Der Absturz ist in Version 10.0.19045.1234 behoben.",
        "Merci pour votre avis, la mise à jour est gratuite pour tous.",
        "Gracias por su reseña; la actualización del 2024-06-01 corrige el error.",
        "The update is free for everyone who already bought the app.",
        "Please try our latest update and tell us at help@contoso.com.",
    ] {
        assert_eq!(check(reply), vec![], "{reply}");
    }
}

#[test]
fn over_the_limit_blocks_and_says_by_how_much() {
    let f = check(&"a".repeat(1003));
    assert_eq!(f[0].rule, Rule::Length);
    assert_eq!(f[0].severity, Severity::Block);
    assert!(f[0].message.contains("shorten it by 3"), "{}", f[0].message);
    // UTF-16 units, as the Store counts: 500 emoji are 1000 units, 501 are over.
    assert!(check(&"🙂".repeat(500)).is_empty());
    assert!(blocks(&check(&"🙂".repeat(501))));
}

#[test]
fn an_unfilled_placeholder_blocks_and_is_named() {
    let f = check("Hi {reviewer}, thanks for {app|the app} and {nonsense}.");
    assert!(blocks(&f));
    assert_eq!(
        words_of("Hi {reviewer}, thanks {reviewer}", Rule::UnfilledPlaceholder),
        vec!["{reviewer}"]
    );
    assert_eq!(words_of("{app|x}", Rule::UnfilledPlaceholder), vec!["{app|x}"]);
    assert!(words_of("a {set} of {braces}", Rule::UnfilledPlaceholder).is_empty());
}

#[test]
fn compensation_for_a_rating_warns_in_every_language() {
    for (reply, offer, change) in [
        (
            "We will refund you if you change your rating to 5 stars.",
            "refund",
            "change your rating",
        ),
        ("Give us five stars and get a gift card!", "gift card", "five stars"),
        ("Für 5 Sterne erhalten Sie einen Gutschein.", "Gutschein", "5 Sterne"),
        (
            "Un bon d'achat si vous modifiez votre note.",
            "bon d'achat",
            "modifiez votre note",
        ),
        ("Le remboursement contre 5 étoiles.", "remboursement", "5 étoiles"),
        (
            "Un cupón de descuento si cambia su reseña.",
            "cupón",
            "cambia su reseña",
        ),
    ] {
        let w = words_of(reply, Rule::Compensation);
        assert!(
            w.iter().any(|x| x.eq_ignore_ascii_case(offer)),
            "{reply}: {w:?} lacks {offer}"
        );
        let _ = change;
    }
}

#[test]
fn an_offer_and_a_rating_in_different_sentences_do_not_warn() {
    assert!(!rules("The refund is on its way. Thank you for the five stars!").contains(&Rule::Compensation));
}

#[test]
fn promotion_and_links_warn_with_the_words() {
    assert_eq!(
        words_of("Download our new photo app, it is great.", Rule::Promotion),
        vec!["Download our"]
    );
    assert_eq!(
        words_of("Laden Sie unsere andere App herunter.", Rule::Promotion),
        vec!["Laden Sie unsere", "unsere andere App"]
    );
    assert_eq!(
        words_of("Téléchargez notre nouvelle application.", Rule::Promotion),
        vec!["Téléchargez notre", "notre nouvelle application"]
    );
    let f = check("See https://contoso.com/fix or ms-windows-store://pdp/?productid=9NBLGGGZ5QDR.");
    let links: Vec<&Finding> = f.iter().filter(|f| f.rule == Rule::Promotion).collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].words.len(), 2, "{:?}", links[0].words);
    assert!(rules("Get it at apps.microsoft.com/detail/9NBLGGGZ5QDR").contains(&Rule::Promotion));
}

#[test]
fn profanity_and_insults_warn_but_not_inside_other_words() {
    assert_eq!(
        words_of("Are you an idiot? Read the manual.", Rule::Profanity),
        vec!["idiot"]
    );
    assert_eq!(words_of("Das ist Scheiße, sorry.", Rule::Profanity), vec!["Scheiße"]);
    assert_eq!(words_of("Vous êtes un crétin.", Rule::Profanity), vec!["crétin"]);
    assert_eq!(words_of("Eres un idiota.", Rule::Profanity), vec!["idiota"]);
    for fine in [
        "Our class assistant passes the Scunthorpe test.",
        "Thanks, we shipped the fix in 2.1.",
        "Mistakes happen; we are sorry.",
    ] {
        assert!(!rules(fine).contains(&Rule::Profanity), "{fine}");
    }
}

#[test]
fn personal_data_other_than_the_support_address_warns() {
    assert_eq!(
        words_of(
            "Write to HELP@contoso.com or to jane.doe@gmail.com.",
            Rule::PersonalData
        ),
        vec!["jane.doe@gmail.com"]
    );
    assert_eq!(
        words_of("Call +49 30 1234567 or (425) 555-0100.", Rule::PersonalData),
        vec!["+49 30 1234567", "(425) 555-0100"]
    );
    assert_eq!(
        words_of("Appelez le 01.23.45.67.89.", Rule::PersonalData),
        vec!["01.23.45.67.89"]
    );
    for fine in [
        "Fixed in 10.0.19045.1234 on 2024-06-01.",
        "Build 202406011 is out.",
        "Thanks! 5 of 5 users saw it.",
    ] {
        assert!(!rules(fine).contains(&Rule::PersonalData), "{fine}: {:?}", check(fine));
    }
}

fn canned(n: usize, review_text: impl Fn(usize) -> String) -> HistoryIndex {
    let history: Vec<SentReply> = (0..n)
        .map(|i| SentReply {
            review: format!("r{i}"),
            reply: format!(
                "Hi reviewer{i}, thank you for your feedback. We are always working to improve the app and \
                 appreciate you taking the time to write."
            ),
            review_text: Some(review_text(i)),
        })
        .collect();
    HistoryIndex::new(&history)
}

fn check_canned(index: &HistoryIndex, reply: &str, review_text: &str) -> Option<Finding> {
    Policy::default()
        .check(
            reply,
            &Context {
                review: Some("new"),
                review_text: Some(review_text),
                history: Some(index),
                ..Context::default()
            },
        )
        .into_iter()
        .find(|f| f.rule == Rule::CannedReply)
}

const CANNED: &str = "Hi Ana, thank you for your feedback. We are always working to improve the app and appreciate \
                      you taking the time to write.";

#[test]
fn one_reply_to_many_different_reviews_warns() {
    let topics = [
        "crashes on start",
        "no dark mode",
        "too expensive",
        "sync loses notes",
        "ads everywhere",
    ];
    let index = canned(5, |i| topics[i].to_owned());
    let f = check_canned(&index, CANNED, "the font is too small").expect("a canned-reply warning");
    assert!(f.message.contains("5 other reviews"), "{}", f.message);
    assert_eq!(f.words, vec!["Hi Ana, thank you for your feedback. We…"]);
}

#[test]
fn the_same_reply_to_the_same_question_does_not_warn() {
    let index = canned(6, |i| format!("the app crashes on start since the update {i}"));
    assert_eq!(
        check_canned(&index, CANNED, "the app crashes on start since the update"),
        None
    );
}

#[test]
fn a_personal_reply_or_a_short_history_does_not_warn() {
    let topics = [
        "crashes on start",
        "no dark mode",
        "too expensive",
        "sync loses notes",
        "ads everywhere",
    ];
    let index = canned(5, |i| topics[i].to_owned());
    let personal = "Ana, the small font is a known problem: Settings > Display > Text size fixes it today, and \
                    version 3 makes it the default.";
    assert_eq!(check_canned(&index, personal, "the font is too small"), None);
    let two = canned(2, |i| topics[i].to_owned());
    assert_eq!(check_canned(&two, CANNED, "the font is too small"), None);
}

#[test]
fn findings_print_rule_and_words() {
    let f = check("Download our app, idiot.");
    let text: Vec<String> = f.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("warning [promotion]") && t.ends_with("(\"Download our\")")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with("warning [profanity or insult]")),
        "{text:?}"
    );
}
