//! Wire types of the native API (`/api/v1`, JSON, snake_case), shared by the worker and the
//! SDK so that client and server cannot drift.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

// ---- shared pieces ------------------------------------------------------------------------

use crate::model::{ApiKey, Application, Organization, Page, Permission, Role, User};
pub use crate::model::{LoginMethod, UserStatus};
use crate::time::rfc3339;

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
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

macro_rules! api_type {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        pub struct $name { $($body)* }
    };
}

/// Request bodies refuse unknown fields, so a typo is an error rather than silently ignored.
macro_rules! request_type {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name { $($body)* }
    };
}

// ---- organizations ------------------------------------------------------------------------

request_type! {
    pub struct CreateOrganization {
        pub name: String,
        #[serde(default)]
        pub custom_domain: Option<String>,
    }
}

request_type! {
    /// Absent fields are left as they are; `custom_domain: null` removes the domain.
    pub struct UpdateOrganization {
        #[serde(default)]
        pub name: Option<String>,
                #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub custom_domain: Option<Option<String>>,
        /// Days login records are kept (1 to 3650; 90 by default).
        #[serde(default)]
        pub retention_days: Option<u32>,
    }
}

api_type! {
    pub struct OrganizationView {
        pub id: String,
        pub name: String,
                pub custom_domain: Option<String>,
        pub retention_days: u32,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        OrganizationView {
            id: o.id.clone(),
            name: o.name.clone(),
            custom_domain: o.custom_domain.clone(),
            retention_days: o.retention_days,
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
        }
    }
}

api_type! {
    /// A new organization and its first API key, whose `key` is shown only here.
    pub struct CreatedOrganization {
        pub organization: OrganizationView,
        pub api_key: CreatedApiKey,
    }
}

