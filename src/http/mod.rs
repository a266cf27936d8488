//! What the HTTP clients share (Entra, the Store, and the services after them): the network
//! settings, what a transport error means to a person, `Retry-After` and backoff, and lenient
//! JSON scalars. It depends only on `sanitize`, so every client can use it.

pub mod flex;
pub mod retry;

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Attempts for one call when the service throttles (429) or fails (5xx), the first included.
    pub max_attempts: u32,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            connect_timeout_secs: 10,
            request_timeout_secs: 30,
            max_attempts: 5,
        }
    }
}

impl NetworkConfig {
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs.max(1))
    }
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

/// One HTTP client for Entra and the Store, with the configured timeouts. Certificates are
/// checked against the system's roots plus those of `REVIEWDESK_CA_FILE`, if set.
pub fn build_http_client(net: &NetworkConfig) -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a default crypto provider; ring builds quickly and is enough.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(net.connect_timeout())
        .timeout(net.request_timeout())
        .user_agent(concat!("reviewdesk/", env!("CARGO_PKG_VERSION")))
        // Nothing here redirects; following one could carry a bearer token (or, from the token
        // endpoint, the client secret) to another host.
        .redirect(reqwest::redirect::Policy::none());
    if let Some((_, certs)) = extra_ca_certificates()? {
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.build()?)
}

/// The variable naming a PEM file of CA certificates to trust besides the system's: for a TLS
/// proxy or a test server with a certificate of its own.
pub const ENV_CA_FILE: &str = "REVIEWDESK_CA_FILE";

/// The certificates of `REVIEWDESK_CA_FILE` and where they came from; `None` when it is unset.
pub fn extra_ca_certificates() -> anyhow::Result<Option<(std::path::PathBuf, Vec<reqwest::Certificate>)>> {
    let Some(path) = std::env::var_os(ENV_CA_FILE).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = std::path::PathBuf::from(path);
    let pem = std::fs::read(&path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read {ENV_CA_FILE} ({}): {e}; point it at a PEM file of CA certificates, or unset it",
            path.display()
        )
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default();
    if certs.is_empty() || !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        anyhow::bail!(
            "{ENV_CA_FILE} ({}) holds no certificate in PEM form (-----BEGIN CERTIFICATE-----): point it at your CA's certificate, or unset it",
            path.display()
        );
    }
    Ok(Some((path, certs)))
}

/// The certificate problem behind a failed TLS handshake, if that is what failed. rustls's error
/// sits inside `io::Error`s (two deep, from hyper), whose `source()` skips the error they wrap,
/// so each `io::Error` is opened as well as followed.
fn certificate_error(e: &reqwest::Error) -> Option<rustls::CertificateError> {
    let mut pending: Vec<&(dyn std::error::Error + 'static)> = vec![e];
    while let Some(err) = pending.pop() {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(c.clone());
        }
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            pending.push(inner);
        }
        pending.extend(err.source());
    }
    None
}

/// What a reqwest error means to a person, without dumping internals.
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if let Some(cert) = certificate_error(e) {
        let why = match cert {
            rustls::CertificateError::UnknownIssuer => {
                "it is signed by an authority this machine does not trust".to_owned()
            }
            rustls::CertificateError::NotValidForName | rustls::CertificateError::NotValidForNameContext { .. } => {
                "it was issued for another host name".to_owned()
            }
            rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. } => {
                "it has expired".to_owned()
            }
            other => crate::sanitize::sanitize_line(&format!("{other:?}")),
        };
        return format!(
            "the server's TLS certificate was refused ({why}); if the server uses a CA of your own, set {ENV_CA_FILE} to that CA's certificate (a PEM file)"
        );
    }
    if e.is_timeout() {
        "the request timed out".to_owned()
    } else if e.is_connect() {
        "the connection failed (refused, unreachable or TLS)".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".to_owned()
    } else {
        crate::sanitize::sanitize_line(&e.to_string())
    }
}
