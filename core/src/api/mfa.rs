//! Multi-factor authentication: a login's second step, and the user's authenticators and
//! backup codes (seed 000's MFA operations).

use serde::{Deserialize, Serialize};

use super::auth::DeviceMeta;

request_type! {
    /// `POST /api/v1/auth/mfa/challenge` (seed 000's "initiate MFA").
    pub struct MfaChallengeRequest {
        pub mfa_token: String,
    }
}

api_type! {
    /// What an MFA token allows.
    pub struct MfaChallengeResponse {
        /// `totp`, and `backup_code` while the user has some left.
        pub methods: Vec<String>,
        /// The user must set up an authenticator first (`POST /api/v1/auth/mfa/enroll`).
        pub enrollment_required: bool,
        /// Seconds the token has left.
        pub expires_in: u32,
    }
}

request_type! {
    /// `POST /api/v1/auth/mfa/verify` (seed 000's "validate MFA token"): the second step.
    /// Exactly one of `code` (an authenticator app's) and `backup_code`.
    pub struct MfaVerifyRequest {
        pub mfa_token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub backup_code: Option<String>,
        /// Trust this device: the answer's `trust_token` skips the second factor at later
        /// logins, for the application's `mfa.trust_days`.
        #[serde(default)]
        pub trust_device: bool,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie, not in the body.
        #[serde(default)]
        pub cookie: bool,
        /// The application, for browser mode's cookie and CORS (the token knows its own).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_id: Option<String>,
    }
}

request_type! {
    /// `POST /api/v1/auth/mfa/enroll`: a user the policy requires to enrol starts, with the
    /// login's MFA token.
    pub struct MfaEnrollRequest {
        pub mfa_token: String,
        /// The application, for CORS: the token must be one of its logins.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_id: Option<String>,
    }
}

api_type! {
    /// A new authenticator app's secret, shown once: scan `qr_svg` or type `secret`, then
    /// confirm with a first code.
    pub struct TotpEnrollment {
        /// The pending authenticator's id.
        pub id: String,
        /// Base32, as authenticator apps take it typed.
        pub secret: String,
        /// The `otpauth://totp/...` URI the QR code holds.
        pub otpauth_uri: String,
        /// The QR code, an SVG document.
        pub qr_svg: String,
        pub algorithm: String,
        pub digits: u32,
        pub period: u32,
    }
}

request_type! {
    /// `POST /api/v1/mfa/totp/{authenticator_id}/confirm`.
    pub struct ConfirmTotpRequest {
        pub code: String,
    }
}

api_type! {
    /// A user's second factor (never its secret).
    pub struct AuthenticatorView {
        pub id: String,
        /// `totp`.
        #[serde(rename = "type")]
        pub kind: String,
        pub name: String,
        /// False until its first code confirmed it.
        pub confirmed: bool,
        pub created_at: String,
        pub last_used_at: Option<String>,
    }
}

api_type! {
    /// A confirmed authenticator, and the user's backup codes when this was their first
    /// factor (shown once).
    pub struct ConfirmedTotp {
        pub authenticator: AuthenticatorView,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub backup_codes: Option<Vec<String>>,
    }
}

api_type! {
    /// `GET /api/v1/mfa/authenticators` (seed 000's "list of authenticators").
    pub struct AuthenticatorList {
        pub authenticators: Vec<AuthenticatorView>,
        /// Whether logins ask for a second factor (a confirmed authenticator exists).
        pub mfa_enabled: bool,
        pub backup_codes_left: u32,
    }
}

request_type! {
    /// A fresh first factor, for removing a factor or replacing backup codes: the password
    /// (users without one: a session started in the last ten minutes).
    pub struct ReauthRequest {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub password: Option<String>,
    }
}

api_type! {
    /// New backup codes, shown once; the old ones no longer work.
    pub struct BackupCodes {
        pub backup_codes: Vec<String>,
    }
}