api_type! {
    pub struct OrganizationList {
        pub organizations: Vec<OrganizationView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

api_type! {
    pub struct UserOrganizations {
        pub organizations: Vec<OrganizationView>,
    }
}

// ---- API keys -----------------------------------------------------------------------------

request_type! {
    pub struct CreateApiKey {
        pub name: String,
        /// Permission names (`users:read`, ...) to restrict the key to; absent or `null` for
        /// every permission the caller holds. A key never grants more than its creator's.
        #[serde(default)]
        pub permissions: Option<Vec<String>>,
    }
}

api_type! {
    pub struct ApiKeyView {
        pub id: String,
        pub name: String,
        /// Public part of the key (`lk_<prefix>_...`), to recognise it.
        pub prefix: String,
        /// Permission names, or `null` for all.
        pub permissions: Option<Vec<String>>,
        pub created_at: String,
        pub revoked_at: Option<String>,
    }
}

impl From<&ApiKey> for ApiKeyView {
    fn from(k: &ApiKey) -> Self {
        ApiKeyView {
            id: k.id.clone(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            permissions: k.permissions.clone(),
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

api_type! {
    /// A new API key. `key` is shown once: only its hash is stored.
    pub struct CreatedApiKey {
        pub id: String,
        pub name: String,
        pub prefix: String,
        pub permissions: Option<Vec<String>>,
        pub created_at: String,
        pub key: String,
    }
}

api_type! {
    pub struct ApiKeyList {
        pub api_keys: Vec<ApiKeyView>,
    }
}

// ---- applications -------------------------------------------------------------------------

request_type! {
    pub struct CreateApplication {
        pub name: String,
        #[serde(default)]
        pub allowed_origins: Vec<String>,
        #[serde(default)]
        pub redirect_uris: Vec<String>,
        #[serde(default)]
        pub access_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub refresh_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub login_methods: Option<Vec<LoginMethod>>,
    }
}

request_type! {
    pub struct UpdateApplication {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub allowed_origins: Option<Vec<String>>,
        #[serde(default)]
        pub redirect_uris: Option<Vec<String>>,
        #[serde(default)]
        pub access_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub refresh_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub login_methods: Option<Vec<LoginMethod>>,
    }
}

api_type! {
    pub struct ApplicationView {
        pub id: String,
        pub organization_id: String,
        pub name: String,
        pub client_id: String,
        pub allowed_origins: Vec<String>,
        pub redirect_uris: Vec<String>,
        pub access_token_ttl_secs: u32,
        pub refresh_token_ttl_secs: u32,
        pub login_methods: Vec<LoginMethod>,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id.clone(),
            organization_id: a.organization_id.clone(),
            name: a.name.clone(),
            client_id: a.client_id.clone(),
            allowed_origins: a.allowed_origins.clone(),
            redirect_uris: a.redirect_uris.clone(),
            access_token_ttl_secs: a.access_token_ttl_secs,
            refresh_token_ttl_secs: a.refresh_token_ttl_secs,
            login_methods: a.login_methods.clone(),
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

api_type! {
    pub struct ApplicationList {
        pub applications: Vec<ApplicationView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

// ---- public configuration -----------------------------------------------------------------

api_type! {
    pub struct PublicOrganization {
        pub id: String,
        pub name: String,
    }
}

api_type! {
    /// What a login page needs to know about an application. Nothing secret.
    pub struct PublicApplication {
        pub id: String,
        pub name: String,
        pub client_id: String,
        pub allowed_origins: Vec<String>,
        pub redirect_uris: Vec<String>,
        pub login_methods: Vec<LoginMethod>,
    }
}

impl From<&Application> for PublicApplication {
    fn from(a: &Application) -> Self {
        PublicApplication {
            id: a.id.clone(),
            name: a.name.clone(),
            client_id: a.client_id.clone(),
            allowed_origins: a.allowed_origins.clone(),
            redirect_uris: a.redirect_uris.clone(),
            login_methods: a.login_methods.clone(),
        }
    }
}

impl From<&Organization> for PublicOrganization {
    fn from(o: &Organization) -> Self {
        PublicOrganization {
            id: o.id.clone(),
            name: o.name.clone(),
        }
    }
}

api_type! {
    pub struct ClientConfig {
        pub organization: PublicOrganization,
        pub application: PublicApplication,
    }
}

api_type! {
    pub struct DomainConfig {
        pub organization: PublicOrganization,
        pub custom_domain: String,
        pub applications: Vec<PublicApplication>,
    }
}

// ---- users --------------------------------------------------------------------------------

request_type! {
    pub struct CreateUser {
        pub email: String,
        #[serde(default)]
        pub password: Option<String>,
        #[serde(default)]
        pub username: Option<String>,
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub email_verified: bool,
        #[serde(default)]
        pub password_change_required: bool,
        /// RFC 3339; the account may not log in from then on.
        #[serde(default)]
        pub expires_at: Option<String>,
    }
}

request_type! {
    /// Absent fields are left as they are; `username: null` and `name: null` clear them.
    pub struct UpdateUser {
        #[serde(default)]
        pub email: Option<String>,
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub username: Option<Option<String>>,
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub name: Option<Option<String>>,
        #[serde(default)]
        pub status: Option<UserStatus>,
        #[serde(default)]
        pub password: Option<String>,
        #[serde(default)]
        pub password_change_required: Option<bool>,
        /// RFC 3339, or `null` to remove the expiry.
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub expires_at: Option<Option<String>>,
    }
}

request_type! {
    pub struct SetEmailVerified {
        pub email_verified: bool,
    }
}

request_type! {
    pub struct SetUserRoles {
        pub role_ids: Vec<String>,
    }
}

api_type! {
    pub struct UserView {
        pub id: String,
        pub organization_id: String,
        pub email: String,
        pub username: Option<String>,
        pub name: Option<String>,
        pub email_verified: bool,
        pub status: UserStatus,
        pub has_password: bool,
        pub password_change_required: bool,
        pub expires_at: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            organization_id: u.organization_id.clone(),
            email: u.email.clone(),
            username: u.username.clone(),
            name: u.name.clone(),
            email_verified: u.email_verified,
            status: u.status,
            has_password: u.password_hash.is_some(),
            password_change_required: u.password_change_required,
            expires_at: u.expires_at.map(rfc3339),
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
        }
    }
}

api_type! {
    pub struct UserList {
        pub users: Vec<UserView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

api_type! {
    pub struct UserRoles {
        pub roles: Vec<RoleView>,
    }
}

// ---- roles and permissions ----------------------------------------------------------------

request_type! {
    pub struct CreateRole {
        pub name: String,
        #[serde(default)]
        pub description: String,
        #[serde(default)]
        pub permission_ids: Vec<String>,
    }
}

request_type! {
    pub struct UpdateRole {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub description: Option<String>,
        #[serde(default)]
        pub permission_ids: Option<Vec<String>>,
    }
}

api_type! {
    pub struct RoleView {
        pub id: String,
        pub name: String,
        pub description: String,
        pub permission_ids: Vec<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Role> for RoleView {
    fn from(r: &Role) -> Self {
        RoleView {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            permission_ids: r.permission_ids.clone(),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

api_type! {
    pub struct RoleList {
        pub roles: Vec<RoleView>,
    }
}

request_type! {
    pub struct CreatePermission {
        pub name: String,
        #[serde(default)]
        pub description: String,
    }
}

request_type! {
    pub struct UpdatePermission {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub description: Option<String>,
    }
}

api_type! {
    pub struct PermissionView {
        pub id: String,
        pub name: String,
        pub description: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Permission> for PermissionView {
    fn from(p: &Permission) -> Self {
        PermissionView {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

api_type! {
    pub struct PermissionList {
        pub permissions: Vec<PermissionView>,
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn test_page_defaults_and_bounds() {
        assert_eq!(
            page(None, None).unwrap(),
            Page {
                limit: 50,
                offset: 0
            }
        );
        assert_eq!(
            page(Some("100"), Some("7")).unwrap(),
            Page {
                limit: 100,
                offset: 7
            }
        );
        for bad in ["0", "101", "-1", "abc", "", "1.5"] {
            assert_eq!(
                page(Some(bad), None).unwrap_err().code(),
                "INVALID_LIMIT",
                "{bad}"
            );
        }
        for bad in ["-1", "x", ""] {
            assert_eq!(
                page(None, Some(bad)).unwrap_err().code(),
                "INVALID_OFFSET",
                "{bad}"
            );
        }
    }

    #[test]
    fn test_update_nullable_fields() {
        let u: UpdateUser = parse_json(br#"{"name": null}"#).unwrap();
        assert_eq!(u.name, Some(None));
        assert_eq!(u.username, None);
        let u: UpdateUser = parse_json(br#"{"name": "Ann"}"#).unwrap();
        assert_eq!(u.name, Some(Some("Ann".into())));
        assert!(parse_json::<UpdateUser>(br#"{"nmae": "Ann"}"#).is_err());
    }
}

// ---- login, tokens, sessions --------------------------------------------------------------

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
    }
}

api_type! {
    pub struct LogoutResponse {
        /// Sessions revoked.
        pub revoked: u32,
    }
}

impl TokenResponse {
    pub fn new(session_id: &str, tokens: crate::login::Issued, user: Option<UserView>) -> Self {
        TokenResponse {
            access_token: tokens.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: tokens.expires_in,
            refresh_token: Some(tokens.refresh_token),
            session_id: session_id.to_owned(),
            user,
            csrf_token: None,
        }
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

api_type! {
    pub struct SessionView {
        pub id: String,
        pub user_id: String,
        pub application_id: Option<String>,
        pub created_at: String,
        pub last_active_at: String,
        pub expires_at: String,
        pub ip: Option<String>,
        pub country: Option<String>,
        pub region: Option<String>,
        pub city: Option<String>,
                pub user_agent: Option<String>,
        /// Parsed from the user agent.
        pub browser: Option<String>,
        pub os: Option<String>,
        /// `desktop`, `mobile`, `tablet` or `bot`, parsed from the user agent.
        pub device: Option<String>,
        /// As the client named and typed its device.
        pub device_name: Option<String>,
        pub device_type: Option<String>,
        pub methods: Vec<String>,
        /// True for the session the request was made with.
        pub current: bool,
    }
}

impl SessionView {
    pub fn new(s: &crate::model::Session, current: bool) -> Self {
        let agent = crate::ua::parse(s.client.user_agent.as_deref().unwrap_or(""));
        SessionView {
            id: s.id.clone(),
            user_id: s.user_id.clone(),
            application_id: s.application_id.clone(),
            created_at: rfc3339(s.created_at),
            last_active_at: rfc3339(s.last_active_at),
            expires_at: rfc3339(s.expires_at),
            ip: s.client.ip.clone(),
            country: s.client.country.clone(),
            region: s.client.region.clone(),
            city: s.client.city.clone(),
            user_agent: s.client.user_agent.clone(),
            browser: agent.browser.map(|b| match agent.browser_version {
                Some(v) => format!("{b} {v}"),
                None => b,
            }),
            os: agent.os.map(|o| match agent.os_version {
                Some(v) => format!("{o} {v}"),
                None => o,
            }),
            device: agent.device.map(|d| d.as_str().to_owned()),
            device_name: s.client.device_name.clone(),
            device_type: s.client.device_type.clone(),
            methods: s.methods.clone(),
            current,
        }
    }
}

api_type! {
    pub struct SessionList {
        pub sessions: Vec<SessionView>,
    }
}

api_type! {
    pub struct RegistrationView {
        pub application_id: String,
        pub created_at: String,
    }
}

api_type! {
    pub struct RegistrationList {
        pub registrations: Vec<RegistrationView>,
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
