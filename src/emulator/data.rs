//! The review model (serialised exactly as the analytics API sends it) and the seeded generator.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, Timelike};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::EmulatorConfig;
use super::corpus::{self, HOSTILE, LANGS};
use super::dates::{self, IsoDateTime7, UsDateTime};

/// SplitMix64: tiny, fast, and good enough for sample data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// GUID-shaped, but like the doc samples not necessarily RFC 4122 (no version/variant bits).
    pub fn guid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

/// One review. Field order and names follow the doc samples; absent fields are omitted.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    #[serde(serialize_with = "ser_us_date")]
    pub date: NaiveDateTime,
    pub application_id: String,
    pub application_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    pub is_revised: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_family: Option<String>,
    #[serde(rename = "deviceRAM", skip_serializing_if = "Option::is_none")]
    pub device_ram: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_screen_resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_storage_capacity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_touch_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer_name: Option<String>,
    pub rating: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_text: Option<String>,
    pub helpful_count: u32,
    pub not_helpful_count: u32,
    #[serde(serialize_with = "ser_iso_date", skip_serializing_if = "Option::is_none")]
    pub response_date: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_text: Option<String>,
    pub id: String,
    /// Hidden: the customer opted out of responses (`CanRespond` false).
    #[serde(skip)]
    pub opted_out: bool,
}

fn ser_us_date<S: Serializer>(d: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&UsDateTime(*d))
}

fn ser_iso_date<S: Serializer>(d: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&IsoDateTime7(*d)),
        None => s.serialize_none(),
    }
}

impl Review {
    /// A response exists and the customer has not revised the review since.
    // [INF] a revision is recognised by `isRevised` plus a review date later than the response;
    // the generated data keeps the old response on such reviews (the Store would hide it), so the
    // client can show "revised after your answer".
    pub fn response_locked(&self) -> bool {
        match self.response_date {
            Some(answered) => !(self.is_revised && self.date > answered),
            None => false,
        }
    }
}

pub struct AppData {
    pub name: String,
    /// From the Store listing; empty when the listing has none.
    pub support_email: String,
    pub reviews: Vec<Review>,
    /// Lower-cased review id -> index in `reviews`.
    index: HashMap<String, usize>,
    /// Bumped by every change to `reviews`, so an answer order computed before is known stale.
    generation: u64,
}

impl AppData {
    pub fn empty(app_id: &str) -> Self {
        Self {
            name: app_name(app_id),
            support_email: support_email(app_id).to_owned(),
            reviews: Vec::new(),
            index: HashMap::new(),
            generation: 0,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    // [INF] review ids are matched case-insensitively (GUIDs are case-insensitive).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Review> {
        let i = *self.index.get(&id.to_ascii_lowercase())?;
        self.generation += 1;
        self.reviews.get_mut(i)
    }

    pub fn get(&self, id: &str) -> Option<&Review> {
        let i = *self.index.get(&id.to_ascii_lowercase())?;
        self.reviews.get(i)
    }

    pub fn upsert(&mut self, review: Review) {
        self.generation += 1;
        let key = review.id.to_ascii_lowercase();
        match self.index.get(&key) {
            Some(&i) => self.reviews[i] = review,
            None => {
                self.index.insert(key, self.reviews.len());
                self.reviews.push(review);
            }
        }
    }
}

pub fn app_name(app_id: &str) -> String {
    match app_id {
        "9NBLGGGZ5QDR" => "Contoso Photo Studio".to_owned(),
        "9WZDNCRFJ3Q8" => "Fabrikam Notes".to_owned(),
        other => format!("Emulated App {other}"),
    }
}

/// Fabrikam Notes has no support address in its listing, so its `DefaultSupportEmail` is empty.
pub fn support_email(app_id: &str) -> &'static str {
    match app_id {
        "9NBLGGGZ5QDR" => "support@contoso.com",
        "9WZDNCRFJ3Q8" => "",
        _ => "support@example.com",
    }
}

/// All configured apps, keyed by upper-cased Store ID.
pub fn generate_all(config: &EmulatorConfig, now: NaiveDateTime) -> HashMap<String, AppData> {
    config
        .apps
        .iter()
        .map(|app| {
            let key = app.to_ascii_uppercase();
            let data = generate_app(&key, config.reviews_per_app, config.seed, now);
            (key, data)
        })
        .collect()
}

