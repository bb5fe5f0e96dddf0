//! The tokens of a session: ES256 access tokens signed by the [`KeyRing`] and opaque refresh
//! tokens stored only as hashes, with their lifetimes and audience.

use crate::api::{TokenResponse, UserView};
use crate::model::{Application, RefreshToken, Session};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::sessions::jwt::{AccessClaims, KeyRing};
use crate::Error;

pub use crate::model::{lifetimes, DEFAULT_ACCESS_TTL_SECS, DEFAULT_REFRESH_TTL_SECS};

/// Refresh tokens are `lkr_` and 64 hex digits (256 random bits).
pub const REFRESH_TOKEN_PREFIX: &str = "lkr_";
/// Refresh tokens issued by the OpenID provider's token endpoint are `lko_`: only that
/// endpoint (which authenticates confidential clients) takes them, and only them. The
/// prefix is part of what is hashed, so it cannot be changed.
pub const OIDC_REFRESH_PREFIX: &str = "lko_";

/// Tokens of a new or refreshed session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u32,
}

impl TokenResponse {
    pub fn new(session_id: &str, tokens: Issued, user: Option<UserView>) -> Self {
        TokenResponse {
            access_token: tokens.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: tokens.expires_in,
            refresh_token: Some(tokens.refresh_token),
            session_id: session_id.to_owned(),
            user,
            csrf_token: None,
            trust_token: None,
            backup_codes: None,
        }
    }
}

/// A new opaque refresh token and its stored form.
pub fn new_refresh_token(
    session_id: &str,
    now: i64,
    ttl_ms: i64,
    rng: &mut impl Rng,
) -> (String, RefreshToken) {
    new_refresh_token_with(REFRESH_TOKEN_PREFIX, session_id, now, ttl_ms, rng)
}

/// A new opaque refresh token with `prefix` and its hash, as stored.
pub fn new_refresh_secret(prefix: &str, rng: &mut impl Rng) -> (String, String) {
    let token = format!("{prefix}{}", hex(&rng.bytes::<32>()));
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// [`new_refresh_token`] with its prefix ([`OIDC_REFRESH_PREFIX`] for the token endpoint's).
pub fn new_refresh_token_with(
    prefix: &str,
    session_id: &str,
    now: i64,
    ttl_ms: i64,
    rng: &mut impl Rng,
) -> (String, RefreshToken) {
    let (token, token_hash) = new_refresh_secret(prefix, rng);
    let stored = RefreshToken {
        token_hash,
        session_id: session_id.to_owned(),
        created_at: now,
        expires_at: now + ttl_ms,
    };
    (token, stored)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex(&sha256(token.as_bytes()))
}

/// Signs an access token for `session`.
pub async fn access_token(
    keys: &KeyRing,
    issuer: &str,
    session: &Session,
    audience: &str,
    roles: Vec<String>,
    ttl_secs: u32,
    now: i64,
) -> Result<String, Error> {
    keys.token(
        AccessClaims {
            iss: issuer.to_owned(),
            sub: session.user_id.clone(),
            aud: audience.to_owned(),
            sid: session.id.clone(),
            org: session.organization_id.clone(),
            roles,
            amr: amr(&session.methods),
            scope: session.scope.clone(),
        },
        now,
        ttl_secs,
    )
    .await
}

/// The `amr` claim (RFC 8176) of a session established by `methods`.
pub fn amr(methods: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in methods {
        let values: &[&str] = match m.as_str() {
            "password" => &["pwd"],
            "passkey" => &["hwk", "user"],
            "totp" | "backup_code" => &["otp"],
            _ => &[],
        };
        for v in values {
            if !out.iter().any(|o| o == v) {
                out.push((*v).to_owned());
            }
        }
    }
    // RFC 8176 `mfa`: more than one factor was used.
    if methods.len() > 1 && !out.iter().any(|o| o == "mfa") {
        out.push("mfa".to_owned());
    }
    out
}

/// The audience of tokens for an application: its client id (Latchkey's administrative API
/// for `admin_api` applications), or the organization id when there is no application.
pub fn audience(app: Option<&Application>, org_id: &str, issuer: &str) -> String {
    match app {
        Some(a) if a.admin_api => admin_audience(issuer),
        Some(a) => a.client_id.clone(),
        None => org_id.to_owned(),
    }
}

/// The audience of tokens for Latchkey's own administrative API: only these carry a user's
/// administrative permissions (see [`crate::http::caller`]).
pub fn admin_audience(issuer: &str) -> String {
    format!("{issuer}/api")
}
