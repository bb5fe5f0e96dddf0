//! Authentication of the `Authorization` header: an organization API key, the platform
//! operator's key, or a user's access token of a live session.

use crate::access::{Grants, Principal};
use crate::identity::api_keys;
use crate::secrets::ApiKeySecret;
use crate::sessions::jwt::{KeyRing, SignatureCheck};
use crate::sessions::tokens::admin_audience;
use crate::store::{ApiKeyStore, SessionStore, UserStore};
use crate::Error;

/// What authentication needs besides the stores.
pub struct Authn<'a> {
    pub platform_key: Option<&'a str>,
    pub keys: Option<&'a KeyRing>,
    pub issuer: &'a str,
    pub now: i64,
    /// Load the administrative permissions a user's roles grant (administrative routes).
    pub want_grants: bool,
}

/// `Bearer <credential>` or the bare credential.
pub fn credential(authorization: &str) -> &str {
    authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .unwrap_or(authorization)
        .trim()
}

/// True when the credential has the shape of a JWT (three dot-separated parts).
pub fn looks_like_jwt(credential: &str) -> bool {
    credential.split('.').count() == 3 && !credential.starts_with("lk")
}

/// `signatures` checks an access token's signature (the worker: Web Crypto).
pub async fn authenticate(
    store: &(impl ApiKeyStore + SessionStore + UserStore),
    authorization: &str,
    cfg: Authn<'_>,
    signatures: &impl SignatureCheck,
) -> Result<Principal, Error> {
    let cred = credential(authorization);
    if ApiKeySecret::parse(cred).is_none() && looks_like_jwt(cred) {
        let keys = cfg.keys.ok_or(Error::Unauthorized)?;
        let verified = keys
            .verify_with(cred, cfg.issuer, None, cfg.now, signatures)
            .await?;
        let c = verified.claims;
        // Tokens the OpenID provider gave a client (they carry `scope`) are for that client's
        // own APIs and for userinfo, never for Latchkey's routes: a relying party, or whoever
        // it hands the token to, must not act as the user here.
        if c.scope.is_some() {
            return Err(Error::Unauthorized);
        }
        // Logout and revocation take effect at once, not when the token expires.
        store.check_session(&c.org, &c.sid, &c.sub, cfg.now).await?;
        // Roles grant administrative permissions only through a token issued for
        // Latchkey's own API; a relying party's token (any other audience) grants none.
        let grants = if cfg.want_grants && c.aud == admin_audience(cfg.issuer) {
            Grants::known(&store.user_permission_names(&c.org, &c.sub).await?)
        } else {
            Grants::Only(Vec::new())
        };
        return Ok(Principal::User {
            organization_id: c.org,
            user_id: c.sub,
            session_id: c.sid,
            grants,
            audience: c.aud,
        });
    }
    api_keys::authenticate(store, cred, cfg.platform_key, cfg.now).await
}
