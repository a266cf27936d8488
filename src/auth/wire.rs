//! The token endpoint's JSON, with its v1/v2 differences.

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::{AuthError, Credentials, explain_entra_error};
use crate::http::flex::FlexI64;

#[derive(Deserialize)]
pub(super) struct TokenResponse {
    #[serde(default)]
    pub access_token: String,
    /// v1 sends `"3599"`, v2 sends `3599`.
    #[serde(default)]
    pub expires_in: Option<FlexI64>,
    /// Unix seconds (v1 only, as a string).
    #[serde(default)]
    pub expires_on: Option<FlexI64>,
}

/// The token endpoint's answer (any status but 429, which the caller handles): the access token
/// and how long it lasts, or the error for a person. `secret` is scrubbed from anything echoed.
// The AuthError every token call returns; the one caller hands it straight on.
#[allow(clippy::result_large_err)]
pub fn read_token_answer(
    status: u16,
    body: &[u8],
    creds: &Credentials,
    secret: &str,
) -> Result<(SecretString, Duration), AuthError> {
    if !(200..300).contains(&status) {
        return Err(error_from_body(status, body, creds, secret));
    }
    let mut parsed: TokenResponse = serde_json::from_slice(body).map_err(|e| AuthError::Unexpected {
        status,
        // serde's message can quote the offending value: bytes from outside.
        detail: scrub(
            &crate::sanitize::sanitize_line(&format!("unreadable JSON: {e}")),
            secret,
        ),
    })?;
    let lifetime = parsed.lifetime().ok_or_else(|| AuthError::Unexpected {
        status,
        detail: "no expires_in in the answer".into(),
    })?;
    if parsed.access_token.is_empty() {
        return Err(AuthError::Unexpected {
            status,
            detail: "an empty access_token".into(),
        });
    }
    Ok((SecretString::from(std::mem::take(&mut parsed.access_token)), lifetime))
}

/// Zeroised when dropped, on the error paths too; the token leaves it with `mem::take`.
impl Drop for TokenResponse {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.access_token);
    }
}

/// The token request's form body, percent-encoded (so secrets with + / = ~ & % arrive intact)
/// into one buffer that is big enough from the start, and zeroised when the request is done
/// with it: the client secret is in it.
pub(super) fn form_body(pairs: &[(&str, &str)]) -> reqwest::Body {
    // Percent-encoding at most triples a byte; one `=` and one `&` per pair.
    let capacity = pairs.iter().map(|(k, v)| 3 * (k.len() + v.len()) + 2).sum();
    let mut serializer = url::form_urlencoded::Serializer::new(String::with_capacity(capacity));
    serializer.extend_pairs(pairs);
    let encoded = zeroize::Zeroizing::new(serializer.finish().into_bytes());
    reqwest::Body::from(bytes::Bytes::from_owner(encoded))
}

impl TokenResponse {
    pub fn lifetime(&self) -> Option<Duration> {
        if let Some(FlexI64(secs)) = self.expires_in {
            return Some(Duration::from_secs(secs.max(0) as u64));
        }
        let FlexI64(on) = self.expires_on?;
        let now = chrono::Utc::now().timestamp();
        Some(Duration::from_secs((on - now).max(0) as u64))
    }
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    #[serde(default)]
    trace_id: Option<String>,
    #[serde(default)]
    correlation_id: Option<String>,
}

/// Turns an Entra error answer into an [`AuthError`] a person can act on. The secret is scrubbed
/// from anything echoed back, in case a proxy or a future Entra version reflects the request.
pub(super) fn error_from_body(status: u16, body: &[u8], creds: &Credentials, secret: &str) -> AuthError {
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        let text = String::from_utf8_lossy(body);
        let snippet: String = crate::sanitize::sanitize_line(&text).chars().take(200).collect();
        return AuthError::Unexpected {
            status,
            detail: scrub(&snippet, secret),
        };
    };
    let aadsts = parsed
        .error_codes
        .first()
        .copied()
        .or_else(|| code_in_description(&parsed.error_description));
    let description = scrub(&first_line(&parsed.error_description), secret);
    // Every field reaches the screen in the error's sentence: each is one clean line (the
    // `entra_error` fuzz target found a line break in `error` printed as it came).
    let clean = |s: &str| scrub(&crate::sanitize::sanitize_line(s.trim()), secret);
    let error = clean(&parsed.error);
    let advice = explain_entra_error(&error, aadsts, creds, &description);
    AuthError::Rejected {
        advice,
        error,
        aadsts,
        status,
        trace_id: parsed
            .trace_id
            .as_deref()
            .map(clean)
            .or_else(|| field_in_description(&parsed.error_description, "Trace ID:")),
        correlation_id: parsed
            .correlation_id
            .as_deref()
            .map(clean)
            .or_else(|| field_in_description(&parsed.error_description, "Correlation ID:")),
        description,
    }
}

fn scrub(text: &str, secret: &str) -> String {
    if secret.len() >= 4 && text.contains(secret) {
        text.replace(secret, "[redacted]")
    } else {
        text.to_owned()
    }
}

