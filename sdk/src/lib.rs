//! Latchkey's browser SDK, compiled to WebAssembly. API types come from `latchkey-core`,
//! so the client and the server cannot drift.
//!
//! `LatchkeyClient` keeps the access token in memory only and runs in browser mode: the
//! refresh token lives in an HttpOnly cookie the script never sees, and refreshes echo the
//! readable CSRF cookie. Tabs of one origin refresh once between them (`tabs`). The
//! `<latchkey-login>` (`widget`) and `<latchkey-profile>` (`profile`) custom elements are
//! defined when the module is initialised.

mod client;
// First: its theme macros are used by the elements' modules below.
#[macro_use]
mod element;
#[doc(hidden)]
pub mod decode;
mod error;
mod mfa;
mod passkeys;
mod passwordless;
mod profile;
mod sso;
mod tabs;
mod widget;

pub use client::Client;
pub use error::SdkError;

use wasm_bindgen::prelude::*;

/// Runs when the module is initialised: defines `<latchkey-login>` and `<latchkey-profile>`.
#[wasm_bindgen(start)]
pub fn start() {
    widget::define_element();
    profile::define_element();
}

/// The SDK's version, which is Latchkey's version.
#[wasm_bindgen]
pub fn version() -> String {
    latchkey_core::VERSION.to_owned()
}

/// The texts in `lang` (`en`, `fr`, `de`, `es`; English for anything else).
fn texts(lang: Option<String>) -> latchkey_core::browser::i18n::Catalog {
    use latchkey_core::browser::i18n::{Catalog, Lang};
    Catalog::new(Lang::pick(lang.as_deref()))
}

/// A stored failure reason in plain words (`bad_password` → "wrong password"), as
/// `<latchkey-profile>` says it: for pages that show login records themselves.
#[wasm_bindgen(js_name = failureText)]
pub fn failure_text(reason: &str, lang: Option<String>) -> String {
    let key = latchkey_core::browser::profile::failure_key(reason);
    texts(lang).get(key).to_owned()
}

/// A login method in plain words (`magic_code` → "an email code").
#[wasm_bindgen(js_name = methodText)]
pub fn method_text(method: &str, lang: Option<String>) -> String {
    let key = latchkey_core::browser::profile::method_key(method);
    texts(lang).get(key).to_owned()
}

/// A risk signal's badge (`impossible_travel` → "Impossible travel"), or null.
#[wasm_bindgen(js_name = flagText)]
pub fn flag_text(flag: &str, lang: Option<String>) -> Option<String> {
    let key = latchkey_core::browser::profile::flag_key(flag)?;
    Some(texts(lang).get(key).to_owned())
}
