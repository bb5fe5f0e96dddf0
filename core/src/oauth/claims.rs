//! What the provider says about a user: the ID token (OpenID Connect Core §2, §3.1.3.6)
//! and the userinfo answer (§5.3), each limited to the scopes granted (§5.4).

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Serialize;

use super::Scopes;
use crate::model::{Session, User};
use crate::secrets::sha256;
use crate::sessions::jwt::KeyRing;
use crate::sessions::tokens::amr;
use crate::Error;

/// `acr` of a session begun with one factor, and with two (or a passkey, which is a
/// possession factor verified with the user present: RFC 8176 `hwk` and `user`).
pub const ACR_ONE_FACTOR: &str = "urn:latchkey:acr:1fa";
pub const ACR_TWO_FACTORS: &str = "urn:latchkey:acr:2fa";

/// The claims of the user the scopes allow (`email`: address and whether it is verified;
/// `profile`: name, username, last change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserClaims {
    pub sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

pub fn user_claims(user: &User, scope: &Scopes) -> UserClaims {
    let email = scope.has("email");
    let profile = scope.has("profile");
    UserClaims {
        sub: user.id.clone(),
        email: email.then(|| user.email.clone()),
        email_verified: email.then_some(user.email_verified),
        name: user.name.clone().filter(|_| profile),
        preferred_username: user.username.clone().filter(|_| profile),
        updated_at: profile.then_some(user.updated_at / 1000),
    }
}

/// An ID token's claims; `iat` and `exp` are set when it is signed.
#[derive(Debug, Clone, Serialize)]
pub struct IdClaims {
    pub iss: String,
    pub aud: String,
    /// The authorized party: the client the token was issued to.
    pub azp: String,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub amr: Vec<String>,
    pub acr: &'static str,
    pub at_hash: String,
    pub sid: String,
    #[serde(flatten)]
    pub user: UserClaims,
}

/// `at_hash`: the left half of the access token's SHA-256, base64url (§3.1.3.6, ES256).
pub fn at_hash(access_token: &str) -> String {
    Base64UrlUnpadded::encode_string(&sha256(access_token.as_bytes())[..16])
}

/// `acr` of a session, from how it began.
pub fn acr(methods: &[String]) -> &'static str {
    let values = amr(methods);
    if values.iter().any(|v| v == "mfa" || v == "hwk") {
        ACR_TWO_FACTORS
    } else {
        ACR_ONE_FACTOR
    }
}

/// What an ID token says beyond the user: the client, the session and the request's nonce.
pub struct IdToken<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub session: &'a Session,
    pub user: &'a User,
    pub scope: &'a Scopes,
    pub nonce: Option<String>,
    pub access_token: &'a str,
}

/// Signs the ID token, valid as long as its access token.
pub async fn id_token(
    keys: &KeyRing,
    t: IdToken<'_>,
    now: i64,
    ttl_secs: u32,
) -> Result<String, Error> {
    let claims = IdClaims {
        iss: t.issuer.to_owned(),
        aud: t.client_id.to_owned(),
        azp: t.client_id.to_owned(),
        auth_time: t.session.created_at / 1000,
        nonce: t.nonce,
        amr: amr(&t.session.methods),
        acr: acr(&t.session.methods),
        at_hash: at_hash(t.access_token),
        sid: t.session.id.clone(),
        user: user_claims(t.user, t.scope),
    };
    keys.token(claims, now, ttl_secs).await
}
