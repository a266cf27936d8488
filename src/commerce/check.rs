//! `profile test` and `doctor` for a Commerce site: a token for the R&R audience, then Export
//! All Reviews; and which of the values in use are documented and which are inferred.

use super::{CommerceError, CommerceSession};
use crate::profiles::ops::Check;

/// The settings in use, each with where its value comes from.
pub fn facts(session: &CommerceSession) -> Vec<String> {
    let inferred = |yes: bool| if yes { "inferred default" } else { "configured" };
    vec![
        format!(
            "R&R URL {} (configured; the per-customer host https://<rnr-id>.rnr.ms is inferred from a draft doc and the storefront samples)",
            session.client.base()
        ),
        format!(
            "token audience {} ({}; undocumented: set it with --scope if tokens are refused)",
            session.audience,
            inferred(session.audience_inferred)
        ),
        format!(
            "tenantId {} ({}; the connector's parameter, whose meaning is undocumented)",
            session.client.rnr_tenant(),
            inferred(session.site.rnr_tenant.is_none())
        ),
        "operations GET /v2.0/export/reviews/ and POST /v2.0/reviews/product/{productId}/user (observed, from the connector)".to_owned(),
        "export file format: detected (CSV, JSON or JSON lines; undocumented)".to_owned(),
    ]
}

/// A token, then the export call. When the service refuses the token the text says which
/// site-builder step allow-lists the Client App ID.
pub async fn test_site(session: &CommerceSession) -> Vec<Check> {
    let mut checks = Vec::new();
    match session.client.tokens().token().await {
        Ok(_) => checks.push(Check {
            ok: true,
            text: format!(
                "got a token for {} from {}",
                session.audience,
                session.client.tokens().token_url()
            ),
        }),
        Err(e) => {
            checks.push(Check {
                ok: false,
                text: format!("no token: {e}"),
            });
            return checks;
        }
    }
    match session.client.request_export().await {
        Ok(ticket) => checks.push(Check {
            ok: true,
            text: format!(
                "Export All Reviews answered: a download link valid until {} (the link itself is a credential and is not shown)",
                crate::sanitize::sanitize_line(&ticket.expires)
            ),
        }),
        Err(e @ CommerceError::NotAllowed { .. }) => checks.push(Check {
            ok: false,
            text: e.to_string(),
        }),
        Err(e) => checks.push(Check {
            ok: false,
            text: format!("Export All Reviews failed: {e}"),
        }),
    }
    checks
}

/// `doctor`'s section for Commerce sites: each one's settings (documented or inferred), a
/// token and the export call. Answers the number of problems found.
pub async fn doctor_sites(config: &crate::config::Config) -> usize {
    let names: Vec<String> = super::commerce_profiles(config)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return 0;
    }
    println!("\nCommerce Ratings & Reviews sites (speculative: only the connector's two operations are known)");
    let mut problems = 0;
    for name in names {
        let mut c = config.clone();
        c.selected_profile = Some(name.clone());
        match CommerceSession::resolve(c).await {
            Ok(session) => {
                println!("  {name}: {}", crate::sanitize::sanitize_line(&session.site.name));
                for fact in facts(&session) {
                    println!("    · {fact}");
                }
                for check in test_site(&session).await {
                    problems += usize::from(!check.ok);
                    println!("    {} {}", if check.ok { "✓" } else { "✗" }, check.text);
                }
            }
            Err(e) => {
                problems += 1;
                println!("  ✗ {name}: {e}");
            }
        }
    }
    problems
}

/// [`test_site`] for a registration that may not be saved yet (the TUI's form): its lines as a
/// test report, the token first.
pub async fn test_draft(
    config: &crate::config::Config,
    name: &str,
    profile: &crate::profiles::Profile,
    secret: secrecy::SecretString,
) -> anyhow::Result<crate::profiles::ops::TestReport> {
    let credentials = crate::auth::Credentials {
        tenant: profile.tenant.clone(),
        client_id: profile.client_id.clone(),
        secret,
    };
    let session = CommerceSession::new(
        config.clone(),
        name.to_owned(),
        profile.clone(),
        credentials,
        crate::http::retry::RetryPolicy::default(),
    )?;
    let mut checks = test_site(&session).await.into_iter();
    let token = checks.next().unwrap_or(Check {
        ok: false,
        text: "no token was asked for".to_owned(),
    });
    Ok(crate::profiles::ops::TestReport {
        token,
        apps: checks.collect(),
    })
}
