//! Secrets: generation, hashing for storage, and constant-time comparison.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::rand::{hex, Rng};

/// SHA-256 of `data`. For high-entropy secrets (API keys, refresh tokens) only; passwords
/// go through argon2id in [`crate::authn::password`].
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// HMAC-SHA-256 of `msg` under `key` (RFC 2104).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings (the length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Compares a presented secret with an expected one without leaking either's content or
/// length through timing: both are hashed first, then compared in constant time.
pub fn secret_matches(presented: &str, expected: &str) -> bool {
    ct_eq(&sha256(presented.as_bytes()), &sha256(expected.as_bytes()))
}

/// An organization API key: `lk_<prefix>_<secret>`. The prefix (public, indexed) finds the
/// stored row; only SHA-256 of the whole key is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeySecret {
    pub prefix: String,
    pub key: String,
}

const API_KEY_TAG: &str = "lk_";

impl ApiKeySecret {
    pub fn generate(rng: &mut impl Rng) -> Self {
        let prefix = hex(&rng.bytes::<6>());
        let secret = hex(&rng.bytes::<32>());
        ApiKeySecret {
            key: format!("{API_KEY_TAG}{prefix}_{secret}"),
            prefix,
        }
    }

    /// The stored form of the key.
    pub fn hash(&self) -> String {
        hex(&sha256(self.key.as_bytes()))
    }

    /// Parses a presented key; `None` if it does not have the API-key shape.
    pub fn parse(key: &str) -> Option<Self> {
        let rest = key.strip_prefix(API_KEY_TAG)?;
        let (prefix, secret) = rest.split_once('_')?;
        let well_formed = prefix.len() == 12
            && secret.len() == 64
            && prefix
                .bytes()
                .chain(secret.bytes())
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        well_formed.then(|| ApiKeySecret {
            prefix: prefix.to_owned(),
            key: key.to_owned(),
        })
    }

    /// Whether this key matches a stored hash, in constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        ct_eq(self.hash().as_bytes(), stored_hash.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_secrets_hmac_sha256_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
    use crate::rand::TestRng;

    #[test]
    fn test_api_key_roundtrip() {
        let k = ApiKeySecret::generate(&mut TestRng(7));
        assert!(k.key.starts_with("lk_"));
        let parsed = ApiKeySecret::parse(&k.key).unwrap();
        assert_eq!(parsed, k);
        assert!(parsed.matches(&k.hash()));
    }

    #[test]
    fn test_api_key_rejects_wrong_key_and_shapes() {
        let k = ApiKeySecret::generate(&mut TestRng(7));
        let other = ApiKeySecret::generate(&mut TestRng(8));
        assert!(!other.matches(&k.hash()));
        for bad in [
            "",
            "lk_",
            "lk_abc_def",
            "xx_0123456789ab_",
            &k.key.to_uppercase(),
            &format!("{}0", k.key),
        ] {
            assert!(ApiKeySecret::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn test_secret_matches() {
        assert!(secret_matches("s3cret", "s3cret"));
        assert!(!secret_matches("s3cret", "s3cret "));
        assert!(!secret_matches("", "x"));
    }
}
