//! Keys as data: per context, each binding with a description. The help overlay and the hints
//! are generated from this table, and `[keys.<context>]` in the config file overrides only what
//! it names, e.g. `[keys.normal] reply = ["r", "ctrl-r"]`.

mod defaults;
mod spec;

use std::collections::BTreeMap;

use ratatui::crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

use self::defaults::DEFAULTS;
pub use self::spec::KeySpec;

/// The named actions a key can be bound to; the config file uses these names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum KeyAction {
    MoveDown,
    MoveUp,
    First,
    Last,
    PageDown,
    PageUp,
    FocusDetail,
    SwitchPane,
    Reply,
    Send,
    Confirm,
    Back,
    Search,
    NextMatch,
    PrevMatch,
    Filters,
    UnansweredFirst,
    Refresh,
    SwitchApp,
    Help,
    Quit,
    TogglePublic,
    NextField,
    ExternalEditor,
    Suspend,
    Profiles,
    Save,
    Test,
    Add,
    Edit,
    Remove,
    Outbox,
    Retry,
    Copy,
    MarkAnswered,
    Stats,
    NextWindow,
    /// Marks and the bulk composer.
    Mark,
    MarkAll,
    ClearMarks,
    /// The template picker.
    Templates,
    /// Cycle the saved views.
    NextView,
    /// Take a confirmed reply back inside its undo-send window.
    TakeBack,
    /// Quitting during the undo-send window: send what waits now.
    SendNow,
    NextReply,
    PrevReply,
    Skip,
    /// At 80x24: the review being answered in place of the editor, and back.
    ShowReview,
}

impl KeyAction {
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyContext {
    Normal,
    Editor,
    Confirm,
    Search,
    Filters,
    Apps,
    Profiles,
    ProfileForm,
    Outbox,
    Help,
    Stats,
    /// The template picker (`t`).
    Picker,
    /// The bulk composer: one reply to the marked reviews.
    Bulk,
}

impl KeyContext {
    pub fn title(self) -> &'static str {
        match self {
            KeyContext::Normal => "Reviews",
            KeyContext::Editor => "Reply editor",
            KeyContext::Confirm => "Confirmation",
            KeyContext::Search => "Search",
            KeyContext::Filters => "Filters",
            KeyContext::Apps => "App switcher",
            KeyContext::Profiles => "Profiles",
            KeyContext::ProfileForm => "Profile form",
            KeyContext::Outbox => "Outbox and history",
            KeyContext::Help => "Help",
            KeyContext::Stats => "Stats",
            KeyContext::Picker => "Template picker",
            KeyContext::Bulk => "Reply to the marked reviews",
        }
    }
}

/// `[keys]` in config.toml.
pub type KeysConfig = BTreeMap<KeyContext, BTreeMap<KeyAction, Vec<String>>>;

#[derive(Clone, Debug)]
pub struct Binding {
    pub context: KeyContext,
    pub action: KeyAction,
    pub keys: Vec<KeySpec>,
    /// What the hint line calls it: "reply", "move".
    pub label: &'static str,
    pub description: &'static str,
}

/// One entry of a hint line: the action's first key(s) and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub action: KeyAction,
    /// "r"; for neighbours that share a label, both keys: "j/k".
    pub keys: String,
    pub label: &'static str,
}

