//! Persistent drafts: when the app asks for a draft to be saved or deleted (headless flows), and
//! the db thread writing a real SQLite file that a second open reads back.

mod common;

use reviewdesk::tui::app::DbCommand;
use std::time::{Duration, Instant};

use common::flows::*;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::db::{Db, DraftRow, StoredDraft};
use reviewdesk::tui::action::{Action, ReplyState};
use reviewdesk::tui::app::editor::Draft;
use reviewdesk::tui::app::{Command, Mode};
use reviewdesk::tui::db_worker::{self, DraftsAt};

/// Loaded, with a (so far empty) database behind the drafts.
fn with_db(reviews: Vec<reviewdesk::store::Review>) -> H {
    let mut h = H::loaded(reviews);
    h.act(Action::DraftsLoaded(Ok((Vec::new(), None))));
    h.take();
    h
}

fn saves(cmds: &[Command]) -> Vec<(&str, &str, &Draft)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Db(DbCommand::SaveDraft { app, review, draft }) => Some((app.as_str(), review.as_str(), draft)),
            _ => None,
        })
        .collect()
}

fn deletes(cmds: &[Command]) -> Vec<(&str, &str)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Db(DbCommand::DeleteDraft { app, review }) => Some((app.as_str(), review.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn typing_saves_once_after_the_debounce_not_on_every_key() {
    let mut h = with_db(many(3));
    h.typ("r");
    let typed = h.typ("Thanks for writing");
    assert!(saves(&typed).is_empty(), "no save per key: {typed:?}");
    assert!(h.app.draft_waiting());
    let t0 = Instant::now();
    assert!(
        saves(&h.act(Action::Tick(t0))).is_empty(),
        "the first tick only notes the time"
    );
    assert!(saves(&h.act(Action::Tick(t0 + Duration::from_millis(240)))).is_empty());
    let cmds = h.act(Action::Tick(t0 + Duration::from_millis(360)));
    let saved = saves(&cmds);
    assert_eq!(saved.len(), 1, "{cmds:?}");
    assert_eq!((saved[0].0, saved[0].1), (APP, "r0"));
    assert_eq!(saved[0].2.text, "Thanks for writing");
    assert_eq!(saved[0].2.email, EMAIL);
    assert!(!h.app.draft_waiting());
    assert!(
        h.act(Action::Tick(t0 + Duration::from_secs(2))).is_empty(),
        "nothing new to save"
    );
    assert_eq!(
        h.app.replies.drafts["r0"].text, "Thanks for writing",
        "the list marks it"
    );

    // Typing on: the wait runs from the first unsaved change, so a steady typist is saved too.
    let t1 = t0 + Duration::from_secs(3);
    h.typ(",");
    h.act(Action::Tick(t1));
    h.typ(" really");
    assert_eq!(saves(&h.act(Action::Tick(t1 + Duration::from_millis(400)))).len(), 1);
    assert_eq!(saves(&h.log)[1].2.text, "Thanks for writing, really");
    assert_eq!(saves(&h.log).len(), 2);
}

#[test]
fn esc_saves_at_once_and_emptying_the_text_deletes() {
    let mut h = with_db(many(3));
    h.typ("r");
    h.typ("Half a thought");
    let esc = h.code(KeyCode::Esc);
    assert_eq!(saves(&esc).len(), 1, "{esc:?}");
    assert_eq!(saves(&esc)[0].2.text, "Half a thought");
    // Reopened, emptied: the draft goes, from memory and from the database.
    h.typ("r");
    assert_eq!(h.body(), "Half a thought");
    for _ in 0.."Half a thought".len() {
        h.code(KeyCode::Backspace);
    }
    let t0 = Instant::now();
    h.act(Action::Tick(t0));
    let cmds = h.act(Action::Tick(t0 + Duration::from_millis(500)));
    assert_eq!(deletes(&cmds), vec![(APP, "r0")]);
    assert!(h.app.replies.drafts.is_empty());
    // Nothing left to delete at Esc.
    assert!(h.code(KeyCode::Esc).is_empty());
    // A review never written to asks for nothing.
    h.typ("jr");
    assert!(h.code(KeyCode::Esc).is_empty());
}

#[test]
fn a_sent_reply_deletes_its_draft_and_a_failed_one_keeps_it() {
    let mut h = with_db(many(3));
    h.world.submit = ReplyState::Failed("try later".into());
    let cmds = h.reply("Sorry about that");
    assert_eq!(saves(&cmds).len(), 1, "saved before it is sent: {cmds:?}");
    h.serve();
    assert!(deletes(&h.log).is_empty());
    assert_eq!(h.app.replies.drafts["r0"].text, "Sorry about that");

    h.code(KeyCode::Esc);
    h.world.submit = ReplyState::Sent;
    h.typ("r");
    h.ctrl('s');
    h.typ("y");
    let before = h.log.len();
    h.serve();
    assert_eq!(deletes(&h.log[before..]), vec![(APP, "r0")]);
    assert!(h.app.replies.drafts.is_empty());
}

#[test]
fn drafts_from_the_database_are_restored() {
    let mut h = H::loaded(many(3));
    let stored = |app: &str, review: &str, text: &str, public: bool| StoredDraft {
        app: app.into(),
        review: review.into(),
        draft: DraftRow {
            text: text.into(),
            public,
            email: "me@example.com".into(),
        },
        updated_at: 1,
    };
    let cmds = h.act(Action::DraftsLoaded(Ok((
        vec![
            stored(APP, "r1", "Privately: we are on it", false),
            stored("9NOTSHOWNAPP", "r2", "another app's", true),
        ],
        Some("The local database was missing (deleted?) and a fresh one was made".into()),
    ))));
    assert!(cmds.is_empty(), "{cmds:?}");
    let notice = h.app.status.notice.clone().unwrap_or_default();
    assert!(notice.contains("fresh one was made"), "never silent: {notice:?}");
    assert!(h.app.drafts_safe());
    assert_eq!(
        h.app.replies.drafts.keys().collect::<Vec<_>>(),
        vec!["r1"],
        "only the apps shown"
    );
    h.goto("r1");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    assert_eq!(h.body(), "Privately: we are on it");
    let ed = h.app.editor.as_ref().unwrap();
    assert!(!ed.public);
    assert_eq!(ed.email_value(), "me@example.com");
    // Safe on disk: quitting does not ask.
    h.code(KeyCode::Esc);
    assert_eq!(h.typ("q"), vec![Command::Quit]);
}

#[test]
fn without_a_database_drafts_stay_in_memory_and_quitting_asks() {
    let mut h = H::loaded(many(3));
    h.act(Action::DraftsLoaded(Err("permission denied".into())));
    assert!(h.error().contains("kept only while reviewdesk runs"), "{}", h.error());
    h.typ("r");
    h.typ("Kept here");
    let t0 = Instant::now();
    h.act(Action::Tick(t0));
    h.act(Action::Tick(t0 + Duration::from_secs(1)));
    h.code(KeyCode::Esc);
    assert!(saves(&h.log).is_empty(), "nowhere to save to");
    assert_eq!(h.app.replies.drafts["r0"].text, "Kept here");
    h.typ("q");
    assert_eq!(h.app.screen.mode, Mode::QuitConfirm);
}

#[test]
fn leaving_saves_the_open_editor_at_once() {
    let mut h = with_db(many(3));
    h.typ("r");
    h.typ("Mid-sentence");
    let cmds = h.act(Action::SaveNow);
    assert_eq!(saves(&cmds).len(), 1);
    assert_eq!(saves(&cmds)[0].2.text, "Mid-sentence");
    assert!(h.act(Action::SaveNow).is_empty(), "saved already");
}

/// The db thread writes a real SQLite file; a second open reads it, and a second thread loads
/// it as drafts.
#[test]
fn the_db_thread_writes_drafts_a_second_open_reads() {
    let dir = tempfile::tempdir().unwrap();
    let at = DraftsAt {
        dir: dir.path().join("data"),
        profile: "test".into(),
    };
    let loaded = |at: &DraftsAt| {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let worker = db_worker::spawn(at.clone(), vec![APP.into()], tx);
        let Some(Action::DraftsLoaded(Ok((drafts, message)))) = rx.blocking_recv() else {
            panic!("the database opens");
        };
        (worker, drafts, message)
    };
    let (worker, drafts, _) = loaded(&at);
    assert!(drafts.is_empty());
    let draft = |text: &str| Draft {
        text: text.into(),
        public: false,
        email: EMAIL.into(),
    };
    for (review, text) in [("r0", "first"), ("r0", "first, then more"), ("r1", "gone soon")] {
        worker.send(DbCommand::SaveDraft {
            app: APP.into(),
            review: review.into(),
            draft: draft(text),
        });
    }
    worker.send(DbCommand::DeleteDraft {
        app: APP.into(),
        review: "r1".into(),
    });
    worker.finish();

    let (db, report) = Db::open(&at.dir, "test").unwrap();
    assert_eq!(report.message(), None);
    let d = db.draft(APP, "r0").unwrap().expect("saved");
    assert_eq!(d.draft.text, "first, then more");
    assert!(!d.draft.public);
    assert_eq!(d.draft.email, EMAIL);
    assert_eq!(db.draft(APP, "r1").unwrap(), None);
    drop(db);

    let (worker, drafts, _) = loaded(&at);
    worker.finish();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].draft.text, "first, then more");
}

