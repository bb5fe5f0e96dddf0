//! Seed 003's Login API at its documented paths: parse its camelCase bodies, call the same
//! core login and session services as the native API, answer in its shapes and statuses.

use latchkey_core::authn::mfa::{self, Proof, SecondFactor};
use latchkey_core::authn::password::{self, PasswordLogin};
use latchkey_core::compat::login_api::{
    self, LoginRequest, LoginResponse, TwoFactorLoginRequest, User003,
};
use latchkey_core::error::FieldError;
use latchkey_core::http::routes::Route;
use latchkey_core::login;
use latchkey_core::model::{Application, ClientInfo};
use latchkey_core::sessions;
use latchkey_core::sessions::cookies;
use latchkey_core::sessions::tokens::lifetimes;
use latchkey_core::store::{AppStore, SessionStore, UserStore};
use latchkey_core::Error;
use worker::{Env, Response};

use crate::ctx::{Ctx, WorkerRng};
use crate::error::AppResult;
use crate::handlers::login_env;
use crate::{http, keys};

const ACCESS_COOKIE: &str = "access_token";
const REFRESH_COOKIE: &str = "refresh_token";
/// The two-factor trust cookie, as seed 003 names it.
const TRUST_COOKIE: &str = "fusionauth.trust";

fn invalid(field: &str, message: &str) -> Error {
    Error::Fields(vec![FieldError {
        field: field.to_owned(),
        code: format!("[invalid]{field}"),
        message: message.to_owned(),
    }])
}

/// The organization of the calling API key, which `X-FusionAuth-TenantId` may name but not
/// change: a different tenant is a key not valid for it.
fn tenant(cx: &Ctx) -> Result<&str, Error> {
    let org = cx.org_id()?;
    match cx.header("x-fusionauth-tenantid") {
        Some(t) if !t.trim().eq_ignore_ascii_case(org) => Err(Error::Unauthorized),
        _ => Ok(org),
    }
}

/// The client, with the IP the caller reports (body or query, then `X-Forwarded-For`'s
/// rightmost hop) and without the edge's location when that IP is not the connecting one.
fn reported_client(cx: &Ctx, body_ip: Option<&str>) -> ClientInfo {
    login_api::reported_client(cx.client.clone(), body_ip, cx.header("x-forwarded-for"))
}

async fn application(cx: &Ctx, org: &str, id: Option<&str>) -> Result<Option<Application>, Error> {
    match id {
        None => Ok(None),
        Some(id) => cx
            .store
            .get_app(org, &id.to_ascii_lowercase())
            .await?
            .map(Some)
            .ok_or_else(|| invalid("applicationId", "No application has this id.")),
    }
}

fn empty(status: u16) -> AppResult<Response> {
    Ok(Response::empty()?.with_status(status))
}

fn with_cookies(mut resp: Response, cookies: &[String]) -> AppResult<Response> {
    for c in cookies {
        resp.headers_mut().append("set-cookie", c)?;
    }
    Ok(resp)
}

pub async fn login(cx: &Ctx, env: &Env) -> AppResult<Response> {
    let valid = cx.json::<LoginRequest>()?.validate()?;
    let org = tenant(cx)?;
    let app = application(cx, org, valid.application_id.as_deref()).await?;
    let mut client = reported_client(cx, valid.ip_address.as_deref());
    crate::client::add_device(&mut client, valid.device.as_ref());
    let keys = keys::ring(env).await?;
    let req = PasswordLogin {
        organization_id: org,
        application: app.as_ref(),
        login_id: &valid.login_id,
        password: &valid.password,
        client,
        no_tokens: valid.no_jwt,
        require_registration: false,
        // The body's, else the cookie a browser kept from the two-factor login.
        trust_token: valid
            .two_factor_trust_id
            .as_deref()
            .or_else(|| cookies::get(cx.header("cookie"), TRUST_COOKIE)),
    };
    let breached = crate::breach::PwnedPasswords::from_env(env);
    let mut rng = WorkerRng;
    let env = login_env(cx, &keys, &mut rng);
    let done = password::password_login(&cx.store, req, &breached, env).await?;
    login_response(cx, app.as_ref(), done, None).await
}

/// The answer to a login that succeeded (by password, or after its second factor): 200 (or
/// 202 unregistered, 212 unverified) with the user and tokens, and the token cookies.
async fn login_response(
    cx: &Ctx,
    app: Option<&Application>,
    done: login::LoginSuccess,
    trust: Option<String>,
) -> AppResult<Response> {
    cx.send_later(&done.session.organization_id, done.alert.clone());
    let u = &done.user;
    let two_factor_enabled = !mfa::confirmed(&cx.store, &u.organization_id, &u.id)
        .await?
        .is_empty();
    let status = if done.registered {
        login_api::success_status(&done.user)
    } else {
        202
    };
    let body = LoginResponse {
        token: done.tokens.as_ref().map(|t| t.access_token.clone()),
        refresh_token: done.tokens.as_ref().map(|t| t.refresh_token.clone()),
        two_factor_trust_id: trust,
        user: User003 {
            two_factor_enabled,
            ..User003::new(&done.user, Some(cx.now))
        },
    };
    let cookies: Vec<String> = match &done.tokens {
        Some(t) => {
            let (_, refresh_ms) = lifetimes(app);
            vec![
                cookies::set_cookie(ACCESS_COOKIE, &t.access_token, None, &cx.issuer),
                cookies::set_cookie(
                    REFRESH_COOKIE,
                    &t.refresh_token,
                    Some(refresh_ms / 1000),
                    &cx.issuer,
                ),
            ]
        }
        None => Vec::new(),
    };
    with_cookies(http::json(status, &body)?, &cookies)
}

