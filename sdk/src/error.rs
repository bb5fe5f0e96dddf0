//! The SDK's one error type, surfaced to JavaScript as an `Error` with `code` and `status`.

use latchkey_core::api::ErrorBody;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkError {
    /// The server's `error_code`, or `NETWORK_ERROR` / `INVALID_OPTIONS` from the SDK.
    pub code: String,
    pub message: String,
    /// HTTP status, 0 when no response came.
    pub status: u16,
    /// With `PASSWORD_CHANGE_REQUIRED`: the one-time id that `changePassword` takes.
    pub change_password_id: Option<String>,
}

impl SdkError {
    pub fn new(code: &str, message: impl Into<String>, status: u16) -> Self {
        SdkError {
            code: code.to_owned(),
            message: message.into(),
            status,
            change_password_id: None,
        }
    }

    /// From a response that was not a success: the common error body when there is one.
    pub fn from_body(status: u16, body: Option<ErrorBody>) -> Self {
        match body {
            Some(e) => SdkError {
                change_password_id: e.change_password_id,
                ..SdkError::new(&e.error_code, e.error_msg, status)
            },
            None => SdkError::new(
                "HTTP_ERROR",
                format!("the server answered {status}"),
                status,
            ),
        }
    }
}

impl From<gloo_net::Error> for SdkError {
    fn from(e: gloo_net::Error) -> Self {
        SdkError::new("NETWORK_ERROR", e.to_string(), 0)
    }
}

impl From<SdkError> for JsValue {
    fn from(e: SdkError) -> JsValue {
        let err = js_sys::Error::new(&e.message);
        err.set_name("LatchkeyError");
        let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code.into());
        let _ = js_sys::Reflect::set(&err, &"status".into(), &JsValue::from(e.status));
        if let Some(id) = e.change_password_id {
            let _ = js_sys::Reflect::set(&err, &"changePasswordId".into(), &id.into());
        }
        err.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_sdk_error_from_server_body() {
        let body = ErrorBody {
            error_code: "INVALID_CREDENTIALS".into(),
            error_msg: "no".into(),
            request_id: "r".into(),
            change_password_id: None,
            mfa_token: None,
            mfa_methods: None,
            mfa_expires_in: None,
            encoded_authorization_message: None,
        };
        let e = SdkError::from_body(401, Some(body));
        assert_eq!((e.code.as_str(), e.status), ("INVALID_CREDENTIALS", 401));
        let e = SdkError::from_body(502, None);
        assert_eq!(e.code, "HTTP_ERROR");
    }
}
