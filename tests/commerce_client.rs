//! The Commerce client against the emulator over real TCP: a tampered SAS link is refused like
//! Azure Blob storage without the signature ever showing, a submitted review is in the next
//! (JSON) export, an unknown tenant is a clear error.

mod common;

use reviewdesk::commerce::export::{fetch_export, read_export};
use reviewdesk::commerce::sas::SasUrl;
use reviewdesk::commerce::{CommerceError, CommerceSession, ExportTicket, SubmitRequest};
use reviewdesk::config::Config;
use reviewdesk::emulator::commerce::{CommerceSettingsPatch, ExportFormat};
use reviewdesk::emulator::{EmulatorConfig, EmulatorHandle};
use reviewdesk::profiles::{CommerceSite, Profile, ProfileKind};
use reviewdesk::session::quick_retry;

fn session(emu: &EmulatorHandle, rnr_tenant: &str) -> CommerceSession {
    let profile = Profile {
        kind: ProfileKind::Commerce,
        tenant: reviewdesk::emulator::DEFAULT_TENANT_ID.into(),
        client_id: reviewdesk::emulator::DEFAULT_CLIENT_ID.into(),
        commerce: Some(CommerceSite {
            name: "Fabrikam App".into(),
            rnr_url: emu.base_url(),
            rnr_tenant: Some(rnr_tenant.into()),
            scope: None,
        }),
        login_url: Some(emu.base_url()),
        ..Profile::default()
    };
    CommerceSession::new(
        Config::default(),
        "site".into(),
        profile,
        common::default_credentials(),
        quick_retry(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_tampered_link_is_refused_and_its_signature_never_shows() {
    let emu = common::emulator(EmulatorConfig::default()).await;
    let s = session(&emu, reviewdesk::emulator::DEFAULT_TENANT_ID);
    let ticket = s.client.request_export().await.unwrap();
    let real = ticket.blob.expose().to_owned();
    let sig = real.split("sig=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    assert!(!format!("{ticket:?}").contains(&sig), "Debug redacts the signature");
    let forged = ExportTicket {
        blob: SasUrl::parse(&real.replace(&format!("sig={sig}"), "sig=AAAA")).unwrap(),
        expires: ticket.expires.clone(),
        created: ticket.created.clone(),
    };
    let mut sink = Vec::new();
    let err = s.client.download(&forged, &mut sink, &mut |_, _| {}).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, CommerceError::SasRefused { status: 403, .. }), "{text}");
    assert!(
        text.contains("Signature did not match") && !text.contains("AAAA") && !text.contains(&sig),
        "{text}"
    );
    assert!(sink.is_empty());
    assert_eq!(emu.stats().commerce.blob_refused, 1);
    // The real link works, once, streamed.
    let n = s.client.download(&ticket, &mut sink, &mut |_, _| {}).await.unwrap();
    assert_eq!(n as usize, sink.len());
}

#[tokio::test]
async fn a_submitted_review_is_in_the_next_json_export_and_a_wrong_tenant_is_named() {
    let emu = common::emulator(EmulatorConfig::default()).await;
    emu.set_commerce_settings(CommerceSettingsPatch {
        export_format: Some(ExportFormat::Json),
        ..Default::default()
    });
    let s = session(&emu, reviewdesk::emulator::DEFAULT_TENANT_ID);
    let answer = s
        .client
        .submit(&SubmitRequest {
            product_id: "68719498133".into(),
            locale: "ja-jp".into(),
            encoded_user: "legacy-7".into(),
            channel_id: None,
            market: Some("JP".into()),
            body: serde_json::json!({"Rating": 4, "Title": "雨でも快適", "ReviewText": "\u{1b}[2J軽くて丈夫", "ProductName": "Rain Shell", "submittedDateTime": "2020-02-02T00:00:00Z"}),
        })
        .await
        .unwrap();
    assert!(
        answer.contains('-'),
        "the emulator answers the new review's ID: {answer}"
    );
    let mut file = tempfile::NamedTempFile::new().unwrap();
    fetch_export(&s.client, file.as_file_mut(), &mut |_, _| {})
        .await
        .unwrap();
    let mut found = Vec::new();
    let (format, n) = read_export(file.path(), |r| {
        if r.user_name.as_deref() == Some("legacy-7") {
            found.push(r);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!((format, n), (reviewdesk::commerce::parse::FileFormat::Json, 41));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title.as_deref(), Some("雨でも快適"));
    assert_eq!(
        found[0].review_text.as_deref(),
        Some("\u{1b}[2J軽くて丈夫"),
        "kept as sent; sanitised only when shown"
    );
    assert_eq!(found[0].submitted_date_time.as_deref(), Some("2020-02-02T00:00:00Z"));

    let wrong = session(&emu, "00000000-0000-0000-0000-000000000000");
    let err = wrong.client.request_export().await.unwrap_err().to_string();
    assert!(
        err.contains("404") && err.contains("00000000-0000-0000-0000-000000000000"),
        "{err}"
    );
}
