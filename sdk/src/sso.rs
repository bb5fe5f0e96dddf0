//! Single sign-on in the browser: `startSso` asks the server where to send the browser (a
//! social connection by id, or the connection of an email's domain) and keeps a verifier in
//! this tab's `sessionStorage`; the identity provider sends the browser back to this page
//! with a hand-off code in the URL's fragment, and `completeSso` trades it, with the
//! verifier, for a session. A code without this tab's verifier is useless: a link carrying
//! someone else's code signs no one in.

use base64ct::{Base64UrlUnpadded, Encoding};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::{stringify, Client};
use crate::error::SdkError;
use crate::passkeys::object;

/// The fragment parameters the server sends the page back with (core's `sso::flow`).
const HANDOFF_PARAM: &str = "latchkey_sso";
const ERROR_PARAM: &str = "latchkey_sso_error";
const LINK_PARAM: &str = "latchkey_sso_link";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn verifier_key(client_id: &str) -> String {
    format!("latchkey.sso.{client_id}")
}

/// Where a link ticket and its verifier wait for the person to sign in (this tab only).
fn link_key(client_id: &str) -> String {
    format!("latchkey.sso-link.{client_id}")
}

/// This page's address without its fragment.
fn page_url() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    Some(href.split('#').next().unwrap_or_default().to_owned())
}

/// SHA-256 by the browser's Web Crypto (the SDK carries no hash of its own).
async fn sha256(data: &[u8]) -> Result<Vec<u8>, SdkError> {
    let unsupported = || SdkError::new("UNSUPPORTED", "Web Crypto is not available", 0);
    let crypto =
        js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).map_err(|_| unsupported())?;
    let subtle = js_sys::Reflect::get(&crypto, &"subtle".into()).map_err(|_| unsupported())?;
    let digest: js_sys::Function = js_sys::Reflect::get(&subtle, &"digest".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let promise = digest
        .call2(&subtle, &"SHA-256".into(), &js_sys::Uint8Array::from(data))
        .map_err(|_| unsupported())?;
    let out = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(|_| unsupported())?;
    Ok(js_sys::Uint8Array::new(&out).to_vec())
}

/// What the fragment brought back, removed from the address bar (so a reload or a shared
/// link does not carry it).
enum Returned {
    Code(String),
    Error(String),
    /// An account has the address: sign in to it to link the identity (policy `ask`).
    Link(String),
}

fn take_fragment() -> Option<Returned> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let frag = hash.strip_prefix('#')?;
    let (name, value) = frag.split_once('=')?;
    let value: String = value
        .chars()
        .take(128)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let returned = match name {
        HANDOFF_PARAM => Returned::Code(value),
        ERROR_PARAM => Returned::Error(value),
        LINK_PARAM => Returned::Link(value),
        _ => return None,
    };
    if let (Ok(history), Some(url)) = (window.history(), page_url()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    Some(returned)
}

impl Client {
    /// The identity provider's URL for `connection_id` (a button) or `email`'s domain; the
    /// verifier stays in this tab.
    pub(crate) async fn sso_start(
        &self,
        connection_id: Option<String>,
        email: Option<String>,
    ) -> Result<String, SdkError> {
        let mut raw = [0u8; 32];
        getrandom02::getrandom(&mut raw)
            .map_err(|_| SdkError::new("UNSUPPORTED", "no secure random numbers", 0))?;
        let verifier = Base64UrlUnpadded::encode_string(&raw);
        let challenge = Base64UrlUnpadded::encode_string(&sha256(verifier.as_bytes()).await?);
        let storage = session_storage()
            .ok_or_else(|| SdkError::new("UNSUPPORTED", "sessionStorage is not available", 0))?;
        storage
            .set_item(&verifier_key(self.client_id()), &verifier)
            .map_err(|_| SdkError::new("UNSUPPORTED", "sessionStorage is not writable", 0))?;
        let opt = |v: Option<String>| v.map_or(JsValue::UNDEFINED, JsValue::from);
        let body = object(&[
            ("client_id", &JsValue::from(self.client_id())),
            ("connection_id", &opt(connection_id)),
            ("email", &opt(email)),
            ("return_to", &JsValue::from(page_url().unwrap_or_default())),
            ("code_challenge", &JsValue::from(challenge)),
        ]);
        let json = self.post_public("/api/v1/auth/sso/start", &body).await?;
        js_sys::Reflect::get(&json, &"authorization_url".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| crate::client::unexpected(200))
    }

