//! Reading `latchkey_core` types out of the JavaScript values the browser parsed.
//!
//! The SDK encodes with serde (`serde-wasm-bindgen`), but decodes by hand: serde's decoders
//! and the error formatting they bring (float printing included) were about a third of the
//! `.wasm`. Field names are the core types' serde names; `sdk/tests/browser.rs` encodes each type
//! with serde and decodes it here, so the two cannot drift apart unnoticed.

use js_sys::Reflect;
use latchkey_core::api::{ErrorBody, LogoutResponse, TokenResponse, UserView};
use latchkey_core::browser::token_cache::{Held, TabMessage};
use latchkey_core::model::{LoginMethod, UserStatus};
use wasm_bindgen::{JsCast, JsValue};

/// A type the SDK reads from a JS value; `None` when the value does not have its shape.
pub trait FromJs: Sized {
    fn from_js(v: &JsValue) -> Option<Self>;
}

fn get(v: &JsValue, key: &str) -> Option<JsValue> {
    if !v.is_object() {
        return None;
    }
    Reflect::get(v, &JsValue::from_str(key))
        .ok()
        .filter(|x| !x.is_undefined() && !x.is_null())
}

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key)?.as_string()
}

fn flag(v: &JsValue, key: &str) -> Option<bool> {
    get(v, key)?.as_bool()
}

/// A whole number within `i64` (what JSON numbers carry exactly: up to 2^53).
fn whole(v: &JsValue, key: &str) -> Option<i64> {
    let n = get(v, key)?.as_f64()?;
    (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0).then_some(n as i64)
}

/// An optional field: absent or null is `Some(None)`, a value of another shape is `None`.
fn opt<T: FromJs>(v: &JsValue, key: &str) -> Option<Option<T>> {
    match get(v, key) {
        None => Some(None),
        Some(x) => T::from_js(&x).map(Some),
    }
}

/// An optional whole number that fits a `u32`.
fn opt_u32(v: &JsValue, key: &str) -> Option<Option<u32>> {
    match get(v, key) {
        None => Some(None),
        Some(_) => u32::try_from(whole(v, key)?).ok().map(Some),
    }
}

impl FromJs for String {
    fn from_js(v: &JsValue) -> Option<Self> {
        v.as_string()
    }
}

impl FromJs for Vec<String> {
    fn from_js(v: &JsValue) -> Option<Self> {
        let array = v.dyn_ref::<js_sys::Array>()?;
        array.iter().map(|x| x.as_string()).collect()
    }
}

impl FromJs for ErrorBody {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(ErrorBody {
            error_code: text(v, "error_code")?,
            error_msg: text(v, "error_msg")?,
            request_id: text(v, "request_id").unwrap_or_default(),
            change_password_id: opt::<String>(v, "change_password_id")?,
            mfa_token: opt::<String>(v, "mfa_token")?,
            mfa_methods: opt::<Vec<String>>(v, "mfa_methods")?,
            mfa_expires_in: opt_u32(v, "mfa_expires_in")?,
            encoded_authorization_message: opt::<String>(v, "encoded_authorization_message")?,
        })
    }
}

impl FromJs for UserView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(UserView {
            id: text(v, "id")?,
            organization_id: text(v, "organization_id")?,
            email: text(v, "email")?,
            username: opt::<String>(v, "username")?,
            name: opt::<String>(v, "name")?,
            email_verified: flag(v, "email_verified")?,
            phone: opt::<String>(v, "phone")?,
            status: UserStatus::parse(&text(v, "status")?)?,
            has_password: flag(v, "has_password")?,
            password_change_required: flag(v, "password_change_required")?,
            expires_at: opt::<String>(v, "expires_at")?,
            created_at: text(v, "created_at")?,
            updated_at: text(v, "updated_at")?,
        })
    }
}

impl FromJs for TokenResponse {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(TokenResponse {
            access_token: text(v, "access_token")?,
            token_type: text(v, "token_type")?,
            expires_in: u32::try_from(whole(v, "expires_in")?).ok()?,
            refresh_token: opt::<String>(v, "refresh_token")?,
            session_id: text(v, "session_id")?,
            user: opt(v, "user")?,
            csrf_token: opt::<String>(v, "csrf_token")?,
            trust_token: opt::<String>(v, "trust_token")?,
            backup_codes: opt::<Vec<String>>(v, "backup_codes")?,
        })
    }
}

impl FromJs for LogoutResponse {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(LogoutResponse {
            revoked: u32::try_from(whole(v, "revoked")?).ok()?,
        })
    }
}

impl FromJs for Held {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Held {
            access_token: text(v, "access_token")?,
            session_id: text(v, "session_id")?,
            expires_at_ms: whole(v, "expires_at_ms")?,
            refresh_at_ms: whole(v, "refresh_at_ms")?,
            csrf_token: opt::<String>(v, "csrf_token")?,
            user: opt(v, "user")?,
        })
    }
}

impl FromJs for TabMessage {
    fn from_js(v: &JsValue) -> Option<Self> {
        // Externally tagged: "want", {"tokens": {"held": …}}, {"signed_out": {"session_id": …}}.
        if v.as_string().as_deref() == Some("want") {
            return Some(TabMessage::Want);
        }
        if let Some(t) = get(v, "tokens") {
            return Some(TabMessage::Tokens {
                held: Box::new(Held::from_js(&get(&t, "held")?)?),
            });
        }
        let out = get(v, "signed_out")?;
        Some(TabMessage::SignedOut {
            session_id: opt::<String>(&out, "session_id")?,
        })
    }
}

/// What the widget needs of a client configuration (`GET /api/v1/config/client/{id}`): the
/// application's name and login methods.
pub struct AppSettings {
    pub name: String,
    pub methods: Vec<LoginMethod>,
    /// Sign-ups are open (true when a server too old to say does not).
    pub self_signup: bool,
    /// Social connections: (id, button words).
    pub connections: Vec<(String, String)>,
    /// Some connection is found by the email's domain (enterprise SSO).
    pub sso_domains: bool,
}

impl FromJs for AppSettings {
    fn from_js(v: &JsValue) -> Option<Self> {
        let app = get(v, "application")?;
        let list: js_sys::Array = get(&app, "login_methods")?.dyn_into().ok()?;
        // Methods this SDK does not know yet are skipped, not an error.
        let connections = get(v, "connections")
            .and_then(|l| l.dyn_into::<js_sys::Array>().ok())
            .map(|l| {
                l.iter()
                    .filter_map(|c| Some((text(&c, "id")?, text(&c, "name")?)))
                    .collect()
            })
            .unwrap_or_default();
        Some(AppSettings {
            connections,
            sso_domains: flag(v, "sso_domains").unwrap_or(false),
            name: text(&app, "name").unwrap_or_default(),
            self_signup: get(&app, "self_signup")
                .and_then(|v| v.as_bool())
                .unwrap_or(true),
            methods: list
                .iter()
                .filter_map(|m| match m.as_string()?.as_str() {
                    "password" => Some(LoginMethod::Password),
                    "passkey" => Some(LoginMethod::Passkey),
                    "magic_link" => Some(LoginMethod::MagicLink),
                    "magic_code" => Some(LoginMethod::MagicCode),
                    "sms_code" => Some(LoginMethod::SmsCode),
                    "sso" => Some(LoginMethod::Sso),
                    _ => None,
                })
                .collect(),
        })
    }
}
