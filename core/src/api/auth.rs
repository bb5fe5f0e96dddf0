//! Sign-up, login, refresh, logout, status, password change and the authorization code.

use serde::{Deserialize, Serialize};

use super::identity::UserView;

request_type! {
    /// Device metadata a client may send with a login.
    pub struct DeviceMeta {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default, rename = "type")]
        pub device_type: Option<String>,
        #[serde(default)]
        pub description: Option<String>,
    }
}

request_type! {
    pub struct SignUpRequest {
        pub client_id: String,
        pub email: String,
        pub password: String,
        #[serde(default)]
        pub username: Option<String>,
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie, not in the body.
        #[serde(default)]
        pub cookie: bool,
        /// A Cloudflare Turnstile token, where the application sets `bot_protection`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub turnstile_token: Option<String>,
    }
}

request_type! {
    pub struct LoginRequest {
        pub client_id: String,
        /// Email or username.
        pub login_id: String,
        pub password: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie, not in the body.
        #[serde(default)]
        pub cookie: bool,
        /// A Cloudflare Turnstile token, where the application sets `bot_protection`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub turnstile_token: Option<String>,
        /// A trusted device's token (`trust_token` of an earlier MFA login): skips the
        /// second factor while it lasts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}

request_type! {
    pub struct RefreshRequest {
        /// Omitted in browser mode, where the token travels in the HttpOnly cookie.
        #[serde(default)]
        pub refresh_token: Option<String>,
        #[serde(default)]
        pub client_id: Option<String>,
    }
}

request_type! {
    pub struct LogoutRequest {
        /// Log out every session of the user, not only this one.
        #[serde(default)]
        pub everywhere: bool,
    }
}

api_type! {
    pub struct TokenResponse {
        pub access_token: String,
        pub token_type: String,
        /// Seconds until the access token expires.
        pub expires_in: u32,
        /// Absent in browser mode (it is set as an HttpOnly cookie instead).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refresh_token: Option<String>,
        pub session_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub user: Option<UserView>,
        /// Browser mode only: echo it in `X-CSRF-Token` when refreshing by cookie.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub csrf_token: Option<String>,
        /// After an MFA login with `trust_device`: send it as `trust_token` at later logins
        /// from this device to skip the second factor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
        /// After enrolling at login (MFA required): the user's backup codes, shown once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub backup_codes: Option<Vec<String>>,
    }
}

api_type! {
    pub struct LogoutResponse {
        /// Sessions revoked.
        pub revoked: u32,
    }
}

api_type! {
    /// `GET /api/v1/auth/status`: the bearer token is valid (else 401), and for whom.
    pub struct AuthStatus {
        pub authenticated: bool,
        pub user_id: String,
        pub session_id: String,
        pub organization_id: String,
        /// When the session ends at the latest (RFC 3339).
        pub session_expires_at: String,
    }
}

request_type! {
    pub struct ChangePasswordRequest {
        /// The one-time id a login answered `PASSWORD_CHANGE_REQUIRED` with.
        pub change_password_id: String,
        pub password: String,
    }
}

request_type! {
    /// What a login page posts to start the authorization-code flow.
    pub struct AuthorizeRequest {
        pub client_id: String,
        /// Must equal one of the application's redirect URIs exactly.
        pub redirect_uri: String,
        /// base64url(SHA-256(code_verifier)).
        pub code_challenge: String,
        /// Only `S256`.
        pub code_challenge_method: String,
        #[serde(default)]
        pub state: Option<String>,
        pub login_id: String,
        pub password: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// A Cloudflare Turnstile token, where the application sets `bot_protection`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub turnstile_token: Option<String>,
    }
}

api_type! {
    pub struct AuthorizeResponse {
        /// Single use, valid one minute.
        pub code: String,
        pub state: Option<String>,
        /// The redirect URI with `code` and `state` appended.
        pub redirect_to: String,
    }
}

request_type! {
    pub struct TokenRequest {
        /// `authorization_code`.
        pub grant_type: String,
        pub code: String,
        pub code_verifier: String,
        pub client_id: String,
        pub redirect_uri: String,
    }
}
