//! The worker's one error type, and the only place that knows HTTP status codes.

use latchkey_core::api::ErrorBody;
use latchkey_core::compat::login_api;
use latchkey_core::Error as CoreError;
use worker::{console_error, Response};

use crate::http;

/// Everything a handler can fail with: an API error from core, or a platform failure
/// (D1, KV, the runtime), which clients only ever see as `INTERNAL_ERROR`.
#[derive(Debug)]
pub enum AppError {
    Api(CoreError),
    Platform(worker::Error),
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        AppError::Api(e)
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Platform(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// HTTP status for each core error.
pub fn status(e: &CoreError) -> u16 {
    match e {
        CoreError::InvalidRequest(_) | CoreError::InvalidField { .. } | CoreError::Fields(_) => 400,
        CoreError::Unauthorized
        | CoreError::InvalidCredentials
        | CoreError::InvalidMfaCode
        | CoreError::MfaTokenInvalid
        | CoreError::CodeRejected(_)
        | CoreError::InvalidRefreshToken => 401,
        CoreError::MfaRequired(_) => 403,
        CoreError::AccountDisabled
        | CoreError::AccountExpired
        | CoreError::NotRegistered
        | CoreError::EmailNotVerified
        | CoreError::PasswordChangeRequired(_) => 403,
        CoreError::Forbidden | CoreError::ForbiddenEncoded(_) | CoreError::OriginNotAllowed(_) => {
            403
        }
        CoreError::Conflict { .. } => 409,
        CoreError::OAuth { error, .. } => oauth_status(error),
        CoreError::RouteNotFound | CoreError::NotFound => 404,
        CoreError::MethodNotAllowed => 405,
        CoreError::PayloadTooLarge => 413,
        CoreError::UnsupportedMediaType => 415,
        CoreError::TooManyAttempts { .. } | CoreError::RateLimited { .. } => 429,
        CoreError::Internal(_) | CoreError::InternalCoded { .. } => 500,
        CoreError::Upstream { .. } => 502,
    }
}

/// The core error behind an answer; a detail that is for logs only is logged here, once.
fn logged(err: AppError, request_id: &str) -> CoreError {
    let core = match err {
        AppError::Api(e) => e,
        AppError::Platform(e) => CoreError::Internal(e.to_string()),
    };
    if let Some(detail) = core.log_detail() {
        console_error!("request {request_id}: {detail}");
    }
    core
}

/// The status of an OAuth error code (RFC 6749 §5.2, RFC 6750 §3.1).
fn oauth_status(error: &str) -> u16 {
    match error {
        "invalid_client" | "invalid_token" => 401,
        "insufficient_scope" | "access_denied" => 403,
        "server_error" => 500,
        _ => 400,
    }
}

/// Renders an error of the OpenID provider's endpoints in RFC 6749's shape (`error`,
/// `error_description`), with `WWW-Authenticate` where a credential was refused.
pub fn render_oauth(err: AppError, request_id: &str) -> worker::Result<Response> {
    let core = logged(err, request_id);
    let (error, status) = match &core {
        CoreError::OAuth { error, .. } => (*error, oauth_status(error)),
        CoreError::Internal(_) | CoreError::InternalCoded { .. } => ("server_error", 500),
        CoreError::Upstream { .. } => ("server_error", 502),
        CoreError::TooManyAttempts { .. } | CoreError::RateLimited { .. } => {
            ("temporarily_unavailable", 429)
        }
        // A request without credentials: a bare challenge (RFC 6750 §3.1).
        CoreError::Unauthorized => ("invalid_request", 401),
        e => ("invalid_request", status(e).clamp(400, 499)),
    };
    let description = match &core {
        CoreError::Internal(_) | CoreError::InternalCoded { .. } => "internal error".to_owned(),
        e => e.public_message(),
    };
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut resp = http::json(status, &body)?;
    match error {
        _ if core == CoreError::Unauthorized => resp
            .headers_mut()
            .set("www-authenticate", "Bearer realm=\"latchkey\"")?,
        "invalid_client" => resp
            .headers_mut()
            .set("www-authenticate", "Basic realm=\"latchkey\"")?,
        "invalid_token" | "insufficient_scope" => resp
            .headers_mut()
            .set("www-authenticate", &format!("Bearer error=\"{error}\""))?,
        _ => {}
    }
    with_retry_after(resp, &core)
}

/// The `Retry-After` an error asks for, in seconds.
fn retry_after(e: &CoreError) -> Option<u64> {
    match e {
        CoreError::TooManyAttempts { retry_after_secs }
        | CoreError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    }
}

/// Sets `Retry-After` on an error answer that asks for it.
fn with_retry_after(mut resp: Response, e: &CoreError) -> worker::Result<Response> {
    if let Some(secs) = retry_after(e) {
        resp.headers_mut().set("retry-after", &secs.to_string())?;
    }
    Ok(resp)
}

/// Renders an error in the common shape. Internal details are logged, never sent.
pub fn render(err: AppError, request_id: &str) -> worker::Result<Response> {
    let core = logged(err, request_id);
    let resp = http::json(status(&core), &ErrorBody::new(&core, request_id))?;
    with_retry_after(resp, &core)
}

/// HTTP status of seed 003's Login API for each core error: its own table (404 for bad
/// credentials, 409 for a disabled account, empty 401s).
pub fn login_api_status(e: &CoreError) -> u16 {
    match e {
        CoreError::InvalidRequest(_)
        | CoreError::InvalidField { .. }
        | CoreError::Fields(_)
        | CoreError::OAuth { .. }
        | CoreError::PayloadTooLarge => 400,
        CoreError::Unauthorized
        | CoreError::Forbidden
        | CoreError::ForbiddenEncoded(_)
        | CoreError::OriginNotAllowed(_)
        | CoreError::NotRegistered
        | CoreError::EmailNotVerified => 401,
        // An unknown user and a wrong password alike: no enumeration.
        CoreError::InvalidCredentials
        | CoreError::NotFound
        | CoreError::RouteNotFound
        | CoreError::MfaTokenInvalid
        | CoreError::CodeRejected(_)
        | CoreError::InvalidRefreshToken => 404,
        // Authenticated; the second factor comes next.
        CoreError::MfaRequired(_) => 242,
        CoreError::InvalidMfaCode => 421,
        CoreError::MethodNotAllowed => 405,
        CoreError::UnsupportedMediaType => 415,
        CoreError::AccountDisabled
        | CoreError::Conflict { .. }
        | CoreError::TooManyAttempts { .. }
        | CoreError::RateLimited { .. } => 409,
        CoreError::AccountExpired => 410,
        // Authenticated, but the password must change first.
        CoreError::PasswordChangeRequired(_) => 203,
        CoreError::Internal(_) | CoreError::InternalCoded { .. } => 500,
        CoreError::Upstream { .. } => 502,
    }
}

/// Renders an error of seed 003's Login API: its `Errors` object for 400, the blocking
/// action for 409, and an empty body otherwise (as the seed documents).
pub fn render_login_api(err: AppError, request_id: &str) -> worker::Result<Response> {
    let core = logged(err, request_id);
    match login_api_status(&core) {
        // Its Errors object, which names the code (`generalErrors`).
        status @ (400 | 415) => http::json(status, &login_api::errors_body(&core)),
        409 => match &core {
            CoreError::AccountDisabled => http::json(409, &login_api::locked_body()),
            CoreError::TooManyAttempts { retry_after_secs } => {
                let now = worker::Date::now().as_millis() as i64;
                let expiry = now + *retry_after_secs as i64 * 1000;
                let resp = http::json(409, &login_api::too_many_attempts_body(expiry))?;
                with_retry_after(resp, &core)
            }
            _ => Ok(Response::empty()?.with_status(409)),
        },
        242 => match &core {
            CoreError::MfaRequired(p) => http::json(242, &login_api::two_factor_body(p)),
            _ => Ok(Response::empty()?.with_status(242)),
        },
        203 => match &core {
            CoreError::PasswordChangeRequired(id) => {
                http::json(203, &serde_json::json!({ "changePasswordId": id }))
            }
            _ => Ok(Response::empty()?.with_status(203)),
        },
        status => Ok(Response::empty()?.with_status(status)),
    }
}
