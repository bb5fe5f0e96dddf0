//! The token endpoint (RFC 6749 §3.2, OpenID Connect Core §3.1.3): an authorization code
//! with its PKCE verifier, or a refresh token (rotated, and a reused one revokes the
//! session, as on the native route), for a client authenticated as it registered. And the
//! userinfo endpoint (§5.3), which reads the access token it issued.

use super::authorize::{CodeData, OIDC_CODE, OIDC_CODE_SPENT, SPENT_TTL_MS};
use super::claims::{id_token, user_claims, IdToken, UserClaims};
use super::{authenticate_client, Params, Scopes};
use crate::api::OAuthTokens;
use crate::login::LoginEnv;
use crate::model::{Application, OneTimeCode, Session, User, UserStatus};
use crate::rand::{hex, uuid_v7, Rng};
use crate::secrets::sha256;
use crate::sessions::jwt::{KeyRing, SignatureCheck};
use crate::sessions::pkce::verify_s256;
use crate::sessions::refresh::rotate;
use crate::sessions::tokens::{
    access_token, lifetimes, new_refresh_token_with, OIDC_REFRESH_PREFIX,
};
use crate::store::{AppStore, CodeStore, EventStore, RefreshStore, SessionStore, UserStore};
use crate::Error;

/// The claims of a `client_credentials` access token: the client acting for itself. It has
/// no `sid`, so it is never taken for a user's token, and a user's token (no `client_id`)
/// is never taken for one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClientClaims {
    pub iss: String,
    /// The client id.
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub org: String,
}

/// `client_credentials`: a confidential client's token for itself, no user, no refresh
/// token, no scopes (the user scopes mean nothing without a user).
async fn client_credentials<R: Rng>(
    app: &Application,
    p: &Params<'_>,
    env: &LoginEnv<'_, R>,
) -> Result<OAuthTokens, Error> {
    if app.client_secret_hash.is_none() {
        return Err(Error::oauth(
            "unauthorized_client",
            "client_credentials is for confidential clients (with a client secret)",
        ));
    }
    if let Some(scope) = p.get("scope") {
        return Err(Error::oauth(
            "invalid_scope",
            format!("no scope is granted to a client for itself (asked: {scope})"),
        ));
    }
    let (ttl, _) = lifetimes(Some(app));
    let claims = ClientClaims {
        iss: env.issuer.to_owned(),
        sub: app.client_id.clone(),
        aud: app.client_id.clone(),
        client_id: app.client_id.clone(),
        org: app.organization_id.clone(),
    };
    Ok(OAuthTokens {
        access_token: env.keys.token(claims, env.now, ttl).await?,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token: None,
        id_token: None,
        scope: String::new(),
    })
}

/// The key of a redeemed code's marker (never the code's own hash, which a store lookup of
/// the code could then find).
fn spent_hash(code_hash: &str) -> String {
    hex(&sha256(format!("spent\n{code_hash}").as_bytes()))
}

fn invalid_grant(why: &str) -> Error {
    Error::oauth("invalid_grant", why)
}

/// Answers a token request: `pairs` is the form body, `authorization` the request's
/// `Authorization` header.
pub async fn token<R: Rng>(
    store: &(impl RefreshStore + CodeStore + EventStore),
    pairs: &[(String, String)],
    authorization: Option<&str>,
    env: LoginEnv<'_, R>,
) -> Result<OAuthTokens, Error> {
    let p = Params::new(pairs)?;
    let grant_type = p.require("grant_type")?;
    let app = authenticate_client(store, &p, authorization).await?;
    match grant_type {
        "authorization_code" => authorization_code(store, &app, &p, env).await,
        "refresh_token" => refresh_token(store, &app, &p, env).await,
        "client_credentials" => client_credentials(&app, &p, &env).await,
        other => Err(Error::oauth(
            "unsupported_grant_type",
            format!("grant_type {other:?} is not supported"),
        )),
    }
}

