//! Seed 003's Login API, wire-compatible: camelCase bodies, its `Errors` object, its user
//! shape, and its status codes. The work is done by [`crate::authn`], [`crate::login`] and
//! [`crate::sessions`]; this module only translates. Login here; the login-record
//! [`mod@search`] and [`mod@export`] in their own files.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::DeviceMeta;
use crate::error::FieldError;
use crate::model::{ClientInfo, User};
use crate::rand::is_uuid;
use crate::Error;

pub mod export;
pub mod search;

pub use export::*;
pub use search::*;

/// `metaData.device.type` values the seed allows.
pub const DEVICE_TYPES: [&str; 9] = [
    "BROWSER", "DESKTOP", "LAPTOP", "MOBILE", "OTHER", "SERVER", "TABLET", "TV", "UNKNOWN",
];

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[serde(default)]
    pub login_id: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub meta_data: Option<MetaData>,
    #[serde(default, rename = "noJWT")]
    pub no_jwt: bool,
    /// A device trusted at an earlier two-factor login (`trustComputer`): it skips the
    /// second factor while the trust lasts.
    #[serde(default)]
    pub two_factor_trust_id: Option<String>,
    /// Deprecated by the seed and ignored.
    #[serde(default)]
    pub device: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MetaData {
    #[serde(default)]
    pub device: Option<Device003>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Device003 {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub device_type: Option<String>,
    #[serde(default, rename = "lastAccessedAddress")]
    pub last_accessed_address: Option<String>,
}

/// `POST /api/two-factor/login`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorLoginRequest {
    #[serde(default)]
    pub two_factor_id: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub meta_data: Option<MetaData>,
    #[serde(default, rename = "noJWT")]
    pub no_jwt: bool,
    /// Answer with a `twoFactorTrustId` that lets this device skip the second factor.
    #[serde(default)]
    pub trust_computer: bool,
}

impl TwoFactorLoginRequest {
    /// Validates every field at once.
    pub fn validate(self) -> Result<ValidTwoFactor, Error> {
        let mut errors = Vec::new();
        let two_factor_id = self.two_factor_id.unwrap_or_default().trim().to_owned();
        if two_factor_id.is_empty() {
            errors.push(blank("twoFactorId"));
        }
        let code = self.code.unwrap_or_default().trim().to_owned();
        if code.is_empty() {
            errors.push(blank("code"));
        } else if code.chars().count() > 64 {
            errors.push(invalid("code", "longer than 64 characters"));
        }
        let device = device_of(self.meta_data, &mut errors);
        check_common(
            self.application_id.as_deref(),
            self.ip_address.as_deref(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(ValidTwoFactor {
            two_factor_id,
            code,
            ip_address: self.ip_address.map(|i| i.trim().to_owned()),
            device,
            no_jwt: self.no_jwt,
            trust_computer: self.trust_computer,
        })
    }
}

/// A two-factor login that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTwoFactor {
    pub two_factor_id: String,
    pub code: String,
    pub ip_address: Option<String>,
    pub device: Option<DeviceMeta>,
    pub no_jwt: bool,
    pub trust_computer: bool,
}

/// `applicationId` a UUID and `ipAddress` an address, where given.
fn check_common(application_id: Option<&str>, ip: Option<&str>, errors: &mut Vec<FieldError>) {
    if let Some(id) = application_id {
        if !is_uuid(id) {
            errors.push(invalid("applicationId", "not a UUID"));
        }
    }
    if let Some(ip) = ip {
        if !is_ip(ip.trim()) {
            errors.push(invalid("ipAddress", "not an IP address"));
        }
    }
}

/// `metaData.device`, its type one of the documented ones.
fn device_of(meta: Option<MetaData>, errors: &mut Vec<FieldError>) -> Option<DeviceMeta> {
    let device = meta.and_then(|m| m.device)?;
    if let Some(t) = device.device_type.as_deref() {
        if !DEVICE_TYPES.contains(&t) {
            errors.push(invalid(
                "metaData.device.type",
                "not one of the documented device types",
            ));
        }
    }
    Some(DeviceMeta {
        name: device.name,
        device_type: device.device_type,
        description: device.description,
    })
}

/// A login request that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLogin {
    pub login_id: String,
    pub password: String,
    pub application_id: Option<String>,
    pub ip_address: Option<String>,
    pub device: Option<DeviceMeta>,
    pub no_jwt: bool,
    pub two_factor_trust_id: Option<String>,
}

