//! Multi-factor authentication in the browser: `LatchkeyClient`'s second step
//! (`completeMfa`), setting up an authenticator app, and the signed-in user's authenticators
//! and backup codes.
//!
//! A login that needs a second factor resolves to `{ mfa_required: true, methods,
//! enrollment_required, expires_in }`; the client keeps its MFA token in memory for the
//! next step. A trusted device's token lives in `localStorage` (per server and application):
//! it only ever skips the second factor, never the first.

use gloo_net::http::Request;
use latchkey_core::api::ErrorBody;
use wasm_bindgen::prelude::*;

use crate::client::{answer, stringify, text_field, unexpected, with_body, Client};
use crate::error::SdkError;
use crate::passkeys::object;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What a login resolves to when it needs a second factor. */
export interface MfaRequired {
  mfa_required: true; methods: ("totp" | "backup_code")[]; enrollment_required: boolean; expires_in: number;
}
export interface CompleteMfaOptions { code?: string; backupCode?: string; trustDevice?: boolean }
export interface TotpEnrollment {
  id: string; secret: string; otpauth_uri: string; qr_svg: string; algorithm: string; digits: number; period: number;
}
export interface LatchkeyAuthenticator {
  id: string; type: "totp"; name: string; confirmed: boolean; created_at: string; last_used_at: string | null;
}
export interface AuthenticatorList { authenticators: LatchkeyAuthenticator[]; mfa_enabled: boolean; backup_codes_left: number }
"#;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn trust_key(client_id: &str) -> String {
    format!("latchkey.trust.{client_id}")
}

/// The trusted-device token this browser keeps for `client_id`'s logins.
pub(crate) fn trust(client_id: &str) -> Option<String> {
    storage()?.get_item(&trust_key(client_id)).ok()?
}

pub(crate) fn store_trust(client_id: &str, token: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(&trust_key(client_id), token);
    }
}

impl Client {
    /// The MFA state of a login answered `MFA_REQUIRED` (or `MFA_ENROLLMENT_REQUIRED`), kept
    /// for the second step; `None` for other errors.
    pub(crate) fn mfa_pending(&self, e: &ErrorBody) -> Option<JsValue> {
        let token = e.mfa_token.clone()?;
        let enroll = e.error_code == "MFA_ENROLLMENT_REQUIRED";
        self.inner_mfa(Some((token, enroll)));
        let methods = js_sys::Array::new();
        for m in e.mfa_methods.iter().flatten() {
            methods.push(&JsValue::from(m));
        }
        Some(object(&[
            ("mfa_required", &JsValue::TRUE),
            ("methods", &methods),
            ("enrollment_required", &JsValue::from(enroll)),
            (
                "expires_in",
                &JsValue::from(e.mfa_expires_in.unwrap_or_default()),
            ),
        ]))
    }

    fn pending_mfa(&self) -> Result<(String, bool), SdkError> {
        self.inner_mfa_get().ok_or_else(|| {
            SdkError::new(
                "MFA_TOKEN_INVALID",
                "no login is waiting for a second factor: log in first",
                0,
            )
        })
    }

    /// The second step of a login: `{ code }` or `{ backupCode }`, and `trustDevice` to skip
    /// it on this browser next time. Resolves to `{ user, backup_codes }`, or to a new MFA
    /// state.
    pub(crate) async fn complete(
        &self,
        options: &JsValue,
    ) -> Result<Result<JsValue, JsValue>, SdkError> {
        let (token, _) = self.pending_mfa()?;
        let field = |name| text_field(options, name).map_or(JsValue::UNDEFINED, JsValue::from);
        let trust = js_sys::Reflect::get(options, &"trustDevice".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let body = object(&[
            ("mfa_token", &JsValue::from(token)),
            ("code", &field("code")),
            ("backup_code", &field("backupCode")),
            ("trust_device", &JsValue::from(trust)),
            ("client_id", &JsValue::from(self.client_id())),
            ("cookie", &JsValue::TRUE),
        ]);
        let answer = self
            .post_login("/api/v1/auth/mfa/verify", stringify(&body)?)
            .await;
        if let Err(e) = &answer {
            // Spent, expired or out of tries: this login is over.
            if e.code == "MFA_TOKEN_INVALID" {
                self.inner_mfa(None);
            }
        }
        Ok(match answer? {
            Ok(t) => Ok(object(&[
                ("user", &crate::client::to_js(&t.user)?),
                ("backup_codes", &crate::client::to_js(&t.backup_codes)?),
            ])),
            Err(state) => Err(state),
        })
    }
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// Completes a login that resolved to `{ mfa_required: true }`: `{ code }` (the
    /// authenticator app's) or `{ backupCode }`, with `trustDevice: true` to skip the second
    /// factor on this browser next time. Resolves to the user.
    #[wasm_bindgen(js_name = completeMfa, unchecked_return_type = "LatchkeyUser")]
    pub async fn complete_mfa(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CompleteMfaOptions")] options: js_sys::Object,
    ) -> Result<JsValue, JsValue> {
        match self.complete(&options.into()).await? {
            Ok(done) => Ok(js_sys::Reflect::get(&done, &"user".into())?),
            Err(state) => Ok(state),
        }
    }

    /// Starts setting up an authenticator app: for the signed-in user, or for the user of a
    /// login whose application requires MFA (`enrollment_required`). Show `qr_svg` (or
    /// `secret`), then confirm with `confirmTotpEnrollment`.
    #[wasm_bindgen(js_name = startTotpEnrollment, unchecked_return_type = "TotpEnrollment")]
    pub async fn start_totp_enrollment(&self) -> Result<JsValue, JsValue> {
        Ok(self.start_enrollment().await?)
    }

    /// Confirms the authenticator `id` with its first code; resolves to `{ backup_codes }`
    /// (shown once; `null` when the user had some already). During a login that must enrol,
    /// this completes the login too (and the answer has the `user`).
    #[wasm_bindgen(
        js_name = confirmTotpEnrollment,
        unchecked_return_type = "{ backup_codes: string[] | null; user?: LatchkeyUser }"
    )]
    pub async fn confirm_totp_enrollment(
        &self,
        id: String,
        code: String,
    ) -> Result<JsValue, JsValue> {
        Ok(self.confirm_enrollment(&id, code).await?)
    }
}

