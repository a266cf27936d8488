//! The checks of a Commerce registration's fields, shared by `reviewdesk profile add --kind
//! commerce` and the TUI's profile form: one sentence naming what is wrong and how to fix it.

use crate::config::validate_endpoint_url;
use crate::profiles::validate_name;
use crate::sanitize::sanitize_line;

/// `Fabrikam App` → `fabrikam-app`: the registration's Name as a profile (and file) name.
pub fn profile_key(name: &str) -> String {
    if validate_name(name).is_ok() {
        return name.to_owned();
    }
    let mut key = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    key.trim_end_matches('-').chars().take(64).collect()
}

/// The registration's Name as site builder shows it.
pub fn check_site_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(format!(
            "{:?} is not a registration name: give the Name shown in site builder (Reviews → Settings → S2S Authentication), up to 100 printable characters",
            sanitize_line(n)
        ));
    }
    Ok(n.to_owned())
}

/// The R&R service's base URL, without a trailing slash. `what` names the field or option.
pub fn check_rnr_url(raw: &str, what: &str) -> Result<String, String> {
    let what = if what.is_empty() { "the R&R URL" } else { what };
    let trimmed = raw.trim();
    let example = "give the site's Ratings and Reviews service URL, such as https://<rnr-id>.rnr.ms";
    if trimmed.is_empty() {
        return Err(format!("{what} is empty: {example}"));
    }
    // Said here rather than by the generic check, whose example is the login URL.
    if url::Url::parse(trimmed).is_err() {
        let guess = if trimmed.contains("://") {
            String::new()
        } else {
            format!(" (https://{} perhaps)", sanitize_line(trimmed))
        };
        return Err(format!(
            "{:?} ({what}) is not a URL: {example}{guess}",
            sanitize_line(trimmed)
        ));
    }
    let url = validate_endpoint_url(raw, what).map_err(|e| format!("{e}; {example}"))?;
    if url.query().is_some() || !url.path().trim_matches('/').is_empty() {
        return Err(format!(
            "{what} {} has a path or query; give only the service's base URL, such as https://<rnr-id>.rnr.ms",
            sanitize_line(raw)
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The token audience, one App ID URI.
pub fn check_scope(raw: &str, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() || s.contains(char::is_whitespace) {
        return Err(format!(
            "{what} must be one App ID URI (such as https://example.rnr.ms or api://<guid>), optionally ending in /.default"
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_malformed_rnr_url_gets_one_sentence_about_the_rnr_url() {
        let e = check_rnr_url("fabrikam.rnr.ms", "--rnr-url").unwrap_err();
        assert_eq!(
            e,
            "\"fabrikam.rnr.ms\" (--rnr-url) is not a URL: give the site's Ratings and Reviews service URL, such as https://<rnr-id>.rnr.ms (https://fabrikam.rnr.ms perhaps)"
        );
        assert!(
            check_rnr_url("  ", "")
                .unwrap_err()
                .starts_with("the R&R URL is empty: give")
        );
        let e = check_rnr_url("http://fabrikam.rnr.ms", "--rnr-url").unwrap_err();
        assert!(
            e.contains("use https://") && !e.contains("login.microsoftonline.com"),
            "{e}"
        );
        let e = check_rnr_url("https://fabrikam.rnr.ms/v2.0/export", "--rnr-url").unwrap_err();
        assert!(e.contains("has a path or query"), "{e}");
        assert_eq!(
            check_rnr_url("https://Fabrikam.rnr.ms/", "x").unwrap(),
            "https://fabrikam.rnr.ms"
        );
    }
}