    /// The sign-in the identity provider sent this page back with, if it did: the user (or
    /// the MFA state), `None` when the page's address carries nothing of ours.
    pub(crate) async fn sso_complete(&self) -> Result<Option<JsValue>, SdkError> {
        let returned = match take_fragment() {
            None => return Ok(None),
            Some(returned) => returned,
        };
        let key = verifier_key(self.client_id());
        let storage = session_storage();
        let verifier = storage
            .as_ref()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .unwrap_or_default();
        if let Some(s) = &storage {
            let _ = s.remove_item(&key);
        }
        let code = match returned {
            Returned::Error(code) => {
                return Err(SdkError::new(&code, "single sign-on did not complete", 0))
            }
            Returned::Link(ticket) => {
                if let Some(s) = &storage {
                    let _ =
                        s.set_item(&link_key(self.client_id()), &format!("{ticket} {verifier}"));
                }
                return Err(SdkError::new(
                    "LINK_REQUIRED",
                    "an account has this address: sign in to it to link the identity",
                    0,
                ));
            }
            Returned::Code(code) => code,
        };
        let trust = crate::mfa::trust(self.client_id()).map_or(JsValue::UNDEFINED, JsValue::from);
        let body = object(&[
            ("client_id", &JsValue::from(self.client_id())),
            ("code", &JsValue::from(code)),
            ("code_verifier", &JsValue::from(verifier)),
            ("cookie", &JsValue::TRUE),
            ("trust_token", &trust),
        ]);
        let answer = self
            .post_text_for_tokens("/api/v1/auth/sso/exchange", stringify(&body)?)
            .await?;
        Ok(Some(answer))
    }
}

impl Client {
    /// After a sign-in: links the identity a single sign-on left waiting in this tab (a
    /// connection whose policy is `ask`); whether there was one.
    pub(crate) async fn sso_link_pending(&self) -> Result<bool, SdkError> {
        let key = link_key(self.client_id());
        let Some(storage) = session_storage() else {
            return Ok(false);
        };
        let Some(waiting) = storage.get_item(&key).ok().flatten() else {
            return Ok(false);
        };
        let _ = storage.remove_item(&key);
        let (ticket, verifier) = waiting.split_once(' ').unwrap_or((waiting.as_str(), ""));
        let body = object(&[
            ("ticket", &JsValue::from(ticket)),
            ("code_verifier", &JsValue::from(verifier)),
        ]);
        let token = self.token().await?;
        let req = self.authed(
            gloo_net::http::Request::post(&self.url("/api/v1/auth/sso/link")),
            &token,
        );
        crate::client::answer(
            crate::client::with_body(req, stringify(&body)?)?
                .send()
                .await?,
        )
        .await?;
        Ok(true)
    }
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// Where to send the browser to sign in through a connection: `connectionId` (a social
    /// button) or the connection of `email`'s domain (enterprise SSO). Assign it to
    /// `location`; the provider sends the browser back to this page, where `completeSso`
    /// finishes.
    #[wasm_bindgen(js_name = startSso)]
    pub async fn start_sso(
        &self,
        connection_id: Option<String>,
        email: Option<String>,
    ) -> Result<String, JsValue> {
        Ok(self.sso_start(connection_id, email).await?)
    }

    /// On the page the identity provider sent the browser back to: the user (or the MFA
    /// state), `null` if the page's address carries no sign-in. The fragment is removed.
    #[wasm_bindgen(js_name = completeSso, unchecked_return_type = "LatchkeyUser | MfaRequired | null")]
    pub async fn complete_sso(&self) -> Result<JsValue, JsValue> {
        Ok(self.sso_complete().await?.unwrap_or(JsValue::NULL))
    }
}