async fn authorization_code<R: Rng>(
    store: &(impl AppStore + CodeStore + SessionStore + UserStore),
    app: &Application,
    p: &Params<'_>,
    env: LoginEnv<'_, R>,
) -> Result<OAuthTokens, Error> {
    let code = p.require("code")?;
    let redirect_uri = p.require("redirect_uri")?;
    // Spent whatever follows: a code is tried once (RFC 6749 §4.1.2).
    let code_hash = hex(&sha256(code.as_bytes()));
    let Some(stored) = store.consume_code(&code_hash, OIDC_CODE, env.now).await? else {
        // Presented again after it was redeemed: whoever holds it now, the tokens it gave
        // may be in the wrong hands too, so their session ends.
        let spent = store
            .find_code(&spent_hash(&code_hash), OIDC_CODE_SPENT, env.now)
            .await?;
        if let Some(spent) = spent {
            if let Some(sid) = &spent.data {
                store
                    .revoke_session(&spent.organization_id, sid, env.now)
                    .await?;
            }
        }
        return Err(invalid_grant("the code is unknown, used or expired"));
    };
    let data: CodeData = crate::api::from_json(stored.data.as_deref().unwrap_or("").as_bytes())
        .map_err(|_| invalid_grant("the code is unknown, used or expired"))?;
    if data.client_id != app.client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if data.redirect_uri != redirect_uri {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    let verifier = p.get("code_verifier");
    let pkce_ok = match (&data.code_challenge, verifier) {
        (Some(challenge), Some(v)) => verify_s256(v, challenge),
        (None, None) => true,
        _ => false,
    };
    if !pkce_ok {
        return Err(invalid_grant(
            "the code_verifier does not match the code_challenge",
        ));
    }
    let scope = Scopes::parse(&data.scope)?;
    let signed_in = store
        .get_session(&stored.organization_id, &data.session_id)
        .await?
        .filter(|s| s.is_active(env.now))
        .ok_or_else(|| invalid_grant("the session of this code is over"))?;
    let user = active_user(store, &signed_in, env.now).await?;
    // The client gets a session of its own, begun from the hosted page's: its own scopes,
    // its own tokens (refused on Latchkey's routes), revoked without the other.
    let (_, ttl_ms) = lifetimes(Some(app));
    let session = Session {
        id: uuid_v7(env.now, env.rng),
        last_active_at: env.now,
        expires_at: signed_in.expires_at.min(env.now + ttl_ms),
        revoked_at: None,
        scope: Some(data.scope.clone()),
        parent_id: Some(signed_in.id.clone()),
        ..signed_in
    };
    let (refresh, row) = if scope.has("offline_access") {
        let ttl_ms = session.expires_at - env.now;
        let (token, row) =
            new_refresh_token_with(OIDC_REFRESH_PREFIX, &session.id, env.now, ttl_ms, env.rng);
        (Some(token), Some(row))
    } else {
        (None, None)
    };
    store.insert_session(&session, row.as_ref()).await?;
    store
        .insert_code(&OneTimeCode {
            code_hash: spent_hash(&code_hash),
            purpose: OIDC_CODE_SPENT.to_owned(),
            organization_id: session.organization_id.clone(),
            user_id: session.user_id.clone(),
            data: Some(session.id.clone()),
            created_at: env.now,
            expires_at: env.now + SPENT_TTL_MS,
        })
        .await?;
    issue(
        store, app, &session, &user, scope, data.nonce, refresh, &env,
    )
    .await
}

async fn refresh_token<R: Rng>(
    store: &(impl RefreshStore + EventStore),
    app: &Application,
    p: &Params<'_>,
    env: LoginEnv<'_, R>,
) -> Result<OAuthTokens, Error> {
    let token = p.require("refresh_token")?;
    let asked = p.get("scope").map(Scopes::parse).transpose()?;
    // Only tokens this endpoint issued, and the scope only narrowed; checked before the
    // token is spent, so a refused request costs its holder nothing.
    let check = |s: &Session, _: Option<&Application>| {
        let granted = Scopes::parse(
            s.scope
                .as_deref()
                .ok_or_else(|| invalid_grant("not a token of this endpoint"))?,
        )?;
        if asked.as_ref().is_some_and(|a| !a.within(&granted)) {
            return Err(Error::oauth(
                "invalid_scope",
                "a refresh cannot widen the scopes granted",
            ));
        }
        Ok(())
    };
    let LoginEnv {
        keys,
        issuer,
        params,
        now,
        rng,
    } = env;
    let refreshed = rotate(
        store,
        token,
        OIDC_REFRESH_PREFIX,
        Some(&app.client_id),
        check,
        LoginEnv {
            keys,
            issuer,
            params,
            now,
            rng: &mut *rng,
        },
    )
    .await
    .map_err(|e| match e {
        Error::InvalidRefreshToken => {
            invalid_grant("the refresh token is unknown, used, expired or not this client's")
        }
        e => e,
    })?;
    let session = refreshed.session;
    let granted = Scopes::parse(session.scope.as_deref().unwrap_or(""))?;
    let scope = asked.unwrap_or(granted);
    let user = active_user(store, &session, now).await?;
    let env = LoginEnv {
        keys,
        issuer,
        params,
        now,
        rng,
    };
    issue(
        store,
        app,
        &session,
        &user,
        scope,
        None,
        Some(refreshed.tokens.refresh_token),
        &env,
    )
    .await
}

async fn active_user(store: &impl UserStore, session: &Session, now: i64) -> Result<User, Error> {
    store
        .get_user(&session.organization_id, &session.user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active && !u.is_expired(now))
        .ok_or_else(|| invalid_grant("the user may not sign in"))
}

/// The access token (with the scopes), and the ID token where `openid` was granted.
#[allow(clippy::too_many_arguments)]
async fn issue<R: Rng>(
    store: &impl UserStore,
    app: &Application,
    session: &Session,
    user: &User,
    scope: Scopes,
    nonce: Option<String>,
    refresh_token: Option<String>,
    env: &LoginEnv<'_, R>,
) -> Result<OAuthTokens, Error> {
    let (ttl, _) = lifetimes(Some(app));
    let roles = store
        .user_role_names(&session.organization_id, &session.user_id)
        .await?;
    let scoped = Session {
        scope: Some(scope.to_string()),
        ..session.clone()
    };
    let access = access_token(
        env.keys,
        env.issuer,
        &scoped,
        &app.client_id,
        roles,
        ttl,
        env.now,
    )
    .await?;
    let id_token = if scope.has("openid") {
        let t = IdToken {
            issuer: env.issuer,
            client_id: &app.client_id,
            session,
            user,
            scope: &scope,
            nonce,
            access_token: &access,
        };
        Some(id_token(env.keys, t, env.now, ttl).await?)
    } else {
        None
    };
    Ok(OAuthTokens {
        access_token: access,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token,
        id_token,
        scope: scope.to_string(),
    })
}

fn invalid_token(why: &str) -> Error {
    Error::oauth("invalid_token", why)
}

/// The userinfo answer for a bearer access token this endpoint issued with `openid`, while
/// its session lasts and its user may sign in.
pub async fn userinfo(
    store: &(impl SessionStore + UserStore),
    keys: &KeyRing,
    check: &impl SignatureCheck,
    issuer: &str,
    authorization: Option<&str>,
    now: i64,
) -> Result<UserClaims, Error> {
    let token = authorization
        .and_then(|h| h.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        // No credentials at all: a challenge without an error (RFC 6750 §3.1).
        .ok_or(Error::Unauthorized)?;
    let verified = keys
        .verify_with(token, issuer, None, now, check)
        .await
        .map_err(|_| invalid_token("the access token is invalid or expired"))?;
    let c = verified.claims;
    let scope = Scopes::parse(c.scope.as_deref().unwrap_or(""))
        .map_err(|_| invalid_token("the access token's scopes are unknown"))?;
    if !scope.has("openid") {
        return Err(Error::oauth(
            "insufficient_scope",
            "the access token was not granted openid",
        ));
    }
    let live = store
        .get_session(&c.org, &c.sid)
        .await?
        .is_some_and(|s| s.is_active(now) && s.user_id == c.sub);
    if !live {
        return Err(invalid_token("the session of this access token is over"));
    }
    let user = store
        .get_user(&c.org, &c.sub)
        .await?
        .filter(|u| u.status == UserStatus::Active && !u.is_expired(now))
        .ok_or_else(|| invalid_token("the user may not sign in"))?;
    Ok(user_claims(&user, &scope))
}
