//! The worker's handlers, one file per area of core, so that a route's handler sits where
//! its core flow is: parse, call the core service, render. Nothing else happens here.
//!
//! [`handle`] is the one dispatch table; each area's `handle` answers its own routes.

#[cfg(feature = "signin")]
mod auth;
#[cfg(feature = "admin")]
mod export;
mod health;
#[cfg(feature = "admin")]
mod identity;
#[cfg(feature = "signin")]
mod login_api;
#[cfg(feature = "signin")]
mod mfa;
#[cfg(feature = "signin")]
mod oauth;
#[cfg(feature = "signin")]
mod passkeys;
#[cfg(feature = "signin")]
mod passwordless;
#[cfg(feature = "admin")]
mod records;
#[cfg(feature = "admin")]
mod security_events;
#[cfg(feature = "signin")]
mod sessions;
#[cfg(feature = "signin")]
mod sso;
#[cfg(feature = "admin")]
mod templates;

use latchkey_core::authn::password::OWASP;
use latchkey_core::events;
use latchkey_core::http::routes::Route;
use latchkey_core::login::LoginEnv;
use latchkey_core::model::{Application, Page};
use latchkey_core::sessions::jwt::KeyRing;
use latchkey_core::store::AppStore;
use latchkey_core::Error;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use worker::{Env, Response};

use crate::ctx::{Ctx, WorkerRng};
use crate::error::{AppError, AppResult};
use crate::http;

/// An area's answer in the making, behind a pointer. Awaited directly, every area's future was
/// inlined into one state machine: a single 840 KB function in the optimized `.wasm` (a third
/// of its code), which the runtime had to compile whole for any request. Boxed, each area's
/// poll is its own function, compiled when a request first reaches it.
type Answer<'a> = Pin<Box<dyn Future<Output = AppResult<Response>> + 'a>>;

/// Which area answers a route, and so which Worker: [`Area::is_admin`]'s areas are built into
/// the administration Worker (feature `admin`), the rest into the edge Worker (feature
/// `signin`), which passes the others' requests on (`crate::admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Health,
    OpenApi,
    Identity,
    Auth,
    OAuth,
    Sessions,
    Records,
    LoginApi,
    SecurityEvents,
    Passkeys,
    Mfa,
    Passwordless,
    Templates,
    Sso,
}

impl Area {
    /// The administration API's areas: organizations, applications, users, roles and API keys;
    /// login records' views, searches and exports; security events; message templates. (Read
    /// by the edge Worker alone, which passes their requests on.)
    #[cfg(not(feature = "admin"))]
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Area::Identity | Area::Records | Area::SecurityEvents | Area::Templates
        )
    }
}

