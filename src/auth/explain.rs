//! AADSTS codes to sentences a person can act on.
//!
//! Microsoft warns that AADSTS numbers and texts change, so behaviour never depends on them: the
//! code only chooses the advice, and an unknown code falls back to the `error` field and Entra's
//! own description.

use super::Credentials;

pub fn explain_entra_error(error: &str, aadsts: Option<u32>, creds: &Credentials, description: &str) -> String {
    let tenant = crate::sanitize::sanitize_line(&creds.tenant);
    let client = crate::sanitize::sanitize_line(&creds.client_id);
    match aadsts {
        Some(90002) => format!(
            "Tenant '{tenant}' was not found: check the directory (tenant) ID in the Entra admin center (Overview page) and that REVIEWDESK_LOGIN_URL is the cloud your tenant lives in"
        ),
        Some(900023) => format!(
            "'{tenant}' is not a tenant ID: give the directory (tenant) ID as a GUID or a verified domain such as contoso.onmicrosoft.com"
        ),
        Some(700016) => format!(
            "No application with client ID '{client}' exists in tenant '{tenant}': copy the Application (client) ID from the app registration's Overview page, and check it belongs to this tenant"
        ),
        Some(7000215) => format!(
            "The client secret was rejected: use the secret's Value (shown once when it was created), not its Secret ID, and make sure it belongs to app '{client}'"
        ),
        Some(7000222) => format!(
            "The client secret of app '{client}' has expired: create a new one under Certificates & secrets in the app registration and give it to reviewdesk"
        ),
        Some(7000218) | Some(90014) => {
            "No client secret was sent: set REVIEWDESK_CLIENT_SECRET or store a secret for this profile".to_owned()
        }
        Some(500011) => format!(
            "The Microsoft Store API is not available to tenant '{tenant}': add this Entra application to your Partner Center account (Account settings → Users → Microsoft Entra applications) with the Manager role"
        ),
        Some(70011) | Some(1002012) => {
            "Entra rejected the token scope: the v2 endpoint needs https://manage.devcenter.microsoft.com/.default; set token_version = \"v1\" in the config if your tenant needs the v1 endpoint".to_owned()
        }
        Some(901002) => {
            "The v2 token endpoint does not take a resource: set token_version = \"v2\" only with a v2 login URL, or use v1".to_owned()
        }
        Some(70003) => "Entra does not accept the client-credentials grant for this app registration".to_owned(),
        Some(50196) | Some(90055) => {
            "Entra is throttling this tenant's token requests: wait a minute and try again".to_owned()
        }
        _ => match error {
            "invalid_client" => format!("Entra rejected the client credentials of app '{client}': {description}"),
            "unauthorized_client" => format!("App '{client}' may not get tokens in tenant '{tenant}': {description}"),
            "invalid_resource" => format!("The Store API resource is not registered in tenant '{tenant}': {description}"),
            "invalid_scope" => format!("Entra rejected the requested scope: {description}"),
            _ if description.is_empty() => format!("Entra refused the token request ({error})"),
            _ => format!("Entra refused the token request: {description}"),
        },
    }
}
