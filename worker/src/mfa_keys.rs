//! The keys MFA secrets are sealed with (`MFA_KEY`, and `MFA_KEY_PREVIOUS` during a
//! rotation: 64 hex digits each, 256 bits), used through the runtime's Web Crypto AES-GCM.
//! The envelope and what is bound into it are core's (`authn::mfa::seal`).

use js_sys::{Object, Reflect, Uint8Array};
use latchkey_core::authn::mfa::seal::{backup_code_key, key_id, MfaKeys};
use latchkey_core::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};
use worker::Env;

const CURRENT: &str = "MFA_KEY";
const PREVIOUS: &str = "MFA_KEY_PREVIOUS";

struct Key {
    id: String,
    raw: Vec<u8>,
}

/// The MFA keys of this request's environment.
pub struct WorkerMfaKeys {
    keys: Vec<Key>,
}

fn internal(what: &str, e: JsValue) -> Error {
    Error::Internal(format!("{what}: {e:?}"))
}

fn parse_hex(name: &str, v: &str) -> Result<Vec<u8>, Error> {
    let v = v.trim();
    let bad = || Error::Internal(format!("{name} must be 64 hex digits (256 bits)"));
    if v.len() != 64 {
        return Err(bad());
    }
    (0..32)
        .map(|i| u8::from_str_radix(&v[2 * i..2 * i + 2], 16).map_err(|_| bad()))
        .collect()
}

impl WorkerMfaKeys {
    /// `MFA_KEY` (required) and `MFA_KEY_PREVIOUS` (optional); missing or malformed, MFA is
    /// an internal error (logged, never shown).
    pub fn from_env(env: &Env) -> Result<Self, Error> {
        let mut keys = Vec::new();
        for (name, required) in [(CURRENT, true), (PREVIOUS, false)] {
            match env.var(name).ok().map(|v| v.to_string()) {
                Some(v) if !v.trim().is_empty() => {
                    let raw = parse_hex(name, &v)?;
                    keys.push(Key {
                        id: key_id(&raw),
                        raw,
                    });
                }
                _ if required => return Err(Error::Internal(format!("{name} is not set"))),
                _ => {}
            }
        }
        Ok(WorkerMfaKeys { keys })
    }

    fn subtle() -> Result<SubtleCrypto, Error> {
        crate::signatures::subtle()
    }

    async fn import(subtle: &SubtleCrypto, raw: &[u8]) -> Result<CryptoKey, Error> {
        let alg = Object::new();
        set(&alg, "name", &"AES-GCM".into())?;
        let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
        let promise = subtle
            .import_key_with_object("raw", &Uint8Array::from(raw), &alg, false, &usages)
            .map_err(|e| internal("importKey", e))?;
        let key = JsFuture::from(promise)
            .await
            .map_err(|e| internal("importKey", e))?;
        Ok(key.unchecked_into())
    }

    fn params(nonce: &[u8; 12], aad: &[u8]) -> Result<Object, Error> {
        let p = Object::new();
        set(&p, "name", &"AES-GCM".into())?;
        set(&p, "iv", &Uint8Array::from(&nonce[..]))?;
        set(&p, "additionalData", &Uint8Array::from(aad))?;
        Ok(p)
    }
}

fn set(o: &Object, k: &str, v: &JsValue) -> Result<(), Error> {
    Reflect::set(o, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|e| internal("params", e))
}

impl MfaKeys for WorkerMfaKeys {
    fn current_key_id(&self) -> &str {
        self.keys.first().map_or("", |k| k.id.as_str())
    }

    async fn encrypt(&self, nonce: &[u8; 12], plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error> {
        let current = self
            .keys
            .first()
            .ok_or_else(|| Error::Internal(format!("{CURRENT} is not set")))?;
        let subtle = Self::subtle()?;
        let key = Self::import(&subtle, &current.raw).await?;
        let promise = subtle
            .encrypt_with_object_and_u8_array(&Self::params(nonce, aad)?, &key, plain)
            .map_err(|e| internal("encrypt", e))?;
        let out = JsFuture::from(promise)
            .await
            .map_err(|e| internal("encrypt", e))?;
        Ok(Uint8Array::new(&out).to_vec())
    }

    async fn decrypt(
        &self,
        key_id: &str,
        nonce: &[u8; 12],
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Option<Vec<u8>>, Error> {
        let Some(held) = self.keys.iter().find(|k| k.id == key_id) else {
            return Ok(None);
        };
        let subtle = Self::subtle()?;
        let key = Self::import(&subtle, &held.raw).await?;
        let promise = subtle
            .decrypt_with_object_and_u8_array(&Self::params(nonce, aad)?, &key, sealed)
            .map_err(|e| internal("decrypt", e))?;
        // A ciphertext that does not authenticate rejects the promise.
        Ok(JsFuture::from(promise)
            .await
            .ok()
            .map(|out| Uint8Array::new(&out).to_vec()))
    }

    fn backup_code_keys(&self) -> Vec<Vec<u8>> {
        self.keys.iter().map(|k| backup_code_key(&k.raw)).collect()
    }
}
