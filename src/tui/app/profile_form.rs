//! The profile form: first-run setup, add and edit, of a Microsoft Store profile or a Commerce
//! site's S2S registration (Ctrl-k switches a new one between the two). Plain text fields edited
//! at their end, the client secret in a [`SecretInput`] that is never drawn and never formatted,
//! inline validation with the same validators as `reviewdesk profile add [--kind commerce]`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};
use zeroize::Zeroize;

use crate::commerce::site_fields::{check_rnr_url, check_scope, check_site_name, profile_key};
use crate::profiles::ops::{ProfileDraft, TestReport};
use crate::profiles::{
    CommerceSite, Profile, ProfileKind, check_secret, format_app_list, parse_app_list, validate_client_id,
    validate_name, validate_tenant,
};
use crate::store::validate::validate_email;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormField {
    Name,
    Tenant,
    Client,
    Secret,
    Apps,
    Email,
    /// A site's Ratings & Reviews service URL.
    RnrUrl,
    /// The connector's `tenantId`, when it is not the registration's tenant.
    RnrTenant,
    /// The token audience, when the inferred one is refused.
    Scope,
}

/// A Store profile's fields, in order.
pub const FORM_FIELDS: [FormField; 6] = [
    FormField::Name,
    FormField::Tenant,
    FormField::Client,
    FormField::Secret,
    FormField::Apps,
    FormField::Email,
];

/// A Commerce site's: the registration as site builder lists it, the secret, the site.
pub const SITE_FIELDS: [FormField; 7] = [
    FormField::Name,
    FormField::Tenant,
    FormField::Client,
    FormField::Secret,
    FormField::RnrUrl,
    FormField::RnrTenant,
    FormField::Scope,
];

/// The most fields a form has.
const MAX_FIELDS: usize = 7;

impl FormField {
    pub fn label(self) -> &'static str {
        match self {
            FormField::Name => "Name",
            FormField::Tenant => "Tenant ID",
            FormField::Client => "Client ID",
            FormField::Secret => "Client secret",
            FormField::Apps => "Store app IDs",
            FormField::Email => "Support email",
            FormField::RnrUrl => "R&R URL",
            FormField::RnrTenant => "R&R tenant ID",
            FormField::Scope => "Token scope",
        }
    }
}

/// What the form is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    /// The first run: no profile yet. Esc quits; a save continues with the new profile.
    Setup,
    Add,
    /// Editing this profile: its name is fixed, an empty secret keeps the stored one.
    Edit(String),
}

/// The secret being typed: a buffer reserved up front so that typing never reallocates (which
/// would leave copies behind), zeroised when cleared and when dropped; `Debug` redacts.
#[derive(Debug)]
pub struct SecretInput(SecretBox<String>);

/// Bytes; Entra secrets are about 40 characters.
const SECRET_CAPACITY: usize = 1024;

impl Default for SecretInput {
    fn default() -> Self {
        SecretInput(SecretBox::init_with_mut(|s: &mut String| {
            s.reserve_exact(SECRET_CAPACITY)
        }))
    }
}

impl SecretInput {
    /// False when the buffer is full.
    fn push(&mut self, c: char) -> bool {
        let s = self.0.expose_secret_mut();
        if s.len() + c.len_utf8() > s.capacity() {
            return false;
        }
        s.push(c);
        true
    }

    fn pop(&mut self) {
        self.0.expose_secret_mut().pop();
    }

    fn clear(&mut self) {
        self.0.expose_secret_mut().zeroize();
    }

    /// How many characters: the number of • drawn.
    pub fn chars(&self) -> usize {
        self.0.expose_secret().chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    fn check(&self) -> Result<(), String> {
        check_secret(self.0.expose_secret())
    }

    fn to_secret(&self) -> SecretString {
        SecretString::from(self.0.expose_secret().as_str())
    }
}

/// A connection test started from the form or the profiles screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TestState {
    Running(u64),
    Done(Result<TestReport, String>),
}

