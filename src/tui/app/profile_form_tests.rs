//! The profile form's checks, Store and Commerce.

use super::*;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn the_secret_is_kept_apart_and_redacted() {
    let mut f = ProfileForm::setup();
    f.field = 3;
    for c in "s3cr3t-VALUE".chars() {
        f.input(key(c));
    }
    f.paste("~tail\n".to_owned());
    assert_eq!(f.secret.chars(), 17);
    let debug = format!("{f:?}");
    assert!(!debug.contains("s3cr3t") && !debug.contains("tail"), "{debug}");
    f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert!(f.secret.is_empty());
    // Typing past the reserved buffer is refused rather than reallocated.
    f.paste("x".repeat(SECRET_CAPACITY + 5));
    assert_eq!(f.secret.chars(), SECRET_CAPACITY);
    assert!(f.errors[3].is_some());
}

#[test]
fn leaving_a_field_checks_it() {
    let mut f = ProfileForm::setup();
    f.move_by(1);
    assert!(f.errors[0].is_none(), "an empty field is not an error while moving");
    for c in "not a guid".chars() {
        f.input(key(c));
    }
    f.move_by(1);
    assert!(f.errors[1].as_deref().unwrap().contains("not a tenant ID"));
    assert_eq!(f.current(), FormField::Client);
    assert!(f.to_save().is_none());
    assert_eq!(f.current(), FormField::Name, "the cursor goes to the first problem");
    assert!(f.errors.iter().filter(|e| e.is_some()).count() >= 5);
}

#[test]
fn editing_keeps_the_name_and_the_stored_secret() {
    let p = Profile {
        tenant: "contoso.onmicrosoft.com".into(),
        client_id: "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b".into(),
        apps: parse_app_list("9NBLGGGZ5QDR=Photo").unwrap(),
        token_version: Some(crate::auth::TokenEndpointVersion::V2),
        ..Profile::default()
    };
    let mut f = ProfileForm::edit("prod", &p);
    assert_eq!(f.current(), FormField::Tenant);
    f.move_by(-1);
    assert_eq!(f.current(), FormField::Email, "the fixed name is skipped");
    let d = f.to_save().unwrap();
    assert_eq!((d.name.as_str(), d.new, d.secret.is_none()), ("prod", false, true));
    assert_eq!(d.profile, p, "unchanged, the hidden settings included");
}

fn typed(f: &mut ProfileForm, text: &str) {
    for c in text.chars() {
        f.input(key(c));
    }
}

#[test]
fn a_commerce_site_is_checked_like_profile_add_kind_commerce() {
    let mut f = ProfileForm::add(vec!["fabrikam-app".into()]);
    f.input(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
    assert_eq!(f.service, ProfileKind::Commerce);
    assert_eq!(f.fields(), &SITE_FIELDS);
    typed(&mut f, "Fabrikam App");
    assert!(
        f.check(FormField::Name)
            .unwrap_err()
            .contains("fabrikam-app exists already")
    );
    f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut f, "Fabrikam Outdoor");
    f.move_by(1);
    typed(&mut f, "fabrikam.onmicrosoft.com");
    f.move_by(1);
    typed(&mut f, "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b");
    f.move_by(1);
    typed(&mut f, "s3cr3t-value-for-the-site");
    f.move_by(1);
    assert_eq!(f.current(), FormField::RnrUrl);
    typed(&mut f, "https://fabrikam.rnr.ms/reviews");
    assert!(f.to_save().is_none());
    assert_eq!(f.current(), FormField::RnrUrl, "the cursor goes to the problem");
    assert!(
        f.errors[4].as_deref().unwrap().contains("has a path or query"),
        "{:?}",
        f.errors
    );
    f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut f, "https://fabrikam.rnr.ms/");
    let d = f.to_save().expect("valid");
    assert_eq!((d.name.as_str(), d.new), ("fabrikam-outdoor", true));
    assert_eq!(d.profile.kind, ProfileKind::Commerce);
    assert!(d.profile.apps.is_empty());
    let site = d.profile.commerce.clone().unwrap();
    assert_eq!(
        (site.name.as_str(), site.rnr_url.as_str()),
        ("Fabrikam Outdoor", "https://fabrikam.rnr.ms")
    );
    assert_eq!((site.rnr_tenant, site.scope), (None, None));
    // Edited again: a site stays a site, its name fixed, and Ctrl-k changes nothing.
    let mut e = ProfileForm::edit("fabrikam-outdoor", &d.profile);
    e.input(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
    assert_eq!(
        (e.service, e.rnr_url.as_str()),
        (ProfileKind::Commerce, "https://fabrikam.rnr.ms")
    );
    assert_eq!(e.to_save().unwrap().profile, d.profile);
}

#[test]
fn a_new_profile_of_a_registration_whose_secret_is_stored_needs_none_typed() {
    let mut f = ProfileForm::add(vec!["store".into()]);
    f.stored_secrets = vec![(
        "store".into(),
        "contoso.onmicrosoft.com".into(),
        "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b".into(),
    )];
    f.switch_service();
    typed(&mut f, "Contoso Site");
    f.move_by(1);
    typed(&mut f, "Contoso.onmicrosoft.com");
    f.move_by(1);
    typed(&mut f, "3F2A8C1E-9b7d-4e6f-8a5b-1c2d3e4f5a6b");
    f.move_by(1);
    f.move_by(1);
    typed(&mut f, "https://contoso.rnr.ms");
    assert_eq!(f.secret_shared_with(), Some("store"));
    let d = f.to_save().expect("no secret needed");
    assert!(d.secret.is_none() && d.new);
    // Another client ID: the secret is asked for.
    f.field = 2;
    f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut f, "11111111-2222-3333-4444-555555555555");
    assert_eq!(f.secret_shared_with(), None);
    assert!(f.to_save().is_none());
    assert_eq!(f.current(), FormField::Secret);
}
