//! Snapshots of every TUI screen at 80x24 and 120x40: the rendered text is the spec a person
//! reads. Reviews are built by hand with fixed timestamps, so nothing depends on the clock.

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use reviewdesk::db::{OutboxItem, OutboxState};
use reviewdesk::keymap::Keymap;
use reviewdesk::outbox_sender::{Delivery, Outcome};
use reviewdesk::store::Review;
use reviewdesk::tui::action::{Action, Eligibility};
use reviewdesk::tui::app::{App, AppEntry, Command, Settings};
use reviewdesk::tui::app::{DbCommand, OutboxCommand, StoreCommand};

const APP: &str = "9NBLGGGZ5QDR";
const OTHER_APP: &str = "9WZDNCRFJ3TJ";
const HOSTILE: [&str; 3] = ["\x1b]52;c;aGVsbG8=\x07", "\x1b[2J", "\u{202e}"];

fn ts(d: u32, h: u32, m: u32) -> i64 {
    let day = NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    day.and_hms_opt(h, m, 0).unwrap().and_utc().timestamp()
}

fn review(id: &str, rating: i64, at: i64, title: Option<&str>, text: &str, who: Option<&str>, market: &str) -> Review {
    Review {
        id: Some(id.into()),
        timestamp: Some(at),
        rating: Some(rating),
        review_title: title.map(Into::into),
        review_text: Some(text.into()),
        reviewer_name: who.map(Into::into),
        market: Some(market.into()),
        ..Review::default()
    }
}

/// Eight reviews, newest first: a hostile one, plain ones, an answered one, a revised one.
fn corpus() -> Vec<Review> {
    let mut hostile = review(
        "r-hostile",
        1,
        ts(20, 9, 15),
        Some("Free gift\x1b]52;c;aGVsbG8=\x07 inside\x1b[2J \u{202e}fdp.exe"),
        "Copy this\x1b]52;c;aGVsbG8=\x07 now.\x1b[2J\nSecond line \u{202e}desrever\u{202c} end.",
        Some("Mallory\x1b[2J"),
        "US",
    );
    hostile.package_version = Some("3.2.1.0".into());
    hostile.device_type = Some("PC".into());
    let mut crash = review(
        "r-crash",
        2,
        ts(19, 18, 2),
        Some("Crashes on startup"),
        "Since the last update the app crashes every time I open a notebook.\nReinstalling did not help.",
        Some("Ana Souza"),
        "BR",
    );
    crash.package_version = Some("3.2.1.0".into());
    crash.device_type = Some("PC".into());
    crash.os_version = Some("Windows 11".into());
    crash.helpful_count = Some(3);
    crash.not_helpful_count = Some(1);
    let mut love = review(
        "r-love",
        5,
        ts(17, 8, 0),
        Some("Love it"),
        "Best notes app I have used.",
        Some("Priya"),
        "IN",
    );
    love.response_text = Some("Thank you for the kind words!".into());
    love.response_timestamp = Some(ts(17, 12, 30));
    let mut revised = review(
        "r-revised",
        4,
        ts(16, 20, 45),
        Some("Better now, one issue left"),
        "The crash is fixed, but export still loses images.",
        Some("Tom"),
        "GB",
    );
    revised.is_revised = Some(true);
    revised.response_text = Some("Sorry about the crash; version 3.2 fixes it.".into());
    revised.response_timestamp = Some(ts(10, 7, 0));
    vec![
        hostile,
        crash,
        review(
            "r-sync",
            3,
            ts(18, 11, 30),
            Some("Sync is slow"),
            "Takes minutes to sync.",
            Some("Jürgen Weiß"),
            "DE",
        ),
        love,
        revised,
        review(
            "r-dark",
            4,
            ts(15, 14, 0),
            Some("Please add dark mode"),
            "Otherwise perfect.",
            Some("Sam"),
            "US",
        ),
        review(
            "r-notitle",
            2,
            ts(14, 6, 5),
            None,
            "Crash when exporting to PDF.",
            None,
            "FR",
        ),
        review(
            "r-ja",
            5,
            ts(13, 22, 10),
            Some("とても便利です"),
            "毎日使っています。",
            Some("山田太郎"),
            "JP",
        ),
    ]
}

