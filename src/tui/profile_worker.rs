//! The profiles worker: config.toml and the secret store for the setup form and the profiles
//! screen, off the UI thread, through the same functions as `reviewdesk profile …`. Commands run
//! one at a time (two saves never race on the config file), except connection tests, which go on
//! alongside. The store is opened (probed) once, on first use, and kept.

use secrecy::SecretString;
use tokio::sync::mpsc;

use super::action::{Action, ProfileRow, StoreInfo};
use super::app::ProfilesCommand;
use crate::config::Config;
use crate::profiles::ProfileKind;
use crate::profiles::ops::{self, ProfileDraft, config_path, reload_config, store_name};
use crate::secrets::SecretStore;

/// Starts the worker; answers arrive on `actions`.
pub fn spawn(base: Config, actions: mpsc::Sender<Action>) -> mpsc::Sender<ProfilesCommand> {
    let (tx, mut rx) = mpsc::channel::<ProfilesCommand>(super::store_worker::CHANNEL);
    tokio::spawn(async move {
        let mut worker = Worker {
            base,
            store: None,
            out: actions,
        };
        while let Some(cmd) = rx.recv().await {
            worker.handle(cmd).await;
        }
    });
    tx
}

struct Worker {
    /// Where the config file is, the secrets backend, and `--profile`.
    base: Config,
    store: Option<SecretStore>,
    out: mpsc::Sender<Action>,
}

/// An error with its causes, in one line. Secrets never reach error messages (see `secrets`).
fn msg(e: anyhow::Error) -> String {
    format!("{e:#}")
}

fn info(store: &SecretStore) -> StoreInfo {
    StoreInfo {
        name: store_name(store).to_owned(),
        persistence: store.persistence().to_owned(),
    }
}

fn rows(config: &Config) -> Vec<ProfileRow> {
    config
        .profiles
        .iter()
        .map(|(name, profile)| ProfileRow {
            name: name.clone(),
            profile: profile.clone(),
            default: config.default_profile.as_deref() == Some(name.as_str()),
        })
        .collect()
}

impl Worker {
    async fn send(&self, action: Action) {
        let _ = self.out.send(action).await;
    }

    async fn progress(&self, request: u64, text: String) {
        self.send(Action::ProfileProgress { request, text }).await;
    }

    fn config(&self) -> Result<Config, String> {
        reload_config(&self.base).map_err(msg)
    }

    async fn store(&mut self, request: u64) -> Result<SecretStore, String> {
        if let Some(s) = &self.store {
            return Ok(s.clone());
        }
        self.progress(request, "Opening the secret store…".to_owned()).await;
        let store = ops::open_store(&self.base).await.map_err(msg)?;
        self.store = Some(store.clone());
        Ok(store)
    }

    async fn handle(&mut self, cmd: ProfilesCommand) {
        match cmd {
            ProfilesCommand::ListProfiles { request } => {
                let listed = self.config().map(|c| rows(&c));
                let names: Vec<String> = listed.iter().flatten().map(|r| r.name.clone()).collect();
                self.send(Action::ProfilesListed {
                    request,
                    result: listed,
                })
                .await;
                let result = match self.store(request).await {
                    Ok(store) => {
                        let mut states = Vec::new();
                        for name in names {
                            let state = ops::secret_state(&store, &name).await;
                            states.push((name, state));
                        }
                        Ok((info(&store), states))
                    }
                    Err(e) => Err(e),
                };
                self.send(Action::SecretsChecked { request, result }).await;
            }
            ProfilesCommand::SaveProfile { request, draft } => {
                let result = self.save(request, &draft).await;
                let name = draft.name.clone();
                drop(draft);
                self.send(Action::ProfileSaved { request, name, result }).await;
            }
            ProfilesCommand::RemoveProfile { request, name } => {
                let result = self.remove(request, &name).await;
                self.send(Action::ProfileRemoved { request, name, result }).await;
            }
            ProfilesCommand::TestProfile { request, draft } => self.test(request, draft).await,
            ProfilesCommand::CheckSwitch { request, name } => {
                let result = self.check_switch(request, &name).await;
                self.send(Action::SwitchChecked { request, name, result }).await;
            }
        }
    }

