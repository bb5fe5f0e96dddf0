//! Applications within an organization: client id, origins, redirect URIs, token lifetimes,
//! enabled login methods.

use crate::api::{ApplicationList, ApplicationView, CreateApplication, UpdateApplication};
use crate::model::{Application, LoginMethod, MfaSettings, Page};
use crate::rand::{hex, uuid_v7, Rng};
use crate::sessions::tokens::{DEFAULT_ACCESS_TTL_SECS, DEFAULT_REFRESH_TTL_SECS};
use crate::store::{AppStore, Cache, OrgStore};
use crate::{validate, Error};

use super::{changed, config, found};

const ACCESS_TTL: (u32, u32) = (60, 24 * 3600);
const REFRESH_TTL: (u32, u32) = (300, 365 * 24 * 3600);
const MAX_URIS: usize = 20;
/// Sessions of a new application end after three days without a refresh (Auth0's default
/// inactivity timeout), within their absolute lifetime.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 3 * 24 * 3600;

fn ttl(code: &'static str, v: u32, (min, max): (u32, u32)) -> Result<u32, Error> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Error::invalid_field(
            code,
            format!("must be between {min} and {max} seconds"),
        ))
    }
}

fn methods(m: Vec<LoginMethod>) -> Result<Vec<LoginMethod>, Error> {
    let mut out: Vec<LoginMethod> = Vec::new();
    for x in m {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    if out.is_empty() {
        return Err(Error::invalid_field(
            "INVALID_LOGIN_METHODS",
            "at least one login method is required",
        ));
    }
    Ok(out)
}

fn origins(v: &[String]) -> Result<Vec<String>, Error> {
    validate::list("INVALID_ALLOWED_ORIGINS", v, MAX_URIS, validate::origin)
}

fn redirects(v: &[String]) -> Result<Vec<String>, Error> {
    validate::list("INVALID_REDIRECT_URIS", v, MAX_URIS, validate::redirect_uri)
}

/// An RP ID as set: `None` or empty for the default; else a domain that at least one
/// allowed origin's host is, or is under.
fn rp_id_setting(raw: Option<&str>, app: &Application) -> Result<Option<String>, Error> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => crate::authn::passkey::check_rp_id(v, &app.allowed_origins).map(Some),
    }
}

/// Multi-factor settings as given, within bounds.
fn mfa_settings(m: MfaSettings) -> Result<MfaSettings, Error> {
    if m.trust_days > MfaSettings::MAX_TRUST_DAYS {
        return Err(Error::invalid_field(
            "INVALID_MFA_SETTINGS",
            format!(
                "mfa.trust_days must be between 0 and {}",
                MfaSettings::MAX_TRUST_DAYS
            ),
        ));
    }
    Ok(m)
}

fn check_ttls(app: &Application) -> Result<(), Error> {
    ttl(
        "INVALID_ACCESS_TOKEN_TTL_SECS",
        app.access_token_ttl_secs,
        ACCESS_TTL,
    )?;
    ttl(
        "INVALID_REFRESH_TOKEN_TTL_SECS",
        app.refresh_token_ttl_secs,
        REFRESH_TTL,
    )?;
    if app.refresh_token_ttl_secs < app.access_token_ttl_secs {
        return Err(Error::invalid_field(
            "INVALID_REFRESH_TOKEN_TTL_SECS",
            "refresh tokens must live at least as long as access tokens",
        ));
    }
    let idle = app.idle_timeout_secs;
    if idle != 0 && (idle < app.access_token_ttl_secs || idle > REFRESH_TTL.1) {
        return Err(Error::invalid_field(
            "INVALID_IDLE_TIMEOUT_SECS",
            "idle_timeout_secs must be 0 (none) or between the access-token lifetime and a year",
        ));
    }
    Ok(())
}

