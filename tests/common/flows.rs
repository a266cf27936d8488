//! The headless-flow harness: an App driven by keys, and a fake worker that answers its commands.
#![allow(dead_code, unused_imports)]

use reviewdesk::db::OutboxState;
use reviewdesk::outbox_sender::{Delivery, Outcome};
use reviewdesk::tui::app::{DbCommand, OutboxCommand, StoreCommand};
use std::collections::HashMap;

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use reviewdesk::keymap::Keymap;
use reviewdesk::store::{ResponseItem, Review};
use reviewdesk::tui::action::{Action, CachedReviews, Eligibility, ReplyState};
use reviewdesk::tui::app::editor::Field;
use reviewdesk::tui::app::view::Answered;
use reviewdesk::tui::app::{App, AppEntry, Command, Focus, Mode, Settings};
use reviewdesk::tui::layout::list_rows;

pub const APP: &str = "9NBLGGGZ5QDR";
pub const OTHER: &str = "9WZDNCRFJ3TJ";
pub const EMAIL: &str = "support@contoso.example";

pub fn day(d: u32) -> i64 {
    let date = NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    date.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
}

pub fn rv(id: &str, rating: i64, d: u32, title: &str, market: &str) -> Review {
    Review {
        id: Some(id.into()),
        timestamp: Some(day(d)),
        rating: Some(rating),
        review_title: Some(title.into()),
        review_text: Some(format!("Text of {id}")),
        reviewer_name: Some(format!("Reviewer {id}").into()),
        market: Some(market.into()),
        ..Review::default()
    }
}

pub fn answered(mut r: Review, d: u32) -> Review {
    r.response_text = Some("Thanks for the review!".into());
    r.response_timestamp = Some(day(d));
    r
}

/// `r0`..`r{n-1}`, newest first, one day apart.
pub fn many(n: u32) -> Vec<Review> {
    (0..n)
        .map(|i| rv(&format!("r{i}"), 3, 28 - i, &format!("Review {i}"), "US"))
        .collect()
}

pub fn can_respond() -> Eligibility {
    Eligibility::CanRespond {
        support_email: Some(EMAIL.into()),
    }
}

/// The fake workers: what the Store holds and how it answers, and an outbox that sends each
/// reply as it is queued (the app's one reply path; tests/tui_outbox.rs drives it by hand).
pub struct World {
    pub pages: HashMap<String, Vec<Vec<Review>>>,
    pub eligibility: HashMap<String, Eligibility>,
    /// What sending a queued reply comes to: `Sent`, `Failed(why)` or `Unconfirmed(why)`.
    pub submit: ReplyState,
    /// Answer the outbox's commands (false: the test plays the outbox worker itself).
    pub outbox_answers: bool,
    /// The outbox as the fake worker keeps it.
    pub outbox: Vec<reviewdesk::db::OutboxItem>,
    /// Sent as `FetchWindow` before the pages, like the real worker.
    pub window: Option<(i64, i64)>,
    /// The fetch fails with this error (offline).
    pub offline: Option<String>,
    /// What the db thread's cache holds, per app.
    pub cached: HashMap<String, CachedReviews>,
    /// The undo-send window: a queued reply waits this long (and is not sent by the fake)
    /// until `SendNow`; `TakeBack` returns it meanwhile.
    pub delay_secs: Option<i64>,
}

