//! reviewdesk: triage and answer Microsoft Store reviews from the terminal.

pub mod auth;
pub mod cli;
pub mod commerce;
pub mod config;
pub mod db;
pub mod emulator;
pub mod filter_lang;
#[doc(hidden)]
pub mod fuzz_checks;
pub mod hardening;
pub mod hashed;
pub mod http;
pub mod keymap;
pub mod logging;
pub mod outbox_sender;
pub mod policy;
pub mod profiles;
pub mod provider;
pub mod report;
pub mod sanitize;
pub mod secrets;
pub mod session;
pub mod stats;
pub mod store;
pub mod templates;
pub mod tui;
pub mod views;
