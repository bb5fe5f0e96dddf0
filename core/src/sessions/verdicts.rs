//! Signatures already found good, remembered for an isolate's life: a client presents the
//! same access token on every request until it expires, and checking its ES256 signature
//! again each time is the one step of an authenticated request that costs CPU at every
//! call. [`Remembering`] wraps a [`SignatureCheck`]: a signature it has seen verify under
//! the same algorithm and key, over the same message, is good again without being checked;
//! anything else goes to the wrapped check, and only a success is remembered.
//!
//! What is remembered is a SHA-256 digest of all four inputs, so a hit needs those exact
//! bytes: another key, another message or another signature is a miss (a second preimage of
//! SHA-256 away). A verdict is only about the signature: the caller still checks everything
//! else on every request (the ring still has the token's `kid`, expiry, issuer, audience and
//! the session). A verdict never goes stale: an ECDSA or RSA verification gives the same
//! answer for the same inputs forever.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::secrets::ct_eq;
use crate::sessions::jwt::SignatureCheck;
use crate::Error;

/// A direct-mapped table of `slots` verdicts: a digest's first bytes pick its slot (digests
/// are uniform), and a new verdict takes the slot from whichever held it. A lookup is one
/// comparison; the table is allocated at the first verdict.
pub struct Verdicts {
    slots: usize,
    table: RefCell<Vec<Option<[u8; 32]>>>,
}

impl Verdicts {
    /// A table of `slots` verdicts (at least one).
    pub const fn new(slots: usize) -> Self {
        Verdicts {
            slots: if slots == 0 { 1 } else { slots },
            table: RefCell::new(Vec::new()),
        }
    }

    fn slot(&self, digest: &[u8; 32]) -> usize {
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_le_bytes(first) % self.slots as u64) as usize
    }

    /// Compared in constant time, as every secret-derived value here is, although a digest
    /// of a token the caller presents tells nothing of the others.
    fn knows(&self, digest: &[u8; 32]) -> bool {
        let slot = self.slot(digest);
        matches!(self.table.borrow().get(slot), Some(Some(kept)) if ct_eq(kept, digest))
    }

    fn remember(&self, digest: [u8; 32]) {
        let slot = self.slot(&digest);
        let mut table = self.table.borrow_mut();
        if table.is_empty() {
            table.resize(self.slots, None);
        }
        if let Some(s) = table.get_mut(slot) {
            *s = Some(digest);
        }
    }

    /// How many verdicts are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.borrow().iter().flatten().count()
    }
}