/// `POST /api/two-factor/login`: completes a login that answered 242. A wrong code is 421;
/// an unknown, used, expired or exhausted `twoFactorId` is 404 (log in again).
pub async fn two_factor_login(cx: &Ctx, env: &Env) -> AppResult<Response> {
    let org = tenant(cx)?;
    let valid = cx.json::<TwoFactorLoginRequest>()?.validate()?;
    let mut client = reported_client(cx, valid.ip_address.as_deref());
    crate::client::add_device(&mut client, valid.device.as_ref());
    let mfa_keys = crate::mfa_keys::WorkerMfaKeys::from_env(env)?;
    let ring = keys::ring(env).await?;
    let req = SecondFactor {
        mfa_token: &valid.two_factor_id,
        proof: Proof::from_code(&valid.code),
        trust_device: valid.trust_computer,
        client,
        // Another organization's twoFactorId is one this key cannot know of.
        organization_id: Some(org),
        application_id: None,
        no_tokens: valid.no_jwt,
    };
    let mut rng = WorkerRng;
    let done = mfa::complete(&cx.store, &mfa_keys, req, login_env(cx, &ring, &mut rng)).await?;
    let app = sessions::application_of(&cx.store, &done.success.session).await?;
    let mut resp = login_response(cx, app.as_ref(), done.success, done.trust_token.clone()).await?;
    if let Some(trust) = &done.trust_token {
        let days = done.trust_days;
        resp = with_cookies(
            resp,
            &[cookies::set_cookie(
                TRUST_COOKIE,
                trust,
                Some(i64::from(days) * 24 * 3600),
                &cx.issuer,
            )],
        )?;
    }
    Ok(resp)
}

fn query_ip(cx: &Ctx) -> Result<Option<&str>, Error> {
    match cx.query("ipAddress") {
        Some(ip) if !login_api::is_ip(ip.trim()) => Err(invalid("ipAddress", "Not an IP address.")),
        other => Ok(other.map(str::trim)),
    }
}

/// `PUT /api/login/{userId}[/{applicationId}]`: a login instant for a user of the key's
/// organization.
pub async fn update_login_instant(cx: &Ctx, with_app: bool) -> AppResult<Response> {
    let org = tenant(cx)?;
    let ip = query_ip(cx)?;
    let user = cx
        .store
        .get_user(org, &cx.param("userId").to_ascii_lowercase())
        .await?
        .ok_or(Error::NotFound)?;
    let app = if with_app {
        application(cx, org, Some(cx.param("applicationId"))).await?
    } else {
        None
    };
    login::ping(
        &cx.store,
        &user,
        app.as_ref(),
        reported_client(cx, ip),
        cx.now,
    )
    .await?;
    empty(200)
}

/// `PUT /api/login` with a JWT: the token's user and application.
pub async fn update_login_instant_jwt(cx: &Ctx) -> AppResult<Response> {
    let (org, user_id, session_id) = cx.user()?;
    let ip = query_ip(cx)?;
    let user = cx
        .store
        .get_user(org, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let session = cx
        .store
        .get_session(org, session_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let app = sessions::application_of(&cx.store, &session).await?;
    login::ping(
        &cx.store,
        &user,
        app.as_ref(),
        reported_client(cx, ip),
        cx.now,
    )
    .await?;
    empty(200)
}

/// `POST /api/logout`: revokes the refresh token's session (or, with `global`, all of its
/// user's sessions) and clears both cookies. Always 200: logging out reveals nothing.
pub async fn logout(cx: &Ctx) -> AppResult<Response> {
    let token = cx
        .query("refreshToken")
        .map(str::to_owned)
        .or_else(|| cookies::get(cx.header("cookie"), REFRESH_COOKIE).map(str::to_owned));
    if let Some(token) = token {
        let global = cx
            .query("global")
            .is_some_and(|g| g.eq_ignore_ascii_case("true"));
        sessions::logout_by_refresh_token(&cx.store, &token, global, cx.now).await?;
    }
    let clear = [
        cookies::set_cookie(ACCESS_COOKIE, "", Some(0), &cx.issuer),
        cookies::set_cookie(REFRESH_COOKIE, "", Some(0), &cx.issuer),
    ];
    with_cookies(Response::empty()?.with_status(200), &clear)
}

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    match route {
        Route::LoginApiLogin => login(cx, env).await,
        Route::LoginApiTwoFactor => two_factor_login(cx, env).await,
        Route::LoginApiPingJwt => update_login_instant_jwt(cx).await,
        Route::LoginApiPingUser => update_login_instant(cx, false).await,
        Route::LoginApiPing => update_login_instant(cx, true).await,
        Route::LoginApiLogout => logout(cx).await,
        _ => Err(super::misrouted(route)),
    }
}
