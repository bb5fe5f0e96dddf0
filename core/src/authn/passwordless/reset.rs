//! "Forgot password?": a single-use link by email to choose a new password.
//!
//! Asking answers the same for every address (an address no account has stores the same
//! row and gets no message) and shares the sending limits of codes and links. The link's
//! token is 256 random bits, stored as SHA-256, valid [`TTL_MS`]; it is checked without
//! being spent ([`inspect`], for the page to name the account), then spent by the one
//! request that sets the new password ([`complete`]), which also ends every session of the
//! account, lifts its brute-force locks, voids its other reset links, raises
//! `password.reset` and tells the user by email.

use super::expired_if_gone;
use super::{
    address, charge_send, gone, spent_marker, LinkRequest, PasswordlessStores, RESEND_AFTER_SECS,
};
use crate::api::{CodeSent, PasswordResetInfo};
use crate::authn::guard;
use crate::authn::password::{self, HashParams};
use crate::delivery::templates::{Kind, Vars};
use crate::delivery::Draft;
use crate::events::{self, kinds};
use crate::model::{ClientInfo, LoginMethod, OneTimeCode, User};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::modify_user;
use crate::Error;

/// The purpose of reset links' rows.
pub const PASSWORD_RESET: &str = "password_reset";
/// A reset link works for thirty minutes.
pub const TTL_MS: i64 = 30 * 60 * 1000;

fn hash(token: &str) -> String {
    hex(&sha256(token.trim().as_bytes()))
}

/// Stores a reset link for the address and answers with the message to deliver (none for
/// an address no account has).
pub async fn request(
    store: &impl PasswordlessStores,
    req: LinkRequest<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(CodeSent, Option<Draft>), Error> {
    let app = req.application;
    if !app.login_methods.contains(&LoginMethod::Password) {
        return Err(Error::invalid_field(
            "LOGIN_METHOD_DISABLED",
            "password login is not enabled for this application",
        ));
    }
    let addr = address(req.email)?;
    let org = app.organization_id.as_str();
    charge_send(store, org, &addr.normalized, req.client.ip.as_deref(), now).await?;
    let user = store.find_login(org, &addr.normalized).await?;
    let token = hex(&rng.bytes::<32>());
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&token),
            purpose: PASSWORD_RESET.to_owned(),
            organization_id: org.to_owned(),
            user_id: user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
            data: Some(app.id.clone()),
            created_at: now,
            expires_at: now + TTL_MS,
        })
        .await?;
    let message = user.as_ref().map(|u| {
        let vars = Vars::new()
            .set("application", app.name.as_str())
            .set("link", format!("{}#{token}", req.link_page))
            .set("expires_minutes", (TTL_MS / 60_000).to_string())
            .client(req.client);
        Draft::new(Kind::PasswordReset, &u.email, vars)
    });
    let sent = CodeSent {
        expires_in: (TTL_MS / 1000) as u32,
        resend_after: RESEND_AFTER_SECS,
    };
    Ok((sent, message))
}

/// The live reset row of `token` and its account, or why there is none.
async fn live(
    store: &impl PasswordlessStores,
    token: &str,
    now: i64,
) -> Result<(OneTimeCode, User), Error> {
    let h = hash(token);
    let Some(row) = store.find_code(&h, PASSWORD_RESET, now).await? else {
        return Err(gone(store, &h, PASSWORD_RESET, now).await?.error);
    };
    match store.get_user(&row.organization_id, &row.user_id).await? {
        Some(user) if !row.user_id.is_empty() => Ok((row, user)),
        _ => Err(Error::CodeRejected("CODE_EXPIRED")),
    }
}

/// Which account a reset link is for, and how long it has left. Spends nothing.
pub async fn inspect(
    store: &impl PasswordlessStores,
    token: &str,
    now: i64,
) -> Result<PasswordResetInfo, Error> {
    let (row, user) = live(store, token, now).await?;
    Ok(PasswordResetInfo {
        email: user.email,
        expires_in: ((row.expires_at - now).max(0) / 1000) as u32,
    })
}

/// Sets a new password with a reset link (spent here, once): every session of the account
/// ends, its locks lift, its other reset links die, and the user is told by email.
pub async fn complete(
    store: &impl PasswordlessStores,
    token: &str,
    new_password: &str,
    client: &ClientInfo,
    params: HashParams,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(User, Option<Draft>), Error> {
    password::validate(new_password)?;
    let h = hash(token);
    let Some(row) = store.consume_code(&h, PASSWORD_RESET, now).await? else {
        return Err(gone(store, &h, PASSWORD_RESET, now).await?.error);
    };
    store.upsert_code(&spent_marker(&row)).await?;
    let org = row.organization_id.as_str();
    if row.user_id.is_empty() {
        return Err(Error::CodeRejected("CODE_EXPIRED"));
    }
    let new_hash = password::hash(new_password, params, rng)?;
    let modified = modify_user(store, org, &row.user_id, now, |u| {
        u.password_hash = Some(new_hash.clone());
        u.password_change_required = false;
        // The link proved the address.
        u.email_verified = true;
        Ok(())
    })
    .await;
    let (_, user) = expired_if_gone(modified)?;
    store.revoke_user_sessions(org, &user.id, None, now).await?;
    guard::unlock(store, &user).await?;
    store
        .delete_user_codes(org, &user.id, PASSWORD_RESET)
        .await?;
    // A required change's ids (answered to the old password) go with it; the cleared
    // requirement voids them already.
    store
        .delete_user_codes(
            org,
            &user.id,
            crate::authn::password::change::CHANGE_PASSWORD,
        )
        .await?;
    let e = events::event(org, kinds::PASSWORD_RESET, now)
        .user(Some(&user.id))
        .client(client);
    events::emit(store, e).await?;
    let app_name = match row.data.as_deref() {
        Some(app_id) => store.get_app(org, app_id).await?.map(|a| a.name),
        None => None,
    };
    let vars = Vars::new()
        .set("application", app_name.unwrap_or_default())
        .client(client);
    let notice = Draft::new(Kind::PasswordChanged, &user.email, vars);
    Ok((user, Some(notice)))
}
