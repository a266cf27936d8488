//! Unit tests with fake stores: choices, the env backend, timeouts, error hygiene. The real stores
//! are exercised in `tests/real_keyring.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keyring_core::api::CredentialStoreApi;
use keyring_core::{Entry, Error};
use secrecy::{ExposeSecret, SecretString};

use super::keyring::{KeyringBackend, Source};
use super::worker::{Backend, ProbeReport};
use super::*;

/// A store in memory that can be told to stall.
#[derive(Clone, Default)]
struct Fake {
    values: Arc<Mutex<HashMap<String, String>>>,
    stall: Duration,
    stall_probe: Duration,
}

impl Backend for Fake {
    fn get(&mut self, _service: &str, user: &str) -> Result<Option<SecretString>, SecretsError> {
        std::thread::sleep(self.stall);
        Ok(self
            .values
            .lock()
            .unwrap()
            .get(user)
            .map(|v| SecretString::from(v.as_str())))
    }
    fn set(&mut self, _service: &str, user: &str, secret: &SecretString) -> Result<(), SecretsError> {
        std::thread::sleep(self.stall);
        self.values
            .lock()
            .unwrap()
            .insert(user.to_owned(), secret.expose_secret().to_owned());
        Ok(())
    }
    fn delete(&mut self, _service: &str, user: &str) -> Result<bool, SecretsError> {
        Ok(self.values.lock().unwrap().remove(user).is_some())
    }
    fn probe(&mut self) -> Result<ProbeReport, String> {
        std::thread::sleep(self.stall_probe);
        Ok(ProbeReport {
            notes: vec!["a note".to_owned()],
            persistence: "for the test".to_owned(),
        })
    }
}

fn opts(op_ms: u64) -> OpenOptions {
    OpenOptions {
        probe_timeout: Duration::from_secs(2),
        op_timeout: Duration::from_millis(op_ms),
    }
}

async fn fake_store(kind: BackendKind, fake: Fake, op_ms: u64) -> SecretStore {
    let o = opts(op_ms);
    let (worker, report) = start_backend(kind, o, move || Ok(Box::new(fake) as Box<dyn Backend>))
        .await
        .unwrap();
    SecretStore::from_worker(worker, "a test".to_owned(), report, o)
}

// The message text lists Linux's stores; macOS and Windows list theirs.
#[cfg(target_os = "linux")]
#[test]
fn choices_parse_by_name_and_errors_list_the_valid_names() {
    for c in BackendChoice::ALL {
        assert_eq!(c.name().parse::<BackendChoice>().unwrap(), c);
        assert_eq!(
            format!(" {} ", c.name().to_uppercase())
                .parse::<BackendChoice>()
                .unwrap(),
            c
        );
    }
    let e = "kwallet".parse::<BackendChoice>().unwrap_err().to_string();
    assert_eq!(
        e,
        "unknown secrets backend \"kwallet\": use one of auto, secret-service, keyutils or env"
    );
    #[derive(serde::Deserialize)]
    struct Section {
        backend: BackendChoice,
    }
    let s: Section = toml::from_str("backend = \"secret-service\"").unwrap();
    assert_eq!(s.backend, BackendChoice::SecretService);
    assert!(toml::from_str::<Section>("backend = \"plaintext\"").is_err());
}

#[test]
fn the_environment_wins_over_the_config() {
    let keyutils = Some(BackendChoice::Keyutils);
    assert_eq!(BackendChoice::resolve_from(None, None).unwrap(), BackendChoice::Auto);
    assert_eq!(
        BackendChoice::resolve_from(None, keyutils).unwrap(),
        BackendChoice::Keyutils
    );
    assert_eq!(
        BackendChoice::resolve_from(Some("env"), keyutils).unwrap(),
        BackendChoice::Env
    );
    assert_eq!(
        BackendChoice::resolve_from(Some("  "), keyutils).unwrap(),
        BackendChoice::Keyutils
    );
    assert!(BackendChoice::resolve_from(Some("file"), keyutils).is_err());
}

