//! Passkeys (WebAuthn). [`webauthn`] is the relying party's verification of a registration
//! and of an assertion, written from the specification (W3C Web Authentication Level 3,
//! §7.1 and §7.2) over crates already in the tree, with the challenge, the allowed origins
//! and the RP ID passed in, so tests pin them and nothing reads a clock. [`ceremony`] is
//! the flows around it: options with single-use challenges (stored hashed, consumed
//! atomically), registration, login, and the user's passkeys.
//!
//! Each application is its own relying party: its RP ID is `passkey_rp_id`, or else the
//! host of its first allowed origin, and a response is accepted from those of its allowed
//! origins whose host is the RP ID or under it.

pub mod cbor;
pub mod ceremony;
pub mod webauthn;

#[cfg(test)]
mod ceremony_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

use crate::model::Application;
use crate::Error;

/// The host of an origin (`https://a.example.com:8443` is `a.example.com`).
fn host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    if let Some(v6) = rest.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    rest.split(':').next().unwrap_or(rest)
}

fn under(host: &str, rp_id: &str) -> bool {
    host == rp_id
        || host
            .strip_suffix(rp_id)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// Checks an RP ID an administrator sets: a lower-case domain name that the host of at
/// least one of `origins` is, or is under (the browser checks the rest).
pub fn check_rp_id(raw: &str, origins: &[String]) -> Result<String, Error> {
    let v = raw.trim().to_ascii_lowercase();
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if v.len() > 253 || !v.split('.').all(label_ok) {
        return Err(Error::invalid_field(
            "INVALID_PASSKEY_RP_ID",
            "passkey_rp_id must be a domain name",
        ));
    }
    if !origins.iter().any(|o| under(host(o), &v)) {
        return Err(Error::invalid_field(
            "INVALID_PASSKEY_RP_ID",
            "passkey_rp_id must be the host of an allowed origin, or a domain it is under",
        ));
    }
    Ok(v)
}

/// The application's RP ID: the one set, or the host of its first allowed origin.
pub fn rp_id(app: &Application) -> Result<String, Error> {
    if let Some(id) = &app.passkey_rp_id {
        return Ok(id.clone());
    }
    app.allowed_origins
        .first()
        .map(|o| host(o).to_owned())
        .ok_or_else(|| {
            Error::invalid_field(
                "PASSKEYS_NOT_CONFIGURED",
                "the application has no allowed origin to bind passkeys to",
            )
        })
}

/// The origins a ceremony of `app` is accepted from: its allowed origins under `rp_id`.
pub fn origins(app: &Application, rp_id: &str) -> Vec<String> {
    app.allowed_origins
        .iter()
        .filter(|o| under(host(o), rp_id))
        .cloned()
        .collect()
}