/// An app plus the commands its updates produced and not yet answered.
struct Screen {
    app: App,
    cmds: Vec<Command>,
}

impl Screen {
    /// Started, before any page arrived.
    fn started_with(w: u16, h: u16, settings: Settings) -> Screen {
        let apps = vec![
            AppEntry {
                id: APP.into(),
                name: Some("Contoso Notes".into()),
            },
            AppEntry {
                id: OTHER_APP.into(),
                name: Some("Contoso Paint".into()),
            },
        ];
        let mut app = App::new(Keymap::default(), settings, "default".into(), apps, (w, h));
        let cmds = app.start();
        let mut s = Screen { app, cmds };
        // The cache is read first; it is empty, so the reviews come from the fetch.
        let request = s
            .cmds
            .iter()
            .find_map(|c| match c {
                Command::Db(DbCommand::LoadCache { request, .. }) => Some(*request),
                _ => None,
            })
            .expect("the cache is read first");
        s.update(Action::CacheLoaded {
            request,
            app: APP.into(),
            result: Ok(Default::default()),
        });
        s
    }

    /// Started and given `reviews` as one complete page.
    fn with(w: u16, h: u16, reviews: Vec<Review>) -> Screen {
        Screen::with_settings(w, h, reviews, Settings::default())
    }

    fn with_settings(w: u16, h: u16, reviews: Vec<Review>, settings: Settings) -> Screen {
        let mut s = Screen::started_with(w, h, settings);
        let request = s.fetch_request();
        let total = Some(reviews.len() as u64);
        s.update(Action::ReviewsPage {
            request,
            app: APP.into(),
            reviews: reviews.into(),
            total,
            done: true,
        });
        s
    }

    fn loaded(w: u16, h: u16) -> Screen {
        Screen::with(w, h, corpus())
    }

    fn fetch_request(&self) -> u64 {
        self.cmds
            .iter()
            .rev()
            .find_map(|c| match c {
                Command::Store(StoreCommand::FetchReviews { request, .. }) => Some(*request),
                _ => None,
            })
            .expect("a FetchReviews command")
    }

    fn update(&mut self, a: Action) {
        let more = self.app.update(a);
        self.cmds.extend(more);
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        let more = self.app.key(KeyEvent::new(code, mods));
        self.cmds.extend(more);
    }

    fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn select(&mut self, id: &str) {
        let pos = self
            .app
            .list
            .view
            .iter()
            .position(|&i| self.app.list.reviews[i].id.as_deref() == Some(id))
            .expect("review in view");
        let more = self.app.select(pos);
        self.cmds.extend(more);
    }

    /// Answers the pending eligibility check of `review`.
    fn eligible(&mut self, review: &str, result: Eligibility) {
        let request = self
            .cmds
            .iter()
            .rev()
            .find_map(|c| match c {
                Command::Store(StoreCommand::CheckEligibility { request, review: r, .. }) if r == review => {
                    Some(*request)
                }
                _ => None,
            })
            .expect("an eligibility check for the review");
        self.update(Action::EligibilityResult {
            request,
            app: APP.into(),
            review: review.into(),
            result,
        });
    }

    /// `review` selected, answerable with the listing's support email.
    fn answerable(&mut self, review: &str) {
        self.select(review);
        self.eligible(review, can_respond());
    }

