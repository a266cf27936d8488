//! Commerce Ratings & Reviews against the emulator over real TCP:
//! * export + parse of 100,000 reviews (Export All Reviews, the SAS download streamed to a
//!   file, then read back review by review) against parsing the same bytes alone. Target:
//!   within 1.5x.
//! * `reviewdesk commerce import` (the real binary, journal and all) of 300 rows, in rows per
//!   second at `--parallel 1` and `--parallel 4`.
//!
//! Run: `cargo bench --bench commerce`. Prints medians and says which targets are met.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reviewdesk::auth::{Credentials, TokenEndpointVersion, TokenProvider};
use reviewdesk::commerce::CommerceClient;
use reviewdesk::commerce::export::{fetch_export, read_export};
use reviewdesk::config::{Config, validate_endpoint_url};
use reviewdesk::emulator::{self, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, EmulatorConfig};
use reviewdesk::http::build_http_client;
use reviewdesk::http::retry::RetryPolicy;
use secrecy::SecretString;

const REVIEWS: usize = 100_000;
const RUNS: usize = 5;
const IMPORT_ROWS: usize = 300;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let emu = rt
        .block_on(emulator::start(EmulatorConfig {
            commerce_reviews: REVIEWS,
            reviews_per_app: 1,
            ..EmulatorConfig::default()
        }))
        .unwrap();
    let url = validate_endpoint_url(&emu.base_url(), "bench").unwrap();
    let http = build_http_client(&Config::default().network).unwrap();
    let credentials = Credentials {
        tenant: DEFAULT_TENANT_ID.into(),
        client_id: DEFAULT_CLIENT_ID.into(),
        secret: SecretString::from(DEFAULT_CLIENT_SECRET.to_owned()),
    };
    let tokens = Arc::new(
        TokenProvider::new(http.clone(), &url, TokenEndpointVersion::V2, credentials).with_resource(url.as_str()),
    );
    let client = CommerceClient::new(
        http,
        url.clone(),
        DEFAULT_TENANT_ID.into(),
        tokens,
        RetryPolicy::default(),
    );

    let (mut parse_alone, mut end_to_end) = (Vec::new(), Vec::new());
    let mut size = 0;
    for _ in 0..RUNS {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let started = Instant::now();
        let (_, bytes) = rt
            .block_on(fetch_export(&client, file.as_file_mut(), &mut |_, _| {}))
            .unwrap();
        let mut n = 0u64;
        read_export(file.path(), |r| {
            n += u64::from(r.review_id.is_some());
            Ok(())
        })
        .unwrap();
        end_to_end.push(started.elapsed());
        assert_eq!(n, REVIEWS as u64);
        size = bytes;
        let started = Instant::now();
        read_export(file.path(), |r| {
            n += u64::from(r.review_id.is_some());
            Ok(())
        })
        .unwrap();
        parse_alone.push(started.elapsed());
    }
    let (alone, both) = (median(parse_alone), median(end_to_end));
    let ratio = both.as_secs_f64() / alone.as_secs_f64();
    println!(
        "export+parse of {REVIEWS} reviews ({:.1} MB CSV): median {:.0} ms; parse alone: median {:.0} ms; ratio {ratio:.2} (target <= 1.5: {})",
        size as f64 / 1e6,
        both.as_secs_f64() * 1e3,
        alone.as_secs_f64() * 1e3,
        if ratio <= 1.5 { "met" } else { "NOT met" }
    );

    // Import through the real binary; the env secret backend keeps the keyring out of it.
    for parallel in ["1", "4"] {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[profiles.site]\ntenant = \"{DEFAULT_TENANT_ID}\"\nclient_id = \"{DEFAULT_CLIENT_ID}\"\nkind = \"commerce\"\n[profiles.site.commerce]\nname = \"Bench\"\nrnr_url = \"{}\"\n",
                emu.base_url()
            ),
        )
        .unwrap();
        let rows = home.path().join("rows.jsonl");
        let body: String = (0..IMPORT_ROWS)
            .map(|i| {
                format!(
                    "{{\"productId\":\"p{parallel}\",\"rating\":5,\"title\":\"Bench {i}\",\"reviewText\":\"Imported text {i}\",\"productName\":\"Shoe\"}}\n"
                )
            })
            .collect();
        std::fs::write(&rows, body).unwrap();
        let started = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_reviewdesk"))
            .args(["commerce", "import", rows.to_str().unwrap(), "--parallel", parallel])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("REVIEWDESK_CONFIG", &config)
            .env("REVIEWDESK_LOGIN_URL", emu.base_url())
            .env("REVIEWDESK_SECRETS_BACKEND", "env")
            .env("REVIEWDESK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
            .output()
            .unwrap();
        let took = started.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        println!(
            "import of {IMPORT_ROWS} rows at --parallel {parallel}: {:.1} s, {:.0} rows/s (journal fsynced twice per row)",
            took.as_secs_f64(),
            IMPORT_ROWS as f64 / took.as_secs_f64()
        );
    }
    rt.block_on(emu.shutdown());
}
