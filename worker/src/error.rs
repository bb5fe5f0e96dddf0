//! The worker's one error type, and the only place that knows HTTP status codes.

use latchkey_core::api::ErrorBody;
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
        CoreError::InvalidRequest(_) | CoreError::InvalidField { .. } => 400,
        CoreError::Unauthorized
        | CoreError::InvalidCredentials
        | CoreError::InvalidRefreshToken => 401,
        CoreError::AccountDisabled => 403,
        CoreError::Forbidden => 403,
        CoreError::Conflict { .. } => 409,
        CoreError::RouteNotFound | CoreError::NotFound => 404,
        CoreError::MethodNotAllowed => 405,
        CoreError::PayloadTooLarge => 413,
        CoreError::Internal(_) => 500,
    }
}

/// Renders an error in the common shape. Internal details are logged, never sent.
pub fn render(err: AppError, request_id: &str) -> worker::Result<Response> {
    let core = match err {
        AppError::Api(e) => e,
        AppError::Platform(e) => CoreError::Internal(e.to_string()),
    };
    if let CoreError::Internal(detail) = &core {
        console_error!("request {request_id}: {detail}");
    }
    http::json(status(&core), &ErrorBody::new(&core, request_id))
}
