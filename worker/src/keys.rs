//! The signing key ring, parsed once per isolate from the `SIGNING_KEY` secret (and
//! `SIGNING_KEY_PREVIOUS` during rotation), and the other secrets keys are made from.

use std::cell::RefCell;
use std::rc::Rc;

use base64ct::{Base64, Encoding};
use latchkey_core::sessions::jwt::KeyRing;
use latchkey_core::Error;
use worker::Env;

use crate::signatures::{public_of_pkcs8, WebCryptoSigner};

const CURRENT: &str = "SIGNING_KEY";
const PREVIOUS: &str = "SIGNING_KEY_PREVIOUS";
const CSRF_SECRET: &str = "CSRF_SECRET";
const CHAIN_KEY: &str = "CHAIN_KEY";

thread_local! {
    static RING: RefCell<Option<(String, Rc<KeyRing>)>> = const { RefCell::new(None) };
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string())
}

/// The secret browser-mode CSRF values are derived from (`CSRF_SECRET`, at least 32
/// characters); missing or short, browser mode is an internal error (logged, never shown).
pub fn csrf_secret(env: &Env) -> Result<Vec<u8>, Error> {
    match var(env, CSRF_SECRET) {
        Some(s) if s.len() >= 32 => Ok(s.into_bytes()),
        _ => Err(Error::Internal(format!(
            "{CSRF_SECRET} is not set or shorter than 32 characters"
        ))),
    }
}

/// The key sign-in codes are stored under (an HMAC of each), derived from `CSRF_SECRET`.
pub fn code_key(env: &Env) -> Result<Vec<u8>, Error> {
    let secret = csrf_secret(env)?;
    Ok(latchkey_core::secrets::hmac_sha256(&secret, b"latchkey sign-in codes v1").to_vec())
}

/// The key login records are chained with (`CHAIN_KEY`, at least 32 characters). It must
/// never change: records and checkpoints made under it verify only with it.
pub fn chain_key(env: &Env) -> Result<Rc<[u8]>, Error> {
    match var(env, CHAIN_KEY) {
        Some(s) if s.len() >= 32 => Ok(Rc::from(s.into_bytes())),
        _ => Err(Error::Internal(format!(
            "{CHAIN_KEY} is not set or shorter than 32 characters"
        ))),
    }
}

/// The key ring, read by Web Crypto (so no elliptic-curve code is linked into the worker);
/// a missing or malformed `SIGNING_KEY` is an internal error (logged, never shown), since no
/// token can be issued or checked without it.
pub async fn ring(env: &Env) -> Result<Rc<KeyRing>, Error> {
    let current =
        var(env, CURRENT).ok_or_else(|| Error::Internal(format!("{CURRENT} is not set")))?;
    let previous = var(env, PREVIOUS).filter(|p| !p.trim().is_empty());
    let cache_key = format!("{current}|{}", previous.as_deref().unwrap_or(""));
    if let Some(ring) = RING.with(|r| {
        r.borrow()
            .as_ref()
            .filter(|(k, _)| *k == cache_key)
            .map(|(_, ring)| ring.clone())
    }) {
        return Ok(ring);
    }
    let der = |name: &str, b64: &str| {
        Base64::decode_vec(b64.trim()).map_err(|_| Error::Internal(format!("{name} is not base64")))
    };
    let (signer, public) = WebCryptoSigner::import(&der(CURRENT, &current)?).await?;
    let previous = match previous {
        Some(p) => Some(public_of_pkcs8(&der(PREVIOUS, &p)?).await?),
        None => None,
    };
    let ring = Rc::new(KeyRing::from_public(public, previous, Rc::new(signer)));
    RING.with(|r| *r.borrow_mut() = Some((cache_key, ring.clone())));
    Ok(ring)
}