pub async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let answer: Answer<'_> = match area(route) {
        Area::Health => Box::pin(health::handle(env)),
        Area::OpenApi => Box::pin(asset(cx, env, "/openapi.json")),
        #[cfg(feature = "admin")]
        Area::Identity => Box::pin(identity::handle(route, cx, env)),
        #[cfg(feature = "admin")]
        Area::Records => Box::pin(records::handle(route, cx, env)),
        #[cfg(feature = "admin")]
        Area::SecurityEvents => Box::pin(security_events::handle(route, cx, env)),
        #[cfg(feature = "admin")]
        Area::Templates => Box::pin(templates::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Auth => Box::pin(auth::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::OAuth => Box::pin(oauth::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Sessions => Box::pin(sessions::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::LoginApi => Box::pin(login_api::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Passkeys => Box::pin(passkeys::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Mfa => Box::pin(mfa::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Passwordless => Box::pin(passwordless::handle(route, cx, env)),
        #[cfg(feature = "signin")]
        Area::Sso => Box::pin(sso::handle(route, cx, env)),
        // An area built into the other Worker: the edge Worker passes such requests on
        // before they get here, and nothing passes them to the administration Worker.
        #[cfg(not(all(feature = "admin", feature = "signin")))]
        _ => Box::pin(async { Err(Error::RouteNotFound.into()) }),
    };
    answer.await
}

/// The area each route belongs to.
pub fn area(route: Route) -> Area {
    use Route::*;
    match route {
        Healthz => Area::Health,
        OpenApi => Area::OpenApi,
        ConfigByClientId | ConfigByDomain | ListOrganizations | CreateOrganization
        | GetOrganization | UpdateOrganization | DeleteOrganization | ListApiKeys
        | CreateApiKey | RevokeApiKey | ListApplications | CreateApplication | GetApplication
        | UpdateApplication | DeleteApplication | ListUsers | CreateUser | GetUserByEmail
        | GetUser | UpdateUser | DeleteUser | VerifyUserEmail | GetUserRoles | SetUserRoles
        | GetUserOrganizations | ListRoles | CreateRole | GetRole | UpdateRole | DeleteRole
        | ListPermissions | CreatePermission | GetPermission | UpdatePermission
        | DeletePermission | ListRegistrations | Register | Unregister | UnlockUser => {
            Area::Identity
        }
        SignUp | Login | ChangePassword | CurrentUser => Area::Auth,
        OpenIdConfiguration | OAuthAuthorize | OAuthGrant | OAuthToken | OAuthUserinfo
        | OAuthUserinfoPost | OAuthRevoke | OAuthIntrospect | OAuthLogout | OAuthLogoutPost
        | CreateClientSecret => Area::OAuth,
        Jwks
        | Refresh
        | Logout
        | AuthStatus
        | ListOwnSessions
        | RevokeOwnSession
        | RevokeOtherSessions
        | ListUserSessions
        | RevokeUserSession
        | RevokeUserSessions
        | Authorize
        | Token
        | IdentityStoreSessions => Area::Sessions,
        LoginHistory
        | UserLoginLogs
        | LoginRecordSearchGet
        | LoginRecordSearchPost
        | LoginRecordExportGet
        | LoginRecordExportPost
        | VerifyLoginRecords
        | SearchRecords
        | RecordStats
        | ExportRecords => Area::Records,
        LoginApiLogin | LoginApiTwoFactor | LoginApiPingJwt | LoginApiPingUser | LoginApiPing
        | LoginApiLogout => Area::LoginApi,
        ListSecurityEvents | GetWebhook | SetWebhook | DeleteWebhook => Area::SecurityEvents,
        PasskeyRegisterOptions
        | PasskeyRegister
        | ListPasskeys
        | PasskeyStatus
        | RenamePasskey
        | DeletePasskey
        | PasskeyLoginOptions
        | PasskeyLogin
        | ListUserPasskeys
        | DeleteUserPasskey => Area::Passkeys,
        MfaChallenge
        | MfaVerify
        | MfaEnrollAtLogin
        | ListAuthenticators
        | EnrollTotp
        | ConfirmTotp
        | TotpQrCode
        | RemoveAuthenticator
        | RegenerateBackupCodes
        | ListUserAuthenticators
        | DeleteUserAuthenticator => Area::Mfa,
        SendMagicLink
        | ResendMagicLink
        | InspectMagicLink
        | VerifyMagicLink
        | MagicLinkStatus
        | SendEmailCode
        | ResendEmailCode
        | VerifyEmailCode
        | SendSmsCode
        | ResendSmsCode
        | VerifySmsCode
        | RequestPasswordReset
        | VerifyPasswordReset
        | CompletePasswordReset
        | SendVerificationEmail
        | VerifyEmail
        | DisownLogin
        | DevOutbox => Area::Passwordless,
        ListTemplates | GetTemplate | SetTemplate | ResetTemplate | PreviewTemplate => {
            Area::Templates
        }
        ListConnections | CreateConnection | GetConnection | UpdateConnection
        | DeleteConnection | SsoStart | SsoCallback | SsoExchange | SsoLink | CreateSetupLink
        | SsoSetupInfo | SsoSetupComplete => Area::Sso,
    }
}

/// Checks a password about to be set: length, then Pwned Passwords (or, with it off or
/// unreachable, the embedded list of the most common ones). A breached one refused in
/// `org` (for `user`, where known) is a security event.
pub(super) async fn check_new_password(
    cx: &Ctx,
    env: &Env,
    org: Option<&str>,
    user: Option<&str>,
    password: &str,
) -> Result<(), Error> {
    let source = crate::breach::PwnedPasswords::from_env(env);
    let checked = latchkey_core::authn::password::breach::check_new(&source, password).await;
    if let (Err(e), Some(org)) = (&checked, org) {
        if e.code() == "PASSWORD_BREACHED" {
            let e = events::event(org, events::kinds::PASSWORD_BREACHED, cx.now)
                .actor(&cx.actor)
                .user(user)
                .client(&cx.client)
                .detail("at", "new_password")
                .detail("action", "refused");
            events::emit(&cx.store, e).await?;
        }
    }
    checked
}

/// Records an administrative change as a security event: `kind` done by the caller to
/// `target` (the id of what changed).
pub(super) async fn audit(cx: &Ctx, kind: &str, target: &str) -> Result<(), Error> {
    audit_in(cx, cx.org_id()?, kind, target).await
}

/// [`audit`] in `org`, for the platform operator's changes, which no organization scopes.
pub(super) async fn audit_in(cx: &Ctx, org: &str, kind: &str, target: &str) -> Result<(), Error> {
    let e = events::event(org, kind, cx.now)
        .actor(&cx.actor)
        .ip(cx.client.ip.as_deref())
        .detail("target", target);
    events::emit(&cx.store, e).await
}

/// Bot protection, where `app` asks for it: the request's Turnstile token must verify.
pub(super) async fn check_bot(
    cx: &Ctx,
    env: &Env,
    app: &Application,
    token: Option<&str>,
) -> Result<(), Error> {
    let turnstile = crate::bot::Turnstile::from_env(env);
    latchkey_core::authn::bot::check(app, token, cx.client.ip.as_deref(), &turnstile).await
}

/// An area's answer to a route the dispatch table sent to another area: a bug, never input.
fn misrouted(route: Route) -> AppError {
    Error::Internal(format!("route {route:?} was dispatched to the wrong area")).into()
}

pub(super) fn ok<T: Serialize>(body: &T) -> AppResult<Response> {
    Ok(http::json(200, body)?)
}

pub(super) fn created<T: Serialize>(body: &T) -> AppResult<Response> {
    Ok(http::json(201, body)?)
}

pub(super) fn no_content() -> AppResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

#[cfg(feature = "admin")]
pub(super) fn page(cx: &Ctx) -> AppResult<Page> {
    Ok(latchkey_core::api::page(
        cx.query("limit"),
        cx.query("offset"),
    )?)
}

/// The application a native login names by client id.
pub(super) async fn app_by_client_id(cx: &Ctx, client_id: &str) -> Result<Application, Error> {
    cx.store
        .get_app_by_client_id(client_id.trim())
        .await?
        .ok_or_else(no_such_client)
}

/// The answer to a client id that no application has.
pub(super) fn no_such_client() -> Error {
    Error::invalid_field("INVALID_CLIENT_ID", "no application has this client_id")
}

/// What a login needs besides the stores: the key ring, the issuer, OWASP's argon2id
/// parameters, the request's clock and the CSPRNG.
pub(crate) fn login_env<'a>(
    cx: &'a Ctx,
    keys: &'a KeyRing,
    rng: &'a mut WorkerRng,
) -> LoginEnv<'a, WorkerRng> {
    LoginEnv {
        keys,
        issuer: &cx.issuer,
        params: OWASP,
        now: cx.now,
        rng,
    }
}

#[cfg(feature = "signin")]
/// The answer to a login that succeeded: its tokens and user, in the body or, in browser
/// mode (`csrf_secret`), with the refresh token in its cookie.
pub(super) fn login_answer(
    cx: &Ctx,
    done: latchkey_core::login::LoginSuccess,
    user: latchkey_core::api::UserView,
    csrf_secret: Option<Vec<u8>>,
    status: u16,
) -> AppResult<Response> {
    login_answer_with(cx, done, user, csrf_secret, status, (None, None))
}

#[cfg(feature = "signin")]
/// [`login_answer`] after a second factor: with the device's trust token and, for a user
/// who enrolled at this login, their backup codes.
pub(super) fn login_answer_with(
    cx: &Ctx,
    done: latchkey_core::login::LoginSuccess,
    user: latchkey_core::api::UserView,
    csrf_secret: Option<Vec<u8>>,
    status: u16,
    (trust_token, backup_codes): (Option<String>, Option<Vec<String>>),
) -> AppResult<Response> {
    cx.send_later(&done.session.organization_id, done.alert.clone());
    let tokens = done
        .tokens
        .ok_or_else(|| Error::Internal("no tokens issued".into()))?;
    let mut resp = latchkey_core::api::TokenResponse::new(&done.session.id, tokens, Some(user));
    resp.trust_token = trust_token;
    resp.backup_codes = backup_codes;
    match csrf_secret {
        Some(secret) => sessions::browser_mode(cx, &secret, resp, status, &done.session),
        None => Ok(http::json(status, &resp)?),
    }
}

/// A static file (`www/`) as the answer: the OpenAPI document made at build time, the
/// hosted sign-in page.
pub(super) async fn asset(cx: &Ctx, env: &Env, path: &str) -> AppResult<Response> {
    let url = format!("{}{path}", cx.own_origin);
    let resp = env.assets(crate::ASSETS_BINDING)?.fetch(url, None).await?;
    if resp.status_code() != 200 {
        return Err(
            Error::Internal(format!("{path}: asset answered {}", resp.status_code())).into(),
        );
    }
    Ok(resp)
}

/// A redirect (302) to `to`. A location without a fragment gets an empty one: a browser
/// otherwise carries the request's own fragment over to the new address (RFC 9110
/// §10.2.2), and on this server a fragment may hold a single-use sign-in hand-off (the
/// mitigation of RFC 9700 §4.11.2).
pub(super) fn redirect(to: &str) -> AppResult<Response> {
    let headers = worker::Headers::new();
    if to.contains('#') {
        headers.set("location", to)?;
    } else {
        headers.set("location", &format!("{to}#"))?;
    }
    Ok(worker::ResponseBuilder::new()
        .with_status(302)
        .with_headers(headers)
        .empty())
}

/// An HTML page.
pub(super) fn html(status: u16, body: &str) -> AppResult<Response> {
    let headers = worker::Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    Ok(worker::ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.as_bytes().to_vec()))
}

pub(super) fn required(code: &'static str, field: &str, v: &str) -> Result<(), Error> {
    if v.trim().is_empty() {
        return Err(Error::invalid_field(code, format!("{field} is required")));
    }
    Ok(())
}
