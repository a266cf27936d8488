//! Keys as data: per context, each binding with a description. The help overlay and the hints
//! are generated from this table, and `[keys.<context>]` in the config file overrides only what
//! it names, e.g. `[keys.normal] reply = ["r", "ctrl-r"]`.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

use super::action::Bound;

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
        }
    }
}

/// `[keys]` in config.toml.
pub type KeysConfig = BTreeMap<KeyContext, BTreeMap<Bound, Vec<String>>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let raw = s.trim();
        let mut mods = KeyModifiers::NONE;
        let mut rest = raw;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("c-")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-").or_else(|| lower.strip_prefix("m-")) {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdown" | "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    // A control character is no key one can type by name, and shown in the help
                    // it would act on the terminal (found by the `keymap` fuzz target: NUL).
                    (Some(c), None) if crate::sanitize::is_forbidden(c) => {
                        return Err(format!(
                            "{:?} is not a key: control characters cannot be bound; use names like ctrl-s, esc, enter, tab",
                            crate::sanitize::sanitize_line(raw)
                        ));
                    }
                    (Some(c), None) => KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }),
                    _ => {
                        return Err(format!(
                            "{raw:?} is not a key: use a character, or names like ctrl-s, esc, enter, tab, up, pgdown, f1"
                        ));
                    }
                }
            }
        };
        Ok(KeySpec { code, mods })
    }

    /// Shift is part of the character for letters and symbols, so it is ignored there.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let b = if ev.modifiers.contains(KeyModifiers::CONTROL) {
                    b.to_ascii_lowercase()
                } else {
                    b
                };
                a == b && (self.mods & relevant) == (ev.modifiers & relevant)
            }
            (a, b) => a == b && (self.mods & relevant) == (ev.modifiers & relevant),
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub context: KeyContext,
    pub action: Bound,
    pub keys: Vec<KeySpec>,
    pub description: &'static str,
}

#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

