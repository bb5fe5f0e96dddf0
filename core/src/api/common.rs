//! Pieces every area shares: the error body, health, JSON parsing and paging.

use serde::de::{DeserializeOwned, Deserializer, Visitor};
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
    /// Only with `MFA_REQUIRED` and `MFA_ENROLLMENT_REQUIRED`: the single-use token that
    /// continues the login (`POST /api/v1/auth/mfa/verify`), valid `mfa_expires_in` seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// With `mfa_token`: the second factors the user may send (`totp`, `backup_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_expires_in: Option<u32>,
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
            mfa_token: match error {
                Error::MfaRequired(p) => Some(p.token.clone()),
                _ => None,
            },
            mfa_methods: match error {
                Error::MfaRequired(p) => Some(p.methods.clone()),
                _ => None,
            },
            mfa_expires_in: match error {
                Error::MfaRequired(p) => Some(p.expires_in),
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

/// How much of a body refused as too large is still read and thrown away (never kept), so
/// that the client's connection stays usable for its next request, as HTTP servers commonly
/// do; past it, reading stops and the connection is given up.
pub const DRAIN_MAX: usize = 4 * MAX_JSON_BODY;

/// What a request's declared `Content-Length` says, before any of its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// No header (a chunked body, capped while it is read by [`BoundedBody`]) or at most
    /// [`MAX_JSON_BODY`].
    Fits,
    /// Over [`MAX_JSON_BODY`]: `PAYLOAD_TOO_LARGE`. `drain` when it is small enough to read
    /// and throw away ([`DRAIN_MAX`]); otherwise the body is not read at all.
    TooLarge { drain: bool },
}

/// Checks a request's declared `Content-Length` before any of its body is read; a value
/// that is not a length is `INVALID_REQUEST`.
pub fn check_content_length(header: Option<&str>) -> Result<Declared, Error> {
    let Some(v) = header.map(str::trim) else {
        return Ok(Declared::Fits);
    };
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidRequest(
            "Content-Length is not a length".into(),
        ));
    }
    // All digits: a parse failure can only be an overflow, which is too large too.
    Ok(match v.parse::<u64>() {
        Ok(n) if n <= MAX_JSON_BODY as u64 => Declared::Fits,
        Ok(n) => Declared::TooLarge {
            drain: n <= DRAIN_MAX as u64,
        },
        Err(_) => Declared::TooLarge { drain: false },
    })
}

/// A request body read chunk by chunk that keeps at most `max` bytes: past them it keeps
/// nothing more, lets the reader drain up to [`DRAIN_MAX`] bytes in all, and then tells it to
/// stop, so no client makes the worker buffer (or wait for) more than that.
#[derive(Debug, Default)]
pub struct BoundedBody {
    bytes: Vec<u8>,
    max: usize,
    seen: usize,
}

impl BoundedBody {
    pub fn new(max: usize) -> Self {
        BoundedBody {
            bytes: Vec::new(),
            max,
            seen: 0,
        }
    }

    /// Takes the next chunk. `Err(PAYLOAD_TOO_LARGE)` means: stop reading now.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.seen = self.seen.saturating_add(chunk.len());
        if self.seen <= self.max {
            self.bytes.extend_from_slice(chunk);
            Ok(())
        } else if self.seen <= DRAIN_MAX.max(self.max) {
            Ok(())
        } else {
            Err(Error::PayloadTooLarge)
        }
    }

    /// The body, or `PAYLOAD_TOO_LARGE` if it passed the limit.
    pub fn into_bytes(self) -> Result<Vec<u8>, Error> {
        if self.seen > self.max {
            return Err(Error::PayloadTooLarge);
        }
        Ok(self.bytes)
    }
}

/// True when a `Content-Type` names JSON: `application/json`, in any case, with or without
/// parameters (`; charset=utf-8`).
pub fn is_json_content_type(header: Option<&str>) -> bool {
    header.is_some_and(|v| {
        let media = v.split(';').next().unwrap_or_default().trim();
        media.eq_ignore_ascii_case("application/json")
    })
}