impl World {
    /// Like the real workers: each page with `done: false`, then an empty page with
    /// `done: true`; a queued reply is written, sent, and the outbox shown as it is then.
    pub fn answer(&mut self, cmd: &Command) -> Vec<Action> {
        match cmd {
            Command::Db(DbCommand::LoadCache { request, app, .. }) => vec![Action::CacheLoaded {
                request: *request,
                app: app.clone(),
                result: Ok(self.cached.get(app).cloned().unwrap_or_default()),
            }],
            Command::Store(StoreCommand::FetchReviews { request, .. }) if self.offline.is_some() => {
                vec![Action::ReviewsFailed {
                    request: *request,
                    error: self.offline.clone().unwrap_or_default(),
                }]
            }
            Command::Store(StoreCommand::FetchReviews { request, app, .. }) => {
                let window = self.window.map(|(start_ts, end_ts)| Action::FetchWindow {
                    request: *request,
                    start_ts,
                    end_ts,
                });
                let pages = self.pages.get(app).cloned().unwrap_or_default();
                let total = pages.iter().map(Vec::len).sum::<usize>() as u64;
                let mut out: Vec<Action> = window
                    .into_iter()
                    .chain(pages.into_iter().map(|reviews| Action::ReviewsPage {
                        request: *request,
                        app: app.clone(),
                        reviews: reviews.into(),
                        total: Some(total),
                        done: false,
                    }))
                    .collect();
                out.push(Action::ReviewsPage {
                    request: *request,
                    app: app.clone(),
                    reviews: Default::default(),
                    total: None,
                    done: true,
                });
                out
            }
            Command::Store(StoreCommand::CheckEligibility { request, app, review }) => {
                vec![Action::EligibilityResult {
                    request: *request,
                    app: app.clone(),
                    review: review.clone(),
                    result: self.eligibility.get(review).cloned().unwrap_or_else(can_respond),
                }]
            }
            Command::Outbox(OutboxCommand::Enqueue {
                app,
                review,
                text,
                support_email,
                public,
            }) if self.outbox_answers && self.delay_secs.is_some() => {
                let id = self.outbox.len() as i64 + 1;
                let now = chrono::Utc::now().timestamp();
                let mut item = outbox_item(id, review, OutboxState::Queued, text, now);
                item.app = app.clone();
                item.support_email = support_email.clone();
                item.public = *public;
                item.next_attempt_at = now + self.delay_secs.unwrap_or_default();
                self.outbox.push(item);
                vec![
                    Action::Enqueued {
                        app: app.clone(),
                        review: review.clone(),
                        result: Ok(id),
                    },
                    Action::OutboxSnapshot(self.outbox.clone()),
                ]
            }
            Command::Outbox(OutboxCommand::TakeBack { ids }) if self.outbox_answers => {
                let (mut items, mut too_late) = (Vec::new(), 0);
                for id in ids {
                    match self.outbox.iter().position(|i| i.id == *id) {
                        Some(p) if self.outbox[p].state == OutboxState::Queued && self.outbox[p].attempts == 0 => {
                            items.push(self.outbox.remove(p))
                        }
                        _ => too_late += 1,
                    }
                }
                vec![
                    Action::TakenBack { items, too_late },
                    Action::OutboxSnapshot(self.outbox.clone()),
                ]
            }
            Command::Outbox(OutboxCommand::SendNow { ids }) if self.outbox_answers => {
                let now = chrono::Utc::now().timestamp();
                let mut out = Vec::new();
                for item in self.outbox.iter_mut().filter(|i| ids.contains(&i.id)) {
                    item.state = OutboxState::Sent;
                    item.attempts = 1;
                    item.sent_at = Some(now);
                    out.push(Action::OutboxOutcome(Outcome {
                        item: item.clone(),
                        what: Delivery::Sent,
                    }));
                }
                out.push(Action::OutboxSnapshot(self.outbox.clone()));
                out
            }
            Command::Outbox(OutboxCommand::Enqueue {
                app,
                review,
                text,
                support_email,
                public,
            }) if self.outbox_answers => {
                let id = self.outbox.len() as i64 + 1;
                let now = chrono::Utc::now().timestamp();
                let mut item = outbox_item(id, review, OutboxState::Sent, text, now);
                item.app = app.clone();
                item.support_email = support_email.clone();
                item.public = *public;
                let what = match &self.submit {
                    ReplyState::Failed(why) => {
                        item.state = OutboxState::Failed;
                        item.reason = Some(why.clone());
                        Delivery::Failed(why.clone())
                    }
                    ReplyState::Unconfirmed(why) => {
                        item.state = OutboxState::Unconfirmed;
                        item.reason = Some(why.clone());
                        Delivery::Unconfirmed(why.clone())
                    }
                    _ => {
                        item.sent_at = Some(now);
                        Delivery::Sent
                    }
                };
                self.outbox.push(item.clone());
                vec![
                    Action::Enqueued {
                        app: app.clone(),
                        review: review.clone(),
                        result: Ok(id),
                    },
                    Action::OutboxOutcome(Outcome { item, what }),
                    Action::OutboxSnapshot(self.outbox.clone()),
                ]
            }
            // The event loop's own and the profiles worker's: not the Store's.
            _ => Vec::new(),
        }
    }
}

