//! Claims are exclusive across connections and across processes: every item claimed once.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::super::{Db, OutboxState};
use super::{open, reply, temp};

const ITEMS: usize = 300;

fn fill(db: &mut Db, n: usize) -> HashSet<i64> {
    (0..n)
        .map(|i| {
            db.enqueue(&reply(&format!("app{}", i % 3), &format!("review-{i}"), "thanks"), 0)
                .unwrap()
        })
        .collect()
}

/// Claims until nothing is left, marking each claimed item sent; returns the ids claimed.
/// `first_claimed` runs once, holding the first claim: the workers wait there for each other,
/// so that every one of them takes part however the machine schedules them (under load one
/// thread could otherwise find the outbox drained before it ran, and no contention be tested).
fn drain(db: &mut Db, owner: &str, first_claimed: impl FnOnce()) -> Vec<i64> {
    let mut claimed = Vec::new();
    let mut first_claimed = Some(first_claimed);
    loop {
        match db.claim_next(owner, 1, 600).unwrap() {
            Some(item) => {
                assert_eq!(item.owner.as_deref(), Some(owner));
                assert_eq!(item.attempts, 1, "item {} claimed before", item.id);
                claimed.push(item.id);
                if let Some(wait) = first_claimed.take() {
                    wait();
                }
                // The request takes a moment; meanwhile others claim.
                std::thread::sleep(Duration::from_millis(1));
                db.mark_sent(item.id, 2).unwrap();
            }
            None if db.outbox_pending().unwrap() == 0 => return claimed,
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

fn check_all_sent_once(db: &Db, all: &HashSet<i64>) {
    let items = db.outbox(None, 0).unwrap();
    assert_eq!(items.len(), all.len());
    for item in &items {
        assert_eq!((item.state, item.attempts), (OutboxState::Sent, 1), "{item:?}");
    }
    assert_eq!(
        db.history(usize::MAX).unwrap().len(),
        all.len(),
        "one history row per item"
    );
}

fn check_disjoint(per_worker: &HashMap<String, Vec<i64>>, all: &HashSet<i64>) {
    let split: Vec<_> = per_worker
        .iter()
        .map(|(w, ids)| format!("{w}: {}", ids.len()))
        .collect();
    println!("claims per worker: {}", split.join(", "));
    let mut seen = HashSet::new();
    for (worker, ids) in per_worker {
        assert!(!ids.is_empty(), "{worker} claimed nothing: no contention was tested");
        for id in ids {
            assert!(seen.insert(*id), "item {id} claimed twice");
        }
    }
    assert_eq!(&seen, all, "every item claimed");
}

#[test]
fn threads_with_their_own_connections_claim_each_item_once() {
    let dir = temp();
    let mut db = open(dir.path());
    let all = fill(&mut db, ITEMS);
    let all_claimed_once = std::sync::Arc::new(std::sync::Barrier::new(4));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let mut mine = db.connect_again().unwrap();
            let rendezvous = all_claimed_once.clone();
            std::thread::spawn(move || {
                let name = format!("thread-{w}");
                let ids = drain(&mut mine, &name, || {
                    rendezvous.wait();
                });
                (name, ids)
            })
        })
        .collect();
    let per_worker: HashMap<_, _> = workers.into_iter().map(|h| h.join().unwrap()).collect();
    check_disjoint(&per_worker, &all);
    check_all_sent_once(&db, &all);
}

const CHILD_DIR: &str = "REVIEWDESK_DB_TEST_CLAIM_DIR";
const CHILD_NAME: &str = "REVIEWDESK_DB_TEST_CLAIM_NAME";

/// Runs in a child process (the test binary re-executed): waits for the go file, then drains.
fn child(dir: &Path, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no go signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let (mut db, _) = Db::open(dir, "main").unwrap();
    // libtest has printed "test <name> ... " without a newline: start on a line of our own.
    println!();
    // Holding its first claim, each process says so and waits for the other's.
    let claimed_once = |n: &str| dir.join(format!("claimed-{n}"));
    let ids = drain(&mut db, name, || {
        std::fs::write(claimed_once(name), b"").unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !["process-a", "process-b"].iter().all(|n| claimed_once(n).exists()) {
            assert!(Instant::now() < deadline, "the other process never claimed");
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    for id in ids {
        println!("CLAIMED {id}");
    }
}

#[test]
fn two_processes_claim_each_item_once() {
    if let (Ok(dir), Ok(name)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_NAME)) {
        return child(Path::new(&dir), &name);
    }
    let dir = temp();
    let mut db = open(dir.path());
    let all = fill(&mut db, ITEMS);
    // This test's name without the crate: `db::tests::claims::two_processes_claim_each_item_once`.
    let module = module_path!()
        .split_once("::")
        .map(|(_, rest)| rest)
        .unwrap_or(module_path!());
    let test_name = format!("{module}::two_processes_claim_each_item_once");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["process-a", "process-b"]
        .iter()
        .map(|name| {
            let child = Command::new(&exe)
                .args([test_name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
                .env(CHILD_DIR, dir.path())
                .env(CHILD_NAME, name)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (name.to_string(), child)
        })
        .collect();
    // Let both children start and reach the go check before releasing them together.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), b"").unwrap();
    let mut per_worker = HashMap::new();
    for (name, child) in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{name} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ids: Vec<i64> = stdout
            .lines()
            .filter_map(|l| l.split_once("CLAIMED ").map(|(_, id)| id))
            .map(|n| n.trim().parse().unwrap())
            .collect();
        per_worker.insert(name, ids);
    }
    check_disjoint(&per_worker, &all);
    check_all_sent_once(&db, &all);
}