#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(context, action, keys, label, description)| Binding {
                context: *context,
                action: *action,
                keys: keys
                    .iter()
                    .map(|k| KeySpec::parse(k).expect("default keys parse"))
                    .collect(),
                label,
                description,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the config file's overrides applied. An override names an action that
    /// has a default binding in that context and replaces its keys. A key bound to two actions of
    /// one context is refused: the second would never be reached.
    pub fn with_overrides(overrides: &KeysConfig) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (context, actions) in overrides {
            for (action, keys) in actions {
                let keys: Vec<KeySpec> = keys.iter().map(|k| KeySpec::parse(k)).collect::<Result<_, _>>()?;
                let Some(binding) = map
                    .bindings
                    .iter_mut()
                    .find(|b| b.context == *context && b.action == *action)
                else {
                    return Err(format!(
                        "[keys.{}] has no action {:?}; see the help (?) for the actions of each context",
                        context_name(*context),
                        action.name()
                    ));
                };
                binding.keys = keys;
            }
        }
        map.refuse_conflicts()?;
        Ok(map)
    }

    fn refuse_conflicts(&self) -> Result<(), String> {
        for (n, a) in self.bindings.iter().enumerate() {
            for b in self.bindings[n + 1..].iter().filter(|b| b.context == a.context) {
                if let Some(key) = a.keys.iter().find(|k| b.keys.iter().any(|o| o.same_key(k))) {
                    return Err(format!(
                        "[keys.{}]: {key} is bound to both {} and {}; give one of them another key",
                        context_name(a.context),
                        a.action.name(),
                        b.action.name()
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn lookup(&self, context: KeyContext, ev: &KeyEvent) -> Option<KeyAction> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    }

    /// Every binding, context by context in the help's order: what `reviewdesk keys` prints.
    pub fn all(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn bindings(&self, context: KeyContext) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The first key of an action, for hints: "r", "Ctrl-s".
    pub fn key_for(&self, context: KeyContext, action: KeyAction) -> String {
        self.binding(context, action)
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".to_owned())
    }

    fn binding(&self, context: KeyContext, action: KeyAction) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
    }

    /// The hint line for `actions`, in that order, labelled from the table. Neighbours with the
    /// same label become one entry ("j/k move").
    pub fn hints(&self, context: KeyContext, actions: &[KeyAction]) -> Vec<Hint> {
        let mut out: Vec<Hint> = Vec::new();
        for &action in actions {
            let label = self.binding(context, action).map_or("", |b| b.label);
            let keys = self.key_for(context, action);
            match out.last_mut() {
                Some(last) if last.label == label => {
                    last.keys.push('/');
                    last.keys.push_str(&keys);
                }
                _ => out.push(Hint { action, keys, label }),
            }
        }
        out
    }
}

/// The context's name in config.toml: `normal` of `[keys.normal]`.
pub fn context_name(c: KeyContext) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_resolve() {
        let k = Keymap::default();
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(KeyAction::MoveDown)
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyAction::Last)
        );
        assert_eq!(
            k.lookup(KeyContext::Editor, &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(KeyAction::Send)
        );
        assert_eq!(
            k.lookup(KeyContext::Editor, &ev(KeyCode::Char('s'), KeyModifiers::NONE)),
            None,
            "plain s is text"
        );
        assert_eq!(k.key_for(KeyContext::Editor, KeyAction::Send), "Ctrl-s");
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-r\", \"e\"]\n").unwrap();
        let k = Keymap::with_overrides(&cfg).unwrap();
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            Some(KeyAction::Reply)
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('r'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(KeyAction::MoveDown)
        );
        let bad: Result<KeysConfig, _> = toml::from_str("[normal]\nreplyy = [\"r\"]\n");
        assert!(bad.unwrap_err().to_string().contains("replyy"));
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).is_err());
        let cfg: KeysConfig = toml::from_str("[help]\nreply = [\"r\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).unwrap_err().contains("[keys.help]"));
    }

    #[test]
    fn defaults_bind_no_key_twice_in_a_context() {
        assert_eq!(Keymap::default().refuse_conflicts(), Ok(()));
    }

    #[test]
    fn a_key_bound_twice_is_refused_naming_both() {
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"j\"]\n").unwrap();
        let e = Keymap::with_overrides(&cfg).unwrap_err();
        assert_eq!(
            e,
            "[keys.normal]: j is bound to both move_down and reply; give one of them another key"
        );
        // Ctrl and Alt make another key; Shift is part of the character.
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-j\", \"alt-j\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).is_ok());
        let cfg: KeysConfig = toml::from_str("[editor]\nsend = [\"ctrl-e\"]\n").unwrap();
        assert!(
            Keymap::with_overrides(&cfg)
                .unwrap_err()
                .contains("send and external_editor")
        );
        // The same key in two contexts is fine.
        let cfg: KeysConfig = toml::from_str("[outbox]\nretry = [\"x\"]\n[normal]\nreply = [\"x\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).is_ok());
    }

    #[test]
    fn hints_take_labels_from_the_table_and_follow_overrides() {
        let k = Keymap::default();
        let h = k.hints(
            KeyContext::Normal,
            &[KeyAction::MoveDown, KeyAction::MoveUp, KeyAction::Reply],
        );
        let shown: Vec<(String, &str)> = h.iter().map(|h| (h.keys.clone(), h.label)).collect();
        assert_eq!(shown, vec![("j/k".to_owned(), "move"), ("r".to_owned(), "reply")]);
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-r\"]\n").unwrap();
        let k = Keymap::with_overrides(&cfg).unwrap();
        assert_eq!(k.hints(KeyContext::Normal, &[KeyAction::Reply])[0].keys, "Ctrl-r");
        // Every binding has a label to show.
        for b in &k.bindings {
            assert!(!b.label.is_empty(), "{:?} {:?} has no label", b.context, b.action);
        }
    }
}