fn field(path: &str, kind: &str, message: String) -> FieldError {
    FieldError {
        field: path.to_owned(),
        code: format!("[{kind}]{path}"),
        message,
    }
}

fn blank(path: &str) -> FieldError {
    field(
        path,
        "blank",
        format!("You must specify the [{path}] property."),
    )
}

fn invalid(path: &str, why: &str) -> FieldError {
    field(
        path,
        "invalid",
        format!("The [{path}] property is invalid: {why}."),
    )
}

/// Checks an IP address literal (v4 or v6) without resolving anything.
pub fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

impl LoginRequest {
    /// Validates every field at once, as the seed's `fieldErrors` reports them together.
    pub fn validate(self) -> Result<ValidLogin, Error> {
        let mut errors = Vec::new();
        let login_id = self.login_id.unwrap_or_default();
        if login_id.trim().is_empty() {
            errors.push(blank("loginId"));
        } else if login_id.chars().count() > 320 {
            errors.push(invalid("loginId", "longer than 320 characters"));
        } else if let Err(e) = crate::validate::login_id(&login_id) {
            // As the native login: control characters and look-alikes are refused.
            let why = e.public_message();
            errors.push(invalid("loginId", why.trim_end_matches('.')));
        }
        let password = self.password.unwrap_or_default();
        if password.is_empty() {
            errors.push(blank("password"));
        }
        check_common(
            self.application_id.as_deref(),
            self.ip_address.as_deref(),
            &mut errors,
        );
        let device = device_of(self.meta_data, &mut errors);
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(ValidLogin {
            login_id,
            password,
            application_id: self.application_id.map(|a| a.to_ascii_lowercase()),
            ip_address: self.ip_address.map(|i| i.trim().to_owned()),
            device,
            no_jwt: self.no_jwt,
            two_factor_trust_id: self
                .two_factor_trust_id
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
        })
    }
}

/// The seed's `Errors` object for a 400.
pub fn errors_body(e: &Error) -> Value {
    let fields: Vec<FieldError> = match e {
        Error::Fields(list) => list.clone(),
        Error::InvalidField { code, message } => vec![FieldError {
            field: "request".into(),
            code: (*code).to_owned(),
            message: message.clone(),
        }],
        other => {
            return json!({"generalErrors": [{"code": other.code(), "message": other.public_message()}]});
        }
    };
    let mut map = serde_json::Map::new();
    for f in fields {
        let entry = map
            .entry(f.field)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(json!({"code": f.code, "message": f.message}));
        }
    }
    json!({ "fieldErrors": map })
}

/// The seed's user object, from what Latchkey stores.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct User003 {
    pub active: bool,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    pub id: String,
    pub insert_instant: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_login_instant: Option<i64>,
    pub password_change_required: bool,
    pub tenant_id: String,
    /// Whether the user has a confirmed second factor: [`User003::new`] says false, and the
    /// login answer sets it from the user's factors.
    pub two_factor_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub username_status: &'static str,
    pub verified: bool,
}

impl User003 {
    pub fn new(u: &User, last_login: Option<i64>) -> Self {
        User003 {
            active: u.status == crate::model::UserStatus::Active,
            email: u.email.clone(),
            full_name: u.name.clone(),
            id: u.id.clone(),
            insert_instant: u.created_at,
            last_login_instant: last_login,
            password_change_required: false,
            tenant_id: u.organization_id.clone(),
            two_factor_enabled: false,
            username: u.username.clone(),
            username_status: "ACTIVE",
            verified: u.email_verified,
        }
    }
}

/// The 200 / 212 body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// After a two-factor login with `trustComputer`: skips the second factor at later logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor_trust_id: Option<String>,
    pub user: User003,
}

/// 200, or 212 when the email address is not verified yet.
pub fn success_status(user: &User) -> u16 {
    if user.email_verified {
        200
    } else {
        212
    }
}

/// The 242 body: the `twoFactorId` that `POST /api/two-factor/login` completes, and the
/// user's methods (an authenticator app; backup codes are accepted as its `code` too).
pub fn two_factor_body(p: &crate::error::MfaPending) -> Value {
    let methods: Vec<Value> = p
        .methods
        .iter()
        .filter(|m| *m == "totp")
        .map(|_| json!({ "method": "authenticator" }))
        .collect();
    json!({ "twoFactorId": p.token, "methods": methods })
}

