//! Access tokens: ES256 JWTs with `kid` in the header, signed by the ring's [`Es256Signer`]
//! (the worker: Web Crypto; natively `p256`), and verified through a [`SignatureCheck`] (the
//! worker: Web Crypto) or, natively, jwt-compact with `p256`, with the algorithm pinned and
//! `iss`, `aud`, `exp` and `nbf` checked. The key ring holds the current key's public half and
//! signer and, during rotation, the previous key's public half, published until the tokens it
//! signed have expired. A ring built from public keys ([`KeyRing::from_public`], as the
//! worker's) reaches no `p256` code, so none of it is linked into the worker.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use chrono::{DateTime, TimeDelta, Utc};
use jwt_compact::alg::Es256;
use jwt_compact::{AlgorithmExt, Claims, TimeOptions, Token, UntrustedToken};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::DecodePrivateKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

    /// Whether `jwk` is a key `alg` can verify with at all (for ES256, a point of P-256).
    async fn usable(&self, alg: &str, jwk: &serde_json::Value) -> Result<bool, Error>;
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
        use p256::ecdsa::Signature;
        if alg != "ES256" {
            return Ok(false);
        }
        let key = PublicKey::from_jwk(jwk).and_then(|k| k.verifying());
        let (Some(key), Ok(sig)) = (key, Signature::from_slice(signature)) else {
            return Ok(false);
        };
        Ok(key.verify(message, &sig).is_ok())
    }

    async fn usable(&self, alg: &str, jwk: &serde_json::Value) -> Result<bool, Error> {
        let key = PublicKey::from_jwk(jwk).and_then(|k| k.verifying());
        Ok(alg == "ES256" && key.is_some())
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

/// A P-256 public key: its affine coordinates, big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl PublicKey {
    /// The key of a JWK's `x` and `y` (base64url, 32 bytes each); the curve is the caller's
    /// to have checked.
    pub fn from_jwk(jwk: &serde_json::Value) -> Option<PublicKey> {
        let coord = |k: &str| -> Option<[u8; 32]> {
            let b = Base64UrlUnpadded::decode_vec(jwk.get(k)?.as_str()?).ok()?;
            b.try_into().ok()
        };
        Some(PublicKey {
            x: coord("x")?,
            y: coord("y")?,
        })
    }

    /// The JWK members RFC 7638 requires of an EC key, in its canonical order.
    pub fn to_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "crv": "P-256",
            "kty": "EC",
            "x": Base64UrlUnpadded::encode_string(&self.x),
            "y": Base64UrlUnpadded::encode_string(&self.y),
        })
    }

    /// The RFC 7638 thumbprint, base64url: a stable `kid`. [`PublicKey::to_jwk`] lists the
    /// required members in lexicographic order and serde_json writes them without whitespace,
    /// which is the canonical form RFC 7638 hashes (whether or not its maps keep insertion
    /// order).
    pub fn thumbprint(&self) -> String {
        Base64UrlUnpadded::encode_string(&Sha256::digest(self.to_jwk().to_string().as_bytes()))
    }

    /// The key as `p256` reads it (native verification only).
    fn verifying(&self) -> Option<VerifyingKey> {
        let mut sec1 = [4u8; 65];
        sec1[1..33].copy_from_slice(&self.x);
        sec1[33..].copy_from_slice(&self.y);
        VerifyingKey::from_sec1_bytes(&sec1).ok()
    }
}

struct Key {
    kid: String,
    public: PublicKey,
    /// The public key as published (`kid`, `alg`, `use` included).
    jwk: serde_json::Value,
}

impl Key {
    fn new(public: PublicKey) -> Key {
        let kid = public.thumbprint();
        let mut jwk = public.to_jwk();
        jwk["kid"] = kid.clone().into();
        jwk["alg"] = "ES256".into();
        jwk["use"] = "sig".into();
        Key { kid, public, jwk }
    }
}

