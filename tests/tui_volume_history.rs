//! The canned-reply rule in the terminal UI: the reply history comes from a real SQLite file
//! through the real db thread (`LoadReplyHistory`), and a reply already sent to many reviews
//! that say different things is warned about in the single reply's confirmation and in the
//! bulk composer (per review and in its confirmation); a personal reply is not.

mod common;

use common::flows::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use reviewdesk::db::{CachedReview, Db, HistoryRow};
use reviewdesk::store::Review;
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::{Command, DbCommand, Mode};
use reviewdesk::tui::db_worker::{self, DbWorker, DraftsAt};

const CANNED: &str = "Thank you for your feedback! We are always working to improve the app and appreciate you \
                      taking the time to write to us.";

/// Earlier reviews about six different things, each answered with the same canned reply.
const TOPICS: [&str; 6] = [
    "The app crashes on start since the last update",
    "Please add a dark mode, my eyes hurt at night",
    "Far too expensive for what it does",
    "Sync lost all my notes from yesterday",
    "Ads everywhere, even after I paid",
    "The font is tiny on my laptop screen",
];

/// A profile database with the six answered reviews cached and their replies in the history.
fn database(dir: &std::path::Path) -> DraftsAt {
    let at = DraftsAt {
        dir: dir.join("data"),
        profile: "test".into(),
    };
    let (mut db, _) = Db::open(&at.dir, &at.profile).expect("open");
    let old: Vec<Review> = TOPICS
        .iter()
        .enumerate()
        .map(|(i, topic)| {
            let mut r = rv(&format!("old{i}"), 2, 3 + i as u32, "Old review", "US");
            r.review_text = Some((*topic).to_owned());
            r
        })
        .collect();
    let rows: Vec<CachedReview> = old.iter().filter_map(CachedReview::of).collect();
    db.upsert_reviews(APP, &rows, day(10)).expect("cache");
    for (i, _) in TOPICS.iter().enumerate() {
        db.append_history(&HistoryRow {
            profile: "test".into(),
            app: APP.into(),
            review: format!("old{i}"),
            at: day(10) + i as i64,
            text: CANNED.replace("us.", &format!("us ({i}).")),
            result: "sent".into(),
        })
        .expect("history");
    }
    at
}

/// New reviews about yet other things.
fn reviews() -> Vec<Review> {
    [
        "It closes when I print",
        "Where is the export to PDF?",
        "Login fails with my work account",
    ]
    .iter()
    .enumerate()
    .map(|(i, text)| {
        let mut r = rv(&format!("n{i}"), 2, 27 - i as u32, "New review", "US");
        r.review_text = Some((*text).to_owned());
        r.reviewer_name = Some(format!("Ana{i}").into());
        r
    })
    .collect()
}

/// Carries the app's `LoadReplyHistory` to the real db thread and its answer back.
fn load_history(h: &mut H, cmds: &[Command], worker: &DbWorker, rx: &mut tokio::sync::mpsc::Receiver<Action>) {
    let asked = cmds
        .iter()
        .chain(h.log.iter())
        .any(|c| matches!(c, Command::Db(DbCommand::LoadReplyHistory)));
    assert!(
        asked,
        "the app asks for the reply history when a reply is first written"
    );
    worker.send(DbCommand::LoadReplyHistory);
    loop {
        match rx.blocking_recv().expect("the db thread answers") {
            a @ Action::ReplyHistoryLoaded(_) => {
                h.act(a);
                break;
            }
            _ => continue,
        }
    }
}

fn start(dir: &std::path::Path) -> (H, DbWorker, tokio::sync::mpsc::Receiver<Action>) {
    let at = database(dir);
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let worker = db_worker::spawn(at, vec![APP.into()], tx);
    let mut h = H::new(&[APP], (80, 24), reviews());
    h.serve();
    (h, worker, rx)
}

fn screen(h: &H) -> String {
    let size = h.app.screen.size;
    let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    t.draw(|f| reviewdesk::tui::ui::draw(f, &h.app)).unwrap();
    t.backend().to_string()
}

#[test]
fn a_reply_sent_to_many_different_reviews_warns_in_the_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, worker, mut rx) = start(dir.path());
    let cmds = h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    load_history(&mut h, &cmds, &worker, &mut rx);
    assert_eq!(h.app.reply_history().map(|i| i.len()), Some(TOPICS.len()));

    h.act(Action::Paste(CANNED.into()));
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm);
    let text = screen(&h);
    assert!(text.contains("canned reply"), "{text}");
    assert!(text.contains("6 other"), "names how many: {text}");

    // The same confirmation for a reply written for this review says nothing of it.
    h.code(KeyCode::Esc);
    h.code(KeyCode::Esc);
    assert_eq!(h.app.screen.mode, Mode::Normal);
    h.typ("j");
    h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Editor);
    h.act(Action::Paste(
        "Ana1, the export to PDF is under File > Export since 3.4.2; tell us if it is missing there.".into(),
    ));
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::Confirm);
    let text = screen(&h);
    assert!(!text.contains("canned reply"), "{text}");
    worker.finish();
}

#[test]
fn the_bulk_composer_warns_per_review_and_in_its_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, worker, mut rx) = start(dir.path());
    h.typ("*");
    let cmds = h.typ("r");
    assert_eq!(h.app.screen.mode, Mode::Bulk);
    load_history(&mut h, &cmds, &worker, &mut rx);
    h.serve();
    h.act(Action::Paste(CANNED.into()));
    h.ctrl('s');
    let entries = h.app.volume.bulk.as_ref().unwrap().entries.clone();
    for e in &entries {
        let (_, findings) = h.app.entry_status(e);
        assert!(
            findings.iter().any(|f| f.rule == reviewdesk::policy::Rule::CannedReply),
            "{}: {findings:?}",
            e.review
        );
    }
    assert!(screen(&h).contains("canned reply"), "{}", screen(&h));
    h.ctrl('s');
    assert_eq!(h.app.screen.mode, Mode::BulkConfirm);
    let summary = h.app.volume.bulk.as_ref().unwrap().confirming.clone().unwrap();
    assert!(
        summary
            .warnings
            .iter()
            .any(|(rule, n, _)| *rule == "canned reply" && *n == 3),
        "{:?}",
        summary.warnings
    );
    assert!(screen(&h).contains("canned reply"), "{}", screen(&h));
    worker.finish();
}

/// A reply the Store takes joins the history at once: the next replies are compared with it too.
#[test]
fn replies_sent_in_this_session_join_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, worker, mut rx) = start(dir.path());
    let before = {
        let cmds = h.typ("r");
        load_history(&mut h, &cmds, &worker, &mut rx);
        h.app.reply_history().map(|i| i.len())
    };
    h.act(Action::Paste("Ana0, thanks: printing works again in 3.4.2.".into()));
    h.ctrl('s');
    h.typ("y");
    h.serve();
    assert_eq!(
        h.app.reply_history().map(|i| i.len()),
        before.map(|n| n + 1),
        "the sent reply was added"
    );
    worker.finish();
}