/// The 409 body: the action that prevents login.
pub fn locked_body() -> Value {
    json!({"actions": [{
        "name": "Account disabled",
        "localizedName": "Account disabled",
        "reason": "The account is disabled.",
        "localizedReason": "The account is disabled.",
        "reasonCode": "disabled"
    }]})
}

/// Seed 003's `409` for a login id locked by brute-force protection: the prevent-login
/// action and when it ends (epoch milliseconds).
pub fn too_many_attempts_body(expiry: i64) -> Value {
    json!({"actions": [{
        "name": "Prevent Login Action",
        "localizedName": "Prevent Login Action",
        "reason": "Too many failed login attempts",
        "localizedReason": "Too many failed login attempts",
        "reasonCode": "too_many_attempts",
        "expiry": expiry
    }]})
}

/// The client IP a trusted (API-key) caller reports: the body's `ipAddress`, else the hop of
/// `X-Forwarded-For` that our edge's immediate client (the caller's own proxy) added, which
/// is the rightmost one, or the one before it when our edge appended the connecting address
/// itself. Every hop left of it was written by whoever sent the request to that proxy (the
/// end user, who can write anything), so it is never read. A rightmost hop that is not an
/// IP address reports nothing.
pub fn reported_ip(
    body_ip: Option<&str>,
    forwarded_for: Option<&str>,
    connecting: Option<&str>,
) -> Option<String> {
    if let Some(ip) = body_ip {
        return Some(ip.to_owned());
    }
    let mut hops = forwarded_for?
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .rev();
    let mut hop = hops.next()?;
    if connecting.is_some_and(|c| same_ip(hop, c)) {
        hop = hops.next()?;
    }
    is_ip(hop).then(|| hop.to_owned())
}

