//! Runs in headless Chromium through wasm-bindgen-test-runner (`make test`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn test_sdk_version_matches_core() {
    assert_eq!(latchkey_sdk::version(), env!("CARGO_PKG_VERSION"));
    assert!(!latchkey_sdk::version().is_empty());
}
