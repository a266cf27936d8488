//! Profiles: named Entra app registrations (tenant, client ID, the Store apps they cover), kept
//! in `config.toml` next to the other settings. The client secret is never in the file: it
//! lives in the OS keyring under the profile's name (see `secrets`).
//!
//! - this file: the model (a profile, its apps, validation, which profile a run uses);
//! - [`config_file`]: config.toml written through `toml_edit`, so a person's comments and layout
//!   survive, atomically (a temporary file renamed over the old one), 0600 in a 0700 directory;
//! - [`ops`]: what the CLI and the TUI do with profiles (add, edit, remove, test) and the keyring.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

pub mod config_file;
pub mod ops;

pub use config_file::ConfigFile;

use crate::auth::TokenEndpointVersion;
use crate::store::validate::normalize_store_id;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileApp {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Private,
}

/// Which service a profile's registration is used with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// Microsoft Store apps (Partner Center).
    #[default]
    Store,
    /// A Dynamics 365 Commerce site's Ratings & Reviews, through an S2S app registration.
    Commerce,
}

impl ProfileKind {
    pub fn is_store(&self) -> bool {
        *self == ProfileKind::Store
    }
}

/// A Commerce site as its S2S app registration reaches it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommerceSite {
    /// The registration's Name in site builder (Reviews → Settings → S2S Authentication).
    pub name: String,
    /// The R&R service URL, `https://<rnr-id>.rnr.ms` [INF, per customer].
    pub rnr_url: String,
    /// The connector's `tenantId`; default: the profile's tenant [INF].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rnr_tenant: Option<String>,
    /// The token audience; default: the R&R URL [INF: undocumented].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "ProfileKind::is_store")]
    pub kind: ProfileKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commerce: Option<CommerceSite>,
    /// Directory (tenant) ID: a GUID or a verified domain.
    pub tenant: String,
    /// Application (client) ID.
    pub client_id: String,
    #[serde(default)]
    pub apps: Vec<ProfileApp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_version: Option<TokenEndpointVersion>,
}

pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

pub fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a profile name: use up to 64 letters, digits, '-', '_' or '.', starting with a letter or digit",
            crate::sanitize::sanitize_line(name)
        ))
    }
}

pub fn validate_tenant(tenant: &str) -> Result<String, String> {
    let t = tenant.trim();
    let domain = t.contains('.')
        && t.split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if is_guid(t) || domain {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(format!(
            "{:?} is not a tenant ID: give the Directory (tenant) ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or a verified domain such as contoso.onmicrosoft.com",
            crate::sanitize::sanitize_line(t)
        ))
    }
}

pub fn validate_client_id(client: &str) -> Result<String, String> {
    let c = client.trim();
    if is_guid(c) {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(format!(
            "{:?} is not a client ID: give the Application (client) ID from the app registration's Overview, a GUID",
            crate::sanitize::sanitize_line(c)
        ))
    }
}

/// `9NBLGGGZ5QDR` or `9NBLGGGZ5QDR=Contoso Photo`.
pub fn parse_app(spec: &str) -> Result<ProfileApp, String> {
    let (id, name) = match spec.split_once('=') {
        Some((id, name)) => (id, Some(name.trim().to_owned()).filter(|n| !n.is_empty())),
        None => (spec, None),
    };
    let id = normalize_store_id(id).map_err(|e| e.to_string())?;
    Ok(ProfileApp { id, name })
}

/// Several Store apps typed on one line, as the setup form takes them: separated by commas or
/// spaces, each `ID` or `ID=Display name`. A name may hold spaces: it runs to the next comma,
/// the next `ID=`, or the next word that looks like a Store ID (12 letters and digits, with a
/// digit). At least one app; an ID given twice keeps the name given last.
pub fn parse_app_list(text: &str) -> Result<Vec<ProfileApp>, String> {
    fn add(apps: &mut Vec<ProfileApp>, spec: &str) -> Result<(), String> {
        let app = parse_app(spec)?;
        match apps.iter_mut().find(|a| a.id == app.id) {
            Some(existing) => existing.name = app.name.or(existing.name.take()),
            None => apps.push(app),
        }
        Ok(())
    }
    let looks_like_id = |w: &str| {
        w.len() == 12
            && w.chars().all(|c| c.is_ascii_alphanumeric())
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().any(|c| c.is_ascii_alphabetic())
    };
    let mut apps: Vec<ProfileApp> = Vec::new();
    for part in text.split(',') {
        // An `ID=Name` being read, its name still growing.
        let mut named: Option<String> = None;
        for word in part.split_whitespace() {
            if word.starts_with('=') {
                return Err(format!(
                    "{:?} has a name but no Store ID: write 9NBLGGGZ5QDR=Name",
                    crate::sanitize::sanitize_line(part.trim())
                ));
            }
            match named.as_mut() {
                Some(spec) if !word.contains('=') && !looks_like_id(word) => {
                    spec.push(' ');
                    spec.push_str(word);
                    continue;
                }
                _ => {}
            }
            if let Some(spec) = named.take() {
                add(&mut apps, &spec)?;
            }
            if word.contains('=') {
                named = Some(word.to_owned());
            } else {
                add(&mut apps, word)?;
            }
        }
        if let Some(spec) = named {
            add(&mut apps, &spec)?;
        }
    }
    if apps.is_empty() {
        return Err("name at least one Store app: its 12-character Store ID, such as 9NBLGGGZ5QDR".to_owned());
    }
    Ok(apps)
}