    /// The outbox worker's answers for the reply to `review`: written to the outbox, then
    /// (with `what`) how sending it went, and the outbox as it is then.
    fn outbox_answers(&mut self, review: &str, state: OutboxState, what: Option<Delivery>) {
        let text = self
            .cmds
            .iter()
            .find_map(|c| match c {
                Command::Outbox(OutboxCommand::Enqueue { review: r, text, .. }) if r == review => Some(text.clone()),
                _ => None,
            })
            .expect("the reply queued in the outbox");
        let mut item = OutboxItem {
            id: 1,
            app: APP.into(),
            review: review.into(),
            text,
            support_email: "support@contoso.example".into(),
            public: true,
            state: OutboxState::Queued,
            reason: None,
            manual: false,
            attempts: 0,
            created_at: ts(20, 10, 0),
            updated_at: ts(20, 10, 0),
            next_attempt_at: ts(20, 10, 0),
            owner: None,
            lease_until: None,
            sent_at: None,
        };
        self.update(Action::Enqueued {
            app: APP.into(),
            review: review.into(),
            result: Ok(1),
        });
        self.update(Action::OutboxSnapshot(vec![item.clone()]));
        if let Some(what) = what {
            item.state = state;
            if let Delivery::Failed(why) = &what {
                item.reason = Some(why.clone());
            }
            self.update(Action::OutboxOutcome(Outcome {
                item: item.clone(),
                what,
            }));
            self.update(Action::OutboxSnapshot(vec![item]));
        }
    }

    /// Replies to the selected `review` with `text` and confirms: the reply is being sent.
    fn send(&mut self, review: &str, text: &str) {
        self.answerable(review);
        self.chars("r");
        self.update(Action::Paste(text.into()));
        self.ctrl('s');
        self.chars("y");
    }

    fn render(&self) -> String {
        render(&self.app).backend().to_string()
    }

    /// What the text cannot show (the selected row is only reversed), for the snapshot header.
    fn state(&self) -> String {
        let a = &self.app;
        format!(
            "selected: {} · mode: {:?} · focus: {:?}",
            a.selected_id().unwrap_or("-"),
            a.screen.mode,
            a.screen.focus
        )
    }
}

fn can_respond() -> Eligibility {
    Eligibility::CanRespond {
        support_email: Some("support@contoso.example".into()),
    }
}

fn render(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.screen.size.0, app.screen.size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, app)).unwrap();
    let text = t.backend().to_string();
    for bad in HOSTILE {
        assert!(!text.contains(bad), "raw {bad:?} reached the screen:\n{text}");
    }
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    t
}

/// One snapshot per size, built the same way.
fn both(name: &str, build: impl Fn(u16, u16) -> Screen) {
    for (w, h) in [(80, 24), (120, 40)] {
        let s = build(w, h);
        insta::with_settings!({ description => s.state(), omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), s.render());
        });
    }
}

fn checked(review: &'static str, result: Option<Eligibility>) -> impl Fn(u16, u16) -> Screen {
    move |w, h| {
        let mut s = Screen::loaded(w, h);
        s.select(review);
        if let Some(r) = result.clone() {
            s.eligible(review, r);
        }
        s
    }
}

fn editor_with(text: impl Into<String>) -> impl Fn(u16, u16) -> Screen {
    let text: String = text.into();
    move |w, h| {
        let mut s = Screen::loaded(w, h);
        s.answerable("r-crash");
        s.chars("r");
        s.update(Action::Paste(text.clone()));
        s
    }
}

#[test]
fn list_with_hostile_review() {
    both("list_hostile", |w, h| {
        let s = Screen::loaded(w, h);
        assert_eq!(s.app.selected_id(), Some("r-hostile"));
        s
    });
}

#[test]
fn detail_eligibility_states() {
    both("detail_checking", checked("r-crash", None));
    both("detail_can_respond_email", checked("r-crash", Some(can_respond())));
    both(
        "detail_can_respond_no_email",
        checked("r-crash", Some(Eligibility::CanRespond { support_email: None })),
    );
    both("detail_opted_out", checked("r-crash", Some(Eligibility::OptedOut)));
    both(
        "detail_api_down",
        checked(
            "r-crash",
            Some(Eligibility::ApiDown(
                "Microsoft's reviews API answers 500 for every request (a known outage); answer in Partner Center"
                    .into(),
            )),
        ),
    );
    both(
        "detail_failed",
        checked(
            "r-crash",
            Some(Eligibility::Failed("the Store timed out after 30 s".into())),
        ),
    );
}

