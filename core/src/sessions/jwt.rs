//! Access tokens: ES256 JWTs with `kid` in the header, signed by the ring's [`Es256Signer`]
//! (the worker: Web Crypto) or `p256`, and verified (jwt-compact, or a [`SignatureCheck`])
//! with the algorithm pinned and `iss`, `aud`, `exp` and `nbf` checked. The key ring holds the
//! current signing key and, during rotation, the previous one, whose public key stays
//! published until the tokens it signed have expired.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use chrono::{DateTime, TimeDelta, Utc};
use jwt_compact::alg::Es256;
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, Claims, TimeOptions, Token, UntrustedToken};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::DecodePrivateKey;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::Error;

/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: i64 = 10;

/// The claims of a Latchkey access token (besides `exp`, `nbf`, `iat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer: the service's base URL.
    pub iss: String,
    /// Subject: the user id.
    pub sub: String,
    /// Audience: the application's client id.
    pub aud: String,
    /// Session id.
    pub sid: String,
    /// Organization id.
    pub org: String,
    /// Role names held at issue.
    #[serde(default)]
    pub roles: Vec<String>,
    /// How the user authenticated (RFC 8176): `pwd` for a password; `hwk` and `user` for a
    /// passkey (a hardware-bound key, used with the user present).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The scopes an OpenID Connect client was granted (RFC 9068 `scope`); absent from the
    /// tokens of sessions no client was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Verifies a JWS signature with a public key given as a JWK: natively [`P256Check`]; in
/// the worker, Web Crypto (native code in the runtime, where `p256` would run in wasm). Our
/// own access tokens and identity providers' ID tokens are checked through it.
#[allow(async_fn_in_trait)]
pub trait SignatureCheck {
    /// Whether `signature` over `message` verifies under `jwk` with `alg` (one of
    /// `RS256` or `ES256`); `Ok(false)` for a key that cannot be used.
    async fn verify(
        &self,
        alg: &str,
        jwk: &serde_json::Value,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error>;
}

/// ES256 with the `p256` crate: natively, for tests and hosts without Web Crypto.
pub struct P256Check;

impl SignatureCheck for P256Check {
    async fn verify(
        &self,
        alg: &str,
        jwk: &serde_json::Value,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        use p256::ecdsa::signature::Verifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        if alg != "ES256" {
            return Ok(false);
        }
        let coord = |k: &str| {
            jwk.get(k)
                .and_then(serde_json::Value::as_str)
                .and_then(|v| Base64UrlUnpadded::decode_vec(v).ok())
                .filter(|v| v.len() == 32)
        };
        let (Some(x), Some(y)) = (coord("x"), coord("y")) else {
            return Ok(false);
        };
        let mut sec1 = vec![4u8];
        sec1.extend(x);
        sec1.extend(y);
        let (Ok(key), Ok(sig)) = (
            VerifyingKey::from_sec1_bytes(&sec1),
            Signature::from_slice(signature),
        ) else {
            return Ok(false);
        };
        Ok(key.verify(message, &sig).is_ok())
    }
}

/// Makes ES256 signatures with the ring's current key: the raw `r || s` (64 bytes) of a JWS
/// signing input. The worker signs with Web Crypto (native code in the runtime, where `p256`
/// would run in wasm); a ring without one signs with `p256` ([`KeyRing::sign`]).
pub trait Es256Signer {
    fn sign<'a>(
        &'a self,
        input: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>>;
}

/// A verified token's claims and lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub claims: AccessClaims,
    pub expires_at: i64,
    pub issued_at: i64,
}

struct Key {
    kid: String,
    verifying: VerifyingKey,
    /// The public key as published (`kid`, `alg`, `use` included).
    jwk: serde_json::Value,
}