/// `n` reviews (hostile ones included) dated relative to `now`; same inputs, same output.
pub fn generate_app(app_id: &str, n: usize, seed: u64, now: NaiveDateTime) -> AppData {
    // Each app gets its own stream: FNV-1a of the id mixed into the seed.
    let app_hash = app_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = Rng::new(seed ^ app_hash);
    let mut app = AppData::empty(app_id);
    let hostile = if n == 0 { 0 } else { (n / 10).clamp(1, HOSTILE.len()) };
    app.reviews.reserve(n);
    for i in 0..n - hostile {
        let age_secs = match i {
            // The two newest ordinary reviews; the first hostile one (6 min) comes third.
            0 => 120,
            1 => 240,
            _ if rng.chance(3) => 100 * 86_400 + rng.below(300 * 86_400) as i64,
            _ => 900 + rng.below(85 * 86_400 - 900) as i64,
        };
        let review = ordinary(&mut rng, (app_id, &app.name), now, age_secs);
        app.upsert(review);
    }
    for (k, h) in HOSTILE.iter().take(hostile).enumerate() {
        let age_secs = if k == 0 {
            360
        } else {
            3_600 + rng.below(60 * 86_400) as i64
        };
        let review = hostile_review(&mut rng, app_id, &app.name, h, now - Duration::seconds(age_secs));
        app.upsert(review);
    }
    app
}

fn blank(rng: &mut Rng, app_id: &str, app_name: &str, date: NaiveDateTime) -> Review {
    Review {
        date,
        application_id: app_id.to_owned(),
        application_name: app_name.to_owned(),
        market: None,
        os_version: None,
        device_type: None,
        is_revised: false,
        package_version: None,
        device_model: None,
        product_family: None,
        device_ram: None,
        device_screen_resolution: None,
        device_storage_capacity: None,
        is_touch_enabled: None,
        reviewer_name: None,
        rating: 5,
        review_title: None,
        review_text: None,
        helpful_count: 0,
        not_helpful_count: 0,
        response_date: None,
        response_text: None,
        id: rng.guid(),
        opted_out: false,
    }
}

fn ordinary(rng: &mut Rng, app: (&str, &str), now: NaiveDateTime, age_secs: i64) -> Review {
    let date = now - Duration::seconds(age_secs);
    let mut r = blank(rng, app.0, app.1, date);
    let total: u32 = LANGS.iter().map(|l| l.weight).sum();
    let mut roll = rng.below(u64::from(total)) as u32;
    let lang = LANGS
        .iter()
        .find(|l| {
            let hit = roll < l.weight;
            roll = roll.saturating_sub(l.weight);
            hit
        })
        .unwrap_or(&LANGS[0]);
    // J-shaped, like real store ratings.
    r.rating = match rng.below(100) {
        0..=44 => 5,
        45..=62 => 4,
        63..=72 => 3,
        73..=80 => 2,
        _ => 1,
    };
    let mood = match r.rating {
        1 | 2 => corpus::NEGATIVE,
        3 => corpus::MIXED,
        _ => corpus::POSITIVE,
    };
    r.market = Some(rng.pick(lang.markets).to_string());
    r.reviewer_name = (!rng.chance(3)).then(|| rng.pick(lang.names).to_string());
    let phone = rng.chance(8);
    if !phone {
        // Windows Phone 8.1 and earlier reviews have no title.
        r.review_title = Some(match rng.below(100) {
            0 => corpus::ZALGO_TITLE.to_owned(),
            1..=6 => format!("{}{}", rng.pick(lang.titles[mood]), rng.pick(corpus::EMOJI_TAILS)),
            _ => rng.pick(lang.titles[mood]).to_string(),
        });
    }
    if !rng.chance(5) {
        let mut text = rng.pick(lang.texts[mood]).to_string();
        if rng.chance(30) {
            let more = *rng.pick(lang.texts[mood]);
            if !text.contains(more) {
                text.push(' ');
                text.push_str(more);
            }
        }
        if rng.chance(15) {
            text.push_str(rng.pick::<&str>(corpus::EMOJI_TAILS));
        }
        if rng.chance(1) {
            text = vec![text.as_str(); 25].join(" ");
        }
        r.review_text = Some(text);
    }
    fill_device(rng, &mut r, phone);
    r.helpful_count = if rng.chance(70) { 0 } else { rng.below(40) as u32 };
    r.not_helpful_count = if rng.chance(85) { 0 } else { rng.below(10) as u32 };
    r.opted_out = rng.chance(8);
    if rng.chance(25) {
        let reply = rng.pick(lang.replies).to_string();
        if rng.chance(30) {
            // Answered, then the customer revised the review: the response predates `date`.
            r.is_revised = true;
            r.response_date = Some(date - Duration::seconds(3_600 + rng.below(10 * 86_400) as i64));
        } else {
            // Answered after the review was written, and before now.
            let window = (age_secs - 90).clamp(1, 3 * 86_400);
            let delay = 60 + rng.below(window as u64) as i64;
            r.response_date = Some(date + Duration::seconds(delay));
        }
        let fraction = rng.below(10_000_000) as u32 * 100;
        r.response_date = r.response_date.and_then(|d| d.with_nanosecond(fraction));
        r.response_text = Some(reply);
    } else if rng.chance(5) {
        r.is_revised = true;
    }
    r
}

