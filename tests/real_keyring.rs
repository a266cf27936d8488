//! The secret stores against the real thing: a private D-Bus session with gnome-keyring, and the
//! kernel keyring in session keyrings of their own.
//!
//! The stores read their environment (DBUS_SESSION_BUS_ADDRESS) and the session keyring of the
//! process, so every assertion runs in a child: this test binary run again with `--exact child_…`,
//! under `keyctl session …` or with the private bus in its environment, and a marker variable that
//! makes the `child_*` tests do something (without it they return at once).
//!
//! Missing tools skip loudly, unless REVIEWDESK_REQUIRE_REAL_KEYRING=1 (CI) makes them fail.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::keyring::{PrivateBus, sh, tools, wait_output};
use reviewdesk::secrets::{BackendChoice, BackendKind, OpenOptions, SecretStore, SecretsError, diagnose};
use secrecy::{ExposeSecret, SecretString};

const MARKER: &str = "REVIEWDESK_REAL_KEYRING_CHILD";
const PROFILE_VAR: &str = "REVIEWDESK_TEST_PROFILE";
const GK_PID_VAR: &str = "REVIEWDESK_TEST_KEYRING_PID";
const EXPECT_VAR: &str = "REVIEWDESK_TEST_EXPECT";

// ------------------------------------------------------------------------------------------------
// The parent side: tools, children, the private bus.

fn profile(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("rt-{tag}-{}-{nanos}", std::process::id())
}

/// Runs `child` (a `child_*` test of this binary) behind `prefix`, e.g. `keyctl session -`.
fn run_child(prefix: &[&str], child: &str, profile: &str, env: &[(&str, String)]) {
    let exe = std::env::current_exe().unwrap();
    let (program, before) = match prefix.split_first() {
        Some((p, rest)) => (PathBuf::from(p), rest.to_vec()),
        None => (exe.clone(), Vec::new()),
    };
    let mut cmd = Command::new(program);
    cmd.args(before);
    if !prefix.is_empty() {
        cmd.arg(&exe);
    }
    cmd.args(["--exact", child, "--nocapture", "--test-threads=1"])
        .env(MARKER, "1")
        .env(PROFILE_VAR, profile);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = wait_output(cmd, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child {child} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "child {child} did not run:\n{stdout}\n{stderr}"
    );
    if std::env::var_os("REVIEWDESK_TEST_VERBOSE").is_some() {
        eprintln!("--- {child}:\n{stdout}");
    }
}

/// Like `Command::output`, but a hung child is killed and fails the test.
/// Removes a profile's key from the kernel keyring (via the persistent keyring), whatever happened.
struct KeyCleanup(String);

