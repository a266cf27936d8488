//! What both benchmarks need: the real emulator in its own process, and a session on it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reviewdesk::auth::{Credentials, TokenEndpointVersion};
use reviewdesk::config::{Config, Endpoints, validate_endpoint_url};
use reviewdesk::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};
use reviewdesk::http::retry::RetryPolicy;
use reviewdesk::session::Session;
use secrecy::SecretString;

/// `reviewdesk emulator --reviews N --app APP --seed 7`, killed on drop.
pub struct Emulator {
    child: Child,
    pub url: String,
}

impl Emulator {
    pub fn start(reviews: usize, app: &str) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reviewdesk"))
            .args([
                "emulator",
                "--reviews",
                &reviews.to_string(),
                "--app",
                app,
                "--seed",
                "7",
            ])
            .env("REVIEWDESK_LOG_FILE", "/dev/null")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the emulator");
        let url = BufReader::new(child.stdout.take().expect("piped"))
            .lines()
            .next()
            .expect("a URL")
            .expect("text");
        Emulator { child, url }
    }

    pub fn session(&self) -> Session {
        let base = validate_endpoint_url(&self.url, "bench").unwrap();
        let endpoints = Endpoints {
            login: base.clone(),
            api: base,
            token_version: TokenEndpointVersion::V1,
        };
        let credentials = Credentials {
            tenant: DEFAULT_TENANT_ID.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            secret: SecretString::from(DEFAULT_CLIENT_SECRET.to_owned()),
        };
        Session::new(Config::default(), endpoints, credentials, RetryPolicy::default()).unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
