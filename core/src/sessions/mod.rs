//! Sessions, the unit a user and an administrator see and revoke: their tokens, refresh,
//! browser cookies, the authorization-code flow with PKCE, and logout, listing and
//! revoking.
//!
//! - [`jwt`]: the signing key ring (ES256 JWTs, JWKS, issuer metadata).
//! - [`tokens`]: minting a session's access and refresh tokens.
//! - [`mod@refresh`]: rotation with reuse detection.
//! - [`cookies`]: browser mode's HttpOnly refresh cookie and CSRF check.
//! - [`pkce`]: authorization code with PKCE: a password login without tokens hands out a
//!   single-use code, and its exchange issues the session's tokens.
//! - [`verdicts`]: signatures already found good, remembered so that a token presented again
//!   is not checked again.
//! - here: logout, listing (native and seed 002) and revocation.

pub mod cookies;
pub mod jwt;
pub mod pkce;
pub mod refresh;
pub mod tokens;
pub mod verdicts;

use base64ct::Encoding;

use crate::api::{SessionList, SessionList002, SessionView, UserSessionDto};
use crate::model::Session;
use crate::records::ua;
use crate::sessions::tokens::{hash_refresh_token, REFRESH_TOKEN_PREFIX};
use crate::store::{AppStore, SessionStore, UserStore};
use crate::time::rfc3339;
use crate::Error;

pub use refresh::{refresh, refresh_checked, refresh_seen, Refreshed};

impl SessionView {
    pub fn new(s: &Session, current: bool) -> Self {
        let agent = ua::parse(s.client.user_agent.as_deref().unwrap_or(""));
        SessionView {
            id: s.id.clone(),
            user_id: s.user_id.clone(),
            application_id: s.application_id.clone(),
            created_at: rfc3339(s.created_at),
            last_active_at: rfc3339(s.last_active_at),
            expires_at: rfc3339(s.expires_at),
            ip: s.client.ip.clone(),
            country: s.client.country.clone(),
            region: s.client.region.clone(),
            city: s.client.city.clone(),
            user_agent: s.client.user_agent.clone(),
            browser: agent.browser.map(|b| match agent.browser_version {
                Some(v) => format!("{b} {v}"),
                None => b,
            }),
            os: agent.os.map(|o| match agent.os_version {
                Some(v) => format!("{o} {v}"),
                None => o,
            }),
            device: agent.device.map(|d| d.as_str().to_owned()),
            device_name: s.client.device_name.clone(),
            device_type: s.client.device_type.clone(),
            methods: s.methods.clone(),
            connection_id: s.connection_id.clone(),
            current,
        }
    }
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
    // The OpenID provider's refresh tokens are for its own endpoints (revocation there).
    if !refresh_token.trim().starts_with(REFRESH_TOKEN_PREFIX) {
        return Ok(());
    }
    if let Some(s) = store
        .session_of_refresh_token(&hash_refresh_token(refresh_token.trim()))
        .await?
    {
        if everywhere {
            store
                .revoke_user_sessions(&s.organization_id, &s.user_id, None, now)
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
        store.revoke_user_sessions(org_id, user_id, None, now).await
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

/// Signs out every session of the user but `current`, the caller's own ("sign out other
/// devices"); returns how many.
pub async fn revoke_others(
    store: &impl SessionStore,
    org_id: &str,
    user_id: &str,
    current: &str,
    now: i64,
) -> Result<u32, Error> {
    store
        .revoke_user_sessions(org_id, user_id, Some(current), now)
        .await
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