impl KeyCleanup {
    /// The key's value as the `keyctl` tool sees it from a fresh session, if there is one.
    fn kernel_value(&self) -> Option<String> {
        let out = sh(&format!(
            "keyctl session - bash -c 'keyctl get_persistent @s >/dev/null && \
             id=$(keyctl search @s user \"keyring:{}@reviewdesk\") && keyctl pipe $id' 2>/dev/null",
            self.0
        ));
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for KeyCleanup {
    fn drop(&mut self) {
        let _ = sh(&format!(
            "keyctl session - bash -c 'keyctl get_persistent @s >/dev/null; \
             id=$(keyctl search @s user \"keyring:{}@reviewdesk\") && keyctl invalidate $id' >/dev/null 2>&1",
            self.0
        ));
    }
}

const SS_TOOLS: &[(&str, &str)] = &[
    ("dbus-daemon", "dbus-daemon"),
    ("gnome-keyring-daemon", "gnome-keyring"),
];
const KEYCTL: &[(&str, &str)] = &[("keyctl", "keyutils")];

fn new_session() -> Vec<&'static str> {
    vec!["keyctl", "session", "-"]
}

// ------------------------------------------------------------------------------------------------
// The parent tests.

#[test]
fn secret_service_round_trip_across_processes_and_auto_picks_it() {
    if !tools("secret_service_round_trip", SS_TOOLS) {
        return;
    }
    let bus = PrivateBus::start();
    let p = profile("ss");
    run_child(&[], "child_ss_round_trip", &p, &bus.env());
    run_child(&[], "child_ss_find_then_delete", &p, &bus.env());
    run_child(&[], "child_ss_auto_picks_secret_service", &p, &bus.env());
}

#[test]
fn a_stalled_secret_service_times_out_instead_of_hanging() {
    if !tools("a_stalled_secret_service", SS_TOOLS) {
        return;
    }
    let bus = PrivateBus::start();
    let pid = bus.keyring_pids()[0];
    let mut env = bus.env();
    env.push((GK_PID_VAR, pid.to_string()));
    run_child(&[], "child_ss_stalled", &profile("stall"), &env);
}

#[test]
fn a_locked_collection_is_not_mistaken_for_a_working_one() {
    if !tools("a_locked_collection", SS_TOOLS) || !tools("a_locked_collection", KEYCTL) {
        return;
    }
    let bus = PrivateBus::start();
    let p = profile("locked");
    run_child(&[], "child_ss_store", &p, &bus.env());
    bus.stop_keyring();
    bus.start_keyring(false); // the same keyring file, now locked, and nobody to unlock it
    run_child(&new_session(), "child_ss_locked", &p, &bus.env());
}

#[test]
fn without_a_bus_auto_falls_back_to_the_kernel_keyring() {
    if !tools("without_a_bus", KEYCTL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let runtime_dir = ("XDG_RUNTIME_DIR", dir.path().display().to_string());
    let dead = format!("unix:path={}", dir.path().join("dead.sock").display());
    let expect = format!(
        "nothing answers at the D-Bus session bus address {}",
        dir.path().join("dead.sock").display()
    );
    let env = vec![
        ("DBUS_SESSION_BUS_ADDRESS", dead),
        runtime_dir.clone(),
        (EXPECT_VAR, expect),
    ];
    run_child(&new_session(), "child_no_bus", &profile("nobus"), &env);
    let expect = "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset".to_owned();
    let env = vec![
        ("DBUS_SESSION_BUS_ADDRESS", String::new()),
        runtime_dir,
        (EXPECT_VAR, expect),
    ];
    run_child(&new_session(), "child_no_bus", &profile("nobus"), &env);
}

#[test]
fn kernel_keyring_round_trip() {
    if !tools("kernel_keyring_round_trip", KEYCTL) {
        return;
    }
    let p = profile("ku");
    let _cleanup = KeyCleanup(p.clone());
    run_child(&new_session(), "child_ku_round_trip", &p, &[]);
}

#[test]
fn kernel_keyring_values_are_found_from_another_session() {
    if !tools("kernel_keyring_values_are_found", KEYCTL) {
        return;
    }
    let p = profile("kux");
    let cleanup = KeyCleanup(p.clone());
    run_child(&new_session(), "child_ku_store", &p, &[]);
    assert_eq!(
        cleanup.kernel_value().as_deref(),
        Some(secret_for(&p).as_str()),
        "not in the kernel keyring"
    );
    run_child(&new_session(), "child_ku_find_then_delete", &p, &[]);
    assert_eq!(cleanup.kernel_value(), None, "the key is still in the kernel keyring");
}

#[test]
fn kernel_keyring_heals_a_revoked_session_keyring() {
    if !tools("kernel_keyring_heals_revoked", KEYCTL) {
        return;
    }
    let p = profile("kurev");
    let _cleanup = KeyCleanup(p.clone());
    run_child(&new_session(), "child_ku_store", &p, &[]);
    // run_child puts this test binary and its arguments after the prefix: they are bash's "$@".
    let script = "keyctl revoke @s && exec \"$@\"";
    run_child(
        &["keyctl", "session", "-", "bash", "-c", script, "revoked"],
        "child_ku_revoked",
        &p,
        &[],
    );
    // Revoked while running, as when the SSH login behind a tmux server ends.
    run_child(&new_session(), "child_ku_revoked_while_running", &p, &[]);
}

#[test]
fn kernel_keyring_heals_refused_session_keyrings() {
    if !tools("kernel_keyring_heals_refused", KEYCTL) {
        return;
    }
    let p = profile("kuacc");
    let _cleanup = KeyCleanup(p.clone());
    run_child(&new_session(), "child_ku_store", &p, &[]);
    // 0x01010000: not even searchable, so looking the session keyring up is refused.
    // 0x0b000000: searchable but neither writable nor linkable, so writes are refused.
    for perm in ["0x01010000", "0x0b000000"] {
        let script = format!("keyctl setperm @s {perm} && exec \"$@\"");
        run_child(
            &["keyctl", "session", "-", "bash", "-c", &script, "denied"],
            "child_ku_refused",
            &p,
            &[],
        );
    }
    // No session keyring of its own: the per-user session keyring stands in, and writes are refused.
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let own = format!("_uid_ses.{uid}");
    // Joining the per-user session keyring by name reproduces that state; check the kernel allows it.
    let probe = sh(&format!(
        "keyctl show @us >/dev/null && keyctl session {own} keyctl rdescribe @s 2>/dev/null"
    ));
    if !String::from_utf8_lossy(&probe.stdout).trim_end().ends_with(&own) {
        let msg =
            format!("\n!!!!!!!! SKIPPED the 'no session keyring of its own' case: cannot join {own} here !!!!!!!!\n");
        let _ = writeln!(std::io::stderr(), "{msg}");
        return;
    }
    run_child(&["keyctl", "session", &own], "child_ku_not_own_session", &p, &[]);
    let leaked = sh(&format!("keyctl search @us user 'keyring:{p}@reviewdesk'"));
    assert!(
        !leaked.status.success(),
        "a key was left in the per-user session keyring"
    );
}

// ------------------------------------------------------------------------------------------------
// The child side.

/// The profile for this child, or None when this is not a child run.
fn child() -> Option<String> {
    std::env::var_os(MARKER)?;
    Some(std::env::var(PROFILE_VAR).expect("no profile given"))
}

/// A secret that is awkward in URLs, shells and encodings.
fn secret_for(profile: &str) -> String {
    format!("a+b/c=d~e&f%g ünï-€-{profile}")
}

fn ss(s: &str) -> SecretString {
    SecretString::from(s)
}

async fn value(store: &SecretStore, p: &str) -> Option<String> {
    store.get(p).await.unwrap().map(|s| s.expose_secret().to_owned())
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn child_ss_round_trip() {
    let Some(p) = child() else { return };
    let log = Capture::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let store = SecretStore::open(BackendChoice::SecretService).await.unwrap();
    assert_eq!(store.kind(), BackendKind::SecretService);
    assert!(
        store.persistence().starts_with("until deleted"),
        "{}",
        store.persistence()
    );
    println!("why: {}\npersistence: {}", store.why(), store.persistence());
    assert_eq!(store.why(), "the secrets backend is set to secret-service");
    assert_eq!(value(&store, &p).await, None);
    store.set(&p, &ss("first version")).await.unwrap();
    assert_eq!(value(&store, &p).await.as_deref(), Some("first version"));
    store.set(&p, &ss(&secret_for(&p))).await.unwrap(); // overwrite
    assert_eq!(value(&store, &p).await, Some(secret_for(&p)));
    let other = format!("{p}-other");
    assert!(!store.delete(&other).await.unwrap(), "deleting nothing says false");
    assert_eq!(value(&store, &other).await, None);

    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(logged.contains("secret stored"), "the log capture saw nothing");
    assert!(
        !logged.contains("first version") && !logged.contains("ünï"),
        "a secret reached the log"
    );
}

#[tokio::test]
async fn child_ss_store() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::SecretService).await.unwrap();
    store.set(&p, &ss(&secret_for(&p))).await.unwrap();
}

#[tokio::test]
async fn child_ss_find_then_delete() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::SecretService).await.unwrap();
    assert_eq!(
        value(&store, &p).await,
        Some(secret_for(&p)),
        "not found from another process"
    );
    assert!(store.delete(&p).await.unwrap());
    assert_eq!(value(&store, &p).await, None);
    assert!(!store.delete(&p).await.unwrap());
}

