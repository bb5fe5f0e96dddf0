//! Passkeys in the browser: `LatchkeyClient`'s registration, modal and conditional (autofill)
//! login, and the signed-in user's passkeys.
//!
//! The server speaks WebAuthn's JSON forms; the browser converts them to and from the
//! `ArrayBuffer`s `navigator.credentials` takes (`parseCreationOptionsFromJSON`,
//! `parseRequestOptionsFromJSON`, `toJSON`), with a small fallback where it lacks them. That
//! conversion is the only JavaScript here; the rest is the same requests and token handling
//! as every other login.

use gloo_net::http::Request;
use wasm_bindgen::prelude::*;

use crate::client::{answer, stringify, text_field, unexpected, with_body, Client};
use crate::error::SdkError;

#[wasm_bindgen(inline_js = "
const P = () => globalThis.PublicKeyCredential;
const buf = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const ids = (l) => (l || []).map((c) => ({ ...c, id: buf(c.id) }));
export function supported() { return typeof P() === 'function' && !!globalThis.navigator?.credentials; }
export async function conditional() {
  return supported() && typeof P().isConditionalMediationAvailable === 'function' && !!(await P().isConditionalMediationAvailable());
}
function out(c) {
  if (typeof c.toJSON === 'function') return c.toJSON();
  const r = c.response;
  const j = { id: c.id, rawId: b64(c.rawId), type: c.type, response: { clientDataJSON: b64(r.clientDataJSON) } };
  if (r.attestationObject) {
    j.response.attestationObject = b64(r.attestationObject);
    j.response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    j.response.authenticatorData = b64(r.authenticatorData);
    j.response.signature = b64(r.signature);
    if (r.userHandle) j.response.userHandle = b64(r.userHandle);
  }
  return j;
}
export async function create(o) {
  const publicKey = P().parseCreationOptionsFromJSON ? P().parseCreationOptionsFromJSON(o)
    : { ...o, challenge: buf(o.challenge), user: { ...o.user, id: buf(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) };
  return out(await navigator.credentials.create({ publicKey }));
}
export async function get(o, mediation, signal) {
  const publicKey = P().parseRequestOptionsFromJSON ? P().parseRequestOptionsFromJSON(o)
    : { ...o, challenge: buf(o.challenge), allowCredentials: ids(o.allowCredentials) };
  return out(await navigator.credentials.get({ publicKey, ...(mediation ? { mediation } : {}), ...(signal ? { signal } : {}) }));
}")]
extern "C" {
    #[wasm_bindgen(js_name = supported)]
    fn js_supported() -> bool;
    #[wasm_bindgen(catch, js_name = conditional)]
    async fn js_conditional() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = create)]
    async fn js_create(options: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = get)]
    async fn js_get(
        options: JsValue,
        mediation: Option<String>,
        signal: JsValue,
    ) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export interface LatchkeyPasskey {
  id: string; name: string; credential_id: string; rp_id: string; aaguid: string;
  backup_eligible: boolean; backed_up: boolean; attestation: "none" | "self" | "unattested";
  transports: string[]; created_at: string; last_used_at: string | null;
}
export interface PasskeyLoginOptions {
  /** Username-first: only this login id's passkeys are offered. */
  loginId?: string;
  /** Autofill: resolves once the user picks a passkey from an input with
   * `autocomplete="username webauthn"`; abort it with `signal` to use the form instead. */
  conditional?: boolean;
  signal?: AbortSignal;
}
"#;

