//! What follows a sign-in: revocation (RFC 7009), introspection (RFC 7662) and
//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

use serde::Deserialize;
use serde_json::{json, Value};

use super::token::ClientClaims;
use super::{authenticate_client, invalid_client, Params};
use crate::model::Application;
use crate::sessions::jwt::{KeyRing, SignatureCheck};
use crate::sessions::tokens::hash_refresh_token;
use crate::store::{AppStore, SessionStore};
use crate::Error;

/// The session a token of `app` belongs to (org, session id): a user's access token for
/// it, or one of its refresh tokens. Anything else, another client's tokens included, is
/// `None`.
async fn session_of(
    store: &impl SessionStore,
    keys: &KeyRing,
    check: &impl SignatureCheck,
    issuer: &str,
    app: &Application,
    token: &str,
    now: i64,
) -> Result<Option<(String, String)>, Error> {
    if let Ok(v) = keys
        .verify_with(token, issuer, Some(&app.client_id), now, check)
        .await
    {
        return Ok(Some((v.claims.org, v.claims.sid)));
    }
    let session = store
        .session_of_refresh_token(&hash_refresh_token(token.trim()))
        .await?;
    Ok(session
        .filter(|s| s.application_id.as_deref() == Some(app.id.as_str()))
        .map(|s| (s.organization_id, s.id)))
}

/// Revocation: the session of an access or refresh token of the calling client ends, with
/// every token it issued. Unknown tokens and other clients' tokens change nothing and answer
/// the same (RFC 7009 §2.2), so the endpoint tells nobody which tokens exist.
pub async fn revoke(
    store: &(impl AppStore + SessionStore),
    keys: &KeyRing,
    check: &impl SignatureCheck,
    issuer: &str,
    pairs: &[(String, String)],
    authorization: Option<&str>,
    now: i64,
) -> Result<(), Error> {
    let p = Params::new(pairs)?;
    let app = authenticate_client(store, &p, authorization).await?;
    let token = p.require("token")?;
    if let Some((org, sid)) = session_of(store, keys, check, issuer, &app, token, now).await? {
        store.revoke_session(&org, &sid, now).await?;
    }
    Ok(())
}

/// Introspection, for confidential clients and their own tokens: an access token (a user's,
/// while its session lasts, or the client's own from `client_credentials`) is
/// `"active": true` with its claims; anything else is only `"active": false`.
pub async fn introspect(
    store: &(impl AppStore + SessionStore),
    keys: &KeyRing,
    check: &impl SignatureCheck,
    issuer: &str,
    pairs: &[(String, String)],
    authorization: Option<&str>,
    now: i64,
) -> Result<Value, Error> {
    let p = Params::new(pairs)?;
    let app = authenticate_client(store, &p, authorization).await?;
    if app.client_secret_hash.is_none() {
        return Err(invalid_client(
            "only confidential clients may introspect tokens",
        ));
    }
    let token = p.require("token")?;
    if let Ok(v) = keys
        .verify_with(token, issuer, Some(&app.client_id), now, check)
        .await
    {
        let c = v.claims;
        let live = store
            .get_session(&c.org, &c.sid)
            .await?
            .is_some_and(|s| s.is_active(now) && s.user_id == c.sub);
        if !live {
            return Ok(json!({ "active": false }));
        }
        return Ok(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": c.scope.unwrap_or_default(),
            "client_id": app.client_id,
            "sub": c.sub,
            "sid": c.sid,
            "iss": c.iss,
            "aud": c.aud,
            "exp": v.expires_at / 1000,
            "iat": v.issued_at / 1000,
        }));
    }
    if let Ok((c, Some(exp))) = keys
        .verify_signature_with::<ClientClaims>(token, check)
        .await
    {
        if c.iss == issuer && c.client_id == app.client_id && now < exp {
            return Ok(json!({
                "active": true,
                "token_type": "Bearer",
                "scope": "",
                "client_id": c.client_id,
                "sub": c.sub,
                "iss": c.iss,
                "aud": c.aud,
                "exp": exp / 1000,
            }));
        }
    }
    Ok(json!({ "active": false }))
}

/// What a logout hint must be: an ID token of this issuer (`at_hash` tells it from an
/// access token). Its expiry does not matter: a session may be ended after its ID token
/// has expired.
#[derive(Debug, Clone, Deserialize)]
struct Hint {
    iss: String,
    aud: String,
    sub: String,
    sid: String,
    #[allow(dead_code)]
    at_hash: String,
}

/// RP-initiated logout: ends the session an ID token names, and answers where to send the
/// browser (the `post_logout_redirect_uri`, which must be one of the client's redirect URIs
/// exactly, with `state`), or `None` for the provider's own "signed out" page.
pub async fn end_session(
    store: &(impl AppStore + SessionStore),
    keys: &KeyRing,
    check: &impl SignatureCheck,
    issuer: &str,
    pairs: &[(String, String)],
    now: i64,
) -> Result<Option<String>, Error> {
    let p = Params::new(pairs)?;
    let bad_hint = || {
        Error::oauth(
            "invalid_request",
            "id_token_hint is not an ID token of this provider",
        )
    };
    let (hint, _) = keys
        .verify_signature_with::<Hint>(p.require("id_token_hint")?, check)
        .await
        .map_err(|_| bad_hint())?;
    if hint.iss != issuer || p.get("client_id").is_some_and(|c| c != hint.aud) {
        return Err(bad_hint());
    }
    let app = store
        .get_app_by_client_id(&hint.aud)
        .await?
        .ok_or_else(bad_hint)?;
    let redirect = match p.get("post_logout_redirect_uri") {
        Some(uri) if app.redirect_uris.iter().any(|r| r == uri) => {
            let state = p.get("state").map(|s| [("state", s)]);
            Some(super::authorize::with_query(
                uri,
                state.as_ref().map_or(&[][..], |s| &s[..]),
            ))
        }
        Some(_) => {
            return Err(Error::oauth(
                "invalid_request",
                "post_logout_redirect_uri is not one of the application's redirect URIs",
            ))
        }
        None => None,
    };
    let session = store
        .get_session(&app.organization_id, &hint.sid)
        .await?
        .filter(|s| s.user_id == hint.sub && s.application_id.as_deref() == Some(app.id.as_str()));
    if let Some(s) = session {
        // The client's session, and the hosted page's it began from: signed out of both.
        store
            .revoke_session(&app.organization_id, &s.id, now)
            .await?;
        if let Some(parent) = &s.parent_id {
            store
                .revoke_session(&app.organization_id, parent, now)
                .await?;
        }
    }
    Ok(redirect)
}

/// The provider's page after a logout with no redirect.
pub fn signed_out_page() -> String {
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
     <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
     <title>Signed out</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\
     <body><main><h1>You are signed out</h1><p>You can close this tab.</p></main></body></html>\n"
        .to_owned()
}
