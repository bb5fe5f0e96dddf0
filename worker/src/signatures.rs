//! JWS signatures by Web Crypto (`crypto.subtle`, native code in workerd, where `p256`
//! would run in wasm): our own access and ID tokens signed (ES256) at every login and
//! refresh; our access tokens checked on every authenticated request, and identity
//! providers' ID tokens (RS256, ES256). Imported keys are kept for the isolate's life, so a
//! key is imported once, not per request.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use js_sys::{Object, Reflect, Uint8Array};
use latchkey_core::sessions::jwt::{Es256Signer, SignatureCheck};
use latchkey_core::Error;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::kept::Kept;

thread_local! {
    /// Imported public keys, by algorithm and JWK text: ours, current and previous, and a
    /// few providers'.
    static IMPORTED: RefCell<Kept<String, CryptoKey>> = const { RefCell::new(Kept::new(16)) };
}

pub struct WebCryptoCheck;

/// The runtime's `crypto.subtle`.
pub fn subtle() -> Result<SubtleCrypto, Error> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|e| js_err("crypto", e))?;
    Ok(Reflect::get(&crypto, &JsValue::from_str("subtle"))
        .map_err(|e| js_err("crypto.subtle", e))?
        .unchecked_into())
}

/// Signs with the ring's current key, imported into Web Crypto from its PKCS#8 DER on first
/// use; the ring is kept for the isolate's life (`crate::keys`), and this key with it.
pub struct WebCryptoSigner {
    pkcs8: Vec<u8>,
    key: RefCell<Option<CryptoKey>>,
}

impl WebCryptoSigner {
    pub fn new(pkcs8: Vec<u8>) -> Self {
        WebCryptoSigner {
            pkcs8,
            key: RefCell::new(None),
        }
    }

    async fn key(&self) -> Result<CryptoKey, Error> {
        let kept = self.key.borrow().clone();
        if let Some(key) = kept {
            return Ok(key);
        }
        let alg = object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?;
        let usages = js_sys::Array::of1(&"sign".into());
        let data = Uint8Array::from(self.pkcs8.as_slice());
        let promise = subtle()?
            .import_key_with_object("pkcs8", &data, &alg, false, &usages)
            .map_err(|e| js_err("signing key", e))?;
        let key: CryptoKey = JsFuture::from(promise)
            .await
            .map_err(|e| js_err("signing key", e))?
            .unchecked_into();
        *self.key.borrow_mut() = Some(key.clone());
        Ok(key)
    }
}

impl Es256Signer for WebCryptoSigner {
    fn sign<'a>(
        &'a self,
        input: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>> {
        Box::pin(async move {
            let key = self.key().await?;
            let alg = object(&[("name", "ECDSA"), ("hash", "SHA-256")])?;
            let promise = subtle()?
                .sign_with_object_and_u8_array(&alg, &key, input)
                .map_err(|e| js_err("sign", e))?;
            let signature = JsFuture::from(promise)
                .await
                .map_err(|e| js_err("sign", e))?;
            // ECDSA in Web Crypto answers r || s, as JWS's ES256 wants it.
            Ok(Uint8Array::new(&signature).to_vec())
        })
    }
}

fn js_err(what: &str, e: JsValue) -> Error {
    Error::Internal(format!("{what}: {e:?}"))
}

fn object(pairs: &[(&str, &str)]) -> Result<Object, Error> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v))
            .map_err(|e| js_err("params", e))?;
    }
    Ok(o)
}

impl SignatureCheck for WebCryptoCheck {
    async fn verify(
        &self,
        alg: &str,
        jwk: &Value,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, Error> {
        let (import, verify) = match alg {
            "RS256" => (
                object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
                object(&[("name", "RSASSA-PKCS1-v1_5")])?,
            ),
            "ES256" => (
                object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
                object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
            ),
            _ => return Ok(false),
        };
        let subtle = subtle()?;
        // Only the public parts a key needs: no `key_ops` or `ext` a provider may add.
        let mut public = serde_json::Map::new();
        for k in ["kty", "n", "e", "crv", "x", "y"] {
            if let Some(v) = jwk.get(k) {
                public.insert(k.to_owned(), v.clone());
            }
        }
        let text = Value::Object(public).to_string();
        let name = format!("{alg} {text}");
        let kept = IMPORTED.with(|k| k.borrow().get(&name));
        let key = match kept {
            Some(key) => key,
            None => {
                let Ok(key_data) = js_sys::JSON::parse(&text) else {
                    return Ok(false);
                };
                let usages = js_sys::Array::of1(&"verify".into());
                let Ok(promise) = subtle.import_key_with_object(
                    "jwk",
                    key_data.unchecked_ref(),
                    &import,
                    false,
                    &usages,
                ) else {
                    return Ok(false);
                };
                // A key the runtime cannot import is one this token is not signed with.
                let Ok(key) = JsFuture::from(promise).await else {
                    return Ok(false);
                };
                let key: CryptoKey = key.unchecked_into();
                IMPORTED.with(|k| k.borrow_mut().put(name, key.clone()));
                key
            }
        };
        let promise = subtle
            .verify_with_object_and_u8_array_and_u8_array(&verify, &key, signature, message)
            .map_err(|e| js_err("verify", e))?;
        let ok = JsFuture::from(promise)
            .await
            .map_err(|e| js_err("verify", e))?;
        Ok(ok.as_bool() == Some(true))
    }
}
