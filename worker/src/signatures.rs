//! JWS signatures by Web Crypto (`crypto.subtle`, native code in workerd, where `p256`
//! would run in wasm): our own access and ID tokens signed (ES256) at every login and
//! refresh; our access tokens checked on every authenticated request, and identity
//! providers' ID tokens (RS256, ES256). Imported keys are kept for the isolate's life, so a
//! key is imported once, not per request.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use latchkey_core::sessions::jwt::{Es256Signer, PublicKey, SignatureCheck};
use latchkey_core::sessions::verdicts::{Remembering, Verdicts};
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
    /// Access tokens' signatures found good, by digest: 4,096 slots of 33 bytes (132 KiB),
    /// taken at the first verdict.
    static VERDICTS: Rc<Verdicts> = Rc::new(Verdicts::new(4096));
}

/// How the worker checks its own tokens' signatures (access tokens on every authenticated
/// request, and the OpenID provider's tokens): Web Crypto, with the isolate's verdicts, so a
/// token presented again is not checked again.
pub fn token_check() -> Remembering<WebCryptoCheck> {
    Remembering::new(WebCryptoCheck, VERDICTS.with(Rc::clone))
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

/// Signs with the ring's current key, imported into Web Crypto once per isolate; the ring
/// is kept for the isolate's life (`crate::keys`), and this key with it.
pub struct WebCryptoSigner {
    key: CryptoKey,
}

impl WebCryptoSigner {
    /// The signer of a PKCS#8 DER P-256 private key, and the key's public half.
    pub async fn import(pkcs8: &[u8]) -> Result<(Self, PublicKey), Error> {
        let public = public_of_pkcs8(pkcs8).await?;
        let key = import_pkcs8(pkcs8, false).await?;
        Ok((WebCryptoSigner { key }, public))
    }
}

/// The public half of a PKCS#8 DER P-256 private key: imported as extractable only to be
/// exported as a JWK, whose `x` and `y` are kept (the signer's copy is not extractable).
pub async fn public_of_pkcs8(pkcs8: &[u8]) -> Result<PublicKey, Error> {
    let key = import_pkcs8(pkcs8, true).await?;
    let promise = subtle()?
        .export_key("jwk", &key)
        .map_err(|e| js_err("signing key", e))?;
    let jwk = JsFuture::from(promise)
        .await
        .map_err(|e| js_err("signing key", e))?;
    let coord = |k: &str| {
        Reflect::get(&jwk, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
            .map(Value::String)
    };
    let (Some(x), Some(y)) = (coord("x"), coord("y")) else {
        return Err(Error::Internal("signing key: no public coordinates".into()));
    };
    PublicKey::from_jwk(&serde_json::json!({ "x": x, "y": y }))
        .ok_or_else(|| Error::Internal("signing key: malformed public coordinates".into()))
}

async fn import_pkcs8(pkcs8: &[u8], extractable: bool) -> Result<CryptoKey, Error> {
    let alg = object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?;
    let usages = js_sys::Array::of1(&"sign".into());
    let data = Uint8Array::from(pkcs8);
    let promise = subtle()?
        .import_key_with_object("pkcs8", &data, &alg, extractable, &usages)
        .map_err(|e| js_err("signing key", e))?;
    Ok(JsFuture::from(promise)
        .await
        .map_err(|_| Error::Internal("signing key: not a PKCS#8 P-256 private key".into()))?
        .unchecked_into())
}

impl Es256Signer for WebCryptoSigner {
    fn sign<'a>(
        &'a self,
        input: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, Error>> + 'a>> {
        Box::pin(async move {
            let key = &self.key;
            let alg = object(&[("name", "ECDSA"), ("hash", "SHA-256")])?;
            let promise = subtle()?
                .sign_with_object_and_u8_array(&alg, key, input)
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
        let verify = match alg {
            "RS256" => object(&[("name", "RSASSA-PKCS1-v1_5")])?,
            "ES256" => object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
            _ => return Ok(false),
        };
        // A key the runtime cannot import is one this signature is not made with.
        let Some(key) = imported(alg, jwk).await? else {
            return Ok(false);
        };
        let promise = subtle()?
            .verify_with_object_and_u8_array_and_u8_array(&verify, &key, signature, message)
            .map_err(|e| js_err("verify", e))?;
        let ok = JsFuture::from(promise)
            .await
            .map_err(|e| js_err("verify", e))?;
        Ok(ok.as_bool() == Some(true))
    }

    async fn usable(&self, alg: &str, jwk: &Value) -> Result<bool, Error> {
        Ok(imported(alg, jwk).await?.is_some())
    }
}

/// `jwk` imported to verify `alg` signatures with, or `None` where the runtime refuses it
/// (an unknown algorithm, a point off the curve). Keys with a `kid` (ours, providers') are
/// kept for the isolate's life; a passkey's, used once per sign-in, is not.
async fn imported(alg: &str, jwk: &Value) -> Result<Option<CryptoKey>, Error> {
    let import = match alg {
        "RS256" => object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
        "ES256" => object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
        _ => return Ok(None),
    };
    // Only the public parts a key needs: no `key_ops` or `ext` a provider may add.
    let mut public = serde_json::Map::new();
    for k in ["kty", "n", "e", "crv", "x", "y"] {
        if let Some(v) = jwk.get(k) {
            public.insert(k.to_owned(), v.clone());
        }
    }
    let text = Value::Object(public).to_string();
    let name = format!("{alg} {text}");
    let keep = jwk.get("kid").is_some();
    if keep {
        if let Some(key) = IMPORTED.with(|k| k.borrow().get(&name)) {
            return Ok(Some(key));
        }
    }
    let Ok(key_data) = js_sys::JSON::parse(&text) else {
        return Ok(None);
    };
    let usages = js_sys::Array::of1(&"verify".into());
    let Ok(promise) =
        subtle()?.import_key_with_object("jwk", key_data.unchecked_ref(), &import, false, &usages)
    else {
        return Ok(None);
    };
    let Ok(key) = JsFuture::from(promise).await else {
        return Ok(None);
    };
    let key: CryptoKey = key.unchecked_into();
    if keep {
        IMPORTED.with(|k| k.borrow_mut().put(name, key.clone()));
    }
    Ok(Some(key))
}