#[tokio::test]
async fn child_ss_auto_picks_secret_service() {
    let Some(_) = child() else { return };
    let store = SecretStore::open(BackendChoice::Auto).await.unwrap();
    assert_eq!(store.kind(), BackendKind::SecretService, "{}", store.why());
    assert!(
        store.why().starts_with("auto: the Secret Service answered"),
        "{}",
        store.why()
    );
    let probes = diagnose().await;
    assert!(
        probes.iter().any(|p| p.name == "secret-service" && p.works),
        "{probes:?}"
    );
}

#[tokio::test]
async fn child_ss_stalled() {
    let Some(p) = child() else { return };
    let pid: i32 = std::env::var(GK_PID_VAR).unwrap().parse().unwrap();
    let opts = OpenOptions {
        probe_timeout: Duration::from_secs(3),
        op_timeout: Duration::from_secs(1),
    };
    let store = SecretStore::open_with(BackendChoice::SecretService, opts)
        .await
        .unwrap();
    // SAFETY: plain kill(2) of the test's own gnome-keyring-daemon.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let t = Instant::now();
    let got = store.get(&p).await;
    let set = store.set(&p, &ss("never")).await;
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert!(t.elapsed() < Duration::from_secs(4), "took {:?}", t.elapsed());
    let e = got.unwrap_err().to_string();
    println!("error: {e}");
    assert!(
        e.starts_with("timed out waiting for the Secret Service (is the collection locked?)"),
        "{e}"
    );
    assert!(matches!(set, Err(SecretsError::TimedOut { .. })));
}

#[tokio::test]
async fn child_ss_locked() {
    let Some(p) = child() else { return };
    let t = Instant::now();
    let e = SecretStore::open(BackendChoice::SecretService)
        .await
        .unwrap_err()
        .to_string();
    println!("error: {e}");
    // Normally the unlock prompt is dismissed at once (no display); if it hung, the probe times out.
    assert!(
        e.starts_with("the Secret Service does not work here: ") && e.contains("locked"),
        "{e}"
    );
    let store = SecretStore::open(BackendChoice::Auto).await.unwrap();
    println!("why: {}", store.why());
    assert_eq!(store.kind(), BackendKind::Keyutils);
    assert!(
        store.why().starts_with("auto: the Secret Service is not usable ("),
        "{}",
        store.why()
    );
    assert!(store.why().contains("locked"), "{}", store.why());
    assert!(t.elapsed() < Duration::from_secs(8), "took {:?}", t.elapsed());
    assert_eq!(value(&store, &p).await, None); // the kernel keyring never had it
}