impl Key {
    fn new(verifying: VerifyingKey) -> Key {
        let kid = kid_of(&verifying);
        let mut jwk = serde_json::to_value(JsonWebKey::from(&verifying)).unwrap_or_default();
        jwk["kid"] = kid.clone().into();
        jwk["alg"] = "ES256".into();
        jwk["use"] = "sig".into();
        Key {
            kid,
            verifying,
            jwk,
        }
    }
}

/// The signing key and, during rotation, the previous key's public half.
pub struct KeyRing {
    signing: SigningKey,
    /// Signs with the current key in place of `signing`, where set ([`KeyRing::with_signer`]).
    signer: Option<Rc<dyn Es256Signer>>,
    current: Key,
    previous: Option<Key>,
}

fn key_err(what: &str) -> Error {
    Error::Internal(format!("signing key: {what}"))
}

fn parse_signing_key(b64: &str) -> Result<SigningKey, Error> {
    let der = Base64::decode_vec(b64.trim()).map_err(|_| key_err("not base64"))?;
    SigningKey::from_pkcs8_der(&der).map_err(|_| key_err("not a PKCS#8 P-256 private key"))
}

/// RFC 7638 thumbprint of the public key, base64url: a stable `kid`.
fn kid_of(key: &VerifyingKey) -> String {
    let jwk = JsonWebKey::from(key);
    Base64UrlUnpadded::encode_string(&jwk.thumbprint::<Sha256>())
}

fn ms_to_datetime(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::Internal(format!("time {ms} out of range")))
}

impl KeyRing {
    /// From base64 PKCS#8 DER private keys (`SIGNING_KEY`, optional `SIGNING_KEY_PREVIOUS`).
    pub fn from_pkcs8(current: &str, previous: Option<&str>) -> Result<Self, Error> {
        let signing = parse_signing_key(current)?;
        let previous = match previous.filter(|p| !p.trim().is_empty()) {
            Some(p) => Some(Key::new(*parse_signing_key(p)?.verifying_key())),
            None => None,
        };
        Ok(KeyRing {
            current: Key::new(*signing.verifying_key()),
            signing,
            signer: None,
            previous,
        })
    }

