//! A Commerce site as a source of the terminal UI, headless: its reviews in the same list
//! beside a Store app, the moderation state where the Store's eligibility would be, `r` saying
//! where such a review is answered, nothing asked of the Store about it; and the screens at
//! 80x24 and 120x40.

mod common;

use common::flows::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::commerce::CommerceReview;
use reviewdesk::commerce::listed::to_review;
use reviewdesk::provider::site_source_id;
use reviewdesk::store::Review;
use reviewdesk::tui::app::{App, Command, Mode, StoreCommand};

fn site() -> String {
    site_source_id("fabrikam")
}

fn site_review(id: &str, day: u32, title: &str, text: &str) -> CommerceReview {
    CommerceReview {
        review_id: Some(id.into()),
        product_id: Some("68719498121".into()),
        product_name: Some("Trail Boot".into()),
        sku: Some("TB-44".into()),
        user_name: Some(format!("Shopper {id}")),
        market: Some("en-us".into()),
        rating: Some(4.0),
        title: Some(title.into()),
        review_text: Some(text.into()),
        submitted_date_time: Some(format!("2026-11-{day:02}T10:00:00Z")),
        is_published: Some(true),
        ..CommerceReview::default()
    }
}

/// A published one, one taken down (hostile text), one answered and updated since.
fn site_reviews() -> Vec<Review> {
    let published = site_review("c-new", 24, "Warm and dry", "Walked 20 km in the rain, dry feet.");
    let mut down = site_review(
        "c-down",
        22,
        "Free gift\x1b]52;c;aGVsbG8=\x07 inside",
        "Click\x1b[2J here \u{202e}now",
    );
    down.is_taken_down = Some(true);
    down.violations_found = Some(true);
    down.rating = Some(1.0);
    let mut updated = site_review("c-updated", 20, "Sole came off", "After a month the sole came off.");
    updated.rating = Some(2.5);
    updated.responder_name = Some("Fabrikam Care".into());
    updated.response_text = Some("We are sending a new pair.".into());
    updated.response_date_time = Some("2026-11-21T08:00:00Z".into());
    updated.updated_since_response = Some(true);
    [published, down, updated].iter().map(to_review).collect()
}

/// A Store app and the site; the site shown, its reviews served.
fn on_site(size: (u16, u16)) -> H {
    let mut h = H::new(&[APP, &site()], size, many(3));
    h.world.pages.insert(site(), vec![site_reviews()]);
    h.serve();
    h.typ("a");
    assert_eq!(h.app.screen.mode, Mode::Apps);
    h.typ("j");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.app.app_id(), site());
    h
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.screen.size.0, app.screen.size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, app)).unwrap();
    let text = t.backend().to_string();
    for bad in ["\x1b]52", "\x1b[2J", "\u{202e}"] {
        assert!(!text.contains(bad), "raw {bad:?} reached the screen:\n{text}");
    }
    text
}

#[test]
fn the_site_is_a_source_beside_the_store_app_and_is_never_asked_about_eligibility() {
    let mut h = on_site((80, 24));
    assert_eq!(h.view_ids(), ["c-new", "c-down", "c-updated"]);
    h.typ("j");
    h.typ("j");
    let asked: Vec<&Command> = h
        .log
        .iter()
        .filter(|c| matches!(c, Command::Store(StoreCommand::CheckEligibility { app, .. }) if *app == site()))
        .collect();
    assert!(asked.is_empty(), "the site has no eligibility check: {asked:?}");
    // Its reviews were fetched as the site's, and the Store app's list is parked, not mixed in.
    assert!(fetches(&h.log).iter().any(|(_, app)| *app == site()));
    assert!(!h.view_ids().contains(&"r0"));
    // Back to the Store app: its reviews and its eligibility checks again.
    h.typ("a");
    h.typ("k");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.view_ids(), ["r0", "r1", "r2"]);
    assert!(!checks(&h.log).is_empty());
}

#[test]
fn r_on_a_site_review_says_where_it_is_answered_instead_of_opening_an_editor() {
    let mut h = on_site((80, 24));
    let cmds = h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(h.app.editor.is_none());
    assert!(cmds.is_empty(), "{cmds:?}");
    let notice = h.app.status.notice.clone().expect("an explanation");
    assert!(notice.contains("Home → Reviews → Moderation"), "{notice}");
    assert!(notice.contains("c-new"), "names the review: {notice}");
    // Shown whole, over the list, and gone with the next key.
    let text = screen(&h.app);
    assert!(text.contains("site builder"), "{text}");
    h.typ("j");
    assert!(h.app.status.notice.is_none());
}

/// Marked site reviews do not open the bulk composer either: nothing there could send them.
#[test]
fn r_with_marked_site_reviews_explains_too_and_composes_nothing() {
    let mut h = on_site((80, 24));
    h.typ(" ");
    h.typ(" ");
    let cmds = h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Normal);
    assert!(cmds.is_empty(), "{cmds:?}");
    let notice = h.app.status.notice.clone().expect("an explanation");
    assert!(notice.contains("Home → Reviews → Moderation"), "{notice}");
}

