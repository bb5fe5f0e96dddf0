//! Sign-up, password login, the required password change, and the signed-in user.

use latchkey_core::api::{ChangePasswordRequest, LoginRequest, SignUpRequest, UserView};
use latchkey_core::authn::password::{self, PasswordLogin};
use latchkey_core::identity::users;
use worker::{Env, Response};

use super::*;
use crate::handlers::sessions::browser_mode_ready;
use crate::keys;

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::SignUp => {
            let body: SignUpRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            check_bot(cx, env, &app, body.turnstile_token.as_deref()).await?;
            // No event: anyone may call sign-up, and nothing throttles it to bound what it writes.
            check_new_password(cx, env, None, None, &body.password).await?;
            // Browser mode: the origin is checked before anything is created.
            let csrf_secret = body
                .cookie
                .then(|| browser_mode_ready(cx, env, &app))
                .transpose()?;
            let client = cx.client_with(body.device.as_ref());
            let keys = keys::ring(env).await?;
            let email = body.email.clone();
            let signed_up =
                password::sign_up(s, &app, body, client, login_env(cx, &keys, rng)).await;
            let signed_up = match signed_up {
                // A new account is asked to confirm its address, whether or not the
                // application waits for it (`EMAIL_NOT_VERIFIED`) before the first session.
                Ok(_) | Err(Error::EmailNotVerified) => {
                    confirm_quietly(cx, &app, &email).await;
                    signed_up
                }
                // An address that has an account, answered as a new one is; its owner gets
                // a reset link.
                Err(e) if password::conceals_taken_address(&app, &e) => {
                    let _ = super::passwordless::send_reset(cx, &app, &email).await;
                    Err(Error::EmailNotVerified)
                }
                Err(e) => Err(e),
            };
            let (done, view) = signed_up?;
            login_answer(cx, done, view, csrf_secret, 201)
        }
        Route::Login => {
            let body: LoginRequest = cx.json()?;
            required("INVALID_LOGIN_ID", "login_id", &body.login_id)?;
            required("INVALID_PASSWORD", "password", &body.password)?;
            // The application and, in the same round trip, what the login will read of the
            // account (found by the login id as the login normalises it).
            let app = match latchkey_core::validate::login_id(&body.login_id) {
                Ok(login_id) => cx
                    .store
                    .application_reading_ahead(
                        body.client_id.trim(),
                        &login_id,
                        latchkey_core::records::risk::HISTORY,
                        cx.client.ip.as_deref(),
                        cx.now,
                    )
                    .await?
                    .ok_or_else(no_such_client)?,
                Err(_) => app_by_client_id(cx, &body.client_id).await?,
            };
            cx.vouch(&app);
            check_bot(cx, env, &app, body.turnstile_token.as_deref()).await?;
            let csrf_secret = body
                .cookie
                .then(|| browser_mode_ready(cx, env, &app))
                .transpose()?;
            let keys = keys::ring(env).await?;
            let req = PasswordLogin {
                organization_id: &app.organization_id,
                application: Some(&app),
                login_id: &body.login_id,
                password: &body.password,
                client: cx.client_with(body.device.as_ref()),
                no_tokens: false,
                require_registration: true,
                trust_token: body.trust_token.as_deref(),
            };
            let breached = crate::breach::PwnedPasswords::from_env(env);
            let env = login_env(cx, &keys, rng);
            let logged_in = password::password_login(s, req, &breached, env).await;
            if let Err(Error::EmailNotVerified) = &logged_in {
                // The right password: a fresh link to confirm the address.
                confirm_quietly(cx, &app, &body.login_id).await;
            }
            let done = logged_in?;
            let user = UserView::from(&done.user);
            login_answer(cx, done, user, csrf_secret, 200)
        }
        Route::CurrentUser => {
            let (org, user, _) = cx.user()?;
            ok(&users::get(s, org, user).await?)
        }
        Route::ChangePassword => {
            let body: ChangePasswordRequest = cx.json()?;
            // The organization is the one-time id's, known only once it is spent.
            check_new_password(cx, env, None, None, &body.password).await?;
            password::change_password(s, &body.change_password_id, &body.password, OWASP, now, rng)
                .await?;
            no_content()
        }
        _ => Err(misrouted(route)),
    }
}

/// Sends a confirmation link for `email` where one is due; a refusal (the cooldown, an
/// address that is a username) changes nothing in the answer.
async fn confirm_quietly(cx: &Ctx, app: &Application, email: &str) {
    if email.contains('@') {
        let _ = super::passwordless::send_verification(cx, app, email).await;
    }
}