#[test]
fn env_values_become_secrets_and_empty_counts_as_unset() {
    assert!(env_secret(None).unwrap().is_none());
    assert!(env_secret(Some("".into())).unwrap().is_none());
    assert_eq!(
        env_secret(Some("a+b/c=".into())).unwrap().unwrap().expose_secret(),
        "a+b/c="
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bad = std::ffi::OsString::from_vec(vec![0x73, 0xff]);
        let e = env_secret(Some(bad)).unwrap_err().to_string();
        assert_eq!(
            e,
            "REVIEWDESK_CLIENT_SECRET is not valid UTF-8; set it to the client secret as plain text"
        );
    }
}

#[tokio::test]
async fn the_env_backend_stores_nothing_and_says_so() {
    let store = SecretStore::open(BackendChoice::Env).await.unwrap();
    assert_eq!(store.kind(), BackendKind::Env);
    assert!(store.persistence().contains("never stored"));
    let e = store.set("p", &SecretString::from("x")).await.unwrap_err().to_string();
    assert!(e.starts_with("the env secrets backend stores nothing"), "{e}");
    assert!(e.contains("cannot store the secret"), "{e}");
    let e = store.delete("p").await.unwrap_err().to_string();
    assert!(e.contains("cannot delete the secret"), "{e}");
}

#[tokio::test]
async fn empty_secrets_and_profiles_are_refused_before_any_store() {
    let store = fake_store(BackendKind::Keyutils, Fake::default(), 1000).await;
    assert!(matches!(
        store.set("p", &SecretString::from("")).await,
        Err(SecretsError::EmptySecret)
    ));
    assert!(matches!(store.get(" ").await, Err(SecretsError::EmptyProfile)));
}

#[tokio::test]
async fn a_round_trip_through_the_store_thread() {
    let store = fake_store(BackendKind::Keyutils, Fake::default(), 1000).await;
    assert_eq!(store.why(), "a test");
    assert_eq!(store.persistence(), "for the test");
    assert!(store.get("p").await.unwrap().is_none());
    store.set("p", &SecretString::from("v")).await.unwrap();
    let clone = store.clone();
    assert_eq!(clone.get("p").await.unwrap().unwrap().expose_secret(), "v");
    assert!(store.delete("p").await.unwrap());
    assert!(!store.delete("p").await.unwrap());
}

#[tokio::test]
async fn a_stalled_store_times_out_and_skips_calls_whose_caller_gave_up() {
    let fake = Fake {
        stall: Duration::from_millis(600),
        ..Fake::default()
    };
    let values = fake.values.clone();
    let store = fake_store(BackendKind::SecretService, fake, 100).await;
    let t = Instant::now();
    let e = store.get("p").await.unwrap_err();
    assert!(t.elapsed() < Duration::from_millis(500));
    let msg = e.to_string();
    assert!(
        msg.starts_with("timed out waiting for the Secret Service (is the collection locked?) after 0.1 s"),
        "{msg}"
    );
    assert!(msg.contains("read the secret for profile \"p\""), "{msg}");
    // Queued behind the stalled read: the caller gives up, so the write must never happen.
    assert!(matches!(
        store.set("p", &SecretString::from("late")).await,
        Err(SecretsError::TimedOut { .. })
    ));
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(
        values.lock().unwrap().is_empty(),
        "a write that timed out happened later"
    );
}

#[tokio::test]
async fn a_stalled_probe_makes_the_store_unusable_not_the_caller_wait() {
    let fake = Fake {
        stall_probe: Duration::from_secs(5),
        ..Fake::default()
    };
    let o = OpenOptions {
        probe_timeout: Duration::from_millis(200),
        op_timeout: Duration::from_secs(1),
    };
    let t = Instant::now();
    let e = start_backend(BackendKind::SecretService, o, move || {
        Ok(Box::new(fake) as Box<dyn Backend>)
    })
    .await
    .err()
    .unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(e, "it did not answer within 0.2 s (is the collection locked?)");
}

#[test]
fn a_store_stuck_for_ever_does_not_hold_up_the_runtime_shutdown() {
    let t = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let fake = Fake {
            stall: Duration::from_secs(3600),
            ..Fake::default()
        };
        let store = fake_store(BackendKind::SecretService, fake, 100).await;
        assert!(store.get("p").await.is_err());
    });
    drop(rt);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "dropping the runtime waited for the stuck store"
    );
}