impl Client {
    pub(crate) async fn start_enrollment(&self) -> Result<JsValue, SdkError> {
        let req = match self.inner_mfa_get() {
            Some((token, true)) => with_body(
                Request::post(&self.url("/api/v1/auth/mfa/enroll")),
                stringify(&object(&[
                    ("mfa_token", &JsValue::from(token)),
                    ("client_id", &JsValue::from(self.client_id())),
                ]))?,
            )?,
            _ => {
                let token = self.token().await?;
                self.authed(Request::post(&self.url("/api/v1/mfa/totp")), &token)
                    .build()?
            }
        };
        let (status, json) = answer(req.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }

    pub(crate) async fn confirm_enrollment(
        &self,
        id: &str,
        code: String,
    ) -> Result<JsValue, SdkError> {
        if let Some((_, true)) = self.inner_mfa_get() {
            let options = object(&[("code", &JsValue::from(code))]);
            return match self.complete(&options).await? {
                Ok(done) => Ok(done),
                Err(state) => Ok(state),
            };
        }
        let token = self.token().await?;
        let path = format!(
            "/api/v1/mfa/totp/{}/confirm",
            js_sys::encode_uri_component(id)
        );
        let req = with_body(
            self.authed(Request::post(&self.url(&path)), &token),
            stringify(&object(&[("code", &JsValue::from(code))]))?,
        )?;
        let (status, json) = answer(req.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// The signed-in user's authenticators and how many backup codes are left.
    #[wasm_bindgen(js_name = listAuthenticators, unchecked_return_type = "AuthenticatorList")]
    pub async fn list_authenticators(&self) -> Result<JsValue, JsValue> {
        Ok(self.get_raw("/api/v1/mfa/authenticators", None).await?)
    }

    /// Removes one of the signed-in user's authenticators, with `{ password }` (users without
    /// one: within ten minutes of signing in).
    #[wasm_bindgen(js_name = removeAuthenticator)]
    pub async fn remove_authenticator(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "{ password?: string }")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<(), JsValue> {
        Ok(self.remove_factor(&id, password(options)).await?)
    }

    /// Replaces the signed-in user's backup codes, with `{ password }`; resolves to the new
    /// ones (shown once).
    #[wasm_bindgen(js_name = regenerateBackupCodes, unchecked_return_type = "string[]")]
    pub async fn regenerate_backup_codes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ password?: string }")] options: Option<
            js_sys::Object,
        >,
    ) -> Result<JsValue, JsValue> {
        Ok(self.new_backup_codes(password(options)).await?)
    }
}

impl Client {
    pub(crate) async fn remove_factor(
        &self,
        id: &str,
        password: Option<String>,
    ) -> Result<(), SdkError> {
        let token = self.token().await?;
        let path = format!(
            "/api/v1/mfa/authenticators/{}",
            js_sys::encode_uri_component(id)
        );
        let req = with_body(
            self.authed(Request::delete(&self.url(&path)), &token),
            reauth(password)?,
        )?;
        answer(req.send().await?).await?;
        Ok(())
    }

    pub(crate) async fn new_backup_codes(
        &self,
        password: Option<String>,
    ) -> Result<JsValue, SdkError> {
        let token = self.token().await?;
        let req = with_body(
            self.authed(Request::post(&self.url("/api/v1/mfa/backup-codes")), &token),
            reauth(password)?,
        )?;
        let (status, json) = answer(req.send().await?).await?;
        let json = json.ok_or_else(|| unexpected(status))?;
        Ok(js_sys::Reflect::get(&json, &"backup_codes".into()).unwrap_or(JsValue::UNDEFINED))
    }
}

fn password(options: Option<js_sys::Object>) -> Option<String> {
    text_field(&JsValue::from(options), "password")
}

/// `{ password }` as a request body.
fn reauth(password: Option<String>) -> Result<String, SdkError> {
    stringify(&object(&[(
        "password",
        &password.map_or(JsValue::UNDEFINED, JsValue::from),
    )]))
}