#[derive(Debug)]
pub struct ProfileForm {
    pub kind: FormKind,
    pub field: usize,
    pub name: String,
    pub tenant: String,
    pub client: String,
    pub secret: SecretInput,
    pub apps: String,
    pub email: String,
    /// What the profile is for: Store apps or a Commerce site.
    pub service: ProfileKind,
    pub rnr_url: String,
    pub rnr_tenant: String,
    pub scope: String,
    /// Inline problems, one per field, as in [`ProfileForm::fields`].
    pub errors: [Option<String>; MAX_FIELDS],
    /// Something was typed: Esc asks before throwing it away.
    pub dirty: bool,
    pub confirm_discard: bool,
    /// The save under way (its request id) and what it is doing.
    pub saving: Option<u64>,
    pub progress: Option<String>,
    /// Why the last save failed.
    pub problem: Option<String>,
    pub test: Option<TestState>,
    /// Names already taken (for a new profile).
    pub taken: Vec<String>,
    /// Profiles whose secret is stored, as (name, tenant, client ID): a new profile of the same
    /// registration takes that secret rather than asking for it again.
    pub stored_secrets: Vec<(String, String, String)>,
    /// What the form does not show (visibility, endpoint overrides) is kept from here.
    base: Profile,
}

impl ProfileForm {
    fn blank(kind: FormKind, taken: Vec<String>) -> ProfileForm {
        ProfileForm {
            kind,
            field: 0,
            name: String::new(),
            tenant: String::new(),
            client: String::new(),
            secret: SecretInput::default(),
            apps: String::new(),
            email: String::new(),
            service: ProfileKind::Store,
            rnr_url: String::new(),
            rnr_tenant: String::new(),
            scope: String::new(),
            errors: Default::default(),
            dirty: false,
            confirm_discard: false,
            saving: None,
            progress: None,
            problem: None,
            test: None,
            taken,
            stored_secrets: Vec::new(),
            base: Profile::default(),
        }
    }

    pub fn setup() -> ProfileForm {
        Self::blank(FormKind::Setup, Vec::new())
    }

    pub fn add(taken: Vec<String>) -> ProfileForm {
        Self::blank(FormKind::Add, taken)
    }

    /// Prefilled from the profile; the secret field starts empty ("keep the stored one"), and
    /// the cursor starts on the tenant (the name cannot change).
    pub fn edit(name: &str, profile: &Profile) -> ProfileForm {
        let mut f = Self::blank(FormKind::Edit(name.to_owned()), Vec::new());
        f.name = name.to_owned();
        f.tenant = profile.tenant.clone();
        f.client = profile.client_id.clone();
        f.apps = format_app_list(&profile.apps);
        f.email = profile.support_email.clone().unwrap_or_default();
        f.service = profile.kind;
        if let Some(site) = &profile.commerce {
            f.rnr_url = site.rnr_url.clone();
            f.rnr_tenant = site.rnr_tenant.clone().unwrap_or_default();
            f.scope = site.scope.clone().unwrap_or_default();
        }
        f.base = profile.clone();
        f.field = 1;
        f
    }

