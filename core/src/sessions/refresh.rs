//! Refresh with rotation and reuse detection (RFC 9700): a refresh token works once;
//! presenting a spent one revokes its session. Only active, unexpired users refresh.

use crate::events::{self, kinds};
use crate::login::LoginEnv;
use crate::model::{Application, Session, UserStatus};
use crate::rand::Rng;
use crate::sessions::tokens::{
    access_token, audience, hash_refresh_token, lifetimes, new_refresh_token_with, Issued,
    REFRESH_TOKEN_PREFIX,
};
use crate::store::{EventStore, RefreshContext, RefreshStore, Rotation};
use crate::Error;

/// The result of a refresh: the session and its new tokens.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub session: Session,
    pub tokens: Issued,
}

/// Exchanges a refresh token for a new access token and a new refresh token. The presented
/// token is spent; presenting it again revokes the session. `client_id`, when given, must be
/// the session's application.
pub async fn refresh<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    refresh_token: &str,
    client_id: Option<&str>,
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    refresh_checked(store, refresh_token, client_id, |_, _| Ok(()), env).await
}

/// [`refresh`], with `check` run on the token's session and application before anything
/// changes: a refused request (a browser's wrong origin or CSRF value) leaves the token
/// unspent, so its rightful holder is not later logged out for reuse. The OpenID
/// provider's refresh tokens are refused here: they are for its token endpoint only.
pub async fn refresh_checked<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    refresh_token: &str,
    client_id: Option<&str>,
    check: impl FnOnce(&Session, Option<&Application>) -> Result<(), Error>,
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    rotate(
        store,
        refresh_token,
        REFRESH_TOKEN_PREFIX,
        client_id,
        check,
        env,
    )
    .await
}

/// A refresh of a token that starts with `prefix` ([`REFRESH_TOKEN_PREFIX`] natively,
/// [`OIDC_REFRESH_PREFIX`] at the token endpoint); its successor has the same prefix.
pub async fn rotate<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    refresh_token: &str,
    prefix: &str,
    client_id: Option<&str>,
    check: impl FnOnce(&Session, Option<&Application>) -> Result<(), Error>,
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    let refresh_token = refresh_token.trim();
    if !refresh_token.starts_with(prefix) {
        return Err(Error::InvalidRefreshToken);
    }
    let old_hash = hash_refresh_token(refresh_token);
    // One read for everything the checks need: the session, its application, its user and
    // their roles.
    let RefreshContext {
        session,
        application: app,
        user,
        roles,
    } = store
        .refresh_context(&old_hash)
        .await?
        .ok_or(Error::InvalidRefreshToken)?;
    if let Some(cid) = client_id {
        if app.as_ref().map(|a| a.client_id.as_str()) != Some(cid) {
            return Err(Error::InvalidRefreshToken);
        }
    }
    check(&session, app.as_ref())?;
    if !user.is_some_and(|u| u.status == UserStatus::Active && !u.is_expired(env.now)) {
        store
            .revoke_session(&session.organization_id, &session.id, env.now)
            .await?;
        return Err(Error::InvalidRefreshToken);
    }
    let (access_ttl, refresh_ttl_ms) = lifetimes(app.as_ref());
    // A new token never outlives its session.
    let refresh_ttl_ms = refresh_ttl_ms.min(session.expires_at - env.now).max(0);
    let (new_token, stored) =
        new_refresh_token_with(prefix, &session.id, env.now, refresh_ttl_ms, env.rng);
    let session = match store
        .rotate_refresh_token(&old_hash, &stored, env.now)
        .await?
    {
        Rotation::Rotated(s) => *s,
        Rotation::Reused { session_id } => {
            let e = events::event(
                &session.organization_id,
                kinds::REFRESH_TOKEN_REUSED,
                env.now,
            )
            .user(Some(&session.user_id))
            .detail("session_id", session_id)
            .detail("action", "session_revoked");
            events::emit(store, e).await?;
            return Err(Error::InvalidRefreshToken);
        }
        Rotation::Invalid => return Err(Error::InvalidRefreshToken),
    };
    let aud = audience(app.as_ref(), &session.organization_id, env.issuer);
    let access = access_token(
        env.keys, env.issuer, &session, &aud, roles, access_ttl, env.now,
    )?;
    Ok(Refreshed {
        session,
        tokens: Issued {
            access_token: access,
            refresh_token: new_token,
            expires_in: access_ttl,
        },
    })
}
