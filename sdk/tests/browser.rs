//! Runs in headless Chromium through wasm-bindgen-test-runner (`make test`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap()
}

#[wasm_bindgen_test]
fn test_sdk_version_matches_core() {
    assert_eq!(latchkey_sdk::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn test_sdk_client_refuses_bad_options_with_a_typed_error() {
    for bad in [
        JsValue::NULL,
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com"}"#).unwrap(),
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"  "}"#).unwrap(),
    ] {
        let err = latchkey_sdk::Client::new(bad).err().unwrap();
        assert!(err.has_type::<js_sys::Error>());
        assert_eq!(
            field(&err, "code").as_string().as_deref(),
            Some("INVALID_OPTIONS")
        );
        assert_eq!(
            field(&err, "name").as_string().as_deref(),
            Some("LatchkeyError")
        );
    }
    let ok =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com/","clientId":"abc"}"#).unwrap();
    assert!(latchkey_sdk::Client::new(ok).is_ok());
}

#[wasm_bindgen_test]
async fn test_sdk_signed_out_client_has_no_token() {
    let opts =
        js_sys::JSON::parse(r#"{"baseUrl":"https://auth.example.com","clientId":"abc"}"#).unwrap();
    let client = latchkey_sdk::Client::new(opts).unwrap();
    // No session and no CSRF cookie: nothing to refresh, and no request is made.
    assert!(client.get_access_token().await.unwrap().is_null());
}