    /// A new profile without a secret of its own takes the one stored for the same registration
    /// (the form allows that only when there is one).
    async fn with_shared_secret(&mut self, request: u64, draft: &ProfileDraft) -> Result<Option<SecretString>, String> {
        if draft.secret.is_some() || !draft.new {
            return Ok(draft.secret.clone());
        }
        let store = self.store(request).await?;
        let config = self.config()?;
        Ok(ops::shared_secret(&config, &store, &draft.profile)
            .await
            .map(|(_, s)| s))
    }

    async fn save(&mut self, request: u64, draft: &ProfileDraft) -> Result<StoreInfo, String> {
        let path = config_path(&self.base).map_err(msg)?;
        let shared = self.with_shared_secret(request, draft).await?;
        let draft = &ProfileDraft {
            secret: shared,
            ..draft.clone()
        };
        let store = self.store(request).await?;
        let doing = match draft.secret {
            Some(_) => format!("Storing the secret in {} and writing config.toml…", store_name(&store)),
            None => "Writing config.toml…".to_owned(),
        };
        self.progress(request, doing).await;
        ops::save(&path, &store, draft).await.map_err(msg)?;
        Ok(info(&store))
    }

    async fn remove(&mut self, request: u64, name: &str) -> Result<(bool, StoreInfo), String> {
        let path = config_path(&self.base).map_err(msg)?;
        let store = self.store(request).await?;
        self.progress(
            request,
            format!("Removing {name} and its secret from {}…", store_name(&store)),
        )
        .await;
        let had_secret = ops::remove(&path, &store, name).await.map_err(msg)?;
        Ok((had_secret, info(&store)))
    }

    /// The secret from the draft, else the stored one; then the network part runs on its own.
    async fn test(&mut self, request: u64, draft: ProfileDraft) {
        let shared = match self.with_shared_secret(request, &draft).await {
            Ok(s) => s,
            Err(e) => {
                let result = Err(e);
                return self.send(Action::ProfileTested { request, result }).await;
            }
        };
        let secret: Result<SecretString, String> = match shared {
            Some(s) => Ok(s),
            None => match self.store(request).await {
                Ok(store) => match store.get(&draft.name).await {
                    Ok(Some(s)) => Ok(s),
                    Ok(None) => Err(format!(
                        "no client secret is stored for {} in {}: edit the profile (e) and enter it",
                        draft.name,
                        store_name(&store)
                    )),
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e),
            },
        };
        let ready = secret.and_then(|s| self.config().map(|c| (s, c)));
        let out = self.out.clone();
        match ready {
            Ok((secret, config)) => {
                tokio::spawn(async move {
                    let result = match draft.profile.kind {
                        ProfileKind::Store => ops::test_credentials(&config, &draft.profile, secret).await,
                        ProfileKind::Commerce => {
                            crate::commerce::check::test_draft(&config, &draft.name, &draft.profile, secret).await
                        }
                    }
                    .map_err(msg);
                    let _ = out.send(Action::ProfileTested { request, result }).await;
                });
            }
            Err(e) => {
                self.send(Action::ProfileTested {
                    request,
                    result: Err(e),
                })
                .await
            }
        }
    }

    /// The profile exists, covers an app and has its secret stored: the switch will work.
    async fn check_switch(&mut self, request: u64, name: &str) -> Result<(), String> {
        let config = self.config()?;
        let profile = config
            .profiles
            .get(name)
            .ok_or_else(|| "it is no longer in config.toml".to_owned())?;
        match profile.kind {
            ProfileKind::Store if profile.apps.is_empty() => {
                return Err("it covers no Store app: edit it (e) and add one".to_owned());
            }
            ProfileKind::Commerce if profile.commerce.is_none() => {
                return Err("it names no site: edit it (e) and give the R&R URL".to_owned());
            }
            _ => {}
        }
        let store = self.store(request).await?;
        match store.get(name).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(format!(
                "no client secret is stored for it in {}: edit it (e) and enter the secret",
                store_name(&store)
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}
