//! Refresh with rotation and reuse detection (RFC 9700): a refresh token works once;
//! presenting a spent one revokes its session. Only active, unexpired users refresh.

use crate::events::{self, kinds};
use crate::login::LoginEnv;
use crate::model::{Application, Session};
use crate::rand::Rng;
use crate::sessions::tokens::{
    access_token, audience, hash_refresh_token, lifetimes, new_refresh_secret, Issued,
    REFRESH_TOKEN_PREFIX,
};
use crate::store::{EventStore, RefreshContext, RefreshStore, Rotation, Turn, Turned};
use crate::Error;

/// The result of a refresh: the session, its application and its new tokens.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub session: Session,
    pub application: Option<Application>,
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
    refresh_seen(store, refresh_token, client_id, |_, _| {}, env).await
}

/// [`refresh`], in one step of the store ([`RefreshStore::turn_refresh_token`]): nothing
/// is checked before the token turns but what the store checks itself. `seen` is shown the
/// token's session and application whenever the token is known and `client_id`'s, however
/// the refresh ends (the worker vouches for the application's origin with it).
pub async fn refresh_seen<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    refresh_token: &str,
    client_id: Option<&str>,
    seen: impl FnOnce(&Session, Option<&Application>),
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    let old_hash = presented_hash(refresh_token, REFRESH_TOKEN_PREFIX)?;
    turn(store, &old_hash, REFRESH_TOKEN_PREFIX, client_id, seen, env).await
}

/// [`refresh`], with `check` run on the token's session and application before anything
/// changes: a refused request (a browser's wrong origin or CSRF value) leaves the token
/// unspent, so its rightful holder is not later logged out for reuse. The check needs the
/// token's context read first, so this costs the store a read more than [`refresh_seen`].
/// The OpenID provider's refresh tokens are refused here: they are for its token endpoint
/// only.
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
/// [`OIDC_REFRESH_PREFIX`](crate::sessions::tokens::OIDC_REFRESH_PREFIX) at the token
/// endpoint), with `check` run before anything changes; its successor has the same prefix.
pub async fn rotate<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    refresh_token: &str,
    prefix: &str,
    client_id: Option<&str>,
    check: impl FnOnce(&Session, Option<&Application>) -> Result<(), Error>,
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    let old_hash = presented_hash(refresh_token, prefix)?;
    let context = store
        .refresh_context(&old_hash)
        .await?
        .filter(|c| c.for_client(client_id))
        .ok_or(Error::InvalidRefreshToken)?;
    check(&context.session, context.application.as_ref())?;
    turn(store, &old_hash, prefix, client_id, |_, _| {}, env).await
}

/// The hash of a presented refresh token, if it has the expected prefix.
fn presented_hash(refresh_token: &str, prefix: &str) -> Result<String, Error> {
    let refresh_token = refresh_token.trim();
    if !refresh_token.starts_with(prefix) {
        return Err(Error::InvalidRefreshToken);
    }
    Ok(hash_refresh_token(refresh_token))
}

/// Turns the token and signs the new access token. Only active, unexpired users refresh:
/// another's refusal revokes the session.
async fn turn<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    old_hash: &str,
    prefix: &str,
    client_id: Option<&str>,
    seen: impl FnOnce(&Session, Option<&Application>),
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    let (new_token, new_hash) = new_refresh_secret(prefix, env.rng);
    let Turned { context, rotation } = store
        .turn_refresh_token(Turn {
            old_hash,
            new_hash: &new_hash,
            client_id,
            now: env.now,
        })
        .await?;
    let RefreshContext {
        session: before,
        application: app,
        user: _,
        roles,
    } = match context {
        Some(c) if c.for_client(client_id) => {
            seen(&c.session, c.application.as_ref());
            if matches!(rotation, Rotation::Invalid) && !c.user_may_refresh(env.now) {
                store
                    .revoke_session(&c.session.organization_id, &c.session.id, env.now)
                    .await?;
                return Err(Error::InvalidRefreshToken);
            }
            c
        }
        _ => return Err(Error::InvalidRefreshToken),
    };
    let session = match rotation {
        Rotation::Rotated(s) => *s,
        Rotation::Reused { session_id } => {
            let e = events::event(
                &before.organization_id,
                kinds::REFRESH_TOKEN_REUSED,
                env.now,
            )
            .user(Some(&before.user_id))
            .detail("session_id", session_id)
            .detail("action", "session_revoked");
            events::emit(store, e).await?;
            return Err(Error::InvalidRefreshToken);
        }
        Rotation::Invalid => return Err(Error::InvalidRefreshToken),
    };
    let (access_ttl, _) = lifetimes(app.as_ref());
    let aud = audience(app.as_ref(), &session.organization_id, env.issuer);
    let access = access_token(
        env.keys, env.issuer, &session, &aud, roles, access_ttl, env.now,
    )
    .await?;
    Ok(Refreshed {
        session,
        application: app,
        tokens: Issued {
            access_token: access,
            refresh_token: new_token,
            expires_in: access_ttl,
        },
    })
}
