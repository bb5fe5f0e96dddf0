//! Latchkey's browser SDK, compiled to WebAssembly. API types come from `latchkey-core`,
//! so the client and the server cannot drift.

use wasm_bindgen::prelude::*;

/// The SDK's version, which is Latchkey's version.
#[wasm_bindgen]
pub fn version() -> String {
    latchkey_core::VERSION.to_owned()
}