/// Two spellings of one address (`::ffff:1.2.3.4`, `1.2.3.4`, `2001:DB8::1`, `2001:db8::1`).
fn same_ip(a: &str, b: &str) -> bool {
    use std::net::IpAddr;
    let canonical = |s: &str| {
        s.trim().parse::<IpAddr>().ok().map(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        })
    };
    match (canonical(a), canonical(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// The client of a login that an API-key caller reports for an end user: `edge` (what our
/// edge saw of the connecting client, which is the caller's server) with the reported IP
/// ([`reported_ip`]). The edge's location (country, region, city, time zone, ASN,
/// coordinates) belongs to the connecting address, so it is dropped whenever the recorded IP
/// is another one: a record never pins the caller's location on the end user's address.
pub fn reported_client(
    mut edge: ClientInfo,
    body_ip: Option<&str>,
    forwarded_for: Option<&str>,
) -> ClientInfo {
    let connecting = edge.ip.clone();
    if let Some(ip) = reported_ip(body_ip, forwarded_for, connecting.as_deref()) {
        edge.ip = Some(ip);
    }
    let located = match (&edge.ip, &connecting) {
        (Some(ip), Some(c)) => same_ip(ip, c),
        (None, None) => true,
        _ => false,
    };
    if !located {
        edge.country = None;
        edge.region = None;
        edge.city = None;
        edge.timezone = None;
        edge.asn = None;
        edge.latitude_e6 = None;
        edge.longitude_e6 = None;
    }
    edge
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_json;

    #[test]
    fn test_login_api_request_parses_seed_example() {
        let body = br#"{
          "loginId": "example@fusionauth.io",
          "password": "password",
          "applicationId": "10000000-0000-0002-0000-000000000001",
          "ipAddress": "192.168.1.42",
          "metaData": {"device": {"name": "Chrome", "type": "BROWSER", "description": "desk"}},
          "noJWT": true
        }"#;
        let v = parse_json::<LoginRequest>(body)
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(v.login_id, "example@fusionauth.io");
        assert_eq!(v.ip_address.as_deref(), Some("192.168.1.42"));
        assert!(v.no_jwt);
        assert_eq!(v.device.unwrap().device_type.as_deref(), Some("BROWSER"));
    }

    #[test]
    fn test_login_api_field_errors_shape() {
        let req: LoginRequest = parse_json(br#"{"applicationId":"nope","ipAddress":"1.2.3","metaData":{"device":{"type":"FRIDGE"}}}"#).unwrap();
        let err = req.validate().unwrap_err();
        let body = errors_body(&err);
        let f = &body["fieldErrors"];
        assert_eq!(f["loginId"][0]["code"], "[blank]loginId");
        assert_eq!(f["password"][0]["code"], "[blank]password");
        assert_eq!(f["applicationId"][0]["code"], "[invalid]applicationId");
        assert_eq!(f["ipAddress"][0]["code"], "[invalid]ipAddress");
        assert_eq!(
            f["metaData.device.type"][0]["code"],
            "[invalid]metaData.device.type"
        );
    }

    #[test]
    fn test_login_api_login_id_with_control_characters_is_a_field_error() {
        for bad in [
            "\tann@example.com",
            "ann\r",
            "a\u{0}nn",
            "ann\u{202E}@example.com",
        ] {
            let req = LoginRequest {
                login_id: Some(bad.into()),
                password: Some("pw".into()),
                ..Default::default()
            };
            let body = errors_body(&req.validate().unwrap_err());
            assert_eq!(
                body["fieldErrors"]["loginId"][0]["code"], "[invalid]loginId",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn test_login_api_reported_ip_is_the_rightmost_hop() {
        assert_eq!(
            reported_ip(Some("10.0.0.1"), Some("1.1.1.1"), None),
            Some("10.0.0.1".into())
        );
        // The end user wrote 6.6.6.6; the caller's proxy appended 203.0.113.9.
        assert_eq!(
            reported_ip(None, Some("6.6.6.6, 203.0.113.9"), Some("198.51.100.1")),
            Some("203.0.113.9".into())
        );
        // Our edge appended the connecting address: the hop before it.
        assert_eq!(
            reported_ip(
                None,
                Some("6.6.6.6, 203.0.113.9, 198.51.100.1"),
                Some("198.51.100.1")
            ),
            Some("203.0.113.9".into())
        );
        assert_eq!(
            reported_ip(None, Some("198.51.100.1"), Some("198.51.100.1")),
            None
        );
        // A garbage rightmost hop reports nothing; the forged leftmost one is never read.
        assert_eq!(reported_ip(None, Some("203.0.113.9, garbage"), None), None);
        assert_eq!(reported_ip(None, Some("garbage"), None), None);
        assert_eq!(reported_ip(None, Some(" , "), None), None);
        assert_eq!(reported_ip(None, None, None), None);
        assert_eq!(
            reported_ip(None, Some("2001:db8::1 ,2001:DB8::2"), None),
            Some("2001:DB8::2".into())
        );
    }

    #[test]
    fn test_login_api_reported_client_drops_the_edge_location() {
        let edge = ClientInfo {
            ip: Some("198.51.100.1".into()),
            country: Some("US".into()),
            region: Some("Texas".into()),
            city: Some("Austin".into()),
            timezone: Some("America/Chicago".into()),
            asn: Some(7922),
            latitude_e6: Some(30_267_200),
            longitude_e6: Some(-97_742_600),
            user_agent: Some("server".into()),
            ..ClientInfo::default()
        };
        let located = |c: &ClientInfo| {
            [
                c.country.is_some(),
                c.region.is_some(),
                c.city.is_some(),
                c.timezone.is_some(),
                c.asn.is_some(),
                c.latitude_e6.is_some(),
                c.longitude_e6.is_some(),
            ]
        };
        for (body, xff) in [
            (Some("192.0.2.7"), None),
            (None, Some("6.6.6.6, 192.0.2.7")),
            (None, Some("192.0.2.7, 198.51.100.1")),
        ] {
            let c = reported_client(edge.clone(), body, xff);
            assert_eq!(c.ip.as_deref(), Some("192.0.2.7"), "{body:?} {xff:?}");
            assert_eq!(located(&c), [false; 7], "{body:?} {xff:?}");
            assert_eq!(c.user_agent.as_deref(), Some("server"));
        }
        // Nothing reported, or the connecting address itself: the edge's location stays.
        for (body, xff) in [
            (None, None),
            (Some("198.51.100.1"), None),
            (Some("::ffff:198.51.100.1"), None),
            (None, Some("garbage")),
        ] {
            let c = reported_client(edge.clone(), body, xff);
            assert_eq!(located(&c), [true; 7], "{body:?} {xff:?}");
        }
        // No connecting address known: a reported one is not located.
        let c = reported_client(
            ClientInfo {
                ip: None,
                ..edge.clone()
            },
            Some("192.0.2.7"),
            None,
        );
        assert_eq!(located(&c), [false; 7]);
    }
}