/// Device/OS fields are often omitted: full (old sample), typical (current sample) or bare.
fn fill_device(rng: &mut Rng, r: &mut Review, phone: bool) {
    let detail = rng.below(100);
    if detail >= 85 {
        return;
    }
    if phone {
        r.os_version = Some(rng.pick(corpus::PHONE_OS_VERSIONS).to_string());
        r.device_type = Some("Phone".to_owned());
    } else {
        r.os_version = Some(rng.pick(corpus::OS_VERSIONS).to_string());
        r.device_type = Some(rng.pick(corpus::DEVICE_TYPES).to_string());
    }
    r.package_version = Some(rng.pick(corpus::PACKAGE_VERSIONS).to_string());
    if detail < 30 {
        r.device_model = Some(rng.pick(corpus::DEVICE_MODELS).to_string());
        r.product_family = Some(
            if phone {
                "Phone"
            } else {
                rng.pick(corpus::PRODUCT_FAMILIES)
            }
            .to_owned(),
        );
        r.device_ram = Some(*rng.pick(corpus::RAM_MB));
        r.device_screen_resolution = Some(rng.pick(corpus::RESOLUTIONS).to_string());
        r.device_storage_capacity = Some(*rng.pick(corpus::STORAGE));
        r.is_touch_enabled = Some(phone || rng.chance(35));
    }
}

fn hostile_review(rng: &mut Rng, app_id: &str, app_name: &str, h: &corpus::Hostile, date: NaiveDateTime) -> Review {
    let mut r = blank(rng, app_id, app_name, date);
    r.market = Some(h.market.to_owned());
    r.os_version = Some("Windows 11".to_owned());
    r.device_type = Some("PC".to_owned());
    r.package_version = Some("3.2.1.0".to_owned());
    r.reviewer_name = Some(h.name.to_owned());
    r.rating = h.rating;
    r.review_title = h.title.map(str::to_owned);
    r.review_text = h.text.map(str::to_owned);
    r
}

/// A review from crafted JSON (camelCase Store keys). Lenient: a missing or mistyped key gets
/// its default; `date` defaults to `now`; `id` to `fresh_id`. `applicationId`/`applicationName`
/// always come from the app it is added to. Emulator-only key: `optedOut` (bool).
pub fn review_from_json(app_id: &str, app_name: &str, v: &Value, now: NaiveDateTime, fresh_id: String) -> Review {
    let get = |k: &str| v.get(k);
    let s = |k: &str| get(k).and_then(Value::as_str).map(str::to_owned);
    let n = |k: &str| get(k).and_then(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f.round() as i64)));
    let b = |k: &str| {
        get(k).and_then(|x| {
            x.as_bool()
                .or_else(|| x.as_str().and_then(|t| t.to_ascii_lowercase().parse().ok()))
        })
    };
    let when = |k: &str| s(k).and_then(|t| dates::parse_datetime_lenient(&t));
    let now = now.with_nanosecond(0).unwrap_or(now);
    Review {
        date: when("date").unwrap_or(now),
        application_id: app_id.to_owned(),
        application_name: app_name.to_owned(),
        market: s("market"),
        os_version: s("osVersion"),
        device_type: s("deviceType"),
        is_revised: b("isRevised").unwrap_or(false),
        package_version: s("packageVersion"),
        device_model: s("deviceModel"),
        product_family: s("productFamily"),
        device_ram: n("deviceRAM"),
        device_screen_resolution: s("deviceScreenResolution"),
        device_storage_capacity: n("deviceStorageCapacity"),
        is_touch_enabled: b("isTouchEnabled"),
        reviewer_name: s("reviewerName"),
        rating: n("rating").map_or(5, |r| r.clamp(1, 5) as u8),
        review_title: s("reviewTitle"),
        review_text: s("reviewText"),
        helpful_count: n("helpfulCount").map_or(0, |c| c.max(0) as u32),
        not_helpful_count: n("notHelpfulCount").map_or(0, |c| c.max(0) as u32),
        response_date: when("responseDate"),
        response_text: s("responseText"),
        id: s("id").filter(|i| !i.is_empty()).unwrap_or(fresh_id),
        opted_out: b("optedOut").unwrap_or(false),
    }
}
