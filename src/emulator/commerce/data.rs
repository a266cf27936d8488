//! Seeded site reviews in the storefront's `Review` shape (store-api.md §4.2b), and the export
//! file rendered from them.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use serde_json::Value;

use super::super::corpus::{HOSTILE, LANGS};
use super::super::data::Rng;

/// [INF] Commerce product record IDs and names for the sample site.
const PRODUCTS: &[(&str, &str)] = &[
    ("68719498121", "Fabrikam Trail Runner 2"),
    ("68719498133", "Fabrikam Rain Shell"),
    ("68719498150", "Contoso Insulated Bottle 750 ml"),
    ("68719498162", "Northwind Espresso Grinder"),
    ("68719498177", "Adatum Noise-Cancelling Headphones"),
];

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    pub response_id: String,
    pub review_id: String,
    pub responder_name: String,
    pub response_text: String,
    pub is_taken_down: bool,
    pub submitted_date_time: String,
    pub is_public: bool,
}

/// One review as the storefront entity names its fields.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteReview {
    pub review_id: String,
    pub product_id: String,
    pub product_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    pub user_name: String,
    pub market: String,
    pub locale: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    pub rating: f64,
    pub title: String,
    pub review_text: String,
    pub submitted_date_time: String,
    pub helpful_positive: u32,
    pub helpful_negative: u32,
    pub is_taken_down: bool,
    pub is_published: bool,
    pub is_revised: bool,
    pub updated_since_response: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_response: Option<UserResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_properties: Option<Value>,
    /// [INF] a field the storefront entity does not have, so clients must keep unknown columns.
    pub reported_concerns: String,
}

fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn locale_for(market: &str) -> String {
    let lang = match market {
        "US" | "GB" | "IN" | "AU" | "CA" | "IE" | "NZ" | "ZA" => "en",
        "DE" | "AT" | "CH" => "de",
        "FR" | "BE" => "fr",
        "JP" => "ja",
        "CN" | "TW" | "HK" => "zh",
        "KR" => "ko",
        "SA" | "AE" | "EG" => "ar",
        "IL" => "he",
        "ES" | "MX" | "AR" => "es",
        "BR" | "PT" => "pt",
        "RU" => "ru",
        _ => "en",
    };
    format!("{lang}-{}", market.to_ascii_lowercase())
}

