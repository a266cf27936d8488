//! `config.toml` as a person may write it: the settings, the profiles, the key overrides (which
//! become the keymap shown in the help), the endpoint URLs (validated as the program does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::config::{Config, Endpoints};
use reviewdesk::keymap::Keymap;
use reviewdesk_fuzz::assert_displayable;

fuzz_target!(|data: &[u8]| {
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
        // Every binding of every context, the ones added later included.
        for binding in keymap.all() {
            for key in &binding.keys {
                assert_displayable("a key shown in the help", &key.to_string());
            }
        }
    }
});
