//! Which certificates are trusted, and what a refused one means to a person.

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

/// The sentence for a request that failed because the server's certificate was refused.
pub(super) fn describe_certificate_error(e: &reqwest::Error) -> Option<String> {
    let cert = certificate_error(e)?;
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
    Some(format!(
        "the server's TLS certificate was refused ({why}); if the server uses a CA of your own, set {ENV_CA_FILE} to that CA's certificate (a PEM file)"
    ))
}
