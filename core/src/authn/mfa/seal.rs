//! TOTP secrets at rest: AES-256-GCM under the worker's `MFA_KEY`, each secret bound to its
//! factor and user (the associated data), so a sealed value copied to another row does not
//! open. The cipher runs wherever the keys live ([`MfaKeys`]: Web Crypto in the worker); the
//! envelope, `v1.<key id>.<base64url(nonce ‖ ciphertext)>`, is defined here.
//!
//! Rotation: the worker holds the current key and, optionally, the previous one. A secret
//! sealed under the previous key still opens, and [`open`] says so, so the caller seals it
//! again under the current key. Backup codes are MACed under a key derived from each
//! MFA key; a code is looked for under every key's MAC.
#![allow(async_fn_in_trait)]

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::rand::Rng;
use crate::Error;

/// The keys MFA secrets are sealed with, and the cipher that uses them.
pub trait MfaKeys {
    /// The id of the key new secrets are sealed with.
    fn current_key_id(&self) -> &str;
    /// AES-256-GCM under the current key.
    async fn encrypt(&self, nonce: &[u8; 12], plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error>;
    /// AES-256-GCM under the key `key_id`: `None` when no key has that id or the ciphertext
    /// does not authenticate.
    async fn decrypt(
        &self,
        key_id: &str,
        nonce: &[u8; 12],
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Option<Vec<u8>>, Error>;
    /// The keys backup codes are MACed with, the current one first.
    fn backup_code_keys(&self) -> Vec<Vec<u8>>;
}

const VERSION: &str = "v1";

/// What a factor's secret is bound to.
pub fn context(factor_id: &str, user_id: &str) -> Vec<u8> {
    format!("latchkey.mfa.totp:{factor_id}:{user_id}").into_bytes()
}

/// Seals `plain` under the current key, bound to `aad`.
pub async fn seal(
    keys: &impl MfaKeys,
    plain: &[u8],
    aad: &[u8],
    rng: &mut impl Rng,
) -> Result<String, Error> {
    let nonce: [u8; 12] = rng.bytes();
    let mut body = nonce.to_vec();
    body.extend(keys.encrypt(&nonce, plain, aad).await?);
    Ok(format!(
        "{VERSION}.{}.{}",
        keys.current_key_id(),
        Base64UrlUnpadded::encode_string(&body)
    ))
}

/// An opened secret.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    pub plain: Vec<u8>,
    /// Sealed under a key other than the current one: seal it again.
    pub stale: bool,
}

/// Opens a sealed secret. A value that is malformed, names no key held, or fails to
/// authenticate is an internal error: stored secrets are written only by [`seal`].
pub async fn open(keys: &impl MfaKeys, sealed: &str, aad: &[u8]) -> Result<Opened, Error> {
    let broken = |why: &str| Error::Internal(format!("sealed MFA secret: {why}"));
    let mut parts = sealed.splitn(3, '.');
    let (Some(VERSION), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(broken("unknown format"));
    };
    let body = Base64UrlUnpadded::decode_vec(body).map_err(|_| broken("not base64url"))?;
    if body.len() < 12 + 16 {
        return Err(broken("too short"));
    }
    let (nonce, ciphertext) = body.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| broken("nonce"))?;
    let plain = keys
        .decrypt(key_id, &nonce, ciphertext, aad)
        .await?
        .ok_or_else(|| {
            broken(&format!(
                "key {key_id} is not held or the value does not open"
            ))
        })?;
    Ok(Opened {
        plain,
        stale: key_id != keys.current_key_id(),
    })
}

/// The id of a key: the first 8 hex digits of its SHA-256, so ids say nothing of keys.
pub fn key_id(key: &[u8]) -> String {
    crate::rand::hex(&crate::secrets::sha256(key)[..4])
}

/// The backup-code MAC key derived from an MFA key.
pub fn backup_code_key(key: &[u8]) -> Vec<u8> {
    crate::secrets::hmac_sha256(key, b"latchkey.mfa.backup-codes.v1").to_vec()
}

#[cfg(test)]
pub(crate) mod test_keys {
    //! AES-256-GCM in Rust (the `aes-gcm` crate, for tests only; the worker uses Web Crypto).
    use aes_gcm::aead::{Aead as _, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Nonce};

