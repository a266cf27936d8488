//! Configuration: the config file, endpoint URLs and the ad-hoc `REVIEWDESK_*` credentials.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::auth::{Credentials, TokenEndpointVersion};

pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
pub const DEFAULT_API_URL: &str = "https://manage.devcenter.microsoft.com";

pub const ENV_LOGIN_URL: &str = "REVIEWDESK_LOGIN_URL";
pub const ENV_API_URL: &str = "REVIEWDESK_API_URL";
pub const ENV_TOKEN_VERSION: &str = "REVIEWDESK_TOKEN_VERSION";
pub const ENV_TENANT_ID: &str = "REVIEWDESK_TENANT_ID";
pub const ENV_CLIENT_ID: &str = "REVIEWDESK_CLIENT_ID";
/// The secrets module reads it too (the `env` backend): one name for both.
pub const ENV_CLIENT_SECRET: &str = crate::secrets::ENV_SECRET;
pub const ENV_CONFIG: &str = "REVIEWDESK_CONFIG";

/// `config.toml`. Every section and key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub endpoints: EndpointsConfig,
    pub network: crate::http::NetworkConfig,
    pub reviews: ReviewsConfig,
    pub ui: UiConfig,
    pub outbox: OutboxConfig,
    /// Named filters in the Store's filter language: `[[views]] name = "…" filter = "…"`.
    pub views: Vec<crate::views::ViewConfig>,
    /// Key overrides per context, e.g. `[keys.normal] reply = ["r", "ctrl-r"]`.
    pub keys: crate::keymap::KeysConfig,
    /// The profile used when no --profile is given.
    pub default_profile: Option<String>,
    pub profiles: crate::profiles::Profiles,
    pub secrets: SecretsConfig,
    /// The profile named on the command line (`--profile`), not part of the file.
    #[serde(skip)]
    pub selected_profile: Option<String>,
    /// The file this was read from (or would be written to).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// `auto`, `secret-service`, `keyutils` or `env`; REVIEWDESK_SECRETS_BACKEND overrides.
    pub backend: Option<crate::secrets::BackendChoice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointsConfig {
    pub login_url: Option<String>,
    pub api_url: Option<String>,
    pub token_version: Option<TokenEndpointVersion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewsConfig {
    /// The Store's own default window is "today only", which surprises everyone; ask for this
    /// many days back when the user names no start date.
    pub default_days: u32,
}

impl Default for ReviewsConfig {
    fn default() -> Self {
        Self { default_days: 90 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// How often the spinner moves and a typed draft is checked for saving, in milliseconds.
    /// Keys never wait for it: they are drawn as soon as they arrive.
    pub tick_ms: u64,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self { tick_ms: 120 }
    }
}

impl UiConfig {
    /// Kept between 10 ms (a busy loop otherwise) and a minute (drafts must still be saved).
    pub fn tick(&self) -> Duration {
        Duration::from_millis(self.tick_ms.clamp(10, 60_000))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// The undo-send window: a confirmed reply waits this many seconds before its first
    /// request, and can be taken back meanwhile. 0 sends at once.
    pub send_delay_secs: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self { send_delay_secs: 10 }
    }
}

/// Where the config file lives: `$REVIEWDESK_CONFIG`, else `config.toml` in the platform config
/// directory (`$XDG_CONFIG_HOME/reviewdesk` on Linux).
pub fn default_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_CONFIG) {
        return Some(PathBuf::from(p));
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "reviewdesk")
}

impl Config {
    /// Loads the file at `path`, or the default path. A missing file is an empty config; a
    /// malformed one is an error that names the file and the line.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let explicit = path.is_some();
        let Some(path) = path.map(Path::to_path_buf).or_else(default_config_path) else {
            return Ok(Config::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config::default());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read the config file {}", path.display()));
            }
        };
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the config file {} is not valid: {}; fix or remove it",
                path.display(),
                e.to_string().trim()
            )
        })
    }
}

/// The two base URLs, validated.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub login: Url,
    pub api: Url,
    pub token_version: TokenEndpointVersion,
}

impl Endpoints {
    /// Environment first (sovereign clouds, the emulator), then the config file, then Microsoft's
    /// public cloud.
    pub fn resolve(config: &Config) -> Result<Endpoints> {
        Self::resolve_with(config, |k| std::env::var(k).ok())
    }

    pub fn resolve_with(config: &Config, env: impl Fn(&str) -> Option<String>) -> Result<Endpoints> {
        Self::resolve_full(config, None, env)
    }

