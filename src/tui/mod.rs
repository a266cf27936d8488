//! The terminal UI: terminal setup and restore, the event loop, and the glue between keys, the
//! app state and the background worker.

pub mod action;
pub mod app;
mod cache_list;
mod cache_read;
mod db_early;
mod db_history;
pub mod db_worker;
pub mod help;
pub mod ids;
pub mod layout;
pub mod outbox_worker;
pub mod profile_worker;
pub mod search_text;
pub mod site_fetch;
pub mod store_worker;
pub mod ui;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use std::task::Poll;

use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};
use tokio::sync::mpsc;

use self::action::Action;
use self::app::{App, AppEntry, Command};
use self::store_worker::Clients;
use crate::config::Config;
use crate::keymap::Keymap;

pub struct TuiOptions {
    pub apps: Vec<AppEntry>,
    pub profile: String,
    pub keymap: Keymap,
    pub days: u32,
    /// Replies start public unless the profile says private.
    pub default_public: bool,
    /// The profile's support email: used when the eligibility check gives none (say, while the
    /// reviews API is down and the reply is queued).
    pub support_email: Option<String>,
    /// Profile management (`p`, the setup form); `None` in the demo.
    pub profiles: Option<ProfilesOptions>,
    /// Shown over the reviews until a key is pressed.
    pub notice: Option<String>,
    /// How the outbox times its retries and read-backs.
    pub send_policy: crate::outbox_sender::SendPolicy,
    /// The spinner and draft-autosave timer (`[ui] tick_ms`).
    pub tick: Duration,
    /// Templates and saved views (`app::volume`).
    pub volume: app::volume::VolumeSetup,
}

pub struct ProfilesOptions {
    /// The config the profiles are read from and written to.
    pub config: Config,
    /// The profile in use; `None` with `REVIEWDESK_*` credentials.
    pub current: Option<String>,
    pub env_credentials: bool,
}

/// How the UI ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Quit,
    /// Start again with this profile; the notice is for the next start.
    Switch {
        profile: String,
        notice: Option<String>,
    },
}

type Term = Terminal<CrosstermBackend<io::Stdout>>;

fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)
}

/// Puts the terminal back as it was. Safe to call more than once and from the panic hook.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = io::stdout().flush();
}

/// Restores the terminal however `run` ends: return, error or unwinding panic.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Once per process: the UI starts again after a profile switch.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// What the UI opens on. Made once per run: the client need not be boxed.
#[allow(clippy::large_enum_variant)]
pub enum Start {
    /// The first-run form: there is no profile yet, so no client, no database and no reviews.
    Setup,
    /// The reviews of `options.apps`, through these clients, kept as `persistence` says.
    Reviews(Clients, Persistence),
}

/// Where a session keeps its drafts, review cache and outbox. Either way there is a database:
/// every reply goes through the one outbox path.
#[derive(Clone, Debug)]
pub enum Persistence {
    /// The profile's database in the data directory, kept from run to run.
    Profile(db_worker::DraftsAt),
    /// A database in a temporary directory removed when the UI ends (the demo, or no home
    /// directory): the same code, nothing left behind, and drafts are not promised to survive.
    Temporary { profile: String },
}