/// The digest a verdict is remembered by: each input length-prefixed, so no two different
/// sets of inputs run together into the same bytes.
fn digest(alg: &str, jwk: &Value, message: &[u8], signature: &[u8]) -> [u8; 32] {
    let key = jwk.to_string();
    let mut h = Sha256::new();
    for part in [alg.as_bytes(), key.as_bytes(), message, signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// `check`, with the signatures it found good remembered in `verdicts` (shared: the worker
/// keeps one for the isolate's life).
pub struct Remembering<C> {
    check: C,
    verdicts: Rc<Verdicts>,
}

impl<C: SignatureCheck> Remembering<C> {
    pub fn new(check: C, verdicts: Rc<Verdicts>) -> Self {
        Remembering { check, verdicts }
    }
}

impl<C: SignatureCheck> SignatureCheck for Remembering<C> {
    async fn verify(
        &self,
        alg: &str,
        jwk: &Value,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        let digest = digest(alg, jwk, message, signature);
        if self.verdicts.knows(&digest) {
            return Ok(true);
        }
        let good = self.check.verify(alg, jwk, message, signature).await?;
        if good {
            self.verdicts.remember(digest);
        }
        Ok(good)
    }

    async fn usable(&self, alg: &str, jwk: &Value) -> Result<bool, Error> {
        self.check.usable(alg, jwk).await
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use base64ct::{Base64UrlUnpadded, Encoding};

    use super::*;
    use crate::sessions::jwt::{AccessClaims, KeyRing, P256Check};
    use crate::test_fixtures::{key_b64, key_ring, ISS, NOW};

    /// P256Check, counting the verifications it ran.
    #[derive(Default)]
    struct Counting {
        calls: Cell<u32>,
    }

    impl SignatureCheck for Counting {
        async fn verify(
            &self,
            alg: &str,
            jwk: &Value,
            message: &[u8],
            signature: &[u8],
        ) -> Result<bool, Error> {
            self.calls.set(self.calls.get() + 1);
            P256Check.verify(alg, jwk, message, signature).await
        }

        async fn usable(&self, alg: &str, jwk: &Value) -> Result<bool, Error> {
            P256Check.usable(alg, jwk).await
        }
    }

    fn remembering(slots: usize) -> Remembering<Counting> {
        Remembering::new(Counting::default(), Rc::new(Verdicts::new(slots)))
    }

    fn claims(sub: &str) -> AccessClaims {
        AccessClaims {
            iss: ISS.into(),
            sub: sub.into(),
            aud: "client-1".into(),
            sid: "session-1".into(),
            org: "org-1".into(),
            roles: vec![],
            amr: vec!["pwd".into()],
            scope: None,
        }
    }

    fn verify(ring: &KeyRing, token: &str, now: i64, check: &impl SignatureCheck) -> bool {
        pollster::block_on(ring.verify_with(token, ISS, None, now, check)).is_ok()
    }

    #[test]
    fn test_verdicts_a_good_signature_is_checked_once() {
        let (ring, check) = (key_ring(), remembering(8));
        let token = ring.issue(claims("user-1"), NOW, 600).unwrap();
        for _ in 0..5 {
            assert!(verify(&ring, &token, NOW, &check));
        }
        assert_eq!(
            check.check.calls.get(),
            1,
            "later requests are answered from the verdict"
        );
        // Another token of the same key is checked on its own.
        let other = ring.issue(claims("user-2"), NOW, 600).unwrap();
        assert!(verify(&ring, &other, NOW, &check));
        assert_eq!((check.check.calls.get(), check.verdicts.len()), (2, 2));
    }

    #[test]
    fn test_verdicts_a_bad_signature_is_checked_every_time_and_never_remembered() {
        let (ring, check) = (key_ring(), remembering(8));
        let token = ring.issue(claims("user-1"), NOW, 600).unwrap();
        assert!(verify(&ring, &token, NOW, &check));
        let (input, signature) = token.rsplit_once('.').unwrap();
        let (header, payload) = input.split_once('.').unwrap();
        // The good signature under other claims, and another signature (made by the same
        // key over other claims) under these: each a miss, checked and refused, each time.
        let forged_claims = {
            let other = ring.issue(claims("admin"), NOW, 600).unwrap();
            let other_payload = other.split('.').nth(1).unwrap().to_owned();
            format!("{header}.{other_payload}.{signature}")
        };
        let swapped_signature = {
            let other = ring.issue(claims("user-2"), NOW, 600).unwrap();
            format!("{header}.{payload}.{}", other.rsplit_once('.').unwrap().1)
        };
        for forged in [&forged_claims, &swapped_signature] {
            for _ in 0..3 {
                assert!(!verify(&ring, forged, NOW, &check));
            }
        }
        assert_eq!(check.check.calls.get(), 1 + 6);
        assert_eq!(
            check.verdicts.len(),
            1,
            "only the good signature is remembered"
        );
    }

    #[test]
    fn test_verdicts_another_key_with_the_same_kid_is_a_miss() {
        // The digest covers the key: a verdict under one key answers nothing for another,
        // even if a ring named both alike.
        let check = remembering(8);
        let ring = key_ring();
        let token = ring.issue(claims("user-1"), NOW, 600).unwrap();
        let (message, signature) = token.rsplit_once('.').unwrap();
        let signature = Base64UrlUnpadded::decode_vec(signature).unwrap();
        let jwk = ring.jwks()["keys"][0].clone();
        let run = |jwk: &Value| {
            pollster::block_on(check.verify("ES256", jwk, message.as_bytes(), &signature))
        };
        assert_eq!(run(&jwk), Ok(true));
        let mut other = jwk.clone();
        other["x"] = KeyRing::from_pkcs8(&key_b64(9), None).unwrap().jwks()["keys"][0]["x"].clone();
        assert_eq!(run(&other), Ok(false));
        assert_eq!(run(&jwk), Ok(true));
        assert_eq!(check.check.calls.get(), 2);
    }

    #[test]
    fn test_verdicts_a_remembered_token_is_still_refused_when_expired_or_its_key_is_gone() {
        let check = remembering(8);
        let ring = key_ring();
        let token = ring.issue(claims("user-1"), NOW, 600).unwrap();
        assert!(verify(&ring, &token, NOW, &check));
        // Its expiry is checked on every request, the verdict notwithstanding.
        assert!(!verify(&ring, &token, NOW + 3_600_000, &check));
        // A ring without its key (rotated past the previous one) refuses it before any
        // signature is looked at.
        let rotated = KeyRing::from_pkcs8(&key_b64(9), None).unwrap();
        assert!(!verify(&rotated, &token, NOW, &check));
        assert_eq!(check.check.calls.get(), 1);
    }

    #[test]
    fn test_verdicts_a_new_verdict_takes_its_slot_from_the_one_before() {
        // One slot: each new verdict forgets the one before it.
        let (ring, check) = (key_ring(), remembering(1));
        let [a, b] = ["a", "b"].map(|s| ring.issue(claims(s), NOW, 600).unwrap());
        for t in [&a, &b, &b] {
            assert!(verify(&ring, t, NOW, &check));
        }
        assert_eq!(
            (check.check.calls.get(), check.verdicts.len()),
            (2, 1),
            "b is remembered"
        );
        assert!(verify(&ring, &a, NOW, &check));
        assert_eq!(
            check.check.calls.get(),
            3,
            "a was forgotten, and checked again"
        );
        // With room, both stay.
        let check = remembering(4096);
        for t in [&a, &b, &a, &b] {
            assert!(verify(&ring, t, NOW, &check));
        }
        assert_eq!((check.check.calls.get(), check.verdicts.len()), (2, 2));
    }
}
