//! Passwordless sign-in in the browser: a code or a link sent by email.
//!
//! `sendEmailCode` then `verifyCode`; or `sendMagicLink` then `waitForMagicLink`, which
//! resolves once the link is approved, on this device or any other (it polls the server
//! every two seconds). The link's pending id stays in this client's memory: only the page
//! that asked can be signed in by it.

use gloo_net::http::Request;
use wasm_bindgen::prelude::*;

use crate::client::{answer, stringify, to_js, unexpected, with_body, Client};
use crate::error::SdkError;
use crate::passkeys::object;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A code or link was sent (if the address can sign in); another may be asked for after `resend_after` seconds. */
export interface CodeSent { expires_in: number; resend_after: number }
"#;

/// How often `waitForMagicLink` asks.
const POLL_MS: i32 = 2_000;

impl Client {
    /// Posts `body` to a public route and resolves to the answer's JSON.
    pub(crate) async fn post_public(
        &self,
        path: &str,
        body: &JsValue,
    ) -> Result<JsValue, SdkError> {
        let req = with_body(Request::post(&self.url(path)), stringify(body)?)?;
        let (status, json) = answer(req.send().await?).await?;
        json.ok_or_else(|| unexpected(status))
    }

    /// A public POST answered with no body (204).
    async fn post_empty(&self, path: &str, body: &JsValue) -> Result<(), SdkError> {
        let req = with_body(Request::post(&self.url(path)), stringify(body)?)?;
        answer(req.send().await?).await?;
        Ok(())
    }

    pub(crate) async fn change_password(
        &self,
        change_password_id: String,
        password: String,
    ) -> Result<(), SdkError> {
        let body = object(&[
            ("change_password_id", &JsValue::from(change_password_id)),
            ("password", &JsValue::from(password)),
        ]);
        self.post_empty("/api/v1/auth/change-password", &body).await
    }

    fn client_and(&self, pairs: &[(&str, &JsValue)]) -> JsValue {
        let client_id = JsValue::from(self.client_id());
        let mut all: Vec<(&str, &JsValue)> = vec![("client_id", &client_id)];
        all.extend_from_slice(pairs);
        object(&all)
    }

    fn trust_value(&self) -> JsValue {
        crate::mfa::trust(self.client_id()).map_or(JsValue::UNDEFINED, JsValue::from)
    }
}

fn sent(json: &JsValue) -> JsValue {
    let get = |k: &str| js_sys::Reflect::get(json, &k.into()).unwrap_or(JsValue::UNDEFINED);
    object(&[
        ("expires_in", &get("expires_in")),
        ("resend_after", &get("resend_after")),
    ])
}

impl Client {
    pub(crate) async fn send_email_code(&self, email: String) -> Result<JsValue, SdkError> {
        let body = self.client_and(&[("email", &JsValue::from(email))]);
        let json = self.post_public("/api/v1/auth/email-code", &body).await?;
        Ok(sent(&json))
    }

    pub(crate) async fn send_sms_code(&self, phone: String) -> Result<JsValue, SdkError> {
        let body = self.client_and(&[("phone", &JsValue::from(phone))]);
        let json = self.post_public("/api/v1/auth/sms-code", &body).await?;
        Ok(sent(&json))
    }

    /// Signs in with a code sent to `to`: a phone number (`+…`) or an email address.
    pub(crate) async fn verify_code(&self, to: String, code: String) -> Result<JsValue, SdkError> {
        let trust = self.trust_value();
        let sms = to.trim_start().starts_with('+');
        let (field, path) = if sms {
            ("phone", "/api/v1/auth/sms-code/verify")
        } else {
            ("email", "/api/v1/auth/email-code/verify")
        };
        let body = self.client_and(&[
            (field, &JsValue::from(to.trim())),
            ("code", &JsValue::from(code.trim())),
            ("cookie", &JsValue::TRUE),
            ("trust_token", &trust),
        ]);
        self.post_text_for_tokens(path, stringify(&body)?).await
    }

    pub(crate) async fn send_magic_link(&self, email: String) -> Result<JsValue, SdkError> {
        let body = self.client_and(&[("email", &JsValue::from(email))]);
        let json = self.post_public("/api/v1/auth/magic-link", &body).await?;
        let pending = js_sys::Reflect::get(&json, &"pending_id".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| unexpected(200))?;
        self.set_magic_link(Some(pending));
        Ok(sent(&json))
    }

    pub(crate) async fn request_password_reset(&self, email: String) -> Result<JsValue, SdkError> {
        let body = self.client_and(&[("email", &JsValue::from(email))]);
        let json = self
            .post_public("/api/v1/auth/password-reset", &body)
            .await?;
        Ok(sent(&json))
    }

