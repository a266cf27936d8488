//! Chaos mode: every Store API request draws its fate from one seeded random stream, so the same
//! seed gives the same sequence of faults (the n-th request gets the n-th draw, whatever it asks
//! for). Kinds: 429 with and without `Retry-After`, 5xx, a dropped connection, an answer later
//! than the client's timeout (the request is applied first), the revocation of every token issued
//! so far, and the reviews API going down for a while and coming back. Each is counted.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::data::Rng;

/// Rates are percentages of Store API requests; a request gets at most one fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChaosSpec {
    pub seed: u64,
    /// 429 with `Retry-After: retry_after_secs`.
    pub throttle: f64,
    /// 429 without `Retry-After`.
    pub throttle_bare: f64,
    /// 503 or 500 (alternating by draw).
    pub server_error: f64,
    /// The connection is dropped before anything is applied or answered.
    pub reset: f64,
    /// The request is handled (a reply is applied), then answered after `late_ms`.
    pub late: f64,
    /// Every token issued so far is revoked; this request already gets 401.
    pub revoke: f64,
    /// The reviews API (`responses/info`, `POST responses`) answers the 4012 body for `down_ms`.
    pub down: f64,
    pub retry_after_secs: u64,
    /// Should exceed the client's timeout (30 s unless `[network] request_timeout_secs`).
    pub late_ms: u64,
    pub down_ms: u64,
}

impl Default for ChaosSpec {
    fn default() -> Self {
        Self {
            seed: 0,
            throttle: 3.0,
            throttle_bare: 2.0,
            server_error: 3.0,
            reset: 2.0,
            late: 1.0,
            revoke: 1.0,
            down: 1.0,
            retry_after_secs: 1,
            late_ms: 31_000,
            down_ms: 5_000,
        }
    }
}

/// What one request gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChaosFault {
    /// 429; the `Retry-After` value when one is sent.
    Throttle(Option<String>),
    ServerError(u16),
    Reset,
    Late(Duration),
    Revoke,
    Down,
}

/// Counts per kind, as `GET /_emulator/stats` shows them under `chaos`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChaosStats {
    /// Store API requests that drew (faulted or not).
    pub requests: u64,
    pub throttled_retry_after: u64,
    pub throttled_bare: u64,
    pub server_errors: u64,
    pub resets: u64,
    pub late: u64,
    pub revocations: u64,
    /// Outages started.
    pub outages: u64,
    /// Reviews-API requests answered 4012 because an outage was in force.
    pub down_answers: u64,
}

impl ChaosStats {
    pub fn faults(&self) -> u64 {
        self.throttled_retry_after
            + self.throttled_bare
            + self.server_errors
            + self.resets
            + self.late
            + self.revocations
            + self.outages
    }
}

/// The running chaos: the spec, its random stream, the outage in force and the counts.
pub struct Chaos {
    spec: ChaosSpec,
    rng: Rng,
    down_until: Option<Instant>,
    pub stats: ChaosStats,
}

impl Chaos {
    pub fn new(spec: ChaosSpec) -> Self {
        Self {
            rng: Rng::new(spec.seed),
            spec,
            down_until: None,
            stats: ChaosStats::default(),
        }
    }

    /// The fate of the next Store API request. Counts it, and starts an outage on `Down`.
    pub fn draw(&mut self, now: Instant) -> Option<ChaosFault> {
        self.stats.requests += 1;
        let fault = pick(&self.spec, self.rng.next_u64());
        match &fault {
            Some(ChaosFault::Throttle(Some(_))) => self.stats.throttled_retry_after += 1,
            Some(ChaosFault::Throttle(None)) => self.stats.throttled_bare += 1,
            Some(ChaosFault::ServerError(_)) => self.stats.server_errors += 1,
            Some(ChaosFault::Reset) => self.stats.resets += 1,
            Some(ChaosFault::Late(_)) => self.stats.late += 1,
            Some(ChaosFault::Revoke) => self.stats.revocations += 1,
            Some(ChaosFault::Down) => {
                self.stats.outages += 1;
                self.down_until = Some(now + Duration::from_millis(self.spec.down_ms));
            }
            None => {}
        }
        fault
    }

    /// Whether an outage is in force at `now`.
    pub fn reviews_down(&self, now: Instant) -> bool {
        self.down_until.is_some_and(|until| now < until)
    }
}

