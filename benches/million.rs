//! The cache path at a million reviews (issue 12), in-process: what the db thread and the UI
//! thread each do from a profile database with 1,000,000 cached reviews to the whole list, and
//! then searching and moving in it.
//!
//! Run: `cargo bench --bench million`. `REVIEWDESK_BENCH_REVIEWS=N` changes the count (default
//! 1,000,000); `REVIEWDESK_BENCH_DIR=DIR` keeps the seeded database in DIR and reuses it on the
//! next run (seeding a million takes a minute or two). Memory is counted by a counting allocator
//! (live and peak heap), so it does not move with the machine's load; times do, so the load
//! average is printed. Reported, each with its target and whether it is met:
//! - `Db::open` of the file (the whole-file `quick_check` is in it), on its own thread;
//! - the first part (newest reviews) read beside the open and taken in by the UI thread
//!   (first row target <= 150 ms; the pty bench adds process start and drawing);
//! - all listed: open + `load_cache` + the UI thread swapping in the whole (<= 2.5 s);
//! - the UI thread's own time for each of the two answers (<= 16 ms, one frame);
//! - peak heap during the load and live heap once loaded (<= 800 MB resident);
//! - search per keystroke over the whole list, typed through the keymap (p99 <= 30 ms);
//! - bytes written to the terminal for a one-row move (<= 2 KB).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use reviewdesk::db::{Db, db_path};
use reviewdesk::keymap::Keymap;
use reviewdesk::store::Review;
use reviewdesk::tui::action::Action;
use reviewdesk::tui::app::{App, AppEntry, Command as AppCommand, DbCommand, Settings};
use reviewdesk::tui::db_worker::{load_cache_after, read_beside_open, read_first_part};
use reviewdesk::tui::ui;

#[global_allocator]
static GLOBAL: common::alloc::Counting = common::alloc::Counting;

const APP: &str = "9NBLGGH4R315";
const RUNS: usize = 3;

fn count() -> usize {
    std::env::var("REVIEWDESK_BENCH_REVIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// The data directory with `n` cached reviews of [`APP`] in profile `bench`: `REVIEWDESK_BENCH_DIR`
/// when set (seeded once, reused after), else a temporary one.
fn seeded(n: usize) -> (PathBuf, Option<tempfile::TempDir>) {
    let (dir, temp) = match std::env::var_os("REVIEWDESK_BENCH_DIR") {
        Some(d) => (PathBuf::from(d), None),
        None => {
            let t = tempfile::Builder::new()
                .prefix("reviewdesk-bench-million-")
                .tempdir()
                .unwrap();
            (t.path().to_owned(), Some(t))
        }
    };
    let marker = dir.join(format!("seeded-{n}"));
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        let bytes = common::seed::seed(&dir, "bench", APP, n);
        println!(
            "  seeded {n} reviews ({:.0} MB of JSON) in {:.1?}",
            mb(bytes),
            t.elapsed()
        );
        std::fs::write(&marker, b"").unwrap();
    }
    (dir, temp)
}

fn db_size(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|es| {
            es.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len() as usize)
                .sum()
        })
        .unwrap_or(0)
}

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

/// One start from the cache, as the db thread and the UI thread do it (without the process
/// start or the terminal). Returns the app with the whole list and the figures.
struct Start {
    open: Duration,
    first_shown: Duration,
    all_listed: Duration,
    ui_first: Duration,
    ui_whole: Duration,
    peak_heap: usize,
    app: App,
}

