//! Passwordless sign-in and account recovery (public): codes by email and SMS, magic links,
//! password reset, email confirmation; and the development outbox.

use latchkey_core::api::{
    CodeSent, CompletePasswordReset, DisownLoginRequest, EmailCodeRequest, MagicLinkPending,
    MagicLinkRequest, MagicLinkStatusRequest, MagicLinkTokenRequest, PasswordResetRequest,
    PasswordResetTokenRequest, SendVerificationRequest, SmsCodeRequest, UserView,
    VerifyEmailCodeRequest, VerifyEmailRequest, VerifyMagicLinkRequest, VerifySmsCodeRequest,
};
use latchkey_core::authn::passwordless::code::{self, Channel, SendCode, VerifyCode};
use latchkey_core::authn::passwordless::link::{self, LinkStatus, Poll};
use latchkey_core::authn::passwordless::reset;
use latchkey_core::authn::passwordless::verify_email;
use latchkey_core::authn::passwordless::LinkRequest;
use latchkey_core::login::alert;
use worker::{Env, Response};

use super::*;
use crate::handlers::sessions::browser_mode_ready;
use crate::keys;

/// The page sign-in links open (`www/magic-link.html`).
const LINK_PAGE: &str = "/magic-link";
/// The page reset links open (`www/reset-password.html`).
const RESET_PAGE: &str = "/reset-password";
/// The page confirmation links open (`www/verify-email.html`).
const VERIFY_PAGE: &str = "/verify-email";

/// Sends a code to `to` on `channel` for the application `client_id` names.
async fn send_code(
    cx: &Ctx,
    env: &Env,
    client_id: &str,
    channel: Channel,
    to: &str,
) -> AppResult<Response> {
    let app = app_by_client_id(cx, client_id).await?;
    cx.vouch(&app);
    let key = keys::code_key(env)?;
    let req = SendCode {
        application: &app,
        channel,
        to,
        client: &cx.client,
        key: &key,
    };
    let (sent, message) = code::send(&cx.store, req, cx.now, &mut WorkerRng).await?;
    cx.send_later(&app.organization_id, message);
    ok(&sent)
}

/// A code sign-in as its request names it.
struct CodeSignIn<'a> {
    client_id: &'a str,
    channel: Channel,
    to: &'a str,
    code: &'a str,
    device: Option<&'a latchkey_core::api::DeviceMeta>,
    cookie: bool,
    trust_token: Option<&'a str>,
}

/// Signs in with a code, answering as every login does.
async fn verify_code(cx: &Ctx, env: &Env, b: CodeSignIn<'_>) -> AppResult<Response> {
    let app = app_by_client_id(cx, b.client_id).await?;
    cx.vouch(&app);
    let csrf_secret = b
        .cookie
        .then(|| browser_mode_ready(cx, env, &app))
        .transpose()?;
    let key = keys::code_key(env)?;
    let ring = keys::ring(env).await?;
    let req = VerifyCode {
        application: &app,
        channel: b.channel,
        to: b.to,
        code: b.code,
        client: cx.client_with(b.device),
        key: &key,
        trust_token: b.trust_token,
    };
    let done = code::verify(&cx.store, req, login_env(cx, &ring, &mut WorkerRng)).await?;
    let user = UserView::from(&done.user);
    login_answer(cx, done, user, csrf_secret, 200)
}

/// Sends a link to confirm `email` to its account, if it has one not yet verified: on
/// request, after a sign-up, and after a login refused `EMAIL_NOT_VERIFIED`.
pub(super) async fn send_verification(
    cx: &Ctx,
    app: &Application,
    email: &str,
) -> Result<CodeSent, Error> {
    let page = format!("{}{VERIFY_PAGE}", cx.issuer.trim_end_matches('/'));
    let req = LinkRequest {
        application: app,
        email,
        client: &cx.client,
        link_page: &page,
    };
    let (sent, message) = verify_email::send(&cx.store, req, cx.now, &mut WorkerRng).await?;
    cx.send_later(&app.organization_id, message);
    Ok(sent)
}