/// `n` reviews: multilingual, some hostile, some taken down, some answered by a moderator.
pub fn generate(n: usize, seed: u64, now: NaiveDateTime) -> Vec<SiteReview> {
    let mut rng = Rng::new(seed ^ 0x52_6e_52);
    let hostile = if n == 0 { 0 } else { (n / 8).clamp(1, HOSTILE.len()) };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (product_id, product_name) = *rng.pick(PRODUCTS);
        let date = now - Duration::seconds(600 + rng.below(120 * 86_400) as i64);
        let (title, text, name, rating, market) = if let Some(h) = HOSTILE.get(i).filter(|_| i < hostile) {
            let title = h.title.unwrap_or("").to_owned();
            let text = h.text.unwrap_or("").to_owned();
            (title, text, h.name.to_owned(), f64::from(h.rating), h.market.to_owned())
        } else {
            let lang = rng.pick(LANGS);
            let sentiment = rng.below(3) as usize;
            let rating = match sentiment {
                0 => 1 + rng.below(2),
                1 => 3,
                _ => 4 + rng.below(2),
            } as f64;
            (
                rng.pick(lang.titles[sentiment]).to_string(),
                rng.pick(lang.texts[sentiment]).to_string(),
                rng.pick(lang.names).to_string(),
                rating,
                rng.pick(lang.markets).to_string(),
            )
        };
        let review_id = rng.guid();
        let answered = rng.chance(25);
        let user_response = answered.then(|| UserResponse {
            response_id: rng.guid(),
            review_id: review_id.clone(),
            responder_name: if rng.chance(50) {
                "Moderator".into()
            } else {
                "Fabrikam Care".into()
            },
            response_text: "Thank you for your feedback; we have passed it on to the product team.".into(),
            is_taken_down: false,
            submitted_date_time: iso(date + Duration::hours(20)),
            is_public: true,
        });
        let taken_down = rng.chance(8);
        out.push(SiteReview {
            review_id,
            product_id: product_id.to_owned(),
            product_name: product_name.to_owned(),
            sku: rng.chance(40).then(|| format!("{product_id}-{}", 1 + rng.below(4))),
            legal_entity: Some("USRT".to_owned()),
            locale: locale_for(&market),
            market,
            user_name: name,
            channel_id: Some("5637144592".to_owned()),
            rating,
            title,
            review_text: text,
            submitted_date_time: iso(date),
            helpful_positive: rng.below(40) as u32,
            helpful_negative: rng.below(6) as u32,
            is_taken_down: taken_down,
            is_published: !taken_down,
            is_revised: answered && rng.chance(20),
            updated_since_response: answered && rng.chance(20),
            user_response,
            extended_properties: None,
            reported_concerns: if taken_down {
                "Contains spam or advertising".into()
            } else {
                String::new()
            },
        });
    }
    out
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A review from lenient JSON (storefront names; missing fields get defaults).
pub fn from_json(v: &Value, fresh_id: String, now: NaiveDateTime) -> SiteReview {
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    SiteReview {
        review_id: text(v, "reviewId").unwrap_or(fresh_id),
        product_id: text(v, "productId").unwrap_or_else(|| PRODUCTS[0].0.to_owned()),
        product_name: text(v, "productName").unwrap_or_else(|| PRODUCTS[0].1.to_owned()),
        sku: text(v, "sku"),
        legal_entity: text(v, "legalEntity"),
        user_name: text(v, "userName").unwrap_or_else(|| "Anonymous".into()),
        market: text(v, "market").unwrap_or_else(|| "US".into()),
        locale: text(v, "locale").unwrap_or_else(|| "en-us".into()),
        channel_id: text(v, "channelId"),
        rating: v.get("rating").and_then(Value::as_f64).unwrap_or(5.0),
        title: text(v, "title").unwrap_or_default(),
        review_text: text(v, "reviewText").unwrap_or_default(),
        submitted_date_time: text(v, "submittedDateTime").unwrap_or_else(|| iso(now)),
        helpful_positive: 0,
        helpful_negative: 0,
        is_taken_down: flag("isTakenDown"),
        is_published: !flag("isTakenDown"),
        is_revised: false,
        updated_since_response: false,
        user_response: None,
        extended_properties: v.get("extendedProperties").cloned(),
        reported_concerns: String::new(),
    }
}

/// [INF] the CSV export's header: PascalCase names, the moderator response flattened.
const CSV_HEADER: &[&str] = &[
    "ReviewId",
    "ProductId",
    "ProductName",
    "Sku",
    "LegalEntity",
    "UserName",
    "Rating",
    "Title",
    "ReviewText",
    "SubmittedDateTime",
    "Market",
    "Locale",
    "ChannelId",
    "HelpfulPositive",
    "HelpfulNegative",
    "IsTakenDown",
    "IsPublished",
    "IsRevised",
    "UpdatedSinceResponse",
    "ResponderName",
    "ResponseText",
    "ResponseDateTime",
    "ExtendedProperties",
    "ReportedConcerns",
];

pub fn render_csv(reviews: &[SiteReview]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(reviews.len() * 400));
    let _ = w.write_record(CSV_HEADER);
    for r in reviews {
        let resp = r.user_response.as_ref();
        let record: [String; 24] = [
            r.review_id.clone(),
            r.product_id.clone(),
            r.product_name.clone(),
            r.sku.clone().unwrap_or_default(),
            r.legal_entity.clone().unwrap_or_default(),
            r.user_name.clone(),
            r.rating.to_string(),
            r.title.clone(),
            r.review_text.clone(),
            r.submitted_date_time.clone(),
            r.market.clone(),
            r.locale.clone(),
            r.channel_id.clone().unwrap_or_default(),
            r.helpful_positive.to_string(),
            r.helpful_negative.to_string(),
            r.is_taken_down.to_string(),
            r.is_published.to_string(),
            r.is_revised.to_string(),
            r.updated_since_response.to_string(),
            resp.map(|x| x.responder_name.clone()).unwrap_or_default(),
            resp.map(|x| x.response_text.clone()).unwrap_or_default(),
            resp.map(|x| x.submitted_date_time.clone()).unwrap_or_default(),
            r.extended_properties.as_ref().map(Value::to_string).unwrap_or_default(),
            r.reported_concerns.clone(),
        ];
        let _ = w.write_record(&record);
    }
    w.into_inner().unwrap_or_default()
}

pub fn render_json(reviews: &[SiteReview]) -> Vec<u8> {
    serde_json::to_vec(reviews).unwrap_or_default()
}
