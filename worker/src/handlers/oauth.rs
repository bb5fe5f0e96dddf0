//! The OpenID provider's endpoints (`/oauth2/*`, core's `oauth`): the authorization
//! endpoint serves the hosted sign-in page once the request checks out, the page trades its
//! session for the code, and the token and userinfo endpoints speak RFC 6749's wire format.

use latchkey_core::api::{OAuthGrantRequest, OAuthGrantResponse};
use latchkey_core::oauth::{self, authorize, lifecycle, token};
use latchkey_core::validate::form_decode;
use worker::{Env, Response};

use super::*;
use crate::keys;
use crate::signatures;

/// Where the hosted page's HTML lives among the static files (`www/hosted/authorize.html`).
const HOSTED_PAGE: &str = "/hosted/authorize";

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::OpenIdConfiguration => ok(&oauth::discovery(&cx.issuer)),
        Route::OAuthAuthorize => match authorize::check(s, &cx.query, &cx.issuer).await {
            Ok(_) => hosted_page(cx, env).await,
            Err(authorize::Refusal::Redirect(to)) => redirect(&to),
            Err(authorize::Refusal::Shown(e)) => html(400, &authorize::refusal_page(&e)),
        },
        Route::OAuthGrant => {
            let body: OAuthGrantRequest = cx.json()?;
            let query = body.query.strip_prefix('?').unwrap_or(&body.query);
            let pairs = form_decode(query.as_bytes())
                .ok_or_else(|| Error::oauth("invalid_request", "the query is malformed"))?;
            let (app, req) = match authorize::check(s, &pairs, &cx.issuer).await {
                Ok(checked) => checked,
                Err(authorize::Refusal::Shown(e)) => return Err(e.into()),
                // The request itself is at fault: the page sends the browser back with it.
                Err(authorize::Refusal::Redirect(to)) => {
                    return ok(&OAuthGrantResponse { redirect_to: to })
                }
            };
            let (_, _, session_id) = cx.user()?;
            let to = authorize::grant(s, &app, &req, session_id, &cx.issuer, now, rng).await?;
            ok(&OAuthGrantResponse { redirect_to: to })
        }
        Route::OAuthToken => {
            let pairs = form(cx).await?;
            let keys = keys::ring(env).await?;
            let env = login_env(cx, &keys, rng);
            ok(&token::token(s, &pairs, cx.header("authorization"), env).await?)
        }
        Route::OAuthRevoke => {
            let pairs = form(cx).await?;
            let keys = keys::ring(env).await?;
            lifecycle::revoke(
                s,
                &keys,
                &signatures::token_check(),
                &cx.issuer,
                &pairs,
                cx.header("authorization"),
                now,
            )
            .await?;
            Ok(Response::empty()?.with_status(200))
        }
        Route::OAuthIntrospect => {
            let pairs = form(cx).await?;
            let keys = keys::ring(env).await?;
            let auth = cx.header("authorization");
            ok(&lifecycle::introspect(
                s,
                &keys,
                &signatures::token_check(),
                &cx.issuer,
                &pairs,
                auth,
                now,
            )
            .await?)
        }
        Route::OAuthLogout | Route::OAuthLogoutPost => {
            let keys = keys::ring(env).await?;
            let params = if route == Route::OAuthLogoutPost {
                form(cx).await?
            } else {
                cx.query.clone()
            };
            match lifecycle::end_session(
                s,
                &keys,
                &signatures::token_check(),
                &cx.issuer,
                &params,
                now,
            )
            .await
            {
                Ok(Some(to)) => redirect(&to),
                Ok(None) => html(200, &lifecycle::signed_out_page()),
                Err(e) => html(400, &authorize::refusal_page(&e)),
            }
        }
        Route::OAuthUserinfo | Route::OAuthUserinfoPost => {
            let keys = keys::ring(env).await?;
            ok(&token::userinfo(
                s,
                &keys,
                &signatures::token_check(),
                &cx.issuer,
                cx.header("authorization"),
                now,
            )
            .await?)
        }
        Route::CreateClientSecret => {
            let app_id = cx.param("application_id");
            let secret = oauth::new_client_secret(s, cx.org_id()?, app_id, now, rng).await?;
            audit(cx, "application.client_secret_created", app_id).await?;
            created(&secret)
        }
        _ => Err(misrouted(route)),
    }
}

/// A form-encoded request's parameters (RFC 6749 §3.2); a browser's cross-origin call may
/// read the answer if the client it names allows its origin.
async fn form(cx: &Ctx) -> AppResult<Vec<(String, String)>> {
    if !cx
        .header("content-type")
        .is_some_and(|t| t.trim().starts_with("application/x-www-form-urlencoded"))
    {
        return Err(Error::oauth(
            "invalid_request",
            "send the parameters as application/x-www-form-urlencoded",
        )
        .into());
    }
    let pairs = form_decode(&cx.body)
        .ok_or_else(|| Error::oauth("invalid_request", "the body is malformed"))?;
    if let (Some((_, id)), Some(_)) = (
        pairs.iter().find(|(k, _)| k == "client_id"),
        &cx.cors_origin,
    ) {
        if let Some(app) = cx.store.get_app_by_client_id(id).await? {
            cx.vouch(&app);
        }
    }
    Ok(pairs)
}

/// The hosted sign-in page, from the static files, at the authorization endpoint's URL (its
/// script reads the request from `location.search`).
async fn hosted_page(cx: &Ctx, env: &Env) -> AppResult<Response> {
    asset(cx, env, HOSTED_PAGE).await
}
