//! One arm per route: parse, call the core service, render. Nothing else happens here.

use latchkey_core::api::{
    AuthStatus, AuthorizeRequest, ChangePasswordRequest, LoginRequest, LogoutRequest,
    LogoutResponse, RefreshRequest, SignUpRequest, TokenRequest, TokenResponse, UserView,
};
use latchkey_core::identity::{api_keys, applications, config, organizations, roles, users};
use latchkey_core::login::{self, LoginEnv, PasswordLogin, Start};
use latchkey_core::model::Application;
use latchkey_core::password::OWASP;
use latchkey_core::routes::Route;
use latchkey_core::store::{AppStore, SessionStore, UserStore};
use latchkey_core::time::rfc3339;
use latchkey_core::tokens::KeyRing;
use latchkey_core::{cookies, pkce, records, sessions, tokens, Error};
use serde::Serialize;
use worker::{Env, Response};

use crate::ctx::{Ctx, WorkerRng};
use crate::error::AppResult;
use crate::{health, http, keys};

fn ok<T: Serialize>(body: &T) -> AppResult<Response> {
    Ok(http::json(200, body)?)
}

fn created<T: Serialize>(body: &T) -> AppResult<Response> {
    Ok(http::json(201, body)?)
}

fn no_content() -> AppResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

fn page(cx: &Ctx) -> AppResult<latchkey_core::model::Page> {
    Ok(latchkey_core::api::page(
        cx.query("limit"),
        cx.query("offset"),
    )?)
}

/// The application a native login names by client id.
async fn app_by_client_id(cx: &Ctx, client_id: &str) -> Result<Application, Error> {
    cx.store
        .get_app_by_client_id(client_id.trim())
        .await?
        .ok_or_else(|| {
            Error::invalid_field("INVALID_CLIENT_ID", "no application has this client_id")
        })
}

/// Browser mode: the refresh token leaves the body for an HttpOnly cookie, beside a CSRF
/// token (cookie and body) that cookie-authenticated refreshes must echo.
fn browser_mode(
    cx: &Ctx,
    mut body: TokenResponse,
    status: u16,
    session_expires_at: i64,
) -> AppResult<Response> {
    let refresh = body.refresh_token.take().unwrap_or_default();
    let csrf = latchkey_core::rand::hex(&latchkey_core::rand::Rng::bytes::<32>(&mut WorkerRng));
    let max_age = ((session_expires_at - cx.now) / 1000).max(0);
    body.csrf_token = Some(csrf.clone());
    let mut resp = http::json(status, &body)?;
    for c in cookies::browser_mode(&refresh, &csrf, max_age, &cx.issuer) {
        resp.headers_mut().append("set-cookie", &c)?;
    }
    Ok(resp)
}

/// Cookies are only set for, and only accepted from, the application's allowed origins
/// (when it lists any).
fn check_origin(cx: &Ctx, app: Option<&Application>) -> Result<(), Error> {
    match (cx.header("origin"), app) {
        (Some(origin), Some(app)) if !app.allowed_origins.is_empty() => {
            if app
                .allowed_origins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(origin))
            {
                Ok(())
            } else {
                Err(Error::Forbidden)
            }
        }
        _ => Ok(()),
    }
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

fn required(code: &'static str, field: &str, v: &str) -> Result<(), Error> {
    if v.trim().is_empty() {
        return Err(Error::invalid_field(code, format!("{field} is required")));
    }
    Ok(())
}

