//! Single sign-on (core's `authn::sso`): administrators' connections, and the widget's
//! start, the providers' callback and the hand-off exchange.

use latchkey_core::api::{
    CreateConnection, CreateSetupLink, SetupLinkToken, SsoExchangeRequest, SsoLinkRequest,
    SsoSetupRequest, SsoStartRequest, UpdateConnection, UserView,
};
use latchkey_core::authn::sso::upstream::Cached;
use latchkey_core::authn::sso::{self, flow, setup};
use latchkey_core::oauth::authorize::refusal_page;
use worker::{console_warn, Env, Response};

use super::*;
use crate::handlers::sessions::browser_mode_ready;
use crate::keys;
use crate::mfa_keys::WorkerMfaKeys;
use crate::signatures::WebCryptoCheck;
use crate::sso::FetchUpstream;

/// Providers over `fetch`, their discovery documents and keys kept in KV for an hour.
fn providers(cx: &Ctx) -> Cached<'_, FetchUpstream, crate::kv::KvCache> {
    Cached {
        http: &FetchUpstream,
        cache: &cx.cache,
    }
}

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::ListConnections => ok(&sso::list(s, cx.org_id()?, &cx.issuer).await?),
        Route::GetConnection => {
            let c = sso::get(s, cx.org_id()?, cx.param("connection_id")).await?;
            ok(&sso::view(&c, &cx.issuer))
        }
        Route::CreateConnection => {
            let org = cx.org_id()?;
            let body: CreateConnection = cx.json()?;
            let keys = WorkerMfaKeys::from_env(env)?;
            let c = sso::create(s, &keys, org, body, now, rng).await?;
            sso::evict_config(s, &cx.cache, org).await?;
            audit(cx, "connection.created", &c.id).await?;
            created(&sso::view(&c, &cx.issuer))
        }
        Route::UpdateConnection => {
            let org = cx.org_id()?;
            let body: UpdateConnection = cx.json()?;
            let keys = WorkerMfaKeys::from_env(env)?;
            let id = cx.param("connection_id");
            let c = sso::update(s, &keys, org, id, body, now, rng).await?;
            sso::evict_config(s, &cx.cache, org).await?;
            audit(cx, "connection.updated", &c.id).await?;
            ok(&sso::view(&c, &cx.issuer))
        }
        Route::DeleteConnection => {
            let org = cx.org_id()?;
            let id = cx.param("connection_id");
            sso::delete(s, org, id).await?;
            sso::evict_config(s, &cx.cache, org).await?;
            audit(cx, "connection.deleted", id).await?;
            no_content()
        }
        Route::SsoStart => {
            let b: SsoStartRequest = cx.json()?;
            let app = app_by_client_id(cx, &b.client_id).await?;
            cx.vouch(&app);
            let redirect_uri = sso::redirect_uri(&cx.issuer);
            let start = flow::Start {
                application: &app,
                connection_id: b.connection_id.as_deref(),
                email: b.email.as_deref(),
                return_to: &b.return_to,
                code_challenge: &b.code_challenge,
                own_origin: &cx.own_origin,
                redirect_uri: &redirect_uri,
                ip: cx.client.ip.as_deref(),
            };
            ok(&flow::start(s, &providers(cx), start, now, rng).await?)
        }
        Route::SsoCallback => {
            let keys = WorkerMfaKeys::from_env(env)?;
            let redirect_uri = sso::redirect_uri(&cx.issuer);
            let cb = flow::Callback {
                code: cx.query("code"),
                state: cx.query("state"),
                error: cx.query("error"),
                redirect_uri: &redirect_uri,
                client: &cx.client,
            };
            let cached = providers(cx);
            let via = flow::Upstreams {
                http: &cached,
                signatures: &WebCryptoCheck,
                keys: &keys,
            };
            match flow::callback(s, via, cb, OWASP, now, rng).await {
                Ok(landing) => {
                    if let Some(e) = &landing.error {
                        console_warn!("single sign-on refused: {e:?}");
                    }
                    redirect(&landing.redirect)
                }
                Err(e) if e.code() == "SSO_STATE_INVALID" => html(400, &refusal_page(&e)),
                Err(e) => Err(e.into()),
            }
        }
        Route::SsoExchange => {
            let b: SsoExchangeRequest = cx.json()?;
            let app = app_by_client_id(cx, &b.client_id).await?;
            cx.vouch(&app);
            let csrf_secret = b
                .cookie
                .then(|| browser_mode_ready(cx, env, &app))
                .transpose()?;
            let ring = keys::ring(env).await?;
            let x = flow::Exchange {
                application: &app,
                code: &b.code,
                code_verifier: &b.code_verifier,
                client: cx.client_with(b.device.as_ref()),
                trust_token: b.trust_token.as_deref(),
            };
            let done = flow::exchange(s, x, login_env(cx, &ring, rng)).await?;
            let user = UserView::from(&done.user);
            login_answer(cx, done, user, csrf_secret, 200)
        }
        Route::SsoLink => {
            let (org, user, _) = cx.user()?;
            let b: SsoLinkRequest = cx.json()?;
            let connection =
                flow::link_identity(s, org, user, &b.ticket, &b.code_verifier, now).await?;
            audit_in(cx, org, "identity.linked", &connection).await?;
            no_content()
        }
        Route::CreateSetupLink => {
            let org = cx.org_id()?;
            let b: CreateSetupLink = cx.json()?;
            let link =
                setup::create_link(s, org, &b.domains, b.expires_in_hours, &cx.issuer, now, rng)
                    .await?;
            audit(cx, "connection.setup_link_created", &link.domains.join(",")).await?;
            created(&link)
        }
        Route::SsoSetupInfo => {
            let b: SetupLinkToken = cx.json()?;
            ok(&setup::info(s, &b.token, &cx.issuer, now).await?)
        }
        Route::SsoSetupComplete => {
            let b: SsoSetupRequest = cx.json()?;
            let keys = WorkerMfaKeys::from_env(env)?;
            let (org, view) =
                setup::complete(s, &providers(cx), &keys, b, &cx.issuer, now, rng).await?;
            sso::evict_config(s, &cx.cache, &org).await?;
            audit_in(cx, &org, "connection.created_by_setup_link", &view.id).await?;
            created(&view)
        }
        _ => Err(misrouted(route)),
    }
}
