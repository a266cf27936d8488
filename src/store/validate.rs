//! Local refusals: what the Store would reject, caught before anything is sent.

pub const MAX_RESPONSE_UTF16: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("the response text is empty: write something to send")]
    EmptyText,
    #[error(
        "the response contains a control character ({0}) that would be published as is: remove it (escape sequences and bidi overrides are not text)"
    )]
    ControlCharacter(String),
    #[error(
        "the response is {units} characters long and the Store takes at most {max} (counted in UTF-16 units, as the Store counts; emoji count two): shorten it by {}",
        units - max
    )]
    TooLong { units: usize, max: usize },
    #[error("{0:?} is not a valid support email address: give one like support@contoso.com")]
    BadEmail(String),
    #[error("no support email: the app's Store listing has none, so pass one with --support-email")]
    MissingEmail,
    #[error(
        "{0:?} is not a Store ID: Store IDs are 12 letters and digits, such as 9NBLGGGZ5QDR (Partner Center → Product identity)"
    )]
    BadStoreId(String),
    #[error("review {0:?} appears twice: the Store keeps one response per review, so send it once")]
    DuplicateReview(String),
    #[error("the review ID is empty: take it from `reviewdesk reviews --format json` (the \"id\" field)")]
    EmptyReviewId,
}

/// The length the Store's .NET backend measures: UTF-16 code units. Never fewer than the
/// characters a person sees, so a reply we accept is never refused for length.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

pub fn validate_response_text(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::EmptyText);
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c != '\t' && c != '\r' && crate::sanitize::is_forbidden(c))
    {
        return Err(ValidationError::ControlCharacter(format!("U+{:04X}", c as u32)));
    }
    let units = utf16_len(text);
    if units > MAX_RESPONSE_UTF16 {
        return Err(ValidationError::TooLong {
            units,
            max: MAX_RESPONSE_UTF16,
        });
    }
    Ok(())
}

/// Deliberately modest: one `@`, something before it, a dotted domain after it, no spaces or
/// control characters. The Store's own rule is not documented; this refuses only the obviously
/// wrong.
pub fn validate_email(email: &str) -> Result<(), ValidationError> {
    let bad = || ValidationError::BadEmail(crate::sanitize::sanitize_line(email));
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty() || domain.contains('@') || local.len() > 64 {
        return Err(bad());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(bad());
    }
    if !domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-') {
        return Err(bad());
    }
    Ok(())
}

/// Store IDs are 12 letters and digits; returns the canonical upper-case form.
pub fn normalize_store_id(raw: &str) -> Result<String, ValidationError> {
    let id = raw.trim();
    if id.len() == 12 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id.to_ascii_uppercase())
    } else {
        Err(ValidationError::BadStoreId(crate::sanitize::sanitize_line(id)))
    }
}

pub fn validate_review_id(raw: &str) -> Result<String, ValidationError> {
    let id = raw.trim();
    if id.is_empty() {
        Err(ValidationError::EmptyReviewId)
    } else {
        Ok(id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("日本"), 2);
        assert_eq!(utf16_len("🎉"), 2);
        assert!(validate_response_text(&"a".repeat(1000)).is_ok());
        assert_eq!(
            validate_response_text(&"a".repeat(1001)),
            Err(ValidationError::TooLong { units: 1001, max: 1000 })
        );
        // 500 emoji are 500 characters but 1000 units: allowed; 501 are not.
        assert!(validate_response_text(&"🎉".repeat(500)).is_ok());
        assert_eq!(
            validate_response_text(&"🎉".repeat(501)),
            Err(ValidationError::TooLong { units: 1002, max: 1000 })
        );
        assert_eq!(validate_response_text("  \n "), Err(ValidationError::EmptyText));
        assert!(validate_response_text("line\r\nnext\ttab").is_ok());
        assert_eq!(
            validate_response_text("a\u{1b}[2Jb"),
            Err(ValidationError::ControlCharacter("U+001B".into()))
        );
        assert_eq!(
            validate_response_text("a\u{202e}b"),
            Err(ValidationError::ControlCharacter("U+202E".into()))
        );
        let msg = ValidationError::TooLong { units: 1002, max: 1000 }.to_string();
        assert!(msg.contains("shorten it by 2"), "{msg}");
    }

    #[test]
    fn emails() {
        for ok in ["support@contoso.com", "a.b+c@sub.example.co.uk", "soporte@bücher.de"] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "support",
            "@contoso.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
            "a@b.com\n",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn store_ids() {
        assert_eq!(normalize_store_id(" 9nblgggz5qdr ").unwrap(), "9NBLGGGZ5QDR");
        assert!(normalize_store_id("9NBLGGGZ5QD").is_err());
        assert!(normalize_store_id("9NBLGGGZ5QD!").is_err());
        assert!(normalize_store_id("../../etc/pw").is_err());
    }
}
