//! Passkeys: registration and the user's passkeys (signed in), login (public), and an
//! administrator's view of a user's passkeys.

use latchkey_core::api::{
    PasskeyLoginOptionsRequest, PasskeyLoginRequest, RegisterPasskeyRequest, RenamePasskeyRequest,
    UserView,
};
use latchkey_core::authn::passkey::ceremony::{self, PasskeyLogin};
use latchkey_core::store::{AppStore, SessionStore, UserStore};
use worker::{Env, Response};

use super::*;
use crate::handlers::sessions::browser_mode_ready;
use crate::keys;
use crate::signatures::WebCryptoCheck;

/// The application the signed-in user's session belongs to: passkeys are registered with
/// its relying party.
async fn session_app(cx: &Ctx) -> Result<Application, Error> {
    let (org, _, sid) = cx.user()?;
    let app_id = cx
        .store
        .get_session(org, sid)
        .await?
        .and_then(|s| s.application_id)
        .ok_or_else(|| {
            Error::invalid_field(
                "PASSKEYS_NOT_CONFIGURED",
                "this session belongs to no application, so there is no relying party",
            )
        })?;
    cx.store.get_app(org, &app_id).await?.ok_or(Error::NotFound)
}

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::PasskeyRegisterOptions => {
            let app = session_app(cx).await?;
            let (_, user, _) = cx.user()?;
            ok(&ceremony::register_options(s, &app, user, now, rng).await?)
        }
        Route::PasskeyRegister => {
            let body: RegisterPasskeyRequest = cx.json()?;
            let app = session_app(cx).await?;
            let (_, user, _) = cx.user()?;
            created(
                &ceremony::register(s, &WebCryptoCheck, &app, user, body, &cx.client, now, rng)
                    .await?,
            )
        }
        Route::ListPasskeys => {
            let (org, user, _) = cx.user()?;
            ok(&ceremony::list(s, org, user).await?)
        }
        Route::PasskeyStatus => {
            let (org, user, _) = cx.user()?;
            ok(&ceremony::status(s, org, user).await?)
        }
        Route::RenamePasskey => {
            let body: RenamePasskeyRequest = cx.json()?;
            let (org, user, _) = cx.user()?;
            let id = cx.param("passkey_id");
            ok(&ceremony::rename(s, org, user, id, &body.name).await?)
        }
        Route::DeletePasskey => {
            let (org, user, _) = cx.user()?;
            let id = cx.param("passkey_id");
            ceremony::delete(s, org, user, id, &cx.actor, now).await?;
            no_content()
        }
        Route::ListUserPasskeys => {
            let org = cx.org_id()?;
            let user = cx.param("user_id");
            s.get_user(org, user).await?.ok_or(Error::NotFound)?;
            ok(&ceremony::list(s, org, user).await?)
        }
        Route::DeleteUserPasskey => {
            let org = cx.org_id()?;
            let user = cx.param("user_id");
            ceremony::delete(s, org, user, cx.param("passkey_id"), &cx.actor, now).await?;
            no_content()
        }
        Route::PasskeyLoginOptions => {
            let body: PasskeyLoginOptionsRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            // The key the stand-in credential ids of unknown login ids derive from.
            let decoy_key = keys::csrf_secret(env)?;
            let options = ceremony::login_options(
                s,
                &app,
                body.login_id.as_deref(),
                &decoy_key,
                &cx.client,
                now,
                rng,
            )
            .await?;
            ok(&options)
        }
        Route::PasskeyLogin => {
            let body: PasskeyLoginRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            let csrf_secret = body
                .cookie
                .then(|| browser_mode_ready(cx, env, &app))
                .transpose()?;
            let keys = keys::ring(env).await?;
            let req = PasskeyLogin {
                application: &app,
                client: cx.client_with(body.device.as_ref()),
                credential: body.credential,
                trust_token: body.trust_token.as_deref(),
            };
            let done = ceremony::login(s, &WebCryptoCheck, req, login_env(cx, &keys, rng)).await?;
            let user = UserView::from(&done.user);
            login_answer(cx, done, user, csrf_secret, 200)
        }
        _ => Err(misrouted(route)),
    }
}