pub async fn create(
    store: &(impl AppStore + OrgStore),
    cache: &impl Cache,
    org_id: &str,
    input: CreateApplication,
    now: i64,
    rng: &mut impl Rng,
) -> Result<ApplicationView, Error> {
    let mut app = Application {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        name: validate::name("INVALID_NAME", &input.name, 200)?,
        client_id: hex(&rng.bytes::<16>()),
        allowed_origins: origins(&input.allowed_origins)?,
        redirect_uris: redirects(&input.redirect_uris)?,
        access_token_ttl_secs: input
            .access_token_ttl_secs
            .unwrap_or(DEFAULT_ACCESS_TTL_SECS),
        refresh_token_ttl_secs: input
            .refresh_token_ttl_secs
            .unwrap_or(DEFAULT_REFRESH_TTL_SECS),
        login_methods: methods(
            input
                .login_methods
                .unwrap_or_else(|| vec![LoginMethod::Password]),
        )?,
        self_signup: input.self_signup,
        require_verified_email: input.require_verified_email,
        admin_api: input.admin_api,
        idle_timeout_secs: input.idle_timeout_secs.unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS),
        bot_protection: input.bot_protection,
        passkey_rp_id: None,
        passkey_user_verification: input.passkey_user_verification.unwrap_or_default(),
        mfa: mfa_settings(input.mfa.unwrap_or_default())?,
        client_secret_hash: None,
        created_at: now,
        updated_at: now,
    };
    app.passkey_rp_id = rp_id_setting(input.passkey_rp_id.as_deref(), &app)?;
    check_ttls(&app)?;
    store.insert_app(&app).await?;
    // The organization's domain configuration lists its applications.
    let org = store.get_org(org_id).await?;
    config::evict(cache, &config::app_keys(&app, org.as_ref())).await;
    Ok(ApplicationView::from(&app))
}

pub async fn get(store: &impl AppStore, org_id: &str, id: &str) -> Result<ApplicationView, Error> {
    Ok(ApplicationView::from(&found(
        store.get_app(org_id, id).await,
    )?))
}

pub async fn list(
    store: &impl AppStore,
    org_id: &str,
    page: Page,
) -> Result<ApplicationList, Error> {
    let (apps, total) = store.list_apps(org_id, page).await?;
    Ok(ApplicationList {
        applications: apps.iter().map(ApplicationView::from).collect(),
        total_count: total,
        limit: page.limit,
        offset: page.offset,
    })
}

pub async fn update(
    store: &(impl AppStore + OrgStore),
    cache: &impl Cache,
    org_id: &str,
    id: &str,
    input: UpdateApplication,
    now: i64,
) -> Result<ApplicationView, Error> {
    let mut app = found(store.get_app(org_id, id).await)?;
    if let Some(name) = input.name {
        app.name = validate::name("INVALID_NAME", &name, 200)?;
    }
    if let Some(v) = input.allowed_origins {
        app.allowed_origins = origins(&v)?;
    }
    if let Some(v) = input.redirect_uris {
        app.redirect_uris = redirects(&v)?;
    }
    if let Some(v) = input.access_token_ttl_secs {
        app.access_token_ttl_secs = v;
    }
    if let Some(v) = input.refresh_token_ttl_secs {
        app.refresh_token_ttl_secs = v;
    }
    if let Some(v) = input.login_methods {
        app.login_methods = methods(v)?;
    }
    if let Some(v) = input.self_signup {
        app.self_signup = v;
    }
    if let Some(v) = input.require_verified_email {
        app.require_verified_email = v;
    }
    if let Some(v) = input.admin_api {
        app.admin_api = v;
    }
    if let Some(v) = input.idle_timeout_secs {
        app.idle_timeout_secs = v;
    }
    if let Some(v) = input.bot_protection {
        app.bot_protection = v;
    }
    if let Some(m) = input.mfa {
        app.mfa = mfa_settings(m)?;
    }
    if let Some(v) = input.passkey_user_verification {
        app.passkey_user_verification = v;
    }
    // Checked against the origins as they are after this update.
    let rp_id = input.passkey_rp_id.or_else(|| app.passkey_rp_id.take());
    app.passkey_rp_id = rp_id_setting(rp_id.as_deref(), &app)?;
    check_ttls(&app)?;
    app.updated_at = now;
    changed(store.update_app(&app).await)?;
    let org = store.get_org(org_id).await?;
    config::evict(cache, &config::app_keys(&app, org.as_ref())).await;
    Ok(ApplicationView::from(&app))
}

pub async fn delete(
    store: &(impl AppStore + OrgStore),
    cache: &impl Cache,
    org_id: &str,
    id: &str,
) -> Result<(), Error> {
    let app = found(store.get_app(org_id, id).await)?;
    changed(store.delete_app(org_id, id).await)?;
    let org = store.get_org(org_id).await?;
    config::evict(cache, &config::app_keys(&app, org.as_ref())).await;
    Ok(())
}
