//! Passwordless sign-in: a six-digit code or a single-use link sent by email (seed 000's
//! "magic auth code" and "magic link" operations).

use serde::{Deserialize, Serialize};

use super::auth::DeviceMeta;

request_type! {
    /// `POST /api/v1/auth/email-code` and `.../resend`: email a sign-in code. Answered the
    /// same whether an account has the address or not.
    pub struct EmailCodeRequest {
        pub client_id: String,
        pub email: String,
    }
}

api_type! {
    /// A code or link was sent, if the address is one that can sign in.
    pub struct CodeSent {
        /// Seconds the code or link works.
        pub expires_in: u32,
        /// Seconds before another may be asked for.
        pub resend_after: u32,
    }
}

request_type! {
    /// `POST /api/v1/auth/email-code/verify`: sign in with the code.
    pub struct VerifyEmailCodeRequest {
        pub client_id: String,
        pub email: String,
        pub code: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        /// Browser mode: the refresh token travels in an HttpOnly cookie.
        #[serde(default)]
        pub cookie: bool,
        /// A trusted device's token (skips the second factor while it lasts).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}

request_type! {
    /// `POST /api/v1/auth/magic-link` and `.../resend`: email a sign-in link. Answered the
    /// same whether an account has the address or not.
    pub struct MagicLinkRequest {
        pub client_id: String,
        pub email: String,
    }
}

api_type! {
    /// A link was sent, if the address is one that can sign in. The asking page keeps
    /// `pending_id` to itself and polls `.../status` with it: it is signed in once the link
    /// is approved, on any device.
    pub struct MagicLinkSent {
        pub pending_id: String,
        pub expires_in: u32,
        pub resend_after: u32,
    }
}

request_type! {
    /// The token from a link (the part after `#`).
    pub struct MagicLinkTokenRequest {
        pub token: String,
    }
}

api_type! {
    /// Who asked for a link, for its holder to approve or refuse.
    pub struct MagicLinkInfo {
        pub application: String,
        pub email: String,
        /// RFC 3339.
        pub requested_at: String,
        /// Browser and operating system of the asking device.
        pub device: String,
        pub location: String,
        pub ip: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/magic-link/verify`: the link's holder approves (or refuses) the
    /// sign-in it was sent for. Once, either way.
    pub struct VerifyMagicLinkRequest {
        pub token: String,
        #[serde(default = "approve_default")]
        pub approve: bool,
    }
}

fn approve_default() -> bool {
    true
}

api_type! {
    pub struct MagicLinkVerified {
        pub approved: bool,
        pub application: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/magic-link/status`: the asking page's poll.
    pub struct MagicLinkStatusRequest {
        pub client_id: String,
        pub pending_id: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        #[serde(default)]
        pub cookie: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}

api_type! {
    /// Not approved yet (202); approved, the answer is the login's tokens (200).
    pub struct MagicLinkPending {
        /// `pending`.
        pub status: String,
        pub expires_in: u32,
    }
}

request_type! {
    /// `POST /api/v1/auth/verify-email/send`: email a link to confirm the address (only an
    /// account whose address is not verified yet gets one; the answer is the same).
    pub struct SendVerificationRequest {
        pub client_id: String,
        pub email: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/verify-email`: the token from a confirmation link.
    pub struct VerifyEmailRequest {
        pub token: String,
    }
}

api_type! {
    /// The address is confirmed.
    pub struct EmailVerified {
        pub email: String,
        pub email_verified: bool,
    }
}

request_type! {
    /// `POST /api/v1/auth/password-reset`: email a link to choose a new password. Answered
    /// the same whether an account has the address or not.
    pub struct PasswordResetRequest {
        pub client_id: String,
        pub email: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/password-reset/verify`: the token from a reset link.
    pub struct PasswordResetTokenRequest {
        pub token: String,
    }
}

api_type! {
    /// The account a reset link is for.
    pub struct PasswordResetInfo {
        pub email: String,
        /// Seconds the link has left.
        pub expires_in: u32,
    }
}

request_type! {
    /// `POST /api/v1/auth/password-reset/complete`: the new password, with the link's token.
    pub struct CompletePasswordReset {
        pub token: String,
        pub password: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/not-me`: the token of a login alert's link.
    pub struct DisownLoginRequest {
        pub token: String,
    }
}

api_type! {
    /// The session a login alert was about is signed out.
    pub struct LoginDisowned {
        /// False when it had ended already.
        pub session_revoked: bool,
        /// The application signed into, for a password reset from the page.
        pub client_id: Option<String>,
    }
}

request_type! {
    /// `POST /api/v1/auth/sms-code` and `.../resend`: text a sign-in code to the number (in
    /// E.164 form) of an account. Answered the same whether an account has it or not.
    pub struct SmsCodeRequest {
        pub client_id: String,
        pub phone: String,
    }
}

request_type! {
    /// `POST /api/v1/auth/sms-code/verify`: sign in with the texted code.
    pub struct VerifySmsCodeRequest {
        pub client_id: String,
        pub phone: String,
        pub code: String,
        #[serde(default)]
        pub device: Option<DeviceMeta>,
        #[serde(default)]
        pub cookie: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trust_token: Option<String>,
    }
}