/// keyring-core's in-memory mock, used only here to drive the shared keyring code and its errors.
struct MockSource {
    store: Arc<keyring_core::mock::Store>,
    heals: Option<Arc<std::sync::atomic::AtomicUsize>>,
}

impl MockSource {
    fn new(heals: Option<Arc<std::sync::atomic::AtomicUsize>>) -> Self {
        MockSource {
            store: keyring_core::mock::Store::new().unwrap(),
            heals,
        }
    }
    /// The mock reuses one credential per service and user, so the next operation on `user` fails.
    fn fail_next(&self, user: &str, err: Error) {
        let entry = self.store.build(SERVICE, user, None).unwrap();
        entry
            .as_any()
            .downcast_ref::<keyring_core::mock::Cred>()
            .unwrap()
            .set_error(err);
    }
}

impl Source for MockSource {
    fn kind(&self) -> BackendKind {
        BackendKind::Keyutils
    }
    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        self.store.build(service, user, None)
    }
    fn heal(&mut self, _err: &Error) -> bool {
        match &self.heals {
            Some(n) => n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0,
            None => false,
        }
    }
    fn persistence(&self) -> String {
        "in memory".to_owned()
    }
}

fn denied() -> Error {
    Error::NoStorageAccess(std::io::Error::other("AccessDenied").into())
}

#[test]
fn the_keyring_code_round_trips_and_maps_errors() {
    let secret = SecretString::from("h+/=~&% ünï");
    let mut b = KeyringBackend::new(MockSource::new(None));
    assert!(b.get(SERVICE, "p").unwrap().is_none());
    b.set(SERVICE, "p", &secret).unwrap();
    assert_eq!(
        b.get(SERVICE, "p").unwrap().unwrap().expose_secret(),
        secret.expose_secret()
    );
    assert!(b.delete(SERVICE, "p").unwrap());
    assert!(!b.delete(SERVICE, "p").unwrap());

    let src = MockSource::new(None);
    src.fail_next("q", denied());
    let e = KeyringBackend::new(src).get(SERVICE, "q").unwrap_err().to_string();
    assert_eq!(
        e,
        "the kernel keyring (keyutils) refused to read the secret for profile \"q\" (AccessDenied); \
         run reviewdesk under `keyctl session -`, or choose the secrets backend secret-service or env"
    );
    let src = MockSource::new(None);
    src.fail_next("q", Error::BadEncoding(b"\xff".to_vec()));
    let e = KeyringBackend::new(src).get(SERVICE, "q").unwrap_err();
    assert!(matches!(e, SecretsError::NotUtf8 { .. }), "{e}");
}