#[test]
fn answered_and_revised() {
    both("detail_answered", checked("r-love", Some(can_respond())));
    both("detail_revised", checked("r-revised", Some(can_respond())));
}

#[test]
fn reply_editor_counter() {
    both("editor_short", editor_with("Thanks, Ana!\r\nVersion 3.2.2 fixes this."));
    both(
        "editor_950_warning",
        editor_with("Thanks for the feedback. ".repeat(38)),
    );
    // 1000 characters, 1001 UTF-16 units: the emoji counts two.
    let over = format!("{}{}🎉", "Thanks for the feedback. ".repeat(39), "x".repeat(24));
    both("editor_1001_over_limit", editor_with(over.clone()));
    // The text cannot show the counter's colour: dim, then warning, then over the limit.
    let colour = |text: String, counter: &str| fg_of(&editor_with(text)(80, 24), counter);
    assert_eq!(colour("Thanks!".into(), "7/1000"), Color::DarkGray);
    assert_eq!(colour("x".repeat(899), "899/1000"), Color::DarkGray);
    assert_eq!(colour("x".repeat(900), "900/1000"), Color::Yellow);
    assert_eq!(colour("x".repeat(1000), "1000/1000"), Color::Yellow);
    assert_eq!(colour(over, "1001/1000"), Color::Red);
}

/// The foreground colour of the first cell of `needle` on screen.
fn fg_of(s: &Screen, needle: &str) -> Color {
    let t = render(&s.app);
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let cells: Vec<_> = (0..buf.area.width).map(|x| &buf[(x, y)]).collect();
        let line: String = cells.iter().map(|c| c.symbol()).collect();
        if let Some(at) = line.find(needle) {
            let mut bytes = 0;
            for c in &cells {
                if bytes == at {
                    return c.fg;
                }
                bytes += c.symbol().len();
            }
        }
    }
    panic!("{needle:?} is not on screen:\n{}", t.backend())
}

#[test]
fn reply_editor_private_and_problem() {
    both("editor_private", |w, h| {
        let mut s = editor_with("We will email you the fix.")(w, h);
        s.ctrl('p');
        s
    });
    both("editor_problem_empty", |w, h| {
        let mut s = editor_with("")(w, h);
        s.ctrl('s');
        s
    });
}

#[test]
fn send_confirmation() {
    both("confirm_public", |w, h| {
        let mut s = editor_with("Thanks, Ana! Version 3.2.2 fixes this.")(w, h);
        s.ctrl('s');
        s
    });
    both("confirm_private", |w, h| {
        let mut s = editor_with("We will email you the fix.")(w, h);
        s.ctrl('p');
        s.ctrl('s');
        s
    });
}

#[test]
fn sending_sent_failed() {
    both("reply_queued", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.send("r-crash", "Thanks, Ana! Version 3.2.2 fixes this.");
        s.outbox_answers("r-crash", OutboxState::Queued, None);
        s
    });
    both("reply_sent", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.send("r-crash", "Thanks, Ana! Version 3.2.2 fixes this.");
        s.outbox_answers("r-crash", OutboxState::Sent, Some(Delivery::Sent));
        // The app stamps the answer with the current time; pin it for a stable snapshot.
        let i = s.app.list.view[s.app.list.selected];
        s.app.list.reviews[i].response_timestamp = Some(ts(20, 10, 0));
        s
    });
    both("reply_failed", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.send("r-crash", "Thanks, Ana! Version 3.2.2 fixes this.");
        s.outbox_answers(
            "r-crash",
            OutboxState::Failed,
            Some(Delivery::Failed(
                "The Store refused the reply: the review was removed".into(),
            )),
        );
        s
    });
}

