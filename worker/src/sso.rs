//! What single sign-on needs of the runtime (core's `authn::sso`): `fetch` to identity
//! providers (no redirects followed, ten seconds at most, bodies of at most 256 KiB) and
//! the providers' ID-token signatures verified by Web Crypto (RS256, ES256), native code
//! in workerd.

use js_sys::{Object, Reflect};
use latchkey_core::authn::sso::id_token::SignatureCheck;
use latchkey_core::authn::sso::upstream::{failed, Upstream, UpstreamRequest};
use latchkey_core::validate::percent_encode;
use latchkey_core::Error;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// Largest provider answer read.
const MAX_BODY: usize = 256 * 1024;

pub struct FetchUpstream;

impl Upstream for FetchUpstream {
    async fn fetch_json(&self, req: UpstreamRequest) -> Result<(u16, Value), Error> {
        let mut headers = vec![("accept", "application/json".to_owned())];
        if let Some(a) = req.authorization {
            headers.push(("authorization", a));
        }
        let body = req.form.map(|form| {
            headers.push((
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ));
            form.iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        let (status, text) = crate::http::request_out(&req.url, &headers, body.as_deref())
            .await
            .map_err(|e| failed(format!("{}: {e}", req.url)))?;
        if text.len() > MAX_BODY {
            return Err(failed(format!("{}: the answer is too large", req.url)));
        }
        let json = serde_json::from_str(&text)
            .map_err(|_| failed(format!("{} answered {status} without JSON", req.url)))?;
        Ok((status, json))
    }
}

pub struct WebCryptoCheck;

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
        let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
            .map_err(|e| js_err("crypto", e))?;
        let subtle: SubtleCrypto = Reflect::get(&crypto, &JsValue::from_str("subtle"))
            .map_err(|e| js_err("crypto.subtle", e))?
            .unchecked_into();
        // Only the public parts a key needs: no `key_ops` or `ext` a provider may add.
        let mut public = serde_json::Map::new();
        for k in ["kty", "n", "e", "crv", "x", "y"] {
            if let Some(v) = jwk.get(k) {
                public.insert(k.to_owned(), v.clone());
            }
        }
        let Ok(key_data) = js_sys::JSON::parse(&Value::Object(public).to_string()) else {
            return Ok(false);
        };
        let usages = js_sys::Array::of1(&"verify".into());
        let Ok(promise) =
            subtle.import_key_with_object("jwk", key_data.unchecked_ref(), &import, false, &usages)
        else {
            return Ok(false);
        };
        // A key the runtime cannot import is one this token is not signed with.
        let Ok(key) = JsFuture::from(promise).await else {
            return Ok(false);
        };
        let key: CryptoKey = key.unchecked_into();
        let promise = subtle
            .verify_with_object_and_u8_array_and_u8_array(&verify, &key, signature, message)
            .map_err(|e| js_err("verify", e))?;
        let ok = JsFuture::from(promise)
            .await
            .map_err(|e| js_err("verify", e))?;
        Ok(ok.as_bool() == Some(true))
    }
}
