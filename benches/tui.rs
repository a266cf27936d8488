//! Terminal UI performance with 100,000 reviews.
//!
//! Run: `cargo bench --bench tui`. The emulator runs as a separate process (the real
//! `reviewdesk emulator`), so memory figures are the UI's own. Reported (medians unless said):
//! - draw time of one 80x24 frame with 100 and with 100,000 reviews loaded;
//! - bytes written to the terminal when the selection moves by one row, against a full repaint;
//! - incremental search: time per keystroke over 100,000 reviews;
//! - resident memory with 100,000 reviews loaded;
//! - key-to-screen latency while 100,000 reviews arrive in the background (max and p99).

mod common;

use reviewdesk::tui::app::StoreCommand;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use reviewdesk::keymap::Keymap;
use reviewdesk::store::dates::today_utc;
use reviewdesk::store::{Review, ReviewQuery};
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::{App, AppEntry, Command as AppCommand, Settings};
use reviewdesk::tui::{store_worker, ui};

const APP: &str = "9NBLGGGZ5QDR";
const N: usize = 100_000;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// CPU time of the calling thread: what the UI thread itself spent, whatever else was running.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// An empty 80x24 app on the bench's Store app.
fn bench_app() -> App {
    App::new(
        Keymap::default(),
        Settings::default(),
        "bench".into(),
        vec![AppEntry {
            id: APP.into(),
            name: None,
        }],
        (80, 24),
    )
}

fn app_with(reviews: Vec<Review>) -> App {
    let mut app = bench_app();
    let request = match app.start().first() {
        Some(AppCommand::Store(StoreCommand::FetchReviews { request, .. })) => *request,
        other => panic!("{other:?}"),
    };
    let total = reviews.len() as u64;
    app.update(Action::ReviewsPage {
        request,
        app: APP.into(),
        reviews: reviews.into(),
        total: Some(total),
        done: true,
    });
    app
}

fn draw_time(app: &mut App) -> Duration {
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut times = Vec::new();
    for i in 0..400 {
        app.key(key(if i % 20 < 10 { 'j' } else { 'k' }));
        let t = Instant::now();
        term.draw(|f| ui::draw(f, app)).unwrap();
        times.push(t.elapsed());
    }
    median(times)
}

/// A writer that counts what the backend sends to the terminal.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(b.len(), Ordering::Relaxed);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bytes_per_move(app: &mut App) -> (usize, usize) {
    let counter = Counter::default();
    let backend = CrosstermBackend::new(counter.clone());
    let mut term = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    let full = counter.0.swap(0, Ordering::Relaxed);
    let mut per_move = Vec::new();
    for _ in 0..200 {
        app.key(key('j'));
        term.draw(|f| ui::draw(f, app)).unwrap();
        per_move.push(counter.0.swap(0, Ordering::Relaxed));
    }
    per_move.sort();
    (per_move[per_move.len() / 2], full)
}

fn main() {
    let emulator = common::Emulator::start(N, APP);
    let rt = common::runtime();
    let session = || emulator.session();
    let mut query = ReviewQuery::last_days(APP, 90, today_utc());
    query.start = today_utc() - chrono::Days::new(1000);

    // Key latency while the reviews arrive: the real worker, a synthetic key every 10 ms.
    let rss_before = rss_mb();
    let latencies = rt.block_on(async {
        let (action_tx, mut action_rx) = tokio::sync::mpsc::channel(store_worker::CHANNEL);
        let commands = store_worker::spawn(session().client, 1000, false, action_tx);
        let mut app = bench_app();
        // Only the Store's work is carried out here: there is no database in this bench.
        let to_store = |c: AppCommand| match c {
            AppCommand::Store(c) => Some(c),
            _ => None,
        };
        for c in app.start().into_iter().filter_map(to_store) {
            commands.try_send(c).unwrap();
        }
        let (key_tx, mut key_rx) = tokio::sync::mpsc::channel::<Instant>(1024);
        let keys = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            loop {
                tick.tick().await;
                if key_tx.send(Instant::now()).await.is_err() {
                    break;
                }
            }
        });
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut lat = Vec::new();
        let mut per_page = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while (app.list.loading.is_some() || app.list.reviews.is_empty()) && Instant::now() < deadline {
            tokio::select! {
                Some(a) = action_rx.recv() => {
                    let page = matches!(&a, Action::ReviewsPage { reviews, .. } if !reviews.reviews.is_empty());
                    let cpu = thread_cpu();
                    for c in app.update(a).into_iter().filter_map(to_store) { let _ = commands.try_send(c); }
                    if page {
                        per_page.push(thread_cpu() - cpu);
                    }
                    term.draw(|f| ui::draw(f, &app)).unwrap();
                }
                Some(sent) = key_rx.recv() => {
                    for c in app.key(key('j')).into_iter().filter_map(to_store) { let _ = commands.try_send(c); }
                    term.draw(|f| ui::draw(f, &app)).unwrap();
                    lat.push(sent.elapsed());
                }
            }
        }
        keys.abort();
        assert_eq!(
            app.list.reviews.len(),
            N,
            "all reviews arrived (last error: {:?})",
            app.status.notices.shown_text()
        );
        (lat, per_page, app)
    });
    let (mut lat, mut per_page, mut big) = latencies;
    per_page.sort();
    let rss_loaded = rss_mb();
    lat.sort();
    let p99 = lat[(lat.len() * 99 / 100).min(lat.len() - 1)];
    let max = *lat.last().unwrap();

    let reviews: Vec<Review> = big.list.reviews.clone();
    let mut small = app_with(reviews[..100].to_vec());
    drop(reviews);
    draw_time(&mut small); // warm-up: caches, allocator, first-frame work
    let t_small = draw_time(&mut small);
    let t_big = draw_time(&mut big);
    let (move_bytes, full_bytes) = bytes_per_move(&mut big);

    // Incremental search, one keystroke at a time.
    let mut per_key = Vec::new();
    for _ in 0..20 {
        big.key(key('/'));
        for c in "export".chars() {
            let t = Instant::now();
            big.key(key(c));
            per_key.push(t.elapsed());
        }
        big.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    }
    let search_med = median(per_key.clone());
    let search_max = per_key.iter().max().copied().unwrap_or_default();
    drop(emulator);

    println!("tui: 80x24, {N} reviews (medians unless noted)");
    println!("  draw one frame, 100 reviews        : {:>9.1} µs", us(t_small));
    println!(
        "  draw one frame, {N} reviews    : {:>9.1} µs  ({:.2}x; target <= 1.2x and < 2 ms)",
        us(t_big),
        t_big.as_secs_f64() / t_small.as_secs_f64()
    );
    println!(
        "  bytes for a one-row move           : {move_bytes:>9} B   (full repaint {full_bytes} B; target <= 2048 B)"
    );
    println!(
        "  search, per keystroke              : {:>9.1} µs  (max {:.1} µs; target < 30 ms)",
        us(search_med),
        us(search_max)
    );
    println!(
        "  resident memory, {N} loaded    : {:>9.1} MB  (before loading {rss_before:.1} MB; target < 250 MB)",
        rss_loaded
    );
    println!(
        "  UI thread CPU per arriving page    : median {:.2} ms, max {:.2} ms over {} pages of 10,000",
        per_page[per_page.len() / 2].as_secs_f64() * 1e3,
        per_page.last().unwrap().as_secs_f64() * 1e3,
        per_page.len()
    );
    println!(
        "  key-to-screen while fetching       : p99 {:.1} ms, max {:.1} ms over {} keys (target < 50 ms)",
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        lat.len()
    );
}