#[test]
fn overlays() {
    both("help", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("?");
        s
    });
    // Held `j` stops with the last line at the bottom of the box, not in blank rows.
    both("help_at_its_end", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("?");
        s.chars(&"j".repeat(200));
        s
    });
    both("filters_error", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("f");
        for _ in 0..3 {
            s.key(KeyCode::Down, KeyModifiers::NONE);
        }
        s.chars("USA");
        s.key(KeyCode::Enter, KeyModifiers::NONE);
        s
    });
    both("app_switcher", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("aj");
        s
    });
    // Drafts in the local database are safe: the dialog asks because a reply is still on its
    // way to the outbox, and says the drafts will be there next time.
    both("quit_confirm", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.update(Action::DraftsLoaded(Ok((Vec::new(), None))));
        s.answerable("r-crash");
        s.chars("rSorry about that");
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.send("r-sync", "Thanks, sync is faster in 3.3");
        s.chars("q");
        s
    });
    // Without a database (it could not be opened) drafts live in memory: quitting loses them.
    both("quit_confirm_memory_only", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.answerable("r-crash");
        s.chars("rSorry about that");
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.chars("q");
        s
    });
}

#[test]
fn search_prompt_with_matches() {
    both("search_matches", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("/crash");
        s
    });
}

#[test]
fn empty_list_and_fetch_error() {
    both("empty_list", |w, h| Screen::with(w, h, Vec::new()));
    both("fetch_error", |w, h| {
        let mut s = Screen::loaded(w, h);
        s.chars("R");
        let request = s.fetch_request();
        s.update(Action::ReviewsFailed {
            request,
            error: "Cannot reach manage.devcenter.microsoft.com: connection refused; R to try again".into(),
        });
        s
    });
}

#[test]
fn terminal_too_small() {
    let s = Screen::loaded(50, 12);
    insta::assert_snapshot!("too_small_50x12", s.render());
}

#[test]
fn no_color() {
    let settings = Settings {
        no_color: true,
        ..Settings::default()
    };
    let mut s = Screen::with_settings(80, 24, corpus(), settings);
    s.answerable("r-crash");
    let t = render(&s.app);
    let colored: Vec<_> = t
        .backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .map(|c| c.symbol().to_owned())
        .collect();
    assert!(colored.is_empty(), "cells with colour under NO_COLOR: {colored:?}");
    insta::assert_snapshot!("no_color_80x24", t.backend().to_string());
}

/// Past the end, `j` does nothing, so the first `k` after it scrolls back at once.
#[test]
fn the_help_scrolls_back_with_the_first_k_after_its_end() {
    let mut s = Screen::loaded(80, 24);
    s.chars("?");
    s.chars(&"j".repeat(200));
    let end = s.render();
    assert!(end.contains("Keys can be changed in config.toml"), "{end}");
    s.chars("k");
    let back = s.render();
    assert_ne!(end, back, "k did not scroll back");
    s.chars("j");
    assert_eq!(s.render(), end);
}

/// An error says what went wrong and how to fix it; at 80 columns the fix came last and was cut
/// off. Now a notice too long for its line wraps upward over the panes, every word on screen.
#[test]
fn a_long_error_is_shown_whole_at_80_columns() {
    let mut s = Screen::loaded(80, 24);
    s.chars("R");
    let request = s.fetch_request();
    let error = "Commerce refused the token of profile contoso-site: add the app registration's \
                 client ID to the site's service-to-service allow-list in Commerce site builder, \
                 then R to try again";
    s.update(Action::ReviewsFailed {
        request,
        error: error.into(),
    });
    let screen = s.render();
    // One quoted string per row.
    let rows: Vec<&str> = screen.lines().map(|l| l.trim_matches('"')).collect();
    let words: Vec<&str> = rows.iter().flat_map(|l| l.split_whitespace()).collect();
    let joined = words.join(" ");
    assert!(
        joined.contains(&error.split_whitespace().collect::<Vec<_>>().join(" ")),
        "{screen}"
    );
    // The status bar stays on the last row.
    assert!(rows.last().is_some_and(|l| l.contains("8 reviews")), "{screen}");
}