#[tokio::test]
async fn child_no_bus() {
    let Some(p) = child() else { return };
    let e = SecretStore::open(BackendChoice::SecretService)
        .await
        .unwrap_err()
        .to_string();
    println!("error: {e}");
    let expect = std::env::var(EXPECT_VAR).unwrap();
    assert!(
        e.starts_with(&format!("the Secret Service does not work here: {expect}")),
        "{e}"
    );
    let store = SecretStore::open(BackendChoice::Auto).await.unwrap();
    println!("why: {}\npersistence: {}", store.why(), store.persistence());
    assert_eq!(store.kind(), BackendKind::Keyutils);
    assert!(
        store
            .why()
            .starts_with(&format!("auto: the Secret Service is not usable ({expect}"))
            && store.why().ends_with("so the kernel keyring (keyutils) is used"),
        "{}",
        store.why()
    );
    assert!(
        store.persistence().starts_with("until the machine reboots; unused for"),
        "{}",
        store.persistence()
    );
    assert_eq!(value(&store, &p).await, None);
    let probes = diagnose().await;
    println!("diagnose: {probes:#?}");
    assert!(
        probes.iter().any(|p| p.name == "secret-service" && !p.works),
        "{probes:?}"
    );
    assert!(probes.iter().any(|p| p.name == "keyutils" && p.works), "{probes:?}");
}

#[tokio::test]
async fn child_ku_round_trip() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    assert_eq!(store.kind(), BackendKind::Keyutils);
    assert_eq!(store.why(), "the secrets backend is set to keyutils");
    assert_eq!(value(&store, &p).await, None);
    store.set(&p, &ss("first version")).await.unwrap();
    store.set(&p, &ss(&secret_for(&p))).await.unwrap();
    assert_eq!(value(&store, &p).await, Some(secret_for(&p)));
    assert!(store.delete(&p).await.unwrap());
    assert_eq!(value(&store, &p).await, None);
    assert!(!store.delete(&p).await.unwrap());
}

#[tokio::test]
async fn child_ku_store() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    store.set(&p, &ss(&secret_for(&p))).await.unwrap();
}

#[tokio::test]
async fn child_ku_find_then_delete() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    assert_eq!(
        value(&store, &p).await,
        Some(secret_for(&p)),
        "not found from a fresh session"
    );
    assert!(store.delete(&p).await.unwrap());
    assert_eq!(value(&store, &p).await, None);
}

/// Opens the kernel keyring, expecting a repair whose note contains `note`, and finds the value.
async fn healed_and_found(p: &str, note: &str) {
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    println!("why: {}\npersistence: {}", store.why(), store.persistence());
    assert!(store.why().contains(note), "{}", store.why());
    assert!(
        store.why().ends_with("so it joined a fresh session keyring"),
        "{}",
        store.why()
    );
    assert_eq!(value(&store, p).await, Some(secret_for(p)));
    store.set(p, &ss(&secret_for(p))).await.unwrap();
}

#[tokio::test]
async fn child_ku_revoked() {
    let Some(p) = child() else { return };
    healed_and_found(&p, "its session keyring had been revoked").await;
}

#[tokio::test]
async fn child_ku_refused() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    assert!(
        store.why().contains("access to its session keyring was denied")
            || store.why().contains("the persistent keyring could not be linked"),
        "{}",
        store.why()
    );
    drop(store);
    healed_and_found(&p, "joined a fresh session keyring").await;
}

#[tokio::test]
async fn child_ku_not_own_session() {
    let Some(p) = child() else { return };
    healed_and_found(&p, "this process had no session keyring of its own").await;
}

#[tokio::test]
async fn child_ku_revoked_while_running() {
    let Some(p) = child() else { return };
    let store = SecretStore::open(BackendChoice::Keyutils).await.unwrap();
    assert_eq!(store.why(), "the secrets backend is set to keyutils");
    assert_eq!(value(&store, &p).await, Some(secret_for(&p)));
    // Our session keyring is shared with a child process; revoking it there revokes ours.
    assert!(
        Command::new("keyctl")
            .args(["revoke", "@s"])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        value(&store, &p).await,
        Some(secret_for(&p)),
        "not found after the session was revoked"
    );
    assert!(store.delete(&p).await.unwrap());
    assert_eq!(value(&store, &p).await, None);
}