/// A database that cannot be opened (here: a file stands where its directory should be) still
/// leaves the session a temporary one for the review cache and the outbox, so a reply has its
/// one path; drafts stay in memory, and the person is told both.
#[test]
fn an_unopenable_database_leaves_a_temporary_one_for_the_cache_and_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("data");
    std::fs::write(&blocked, "not a directory").unwrap();
    let at = DraftsAt {
        dir: blocked,
        profile: "test".into(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let (outbox_tx, outbox_rx) = tokio::sync::oneshot::channel();
    let worker = db_worker::spawn_with_outbox(at, vec![APP.into()], tx, Some(outbox_tx));
    let Some(Action::DraftsLoaded(Err(why))) = rx.blocking_recv() else {
        panic!("the real database does not open");
    };
    assert!(why.contains("temporary database"), "{why}");
    assert!(outbox_rx.blocking_recv().unwrap().is_ok(), "the outbox has a database");
    worker.send(DbCommand::CacheReviews {
        app: APP.into(),
        reviews: many(2),
    });
    worker.send(DbCommand::LoadCache {
        request: 7,
        app: APP.into(),
        view: Default::default(),
    });
    let mut cached = Vec::new();
    while let Some(action) = rx.blocking_recv() {
        if let Action::CacheLoaded { request: 7, result, .. } = action {
            let part = result.expect("the cache is read from the temporary database");
            cached.extend(part.reviews);
            if !part.more {
                break;
            }
        }
    }
    assert_eq!(cached.len(), 2);
    worker.finish();
}