/// `AADSTS7000215: Invalid client secret…\r\nTrace ID: …` → the part before the trace block.
fn first_line(description: &str) -> String {
    let line = description.split(['\r', '\n']).next().unwrap_or_default();
    // Newer answers use spaces instead of line breaks.
    let line = line.split(" Trace ID:").next().unwrap_or(line);
    crate::sanitize::sanitize_line(line.trim())
}

fn code_in_description(description: &str) -> Option<u32> {
    let rest = description.strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn field_in_description(description: &str, label: &str) -> Option<String> {
    let start = description.find(label)? + label.len();
    let value: String = description[start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "3f2a8c1e-0000-0000-0000-000000000000".into(),
            secret: SecretString::from("s3cr3t+/="),
        }
    }

    #[test]
    fn the_form_body_carries_every_character_of_the_secret() {
        let secret = "emu~Secret+/=&%42 .local";
        let pairs = [("grant_type", "client_credentials"), ("client_secret", secret)];
        let body = form_body(&pairs);
        let bytes = body.as_bytes().expect("a body in memory");
        let decoded: Vec<(String, String)> = url::form_urlencoded::parse(bytes).into_owned().collect();
        assert_eq!(
            decoded,
            pairs.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec(),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }

    #[test]
    fn v1_strings_and_v2_numbers_both_parse() {
        let v1: TokenResponse = serde_json::from_str(r#"{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","expires_on":"1547440166","not_before":"1547436266","resource":"https://manage.devcenter.microsoft.com","access_token":"eyJ0eXAiOi..."}"#).unwrap();
        assert_eq!(v1.lifetime(), Some(Duration::from_secs(3599)));
        let v2: TokenResponse = serde_json::from_str(
            r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi..."}"#,
        )
        .unwrap();
        assert_eq!(v2.lifetime(), Some(Duration::from_secs(3599)));
    }

    #[test]
    fn doc_sample_error_becomes_advice_with_trace_id() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '<appId>'.\r\nTrace ID: 6bad8289-db4a-49da-8609-0848d8d71700\r\nCorrelation ID: 63b8bb61-5ca6-4ae3-8224-15a4de11cd87\r\nTimestamp: 2023-02-20 07:21:29Z","error_codes":[7000215],"timestamp":"2023-02-20 07:21:29Z","trace_id":"6bad8289-db4a-49da-8609-0848d8d71700","correlation_id":"63b8bb61-5ca6-4ae3-8224-15a4de11cd87","error_uri":"https://login.microsoftonline.com/error?code=7000215"}"#;
        let err = error_from_body(401, body, &creds(), "s3cr3t+/=");
        let text = err.to_string();
        assert!(text.contains("Value"), "{text}");
        assert!(text.contains("Secret ID"), "{text}");
        assert!(text.contains("6bad8289-db4a-49da-8609-0848d8d71700"), "{text}");
        assert!(text.contains("AADSTS7000215"), "{text}");
    }

    #[test]
    fn code_and_trace_found_in_description_when_fields_are_missing() {
        let body = br#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found. Trace ID: 0a1b2c3d-0000-4000-8000-000000000001 Correlation ID: 11111111-2222-3333-4444-555555555555 Timestamp: 2024-01-01 00:00:00Z"}"#;
        match error_from_body(400, body, &creds(), "s3cr3t+/=") {
            AuthError::Rejected {
                aadsts,
                trace_id,
                description,
                ..
            } => {
                assert_eq!(aadsts, Some(90002));
                assert_eq!(trace_id.as_deref(), Some("0a1b2c3d-0000-4000-8000-000000000001"));
                assert_eq!(description, "AADSTS90002: Tenant 'x' not found.");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_named_code_has_its_own_advice() {
        let cases: [(u32, &str, &str); 8] = [
            (90002, "invalid_request", "was not found"),
            (900023, "invalid_request", "is not a tenant ID"),
            (700016, "unauthorized_client", "No application with client ID"),
            (7000215, "invalid_client", "Secret ID"),
            (7000222, "invalid_client", "has expired"),
            (7000218, "invalid_client", "No client secret"),
            (500011, "invalid_resource", "Partner Center"),
            (70011, "invalid_scope", ".default"),
        ];
        for (code, error, needle) in cases {
            let body = format!(
                r#"{{"error":"{error}","error_description":"AADSTS{code}: something.\r\nTrace ID: 0a1b2c3d-0000-4000-8000-000000000009\r\nCorrelation ID: x","error_codes":[{code}],"trace_id":"0a1b2c3d-0000-4000-8000-000000000009"}}"#
            );
            let text = error_from_body(400, body.as_bytes(), &creds(), "s3cr3t+/=").to_string();
            assert!(text.contains(needle), "{code}: {text}");
            assert!(text.contains("0a1b2c3d-0000-4000-8000-000000000009"), "{code}: {text}");
        }
    }

    #[test]
    fn an_echoed_secret_is_scrubbed() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: bad secret s3cr3t+/= here","error_codes":[7000215]}"#;
        let text = error_from_body(401, body, &creds(), "s3cr3t+/=").to_string();
        assert!(!text.contains("s3cr3t+/="), "{text}");
        let text = error_from_body(502, b"<html>proxy saw s3cr3t+/=</html>", &creds(), "s3cr3t+/=").to_string();
        assert!(!text.contains("s3cr3t+/="), "{text}");
    }
}