/// The SDK error for a failed browser ceremony, by the `DOMException`'s name:
/// `PASSKEY_NOT_ALLOWED` (the user dismissed it, or it timed out: browsers do not say which),
/// `PASSKEY_CANCELLED` (aborted through its signal), `PASSKEY_INVALID_STATE` (this
/// authenticator holds a passkey for the account already), `PASSKEY_UNSUPPORTED`.
fn ceremony_error(e: JsValue) -> SdkError {
    let field = |k: &str| {
        js_sys::Reflect::get(&e, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let code = match field("name").as_str() {
        "NotAllowedError" => "PASSKEY_NOT_ALLOWED",
        "AbortError" => "PASSKEY_CANCELLED",
        "InvalidStateError" => "PASSKEY_INVALID_STATE",
        "NotSupportedError" | "SecurityError" | "TypeError" => "PASSKEY_UNSUPPORTED",
        _ => "PASSKEY_FAILED",
    };
    SdkError::new(code, field("message"), 0)
}

fn unsupported() -> Result<(), SdkError> {
    if js_supported() {
        Ok(())
    } else {
        Err(SdkError::new(
            "PASSKEY_UNSUPPORTED",
            "this browser has no passkeys",
            0,
        ))
    }
}

/// `{ field: value, ... }` as a JS object, for bodies that carry the browser's own objects.
pub(crate) fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// Whether this browser can use passkeys at all.
    #[wasm_bindgen(js_name = passkeysSupported)]
    pub fn passkeys_supported() -> bool {
        js_supported()
    }

    /// Whether this browser offers passkeys in autofill (conditional mediation).
    #[wasm_bindgen(js_name = passkeyAutofillSupported)]
    pub async fn passkey_autofill_supported() -> bool {
        js_conditional()
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Registers a passkey for the signed-in user (`{ name }` optional); resolves to it.
    #[wasm_bindgen(js_name = registerPasskey, unchecked_return_type = "LatchkeyPasskey")]
    pub async fn register_passkey(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ name?: string }")] options: Option<js_sys::Object>,
    ) -> Result<JsValue, JsValue> {
        let name = text_field(&JsValue::from(options), "name");
        Ok(self.passkey_register(name).await?)
    }

    pub(crate) async fn passkey_register(&self, name: Option<String>) -> Result<JsValue, SdkError> {
        unsupported()?;
        let token = self.token().await?;
        let start = self.authed(
            Request::post(&self.url("/api/v1/passkeys/register/options")),
            &token,
        );
        let public_key = public_key(answer(start.send().await?).await?)?;
        let credential = js_create(public_key).await.map_err(ceremony_error)?;
        let name = name.map_or(JsValue::UNDEFINED, JsValue::from);
        let body = stringify(&object(&[("name", &name), ("credential", &credential)]))?;
        let req = self.authed(
            Request::post(&self.url("/api/v1/passkeys/register")),
            &token,
        );
        let (status, json) = answer(with_body(req, body)?.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }

    /// Logs in with a passkey (modal; `{ conditional: true }` for autofill); resolves to the user.
    #[wasm_bindgen(js_name = loginWithPasskey, unchecked_return_type = "LatchkeyUser")]
    pub async fn login_with_passkey(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PasskeyLoginOptions")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<JsValue, JsValue> {
        Ok(self.passkey_login(JsValue::from(options)).await?)
    }

    pub(crate) async fn passkey_login(&self, options: JsValue) -> Result<JsValue, SdkError> {
        unsupported()?;
        let conditional = js_sys::Reflect::get(&options, &"conditional".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let signal = js_sys::Reflect::get(&options, &"signal".into()).unwrap_or_default();
        // `PasskeyLoginOptionsRequest`, built as a JS object: a serde encoder per request
        // type costs the .wasm more than these few lines.
        let client_id = JsValue::from(self.client_id());
        let login_id = text_field(&options, "loginId").map_or(JsValue::UNDEFINED, JsValue::from);
        let start = object(&[("client_id", &client_id), ("login_id", &login_id)]);
        let req = with_body(
            Request::post(&self.url("/api/v1/auth/passkey/options")),
            stringify(&start)?,
        )?;
        let public_key = public_key(answer(req.send().await?).await?)?;
        let mediation = conditional.then(|| "conditional".to_owned());
        let credential = js_get(public_key, mediation, signal)
            .await
            .map_err(ceremony_error)?;
        let trust = crate::mfa::trust(self.client_id()).map_or(JsValue::UNDEFINED, JsValue::from);
        let body = object(&[
            ("client_id", &client_id),
            ("credential", &credential),
            ("cookie", &JsValue::TRUE),
            ("trust_token", &trust),
        ]);
        self.post_text_for_tokens("/api/v1/auth/passkey/login", stringify(&body)?)
            .await
    }

    /// The signed-in user's passkeys.
    #[wasm_bindgen(js_name = listPasskeys, unchecked_return_type = "LatchkeyPasskey[]")]
    pub async fn list_passkeys(&self) -> Result<JsValue, JsValue> {
        Ok(self.get_raw("/api/v1/passkeys", Some("passkeys")).await?)
    }

    /// Renames one of the signed-in user's passkeys; resolves to it.
    #[wasm_bindgen(js_name = renamePasskey, unchecked_return_type = "LatchkeyPasskey")]
    pub async fn rename_passkey(&self, id: String, name: String) -> Result<JsValue, JsValue> {
        Ok(self.passkey_rename(&id, name).await?)
    }

    pub(crate) async fn passkey_rename(&self, id: &str, name: String) -> Result<JsValue, SdkError> {
        let token = self.token().await?;
        let path = format!("/api/v1/passkeys/{}", js_sys::encode_uri_component(id));
        let req = with_body(
            self.authed(Request::patch(&self.url(&path)), &token),
            stringify(&object(&[("name", &JsValue::from(name))]))?,
        )?;
        let (status, json) = answer(req.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }

    /// Deletes one of the signed-in user's passkeys.
    #[wasm_bindgen(js_name = deletePasskey)]
    pub async fn delete_passkey(&self, id: String) -> Result<(), JsValue> {
        Ok(self.delete("/api/v1/passkeys/", &id).await?)
    }
}

/// The `public_key` options of a ceremony's first answer.
fn public_key((status, json): (u16, Option<JsValue>)) -> Result<JsValue, SdkError> {
    json.and_then(|j| js_sys::Reflect::get(&j, &"public_key".into()).ok())
        .filter(JsValue::is_object)
        .ok_or_else(|| unexpected(status))
}