    /// The fields of the service the form is for.
    pub fn fields(&self) -> &'static [FormField] {
        match self.service {
            ProfileKind::Store => &FORM_FIELDS,
            ProfileKind::Commerce => &SITE_FIELDS,
        }
    }

    pub fn current(&self) -> FormField {
        self.fields()[self.field]
    }

    /// A new profile of a registration whose secret another profile has stored: that profile.
    pub fn secret_shared_with(&self) -> Option<&str> {
        if self.name_fixed() {
            return None;
        }
        let tenant = validate_tenant(&self.tenant).ok()?;
        let client = validate_client_id(&self.client).ok()?;
        self.stored_secrets
            .iter()
            .find(|(_, t, c)| t.eq_ignore_ascii_case(&tenant) && c.eq_ignore_ascii_case(&client))
            .map(|(n, _, _)| n.as_str())
    }

    /// Whether the service can still be chosen: a new profile's, not one being edited.
    pub fn service_open(&self) -> bool {
        !self.name_fixed() && self.saving.is_none()
    }

    /// Ctrl-k: a Store profile becomes a Commerce site's, and back. What was typed in the fields
    /// both have (name, tenant, client, secret) stays; the other fields' problems go.
    pub fn switch_service(&mut self) {
        if !self.service_open() {
            return;
        }
        self.service = match self.service {
            ProfileKind::Store => ProfileKind::Commerce,
            ProfileKind::Commerce => ProfileKind::Store,
        };
        self.errors = Default::default();
        self.field = self.field.min(self.fields().len() - 1);
        self.test = None;
        self.problem = None;
    }

    pub fn busy(&self) -> bool {
        self.saving.is_some() || matches!(self.test, Some(TestState::Running(_)))
    }

    fn name_fixed(&self) -> bool {
        matches!(self.kind, FormKind::Edit(_))
    }

    /// Moves to the next or previous field, checking the one left when something is in it.
    pub fn move_by(&mut self, delta: isize) {
        let left = self.field;
        if !self.is_empty(self.fields()[left]) {
            self.errors[left] = self.check(self.fields()[left]).err();
        }
        let n = self.fields().len() as isize;
        self.field = (self.field as isize + delta).rem_euclid(n) as usize;
        if self.name_fixed() && self.current() == FormField::Name {
            self.field = (self.field as isize + delta).rem_euclid(n) as usize;
        }
    }

    fn is_empty(&self, field: FormField) -> bool {
        match field {
            FormField::Secret => self.secret.is_empty(),
            f => self.text(f).is_some_and(|t| t.trim().is_empty()),
        }
    }

    fn text(&self, field: FormField) -> Option<&String> {
        match field {
            FormField::Name => Some(&self.name),
            FormField::Tenant => Some(&self.tenant),
            FormField::Client => Some(&self.client),
            FormField::Apps => Some(&self.apps),
            FormField::Email => Some(&self.email),
            FormField::RnrUrl => Some(&self.rnr_url),
            FormField::RnrTenant => Some(&self.rnr_tenant),
            FormField::Scope => Some(&self.scope),
            FormField::Secret => None,
        }
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.current() {
            FormField::Name if self.name_fixed() => None,
            FormField::Name => Some(&mut self.name),
            FormField::Tenant => Some(&mut self.tenant),
            FormField::Client => Some(&mut self.client),
            FormField::Apps => Some(&mut self.apps),
            FormField::Email => Some(&mut self.email),
            FormField::RnrUrl => Some(&mut self.rnr_url),
            FormField::RnrTenant => Some(&mut self.rnr_tenant),
            FormField::Scope => Some(&mut self.scope),
            FormField::Secret => None,
        }
    }

    fn edited(&mut self) {
        self.dirty = true;
        self.errors[self.field] = None;
        self.problem = None;
    }

    /// A key with no binding: text for the current field. Backspace deletes, Ctrl-u clears.
    pub fn input(&mut self, key: KeyEvent) {
        if self.saving.is_some() {
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let secret = self.current() == FormField::Secret;
        match key.code {
            KeyCode::Char('k') if ctrl => {
                self.switch_service();
                return;
            }
            KeyCode::Char('u') if ctrl => {
                if secret {
                    self.secret.clear();
                } else if let Some(t) = self.text_mut() {
                    t.clear();
                }
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                if secret {
                    if !self.secret.push(c) {
                        self.errors[self.field] = Some("That is longer than any client secret".to_owned());
                        return;
                    }
                } else if let Some(t) = self.text_mut() {
                    t.push(c);
                } else {
                    return;
                }
            }
            KeyCode::Backspace => {
                if secret {
                    self.secret.pop();
                } else if let Some(t) = self.text_mut() {
                    t.pop();
                }
            }
            _ => return,
        }
        self.edited();
    }

    /// A paste into the current field. Control characters (the newline a copied secret often
    /// ends with) are dropped; the text is zeroised after use.
    pub fn paste(&mut self, mut text: String) {
        if self.saving.is_some() {
            text.zeroize();
            return;
        }
        if self.current() == FormField::Secret {
            let fits = text.chars().filter(|c| !c.is_control()).all(|c| self.secret.push(c));
            self.edited();
            if !fits {
                self.errors[self.field] = Some("That is longer than any client secret".to_owned());
            }
        } else if let Some(t) = self.text_mut() {
            // A list pasted one app per line stays a list.
            let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            t.push_str(clean.trim_end());
            self.edited();
        }
        text.zeroize();
    }

    /// The problem with one field, if any.
    pub fn check(&self, field: FormField) -> Result<(), String> {
        match field {
            FormField::Name if self.service == ProfileKind::Commerce && !self.name_fixed() => {
                let key = profile_key(&check_site_name(&self.name)?);
                validate_name(&key)?;
                if self.taken.contains(&key) {
                    return Err(format!("A profile named {key} exists already"));
                }
                Ok(())
            }
            FormField::Name => {
                validate_name(self.name.trim())?;
                if matches!(self.kind, FormKind::Add | FormKind::Setup)
                    && self.taken.iter().any(|n| n == self.name.trim())
                {
                    return Err(format!("A profile named {} exists already", self.name.trim()));
                }
                Ok(())
            }
            FormField::Tenant => validate_tenant(&self.tenant).map(drop),
            FormField::Client => validate_client_id(&self.client).map(drop),
            FormField::Secret if self.secret.is_empty() && self.name_fixed() => Ok(()),
            FormField::Secret if self.secret.is_empty() && self.secret_shared_with().is_some() => Ok(()),
            FormField::Secret => self.secret.check(),
            FormField::Apps => parse_app_list(&self.apps).map(drop),
            FormField::Email if self.email.trim().is_empty() => Ok(()),
            FormField::Email => validate_email(self.email.trim()).map_err(|e| e.to_string()),
            FormField::RnrUrl => check_rnr_url(&self.rnr_url, "the R&R URL").map(drop),
            FormField::RnrTenant if self.rnr_tenant.trim().is_empty() => Ok(()),
            FormField::RnrTenant => validate_tenant(&self.rnr_tenant).map(drop),
            FormField::Scope if self.scope.trim().is_empty() => Ok(()),
            FormField::Scope => check_scope(&self.scope, "The token scope").map(drop),
        }
    }

    /// Checks `fields`, showing every problem; the cursor goes to the first one.
    fn check_all(&mut self, fields: &[FormField]) -> bool {
        let mut first = None;
        for (i, f) in self.fields().iter().enumerate() {
            if fields.contains(f) {
                self.errors[i] = self.check(*f).err();
                if self.errors[i].is_some() && first.is_none() {
                    first = Some(i);
                }
            }
        }
        if let Some(i) = first {
            self.field = i;
        }
        first.is_none()
    }

    fn draft(&self) -> ProfileDraft {
        let mut profile = self.base.clone();
        profile.kind = self.service;
        profile.tenant = validate_tenant(&self.tenant).unwrap_or_default();
        profile.client_id = validate_client_id(&self.client).unwrap_or_default();
        let mut name = self.name.trim().to_owned();
        if self.service == ProfileKind::Commerce {
            let site_name = match (&self.base.commerce, self.name_fixed()) {
                (Some(site), true) => site.name.clone(),
                _ => check_site_name(&self.name).unwrap_or_default(),
            };
            if !self.name_fixed() {
                name = profile_key(&site_name);
            }
            let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            profile.commerce = Some(CommerceSite {
                name: site_name,
                rnr_url: check_rnr_url(&self.rnr_url, "").unwrap_or_default(),
                rnr_tenant: optional(&self.rnr_tenant).and_then(|t| validate_tenant(&t).ok()),
                scope: optional(&self.scope),
            });
        } else {
            profile.apps = parse_app_list(&self.apps).unwrap_or_default();
            profile.support_email = Some(self.email.trim().to_owned()).filter(|e| !e.is_empty());
        }
        ProfileDraft {
            name,
            profile,
            secret: (!self.secret.is_empty()).then(|| self.secret.to_secret()),
            new: !self.name_fixed(),
        }
    }

    /// Everything checked: the profile to save, or `None` with the problems shown.
    pub fn to_save(&mut self) -> Option<ProfileDraft> {
        self.check_all(self.fields()).then(|| self.draft())
    }

    /// What a connection test needs: tenant, client, secret (or, editing, the stored one), and
    /// the apps or the site.
    pub fn to_test(&mut self) -> Option<ProfileDraft> {
        use FormField::*;
        let needed: &[FormField] = match self.service {
            ProfileKind::Store => &[Tenant, Client, Secret, Apps],
            ProfileKind::Commerce => &[Tenant, Client, Secret, RnrUrl, RnrTenant, Scope],
        };
        self.check_all(needed).then(|| self.draft())
    }
}

#[cfg(test)]
#[path = "profile_form_tests.rs"]
mod tests;
