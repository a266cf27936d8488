//! What the HTTP clients share (Entra, the Store, and the services after them): the network
//! settings, what a transport error means to a person, `Retry-After` and backoff, and lenient
//! JSON scalars. It depends only on `sanitize`, so every client can use it.

pub mod flex;
pub mod retry;
pub mod tls;

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
    if let Some((_, certs)) = tls::extra_ca_certificates()? {
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.build()?)
}

/// What a reqwest error means to a person, without dumping internals.
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if let Some(sentence) = tls::describe_certificate_error(e) {
        return sentence;
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
