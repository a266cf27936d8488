//! What the benchmarks share: the real emulator in its own process, a session on it, the real
//! binary pointed at it, and (in `seed`) a profile database with cached reviews.
#![allow(dead_code)]

pub mod alloc;
pub mod seed;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
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
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let url = lines.next().expect("a URL").expect("text");
        // The emulator goes on to print its environment: reading it to the end keeps the pipe
        // open, else a write to a closed pipe ends the emulator before the benchmark starts.
        std::thread::spawn(move || lines.for_each(drop));
        Emulator { child, url }
    }

    /// Every Store API answer is delayed `ms` from now on (the emulator's control surface), so
    /// what a started program shows came from its cache.
    pub fn delay_store_api(&self, ms: u64) {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let body = format!("{{\"delay_ms\": {ms}}}");
        let mut conn = std::net::TcpStream::connect(addr).expect("connect to the emulator");
        write!(
            conn,
            "POST /_emulator/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send the faults");
        let mut answer = String::new();
        conn.read_to_string(&mut answer).expect("read the answer");
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "the emulator refused the delay: {answer}"
        );
    }

    /// The real binary in a private HOME (XDG directories below it) with `REVIEWDESK_*`
    /// credentials for this emulator, inheriting nothing else but PATH; its database is the
    /// profile "env".
    pub fn reviewdesk_in(&self, home: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reviewdesk"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("REVIEWDESK_LOG_FILE", home.join("reviewdesk.log"))
            .env("REVIEWDESK_LOGIN_URL", &self.url)
            .env("REVIEWDESK_API_URL", &self.url)
            .env("REVIEWDESK_TENANT_ID", DEFAULT_TENANT_ID)
            .env("REVIEWDESK_CLIENT_ID", DEFAULT_CLIENT_ID)
            .env("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
        c
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
