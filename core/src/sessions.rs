//! Sessions after login: refresh with rotation and reuse detection (RFC 9700), logout of
//! one session or all, listing and revoking.

use crate::api::{SessionList, SessionView};
use crate::login::{
    access_token, audience, hash_refresh_token, lifetimes, new_refresh_token, Issued, LoginEnv,
};
use crate::model::Session;
use crate::rand::Rng;
use crate::store::{AppStore, Rotation, SessionStore, UserStore};
use base64ct::Encoding;

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
    store: &(impl SessionStore + UserStore + AppStore),
    refresh_token: &str,
    client_id: Option<&str>,
    env: LoginEnv<'_, R>,
) -> Result<Refreshed, Error> {
    let old_hash = hash_refresh_token(refresh_token.trim());
    let session = store
        .session_of_refresh_token(&old_hash)
        .await?
        .ok_or(Error::InvalidRefreshToken)?;
    let app = application_of(store, &session).await?;
    if let Some(cid) = client_id {
        if app.as_ref().map(|a| a.client_id.as_str()) != Some(cid) {
            return Err(Error::InvalidRefreshToken);
        }
    }
    let (access_ttl, refresh_ttl_ms) = lifetimes(app.as_ref());
    // A new token never outlives its session.
    let refresh_ttl_ms = refresh_ttl_ms.min(session.expires_at - env.now).max(0);
    let (new_token, stored) = new_refresh_token(&session.id, env.now, refresh_ttl_ms, env.rng);
    let session = match store
        .rotate_refresh_token(&old_hash, &stored, env.now)
        .await?
    {
        Rotation::Rotated(s) => *s,
        Rotation::Reused { .. } | Rotation::Invalid => return Err(Error::InvalidRefreshToken),
    };
    let roles = store
        .user_role_names(&session.organization_id, &session.user_id)
        .await?;
    let aud = audience(app.as_ref(), &session.organization_id);
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

/// The application a session was started for, if any.
pub async fn application_of(
    store: &impl AppStore,
    session: &Session,
) -> Result<Option<crate::model::Application>, Error> {
    match &session.application_id {
        Some(id) => store.get_app(&session.organization_id, id).await,
        None => Ok(None),
    }
}

/// Logs out the session a refresh token belongs to, or with `everywhere` every session of
/// its user. Unknown tokens are ignored: logging out is idempotent and says nothing about
/// which tokens exist.
pub async fn logout_by_refresh_token(
    store: &impl SessionStore,
    refresh_token: &str,
    everywhere: bool,
    now: i64,
) -> Result<(), Error> {
    if let Some(s) = store
        .session_of_refresh_token(&hash_refresh_token(refresh_token.trim()))
        .await?
    {
        if everywhere {
            store
                .revoke_user_sessions(&s.organization_id, &s.user_id, now)
                .await?;
        } else {
            store.revoke_session(&s.organization_id, &s.id, now).await?;
        }
    }
    Ok(())
}

/// Logs out one session, or every session of its user.
pub async fn logout(
    store: &impl SessionStore,
    org_id: &str,
    user_id: &str,
    session_id: &str,
    everywhere: bool,
    now: i64,
) -> Result<u32, Error> {
    if everywhere {
        store.revoke_user_sessions(org_id, user_id, now).await
    } else {
        Ok(u32::from(
            store.revoke_session(org_id, session_id, now).await?,
        ))
    }
}

/// The user's active sessions; `current` marks the caller's own.
pub async fn list(
    store: &impl SessionStore,
    org_id: &str,
    user_id: &str,
    current: Option<&str>,
    now: i64,
) -> Result<SessionList, Error> {
    let sessions = store.list_sessions(org_id, user_id, false, now).await?;
    Ok(SessionList {
        sessions: sessions
            .iter()
            .map(|s| SessionView::new(s, current == Some(s.id.as_str())))
            .collect(),
    })
}

/// Revokes one of the user's sessions; another user's session reads as `NOT_FOUND`.
pub async fn revoke(
    store: &impl SessionStore,
    org_id: &str,
    user_id: &str,
    session_id: &str,
    now: i64,
) -> Result<(), Error> {
    match store.get_session(org_id, session_id).await? {
        Some(s) if s.user_id == user_id && s.revoked_at.is_none() => {
            store.revoke_session(org_id, session_id, now).await?;
            Ok(())
        }
        _ => Err(Error::NotFound),
    }
}

/// One session in seed 002's shape (times in epoch seconds).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UserSessionDto {
    pub creation_time: i64,
    pub ip_address: String,
    pub session_id: String,
    pub session_not_valid_after: i64,
    pub user_agent: String,
    pub user_id: String,
}

/// `GET /v1/identity-stores/{identity_store_id}/users/{user_id}/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SessionList002 {
    pub session_list: Vec<UserSessionDto>,
}

/// Seed 002's view of a user's active sessions. The identity store is the organization: the
/// caller's own, or 403 with the encoded explanation the seed documents.
pub async fn identity_store_sessions(
    store: &(impl SessionStore + UserStore),
    caller_org: &str,
    identity_store_id: &str,
    user_id: &str,
    now: i64,
) -> Result<SessionList002, Error> {
    if identity_store_id != caller_org {
        let why = serde_json::json!({
            "reason": "the credentials do not administer this identity store",
            "identity_store_id": identity_store_id,
        });
        let encoded = base64ct::Base64UrlUnpadded::encode_string(why.to_string().as_bytes());
        return Err(Error::ForbiddenEncoded(encoded));
    }
    if !crate::rand::is_uuid(user_id) {
        return Err(Error::invalid_field(
            "INVALID_USER_ID",
            "user_id must be a UUID",
        ));
    }
    store.get_user(caller_org, user_id).await?.ok_or_else(|| {
        Error::invalid_field("INVALID_USER_ID", "no such user in this identity store")
    })?;
    let sessions = store.list_sessions(caller_org, user_id, false, now).await?;
    Ok(SessionList002 {
        session_list: sessions
            .iter()
            .map(|s| UserSessionDto {
                creation_time: s.created_at / 1000,
                ip_address: s.client.ip.clone().unwrap_or_default(),
                session_id: s.id.clone(),
                session_not_valid_after: s.expires_at / 1000,
                user_agent: s.client.user_agent.clone().unwrap_or_default(),
                user_id: s.user_id.clone(),
            })
            .collect(),
    })
}