/// The app, the fake worker, and the commands not yet answered.
pub struct H {
    pub app: App,
    pub world: World,
    pub pending: Vec<Command>,
    pub log: Vec<Command>,
}

impl H {
    /// Started, its empty cache read (the first FetchReviews is pending); `apps[0]` holds
    /// `reviews` as one page.
    pub fn new(apps: &[&str], size: (u16, u16), reviews: Vec<Review>) -> H {
        let mut h = H::build(apps, size, reviews, None);
        for cmd in h.take() {
            assert!(matches!(cmd, Command::Db(DbCommand::LoadCache { .. })), "{cmd:?}");
            for a in h.world.answer(&cmd) {
                h.act(a);
            }
        }
        h
    }

    /// Started with a review cache holding `cached` for `apps[0]`: `LoadCache` is pending; the
    /// fetch that follows its answer brings `reviews`.
    pub fn cached(apps: &[&str], cached: CachedReviews, reviews: Vec<Review>) -> H {
        H::build(apps, (80, 24), reviews, Some(cached))
    }

    fn build(apps: &[&str], size: (u16, u16), reviews: Vec<Review>, cached: Option<CachedReviews>) -> H {
        let entries = apps
            .iter()
            .map(|id| AppEntry {
                id: (*id).into(),
                name: None,
            })
            .collect();
        let mut app = App::new(Keymap::default(), Settings::default(), "test".into(), entries, size);
        let start = app.start();
        let world = World {
            pages: HashMap::from([(apps[0].to_owned(), vec![reviews])]),
            eligibility: HashMap::new(),
            submit: ReplyState::Sent,
            outbox_answers: true,
            outbox: Vec::new(),
            window: None,
            delay_secs: None,
            offline: None,
            cached: cached
                .map(|c| HashMap::from([(apps[0].to_owned(), c)]))
                .unwrap_or_default(),
        };
        let mut h = H {
            app,
            world,
            pending: Vec::new(),
            log: Vec::new(),
        };
        h.push(start);
        h
    }

    /// Started at 80x24 and served: loaded, eligibility answered.
    pub fn loaded(reviews: Vec<Review>) -> H {
        let mut h = H::new(&[APP], (80, 24), reviews);
        h.serve();
        h
    }

    pub fn push(&mut self, cmds: Vec<Command>) -> Vec<Command> {
        self.pending.extend(cmds.iter().cloned());
        self.log.extend(cmds.iter().cloned());
        cmds
    }

