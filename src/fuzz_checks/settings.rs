//! What a person writes into `config.toml`: the settings, the profiles and the key overrides.

use super::{assert_displayable, assert_one_displayable_line};
use crate::config::{Config, Endpoints};
use crate::keymap::{KeySpec, Keymap};

/// `config.toml` as a person may write it: whatever loads resolves its endpoints and
/// durations without a panic, and the keys of the keymap it makes (shown in the help, every
/// context's bindings) are displayable.
pub fn config_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = toml::from_str::<Config>(text) else {
        return;
    };
    let _ = Endpoints::resolve_with(&config, |_| None);
    let _ = (
        config.network.connect_timeout(),
        config.network.request_timeout(),
        config.ui.tick(),
    );
    if let Ok(keymap) = Keymap::with_overrides(&config.keys) {
        for binding in keymap.all() {
            for key in &binding.keys {
                assert_displayable("a key shown in the help", &key.to_string());
            }
        }
    }
}

/// One key as written in `[keys.*]` (`ctrl-s`, `alt-x`, `pgdown`, `f12`, `é`): a key that
/// parses is shown in the help and the footer as one displayable line; a refusal says why.
pub fn keymap(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match KeySpec::parse(text) {
        Ok(key) => assert_one_displayable_line("the key's name", &key.to_string()),
        Err(message) => {
            assert!(!message.is_empty(), "a refusal without a reason");
            assert_one_displayable_line("the key's refusal", &message);
        }
    }
}
