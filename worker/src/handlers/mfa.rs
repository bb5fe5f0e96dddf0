//! Multi-factor authentication: a login's second step (public, with its MFA token), the
//! signed-in user's authenticators and backup codes, and an administrator's view of a
//! user's authenticators.

use latchkey_core::api::{
    ConfirmTotpRequest, MfaChallengeRequest, MfaChallengeResponse, MfaEnrollRequest,
    MfaVerifyRequest, ReauthRequest, UserView,
};
use latchkey_core::authn::mfa::{self, factors, Proof, SecondFactor};
use latchkey_core::model::User;
use latchkey_core::store::{OrgStore, SessionStore, UserStore};
use worker::{Env, Response};

use super::*;
use crate::handlers::sessions::browser_mode_ready;
use crate::keys;
use crate::mfa_keys::WorkerMfaKeys;

/// The name authenticator apps show beside the account: the organization's.
async fn issuer_label(cx: &Ctx, org: &str) -> Result<String, Error> {
    Ok(cx
        .store
        .get_org(org)
        .await?
        .map_or_else(|| "Latchkey".to_owned(), |o| o.name))
}

async fn signed_in_user(cx: &Ctx) -> Result<User, Error> {
    let (org, user, _) = cx.user()?;
    cx.store
        .get_user(org, user)
        .await?
        .ok_or(Error::Unauthorized)
}

/// A fresh first factor from the body (`password`), or a young session.
async fn reauthenticated(cx: &Ctx, user: &User) -> Result<(), Error> {
    let body: ReauthRequest = cx.json_or_default()?;
    let (org, _, sid) = cx.user()?;
    let session = cx
        .store
        .get_session(org, sid)
        .await?
        .ok_or(Error::Unauthorized)?;
    factors::reauthenticate(
        &cx.store,
        user,
        &session,
        body.password.as_deref(),
        cx.client.ip.as_deref(),
        OWASP,
        cx.now,
        &mut WorkerRng,
    )
    .await
}

/// The application a second-step request names, if any, vouched for (CORS).
async fn named_app(cx: &Ctx, client_id: Option<&str>) -> Result<Option<Application>, Error> {
    let Some(id) = client_id else {
        return Ok(None);
    };
    let app = app_by_client_id(cx, id).await?;
    cx.vouch(&app);
    Ok(Some(app))
}

/// `code` or `backup_code`, exactly one.
fn proof(body: &MfaVerifyRequest) -> Result<Proof<'_>, Error> {
    match (body.code.as_deref(), body.backup_code.as_deref()) {
        (Some(c), None) if !c.trim().is_empty() => Ok(Proof::Totp(c.trim())),
        (None, Some(b)) if !b.trim().is_empty() => Ok(Proof::BackupCode(b.trim())),
        _ => Err(Error::invalid_field(
            "INVALID_MFA_CODE",
            "send exactly one of code (the authenticator app's) and backup_code",
        )),
    }
}

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now, rng) = (&cx.store, cx.now, &mut WorkerRng);
    match route {
        Route::MfaChallenge => {
            let body: MfaChallengeRequest = cx.json()?;
            let p = mfa::challenge(s, &body.mfa_token, now).await?;
            ok(&MfaChallengeResponse {
                methods: p.methods,
                enrollment_required: p.enrollment_required,
                expires_in: p.expires_in,
            })
        }
        Route::MfaVerify => {
            let body: MfaVerifyRequest = cx.json()?;
            let proof = proof(&body)?;
            let app = named_app(cx, body.client_id.as_deref()).await?;
            let csrf_secret = match (&app, body.cookie) {
                (Some(app), true) => Some(browser_mode_ready(cx, env, app)?),
                (None, true) => {
                    return Err(Error::invalid_field(
                        "INVALID_CLIENT_ID",
                        "browser mode (cookie) needs the application's client_id",
                    )
                    .into())
                }
                (_, false) => None,
            };
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            let ring = keys::ring(env).await?;
            let req = SecondFactor {
                mfa_token: &body.mfa_token,
                proof,
                trust_device: body.trust_device,
                client: cx.client_with(body.device.as_ref()),
                organization_id: None,
                application_id: app.as_ref().map(|a| a.id.as_str()),
                no_tokens: false,
            };
            let done = mfa::complete(s, &mfa_keys, req, login_env(cx, &ring, rng)).await?;
            let user = UserView::from(&done.success.user);
            login_answer_with(
                cx,
                done.success,
                user,
                csrf_secret,
                200,
                (done.trust_token, done.backup_codes),
            )
        }
        Route::MfaEnrollAtLogin => {
            let body: MfaEnrollRequest = cx.json()?;
            let app = named_app(cx, body.client_id.as_deref()).await?;
            let app_id = app.as_ref().map(|a| a.id.as_str());
            let user = mfa::enrolling_user(s, &body.mfa_token, app_id, now).await?;
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            let label = issuer_label(cx, &user.organization_id).await?;
            created(&factors::enroll_totp(s, &mfa_keys, &user, &label, now, rng).await?)
        }
        Route::ListAuthenticators => {
            let (org, user, _) = cx.user()?;
            ok(&factors::list(s, org, user).await?)
        }
        Route::EnrollTotp => {
            let user = signed_in_user(cx).await?;
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            let label = issuer_label(cx, &user.organization_id).await?;
            created(&factors::enroll_totp(s, &mfa_keys, &user, &label, now, rng).await?)
        }
        Route::ConfirmTotp => {
            let body: ConfirmTotpRequest = cx.json()?;
            let user = signed_in_user(cx).await?;
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            let id = cx.param("authenticator_id");
            ok(&factors::confirm_totp(s, &mfa_keys, &user, id, &body.code, now, rng).await?)
        }
        Route::TotpQrCode => {
            let user = signed_in_user(cx).await?;
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            let label = issuer_label(cx, &user.organization_id).await?;
            let id = cx.param("authenticator_id");
            let svg = factors::pending_qr(s, &mfa_keys, &user, id, &label).await?;
            let mut resp = Response::ok(svg)?;
            resp.headers_mut().set("content-type", "image/svg+xml")?;
            // It holds a secret: never cached.
            resp.headers_mut().set("cache-control", "no-store")?;
            Ok(resp)
        }
        Route::RemoveAuthenticator => {
            let user = signed_in_user(cx).await?;
            reauthenticated(cx, &user).await?;
            let id = cx.param("authenticator_id");
            factors::remove(s, &user.organization_id, &user.id, id, &cx.actor, now).await?;
            no_content()
        }
        Route::RegenerateBackupCodes => {
            let user = signed_in_user(cx).await?;
            reauthenticated(cx, &user).await?;
            let mfa_keys = WorkerMfaKeys::from_env(env)?;
            ok(&factors::regenerate_backup_codes(s, &mfa_keys, &user, now, rng).await?)
        }
        Route::ListUserAuthenticators => {
            let org = cx.org_id()?;
            let user = cx.param("user_id");
            s.get_user(org, user).await?.ok_or(Error::NotFound)?;
            ok(&factors::list(s, org, user).await?)
        }
        Route::DeleteUserAuthenticator => {
            let org = cx.org_id()?;
            let user = cx.param("user_id");
            let id = cx.param("authenticator_id");
            factors::remove(s, org, user, id, &cx.actor, now).await?;
            no_content()
        }
        _ => Err(misrouted(route)),
    }
}
