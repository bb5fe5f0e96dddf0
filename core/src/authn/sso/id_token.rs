//! A provider's ID token, checked as OpenID Connect Core §3.1.3.7 asks: a signature by one
//! of the provider's published keys with an algorithm we accept (RS256, ES256; never
//! `none` or a MAC), the issuer, the audience (and `azp`), the expiry and issue time with a
//! minute of leeway, and the nonce this sign-in sent, compared in constant time.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;

use super::upstream::{failed, rejected, Upstream, UpstreamRequest};
use crate::secrets::ct_eq;
use crate::Error;

/// Signature algorithms accepted from providers.
pub const ALGORITHMS: [&str; 2] = ["RS256", "ES256"];
/// Seconds of clock difference tolerated on `exp` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

pub use crate::sessions::jwt::{P256Check, SignatureCheck};

/// What the token must say.
pub struct Expected<'a> {
    pub issuers: &'a [String],
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Milliseconds since the epoch.
    pub now: i64,
}

fn part(p: &str) -> Result<Vec<u8>, Error> {
    Base64UrlUnpadded::decode_vec(p).map_err(|_| rejected("the ID token is not a JWS"))
}

fn json(bytes: &[u8]) -> Result<Value, Error> {
    crate::api::from_json::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| rejected("the ID token is not a JWS"))
}

/// The key type an algorithm needs.
fn key_fits(alg: &str, jwk: &Value) -> bool {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str);
    let kty_ok = match alg {
        "RS256" => s("kty") == Some("RSA"),
        "ES256" => s("kty") == Some("EC") && s("crv") == Some("P-256"),
        _ => false,
    };
    kty_ok && s("use").is_none_or(|u| u == "sig") && s("alg").is_none_or(|a| a == alg)
}

/// The provider's signing keys (`jwks_uri`), from the cache unless `fresh`.
pub async fn keys(up: &impl Upstream, jwks_uri: &str, fresh: bool) -> Result<Vec<Value>, Error> {
    let (status, body) = up
        .fetch_json(UpstreamRequest {
            url: jwks_uri.to_owned(),
            form: None,
            authorization: None,
            max_age_secs: if fresh {
                0
            } else {
                super::upstream::DOCUMENT_MAX_AGE_SECS
            },
        })
        .await?;
    match body.get("keys").and_then(Value::as_array) {
        Some(keys) if status == 200 => Ok(keys.clone()),
        _ => Err(failed(format!("the JWKS answered {status} without keys"))),
    }
}

/// Whether `jwks` has the key `token`'s header names (by `kid`; a token without one may be
/// signed by any key). A key the set lacks may be one the provider rotated in since the set
/// was cached.
pub fn has_key_for(jwks: &[Value], token: &str) -> bool {
    let kid = token
        .split('.')
        .next()
        .and_then(|h| Base64UrlUnpadded::decode_vec(h).ok())
        .and_then(|h| crate::api::from_json::<Value>(&h).ok())
        .and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned));
    match kid {
        Some(kid) => jwks
            .iter()
            .any(|k| k.get("kid").and_then(Value::as_str) == Some(kid.as_str())),
        None => true,
    }
}

/// Checks `token` against `expected` and the provider's `jwks`; its claims.
pub async fn verify(
    check: &impl SignatureCheck,
    jwks: &[Value],
    token: &str,
    expected: &Expected<'_>,
) -> Result<Value, Error> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(rejected("the ID token is not a JWS"));
    };
    let header = json(&part(h)?)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if !ALGORITHMS.contains(&alg) {
        return Err(rejected(format!(
            "the ID token's algorithm {alg:?} is not accepted"
        )));
    }
    if header.get("crit").is_some() {
        return Err(rejected("the ID token has critical header parameters"));
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let candidates = jwks
        .iter()
        .filter(|k| key_fits(alg, k))
        .filter(|k| kid.is_none_or(|kid| k.get("kid").and_then(Value::as_str) == Some(kid)));
    let signature = part(sig)?;
    let message = format!("{h}.{p}");
    let mut verified = false;
    for key in candidates {
        if check
            .verify(alg, key, message.as_bytes(), &signature)
            .await?
        {
            verified = true;
            break;
        }
    }
    if !verified {
        return Err(rejected(
            "the ID token's signature is not by the provider's keys",
        ));
    }
    let claims = json(&part(p)?)?;
    check_claims(&claims, expected)?;
    Ok(claims)
}

fn check_claims(c: &Value, e: &Expected<'_>) -> Result<(), Error> {
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    let n = |k: &str| c.get(k).and_then(Value::as_i64);
    if !s("iss").is_some_and(|iss| e.issuers.iter().any(|i| i == iss)) {
        return Err(rejected("the ID token is from another issuer"));
    }
    let aud: Vec<&str> = match c.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !aud.contains(&e.client_id) {
        return Err(rejected("the ID token is for another client"));
    }
    let azp = s("azp");
    if (aud.len() > 1 || azp.is_some()) && azp != Some(e.client_id) {
        return Err(rejected(
            "the ID token's authorized party is another client",
        ));
    }
    let now = e.now.div_euclid(1000);
    if !matches!(n("exp"), Some(exp) if now < exp.saturating_add(LEEWAY_SECS)) {
        return Err(rejected("the ID token has expired"));
    }
    if !matches!(n("iat"), Some(iat) if iat <= now.saturating_add(LEEWAY_SECS)) {
        return Err(rejected("the ID token is issued in the future"));
    }
    if !s("nonce").is_some_and(|nonce| ct_eq(nonce.as_bytes(), e.nonce.as_bytes())) {
        return Err(rejected("the ID token's nonce is not this sign-in's"));
    }
    if !s("sub").is_some_and(|sub| !sub.is_empty() && sub.len() <= 255) {
        return Err(rejected("the ID token has no subject"));
    }
    Ok(())
}
