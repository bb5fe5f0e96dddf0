//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second
//! steps, 6 digits, one step of drift either way, written from the RFCs over `hmac` and
//! `sha1`, with the time passed in (nothing here reads a clock). A step that verified once is
//! returned, so the caller can store it and refuse the same code again ([`verify`]'s
//! `last_used_step`).
//!
//! This is the first piece of multi-factor authentication: enrolment, the encrypted secret's
//! storage, backup codes and the login step build on it.

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::secrets::ct_eq;
use crate::validate::percent_encode;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of drift accepted either way.
pub const DRIFT_STEPS: i64 = 1;
/// Secret length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// HOTP (RFC 4226 §5.3): the `digits`-digit code of `counter` under `secret`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The time step of `unix_ms`.
pub fn step_of(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// The code of `step`, zero-padded to [`DIGITS`].
pub fn code_at(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// Verifies `code` at `now_ms`: the step it matches (within [`DRIFT_STEPS`]), if that step
/// is later than `last_used_step`, so that a code verifies once. Every candidate is compared
/// in constant time, and all of them are always computed.
pub fn verify(secret: &[u8], code: &str, now_ms: i64, last_used_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(now_ms);
    let mut found = None;
    for step in now - DRIFT_STEPS..=now + DRIFT_STEPS {
        let fresh = last_used_step.is_none_or(|used| step > used);
        if ct_eq(code_at(secret, step).as_bytes(), code.as_bytes()) && fresh && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// RFC 4648 base32 without padding, as authenticator apps read secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI an authenticator app enrols from (Key Uri Format): the label is
/// `issuer:account`, and the parameters state every default explicitly.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(issuer),
        percent_encode(account),
        base32(secret),
        percent_encode(issuer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1: the secret and (time, 8-digit code) pairs.
    const RFC6238_SECRET: &[u8] = b"12345678901234567890";
    const RFC6238_SHA1: [(i64, u32); 6] = [
        (59, 94287082),
        (1111111109, 7081804),
        (1111111111, 14050471),
        (1234567890, 89005924),
        (2000000000, 69279037),
        (20000000000, 65353130),
    ];

    #[test]
    fn test_totp_rfc6238_appendix_b_sha1_vectors() {
        for (t, code) in RFC6238_SHA1 {
            let step = u64::try_from(t / STEP_SECS).unwrap();
            assert_eq!(hotp(RFC6238_SECRET, step, 8), code, "T = {t}");
        }
    }

    #[test]
    fn test_totp_rfc4226_appendix_d_hotp_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC6238_SECRET, counter as u64, 6), code);
        }
    }

    #[test]
    fn test_totp_verify_accepts_one_step_of_drift_once() {
        let now = 1_111_111_111_000;
        let step = step_of(now);
        for drift in [-1, 0, 1] {
            let code = code_at(RFC6238_SECRET, step + drift);
            assert_eq!(verify(RFC6238_SECRET, &code, now, None), Some(step + drift));
            // Used once: the same step again is refused, and so is any earlier one.
            assert_eq!(verify(RFC6238_SECRET, &code, now, Some(step + drift)), None);
            assert_eq!(verify(RFC6238_SECRET, &code, now, Some(step + 1)), None);
        }
        for far in [-2, 2, 100] {
            let code = code_at(RFC6238_SECRET, step + far);
            assert_eq!(verify(RFC6238_SECRET, &code, now, None), None, "{far}");
        }
        // Padded with zeros; surrounding spaces are tolerated; anything else is no code.
        assert_eq!(code_at(RFC6238_SECRET, 1).len(), 6);
        let code = code_at(RFC6238_SECRET, step);
        assert_eq!(
            verify(RFC6238_SECRET, &format!(" {code} "), now, None),
            Some(step)
        );
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(verify(RFC6238_SECRET, bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn test_totp_base32_and_otpauth_uri() {
        // RFC 4648 §10 vectors, without padding.
        for (raw, enc) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(raw.as_bytes()), enc);
        }
        assert_eq!(base32(RFC6238_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            otpauth_uri("Acme Co", "ann@example.com", RFC6238_SECRET),
            "otpauth://totp/Acme%20Co:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30"
        );
    }
}