    pub(crate) async fn wait_for_magic_link(&self) -> Result<JsValue, SdkError> {
        loop {
            let Some(pending) = self.magic_link() else {
                return Err(SdkError::new(
                    "CODE_EXPIRED",
                    "no sign-in link is waiting: send one first",
                    0,
                ));
            };
            let body = self.client_and(&[
                ("pending_id", &JsValue::from(pending.as_str())),
                ("cookie", &JsValue::TRUE),
                ("trust_token", &self.trust_value()),
            ]);
            let answer = self
                .post_login("/api/v1/auth/magic-link/status", stringify(&body)?)
                .await;
            let still_this = || self.magic_link().as_deref() == Some(pending.as_str());
            match answer {
                Ok(Ok(t)) => {
                    if still_this() {
                        self.set_magic_link(None);
                    }
                    return to_js(&t.user);
                }
                Ok(Err(state)) => {
                    let waiting = js_sys::Reflect::get(&state, &"status".into())
                        .ok()
                        .and_then(|s| s.as_string())
                        .is_some_and(|s| s == "pending");
                    if !waiting {
                        // The MFA state: the login goes on with its second factor.
                        if still_this() {
                            self.set_magic_link(None);
                        }
                        return Ok(state);
                    }
                }
                Err(e) => {
                    // Spent, refused or expired: this link is over (a network error is not).
                    if still_this() && e.status != 0 {
                        self.set_magic_link(None);
                    }
                    return Err(e);
                }
            }
            crate::tabs::sleep_or_wake(POLL_MS, &Default::default()).await;
        }
    }
}

#[wasm_bindgen(js_class = LatchkeyClient)]
impl Client {
    /// Emails a six-digit sign-in code to `email` (answered alike whether an account has
    /// the address or not). Asking again replaces the last code, once `resend_after` passed.
    #[wasm_bindgen(js_name = sendEmailCode, unchecked_return_type = "CodeSent")]
    pub async fn email_code(&self, email: String) -> Result<JsValue, JsValue> {
        Ok(self.send_email_code(email).await?)
    }

    /// Texts a six-digit sign-in code to `phone` (E.164, `+14155550100`), if an account has
    /// that number (answered alike either way).
    #[wasm_bindgen(js_name = sendSmsCode, unchecked_return_type = "CodeSent")]
    pub async fn sms_code(&self, phone: String) -> Result<JsValue, JsValue> {
        Ok(self.send_sms_code(phone).await?)
    }

    /// Signs in with a code sent to `to`, an email address or a phone number (`+…`).
    /// Resolves to the user, or to the MFA state of an account with a second factor.
    #[wasm_bindgen(js_name = verifyCode, unchecked_return_type = "LatchkeyUser | MfaRequired")]
    pub async fn sign_in_with_code(&self, to: String, code: String) -> Result<JsValue, JsValue> {
        Ok(self.verify_code(to, code).await?)
    }

    /// Emails a sign-in link to `email`; `waitForMagicLink` then resolves when it is used.
    #[wasm_bindgen(js_name = sendMagicLink, unchecked_return_type = "CodeSent")]
    pub async fn magic_link_to(&self, email: String) -> Result<JsValue, JsValue> {
        Ok(self.send_magic_link(email).await?)
    }

    /// Emails a link to choose a new password (answered alike whether an account has the
    /// address or not). The link opens the server's `/reset-password` page.
    #[wasm_bindgen(js_name = requestPasswordReset, unchecked_return_type = "CodeSent")]
    pub async fn password_reset_to(&self, email: String) -> Result<JsValue, JsValue> {
        Ok(self.request_password_reset(email).await?)
    }

    /// Sets a new password with the token of a reset link (what follows `#`), for pages
    /// that handle reset links themselves. Every session of the account ends.
    #[wasm_bindgen(js_name = resetPassword)]
    pub async fn reset_password(&self, token: String, password: String) -> Result<(), JsValue> {
        let body = object(&[
            ("token", &JsValue::from(token)),
            ("password", &JsValue::from(password)),
        ]);
        Ok(self
            .post_empty("/api/v1/auth/password-reset/complete", &body)
            .await?)
    }

    /// Sets a new password where a login answered `PASSWORD_CHANGE_REQUIRED`, with the
    /// error's `changePasswordId` (single-use). Every session of the account ends; sign in
    /// with the new password next.
    #[wasm_bindgen(js_name = changePassword)]
    pub async fn change_password_with(
        &self,
        change_password_id: String,
        password: String,
    ) -> Result<(), JsValue> {
        Ok(self.change_password(change_password_id, password).await?)
    }

    /// Emails a link to confirm `email`, if its account's address is not verified yet (the
    /// answer is the same either way). The link opens the server's `/verify-email` page.
    #[wasm_bindgen(js_name = sendVerificationEmail, unchecked_return_type = "CodeSent")]
    pub async fn send_verification_email(&self, email: String) -> Result<JsValue, JsValue> {
        let body = self.client_and(&[("email", &JsValue::from(email))]);
        let json = self
            .post_public("/api/v1/auth/verify-email/send", &body)
            .await?;
        Ok(sent(&json))
    }

    /// Confirms an email address with the token of a confirmation link (what follows `#`),
    /// for pages that handle those links themselves. Resolves to `{ email, email_verified }`.
    #[wasm_bindgen(
        js_name = verifyEmail,
        unchecked_return_type = "{ email: string; email_verified: boolean }"
    )]
    pub async fn verify_email(&self, token: String) -> Result<JsValue, JsValue> {
        let body = object(&[("token", &JsValue::from(token))]);
        Ok(self.post_public("/api/v1/auth/verify-email", &body).await?)
    }

    /// Resolves once the link this client sent last is approved, wherever it is opened: to
    /// the user (signed in here), or to the MFA state. Rejects with `LINK_DENIED` when its
    /// holder refuses, `CODE_EXPIRED` when it runs out.
    #[wasm_bindgen(
        js_name = waitForMagicLink,
        unchecked_return_type = "LatchkeyUser | MfaRequired"
    )]
    pub async fn magic_link_used(&self) -> Result<JsValue, JsValue> {
        Ok(self.wait_for_magic_link().await?)
    }
}
