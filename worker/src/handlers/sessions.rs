//! Tokens and sessions: refresh, logout, status, listing and revoking, the authorization
//! code's exchange, the public keys; and browser mode's cookies.

use latchkey_core::api::{
    AuthStatus, AuthorizeRequest, LogoutRequest, LogoutResponse, RefreshRequest, TokenRequest,
    TokenResponse,
};
use latchkey_core::identity::users;
use latchkey_core::model::Session;
use latchkey_core::sessions::{self, cookies, pkce};
use latchkey_core::store::{AppStore, SessionStore};
use latchkey_core::time::rfc3339;
use worker::{Env, Response};

use super::*;
use crate::keys;

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::Jwks => {
            let mut resp = http::json(200, &keys::ring(env).await?.jwks())?;
            resp.headers_mut()
                .set("cache-control", "public, max-age=300")?;
            Ok(resp)
        }
        Route::Refresh => {
            let body: RefreshRequest = cx.json_or_default()?;
            let names = cookies::names(&cx.issuer);
            let (token, by_cookie) = match body.refresh_token {
                Some(t) => (t, false),
                None => {
                    let t = cookies::get(cx.header("cookie"), names.refresh).ok_or_else(|| {
                        Error::invalid_field("INVALID_REFRESH_TOKEN", "refresh_token is required")
                    })?;
                    (t.to_owned(), true)
                }
            };
            let csrf_secret = if by_cookie {
                Some(keys::csrf_secret(env)?)
            } else {
                None
            };
            let keys = keys::ring(env).await?;
            let env = login_env(cx, &keys, rng);
            let client_id = body.client_id.as_deref();
            let done = if let Some(secret) = &csrf_secret {
                // A cookie authenticates this request, so before anything changes it must
                // come from an origin the session's application allows and carry the
                // session's CSRF value: a refused request leaves the token unspent.
                let check = |session: &Session, app: Option<&Application>| {
                    if let Some(app) = app {
                        cx.vouch(app);
                    }
                    check_origin(cx, app)?;
                    if !cookies::csrf_ok(secret, &session.id, cx.header(cookies::CSRF_HEADER)) {
                        return Err(Error::Forbidden);
                    }
                    Ok(())
                };
                sessions::refresh_checked(s, &token, client_id, check, env).await?
            } else {
                // The token in the body is the whole credential: it turns in one round trip.
                let seen = |_: &Session, app: Option<&Application>| {
                    if let Some(app) = app {
                        cx.vouch(app);
                    }
                };
                sessions::refresh_seen(s, &token, client_id, seen, env).await?
            };
            let resp = TokenResponse::new(&done.session.id, done.tokens, None);
            if let Some(secret) = csrf_secret {
                return browser_mode(cx, &secret, resp, 200, &done.session);
            }
            ok(&resp)
        }
        Route::Logout => {
            let (org, user, session) = cx.user()?;
            let body: LogoutRequest = cx.json_or_default()?;
            let revoked = sessions::logout(s, org, user, session, body.everywhere, now).await?;
            let mut resp = http::json(200, &LogoutResponse { revoked })?;
            let names = cookies::names(&cx.issuer);
            if cookies::get(cx.header("cookie"), names.refresh).is_some() {
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
        Route::ListOwnSessions => {
            let (org, user, session) = cx.user()?;
            ok(&sessions::list(s, org, user, Some(session), now).await?)
        }
        Route::RevokeOwnSession => {
            let (org, user, _) = cx.user()?;
            sessions::revoke(s, org, user, cx.param("session_id"), now).await?;
            no_content()
        }
        Route::RevokeOtherSessions => {
            let (org, user, session) = cx.user()?;
            let revoked = sessions::revoke_others(s, org, user, session, now).await?;
            ok(&LogoutResponse { revoked })
        }
        Route::ListUserSessions => {
            let org = cx.org_id()?;
            let user = users::get(s, org, cx.param("user_id")).await?;
            ok(&sessions::list(s, org, &user.id, None, now).await?)
        }
        Route::RevokeUserSessions => {
            let revoked = users::revoke_sessions(s, cx.org_id()?, cx.param("user_id"), now).await?;
            audit(cx, "user.sessions_revoked", cx.param("user_id")).await?;
            ok(&LogoutResponse { revoked })
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
            audit(cx, "session.revoked", cx.param("session_id")).await?;
            no_content()
        }
        Route::Authorize => {
            let body: AuthorizeRequest = cx.json()?;
            required("INVALID_LOGIN_ID", "login_id", &body.login_id)?;
            required("INVALID_PASSWORD", "password", &body.password)?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            check_bot(cx, env, &app, body.turnstile_token.as_deref()).await?;
            let keys = keys::ring(env).await?;
            let client = cx.client_with(body.device.as_ref());
            let breached = crate::breach::PwnedPasswords::from_env(env);
            let env = login_env(cx, &keys, rng);
            ok(&pkce::authorize(s, &app, body, client, &breached, env).await?)
        }
        Route::Token => {
            let body: TokenRequest = cx.json()?;
            if cx.cors_origin.is_some() {
                if let Some(app) = s.get_app_by_client_id(body.client_id.trim()).await? {
                    cx.vouch(&app);
                }
            }
            let keys = keys::ring(env).await?;
            let env = login_env(cx, &keys, rng);
            let (session, tokens) = pkce::exchange(s, body, env).await?;
            ok(&TokenResponse::new(&session.id, tokens, None))
        }
        Route::IdentityStoreSessions => {
            let (store_id, user) = (cx.param("identity_store_id"), cx.param("user_id"));
            ok(&sessions::identity_store_sessions(s, cx.org_id()?, store_id, user, now).await?)
        }
        _ => Err(misrouted(route)),
    }
}

/// Browser mode: the refresh token leaves the body for an HttpOnly cookie, beside the
/// session's CSRF value (cookie and body) that cookie-authenticated refreshes must echo.
pub(super) fn browser_mode(
    cx: &Ctx,
    csrf_secret: &[u8],
    mut body: TokenResponse,
    status: u16,
    session: &Session,
) -> AppResult<Response> {
    let refresh = body.refresh_token.take().unwrap_or_default();
    let csrf = cookies::csrf_token(csrf_secret, &session.id);
    let max_age = ((session.expires_at - cx.now) / 1000).max(0);
    body.csrf_token = Some(csrf.clone());
    let mut resp = http::json(status, &body)?;
    for c in cookies::browser_mode(&refresh, &csrf, max_age, &cx.issuer) {
        resp.headers_mut().append("set-cookie", &c)?;
    }
    Ok(resp)
}

/// Browser mode's precondition, checked before anything changes: the request comes from an
/// origin the application allows. Answers the secret the session's CSRF value is made from.
pub(super) fn browser_mode_ready(cx: &Ctx, env: &Env, app: &Application) -> AppResult<Vec<u8>> {
    check_origin(cx, Some(app))?;
    Ok(keys::csrf_secret(env)?)
}

/// Cookies are only set for, and only accepted from, the application's allowed origins
/// (when it lists any) and this server's own pages.
pub(super) fn check_origin(cx: &Ctx, app: Option<&Application>) -> Result<(), Error> {
    match (cx.header("origin"), app) {
        (Some(origin), Some(app)) if !app.allowed_origins.is_empty() => {
            let allowed = origin.eq_ignore_ascii_case(&cx.own_origin)
                || app
                    .allowed_origins
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(origin));
            if allowed {
                Ok(())
            } else {
                Err(Error::OriginNotAllowed(origin.to_owned()))
            }
        }
        _ => Ok(()),
    }
}