    use super::*;

    pub struct TestKeys {
        keys: Vec<[u8; 32]>,
        current: String,
    }

    impl TestKeys {
        pub fn new(seed: u8) -> Self {
            Self::ring(&[[seed; 32]])
        }

        /// The current key first, then older ones.
        pub fn ring(keys: &[[u8; 32]]) -> Self {
            TestKeys {
                keys: keys.to_vec(),
                current: super::key_id(&keys[0]),
            }
        }

        fn cipher(&self, key_id: &str) -> Option<Aes256Gcm> {
            self.keys
                .iter()
                .find(|k| super::key_id(&k[..]) == key_id)
                .and_then(|k| Aes256Gcm::new_from_slice(k).ok())
        }
    }

    impl MfaKeys for TestKeys {
        fn current_key_id(&self) -> &str {
            &self.current
        }

        async fn encrypt(
            &self,
            nonce: &[u8; 12],
            plain: &[u8],
            aad: &[u8],
        ) -> Result<Vec<u8>, Error> {
            let cipher = self
                .cipher(self.current_key_id())
                .ok_or_else(|| Error::Internal("no key".into()))?;
            cipher
                .encrypt(Nonce::from_slice(nonce), Payload { msg: plain, aad })
                .map_err(|_| Error::Internal("encrypt".into()))
        }

        async fn decrypt(
            &self,
            key_id: &str,
            nonce: &[u8; 12],
            sealed: &[u8],
            aad: &[u8],
        ) -> Result<Option<Vec<u8>>, Error> {
            let Some(cipher) = self.cipher(key_id) else {
                return Ok(None);
            };
            Ok(cipher
                .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
                .ok())
        }

        fn backup_code_keys(&self) -> Vec<Vec<u8>> {
            self.keys.iter().map(|k| backup_code_key(k)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::TestKeys;
    use super::*;
    use crate::rand::TestRng;
    use pollster::block_on;

    #[test]
    fn test_seal_opens_only_with_its_context_and_a_held_key() {
        let keys = TestKeys::new(7);
        let mut rng = TestRng(1);
        let aad = context("f1", "u1");
        let sealed = block_on(seal(&keys, b"twenty byte secret!!", &aad, &mut rng)).unwrap();
        assert!(sealed.starts_with(&format!("v1.{}.", keys.current_key_id())));
        assert!(!sealed.contains("twenty"));
        let opened = block_on(open(&keys, &sealed, &aad)).unwrap();
        assert_eq!(opened.plain, b"twenty byte secret!!");
        assert!(!opened.stale);
        // Moved to another factor or user: refused.
        assert!(block_on(open(&keys, &sealed, &context("f2", "u1"))).is_err());
        assert!(block_on(open(&keys, &sealed, &context("f1", "u2"))).is_err());
        // Another key: refused.
        assert!(block_on(open(&TestKeys::new(8), &sealed, &aad)).is_err());
        // Tampered: refused.
        let mut bad = sealed.clone().into_bytes();
        let last = bad.len() - 2;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(block_on(open(&keys, &String::from_utf8(bad).unwrap(), &aad)).is_err());
        for garbage in ["", "v1", "v2.x.y", "v1.k.%%%", "v1.k.AAAA"] {
            assert!(block_on(open(&keys, garbage, &aad)).is_err(), "{garbage}");
        }
    }

    #[test]
    fn test_rotation_opens_old_secrets_and_marks_them_stale() {
        let old = TestKeys::new(1);
        let mut rng = TestRng(2);
        let aad = context("f", "u");
        let sealed = block_on(seal(&old, b"secret", &aad, &mut rng)).unwrap();
        let rotated = TestKeys::ring(&[[2; 32], [1; 32]]);
        let opened = block_on(open(&rotated, &sealed, &aad)).unwrap();
        assert_eq!(opened.plain, b"secret");
        assert!(opened.stale);
        assert_ne!(key_id(&[1; 32]), key_id(&[2; 32]));
        assert_eq!(rotated.backup_code_keys().len(), 2);
    }
}
