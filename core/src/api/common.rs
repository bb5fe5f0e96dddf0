//! Pieces every area shares: the error body, health, JSON parsing and paging.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::Page;
use crate::Error;

/// Largest JSON body any endpoint accepts.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, such as `NOT_FOUND` or `INVALID_REQUEST`.
    pub error_code: String,
    /// Human-readable explanation.
    pub error_msg: String,
    /// Identifier of the request, also sent in the `x-request-id` header.
    pub request_id: String,
    /// Only with `PASSWORD_CHANGE_REQUIRED`: the one-time id for
    /// `POST /api/v1/auth/change-password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_password_id: Option<String>,
    /// Only with some `FORBIDDEN` answers (seed 002): why, encoded (base64url JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_authorization_message: Option<String>,
}

impl ErrorBody {
    pub fn new(error: &Error, request_id: &str) -> Self {
        ErrorBody {
            error_code: error.code().to_owned(),
            error_msg: error.public_message(),
            request_id: request_id.to_owned(),
            change_password_id: match error {
                Error::PasswordChangeRequired(id) => Some(id.clone()),
                _ => None,
            },
            encoded_authorization_message: match error {
                Error::ForbiddenEncoded(m) => Some(m.clone()),
                _ => None,
            },
        }
    }
}

/// State of one dependency in the health report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Error,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    /// `ok` when every dependency answered, `error` otherwise (served with status 503).
    pub status: CheckStatus,
    /// Latchkey's version.
    pub version: String,
    /// Result of a real query against D1.
    pub d1: CheckStatus,
    /// Result of a real read from KV.
    pub kv: CheckStatus,
}

impl Health {
    pub fn from_checks(d1: CheckStatus, kv: CheckStatus) -> Self {
        let status = if d1 == CheckStatus::Ok && kv == CheckStatus::Ok {
            CheckStatus::Ok
        } else {
            CheckStatus::Error
        };
        Health {
            status,
            version: crate::VERSION.to_owned(),
            d1,
            kv,
        }
    }
}

/// Parses a JSON request body into an API type. Every failure is an `INVALID_REQUEST`
/// naming what was wrong, never a panic or a 500.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    if body.len() > MAX_JSON_BODY {
        return Err(Error::PayloadTooLarge);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::InvalidRequest("the request body is empty".into()));
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "malformed JSON"
            }
            serde_json::error::Category::Data => "unexpected JSON content",
            serde_json::error::Category::Io => "unreadable body",
        };
        Error::InvalidRequest(format!("{what} at line {} column {}", e.line(), e.column()))
    })
}

// ---- paging --------------------------------------------------------------------------------

/// Default and maximum page sizes of the native list endpoints.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// Validates `limit` and `offset` query parameters: `limit` in 1..=100 (default 50),
/// `offset` a non-negative integer (default 0).
pub fn page(limit: Option<&str>, offset: Option<&str>) -> Result<Page, Error> {
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(Error::invalid_field(
                    "INVALID_LIMIT",
                    format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                ))
            }
        },
    };
    let offset = match offset {
        None => 0,
        Some(s) => s.parse::<u32>().map_err(|_| {
            Error::invalid_field("INVALID_OFFSET", "offset must be a non-negative integer")
        })?,
    };
    Ok(Page { limit, offset })
}

/// Deserialises a field that may be absent (no change), `null` (clear) or a value (set).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        name: String,
    }

    #[test]
    fn test_parse_json_accepts_valid_body() {
        let p: Probe = parse_json(br#"{"name":"acme"}"#).unwrap();
        assert_eq!(p.name, "acme");
    }

    #[test]
    fn test_parse_json_malformed_is_invalid_request() {
        for body in [&b"{"[..], b"{\"name\":}", b"not json", b"\xff\xfe"] {
            let err = parse_json::<Probe>(body).unwrap_err();
            assert_eq!(err.code(), "INVALID_REQUEST", "body {body:?}");
        }
    }

    #[test]
    fn test_parse_json_wrong_shape_names_the_problem() {
        let err = parse_json::<Probe>(br#"{"name": 7}"#).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.starts_with("unexpected JSON content"))
        );
        let err = parse_json::<Probe>(br#"{"name":"a","extra":1}"#).unwrap_err();
        assert_eq!(err.code(), "INVALID_REQUEST");
    }

    #[test]
    fn test_parse_json_empty_and_oversized() {
        assert_eq!(
            parse_json::<Probe>(b"  ").unwrap_err().code(),
            "INVALID_REQUEST"
        );
        let big = vec![b' '; MAX_JSON_BODY + 1];
        assert_eq!(
            parse_json::<Probe>(&big).unwrap_err(),
            Error::PayloadTooLarge
        );
    }

    #[test]
    fn test_health_status_follows_checks() {
        let h = Health::from_checks(CheckStatus::Ok, CheckStatus::Ok);
        assert_eq!(h.status, CheckStatus::Ok);
        assert_eq!(h.version, crate::VERSION);
        let h = Health::from_checks(CheckStatus::Ok, CheckStatus::Error);
        assert_eq!(h.status, CheckStatus::Error);
        let json =
            serde_json::to_value(Health::from_checks(CheckStatus::Error, CheckStatus::Ok)).unwrap();
        assert_eq!(json["d1"], "error");
        assert_eq!(json["kv"], "ok");
    }

    #[test]
    fn test_error_body_shape() {
        let body = ErrorBody::new(&Error::NotFound, "req-1");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["error_code"], "NOT_FOUND");
        assert_eq!(json["request_id"], "req-1");
        assert!(json["error_msg"].is_string());
    }
}