/// Maps one random draw to a fault: the rates are stacked, in a fixed order, on a scale of a
/// million, so a draw is one fault or none and the mapping never depends on anything else.
fn pick(spec: &ChaosSpec, draw: u64) -> Option<ChaosFault> {
    const SCALE: u64 = 1_000_000;
    let point = ((u128::from(draw) * u128::from(SCALE)) >> 64) as u64;
    let mut edge = 0u64;
    let kinds: [(f64, ChaosFault); 7] = [
        (
            spec.throttle,
            ChaosFault::Throttle(Some(spec.retry_after_secs.to_string())),
        ),
        (spec.throttle_bare, ChaosFault::Throttle(None)),
        // Odd draws 500, even ones 503: both statuses show up without a second draw.
        (
            spec.server_error,
            ChaosFault::ServerError(if draw & 1 == 1 { 500 } else { 503 }),
        ),
        (spec.reset, ChaosFault::Reset),
        (spec.late, ChaosFault::Late(Duration::from_millis(spec.late_ms))),
        (spec.revoke, ChaosFault::Revoke),
        (spec.down, ChaosFault::Down),
    ];
    for (rate, fault) in kinds {
        edge += (rate * (SCALE as f64) / 100.0).round() as u64;
        if point < edge {
            return Some(fault);
        }
    }
    None
}

/// Why a `--chaos` value was refused: one sentence saying what to write instead.
#[derive(Debug, PartialEq, Eq)]
pub struct ChaosSpecError(String);

impl fmt::Display for ChaosSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChaosSpecError {}

const KEYS: &str = "429, 429bare, 5xx, reset, late, revoke, down (percentages), retry_after, late_ms, down_ms";

/// `SEED[,KEY=VALUE...]`, e.g. `7,429=5,reset=2,late_ms=3000`. Keys not given keep the defaults.
impl FromStr for ChaosSpec {
    type Err = ChaosSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |msg: String| ChaosSpecError(msg);
        let mut parts = s.split(',').map(str::trim);
        let seed = parts.next().unwrap_or_default();
        let mut spec = ChaosSpec {
            seed: seed.parse().map_err(|_| {
                err(format!(
                    "the chaos seed {seed:?} is not a whole number: write --chaos SEED[,KEY=VALUE...], e.g. --chaos 7,429=5"
                ))
            })?,
            ..ChaosSpec::default()
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(err(format!(
                    "the chaos option {part:?} has no value: write KEY=VALUE, with KEY one of {KEYS}"
                )));
            };
            let (key, value) = (key.trim(), value.trim());
            let percent = || match value.parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
                _ => Err(err(format!(
                    "the chaos rate {key}={value} is not a percentage: write a number from 0 to 100"
                ))),
            };
            let whole = || {
                value
                    .parse::<u64>()
                    .map_err(|_| err(format!("the chaos option {key}={value} needs a whole number")))
            };
            match key {
                "429" => spec.throttle = percent()?,
                "429bare" => spec.throttle_bare = percent()?,
                "5xx" => spec.server_error = percent()?,
                "reset" => spec.reset = percent()?,
                "late" => spec.late = percent()?,
                "revoke" => spec.revoke = percent()?,
                "down" => spec.down = percent()?,
                "retry_after" => spec.retry_after_secs = whole()?,
                "late_ms" => spec.late_ms = whole()?,
                "down_ms" => spec.down_ms = whole()?,
                _ => {
                    return Err(err(format!("{key:?} is not a chaos option: use one of {KEYS}")));
                }
            }
        }
        spec.check()?;
        Ok(spec)
    }
}

impl ChaosSpec {
    /// The rates must leave room for requests that pass.
    pub fn check(&self) -> Result<(), ChaosSpecError> {
        let rates = [
            self.throttle,
            self.throttle_bare,
            self.server_error,
            self.reset,
            self.late,
            self.revoke,
            self.down,
        ];
        if rates.iter().any(|r| !(0.0..=100.0).contains(r)) {
            return Err(ChaosSpecError(
                "every chaos rate must be a percentage from 0 to 100".to_owned(),
            ));
        }
        let total: f64 = rates.iter().sum();
        if total > 100.0 {
            return Err(ChaosSpecError(format!(
                "the chaos rates add up to {total}%, more than 100%: lower some of them"
            )));
        }
        Ok(())
    }

