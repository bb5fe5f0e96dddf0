//! Password hashing: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1), stored as a
//! PHC string so the parameters travel with the hash and can be raised later.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::rand::Rng;
use crate::Error;

/// The parameters new hashes are made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

/// OWASP's argon2id recommendation.
pub const OWASP: HashParams = HashParams {
    m_cost_kib: 19 * 1024,
    t_cost: 2,
    p_cost: 1,
};

/// Passwords longer than this are refused (hashing cost is linear in length).
pub const MAX_PASSWORD_BYTES: usize = 1024;
pub const MIN_PASSWORD_CHARS: usize = 8;

fn hasher(p: HashParams) -> Result<Argon2<'static>, Error> {
    let params = Params::new(p.m_cost_kib, p.t_cost, p.p_cost, None)
        .map_err(|e| Error::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks a new password against the policy.
pub fn validate(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid_field(
            "INVALID_PASSWORD",
            format!("password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid_field(
            "INVALID_PASSWORD",
            format!("password must have at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Hashes `password` with `params` and a fresh 128-bit salt; returns the PHC string.
pub fn hash(password: &str, params: HashParams, rng: &mut impl Rng) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&rng.bytes::<16>())
        .map_err(|e| Error::Internal(format!("salt: {e}")))?;
    hasher(params)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, and the stored hash uses other parameters: store this new hash.
    YesRehashed(String),
}

/// Verifies `password` against a stored PHC string (in constant time, inside argon2), and
/// rehashes it when the stored parameters differ from `current`.
pub fn verify(
    password: &str,
    stored: &str,
    current: HashParams,
    rng: &mut impl Rng,
) -> Result<Verified, Error> {
    let parsed =
        PasswordHash::new(stored).map_err(|e| Error::Internal(format!("stored hash: {e}")))?;
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(Verified::No);
    }
    // Verification uses the parameters recorded in the PHC string.
    if Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(Verified::No);
    }
    if needs_rehash(&parsed, current) {
        return Ok(Verified::YesRehashed(hash(password, current, rng)?));
    }
    Ok(Verified::Yes)
}

fn needs_rehash(parsed: &PasswordHash<'_>, current: HashParams) -> bool {
    let Ok(params) = Params::try_from(parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || parsed.version != Some(0x13)
        || params.m_cost() != current.m_cost_kib
        || params.t_cost() != current.t_cost
        || params.p_cost() != current.p_cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::TestRng;

    /// Small parameters keep the tests fast; the mechanism is the same.
    const FAST: HashParams = HashParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };

    #[test]
    fn test_password_hash_is_phc_argon2id_with_params() {
        let h = hash("correct horse", OWASP, &mut TestRng(1)).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(
            verify("correct horse", &h, OWASP, &mut TestRng(2)).unwrap(),
            Verified::Yes
        );
    }

    #[test]
    fn test_password_wrong_password_rejected() {
        let h = hash("correct horse", FAST, &mut TestRng(1)).unwrap();
        assert_eq!(
            verify("correct hors", &h, FAST, &mut TestRng(2)).unwrap(),
            Verified::No
        );
        assert_eq!(verify("", &h, FAST, &mut TestRng(2)).unwrap(), Verified::No);
    }

    #[test]
    fn test_password_salts_differ() {
        let a = hash("same password", FAST, &mut TestRng(1)).unwrap();
        let b = hash("same password", FAST, &mut TestRng(2)).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn test_password_old_params_are_rehashed_on_success_only() {
        let old = hash("correct horse", FAST, &mut TestRng(1)).unwrap();
        let Verified::YesRehashed(new) =
            verify("correct horse", &old, OWASP, &mut TestRng(2)).unwrap()
        else {
            panic!("expected a rehash");
        };
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("correct horse", &new, OWASP, &mut TestRng(3)).unwrap(),
            Verified::Yes
        );
        assert_eq!(
            verify("wrong horse", &old, OWASP, &mut TestRng(2)).unwrap(),
            Verified::No
        );
    }

    #[test]
    fn test_password_policy() {
        assert!(validate("short").is_err());
        assert!(validate("long enough").is_ok());
        assert!(validate(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        assert_eq!(validate("1234567").unwrap_err().code(), "INVALID_PASSWORD");
    }

    #[test]
    fn test_password_corrupt_stored_hash_is_internal_not_panic() {
        assert_eq!(
            verify("x", "not a phc string", FAST, &mut TestRng(1))
                .unwrap_err()
                .code(),
            "INTERNAL_ERROR"
        );
    }
}