    /// This ring, its tokens signed by `signer` (which must hold the same current key).
    pub fn with_signer(mut self, signer: Rc<dyn Es256Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    pub fn current_kid(&self) -> &str {
        &self.current.kid
    }

    /// The JWKS document: every key a valid token may carry.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<&serde_json::Value> = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(|k| &k.jwk)
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Signs an access token valid from `now_ms` for `ttl_secs`, with `p256` here (tests, and
    /// hosts without a signer); requests sign with [`KeyRing::token`].
    pub fn issue(&self, claims: AccessClaims, now_ms: i64, ttl_secs: u32) -> Result<String, Error> {
        self.sign(claims, now_ms, ttl_secs)
    }

    /// Signs any claims (an access token's, an ID token's) with the current key, with `iat`,
    /// `nbf` and `exp` set from `now_ms` and `ttl_secs`, with `p256` here.
    pub fn sign<T: Serialize>(
        &self,
        claims: T,
        now_ms: i64,
        ttl_secs: u32,
    ) -> Result<String, Error> {
        use p256::ecdsa::signature::Signer;
        let input = self.signing_input(claims, now_ms, ttl_secs)?;
        let signature: p256::ecdsa::Signature = self.signing.sign(input.as_bytes());
        Ok(compact(input, &signature.to_bytes()))
    }

    /// [`KeyRing::sign`], by the ring's signer where it has one (the worker: Web Crypto).
    pub async fn token<T: Serialize>(
        &self,
        claims: T,
        now_ms: i64,
        ttl_secs: u32,
    ) -> Result<String, Error> {
        let Some(signer) = &self.signer else {
            return self.sign(claims, now_ms, ttl_secs);
        };
        let input = self.signing_input(claims, now_ms, ttl_secs)?;
        let signature = signer.sign(input.as_bytes()).await?;
        if signature.len() != 64 {
            return Err(Error::Internal(format!(
                "signer: {} bytes, not an ES256 signature",
                signature.len()
            )));
        }
        Ok(compact(input, &signature))
    }

    /// The JWS signing input: `base64url(header) "." base64url(claims)`, the header naming
    /// ES256, the current key's `kid` and type JWT.
    fn signing_input<T: Serialize>(
        &self,
        claims: T,
        now_ms: i64,
        ttl_secs: u32,
    ) -> Result<String, Error> {
        let now = ms_to_datetime(now_ms)?;
        let mut c = Claims::new(claims);
        c.issued_at = Some(now);
        c.not_before = Some(now);
        c.expiration = Some(now + TimeDelta::seconds(i64::from(ttl_secs)));
        let header = serde_json::json!({ "alg": "ES256", "kid": self.current.kid, "typ": "JWT" });
        let json = |v: Result<Vec<u8>, serde_json::Error>| {
            v.map(|b| Base64UrlUnpadded::encode_string(&b))
                .map_err(|e| Error::Internal(format!("token: {e}")))
        };
        Ok(format!(
            "{}.{}",
            json(serde_json::to_vec(&header))?,
            json(serde_json::to_vec(&c))?
        ))
    }

    /// A token signed by a key of this ring named by its `kid`, ES256 only, with its claims
    /// read as `T`; nothing else is checked. Any failure is `UNAUTHORIZED`.
    fn signed<T: serde::de::DeserializeOwned>(&self, token: &str) -> Result<Token<T>, Error> {
        let untrusted = UntrustedToken::new(token).map_err(|_| Error::Unauthorized)?;
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or(Error::Unauthorized)?;
        let key = self.key(kid)?;
        Es256
            .validator::<T>(&key.verifying)
            .validate(&untrusted)
            .map_err(|_| Error::Unauthorized)
    }

    /// The claims of a token signed by a key of this ring (named by `kid`, ES256 only) and its
    /// expiry in ms, read as `T`; times, issuer and audience are the caller's to check.
    pub fn verify_signature<T: serde::de::DeserializeOwned + Clone>(
        &self,
        token: &str,
    ) -> Result<(T, Option<i64>), Error> {
        let token = self.signed::<T>(token)?;
        let claims = token.claims();
        Ok((
            claims.custom.clone(),
            claims.expiration.map(|t| t.timestamp_millis()),
        ))
    }

    /// The key of this ring named `kid`.
    fn key(&self, kid: &str) -> Result<&Key, Error> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|k| k.kid == kid)
            .ok_or(Error::Unauthorized)
    }

    /// Verifies a token: signature by a key of this ring named by `kid`, algorithm ES256
    /// only, issuer, audience (when given), expiry and not-before. Any failure is
    /// `UNAUTHORIZED`.
    pub fn verify(
        &self,
        token: &str,
        issuer: &str,
        audience: Option<&str>,
        now_ms: i64,
    ) -> Result<Verified, Error> {
        let token = self.signed::<AccessClaims>(token)?;
        valid(token.claims(), issuer, audience, now_ms)
    }

    /// [`KeyRing::verify`], with the signature checked by `check` (the worker: Web Crypto).
    pub async fn verify_with(
        &self,
        token: &str,
        issuer: &str,
        audience: Option<&str>,
        now_ms: i64,
        check: &impl SignatureCheck,
    ) -> Result<Verified, Error> {
        let untrusted = UntrustedToken::new(token).map_err(|_| Error::Unauthorized)?;
        if untrusted.algorithm() != "ES256" {
            return Err(Error::Unauthorized);
        }
        let kid = untrusted.header().key_id.as_deref();
        let key = self.key(kid.ok_or(Error::Unauthorized)?)?;
        let (message, signature) = token.rsplit_once('.').ok_or(Error::Unauthorized)?;
        let signature =
            Base64UrlUnpadded::decode_vec(signature).map_err(|_| Error::Unauthorized)?;
        if !check
            .verify("ES256", &key.jwk, message.as_bytes(), &signature)
            .await?
        {
            return Err(Error::Unauthorized);
        }
        let claims = untrusted
            .deserialize_claims_unchecked::<AccessClaims>()
            .map_err(|_| Error::Unauthorized)?;
        valid(&claims, issuer, audience, now_ms)
    }
}