/// Sends a password reset link to `email`'s account, if it has one: on request, and to the
/// owner of an address someone tried to sign up with.
pub(super) async fn send_reset(
    cx: &Ctx,
    app: &Application,
    email: &str,
) -> Result<CodeSent, Error> {
    let page = format!("{}{RESET_PAGE}", cx.issuer.trim_end_matches('/'));
    let req = LinkRequest {
        application: app,
        email,
        client: &cx.client,
        link_page: &page,
    };
    let (sent, message) = reset::request(&cx.store, req, cx.now, &mut WorkerRng).await?;
    cx.send_later(&app.organization_id, message);
    Ok(sent)
}

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::SendEmailCode | Route::ResendEmailCode => {
            let body: EmailCodeRequest = cx.json()?;
            send_code(cx, env, &body.client_id, Channel::Email, &body.email).await
        }
        Route::SendSmsCode | Route::ResendSmsCode => {
            let body: SmsCodeRequest = cx.json()?;
            send_code(cx, env, &body.client_id, Channel::Sms, &body.phone).await
        }
        Route::VerifyEmailCode => {
            let b: VerifyEmailCodeRequest = cx.json()?;
            let sign_in = CodeSignIn {
                client_id: &b.client_id,
                channel: Channel::Email,
                to: &b.email,
                code: &b.code,
                device: b.device.as_ref(),
                cookie: b.cookie,
                trust_token: b.trust_token.as_deref(),
            };
            verify_code(cx, env, sign_in).await
        }
        Route::VerifySmsCode => {
            let b: VerifySmsCodeRequest = cx.json()?;
            let sign_in = CodeSignIn {
                client_id: &b.client_id,
                channel: Channel::Sms,
                to: &b.phone,
                code: &b.code,
                device: b.device.as_ref(),
                cookie: b.cookie,
                trust_token: b.trust_token.as_deref(),
            };
            verify_code(cx, env, sign_in).await
        }
        Route::SendMagicLink | Route::ResendMagicLink => {
            let body: MagicLinkRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            let page = format!("{}{LINK_PAGE}", cx.issuer.trim_end_matches('/'));
            let req = LinkRequest {
                application: &app,
                email: &body.email,
                client: &cx.client,
                link_page: &page,
            };
            let (sent, message) = link::send(s, req, now, rng).await?;
            cx.send_later(&app.organization_id, message);
            ok(&sent)
        }
        Route::InspectMagicLink => {
            let body: MagicLinkTokenRequest = cx.json()?;
            ok(&link::inspect(s, &body.token, now).await?)
        }
        Route::VerifyMagicLink => {
            let body: VerifyMagicLinkRequest = cx.json()?;
            ok(&link::verify(s, &body.token, body.approve, &cx.client, now).await?)
        }
        Route::MagicLinkStatus => {
            let body: MagicLinkStatusRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            let csrf_secret = body
                .cookie
                .then(|| browser_mode_ready(cx, env, &app))
                .transpose()?;
            let ring = keys::ring(env).await?;
            let poll = Poll {
                application: &app,
                pending_id: &body.pending_id,
                client: cx.client_with(body.device.as_ref()),
                trust_token: body.trust_token.as_deref(),
            };
            match link::status(s, poll, login_env(cx, &ring, rng)).await? {
                LinkStatus::Pending { expires_in } => {
                    let pending = MagicLinkPending {
                        status: "pending".to_owned(),
                        expires_in,
                    };
                    Ok(crate::http::json(202, &pending)?)
                }
                LinkStatus::SignedIn(done) => {
                    let user = UserView::from(&done.user);
                    login_answer(cx, *done, user, csrf_secret, 200)
                }
            }
        }
        Route::RequestPasswordReset => {
            let body: PasswordResetRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            ok(&send_reset(cx, &app, &body.email).await?)
        }
        Route::VerifyPasswordReset => {
            let body: PasswordResetTokenRequest = cx.json()?;
            ok(&reset::inspect(s, &body.token, now).await?)
        }
        Route::CompletePasswordReset => {
            let body: CompletePasswordReset = cx.json()?;
            // A breached password is refused before the link is spent.
            check_new_password(cx, env, None, None, &body.password).await?;
            let (user, notice) =
                reset::complete(s, &body.token, &body.password, &cx.client, OWASP, now, rng)
                    .await?;
            cx.send_later(&user.organization_id, notice);
            no_content()
        }
        Route::SendVerificationEmail => {
            let body: SendVerificationRequest = cx.json()?;
            let app = app_by_client_id(cx, &body.client_id).await?;
            cx.vouch(&app);
            ok(&send_verification(cx, &app, &body.email).await?)
        }
        Route::VerifyEmail => {
            let body: VerifyEmailRequest = cx.json()?;
            ok(&verify_email::verify(s, &body.token, now).await?)
        }
        Route::DisownLogin => {
            let body: DisownLoginRequest = cx.json()?;
            ok(&alert::disown(s, &body.token, &cx.client, now).await?)
        }
        Route::DevOutbox => {
            // Development only: elsewhere the route does not exist.
            if !cx.dev {
                return Err(Error::RouteNotFound.into());
            }
            let messages = s.sent(cx.query("to")).await?;
            ok(&serde_json::json!({ "messages": messages }))
        }
        _ => Err(misrouted(route)),
    }
}
