//! The one error type of the core. Each variant has a stable `error_code`; the worker maps
//! variants to HTTP statuses in exactly one place (`worker/src/error.rs`).

use std::fmt;

/// One invalid field: its path (`loginId`, `metaData.device.type`), a code
/// (`[blank]loginId`), and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A login waiting for its second factor: what the client needs to continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaPending {
    /// The single-use MFA token that continues this login.
    pub token: String,
    /// What may be sent: `totp`, `backup_code`.
    pub methods: Vec<String>,
    /// The user has no factor and the policy requires one: enrol first, with this token.
    pub enrollment_required: bool,
    /// Seconds the token lasts.
    pub expires_in: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The request could not be understood: malformed JSON, a missing or ill-typed field.
    InvalidRequest(String),
    /// One field is invalid; `code` names it (`INVALID_EMAIL`, `INVALID_LIMIT`, ...).
    InvalidField { code: &'static str, message: String },
    /// Several fields are invalid, each with its own code (seed 003's `fieldErrors`).
    Fields(Vec<FieldError>),
    /// No endpoint has this path (or no static file, outside the API's namespace).
    RouteNotFound,
    /// No such resource, or one the caller may not see: the two read the same.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The request body exceeds what the endpoint accepts.
    PayloadTooLarge,
    /// A request body that is not declared `application/json`.
    UnsupportedMediaType,
    /// Missing or invalid credentials.
    Unauthorized,
    /// A login with an unknown login id or a wrong password: the two read the same.
    InvalidCredentials,
    /// The right password for an account that may not log in.
    AccountDisabled,
    /// The right password for an account past its expiry.
    AccountExpired,
    /// The right password, for an application the user is not registered for.
    NotRegistered,
    /// The right password, but the application requires a verified email first.
    EmailNotVerified,
    /// Too many failed attempts: try again after this many seconds (brute-force protection).
    TooManyAttempts { retry_after_secs: u64 },
    /// The right password, but it must be changed before any session starts; the id is the
    /// one-time credential for the change.
    PasswordChangeRequired(String),
    /// The first factor was right; the login continues with a second one (or, where the
    /// policy requires MFA and the user has none, with enrolling one).
    MfaRequired(MfaPending),
    /// A second-factor code that is wrong, or was used already.
    InvalidMfaCode,
    /// An MFA token that is unknown, used, expired, or out of tries: log in again.
    MfaTokenInvalid,
    /// A refresh token that is unknown, spent, expired, or whose session is over.
    InvalidRefreshToken,
    /// A sign-in code or link that was refused; the code says why: `INVALID_CODE` (wrong),
    /// `CODE_EXPIRED` (expired, unknown, or out of tries), `CODE_USED`, `LINK_DENIED` (the
    /// link's holder said the request was not theirs).
    CodeRejected(&'static str),
    /// Too many messages asked for (a resend before its cooldown, an hourly cap): try again
    /// after this many seconds.
    RateLimited { retry_after_secs: u64 },
    /// A browser request from an origin the application does not list in its
    /// `allowed_origins` (the origin is named, so the message says what to add).
    OriginNotAllowed(String),
    /// Valid credentials that do not grant this operation.
    Forbidden,
    /// Forbidden, with the encoded explanation seed 002 documents
    /// (`encoded_authorization_message`).
    ForbiddenEncoded(String),
    /// The resource would collide with an existing one; `code` says which (`EMAIL_TAKEN`, ...).
    Conflict { code: &'static str, message: String },
    /// A dependency (database, cache) failed. The detail is for logs, never for clients.
    Internal(String),
    /// An internal failure that an endpoint documents under its own code
    /// (`HISTORY_FETCH_FAILED`).
    InternalCoded { code: &'static str, detail: String },
    /// A service Latchkey calls on the caller's behalf (an identity provider) failed or
    /// answered what it must not: `code` says which (`SSO_PROVIDER_FAILED`). The detail is
    /// for logs, never for clients.
    Upstream { code: &'static str, detail: String },
    /// An OAuth 2.0 error (RFC 6749 §5.2, RFC 6750 §3.1), answered in that standard's shape
    /// on the OpenID provider's endpoints: `error` is the registered code (`invalid_grant`,
    /// `invalid_client`, `invalid_token`, ...).
    OAuth {
        error: &'static str,
        description: String,
    },
}

impl Error {
    pub fn invalid_field(code: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidField {
            code,
            message: message.into(),
        }
    }

    pub fn oauth(error: &'static str, description: impl Into<String>) -> Self {
        Error::OAuth {
            error,
            description: description.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The stable, machine-readable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidRequest(_) | Error::Fields(_) => "INVALID_REQUEST",
            Error::InvalidField { code, .. }
            | Error::Conflict { code, .. }
            | Error::InternalCoded { code, .. }
            | Error::Upstream { code, .. } => code,
            Error::OAuth { error, .. } => error,
            Error::RouteNotFound => "ROUTE_NOT_FOUND",
            Error::NotFound => "NOT_FOUND",
            Error::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Error::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Error::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Error::Unauthorized => "UNAUTHORIZED",
            Error::InvalidCredentials => "INVALID_CREDENTIALS",
            Error::AccountDisabled => "ACCOUNT_DISABLED",
            Error::AccountExpired => "ACCOUNT_EXPIRED",
            Error::NotRegistered => "NOT_REGISTERED",
            Error::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Error::TooManyAttempts { .. } => "TOO_MANY_ATTEMPTS",
            Error::PasswordChangeRequired(_) => "PASSWORD_CHANGE_REQUIRED",
            Error::MfaRequired(p) if p.enrollment_required => "MFA_ENROLLMENT_REQUIRED",
            Error::MfaRequired(_) => "MFA_REQUIRED",
            Error::InvalidMfaCode => "INVALID_MFA_CODE",
            Error::MfaTokenInvalid => "MFA_TOKEN_INVALID",
            Error::InvalidRefreshToken => "INVALID_REFRESH_TOKEN",
            Error::CodeRejected(code) => code,
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::OriginNotAllowed(_) => "ORIGIN_NOT_ALLOWED",
            Error::Forbidden | Error::ForbiddenEncoded(_) => "FORBIDDEN",
            Error::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// The detail of the kinds whose detail is for logs only (internal and upstream
    /// failures); `None` for the others, whose message says it all.
    pub fn log_detail(&self) -> Option<&str> {
        match self {
            Error::Internal(detail)
            | Error::InternalCoded { detail, .. }
            | Error::Upstream { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// The human-readable message shown to clients. Internal details never leak here.
    pub fn public_message(&self) -> String {
        match self {
            Error::InvalidRequest(detail) => format!("Invalid request: {detail}"),
            Error::Fields(list) => list
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Error::InvalidField { message, .. } | Error::Conflict { message, .. } => {
                message.clone()
            }
            Error::OAuth { description, .. } => description.clone(),
            Error::RouteNotFound => "No endpoint or page has this path.".to_owned(),
            Error::NotFound => "The requested resource was not found.".to_owned(),
            Error::MethodNotAllowed => "This method is not allowed on this resource.".to_owned(),
            Error::PayloadTooLarge => "The request body is too large.".to_owned(),
            Error::UnsupportedMediaType => {
                "The request body must be JSON, sent as Content-Type: application/json.".to_owned()
            }
            Error::Unauthorized => "Authentication is required.".to_owned(),
            Error::InvalidCredentials => "The login id or the password is incorrect.".to_owned(),
            Error::AccountDisabled => "This account is disabled.".to_owned(),
            Error::AccountExpired => "This account has expired.".to_owned(),
            Error::NotRegistered => {
                "This account is not registered for this application.".to_owned()
            }
            Error::EmailNotVerified => {
                "Confirm your email address first: open the link sent to it.".to_owned()
            }
            Error::TooManyAttempts { retry_after_secs } => {
                format!("Too many failed attempts; try again in {retry_after_secs} seconds.")
            }
            Error::PasswordChangeRequired(_) => {
                "The password must be changed before logging in; use change_password_id.".to_owned()
            }
            Error::MfaRequired(p) if p.enrollment_required => {
                "This application requires a second factor: set up an authenticator app with the mfa_token, then send its code.".to_owned()
            }
            Error::MfaRequired(_) => {
                "A second factor is required: send a code with the mfa_token.".to_owned()
            }
            Error::InvalidMfaCode => "The code is not valid.".to_owned(),
            Error::MfaTokenInvalid => {
                "The MFA token is unknown, used or expired; log in again.".to_owned()
            }
            Error::InvalidRefreshToken => "The refresh token is not valid.".to_owned(),
            Error::CodeRejected("INVALID_CODE") => "The code is not valid.".to_owned(),
            Error::CodeRejected("CODE_USED") => {
                "This code or link was used already; ask for a new one.".to_owned()
            }
            Error::CodeRejected("LINK_DENIED") => {
                "The sign-in was refused from the link in the email.".to_owned()
            }
            Error::CodeRejected(_) => {
                "This code or link has expired or is not valid; ask for a new one.".to_owned()
            }
            Error::RateLimited { retry_after_secs } => {
                format!("Too many requests; try again in {retry_after_secs} seconds.")
            }
            Error::OriginNotAllowed(origin) => format!(
                "This application does not allow requests from {origin}: add it to the application's allowed_origins."
            ),
            Error::Forbidden | Error::ForbiddenEncoded(_) => {
                "These credentials do not allow this operation.".to_owned()
            }
            Error::Internal(_) | Error::InternalCoded { .. } => {
                "An internal error occurred.".to_owned()
            }
            Error::Upstream { .. } => {
                "A service this request depends on failed; try again later.".to_owned()
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.log_detail() {
            Some(detail) => write!(f, "{}: {detail}", self.code()),
            None => write!(f, "{}: {}", self.code(), self.public_message()),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_error_codes_are_stable_and_distinct() {
        let all = [
            Error::InvalidRequest("x".into()),
            Error::invalid_field("INVALID_EMAIL", "bad"),
            Error::RouteNotFound,
            Error::NotFound,
            Error::MethodNotAllowed,
            Error::PayloadTooLarge,
            Error::UnsupportedMediaType,
            Error::Unauthorized,
            Error::Forbidden,
            Error::conflict("EMAIL_TAKEN", "taken"),
            Error::CodeRejected("CODE_USED"),
            Error::RateLimited {
                retry_after_secs: 3,
            },
            Error::Internal("db down".into()),
        ];
        let codes: Vec<_> = all.iter().map(Error::code).collect();
        assert_eq!(
            codes,
            [
                "INVALID_REQUEST",
                "INVALID_EMAIL",
                "ROUTE_NOT_FOUND",
                "NOT_FOUND",
                "METHOD_NOT_ALLOWED",
                "PAYLOAD_TOO_LARGE",
                "UNSUPPORTED_MEDIA_TYPE",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "EMAIL_TAKEN",
                "CODE_USED",
                "RATE_LIMITED",
                "INTERNAL_ERROR"
            ]
        );
    }

    #[test]
    fn test_error_internal_detail_never_in_public_message() {
        let e = Error::Internal("SQLITE_BUSY on users table".into());
        assert!(!e.public_message().contains("SQLITE"));
        assert!(
            e.to_string().contains("SQLITE_BUSY"),
            "detail kept for logs"
        );
        let e = crate::authn::sso::upstream::failed("https://idp.example answered 503 secret");
        assert_eq!(e.code(), "SSO_PROVIDER_FAILED");
        assert!(!e.public_message().contains("idp.example"));
        assert!(
            e.to_string().contains("answered 503"),
            "detail kept for logs"
        );
    }
}