/// Parses a request's JSON body: a body that is not declared `application/json` is
/// `UNSUPPORTED_MEDIA_TYPE` (so a cross-site form or a "simple" request, which cannot send
/// that type without a CORS preflight, is never processed), then [`parse_json`]. An empty body
/// is `INVALID_REQUEST` whatever its type.
pub fn parse_json_request<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, Error> {
    let blank = body.iter().all(u8::is_ascii_whitespace);
    if !blank && !is_json_content_type(content_type) {
        return Err(Error::UnsupportedMediaType);
    }
    parse_json(body)
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
    from_json(body).map_err(|e| {
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

/// `serde_json::from_slice`, except that a struct is read only from a JSON object
/// (`ObjectsOnly`, below): every JSON document the service reads (request bodies, stored
/// columns, providers' answers) goes through here.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(ObjectsOnly(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A deserializer that reads a struct only from a JSON object. serde_json also takes an
/// array of a struct's fields in order, which no client of this API sends, and which made
/// every body type's decoder twice as long in the worker's `.wasm`. Only the body's own type
/// goes through here; the types nested in it are read as serde_json reads them.
struct ObjectsOnly<D>(D);

macro_rules! forward_to_inner {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(
            self,
            $($arg: $ty,)*
            visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
    type Error = D::Error;

    forward_to_inner! {
        deserialize_any() deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32()
        deserialize_i64() deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32()
        deserialize_u64() deserialize_u128() deserialize_f32() deserialize_f64() deserialize_char()
        deserialize_str() deserialize_string() deserialize_bytes() deserialize_byte_buf()
        deserialize_option() deserialize_unit() deserialize_seq() deserialize_map()
        deserialize_identifier() deserialize_ignored_any()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

// ---- paging --------------------------------------------------------------------------------

/// Default and maximum page sizes of the native list endpoints.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;
/// Largest `offset` (it is a `u32`).
pub const MAX_OFFSET: u32 = u32::MAX;

/// Validates `limit` and `offset` query parameters: `limit` in 1..=[`MAX_LIMIT`] (default
/// [`DEFAULT_LIMIT`]), `offset` in 0..=[`MAX_OFFSET`] (default 0).
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
        // A u32: MAX_OFFSET is u32::MAX.
        Some(s) => s.parse::<u32>().map_err(|_| {
            Error::invalid_field(
                "INVALID_OFFSET",
                format!("offset must be an integer from 0 to {MAX_OFFSET}"),
            )
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
        // A struct is an object: serde_json would take its fields as an array too.
        assert!(serde_json::from_slice::<Probe>(br#"["acme"]"#).is_ok());
        let err = parse_json::<Probe>(br#"["acme"]"#).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.starts_with("unexpected JSON content")),
            "{err:?}"
        );
        // Trailing content after the body is refused, as serde_json::from_slice refuses it.
        let err = parse_json::<Probe>(br#"{"name":"a"} {"#).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.starts_with("malformed JSON")),
            "{err:?}"
        );
        let p: Probe = parse_json(b" {\"name\":\"a\"}\n ").unwrap();
        assert_eq!(p.name, "a");
    }

    #[test]
    fn test_json_bodies_need_the_json_content_type() {
        let body = br#"{"name":"acme"}"#;
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=\"utf-8\"",
            " application/json ",
        ] {
            let p: Probe = parse_json_request(Some(ok), body).unwrap();
            assert_eq!(p.name, "acme", "{ok}");
        }
        for bad in [
            None,
            Some(""),
            Some("text/plain"),
            Some("text/plain;charset=UTF-8"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
            Some("application/json-patch+json"),
            Some("text/json"),
        ] {
            assert_eq!(
                parse_json_request::<Probe>(bad, body),
                Err(Error::UnsupportedMediaType),
                "{bad:?}"
            );
        }
        // An empty body says so, whatever its type.
        assert_eq!(
            parse_json_request::<Probe>(Some("text/plain"), b" ")
                .unwrap_err()
                .code(),
            "INVALID_REQUEST"
        );
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
    fn test_content_length_is_checked_before_reading() {
        assert_eq!(check_content_length(None), Ok(Declared::Fits));
        assert_eq!(check_content_length(Some("0")), Ok(Declared::Fits));
        assert_eq!(check_content_length(Some(" 65536 ")), Ok(Declared::Fits));
        assert_eq!(
            check_content_length(Some("65537")),
            Ok(Declared::TooLarge { drain: true })
        );
        assert_eq!(
            check_content_length(Some(&DRAIN_MAX.to_string())),
            Ok(Declared::TooLarge { drain: true })
        );
        for big in ["262145", "10000000", "99999999999999999999999999"] {
            assert_eq!(
                check_content_length(Some(big)),
                Ok(Declared::TooLarge { drain: false }),
                "{big}"
            );
        }
        for bad in ["", "-1", "1e9", "12, 12", "0x10", "+5"] {
            assert_eq!(
                check_content_length(Some(bad)).unwrap_err().code(),
                "INVALID_REQUEST",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn test_bounded_body_keeps_the_limit_drains_a_little_then_stops() {
        let mut b = BoundedBody::new(10);
        b.push(b"12345").unwrap();
        b.push(b"").unwrap();
        b.push(b"67890").unwrap();
        assert_eq!(b.into_bytes().unwrap(), b"1234567890");

        // 32 MiB offered in 16 KiB chunks: 64 KiB kept, reading stops past DRAIN_MAX.
        let mut b = BoundedBody::new(MAX_JSON_BODY);
        let chunk = vec![b' '; 16 * 1024];
        let mut read = 0;
        for _ in 0..2048 {
            if b.push(&chunk).is_err() {
                break;
            }
            read += chunk.len();
        }
        assert_eq!(read, DRAIN_MAX);
        assert_eq!(b.bytes.len(), MAX_JSON_BODY, "nothing kept past the limit");
        assert_eq!(b.into_bytes(), Err(Error::PayloadTooLarge));

        // One byte over, drained to the end: still refused.
        let mut b = BoundedBody::new(MAX_JSON_BODY);
        b.push(&vec![b' '; MAX_JSON_BODY + 1]).unwrap();
        assert_eq!(b.into_bytes(), Err(Error::PayloadTooLarge));
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