    /// One line for the emulator's banner.
    pub fn describe(&self) -> String {
        format!(
            "seed {}; 429 {}% (+{}% without Retry-After), 5xx {}%, reset {}%, late {}% ({} ms), revoke {}%, down {}% ({} ms)",
            self.seed,
            self.throttle,
            self.throttle_bare,
            self.server_error,
            self.reset,
            self.late,
            self.late_ms,
            self.revoke,
            self.down,
            self.down_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(spec: &ChaosSpec, n: usize) -> Vec<Option<ChaosFault>> {
        let mut c = Chaos::new(spec.clone());
        let now = Instant::now();
        (0..n).map(|_| c.draw(now)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults_in_the_same_order() {
        let spec: ChaosSpec = "7,429=10,429bare=10,5xx=10,reset=10,late=10,revoke=10,down=10"
            .parse()
            .unwrap();
        let a = sequence(&spec, 2000);
        assert_eq!(a, sequence(&spec, 2000));
        let other = ChaosSpec {
            seed: 8,
            ..spec.clone()
        };
        assert_ne!(a, sequence(&other, 2000), "another seed, another sequence");
        // Every kind shows up, at about its rate (10% of 2000 = 200 each).
        type Is = fn(&ChaosFault) -> bool;
        let count = |f: Is| a.iter().flatten().filter(|x| f(x)).count();
        let kinds: [(&str, Is); 7] = [
            ("429", |f| matches!(f, ChaosFault::Throttle(Some(_)))),
            ("429bare", |f| matches!(f, ChaosFault::Throttle(None))),
            ("5xx", |f| matches!(f, ChaosFault::ServerError(_))),
            ("reset", |f| matches!(f, ChaosFault::Reset)),
            ("late", |f| matches!(f, ChaosFault::Late(_))),
            ("revoke", |f| matches!(f, ChaosFault::Revoke)),
            ("down", |f| matches!(f, ChaosFault::Down)),
        ];
        for (name, is) in kinds {
            let n = count(is);
            assert!((140..=260).contains(&n), "{name}: {n} of 2000");
        }
        let passed = a.iter().filter(|f| f.is_none()).count();
        assert!((500..=700).contains(&passed), "{passed} passed");
    }

    #[test]
    fn counts_follow_the_draws_and_an_outage_ends() {
        let spec: ChaosSpec = "3,429=0,429bare=0,5xx=0,reset=0,late=0,revoke=0,down=100,down_ms=50"
            .parse()
            .unwrap();
        let mut c = Chaos::new(spec);
        let t0 = Instant::now();
        assert!(!c.reviews_down(t0));
        assert_eq!(c.draw(t0), Some(ChaosFault::Down));
        assert!(c.reviews_down(t0 + Duration::from_millis(49)));
        assert!(!c.reviews_down(t0 + Duration::from_millis(50)), "it comes back");
        assert_eq!((c.stats.requests, c.stats.outages, c.stats.faults()), (1, 1, 1));
    }

    #[test]
    fn zero_rates_never_fault() {
        let spec: ChaosSpec = "1,429=0,429bare=0,5xx=0,reset=0,late=0,revoke=0,down=0"
            .parse()
            .unwrap();
        assert!(sequence(&spec, 500).iter().all(Option::is_none));
    }

    #[test]
    fn the_command_line_form_reads_and_refuses_in_one_sentence() {
        let s: ChaosSpec = "42".parse().unwrap();
        assert_eq!(
            s,
            ChaosSpec {
                seed: 42,
                ..ChaosSpec::default()
            }
        );
        let s: ChaosSpec = " 9 , late=4.5, late_ms=3000 ,retry_after=2".parse().unwrap();
        assert_eq!((s.seed, s.late, s.late_ms, s.retry_after_secs), (9, 4.5, 3000, 2));
        for (bad, says) in [
            ("", "is not a whole number"),
            ("x,429=5", "is not a whole number"),
            ("1,429", "has no value"),
            ("1,429=101", "not a percentage"),
            ("1,boom=1", "is not a chaos option"),
            ("1,late_ms=-3", "needs a whole number"),
            ("1,429=60,5xx=50", "more than 100%"),
        ] {
            let e = bad.parse::<ChaosSpec>().unwrap_err().to_string();
            assert!(e.contains(says), "{bad:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn the_json_form_is_the_same_spec() {
        let j: ChaosSpec = serde_json::from_str(r#"{"seed":5,"reset":7.5}"#).unwrap();
        assert_eq!(
            j,
            ChaosSpec {
                seed: 5,
                reset: 7.5,
                ..ChaosSpec::default()
            }
        );
        assert!(serde_json::from_str::<ChaosSpec>(r#"{"seed":5,"resets":1}"#).is_err());
    }
}