/// The apps as [`parse_app_list`] reads them back: `9NBLGGGZ5QDR=Contoso Photo, 9WZDNCRFJ3Q8`.
pub fn format_app_list(apps: &[ProfileApp]) -> String {
    apps.iter()
        .map(|a| match &a.name {
            Some(n) => format!("{}={}", a.id, n.replace(',', " ")),
            None => a.id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A secret pasted by mistake as the secret's ID (a GUID) instead of its Value is the most
/// common setup error (AADSTS7000215); catch it before it reaches the keyring.
pub fn check_secret(secret: &str) -> Result<(), String> {
    let s = secret.trim();
    if s.is_empty() {
        return Err("the client secret is empty: paste the secret's Value".to_owned());
    }
    if is_guid(s) {
        return Err("that looks like the secret's ID (a GUID), not its Value: copy the Value column under Certificates & secrets (it is shown only once; create a new secret if it is gone)".to_owned());
    }
    Ok(())
}

/// Profiles by name, as loaded with the config.
pub type Profiles = BTreeMap<String, Profile>;

/// Which profile a command uses: the one named, else the default, else the only one.
pub fn choose<'a>(
    profiles: &'a Profiles,
    named: Option<&str>,
    default: Option<&str>,
) -> Result<(&'a str, &'a Profile)> {
    if let Some(n) = named {
        return match profiles.get_key_value(n) {
            Some((k, p)) => Ok((k.as_str(), p)),
            None => bail!("there is no profile {:?}{}", n, known(profiles)),
        };
    }
    if let Some(d) = default {
        return match profiles.get_key_value(d) {
            Some((k, p)) => Ok((k.as_str(), p)),
            None => bail!("default_profile names {:?}, which does not exist{}", d, known(profiles)),
        };
    }
    match profiles.len() {
        1 => {
            let (k, p) = profiles.iter().next().expect("one profile");
            Ok((k.as_str(), p))
        }
        0 => bail!(
            "no profile yet: add one with `reviewdesk profile add` (see --help), or set the REVIEWDESK_* variables"
        ),
        _ => bail!(
            "several profiles and no default: pass --profile NAME or set default_profile in the config{}",
            known(profiles)
        ),
    }
}

fn known(profiles: &Profiles) -> String {
    if profiles.is_empty() {
        String::new()
    } else {
        format!(
            " (profiles: {})",
            profiles.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(is_guid("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b"));
        assert!(!is_guid("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6"));
        assert!(validate_name("contoso-prod").is_ok());
        assert!(validate_name("-x").is_err() && validate_name("a b").is_err() && validate_name("").is_err());
        assert_eq!(
            validate_tenant("Contoso.onmicrosoft.com").unwrap(),
            "contoso.onmicrosoft.com"
        );
        assert!(validate_tenant("not a tenant").unwrap_err().contains("GUID"));
        assert!(validate_client_id("abc").is_err());
        assert_eq!(
            parse_app("9nblgggz5qdr=Contoso Photo").unwrap(),
            ProfileApp {
                id: "9NBLGGGZ5QDR".into(),
                name: Some("Contoso Photo".into())
            }
        );
        assert!(parse_app("short").is_err());
        assert!(
            check_secret("3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b")
                .unwrap_err()
                .contains("Value")
        );
        assert!(check_secret("  ").is_err());
        assert!(check_secret("abc~DEF.123_xyz").is_ok());
    }

    #[test]
    fn app_lists() {
        let apps = parse_app_list("9nblgggz5qdr=Contoso Photo, 9WZDNCRFJ3Q8 9WZDNCRFJ3TJ=Notes  app,").unwrap();
        let ids: Vec<&str> = apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["9NBLGGGZ5QDR", "9WZDNCRFJ3Q8", "9WZDNCRFJ3TJ"]);
        assert_eq!(apps[0].name.as_deref(), Some("Contoso Photo"));
        assert_eq!(apps[2].name.as_deref(), Some("Notes app"));
        // Spaces alone: a name ends at the next Store ID or the next ID=.
        let apps = parse_app_list("9NBLGGGZ5QDR=Photo Studio 9WZDNCRFJ3Q8 9WZDNCRFJ3TJ=Notes").unwrap();
        let got: Vec<(&str, Option<&str>)> = apps.iter().map(|a| (a.id.as_str(), a.name.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("9NBLGGGZ5QDR", Some("Photo Studio")),
                ("9WZDNCRFJ3Q8", None),
                ("9WZDNCRFJ3TJ", Some("Notes"))
            ]
        );
        assert_eq!(
            parse_app_list("9NBLGGGZ5QDR=Productivity app").unwrap()[0]
                .name
                .as_deref(),
            Some("Productivity app")
        );
        assert_eq!(parse_app_list(&format_app_list(&apps)).unwrap(), apps);
        assert_eq!(parse_app_list("9NBLGGGZ5QDR 9NBLGGGZ5QDR=X").unwrap().len(), 1);
        assert!(parse_app_list(" , ").unwrap_err().contains("at least one"));
        assert!(parse_app_list("=Name").unwrap_err().contains("no Store ID"));
        assert!(
            parse_app_list("9NBLGGGZ5QDR =Name")
                .unwrap_err()
                .contains("no Store ID")
        );
        assert!(parse_app_list("9NBLGGGZ5QDR, short").is_err());
    }

    #[test]
    fn choosing_a_profile() {
        let mut ps = Profiles::new();
        assert!(choose(&ps, None, None).unwrap_err().to_string().contains("profile add"));
        ps.insert("a".into(), Profile::default());
        assert_eq!(choose(&ps, None, None).unwrap().0, "a");
        ps.insert("b".into(), Profile::default());
        assert!(choose(&ps, None, None).unwrap_err().to_string().contains("--profile"));
        assert_eq!(choose(&ps, None, Some("b")).unwrap().0, "b");
        assert!(
            choose(&ps, Some("c"), None)
                .unwrap_err()
                .to_string()
                .contains("profiles: a, b")
        );
    }
}
