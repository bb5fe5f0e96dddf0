//! Latchkey's browser SDK, compiled to WebAssembly. API types come from `latchkey-core`,
//! so the client and the server cannot drift.
//!
//! `LatchkeyClient` keeps the access token in memory only and runs in browser mode: the
//! refresh token lives in an HttpOnly cookie the script never sees, and refreshes echo the
//! readable CSRF cookie. Tabs of one origin refresh once between them (`tabs`). The
//! `<latchkey-login>` custom element (`widget`) is defined when the module is initialised.

mod client;
#[doc(hidden)]
pub mod decode;
mod error;
mod mfa;
mod passkeys;
mod passwordless;
mod tabs;
mod widget;

pub use client::Client;
pub use error::SdkError;

use wasm_bindgen::prelude::*;

/// Runs when the module is initialised: defines `<latchkey-login>`.
#[wasm_bindgen(start)]
pub fn start() {
    widget::define_element();
}

/// The SDK's version, which is Latchkey's version.
#[wasm_bindgen]
pub fn version() -> String {
    latchkey_core::VERSION.to_owned()
}