    /// Environment, then the profile's overrides, then the config file, then the defaults.
    pub fn resolve_full(
        config: &Config,
        profile: Option<&crate::profiles::Profile>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Endpoints> {
        let pick = |var: &str, from_profile: Option<&String>, configured: &Option<String>, default: &str| match env(var)
            .filter(|v| !v.trim().is_empty())
        {
            Some(v) => (v, var.to_owned()),
            None => match (from_profile, configured) {
                (Some(v), _) => (v.clone(), "the profile".to_owned()),
                (None, Some(v)) => (v.clone(), "the config file".to_owned()),
                (None, None) => (default.to_owned(), "the default".to_owned()),
            },
        };
        let (login, login_from) = pick(
            ENV_LOGIN_URL,
            profile.and_then(|p| p.login_url.as_ref()),
            &config.endpoints.login_url,
            DEFAULT_LOGIN_URL,
        );
        let (api, api_from) = pick(
            ENV_API_URL,
            profile.and_then(|p| p.api_url.as_ref()),
            &config.endpoints.api_url,
            DEFAULT_API_URL,
        );
        let token_version = match env(ENV_TOKEN_VERSION) {
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "v1" | "1" => TokenEndpointVersion::V1,
                "v2" | "2" => TokenEndpointVersion::V2,
                other => bail!("{ENV_TOKEN_VERSION}={other:?} is not a token endpoint version: use v1 or v2"),
            },
            None => profile
                .and_then(|p| p.token_version)
                .or(config.endpoints.token_version)
                .unwrap_or_default(),
        };
        Ok(Endpoints {
            login: validate_endpoint_url(&login, &login_from)?,
            api: validate_endpoint_url(&api, &api_from)?,
            token_version,
        })
    }
}

