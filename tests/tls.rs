//! TLS and where credentials may travel, with the real binary over real TCP: a certificate from a
//! CA of our own is refused with one sentence and accepted with `REVIEWDESK_CA_FILE`; plain http
//! to a host that is not loopback is refused before anything is sent; a redirect never carries
//! the bearer token, or the client secret, to another host.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use reviewdesk::emulator::{self, EmulatorConfig, EmulatorHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const APP: &str = "9NBLGGGZ5QDR";

/// The emulator, and in front of it an HTTPS server with a certificate for 127.0.0.1 and
/// localhost, issued by a CA made here: nothing on this machine trusts it unless told to.
struct Fixture {
    emulator: EmulatorHandle,
    https: SocketAddr,
    ca_pem: String,
    home: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A CA certificate (PEM), and a server certificate chain and key signed by it.
fn make_ca_and_server_cert() -> (
    String,
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "reviewdesk test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    (ca_cert.pem(), vec![server_cert.der().clone()], key)
}

/// Terminates TLS and passes the bytes on to `backend` in the clear, one connection each.
async fn tls_front(backend: SocketAddr) -> (SocketAddr, String) {
    let (ca_pem, chain, key) = make_ca_and_server_cert();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused certificate ends the handshake here: that is the point.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (addr, ca_pem)
}

fn fixture() -> Fixture {
    let rt = runtime();
    let emulator = rt.block_on(emulator::start(EmulatorConfig::default())).unwrap();
    let (https, ca_pem) = rt.block_on(tls_front(emulator.local_addr()));
    Fixture {
        emulator,
        https,
        ca_pem,
        home: tempfile::tempdir().unwrap(),
        rt,
    }
}

/// `reviewdesk reviews --app APP` with the emulator's credentials and these endpoints.
fn reviews(home: &Path, login: &str, api: &str, extra: &[(&str, &str)]) -> std::process::Output {
    let mut c = common::bin_in(home);
    common::emulator_env(&mut c, login);
    c.env("REVIEWDESK_API_URL", api)
        .env("REVIEWDESK_LOG_FILE", home.join("cli.log"))
        .args(["reviews", "--app", APP, "--format", "json"]);
    for (k, v) in extra {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_certificate_from_an_unknown_ca_is_refused_with_one_sentence() {
    let f = fixture();
    let url = format!("https://127.0.0.1:{}", f.https.port());
    let out = reviews(f.home.path(), &url, &url, &[]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("TLS certificate was refused (it is signed by an authority this machine does not trust)"),
        "{err}"
    );
    assert!(err.contains("set REVIEWDESK_CA_FILE to that CA's certificate"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert_eq!(
        f.emulator.stats().token_requests,
        0,
        "nothing got through the refused handshake"
    );
}

#[test]
fn the_same_server_is_accepted_with_its_ca_in_reviewdesk_ca_file() {
    let f = fixture();
    let ca = f.home.path().join("ca.pem");
    std::fs::write(&ca, &f.ca_pem).unwrap();
    let url = format!("https://localhost:{}", f.https.port());
    let out = reviews(
        f.home.path(),
        &url,
        &url,
        &[("REVIEWDESK_CA_FILE", ca.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listed.as_array().is_some_and(|a| !a.is_empty()), "{listed}");
    let stats = f.emulator.stats();
    assert!(
        stats.token_requests >= 1 && stats.review_page_requests >= 1,
        "{stats:?}"
    );

    // `doctor` says which CAs are trusted, and that the endpoints answer over TLS.
    let mut c = common::bin_in(f.home.path());
    common::emulator_env(&mut c, &url);
    let doctor = c.env("REVIEWDESK_CA_FILE", &ca).arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        text.contains(&format!(
            "the system's, and 1 certificate(s) from REVIEWDESK_CA_FILE ({})",
            ca.display()
        )),
        "{text}"
    );
    assert!(text.contains(&format!("✓ api    {url}")), "{text}");
}

#[test]
fn a_ca_file_that_is_missing_or_not_pem_is_named_in_one_sentence() {
    let f = fixture();
    let url = format!("https://127.0.0.1:{}", f.https.port());
    let missing = f.home.path().join("no-such-ca.pem");
    let out = reviews(
        f.home.path(),
        &url,
        &url,
        &[("REVIEWDESK_CA_FILE", missing.to_str().unwrap())],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("cannot read REVIEWDESK_CA_FILE ({})", missing.display())) && err.contains("unset it"),
        "{err}"
    );
    let junk = f.home.path().join("junk.pem");
    std::fs::write(&junk, "this is not a certificate\n").unwrap();
    let out = reviews(
        f.home.path(),
        &url,
        &url,
        &[("REVIEWDESK_CA_FILE", junk.to_str().unwrap())],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("holds no certificate in PEM form"), "{err}");
    assert_eq!(f.emulator.stats().token_requests, 0);
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_sending() {
    let f = fixture();
    let login = f.emulator.base_url();
    // TEST-NET-3: never routed. A refusal must come from reviewdesk, not from a timeout.
    let out = reviews(f.home.path(), &login, "http://203.0.113.9", &[]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("uses http:// for a host that is not loopback; use https://"),
        "{err}"
    );
    assert_eq!(f.emulator.stats().token_requests, 0, "no secret was sent for it either");
}

/// What a one-trick server saw: every request's head, as text.
type Seen = Arc<Mutex<Vec<String>>>;

/// Answers every request with `answer` (and closes), remembering each request's head.
async fn serve(answer: String) -> (SocketAddr, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0;
            while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") && n < buf.len() {
                match tcp.read(&mut buf[n..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = tcp.write_all(answer.as_bytes()).await;
            let _ = tcp.shutdown().await;
        }
    });
    (addr, seen)
}

fn redirect_to(target: SocketAddr, path: &str) -> String {
    format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{target}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

#[test]
fn a_redirect_never_carries_the_token_or_the_secret_to_another_host() {
    let f = fixture();
    let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_owned();
    let (elsewhere, seen_elsewhere) = f.rt.block_on(serve(ok));
    // The API redirects: the bearer token went to the API host, and nowhere else.
    let (api, seen_api) =
        f.rt.block_on(serve(redirect_to(elsewhere, "/v1.0/my/analytics/reviews")));
    let out = reviews(f.home.path(), &f.emulator.base_url(), &format!("http://{api}"), &[]);
    assert!(!out.status.success(), "a redirect is not an answer");
    assert!(stderr(&out).contains("HTTP 307"), "{}", stderr(&out));
    let api_heads = seen_api.lock().unwrap().clone();
    assert!(
        api_heads
            .iter()
            .any(|h| h.to_ascii_lowercase().contains("authorization: bearer ")),
        "the token went to the API host as it should: {api_heads:?}"
    );
    assert!(
        seen_elsewhere.lock().unwrap().is_empty(),
        "{:?}",
        seen_elsewhere.lock().unwrap()
    );

    // The token endpoint redirects: the form with the client secret goes nowhere else.
    let (login, seen_login) = f.rt.block_on(serve(redirect_to(elsewhere, "/tenant/oauth2/token")));
    let out = reviews(f.home.path(), &format!("http://{login}"), &f.emulator.base_url(), &[]);
    assert!(!out.status.success());
    assert!(!seen_login.lock().unwrap().is_empty(), "the token endpoint was asked");
    assert!(
        seen_elsewhere.lock().unwrap().is_empty(),
        "{:?}",
        seen_elsewhere.lock().unwrap()
    );
    let log = std::fs::read_to_string(f.home.path().join("cli.log")).unwrap_or_default();
    for text in [log, stderr(&out)] {
        assert!(!text.contains(emulator::DEFAULT_CLIENT_SECRET), "{text}");
    }
}