const DEFAULTS: &[(KeyContext, Bound, &[&str], &str)] = {
    use Bound as B;
    use KeyContext as C;
    &[
        (
            C::Normal,
            B::MoveDown,
            &["j", "down"],
            "next review (or scroll the text)",
        ),
        (
            C::Normal,
            B::MoveUp,
            &["k", "up"],
            "previous review (or scroll the text)",
        ),
        (C::Normal, B::First, &["g", "home"], "first review"),
        (C::Normal, B::Last, &["G", "end"], "last review"),
        (C::Normal, B::PageDown, &["pgdown", "ctrl-d"], "page down"),
        (C::Normal, B::PageUp, &["pgup", "ctrl-u"], "page up"),
        (C::Normal, B::FocusDetail, &["enter"], "read the selected review"),
        (C::Normal, B::SwitchPane, &["tab"], "switch between list and review"),
        (C::Normal, B::Reply, &["r"], "reply to the selected review"),
        (C::Normal, B::Search, &["/"], "search title, text and reviewer"),
        (C::Normal, B::NextMatch, &["n"], "next match"),
        (C::Normal, B::PrevMatch, &["N"], "previous match"),
        (
            C::Normal,
            B::Filters,
            &["f"],
            "filters: rating, market, answered, revised, dates",
        ),
        (C::Normal, B::UnansweredFirst, &["u"], "unanswered first / newest first"),
        (C::Normal, B::Refresh, &["R"], "fetch the reviews again"),
        (C::Normal, B::SwitchApp, &["a"], "switch app"),
        (
            C::Normal,
            B::Profiles,
            &["p"],
            "profiles: switch, add, edit, remove, test",
        ),
        (
            C::Normal,
            B::Outbox,
            &["o"],
            "outbox: queued, failed and sent replies; history",
        ),
        (C::Normal, B::Help, &["?"], "this help"),
        (C::Normal, B::Back, &["esc"], "back to the list / clear the search"),
        (
            C::Normal,
            B::Quit,
            &["q", "ctrl-c"],
            "quit (asks if replies are still being sent)",
        ),
        (C::Normal, B::Suspend, &["ctrl-z"], "suspend to the shell"),
        (C::Editor, B::Send, &["ctrl-s"], "send (asks first)"),
        (C::Editor, B::TogglePublic, &["ctrl-p"], "public / private (email only)"),
        (C::Editor, B::NextField, &["tab"], "response text / support email"),
        (C::Editor, B::ExternalEditor, &["ctrl-e"], "edit in $VISUAL / $EDITOR"),
        (C::Editor, B::Back, &["esc"], "close the editor (the draft is kept)"),
        (C::Editor, B::Suspend, &["ctrl-z"], "suspend to the shell"),
        (C::Confirm, B::Confirm, &["y"], "yes"),
        (C::Confirm, B::Back, &["n", "esc"], "no, back"),
        (
            C::Search,
            B::Confirm,
            &["enter"],
            "keep the search, go to the first match",
        ),
        (C::Search, B::Back, &["esc"], "clear the search"),
        (C::Filters, B::MoveDown, &["down", "tab"], "next field"),
        (C::Filters, B::MoveUp, &["up", "backtab"], "previous field"),
        (C::Filters, B::Confirm, &["enter"], "apply"),
        (C::Filters, B::Back, &["esc"], "cancel"),
        (C::Apps, B::MoveDown, &["j", "down"], "next app"),
        (C::Apps, B::MoveUp, &["k", "up"], "previous app"),
        (C::Apps, B::Confirm, &["enter"], "switch to this app"),
        (C::Apps, B::Back, &["esc", "q"], "cancel"),
        (C::Profiles, B::MoveDown, &["j", "down"], "next profile"),
        (C::Profiles, B::MoveUp, &["k", "up"], "previous profile"),
        (C::Profiles, B::Confirm, &["enter"], "switch to this profile"),
        (C::Profiles, B::Add, &["a"], "add a profile"),
        (
            C::Profiles,
            B::Edit,
            &["e"],
            "edit the profile (an empty secret keeps the stored one)",
        ),
        (
            C::Profiles,
            B::Remove,
            &["d"],
            "remove the profile and its secret (asks first)",
        ),
        (C::Profiles, B::Test, &["t"], "test the connection"),
        (C::Profiles, B::Back, &["esc", "q"], "back to the reviews"),
        (C::Outbox, B::MoveDown, &["j", "down"], "next reply"),
        (C::Outbox, B::MoveUp, &["k", "up"], "previous reply"),
        (C::Outbox, B::Retry, &["r"], "send again now / read the review back"),
        (C::Outbox, B::Edit, &["e"], "edit a queued or failed reply"),
        (
            C::Outbox,
            B::Remove,
            &["d"],
            "discard a queued or failed reply (its text goes back to the draft)",
        ),
        (C::Outbox, B::Copy, &["c"], "copy the reply to the clipboard (OSC 52)"),
        (
            C::Outbox,
            B::MarkAnswered,
            &["m"],
            "I answered it in Partner Center (never sent from here)",
        ),
        (C::Outbox, B::SwitchPane, &["tab"], "outbox / history"),
        (C::Outbox, B::Back, &["esc", "q", "o"], "back to the reviews"),
        (C::ProfileForm, B::MoveDown, &["tab", "down", "enter"], "next field"),
        (C::ProfileForm, B::MoveUp, &["backtab", "up"], "previous field"),
        (
            C::ProfileForm,
            B::Save,
            &["ctrl-s"],
            "save (the secret goes to the keyring, never to a file)",
        ),
        (C::ProfileForm, B::Test, &["ctrl-t"], "test the connection"),
        (
            C::ProfileForm,
            B::Back,
            &["esc", "ctrl-c"],
            "cancel (asks if you typed something)",
        ),
        (C::Help, B::Back, &["esc", "?", "q"], "close the help"),
        (C::Help, B::MoveDown, &["j", "down"], "scroll down"),
        (C::Help, B::MoveUp, &["k", "up"], "scroll up"),
    ]
};

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(context, action, keys, description)| Binding {
                context: *context,
                action: *action,
                keys: keys
                    .iter()
                    .map(|k| KeySpec::parse(k).expect("default keys parse"))
                    .collect(),
                description,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the config file's overrides applied. An override names an action that
    /// has a default binding in that context and replaces its keys.
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
        Ok(map)
    }

    pub fn lookup(&self, context: KeyContext, ev: &KeyEvent) -> Option<Bound> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    }

    pub fn bindings(&self, context: KeyContext) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The first key of an action, for hints: "r", "Ctrl-s".
    pub fn key_for(&self, context: KeyContext, action: Bound) -> String {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".to_owned())
    }
}

fn context_name(c: KeyContext) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

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
            Some(Bound::MoveDown)
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Bound::Last)
        );
        assert_eq!(
            k.lookup(KeyContext::Editor, &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Bound::Send)
        );
        assert_eq!(
            k.lookup(KeyContext::Editor, &ev(KeyCode::Char('s'), KeyModifiers::NONE)),
            None,
            "plain s is text"
        );
        assert_eq!(k.key_for(KeyContext::Editor, Bound::Send), "Ctrl-s");
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-r\", \"e\"]\n").unwrap();
        let k = Keymap::with_overrides(&cfg).unwrap();
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            Some(Bound::Reply)
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('r'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            k.lookup(KeyContext::Normal, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Bound::MoveDown)
        );
        let bad: Result<KeysConfig, _> = toml::from_str("[normal]\nreplyy = [\"r\"]\n");
        assert!(bad.unwrap_err().to_string().contains("replyy"));
        let cfg: KeysConfig = toml::from_str("[normal]\nreply = [\"ctrl-\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).is_err());
        let cfg: KeysConfig = toml::from_str("[help]\nreply = [\"r\"]\n").unwrap();
        assert!(Keymap::with_overrides(&cfg).unwrap_err().contains("[keys.help]"));
    }
}