    pub fn act(&mut self, a: Action) -> Vec<Command> {
        let cmds = self.app.update(a);
        self.push(cmds)
    }

    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
        let cmds = self.app.key(KeyEvent::new(code, mods));
        self.push(cmds)
    }

    pub fn code(&mut self, code: KeyCode) -> Vec<Command> {
        self.key(code, KeyModifiers::NONE)
    }

    /// Characters as a terminal sends them (Shift with capitals).
    pub fn typ(&mut self, s: &str) -> Vec<Command> {
        let mut out = Vec::new();
        for (code, mods) in super::typed(s) {
            out.extend(self.key(code, mods));
        }
        out
    }

    pub fn ctrl(&mut self, c: char) -> Vec<Command> {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.pending)
    }

    /// Answers everything pending, and what those answers ask for, until nothing is left.
    pub fn serve(&mut self) {
        while !self.pending.is_empty() {
            for cmd in self.take() {
                let answers = self.world.answer(&cmd);
                for a in answers {
                    self.act(a);
                }
            }
        }
    }

    pub fn selected(&self) -> &str {
        self.app.selected_id().expect("a selected review")
    }

    pub fn view_ids(&self) -> Vec<&str> {
        self.app
            .list
            .view
            .iter()
            .map(|&i| self.app.list.reviews[i].id.as_deref().unwrap())
            .collect()
    }

    /// Moves the selection to `id` with g and j.
    pub fn goto(&mut self, id: &str) {
        self.typ("g");
        for _ in 0..self.app.list.view.len() {
            if self.selected() == id {
                return;
            }
            self.typ("j");
        }
        assert_eq!(self.selected(), id, "not in the view");
    }

    pub fn review(&self, id: &str) -> &Review {
        self.app
            .list
            .reviews
            .iter()
            .find(|r| r.id.as_deref() == Some(id))
            .unwrap()
    }

    pub fn body(&self) -> String {
        self.app.editor.as_ref().expect("the editor is open").body()
    }

    pub fn problem(&self) -> String {
        let e = self.app.editor.as_ref().expect("the editor is open");
        e.problem.clone().unwrap_or_default()
    }

    pub fn error(&self) -> String {
        self.app.status.notices.shown_text().unwrap_or_default().to_owned()
    }

    /// r, the text, Ctrl-s, y: the commands produced (the reply's `Enqueue` among them).
    pub fn reply(&mut self, text: &str) -> Vec<Command> {
        self.typ("r");
        assert_eq!(self.app.screen.mode, Mode::Editor, "{}", self.error());
        self.act(Action::Paste(text.into()));
        self.ctrl('s');
        assert_eq!(self.app.screen.mode, Mode::Confirm, "{}", self.problem());
        self.typ("y")
    }
}

pub fn checks(cmds: &[Command]) -> Vec<&str> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Store(StoreCommand::CheckEligibility { review, .. }) => Some(review.as_str()),
            _ => None,
        })
        .collect()
}

pub fn check_request(cmds: &[Command], id: &str) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Command::Store(StoreCommand::CheckEligibility { request, review, .. }) if review == id => Some(*request),
            _ => None,
        })
        .expect("an eligibility check")
}

/// The `since` of each fetch asked for: `None` for a full window, else the last sync.
pub fn fetch_since(cmds: &[Command]) -> Vec<Option<i64>> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Store(StoreCommand::FetchReviews { since, .. }) => Some(*since),
            _ => None,
        })
        .collect()
}

pub fn fetches(cmds: &[Command]) -> Vec<(u64, &str)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Store(StoreCommand::FetchReviews { request, app, .. }) => Some((*request, app.as_str())),
            _ => None,
        })
        .collect()
}

/// The replies confirmed (queued in the outbox), each as the item the Store will get.
pub fn submits(cmds: &[Command]) -> Vec<Vec<ResponseItem>> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Outbox(OutboxCommand::Enqueue {
                app,
                review,
                text,
                support_email,
                public,
            }) => Some(vec![ResponseItem {
                application_id: app.clone(),
                review_id: review.clone(),
                response_text: text.clone(),
                support_email: support_email.clone(),
                is_public: *public,
            }]),
            _ => None,
        })
        .collect()
}

pub fn assert_visible(app: &App) {
    let rows = list_rows(app.screen.size);
    assert!(
        app.list.offset <= app.list.selected && app.list.selected < app.list.offset + rows,
        "row {} not within offset {} + {rows} rows",
        app.list.selected,
        app.list.offset
    );
}

/// An outbox item of [`APP`] as the outbox worker reports it, created (and due) at `at`.
pub fn outbox_item(
    id: i64,
    review: &str,
    state: reviewdesk::db::OutboxState,
    text: &str,
    at: i64,
) -> reviewdesk::db::OutboxItem {
    reviewdesk::db::OutboxItem {
        id,
        app: APP.into(),
        review: review.into(),
        text: text.into(),
        support_email: EMAIL.into(),
        public: true,
        state,
        reason: None,
        manual: false,
        attempts: 0,
        created_at: at,
        updated_at: at,
        next_attempt_at: at,
        owner: None,
        lease_until: None,
        sent_at: None,
    }
}
