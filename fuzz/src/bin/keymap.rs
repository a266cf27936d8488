//! One key as written in `[keys.*]` of `config.toml` (`ctrl-s`, `alt-x`, `pgdown`, `f12`, `é`):
//! what parses is shown in the help and the footer, so it must be fit for the screen.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewdesk::keymap::KeySpec;
use reviewdesk_fuzz::assert_one_displayable_line;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match KeySpec::parse(text) {
        Ok(key) => assert_one_displayable_line("the key's name", &key.to_string()),
        Err(message) => assert!(!message.is_empty()),
    }
});