pub async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, c, now, rng) = (&cx.store, &cx.cache, cx.now, &mut WorkerRng);
    match route {
        Route::Healthz => health::handle(env).await,
        Route::OpenApi => http::openapi(),
        Route::ConfigByClientId => ok(&config::by_client_id(s, c, cx.param("client_id")).await?),
        Route::ConfigByDomain => ok(&config::by_domain(s, c, cx.param("domain")).await?),

        Route::ListOrganizations => ok(&organizations::list(s, &cx.scope, page(cx)?).await?),
        Route::CreateOrganization => {
            created(&organizations::create(s, cx.json()?, now, rng).await?)
        }
        Route::GetOrganization => {
            ok(&organizations::get(s, &cx.scope, cx.param("organization_id")).await?)
        }
        Route::UpdateOrganization => {
            let id = cx.param("organization_id");
            ok(&organizations::update(s, c, &cx.scope, id, cx.json()?, now).await?)
        }
        Route::DeleteOrganization => {
            organizations::delete(s, c, cx.param("organization_id")).await?;
            no_content()
        }

        Route::ListApiKeys => ok(&api_keys::list(s, cx.org_id()?).await?),
        Route::CreateApiKey => {
            created(&api_keys::create(s, cx.org_id()?, &cx.grants, cx.json()?, now, rng).await?)
        }
        Route::RevokeApiKey => {
            api_keys::revoke(s, cx.org_id()?, cx.param("key_id"), now).await?;
            no_content()
        }

        Route::ListApplications => ok(&applications::list(s, cx.org_id()?, page(cx)?).await?),
        Route::CreateApplication => {
            created(&applications::create(s, c, cx.org_id()?, cx.json()?, now, rng).await?)
        }
        Route::GetApplication => {
            ok(&applications::get(s, cx.org_id()?, cx.param("application_id")).await?)
        }
        Route::UpdateApplication => {
            let id = cx.param("application_id");
            ok(&applications::update(s, c, cx.org_id()?, id, cx.json()?, now).await?)
        }
        Route::DeleteApplication => {
            applications::delete(s, c, cx.org_id()?, cx.param("application_id")).await?;
            no_content()
        }

        Route::ListUsers => {
            let (email, status) = (cx.query("email"), cx.query("status"));
            ok(&users::list(s, cx.org_id()?, email, status, page(cx)?).await?)
        }
        Route::CreateUser => {
            created(&users::create(s, cx.org_id()?, cx.json()?, OWASP, now, rng).await?)
        }
        Route::GetUserByEmail => {
            ok(&users::get_by_email(s, cx.org_id()?, cx.query("email")).await?)
        }
        Route::GetUser => ok(&users::get(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::UpdateUser => {
            let id = cx.param("user_id");
            ok(&users::update(s, cx.org_id()?, id, cx.json()?, OWASP, now, rng).await?)
        }
        Route::DeleteUser => {
            users::delete(s, cx.org_id()?, cx.param("user_id")).await?;
            no_content()
        }
        Route::VerifyUserEmail => {
            ok(
                &users::set_email_verified(s, cx.org_id()?, cx.param("user_id"), cx.json()?, now)
                    .await?,
            )
        }
        Route::GetUserRoles => ok(&users::roles(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::SetUserRoles => {
            ok(&users::set_roles(s, cx.org_id()?, cx.param("user_id"), cx.json()?).await?)
        }
        Route::GetUserOrganizations => {
            ok(&organizations::of_user(s, cx.org_id()?, cx.param("user_id")).await?)
        }

        Route::ListRoles => ok(&roles::list_roles(s, cx.org_id()?).await?),
        Route::CreateRole => {
            created(&roles::create_role(s, cx.org_id()?, cx.json()?, now, rng).await?)
        }
        Route::GetRole => ok(&roles::get_role(s, cx.org_id()?, cx.param("role_id")).await?),
        Route::UpdateRole => {
            ok(&roles::update_role(s, cx.org_id()?, cx.param("role_id"), cx.json()?, now).await?)
        }
        Route::DeleteRole => {
            roles::delete_role(s, cx.org_id()?, cx.param("role_id")).await?;
            no_content()
        }
        Route::ListPermissions => ok(&roles::list_permissions(s, cx.org_id()?).await?),
        Route::CreatePermission => {
            created(&roles::create_permission(s, cx.org_id()?, cx.json()?, now, rng).await?)
        }
        Route::GetPermission => {
            ok(&roles::get_permission(s, cx.org_id()?, cx.param("permission_id")).await?)
        }
        Route::UpdatePermission => {
            let id = cx.param("permission_id");
            ok(&roles::update_permission(s, cx.org_id()?, id, cx.json()?, now).await?)
        }
        Route::DeletePermission => {
            roles::delete_permission(s, cx.org_id()?, cx.param("permission_id")).await?;
            no_content()
        }

        Route::Jwks => {
            let mut resp = http::json(200, &keys::ring(env)?.jwks())?;
            resp.headers_mut()
                .set("cache-control", "public, max-age=300")?;
            Ok(resp)
        }
        Route::OpenIdConfiguration => ok(&tokens::openid_configuration(&cx.issuer)),
        Route::SignUp => {
            let body: SignUpRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            if !app
                .login_methods
                .contains(&latchkey_core::model::LoginMethod::Password)
            {
                return Err(Error::invalid_field(
                    "LOGIN_METHOD_DISABLED",
                    "password sign-up is not enabled for this application",
                )
                .into());
            }
            let input = latchkey_core::api::CreateUser {
                email: body.email.clone(),
                password: Some(body.password),
                username: body.username,
                name: body.name,
                email_verified: false,
                password_change_required: false,
                expires_at: None,
            };
            let view = users::create(s, &app.organization_id, input, OWASP, now, rng).await?;
            login::registrations::register(s, &app.organization_id, &view.id, &app.id, now).await?;
            let user = s
                .get_user(&app.organization_id, &view.id)
                .await?
                .ok_or(Error::NotFound)?;
            let keys = keys::ring(env)?;
            let env = login_env(cx, &keys, rng);
            let client = cx.client_with(body.device.as_ref());
            let done = login::establish(
                s,
                Start {
                    user: &user,
                    login_id: &body.email,
                    application: Some(&app),
                    client,
                    no_tokens: false,
                    rehash: None,
                },
                env,
            )
            .await?;
            let tokens = done
                .tokens
                .ok_or_else(|| Error::Internal("no tokens issued".into()))?;
            let resp = TokenResponse::new(&done.session.id, tokens, Some(view));
            if body.cookie {
                check_origin(cx, Some(&app))?;
                return browser_mode(cx, resp, 201, done.session.expires_at);
            }
            created(&resp)
        }
        Route::Login => {
            let body: LoginRequest = cx.json()?;
            required("INVALID_LOGIN_ID", "login_id", &body.login_id)?;
            required("INVALID_PASSWORD", "password", &body.password)?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            let keys = keys::ring(env)?;
            let req = PasswordLogin {
                organization_id: &app.organization_id,
                application: Some(&app),
                login_id: &body.login_id,
                password: &body.password,
                client: cx.client_with(body.device.as_ref()),
                no_tokens: false,
            };
            let env = login_env(cx, &keys, rng);
            if body.cookie {
                check_origin(cx, Some(&app))?;
            }
            let done = login::password_login(s, req, env).await?;
            let tokens = done
                .tokens
                .ok_or_else(|| Error::Internal("no tokens issued".into()))?;
            let resp =
                TokenResponse::new(&done.session.id, tokens, Some(UserView::from(&done.user)));
            if body.cookie {
                return browser_mode(cx, resp, 200, done.session.expires_at);
            }
            ok(&resp)
        }
        Route::Refresh => {
            let body: RefreshRequest = if cx.body.is_empty() {
                RefreshRequest::default()
            } else {
                cx.json()?
            };
            let cookie_header = cx.header("cookie");
            let (token, by_cookie) = match body.refresh_token {
                Some(t) => (t, false),
                None => {
                    let t =
                        cookies::get(cookie_header, cookies::REFRESH_COOKIE).ok_or_else(|| {
                            Error::invalid_field(
                                "INVALID_REFRESH_TOKEN",
                                "refresh_token is required",
                            )
                        })?;
                    // A cookie authenticates this request: it must prove it was not forged.
                    if !cookies::csrf_ok(cookie_header, cx.header(cookies::CSRF_HEADER)) {
                        return Err(Error::Forbidden.into());
                    }
                    (t.to_owned(), true)
                }
            };
            let keys = keys::ring(env)?;
            let env = login_env(cx, &keys, rng);
            let done = sessions::refresh(s, &token, body.client_id.as_deref(), env).await?;
            let resp = TokenResponse::new(&done.session.id, done.tokens, None);
            if by_cookie {
                let app = sessions::application_of(s, &done.session).await?;
                check_origin(cx, app.as_ref())?;
                return browser_mode(cx, resp, 200, done.session.expires_at);
            }
            ok(&resp)
        }
        Route::Logout => {
            let (org, user, session) = cx.user()?;
            let body: LogoutRequest = if cx.body.is_empty() {
                LogoutRequest::default()
            } else {
                cx.json()?
            };
            let revoked = sessions::logout(s, org, user, session, body.everywhere, now).await?;
            let mut resp = http::json(200, &LogoutResponse { revoked })?;
            if cookies::get(cx.header("cookie"), cookies::REFRESH_COOKIE).is_some() {
                for c in cookies::browser_mode("", "", 0, &cx.issuer) {
                    resp.headers_mut().append("set-cookie", &c)?;
                }
            }
            Ok(resp)
        }
        Route::AuthStatus => {
            let (org, user, session) = cx.user()?;
            let found = s
                .get_session(org, session)
                .await?
                .ok_or(Error::Unauthorized)?;
            ok(&AuthStatus {
                authenticated: true,
                user_id: user.to_owned(),
                session_id: session.to_owned(),
                organization_id: org.to_owned(),
                session_expires_at: rfc3339(found.expires_at),
            })
        }
        Route::CurrentUser => {
            let (org, user, _) = cx.user()?;
            ok(&users::get(s, org, user).await?)
        }
        Route::ListOwnSessions => {
            let (org, user, session) = cx.user()?;
            ok(&sessions::list(s, org, user, Some(session), now).await?)
        }
        Route::RevokeOwnSession => {
            let (org, user, _) = cx.user()?;
            sessions::revoke(s, org, user, cx.param("session_id"), now).await?;
            no_content()
        }
        Route::ListUserSessions => {
            let org = cx.org_id()?;
            let user = users::get(s, org, cx.param("user_id")).await?;
            ok(&sessions::list(s, org, &user.id, None, now).await?)
        }
        Route::RevokeUserSession => {
            sessions::revoke(
                s,
                cx.org_id()?,
                cx.param("user_id"),
                cx.param("session_id"),
                now,
            )
            .await?;
            no_content()
        }
        Route::LoginApiLogin => crate::login_api::login(cx, env).await,
        Route::LoginApiTwoFactor => crate::login_api::two_factor_login(cx).await,
        Route::LoginApiPingJwt => crate::login_api::update_login_instant_jwt(cx).await,
        Route::LoginApiPingUser => crate::login_api::update_login_instant(cx, false).await,
        Route::LoginApiPing => crate::login_api::update_login_instant(cx, true).await,
        Route::LoginApiLogout => crate::login_api::logout(cx).await,
        Route::ChangePassword => {
            let body: ChangePasswordRequest = cx.json()?;
            login::change_password(s, &body.change_password_id, &body.password, OWASP, now, rng)
                .await?;
            no_content()
        }
        Route::ListRegistrations => {
            ok(&login::registrations::list(s, cx.org_id()?, cx.param("user_id")).await?)
        }
        Route::Register => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            login::registrations::register(s, cx.org_id()?, user, app, now).await?;
            no_content()
        }
        Route::Unregister => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            login::registrations::unregister(s, cx.org_id()?, user, app).await?;
            no_content()
        }
        Route::Authorize => {
            let body: AuthorizeRequest = cx.json()?;
            required("INVALID_LOGIN_ID", "login_id", &body.login_id)?;
            required("INVALID_PASSWORD", "password", &body.password)?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            let keys = keys::ring(env)?;
            let client = cx.client_with(body.device.as_ref());
            let env = login_env(cx, &keys, rng);
            ok(&pkce::authorize(s, &app, body, client, env).await?)
        }
        Route::Token => {
            let body: TokenRequest = cx.json()?;
            let keys = keys::ring(env)?;
            let env = login_env(cx, &keys, rng);
            let (session, tokens) = pkce::exchange(s, body, env).await?;
            ok(&TokenResponse::new(&session.id, tokens, None))
        }
        Route::LoginHistory => {
            let (org, user, _) = cx.user()?;
            let (limit, offset, filter) =
                (cx.query("limit"), cx.query("offset"), cx.query("filter"));
            ok(&records::history(s, org, user, limit, offset, filter).await?)
        }
        Route::UserLoginLogs => {
            ok(
                &records::login_logs(s, cx.org_id()?, cx.param("user_id"), cx.query("client_id"))
                    .await?,
            )
        }
        Route::IdentityStoreSessions => {
            let (store_id, user) = (cx.param("identity_store_id"), cx.param("user_id"));
            ok(&sessions::identity_store_sessions(s, cx.org_id()?, store_id, user, now).await?)
        }
        Route::LoginRecordSearchGet => {
            let v =
                latchkey_core::login_api::SearchRequest::from_query(|k| cx.query(k))?.validate()?;
            ok(&latchkey_core::login_api::search(s, cx.org_id()?, v).await?)
        }
        Route::LoginRecordSearchPost => {
            let v = cx
                .json::<latchkey_core::login_api::SearchRequest>()?
                .validate()?;
            ok(&latchkey_core::login_api::search(s, cx.org_id()?, v).await?)
        }
        Route::LoginRecordExportGet => {
            let v =
                latchkey_core::login_api::ExportRequest::from_query(|k| cx.query(k))?.validate()?;
            crate::export::respond(env, cx.org_id()?, v, now)
        }
        Route::LoginRecordExportPost => {
            let v = cx
                .json::<latchkey_core::login_api::ExportRequest>()?
                .validate()?;
            crate::export::respond(env, cx.org_id()?, v, now)
        }
        Route::VerifyLoginRecords => {
            let from = match cx.query("from") {
                Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    Error::invalid_field("INVALID_FROM", "from must be a positive sequence number")
                })?),
                None => None,
            };
            ok(&latchkey_core::chain::verify(
                s,
                cx.org_id()?,
                from,
                latchkey_core::chain::VERIFY_MAX,
            )
            .await?)
        }
    }
}
