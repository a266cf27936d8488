//! `config.toml` as a document: profiles added, edited and removed with the person's comments
//! and layout kept, written privately (0600 in a 0700 directory).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, value};

use super::{Profile, Visibility};
use crate::auth::TokenEndpointVersion;

/// The editable config file.
pub struct ConfigFile {
    pub path: PathBuf,
    doc: DocumentMut,
}

impl ConfigFile {
    pub fn open(path: &Path) -> Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read the config file {}", path.display())),
        };
        let doc: DocumentMut = text.parse().map_err(|e| {
            anyhow::anyhow!(
                "the config file {} is not valid TOML: {e}; fix or remove it",
                path.display()
            )
        })?;
        Ok(ConfigFile {
            path: path.to_owned(),
            doc,
        })
    }

    pub fn set_profile(&mut self, name: &str, p: &Profile) {
        let profiles = self.doc.entry("profiles").or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        });
        let mut t = Table::new();
        t["tenant"] = value(&p.tenant);
        t["client_id"] = value(&p.client_id);
        let mut apps = Array::new();
        for a in &p.apps {
            let mut it = InlineTable::new();
            it.insert("id", a.id.as_str().into());
            if let Some(n) = &a.name {
                it.insert("name", n.as_str().into());
            }
            apps.push(it);
        }
        t["apps"] = value(apps);
        if let Some(e) = &p.support_email {
            t["support_email"] = value(e);
        }
        t["visibility"] = value(match p.visibility {
            Visibility::Public => "public",
            Visibility::Private => "private",
        });
        if let Some(u) = &p.login_url {
            t["login_url"] = value(u);
        }
        if let Some(u) = &p.api_url {
            t["api_url"] = value(u);
        }
        if let Some(v) = p.token_version {
            t["token_version"] = value(match v {
                TokenEndpointVersion::V1 => "v1",
                TokenEndpointVersion::V2 => "v2",
            });
        }
        if !p.kind.is_store() {
            t["kind"] = value("commerce");
        }
        if let Some(c) = &p.commerce {
            let mut ct = Table::new();
            ct["name"] = value(&c.name);
            ct["rnr_url"] = value(&c.rnr_url);
            if let Some(v) = &c.rnr_tenant {
                ct["rnr_tenant"] = value(v);
            }
            if let Some(v) = &c.scope {
                ct["scope"] = value(v);
            }
            t["commerce"] = Item::Table(ct);
        }
        if let Some(profiles) = profiles.as_table_mut() {
            profiles.insert(name, Item::Table(t));
        }
    }

    pub fn has_profile(&self, name: &str) -> bool {
        self.profile_names().iter().any(|n| n == name)
    }

    pub fn profile_names(&self) -> Vec<String> {
        self.doc
            .get("profiles")
            .and_then(Item::as_table_like)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default()
    }

    pub fn remove_profile(&mut self, name: &str) -> bool {
        let removed = self
            .doc
            .get_mut("profiles")
            .and_then(Item::as_table_mut)
            .and_then(|t| t.remove(name))
            .is_some();
        if self.default_profile().as_deref() == Some(name) {
            self.doc.remove("default_profile");
        }
        removed
    }

    pub fn default_profile(&self) -> Option<String> {
        self.doc
            .get("default_profile")
            .and_then(Item::as_str)
            .map(str::to_owned)
    }

    pub fn set_default_profile(&mut self, name: &str) {
        // Top-level keys must come before the first table; toml_edit places new keys there.
        self.doc["default_profile"] = value(name);
    }

    /// Writes atomically: a private temporary file in the same directory, renamed over the old
    /// one. The directory is made 0700 and the file 0600.
    pub fn save(&self) -> Result<()> {
        let dir = self.path.parent().context("the config path has no directory")?;
        create_private_dir(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".config.toml.")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        use std::io::Write;
        tmp.write_all(self.doc.to_string().as_bytes())?;
        tmp.as_file().sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))?;
        }
        tmp.persist(&self.path)
            .map_err(|e| anyhow::anyhow!("cannot replace {}: {}", self.path.display(), e.error))?;
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot make {} private (chmod 700)", dir.display()))?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}