fn start_from_cache(dir: &Path, n: usize) -> Start {
    let base = common::alloc::start_peak();
    let mut app = bench_app();
    let (request, view) = match app.start().first() {
        Some(AppCommand::Db(DbCommand::LoadCache { request, view, .. })) => (*request, view.clone()),
        other => panic!("the app asks for the cache first: {other:?}"),
    };
    let answer = |app: &mut App, cached| {
        let u = Instant::now();
        app.update(Action::CacheLoaded {
            request,
            app: APP.into(),
            result: Ok(cached),
        });
        u.elapsed()
    };
    let path = db_path(dir, "bench").unwrap();
    let (mut first_shown, mut ui_first) = (Duration::ZERO, Duration::ZERO);
    // As the db thread does it: the file is opened (and checked) on one thread while the
    // cache is read on another, its newest reviews handed over at once.
    // (load4: the whole read beside the open, `read_beside_open`, instead of the first part.)
    let t = Instant::now();
    let ((db, open), early) = std::thread::scope(|s| {
        let opening = s.spawn(|| {
            let o = Instant::now();
            let (db, _) = Db::open(dir, "bench").unwrap();
            (db, o.elapsed())
        });
        let early = read_beside_open(&path, APP, &view, |part| {
            ui_first = answer(&mut app, part.clone());
            first_shown = t.elapsed();
        });
        (opening.join().unwrap(), early)
    });
    let whole = load_cache_after(&db, APP, early, &view, |first| {
        ui_first = answer(&mut app, first);
        first_shown = t.elapsed();
    })
    .unwrap();
    let ui_whole = answer(&mut app, whole);
    let all_listed = t.elapsed();
    assert_eq!(app.list.reviews.len(), n, "every cached review is listed");
    assert_eq!(app.list.view.len(), n, "and shown");
    Start {
        open,
        first_shown,
        all_listed,
        ui_first,
        ui_whole,
        peak_heap: common::alloc::peak_since(base),
        app,
    }
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

fn bytes_per_move(app: &mut App) -> usize {
    let counter = Counter::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut term = Terminal::with_options(CrosstermBackend::new(counter.clone()), options).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    counter.0.store(0, Ordering::Relaxed);
    let mut per_move = Vec::new();
    for _ in 0..200 {
        app.key(key('j'));
        term.draw(|f| ui::draw(f, app)).unwrap();
        per_move.push(counter.0.swap(0, Ordering::Relaxed));
    }
    per_move.sort();
    per_move[per_move.len() / 2]
}

/// Types `query` after `/`, one key at a time, `rounds` times; the time of each key.
fn search_keys(app: &mut App, query: &str, rounds: usize) -> Vec<Duration> {
    let mut per_key = Vec::new();
    for _ in 0..rounds {
        app.key(key('/'));
        for c in query.chars() {
            let t = Instant::now();
            app.key(key(c));
            per_key.push(t.elapsed());
        }
        app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    }
    per_key
}

/// Bytes a heap allocation of `size` takes in glibc's malloc: its 8-byte header, rounded up to
/// 16, at least 32.
fn malloc_chunk(size: usize) -> usize {
    if size == 0 { 0 } else { ((size + 8 + 15) & !15).max(32) }
}

/// What a string field keeps on the heap: its capacity, 0 when it holds none.
trait HeapBytes {
    fn heap_bytes(&self) -> usize;
}

impl HeapBytes for String {
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl HeapBytes for compact_str::CompactString {
    fn heap_bytes(&self) -> usize {
        if self.is_heap_allocated() { self.capacity() } else { 0 }
    }
}

fn heap<S: HeapBytes>(s: &Option<S>) -> usize {
    s.as_ref().map_or(0, HeapBytes::heap_bytes)
}

/// Each string field of `r` and the heap it holds.
fn string_heaps(r: &Review) -> [(&'static str, usize); 16] {
    [
        ("id", heap(&r.id)),
        ("date", heap(&r.date)),
        ("application_id", heap(&r.application_id)),
        ("application_name", heap(&r.application_name)),
        ("market", heap(&r.market)),
        ("os_version", heap(&r.os_version)),
        ("device_type", heap(&r.device_type)),
        ("package_version", heap(&r.package_version)),
        ("device_model", heap(&r.device_model)),
        ("product_family", heap(&r.product_family)),
        ("device_screen_resolution", heap(&r.device_screen_resolution)),
        ("reviewer_name", heap(&r.reviewer_name)),
        ("review_title", heap(&r.review_title)),
        ("review_text", heap(&r.review_text)),
        ("response_date", heap(&r.response_date)),
        ("response_text", heap(&r.response_text)),
    ]
}

/// Where the heap held once listed goes, per review: the structs, each string field's own
/// allocation (as asked, and as glibc's malloc rounds it), then the search text, the id index
/// and the view, each measured by dropping it and reading the counting allocator.
fn held_breakdown(mut app: App) {
    let n = app.list.reviews.len().max(1);
    let per = |bytes: usize| bytes as f64 / n as f64;
    let live_before = common::alloc::live();
    println!(
        "where the heap held goes, per review ({n} reviews, {:.0} MB live):",
        mb(live_before)
    );
    println!(
        "  Review struct ({} B) x capacity {}    : {:7.1} B",
        std::mem::size_of::<Review>(),
        app.list.reviews.capacity(),
        per(std::mem::size_of::<Review>() * app.list.reviews.capacity())
    );
    let mut fields = [0usize; 16];
    let mut chunks = [0usize; 16];
    let mut allocations = 0usize;
    for r in &app.list.reviews {
        for (k, (_, bytes)) in string_heaps(r).into_iter().enumerate() {
            fields[k] += bytes;
            chunks[k] += malloc_chunk(bytes);
            allocations += usize::from(bytes > 0);
        }
    }
    let names = string_heaps(&Review::default()).map(|(name, _)| name);
    for k in 0..16 {
        if fields[k] > 0 {
            println!(
                "    {:26}: {:7.1} B asked, {:7.1} B with malloc's rounding",
                names[k],
                per(fields[k]),
                per(chunks[k])
            );
        }
    }
    println!(
        "  strings on the heap ({:.1} allocations)  : {:7.1} B asked, {:7.1} B with malloc's rounding",
        per(allocations),
        per(fields.iter().sum()),
        per(chunks.iter().sum())
    );
    let mut dropped = |what: &str, thing: Box<dyn FnOnce(&mut App)>| {
        let before = common::alloc::live();
        thing(&mut app);
        println!(
            "  {what:38}: {:7.1} B",
            per(before.saturating_sub(common::alloc::live()))
        );
    };
    dropped(
        "search text",
        Box::new(|a: &mut App| drop(std::mem::take(&mut a.list.haystacks))),
    );
    dropped(
        "id index",
        Box::new(|a: &mut App| drop(std::mem::take(&mut a.list.ids))),
    );
    dropped("view", Box::new(|a: &mut App| drop(std::mem::take(&mut a.list.view))));
    dropped(
        "reviews (structs and strings)",
        Box::new(|a: &mut App| drop(std::mem::take(&mut a.list.reviews))),
    );
    let rest = common::alloc::live();
    println!(
        "  everything else live                  : {:7.1} B ({:.1} MB)",
        per(rest),
        mb(rest)
    );
}

fn main() {
    let n = count();
    println!(
        "million: the cache path at {n} reviews, in-process (load average {})",
        load_average()
    );
    let (dir, _temp) = seeded(n);
    println!(
        "  database on disk: {:.0} MB (target <= 800 MB: {})",
        mb(db_size(&dir)),
        verdict(db_size(&dir) <= 800_000_000)
    );

    // Only the last start's app is kept: each holds the whole list.
    let mut starts: Vec<Start> = Vec::new();
    for _ in 0..RUNS {
        if let Some(last) = starts.last_mut() {
            last.app = bench_app();
        }
        starts.push(start_from_cache(&dir, n));
    }
    let col = |f: fn(&Start) -> Duration| starts.iter().map(f).collect::<Vec<_>>();
    let open = median(col(|s| s.open));
    let first = median(col(|s| s.first_shown));
    let listed = median(col(|s| s.all_listed));
    let ui_first = col(|s| s.ui_first).into_iter().max().unwrap_or_default();
    let ui_whole = col(|s| s.ui_whole).into_iter().max().unwrap_or_default();
    let peak = starts.iter().map(|s| s.peak_heap).max().unwrap_or(0);
    let mut app = starts.pop().expect("a start").app;
    drop(starts);
    let live = common::alloc::live();

    // The order before: the first part read once the file was opened and checked.
    let sequential = median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let (db, _) = Db::open(&dir, "bench").unwrap();
                let part = read_first_part(db.path(), APP).expect("a first part");
                assert!(part.more);
                t.elapsed()
            })
            .collect(),
    );

    let mut per_key = search_keys(&mut app, "export", 5);
    per_key.extend(search_keys(&mut app, "crashes when", 3));
    let search_median = median(per_key.clone());
    let search_p99 = p99(per_key.clone());
    let move_bytes = bytes_per_move(&mut app);

    println!("results (medians of {RUNS} starts; the UI's own times are the slowest of them):");
    println!("  Db::open                          : {:8.1} ms", ms(open));
    println!(
        "  first part shown                  : {:8.1} ms (target <= 150 ms: {})",
        ms(first),
        verdict(first <= Duration::from_millis(150))
    );
    println!(
        "  first part read after the open    : {:8.1} ms (the order before this bench)",
        ms(sequential)
    );
    println!(
        "  all listed                        : {:8.1} ms (target <= 2500 ms: {})",
        ms(listed),
        verdict(listed <= Duration::from_millis(2500))
    );
    println!(
        "  UI thread, first part / whole     : {:8.2} ms / {:.2} ms (target <= 16 ms each: {})",
        ms(ui_first),
        ms(ui_whole),
        verdict(ui_first.max(ui_whole) <= Duration::from_millis(16))
    );
    println!(
        "  heap: peak during the load / held : {:8.0} MB / {:.0} MB (target <= 800 MB resident: {})",
        mb(peak),
        mb(live),
        verdict(peak <= 800_000_000)
    );
    println!(
        "  peak resident memory of the bench : {:8.0} MB (seeding not included when reused)",
        peak_rss_mb()
    );
    println!(
        "  search per keystroke              : median {:.2} ms, p99 {:.2} ms over {} keys (target p99 <= 30 ms: {})",
        ms(search_median),
        ms(search_p99),
        per_key.len(),
        verdict(search_p99 <= Duration::from_millis(30))
    );
    println!(
        "  bytes for a one-row move          : {move_bytes:8} B (target <= 2048 B: {})",
        verdict(move_bytes <= 2048)
    );
    held_breakdown(app);
}