#[test]
fn a_refused_operation_is_retried_once_after_the_store_heals() {
    let heals = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let src = MockSource::new(Some(heals.clone()));
    src.fail_next("r", denied());
    let mut b = KeyringBackend::new(src);
    b.set(SERVICE, "r", &SecretString::from("v")).unwrap();
    assert_eq!(heals.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(b.get(SERVICE, "r").unwrap().unwrap().expose_secret(), "v");
    // A missing entry is an answer, not a failure: no healing.
    assert!(b.get(SERVICE, "missing").unwrap().is_none());
    assert_eq!(heals.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn the_probe_writes_reads_and_removes_a_test_entry() {
    let mut b = KeyringBackend::new(MockSource::new(None));
    let report = b.probe().unwrap();
    assert_eq!(report.persistence, "in memory");
}

#[test]
fn secret_bytes_in_store_errors_never_reach_messages() {
    let secret = "hunter2-very-secret";
    let errors = [
        error::op_error(
            BackendKind::SecretService,
            Action::Read,
            "p",
            Error::BadEncoding(secret.as_bytes().to_vec()),
        ),
        error::op_error(
            BackendKind::SecretService,
            Action::Read,
            "p",
            Error::BadDataFormat(secret.as_bytes().to_vec(), std::io::Error::other("bad").into()),
        ),
    ];
    for e in errors {
        assert!(!e.to_string().contains(secret), "{e}");
        assert!(!format!("{e:?}").contains(secret));
    }
    let store_debug = format!("{:?}", SecretString::from(secret));
    assert!(!store_debug.contains(secret));
}

// The message text lists Linux's stores; macOS and Windows list theirs.
#[cfg(target_os = "linux")]
#[test]
fn no_store_works_lists_each_store_and_the_fixes() {
    let e = SecretsError::NoStoreWorks {
        tried: vec![
            Attempt {
                store: BackendKind::SecretService,
                reason: "there is no D-Bus session bus".to_owned(),
            },
            Attempt {
                store: BackendKind::Keyutils,
                reason: "keyctl is blocked".to_owned(),
            },
        ],
    }
    .to_string();
    assert!(e.starts_with(
        "no secret store works here (Secret Service: there is no D-Bus session bus; kernel keyring (keyutils): \
         keyctl is blocked); to fix it, run reviewdesk under `keyctl session -`"
    ));
    assert!(e.contains("gnome-keyring-daemon --unlock` inside `dbus-run-session`"));
    assert!(e.contains("REVIEWDESK_CLIENT_SECRET"));
}

#[test]
fn every_choice_parses_everywhere_but_opens_only_on_its_platform() {
    #[derive(serde::Deserialize)]
    struct Section {
        backend: BackendChoice,
    }
    for (text, choice) in [
        ("keychain", BackendChoice::Keychain),
        ("credential-manager", BackendChoice::CredentialManager),
    ] {
        let s: Section = toml::from_str(&format!("backend = \"{text}\"")).unwrap();
        assert_eq!(s.backend, choice);
        assert_eq!(text.parse::<BackendChoice>().unwrap(), choice);
    }
    for c in BackendChoice::ALL {
        assert_eq!(
            c.available(),
            c.store().is_some() || matches!(c, BackendChoice::Auto | BackendChoice::Env)
        );
    }
    assert_eq!(BackendChoice::Keychain.platform(), "macOS");
    assert_eq!(BackendChoice::CredentialManager.platform(), "Windows");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn another_platforms_store_is_refused_with_the_choices_that_work_here() {
    assert_eq!(BackendChoice::Keyutils.store(), Some(BackendKind::Keyutils));
    assert_eq!(BackendChoice::Keychain.store(), None);
    assert_eq!(choice::choices_here(false), "auto, secret-service, keyutils or env");
    assert_eq!(choice::choices_here(true), "auto, secret-service or keyutils");
    let e = SecretStore::open(BackendChoice::Keychain).await.unwrap_err();
    assert!(matches!(e, SecretsError::WrongPlatform { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "the secrets backend keychain exists only on macOS; choose one of auto, secret-service, keyutils or env here"
    );
    let e = SecretStore::open(BackendChoice::CredentialManager)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("the secrets backend credential-manager exists only on Windows;"),
        "{e}"
    );
}

/// A store that keeps text its own way and reports "locked" as a platform error, like the
/// Windows and macOS stores.
struct Quirky(MockSource);

impl Source for Quirky {
    fn kind(&self) -> BackendKind {
        BackendKind::SecretService
    }
    fn entry(&mut self, service: &str, user: &str) -> keyring_core::Result<Entry> {
        self.0.entry(service, user)
    }
    fn persistence(&self) -> String {
        "in memory".to_owned()
    }
    fn map_error(&self, err: Error) -> Error {
        match err {
            Error::PlatformFailure(e) if e.to_string() == "locked" => Error::NoStorageAccess(e),
            other => other,
        }
    }
    fn read_text(entry: &Entry) -> keyring_core::Result<zeroize::Zeroizing<String>> {
        entry
            .get_password()
            .map(|p| zeroize::Zeroizing::new(format!("read: {p}")))
    }
}

#[test]
fn a_store_can_read_text_its_own_way_and_reclassify_its_errors() {
    let mut b = KeyringBackend::new(Quirky(MockSource::new(None)));
    b.set(SERVICE, "p", &SecretString::from("v")).unwrap();
    assert_eq!(b.get(SERVICE, "p").unwrap().unwrap().expose_secret(), "read: v");

    let src = MockSource::new(None);
    src.fail_next("q", Error::PlatformFailure(std::io::Error::other("locked").into()));
    let e = KeyringBackend::new(Quirky(src)).get(SERVICE, "q").unwrap_err();
    assert!(matches!(e, SecretsError::Refused { .. }), "{e}");
}