/// Runs the UI until it quits or asks to switch profiles. In the setup form nothing is asked
/// of the Store.
pub async fn run(start: Start, options: TuiOptions) -> Result<Outcome> {
    let (clients, persistence) = match start {
        Start::Setup => (None, None),
        Start::Reviews(clients, persistence) => (Some(clients), Some(persistence)),
    };
    let setup = clients.is_none();
    let temporary = matches!(persistence, Some(Persistence::Temporary { .. }));
    // Removed when `run` returns, after the database in it is closed.
    let mut _temporary_dir = None;
    let database = match persistence {
        Some(Persistence::Profile(at)) => Some(at),
        Some(Persistence::Temporary { profile }) => {
            let dir = tempfile::Builder::new()
                .prefix("reviewdesk-session-")
                .tempdir()
                .context("cannot create a temporary directory for this session's database")?;
            let at = db_worker::DraftsAt {
                dir: dir.path().join("data"),
                profile,
            };
            _temporary_dir = Some(dir);
            Some(at)
        }
        None => None,
    };
    install_panic_hook();
    enter().context("cannot put the terminal in full-screen mode")?;
    let _guard = TerminalGuard;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    redraw_everything(&mut terminal)?;
    let size = terminal.size()?;

    let (action_tx, mut action_rx) = mpsc::channel::<Action>(store_worker::CHANNEL);
    // Every reply goes through the durable outbox; only the Store takes replies.
    let (outbox, outbox_db) = match clients.as_ref().and_then(|c| c.store.as_ref()) {
        Some(c) => {
            let (db_tx, db_rx) = tokio::sync::oneshot::channel();
            (
                Some(outbox_worker::spawn(
                    db_rx,
                    c.clone(),
                    options.send_policy,
                    action_tx.clone(),
                )),
                Some(db_tx),
            )
        }
        None => (None, None),
    };
    // Fetched pages are kept in the session's database.
    let commands = clients.map(|c| store_worker::spawn(c, options.days, true, action_tx.clone()));
    let size = (size.width, size.height);
    let settings = app::Settings {
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        temporary,
        default_public: options.default_public,
        default_support_email: options.support_email,
    };
    let mut app = if setup {
        App::setup(options.keymap, settings, size)
    } else {
        App::new(options.keymap, settings, options.profile, options.apps, size)
    };
    let profile_commands = options.profiles.map(|p| {
        app.profiles.available = true;
        app.profiles.current = p.current;
        app.profiles.env_credentials = p.env_credentials;
        profile_worker::spawn(p.config, action_tx.clone())
    });
    let db = match database {
        Some(at) => {
            let apps = app.sources.apps.iter().map(|a| a.id.clone()).collect();
            Some(db_worker::spawn_with_outbox(at, apps, action_tx.clone(), outbox_db))
        }
        _ => None,
    };
    drop(action_tx);
    app.status.notice = options.notice;
    app.set_volume(options.volume);
    let mut pending: Vec<Command> = app.start();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(options.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = Signals::new();
    let mut dirty = true;

    let result: Result<Outcome> = async {
        loop {
            // Carry out what the last updates asked for.
            for cmd in std::mem::take(&mut pending) {
                match cmd {
                    Command::Quit => return Ok(Outcome::Quit),
                    Command::SwitchProfile { name, notice } => {
                        return Ok(Outcome::Switch { profile: name, notice });
                    }
                    Command::Suspend => {
                        // A stopped process may well be killed: its draft goes to disk first.
                        for c in app.update(Action::SaveNow) {
                            if let (Command::Db(c), Some(db)) = (c, &db) {
                                db.send(c);
                            }
                        }
                        drop(events);
                        suspend(&mut terminal)?;
                        events = EventStream::new();
                        dirty = true;
                    }
                    Command::OpenExternalEditor { text } => {
                        drop(events);
                        restore();
                        let result = external_editor(&text);
                        enter()?;
                        redraw_everything(&mut terminal)?;
                        events = EventStream::new();
                        pending.extend(app.update(Action::ExternalEditorDone(result)));
                        dirty = true;
                    }
                    Command::CopyToClipboard { text } => {
                        copy_to_clipboard(&text);
                        dirty = true;
                    }
                    Command::Db(c) => {
                        if let Some(db) = &db {
                            db.send(c);
                        }
                    }
                    Command::Outbox(c) => {
                        if let Some(outbox) = &outbox {
                            outbox.send(c);
                        }
                    }
                    Command::Profiles(c) => {
                        if profile_commands.as_ref().is_some_and(|w| w.try_send(c).is_err()) {
                            app.status
                                .notices
                                .error("The background worker is not keeping up; try again");
                        }
                    }
                    Command::Store(c) => {
                        if commands.as_ref().is_some_and(|w| w.try_send(c).is_err()) {
                            app.status
                                .notices
                                .error("The background worker is not keeping up; try again");
                        }
                    }
                }
            }
            if !pending.is_empty() {
                continue;
            }
            if dirty {
                terminal.draw(|f| ui::draw(f, &app))?;
                dirty = false;
            }
            tokio::select! {
                ev = events.next() => {
                    match ev {
                        Some(Ok(ev)) => { dirty |= handle_event(&mut app, ev, &mut pending); }
                        Some(Err(e)) => return Err(e).context("reading the terminal failed"),
                        None => return Ok(Outcome::Quit),
                    }
                    // Coalesce a burst (a held key, a paste) into one draw.
                    for _ in 0..64 {
                        match ready_event(&mut events).await {
                            Some(Ok(ev)) => dirty |= handle_event(&mut app, ev, &mut pending),
                            _ => break,
                        }
                    }
                }
                Some(action) = action_rx.recv() => {
                    pending.extend(app.update(action));
                    while let Ok(more) = action_rx.try_recv() {
                        pending.extend(app.update(more));
                    }
                    dirty = true;
                }
                _ = tick.tick() => {
                    if app.is_busy() || app.draft_waiting() || app.status.notices.expiring() || app.counting_down() {
                        pending.extend(app.update(Action::Tick(Instant::now())));
                        dirty = true;
                    }
                }
                _ = signals.terminate() => return Ok(Outcome::Quit),
            }
        }
    }
    .await;
    // However the loop ended (quit, SIGTERM, SIGHUP, a profile switch, an error), the open
    // editor's draft is written, and every save asked for before it, before returning; fetched
    // pages not yet cached are left to the next fetch (`DbWorker::quit`).
    if let Some(db) = db {
        for c in app.update(Action::SaveNow) {
            if let Command::Db(c) = c {
                db.send(c);
            }
        }
        db.quit();
    }
    // Nobody reads the answers any more; a reply confirmed just before leaving is still written.
    drop(action_rx);
    if let Some(outbox) = outbox {
        outbox.finish().await;
    }
    result
}

/// OSC 52: the terminal puts the text on the system clipboard. It travels with the output, so
/// it works over SSH; inside tmux it needs `set -g set-clipboard on`, and is also sent wrapped
/// for tmux's passthrough (`allow-passthrough on`), whichever the person's tmux allows.
fn copy_to_clipboard(text: &str) {
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = io::stdout();
    let _ = write!(out, "\x1b]52;c;{payload}\x07");
    if std::env::var_os("TMUX").is_some() {
        let _ = write!(out, "\x1bPtmux;\x1b\x1b]52;c;{payload}\x07\x1b\\");
    }
    let _ = out.flush();
}

/// The next terminal event if one is already waiting, without waiting for one.
///
/// This polls with the loop task's own waker. `now_or_never()` would poll with a no-op waker,
/// and crossterm's `EventStream` keeps the waker of the poll that found nothing: the next key
/// would then wake nobody and wait for the tick timer (it did: 95 ms median per key).
async fn ready_event(events: &mut EventStream) -> Option<io::Result<Event>> {
    std::future::poll_fn(|cx| match events.poll_next_unpin(cx) {
        Poll::Ready(ev) => Poll::Ready(ev),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// Turns one terminal event into actions. Answers whether anything may have changed.
fn handle_event(app: &mut App, ev: Event, pending: &mut Vec<Command>) -> bool {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => pending.extend(app.key(k)),
        Event::Paste(text) => pending.extend(app.update(Action::Paste(text))),
        Event::Resize(w, h) => pending.extend(app.update(Action::Resize(w, h))),
        _ => return false,
    }
    true
}

/// Blanks the screen and makes the next draw write every cell.
///
/// Not `Terminal::clear`: since ratatui 0.30 it asks the terminal where its cursor is
/// (`ESC [ 6 n`) and fails the whole session when no answer comes within two seconds. That is a
/// round trip over SSH at every start, and after `$EDITOR` the answer can be swallowed by the
/// previous event reader still winding down: CI saw "The cursor position could not be read within
/// a normal duration" end a session. A resize to the current size clears without asking.
fn redraw_everything(terminal: &mut Term) -> io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Ctrl-Z: give the terminal back, stop, and take it again when continued.
fn suspend(terminal: &mut Term) -> Result<()> {
    restore();
    #[cfg(unix)]
    // SAFETY: raising a signal on ourselves has no memory-safety implications.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter()?;
    redraw_everything(terminal)?;
    Ok(())
}

/// `$VISUAL`, else `$EDITOR`, on a private temporary file holding the text.
fn external_editor(text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| "Set $VISUAL or $EDITOR to edit the reply in your editor".to_owned())?;
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or_default().to_owned();
    let args: Vec<&str> = parts.collect();
    let mut file = tempfile::Builder::new()
        .prefix("reviewdesk-reply-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| format!("Cannot create a temporary file for the editor: {e}"))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("Cannot write the temporary file: {e}"))?;
    // Without our variables: with credentials from the environment, the client secret is one.
    let status = crate::hardening::child_command(&program)
        .args(&args)
        .arg(file.path())
        .status()
        .map_err(|e| format!("Cannot run {program:?} ($VISUAL/$EDITOR): {e}"))?;
    if !status.success() {
        return Err(format!("{program} exited with {status}; the reply was left as it was"));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("Cannot read the edited reply back: {e}"))
}

/// SIGTERM and SIGHUP end the loop so the terminal is restored and drafts saved.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn terminate(&mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match self.term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match self.hup.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! { _ = term => {}, _ = hup => {} }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