/// A JWS in compact form: the signing input, ".", the signature in base64url.
fn compact(input: String, signature: &[u8]) -> String {
    let mut token = input;
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(signature));
    token
}

/// The checks of a signed token's claims: expiry and not-before (with [`LEEWAY_SECS`]),
/// issuer, and audience when given.
fn valid(
    claims: &Claims<AccessClaims>,
    issuer: &str,
    audience: Option<&str>,
    now_ms: i64,
) -> Result<Verified, Error> {
    let now = ms_to_datetime(now_ms)?;
    let options = TimeOptions::new(TimeDelta::seconds(LEEWAY_SECS), move || now);
    claims
        .validate_expiration(&options)
        .and_then(|c| c.validate_maturity(&options))
        .map_err(|_| Error::Unauthorized)?;
    let custom = &claims.custom;
    if custom.iss != issuer || audience.is_some_and(|a| custom.aud != a) {
        return Err(Error::Unauthorized);
    }
    Ok(Verified {
        claims: custom.clone(),
        expires_at: claims.expiration.map_or(0, |t| t.timestamp_millis()),
        issued_at: claims.issued_at.map_or(0, |t| t.timestamp_millis()),
    })
}

/// The issuer of tokens: the configured `ISSUER` (without a trailing slash), or, only for
/// local development on loopback, the request's own origin. Anywhere else an unset issuer
/// is a configuration error: tokens must not name whatever host a request came in by.
pub fn issuer(configured: Option<&str>, request_origin: &str) -> Result<String, Error> {
    match configured.map(|c| c.trim().trim_end_matches('/')) {
        Some(c) if !c.is_empty() => Ok(c.to_owned()),
        _ if crate::sessions::cookies::is_local(request_origin) => Ok(request_origin.to_owned()),
        _ => Err(Error::Internal(
            "ISSUER must be set outside local development".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_tokens_issuer_is_configured_outside_loopback() {
        assert_eq!(
            issuer(Some("https://auth.example.com/"), "https://x.workers.dev"),
            Ok("https://auth.example.com".to_owned())
        );
        assert_eq!(
            issuer(None, "http://127.0.0.1:8787"),
            Ok("http://127.0.0.1:8787".to_owned())
        );
        assert_eq!(
            issuer(Some(" "), "http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        for origin in [
            "https://latchkey.example.workers.dev",
            "https://localhost.evil.com",
        ] {
            assert!(
                matches!(issuer(None, origin), Err(Error::Internal(_))),
                "{origin}"
            );
        }
    }
    use p256::pkcs8::EncodePrivateKey;

    const NOW: i64 = 1_760_000_000_000;
    const ISS: &str = "https://auth.example.com";

    fn key_b64(seed: u8) -> String {
        let sk = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
        Base64::encode_string(sk.to_pkcs8_der().unwrap().as_bytes())
    }

    fn claims() -> AccessClaims {
        AccessClaims {
            iss: ISS.into(),
            sub: "user-1".into(),
            aud: "client-1".into(),
            sid: "session-1".into(),
            org: "org-1".into(),
            roles: vec!["admin".into()],
            amr: vec!["pwd".into()],
            scope: None,
        }
    }

    fn ring() -> KeyRing {
        KeyRing::from_pkcs8(&key_b64(7), None).unwrap()
    }

    fn b64url_json(v: &serde_json::Value) -> String {
        Base64UrlUnpadded::encode_string(v.to_string().as_bytes())
    }

    #[test]
    fn test_tokens_issue_and_verify() {
        let ring = ring();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        let v = ring.verify(&t, ISS, Some("client-1"), NOW + 1000).unwrap();
        assert_eq!(v.claims, claims());
        assert_eq!(v.expires_at, NOW + 600_000);
        let header: serde_json::Value = serde_json::from_slice(
            &Base64UrlUnpadded::decode_vec(t.split('.').next().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], ring.current_kid());
    }

    /// A signer as the worker's, here with `p256`: the key it holds, and how often it signed.
    struct CountingSigner {
        key: SigningKey,
        calls: std::cell::Cell<u32>,
        /// Answers this many bytes of signature instead of the 64 of ES256, when set.
        truncate: Option<usize>,
    }

    impl CountingSigner {
        fn new(seed: u8, truncate: Option<usize>) -> Rc<CountingSigner> {
            Rc::new(CountingSigner {
                key: parse_signing_key(&key_b64(seed)).unwrap(),
                calls: std::cell::Cell::new(0),
                truncate,
            })
        }
    }

    impl Es256Signer for CountingSigner {
        fn sign<'a>(
            &'a self,
            input: &'a [u8],
        ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>> {
            use p256::ecdsa::signature::Signer;
            self.calls.set(self.calls.get() + 1);
            let signature: p256::ecdsa::Signature = self.key.sign(input);
            let mut bytes = signature.to_bytes().to_vec();
            bytes.truncate(self.truncate.unwrap_or(64));
            Box::pin(async move { Ok(bytes) })
        }
    }

    #[test]
    fn test_tokens_signed_by_the_rings_signer_verify_as_its_own() {
        let signer = CountingSigner::new(7, None);
        let ring = ring().with_signer(signer.clone());
        let t = pollster::block_on(ring.token(claims(), NOW, 600)).unwrap();
        assert_eq!(signer.calls.get(), 1, "the signer made the signature");
        let v = ring.verify(&t, ISS, Some("client-1"), NOW + 1000).unwrap();
        assert_eq!((v.claims, v.expires_at), (claims(), NOW + 600_000));
        // The same header and claims as the ring's own p256 signature: only the signature
        // differs (ECDSA's nonce), so both verify alike.
        let own = ring.issue(claims(), NOW, 600).unwrap();
        assert_eq!(
            t.rsplit_once('.').unwrap().0,
            own.rsplit_once('.').unwrap().0
        );
        // Without a signer, `token` signs with p256.
        let plain = pollster::block_on(super::tests::ring().token(claims(), NOW, 600)).unwrap();
        assert!(ring.verify(&plain, ISS, None, NOW).is_ok());
    }

    #[test]
    fn test_tokens_a_signer_with_another_key_or_a_short_signature_gives_no_token() {
        // A signer holding another key than the ring publishes: its tokens do not verify.
        let ring = ring().with_signer(CountingSigner::new(8, None));
        let t = pollster::block_on(ring.token(claims(), NOW, 600)).unwrap();
        assert_eq!(ring.verify(&t, ISS, None, NOW), Err(Error::Unauthorized));
        // A signature that is not ES256's 64 bytes is an internal error, not a token.
        let ring = super::tests::ring().with_signer(CountingSigner::new(7, Some(63)));
        assert!(matches!(
            pollster::block_on(ring.token(claims(), NOW, 600)),
            Err(Error::Internal(_))
        ));
    }

    #[test]
    fn test_tokens_expired_and_not_yet_valid() {
        let ring = ring();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        assert_eq!(
            ring.verify(&t, ISS, None, NOW + 600_000 + 11_000),
            Err(Error::Unauthorized)
        );
        assert!(
            ring.verify(&t, ISS, None, NOW + 600_000 + 5_000).is_ok(),
            "within leeway"
        );
        assert_eq!(
            ring.verify(&t, ISS, None, NOW - 60_000),
            Err(Error::Unauthorized)
        );
    }

    #[test]
    fn test_tokens_wrong_issuer_or_audience() {
        let ring = ring();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        assert_eq!(
            ring.verify(&t, "https://evil.example.com", None, NOW),
            Err(Error::Unauthorized)
        );
        assert_eq!(
            ring.verify(&t, ISS, Some("client-2"), NOW),
            Err(Error::Unauthorized)
        );
    }

    #[test]
    fn test_tokens_tampered_payload_or_signature() {
        let ring = ring();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        let mut evil = claims();
        evil.sub = "admin-user".into();
        let mut payload = serde_json::to_value(&evil).unwrap();
        payload["exp"] = (NOW / 1000 + 600).into();
        payload["nbf"] = (NOW / 1000).into();
        let forged = format!("{}.{}.{}", parts[0], b64url_json(&payload), parts[2]);
        assert_eq!(
            ring.verify(&forged, ISS, None, NOW),
            Err(Error::Unauthorized)
        );
        let mut sig = Base64UrlUnpadded::decode_vec(parts[2]).unwrap();
        sig[10] ^= 1;
        let bad_sig = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            Base64UrlUnpadded::encode_string(&sig)
        );
        assert_eq!(
            ring.verify(&bad_sig, ISS, None, NOW),
            Err(Error::Unauthorized)
        );
        assert_eq!(
            ring.verify("not.a.jwt", ISS, None, NOW),
            Err(Error::Unauthorized)
        );
        assert_eq!(ring.verify("", ISS, None, NOW), Err(Error::Unauthorized));
    }

    #[test]
    fn test_tokens_alg_none_and_hs256_rejected() {
        use hmac_sha256_for_test as hs;
        let ring = ring();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        let payload = t.split('.').nth(1).unwrap();
        let kid = ring.current_kid();
        let none = serde_json::json!({"alg": "none", "kid": kid, "typ": "JWT"});
        assert_eq!(
            ring.verify(
                &format!("{}.{payload}.", b64url_json(&none)),
                ISS,
                None,
                NOW
            ),
            Err(Error::Unauthorized)
        );
        // HS256 "signed" with the public key as the HMAC secret (the classic confusion attack).
        let hs_header = b64url_json(&serde_json::json!({"alg": "HS256", "kid": kid, "typ": "JWT"}));
        let public = ring.jwks().to_string();
        let signing_input = format!("{hs_header}.{payload}");
        let mac = hs::hmac(public.as_bytes(), signing_input.as_bytes());
        let forged = format!("{signing_input}.{}", Base64UrlUnpadded::encode_string(&mac));
        assert_eq!(
            ring.verify(&forged, ISS, None, NOW),
            Err(Error::Unauthorized)
        );
    }

    #[test]
    fn test_tokens_verified_through_a_signature_check_as_natively() {
        // The worker checks signatures with Web Crypto through `verify_with`; every token
        // `verify` refuses, it refuses, and what `verify` accepts, it accepts the same.
        use hmac_sha256_for_test as hs;
        let ring = KeyRing::from_pkcs8(&key_b64(8), Some(&key_b64(7))).unwrap();
        let t = ring.issue(claims(), NOW, 600).unwrap();
        let old = KeyRing::from_pkcs8(&key_b64(7), None)
            .unwrap()
            .issue(claims(), NOW, 600)
            .unwrap();
        let other = KeyRing::from_pkcs8(&key_b64(9), None)
            .unwrap()
            .issue(claims(), NOW, 600)
            .unwrap();
        let [head, payload, sig] = <[&str; 3]>::try_from(t.split('.').collect::<Vec<_>>()).unwrap();
        let mut evil = claims();
        evil.sub = "admin-user".into();
        let mut forged_claims = serde_json::to_value(&evil).unwrap();
        forged_claims["exp"] = (NOW / 1000 + 600).into();
        let forged = format!("{head}.{}.{sig}", b64url_json(&forged_claims));
        let kid = ring.current_kid();
        let none = format!(
            "{}.{payload}.",
            b64url_json(&serde_json::json!({"alg": "none", "kid": kid}))
        );
        let hs_head = b64url_json(&serde_json::json!({"alg": "HS256", "kid": kid}));
        let mac = hs::hmac(
            ring.jwks().to_string().as_bytes(),
            format!("{hs_head}.{payload}").as_bytes(),
        );
        let hs256 = format!(
            "{hs_head}.{payload}.{}",
            Base64UrlUnpadded::encode_string(&mac)
        );
        let cases: [(&str, &str, i64, bool); 9] = [
            ("valid", &t, NOW, true),
            ("the previous key's", &old, NOW, true),
            ("expired", &t, NOW + 700_000, false),
            ("not yet valid", &t, NOW - 60_000, false),
            ("another key's", &other, NOW, false),
            ("forged claims", &forged, NOW, false),
            ("alg none", &none, NOW, false),
            ("HS256 with the public key", &hs256, NOW, false),
            ("not a JWT", "a.b", NOW, false),
        ];
        for (what, token, now, ok) in cases {
            let native = ring.verify(token, ISS, Some("client-1"), now);
            let checked =
                pollster::block_on(ring.verify_with(token, ISS, Some("client-1"), now, &P256Check));
            assert_eq!(native, checked, "{what}");
            assert_eq!(checked.is_ok(), ok, "{what}");
        }
        assert_eq!(
            pollster::block_on(ring.verify_with(
                &t,
                "https://evil.example.com",
                None,
                NOW,
                &P256Check
            )),
            Err(Error::Unauthorized)
        );
    }

    #[test]
    fn test_tokens_unknown_kid_and_other_key_rejected() {
        let ring = ring();
        let other = KeyRing::from_pkcs8(&key_b64(9), None).unwrap();
        let t = other.issue(claims(), NOW, 600).unwrap();
        assert_eq!(ring.verify(&t, ISS, None, NOW), Err(Error::Unauthorized));
    }

    #[test]
    fn test_tokens_rotation_keeps_previous_key_valid() {
        let old = KeyRing::from_pkcs8(&key_b64(7), None).unwrap();
        let t = old.issue(claims(), NOW, 600).unwrap();
        let rotated = KeyRing::from_pkcs8(&key_b64(8), Some(&key_b64(7))).unwrap();
        assert!(rotated.verify(&t, ISS, None, NOW).is_ok());
        let jwks = rotated.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [rotated.current_kid(), old.current_kid()]);
        let k = &jwks["keys"][0];
        assert_eq!(
            (k["kty"].as_str(), k["crv"].as_str(), k["alg"].as_str()),
            (Some("EC"), Some("P-256"), Some("ES256"))
        );
        assert!(k.get("d").is_none(), "no private part published");
        let after = KeyRing::from_pkcs8(&key_b64(8), None).unwrap();
        assert_eq!(after.verify(&t, ISS, None, NOW), Err(Error::Unauthorized));
    }

    #[test]
    fn test_tokens_bad_key_material_is_internal() {
        assert_eq!(
            KeyRing::from_pkcs8("%%%", None).err().map(|e| e.code()),
            Some("INTERNAL_ERROR")
        );
        assert_eq!(
            KeyRing::from_pkcs8("AAAA", None).err().map(|e| e.code()),
            Some("INTERNAL_ERROR")
        );
    }

    /// HMAC-SHA256 (RFC 2104), only to forge tokens in tests.
    mod hmac_sha256_for_test {
        use sha2::{Digest, Sha256};

        pub fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
            let mut k = [0u8; 64];
            if key.len() > 64 {
                k[..32].copy_from_slice(&Sha256::digest(key));
            } else {
                k[..key.len()].copy_from_slice(key);
            }
            let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
            let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
            let inner = Sha256::new()
                .chain_update(&ipad)
                .chain_update(msg)
                .finalize();
            Sha256::new()
                .chain_update(&opad)
                .chain_update(inner)
                .finalize()
                .to_vec()
        }
    }
}
