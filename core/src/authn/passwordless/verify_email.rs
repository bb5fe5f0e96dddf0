//! Confirming an email address: a single-use link, sent at sign-up, at a password login
//! refused `EMAIL_NOT_VERIFIED`, or on request ([`send`], answered alike for every
//! address). Opening it ([`verify`]) marks the address verified. Applications that set
//! `require_verified_email` refuse password sign-ups and logins until then; a code or link
//! sign-in verifies the address by itself.

use super::expired_if_gone;
use super::{
    address, charge_send, gone, spent_marker, LinkRequest, PasswordlessStores, RESEND_AFTER_SECS,
};
use crate::api::{CodeSent, EmailVerified};
use crate::delivery::templates::{Kind, Vars};
use crate::delivery::Draft;
use crate::model::{Application, ClientInfo, OneTimeCode, User};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::modify_user;
use crate::Error;

/// The purpose of confirmation links' rows.
pub const VERIFY_EMAIL: &str = "verify_email";
/// A confirmation link works for a day.
pub const TTL_MS: i64 = 24 * 3600 * 1000;

fn hash(token: &str) -> String {
    hex(&sha256(token.trim().as_bytes()))
}

/// The confirmation link for `user` (none if the address is verified already): its row is
/// stored, and the message to deliver returned.
pub async fn link_for(
    store: &impl PasswordlessStores,
    app: &Application,
    user: &User,
    client: &ClientInfo,
    link_page: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Option<Draft>, Error> {
    if user.email_verified {
        return Ok(None);
    }
    let token = hex(&rng.bytes::<32>());
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&token),
            purpose: VERIFY_EMAIL.to_owned(),
            organization_id: user.organization_id.clone(),
            user_id: user.id.clone(),
            data: Some(user.email_normalized.clone()),
            created_at: now,
            expires_at: now + TTL_MS,
        })
        .await?;
    let vars = Vars::new()
        .set("application", app.name.as_str())
        .set("link", format!("{link_page}#{token}"))
        .set("expires_minutes", (TTL_MS / 60_000).to_string())
        .client(client);
    Ok(Some(Draft::new(Kind::VerifyEmail, &user.email, vars)))
}

/// Sends a confirmation link to an account of the address that is not verified yet; the
/// answer is the same for every address, verified, unverified or unknown.
pub async fn send(
    store: &impl PasswordlessStores,
    req: LinkRequest<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(CodeSent, Option<Draft>), Error> {
    let app = req.application;
    let addr = address(req.email)?;
    let org = app.organization_id.as_str();
    charge_send(store, org, &addr.normalized, req.client.ip.as_deref(), now).await?;
    let message = match store.find_login(org, &addr.normalized).await? {
        Some(user) => link_for(store, app, &user, req.client, req.link_page, now, rng).await?,
        None => None,
    };
    let sent = CodeSent {
        expires_in: (TTL_MS / 1000) as u32,
        resend_after: RESEND_AFTER_SECS,
    };
    Ok((sent, message))
}

/// Confirms the address a link was sent to (once). A link sent before the account's email
/// changed confirms nothing.
pub async fn verify(
    store: &impl PasswordlessStores,
    token: &str,
    now: i64,
) -> Result<EmailVerified, Error> {
    let h = hash(token);
    let Some(row) = store.consume_code(&h, VERIFY_EMAIL, now).await? else {
        return Err(gone(store, &h, VERIFY_EMAIL, now).await?.error);
    };
    store.upsert_code(&spent_marker(&row)).await?;
    // The address must still be the one the link was sent to when the change is written.
    let modified = modify_user(store, &row.organization_id, &row.user_id, now, |u| {
        if row.data.as_deref() != Some(u.email_normalized.as_str()) {
            return Err(Error::CodeRejected("CODE_EXPIRED"));
        }
        u.email_verified = true;
        Ok(())
    })
    .await;
    let (_, user) = expired_if_gone(modified)?;
    Ok(EmailVerified {
        email: user.email,
        email_verified: true,
    })
}
