//! The export's SAS URL. Its query string is a credential (anyone holding `sig=` can read the
//! file until `se=`), so it is kept behind a type whose `Debug` and `Display` redact it, and
//! [`redact`] is applied to any text that might contain one before it is shown or logged.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

pub struct SasUrl(SecretString);

impl SasUrl {
    pub fn parse(raw: &str) -> Result<SasUrl, String> {
        let url = Url::parse(raw.trim()).map_err(|e| format!("the export's blobSasUrl is not a URL ({e})"))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]" | "::1"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(format!(
                "the export's blobSasUrl uses {}://, not https://: not downloading reviews in clear text",
                url.scheme()
            ));
        }
        Ok(SasUrl(SecretString::from(url.to_string())))
    }

    /// The URL to send; never print it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Where the blob is, without the query string.
    pub fn without_query(&self) -> String {
        let mut u = Url::parse(self.expose()).expect("validated when made");
        u.set_query(None);
        u.to_string()
    }
}

impl std::fmt::Debug for SasUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SasUrl({})", redact(self.expose()))
    }
}

impl std::fmt::Display for SasUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(self.expose()))
    }
}

/// Replaces the value of every `sig=` in `text` with `REDACTED`, wherever it appears (a URL, a
/// message quoting one, percent-encoded or not).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some(i) = lower.find("sig=").or_else(|| lower.find("sig%3d")) else {
            out.push_str(rest);
            return out;
        };
        let key_len = if lower[i..].starts_with("sig=") { 4 } else { 6 };
        out.push_str(&rest[..i + key_len]);
        out.push_str("REDACTED");
        let tail = &rest[i + key_len..];
        let end = tail
            .find(|c: char| c == '&' || c == '"' || c == '\'' || c == '<' || c.is_whitespace())
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_never_show() {
        let raw = "http://127.0.0.1:9/devstoreaccount1/rnr-exports/a.csv?sv=1&se=2026-01-01T00%3A00%3A00Z&sig=abc%2B%2F%3D&sp=r";
        let sas = SasUrl::parse(raw).unwrap();
        for shown in [format!("{sas}"), format!("{sas:?}")] {
            assert!(!shown.contains("abc"), "{shown}");
            assert!(shown.contains("sig=REDACTED&sp=r"), "{shown}");
        }
        assert_eq!(
            sas.without_query(),
            "http://127.0.0.1:9/devstoreaccount1/rnr-exports/a.csv"
        );
        assert_eq!(redact("x SIG=zz y sig%3Dqq"), "x SIG=REDACTED y sig%3DREDACTED");
        assert!(SasUrl::parse("http://blob.example/x?sig=1").is_err());
    }
}
