//! Breached passwords: a new password is refused when Have I Been Pwned's Pwned Passwords
//! knows it, asked through the k-anonymity range API (only the first five hex digits of the
//! password's SHA-1 leave; responses are padded), or, with the API off or unreachable, when
//! it is one of the most common passwords. Unreachable fails open, with a log line: an outage
//! elsewhere must not stop people from choosing passwords.

use sha1::{Digest, Sha1};

use crate::rand::hex;
use crate::Error;

/// The range API, behind a trait so that the worker fetches it and tests play it. (The
/// futures need not be Send: Workers and browsers are single-threaded.)
#[allow(async_fn_in_trait)]
pub trait RangeSource {
    /// The body of `GET {base}/range/{prefix}` (lines `SUFFIX:COUNT`), or `None` when the
    /// source is off or did not answer (the reason is the implementation's to log).
    async fn range(&self, prefix: &str) -> Option<String>;
}

/// A source that is always off: only the embedded list applies.
pub struct Off;

impl RangeSource for Off {
    async fn range(&self, _prefix: &str) -> Option<String> {
        None
    }
}

/// The password's SHA-1 in upper-case hex, split into the five digits that are sent and the
/// thirty-five that are compared locally.
pub fn split(password: &str) -> (String, String) {
    let digest = hex(&Sha1::digest(password.as_bytes())).to_ascii_uppercase();
    let (prefix, suffix) = digest.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

/// Whether a range answer lists `suffix` with a count above zero (padding lines count 0).
pub fn listed(range: &str, suffix: &str) -> bool {
    range.lines().any(|line| {
        line.trim().split_once(':').is_some_and(|(s, count)| {
            s.eq_ignore_ascii_case(suffix) && count.trim().parse::<u64>().is_ok_and(|c| c > 0)
        })
    })
}

/// Among the most common passwords of at least eight characters (the minimum length).
pub fn is_common(password: &str) -> bool {
    let p = crate::validate::case::lower(password);
    COMMON.binary_search(&p.as_str()).is_ok()
}

/// Checks a password about to be set: its length first (`INVALID_PASSWORD`), then whether
/// it is known to be breached (`PASSWORD_BREACHED`).
pub async fn check_new(source: &impl RangeSource, password: &str) -> Result<(), Error> {
    crate::authn::password::validate(password)?;
    refuse_breached(source, password).await
}

/// Whether a password is known to be breached: listed by the range API, or, with it off or
/// unreachable, one of the most common passwords.
pub async fn is_breached(source: &impl RangeSource, password: &str) -> bool {
    let (prefix, suffix) = split(password);
    match source.range(&prefix).await {
        Some(range) => listed(&range, &suffix),
        None => is_common(password),
    }
}

/// Refuses a password that is known to be breached (`PASSWORD_BREACHED`).
pub async fn refuse_breached(source: &impl RangeSource, password: &str) -> Result<(), Error> {
    if is_breached(source, password).await {
        return Err(Error::invalid_field(
            "PASSWORD_BREACHED",
            "this password appears in known data breaches; choose another",
        ));
    }
    Ok(())
}

/// Common passwords of eight characters or more, sorted, from the public top lists.
const COMMON: &[&str] = &[
    "11111111",
    "123123123",
    "12341234",
    "12344321",
    "12345678",
    "123456789",
    "1234567890",
    "1q2w3e4r",
    "1qaz2wsx",
    "87654321",
    "88888888",
    "aa123456",
    "abc12345",
    "abcd1234",
    "admin123",
    "asdfghjkl",
    "baseball",
    "computer",
    "football",
    "iloveyou",
    "password",
    "password1",
    "password123",
    "princess",
    "qwerty123",
    "qwertyuiop",
    "sunshine",
    "superman",
    "trustno1",
    "welcome1",
    "zaq12wsx",
];

#[cfg(test)]
mod tests {
    use super::*;
    use pollster::block_on;

    struct Playing(&'static str);

    impl RangeSource for Playing {
        async fn range(&self, _prefix: &str) -> Option<String> {
            Some(self.0.to_owned())
        }
    }

    #[test]
    fn test_breach_sha1_split_of_a_known_password() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
        assert_eq!(
            split("password"),
            (
                "5BAA6".to_owned(),
                "1E4C9B93F3F0682250B6CF8331B7EE68FD8".to_owned()
            )
        );
    }

    #[test]
    fn test_breach_listed_ignores_padding() {
        let range =
            "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:0\r\n";
        assert!(listed(range, "0018A45C4D1DEF81644B54AB7F969B88D65"));
        assert!(
            !listed(range, "1E4C9B93F3F0682250B6CF8331B7EE68FD8"),
            "count 0 is padding"
        );
        assert!(!listed(range, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));
    }

    #[test]
    fn test_breach_refuses_listed_and_common_fails_open_otherwise() {
        let listed_range = "1E4C9B93F3F0682250B6CF8331B7EE68FD8:9545824\n";
        assert_eq!(
            block_on(refuse_breached(&Playing(listed_range), "password"))
                .unwrap_err()
                .code(),
            "PASSWORD_BREACHED"
        );
        assert!(block_on(refuse_breached(&Playing(""), "a quite unusual phrase")).is_ok());
        // The API off or unreachable: the embedded list still refuses the commonest.
        assert!(block_on(refuse_breached(&Off, "Password123")).is_err());
        assert!(block_on(refuse_breached(&Off, "a quite unusual phrase")).is_ok());
        assert!(
            COMMON.windows(2).all(|w| w[0] < w[1]),
            "sorted for binary search"
        );
        assert!(COMMON.iter().all(|p| p.chars().count() >= 8));
    }
}