/// The current key (its public half and its signer) and, during rotation, the previous
/// key's public half.
pub struct KeyRing {
    signer: Rc<dyn Es256Signer>,
    /// The current key for [`KeyRing::issue`], in a ring read from PKCS#8 by `p256`.
    signing: Option<SigningKey>,
    current: Key,
    previous: Option<Key>,
}

/// Signs with `p256`: the signer of a ring read by [`KeyRing::from_pkcs8`].
struct P256Signer(SigningKey);

impl Es256Signer for P256Signer {
    fn sign<'a>(
        &'a self,
        input: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>> {
        use p256::ecdsa::signature::Signer;
        let signature: p256::ecdsa::Signature = self.0.sign(input);
        Box::pin(std::future::ready(Ok(signature.to_bytes().to_vec())))
    }
}

fn key_err(what: &str) -> Error {
    Error::Internal(format!("signing key: {what}"))
}

fn parse_signing_key(b64: &str) -> Result<SigningKey, Error> {
    let der = Base64::decode_vec(b64.trim()).map_err(|_| key_err("not base64"))?;
    SigningKey::from_pkcs8_der(&der).map_err(|_| key_err("not a PKCS#8 P-256 private key"))
}

fn public_of(key: &VerifyingKey) -> PublicKey {
    let point = key.to_encoded_point(false);
    let mut public = PublicKey {
        x: [0; 32],
        y: [0; 32],
    };
    if let (Some(x), Some(y)) = (point.x(), point.y()) {
        public.x.copy_from_slice(x);
        public.y.copy_from_slice(y);
    }
    public
}

fn ms_to_datetime(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::Internal(format!("time {ms} out of range")))
}

impl KeyRing {
    /// From base64 PKCS#8 DER private keys (`SIGNING_KEY`, optional `SIGNING_KEY_PREVIOUS`),
    /// read and signed with by `p256`: natively (tests, benchmarks).
    pub fn from_pkcs8(current: &str, previous: Option<&str>) -> Result<Self, Error> {
        let signing = parse_signing_key(current)?;
        let previous = match previous.filter(|p| !p.trim().is_empty()) {
            Some(p) => Some(public_of(parse_signing_key(p)?.verifying_key())),
            None => None,
        };
        let mut ring = KeyRing::from_public(
            public_of(signing.verifying_key()),
            previous,
            Rc::new(P256Signer(signing.clone())),
        );
        ring.signing = Some(signing);
        Ok(ring)
    }

    /// From the keys' public halves and a signer holding the current key's private half
    /// (the worker: Web Crypto, which read the keys).
    pub fn from_public(
        current: PublicKey,
        previous: Option<PublicKey>,
        signer: Rc<dyn Es256Signer>,
    ) -> Self {
        KeyRing {
            signer,
            signing: None,
            current: Key::new(current),
            previous: previous.map(Key::new),
        }
    }

    /// This ring, its tokens signed by `signer` (which must hold the same current key): the
    /// tests' way of putting a counting or faulty signer in.
    #[cfg(test)]
    pub fn with_signer(mut self, signer: Rc<dyn Es256Signer>) -> Self {
        self.signer = signer;
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

    /// Signs an access token valid from `now_ms` for `ttl_secs`, with `p256`, in a ring read
    /// by [`KeyRing::from_pkcs8`] (tests, benchmarks); requests sign with [`KeyRing::token`].
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
        let signing = self
            .signing
            .as_ref()
            .ok_or_else(|| key_err("this ring signs only through its signer"))?;
        let input = self.signing_input(claims, now_ms, ttl_secs)?;
        let signature: p256::ecdsa::Signature = signing.sign(input.as_bytes());
        Ok(compact(input, &signature.to_bytes()))
    }

    /// [`KeyRing::sign`], by the ring's signer (the worker: Web Crypto).
    pub async fn token<T: Serialize>(
        &self,
        claims: T,
        now_ms: i64,
        ttl_secs: u32,
    ) -> Result<String, Error> {
        let input = self.signing_input(claims, now_ms, ttl_secs)?;
        let signature = self.signer.sign(input.as_bytes()).await?;
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
        let key = self
            .key(kid)?
            .public
            .verifying()
            .ok_or(Error::Unauthorized)?;
        Es256
            .validator::<T>(&key)
            .validate(&untrusted)
            .map_err(|_| Error::Unauthorized)
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
        let claims = self.checked::<AccessClaims>(token, check).await?;
        valid(&claims, issuer, audience, now_ms)
    }