#[test]
fn the_detail_pane_shows_the_moderation_state_not_store_eligibility() {
    let mut h = on_site((120, 40));
    let text = screen(&h.app);
    assert!(text.contains("Moderation: published on the site"), "{text}");
    assert!(text.contains("Trail Boot · product 68719498121 · SKU TB-44"), "{text}");
    assert!(!text.contains("checking whether this review can be answered"), "{text}");
    assert!(text.contains("answer") && text.contains("Add a response"), "{text}");
    h.goto("c-down");
    let text = screen(&h.app);
    assert!(text.contains("taken down by a moderator"), "{text}");
    assert!(text.contains("found violations"), "{text}");
    assert!(text.contains("Free gift"), "cleaned, not dropped: {text}");
    h.goto("c-updated");
    let text = screen(&h.app);
    assert!(text.contains("customer updated"), "{text}");
    assert!(text.contains("Response by Fabrikam Care"), "{text}");
    assert!(text.contains("rated") && text.contains("2.5"), "{text}");
}

#[test]
fn a_site_that_cannot_be_exported_says_why_and_keeps_the_store_app_usable() {
    let mut h = H::new(&[APP, &site()], (80, 24), many(2));
    h.serve();
    h.world.offline = Some("The site's export failed: the R&R service refused the token; press R to try again".into());
    h.typ("a");
    h.typ("j");
    h.code(KeyCode::Enter);
    h.serve();
    assert!(h.error().contains("refused the token"), "{}", h.error());
    h.world.offline = None;
    h.typ("a");
    h.typ("k");
    h.code(KeyCode::Enter);
    h.serve();
    assert_eq!(h.view_ids(), ["r0", "r1"]);
}

#[test]
fn snapshots_of_a_site_at_80x24_and_120x40() {
    for (w, hgt) in [(80, 24), (120, 40)] {
        let mut h = on_site((w, hgt));
        insta::assert_snapshot!(format!("site_published_{w}x{hgt}"), screen(&h.app));
        h.goto("c-down");
        insta::assert_snapshot!(format!("site_taken_down_{w}x{hgt}"), screen(&h.app));
        h.goto("c-updated");
        insta::assert_snapshot!(format!("site_updated_since_response_{w}x{hgt}"), screen(&h.app));
        h.typ("r");
        insta::assert_snapshot!(format!("site_r_explains_{w}x{hgt}"), screen(&h.app));
    }
}

#[test]
fn snapshots_of_the_setup_form_for_a_commerce_site() {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    use reviewdesk::keymap::Keymap;
    use reviewdesk::tui::app::Settings;
    for (w, hgt) in [(80, 24), (120, 40)] {
        let mut app = App::setup(Keymap::default(), Settings::default(), (w, hgt));
        app.key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
        insta::assert_snapshot!(format!("site_setup_empty_{w}x{hgt}"), screen(&app));
        let typ = |app: &mut App, s: &str| {
            for c in s.chars() {
                app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
        };
        let tab = |app: &mut App| {
            app.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        };
        typ(&mut app, "Fabrikam Outdoor");
        tab(&mut app);
        typ(&mut app, "fabrikam.onmicrosoft.com");
        tab(&mut app);
        typ(&mut app, "not-a-guid");
        tab(&mut app);
        typ(&mut app, "s3cret-value-xyz");
        tab(&mut app);
        typ(&mut app, "ftp://fabrikam.rnr.ms");
        tab(&mut app);
        let text = screen(&app);
        assert!(!text.contains("s3cret"), "the secret is never drawn: {text}");
        insta::assert_snapshot!(format!("site_setup_errors_{w}x{hgt}"), text);
    }
}

/// What moderation did shows on the list row itself, not only in the detail pane: one glyph in
/// the marker column, distinct from every other marker, so it reads without colour as well.
#[test]
fn list_rows_mark_taken_down_and_updated_site_reviews_without_colour() {
    // The screen's text alone, without its colours: what NO_COLOR leaves.
    let h = on_site((80, 24));
    let text = screen(&h.app);
    let row = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}:\n{text}"))
            .chars()
            .nth(2)
            .unwrap()
    };
    assert_eq!(row("Shopper c-n"), ' ', "published, no response: no mark");
    assert_eq!(row("Free gift inside"), '⊗', "taken down, hostile title cleaned");
    assert_eq!(row("Sole came off"), '↻', "updated since the moderator's response");
    insta::assert_snapshot!("site_list_marks_80x24", text);
    // A response alone is the answered mark; the legend in the help names the new one.
    let mut answered = site_review("c-answered", 25, "Comfy", "Nice.");
    answered.response_text = Some("Thank you!".into());
    let r = to_review(&answered);
    assert_eq!(
        reviewdesk::commerce::listed::SiteMark::of(&r),
        Some(reviewdesk::commerce::listed::SiteMark::Responded)
    );
    assert!(reviewdesk::tui::help::MARKERS.contains("⊗ taken down"));
}