/// A base URL must be `https://`, or `http://` to a loopback host (the emulator). Anything else
/// would send the client secret or a bearer token in clear text over a network.
pub fn validate_endpoint_url(raw: &str, source: &str) -> Result<Url> {
    let trimmed = raw.trim();
    let url = Url::parse(trimmed).map_err(|e| {
        anyhow::anyhow!("{trimmed:?} (from {source}) is not a valid URL ({e}): give a base URL such as https://login.microsoftonline.com")
    })?;
    if url.query().is_some() || url.fragment().is_some() {
        bail!("{trimmed:?} (from {source}) must be a base URL without a query or fragment");
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("{source} holds a URL with credentials in it: remove the user:password@ part");
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => bail!(
            "{trimmed:?} (from {source}) uses http:// for a host that is not loopback; use https://, or http:// only for 127.0.0.1, ::1 or localhost"
        ),
        other => bail!("{trimmed:?} (from {source}) has the scheme {other:?}; use https://"),
    }
    // Keep the path as a directory so that joins append rather than replace.
    let mut url = url;
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The three `REVIEWDESK_*` credential variables: all set means "use these for this run",
/// none set means "not given", anything in between is a mistake worth naming.
pub fn credentials_from_env() -> Result<Option<Credentials>> {
    credentials_from(|k| std::env::var(k).ok())
}

pub fn credentials_from(env: impl Fn(&str) -> Option<String>) -> Result<Option<Credentials>> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let tenant = get(ENV_TENANT_ID);
    let client = get(ENV_CLIENT_ID);
    // Zeroised when dropped: the copy the secret is trimmed from must not stay behind in memory.
    let secret = get(ENV_CLIENT_SECRET).map(zeroize::Zeroizing::new);
    match (tenant, client, secret) {
        (Some(tenant), Some(client_id), Some(secret)) => Ok(Some(Credentials {
            tenant: tenant.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            // The secret is used verbatim: trimming could turn a wrong secret into a right one
            // elsewhere, but a trailing newline from `$(cat file)` never belongs to it.
            secret: SecretString::from(secret.trim_end_matches(['\r', '\n'])),
        })),
        (None, None, None) => Ok(None),
        (t, c, s) => {
            let missing: Vec<&str> = [
                (ENV_TENANT_ID, t.is_none()),
                (ENV_CLIENT_ID, c.is_none()),
                (ENV_CLIENT_SECRET, s.is_none()),
            ]
            .iter()
            .filter(|(_, m)| *m)
            .map(|(k, _)| *k)
            .collect();
            bail!(
                "{} not set: set all three of {ENV_TENANT_ID}, {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}, or none",
                missing.join(" and ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::{ConfigFile, Profile, ProfileApp};

    /// Here rather than in `profiles`: what `ConfigFile` writes is read back by `Config`.
    #[test]
    fn edits_keep_comments_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "# my settings\n[reviews]\ndefault_days = 30 # a month\n").unwrap();
        let mut f = ConfigFile::open(&path).unwrap();
        let p = Profile {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b".into(),
            apps: vec![ProfileApp {
                id: "9NBLGGGZ5QDR".into(),
                name: Some("Photo".into()),
            }],
            support_email: Some("help@contoso.example".into()),
            ..Profile::default()
        };
        f.set_profile("prod", &p);
        f.set_default_profile("prod");
        f.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# my settings") && text.contains("# a month"), "{text}");
        let cfg = Config::load(Some(&path)).unwrap();
        assert_eq!(cfg.profiles.get("prod"), Some(&p));
        assert_eq!(cfg.default_profile.as_deref(), Some("prod"));
        assert_eq!(cfg.reviews.default_days, 30);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let mut f = ConfigFile::open(&path).unwrap();
        assert!(f.remove_profile("prod"));
        f.save().unwrap();
        let cfg = Config::load(Some(&path)).unwrap();
        assert!(cfg.profiles.is_empty() && cfg.default_profile.is_none());
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
            "http://127.9.9.9",
            "https://example.com/",
        ] {
            validate_endpoint_url(ok, "test").unwrap();
        }
        for bad in [
            "http://10.0.0.1",
            "http://example.com",
            "http://192.168.1.1:80",
            "ftp://127.0.0.1",
            "not a url",
            "https://u:p@example.com",
        ] {
            let err = validate_endpoint_url(bad, "test").unwrap_err().to_string();
            assert!(!err.is_empty());
        }
        let err = validate_endpoint_url("http://manage.example.net", "REVIEWDESK_API_URL")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not loopback") && err.contains("REVIEWDESK_API_URL"),
            "{err}"
        );
    }

    #[test]
    fn trailing_slash_is_normalised() {
        let u = validate_endpoint_url("https://example.com/base/", "t").unwrap();
        assert_eq!(u.as_str(), "https://example.com/base");
    }

    #[test]
    fn env_overrides_config_which_overrides_default() {
        let mut cfg = Config::default();
        cfg.endpoints.api_url = Some("https://api.example.cn".into());
        let e = Endpoints::resolve_with(&cfg, |_| None).unwrap();
        assert_eq!(e.api.host_str(), Some("api.example.cn"));
        assert_eq!(e.login.host_str(), Some("login.microsoftonline.com"));
        let e = Endpoints::resolve_with(&cfg, |k| (k == ENV_API_URL).then(|| "http://127.0.0.1:5".to_owned())).unwrap();
        assert_eq!(e.api.as_str(), "http://127.0.0.1:5/");
        let err = Endpoints::resolve_with(&cfg, |k| (k == ENV_TOKEN_VERSION).then(|| "v3".to_owned())).unwrap_err();
        assert!(err.to_string().contains("v1 or v2"));
    }

    #[test]
    fn partial_credentials_are_named() {
        assert!(credentials_from(|_| None).unwrap().is_none());
        let err = credentials_from(|k| (k == ENV_TENANT_ID).then(|| "t".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(ENV_CLIENT_ID) && err.contains(ENV_CLIENT_SECRET) && !err.starts_with(ENV_TENANT_ID),
            "{err}"
        );
        let c = credentials_from(|k| Some(format!("{k}-value\n"))).unwrap().unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(c.secret.expose_secret(), "REVIEWDESK_CLIENT_SECRET-value");
    }

    #[test]
    fn the_shipped_example_config_parses() {
        let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/config.example.toml"));
        let c = Config::load(Some(p)).unwrap();
        assert_eq!(c.reviews.default_days, 90);
        assert_eq!(c.network.request_timeout_secs, 30);
        let keys = "[keys.normal]\nreply = [\"ctrl-r\"]\n";
        let c: Config = toml::from_str(keys).unwrap();
        assert!(crate::keymap::Keymap::with_overrides(&c.keys).is_ok());
    }

    #[test]
    fn config_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "[network]\nrequest_timeout_secs = \"x\"\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("request_timeout_secs"),
            "{err}"
        );
        std::fs::write(
            &p,
            "[reviews]\ndefault_days = 30\n[endpoints]\ntoken_version = \"v2\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&p)).unwrap();
        assert_eq!(c.reviews.default_days, 30);
        assert_eq!(c.endpoints.token_version, Some(TokenEndpointVersion::V2));
    }
}