    /// The claims of a token signed by a key of this ring (named by `kid`, ES256 only), read as
    /// `T`, and its expiry in ms, the signature checked by `check` (the worker: Web Crypto);
    /// times, issuer and audience are the caller's to check.
    pub async fn verify_signature_with<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        check: &impl SignatureCheck,
    ) -> Result<(T, Option<i64>), Error> {
        let claims = self.checked::<T>(token, check).await?;
        let expires = claims.expiration.map(|t| t.timestamp_millis());
        Ok((claims.custom, expires))
    }

    /// The claims of a token whose ES256 signature `check` found made by the key of this ring
    /// its `kid` names; nothing else is checked. Any failure is `UNAUTHORIZED`.
    async fn checked<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        check: &impl SignatureCheck,
    ) -> Result<Claims<T>, Error> {
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
        untrusted
            .deserialize_claims_unchecked::<T>()
            .map_err(|_| Error::Unauthorized)
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

    const NOW: i64 = 1_760_000_000_000;
    const ISS: &str = "https://auth.example.com";

    use crate::test_fixtures::key_b64;

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
        // A ring read from PKCS#8 signs with p256 through `token` as well.
        let plain = pollster::block_on(super::tests::ring().token(claims(), NOW, 600)).unwrap();
        assert!(ring.verify(&plain, ISS, None, NOW).is_ok());
    }

    #[test]
    fn test_tokens_kid_is_jwt_compacts_rfc7638_thumbprint() {
        for seed in [7, 8, 9] {
            let key = parse_signing_key(&key_b64(seed)).unwrap();
            let theirs = jwt_compact::jwk::JsonWebKey::from(key.verifying_key());
            let ring = KeyRing::from_pkcs8(&key_b64(seed), None).unwrap();
            assert_eq!(
                ring.current_kid(),
                Base64UrlUnpadded::encode_string(&theirs.thumbprint::<Sha256>())
            );
            // The published key is the same JWK, with its kid, alg and use.
            let ours = &ring.jwks()["keys"][0];
            let theirs = serde_json::to_value(&theirs).unwrap();
            for member in ["kty", "crv", "x", "y"] {
                assert_eq!(ours[member], theirs[member], "{member}");
            }
            assert_eq!(
                PublicKey::from_jwk(ours),
                Some(public_of(key.verifying_key()))
            );
        }
    }

    #[test]
    fn test_tokens_a_ring_of_public_keys_signs_through_its_signer_only() {
        // The worker's ring: public halves (Web Crypto read them) and a signer.
        let full = KeyRing::from_pkcs8(&key_b64(8), Some(&key_b64(7))).unwrap();
        let public = |seed| public_of(parse_signing_key(&key_b64(seed)).unwrap().verifying_key());
        let signer = CountingSigner::new(8, None);
        let ring = KeyRing::from_public(public(8), Some(public(7)), signer.clone());
        assert_eq!(ring.jwks(), full.jwks());
        let t = pollster::block_on(ring.token(claims(), NOW, 600)).unwrap();
        assert_eq!(signer.calls.get(), 1);
        let checked = pollster::block_on(ring.verify_with(&t, ISS, None, NOW, &P256Check));
        assert_eq!(checked.map(|v| v.claims), Ok(claims()));
        assert!(full.verify(&t, ISS, None, NOW).is_ok());
        let old = KeyRing::from_pkcs8(&key_b64(7), None).unwrap();
        let t = old.issue(claims(), NOW, 600).unwrap();
        assert!(pollster::block_on(ring.verify_with(&t, ISS, None, NOW, &P256Check)).is_ok());
        // It holds no private key to sign with itself.
        assert!(matches!(
            ring.issue(claims(), NOW, 600),
            Err(Error::Internal(_))
        ));
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
