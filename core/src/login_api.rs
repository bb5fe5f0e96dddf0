//! Seed 003's Login API, wire-compatible: camelCase bodies, its `Errors` object, its user
//! shape, and its status codes. The work is done by [`crate::login`] and
//! [`crate::sessions`]; this module only translates.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::DeviceMeta;
use crate::error::FieldError;
use crate::model::User;
use crate::rand::is_uuid;
use crate::Error;

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
    /// Accepted and ignored: no two-factor trust exists without two-factor login.
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
}

impl TwoFactorLoginRequest {
    /// Checks the required fields. No two-factor login is ever pending until MFA exists, so
    /// a well-formed request then finds no `twoFactorId` (404, as the seed documents).
    pub fn validate(&self) -> Result<(), Error> {
        let mut errors = Vec::new();
        if self
            .two_factor_id
            .as_deref()
            .is_none_or(|v| v.trim().is_empty())
        {
            errors.push(blank("twoFactorId"));
        }
        if self.code.as_deref().is_none_or(|v| v.trim().is_empty()) {
            errors.push(blank("code"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Fields(errors))
        }
    }
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
        }
        let password = self.password.unwrap_or_default();
        if password.is_empty() {
            errors.push(blank("password"));
        }
        if let Some(id) = &self.application_id {
            if !is_uuid(id) {
                errors.push(invalid("applicationId", "not a UUID"));
            }
        }
        if let Some(ip) = &self.ip_address {
            if !is_ip(ip.trim()) {
                errors.push(invalid("ipAddress", "not an IP address"));
            }
        }
        let device = self.meta_data.and_then(|m| m.device);
        if let Some(t) = device.as_ref().and_then(|d| d.device_type.as_deref()) {
            if !DEVICE_TYPES.contains(&t) {
                errors.push(invalid(
                    "metaData.device.type",
                    "not one of the documented device types",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(ValidLogin {
            login_id,
            password,
            application_id: self.application_id.map(|a| a.to_ascii_lowercase()),
            ip_address: self.ip_address.map(|i| i.trim().to_owned()),
            device: device.map(|d| DeviceMeta {
                name: d.name,
                device_type: d.device_type,
                description: d.description,
            }),
            no_jwt: self.no_jwt,
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

/// The client IP a trusted (API-key) caller reports: the body's `ipAddress`, else the
/// first `X-Forwarded-For` entry that is an IP address.
pub fn reported_ip(body_ip: Option<&str>, forwarded_for: Option<&str>) -> Option<String> {
    body_ip.map(str::to_owned).or_else(|| {
        forwarded_for
            .and_then(|h| h.split(',').next())
            .map(str::trim)
            .filter(|ip| is_ip(ip))
            .map(str::to_owned)
    })
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
    fn test_login_api_reported_ip() {
        assert_eq!(
            reported_ip(Some("10.0.0.1"), Some("1.1.1.1")),
            Some("10.0.0.1".into())
        );
        assert_eq!(
            reported_ip(None, Some("203.0.113.9, 10.0.0.2")),
            Some("203.0.113.9".into())
        );
        assert_eq!(reported_ip(None, Some("garbage")), None);
        assert_eq!(reported_ip(None, None), None);
    }
}

// ---- login-record search (section 6) -------------------------------------------------------

/// Largest page a search answers.
pub const MAX_RESULTS: i64 = 500;
pub const DEFAULT_RESULTS: i64 = 25;

/// The criteria, as the POST body's `search` object carries them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SearchCriteria {
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub end: Option<i64>,
    #[serde(default)]
    pub number_of_results: Option<i64>,
    #[serde(default)]
    pub start_row: Option<i64>,
}

/// `POST /api/system/login-record/search`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default)]
    pub search: SearchCriteria,
    #[serde(default)]
    pub retrieve_total: bool,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSearch {
    pub criteria: crate::records::Criteria,
    pub start_row: u32,
    pub number_of_results: u32,
    pub retrieve_total: bool,
}

impl SearchRequest {
    /// From the GET form's query parameters; a value that does not parse is a field error.
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let mut number = |name: &str| -> Option<i64> {
            let raw = get(name)?;
            match raw.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(invalid(name, "not an integer"));
                    None
                }
            }
        };
        let search = SearchCriteria {
            start: number("start"),
            end: number("end"),
            number_of_results: number("numberOfResults"),
            start_row: number("startRow"),
            application_id: get("applicationId").map(str::to_owned),
            user_id: get("userId").map(str::to_owned),
        };
        let retrieve_total = match get("retrieveTotal").map(str::trim) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => {
                errors.push(invalid("retrieveTotal", "not a boolean"));
                false
            }
        };
        if errors.is_empty() {
            Ok(SearchRequest {
                search,
                retrieve_total,
            })
        } else {
            Err(Error::Fields(errors))
        }
    }

    pub fn validate(self) -> Result<ValidSearch, Error> {
        let s = self.search;
        let mut errors = Vec::new();
        for (name, v) in [("applicationId", &s.application_id), ("userId", &s.user_id)] {
            if v.as_deref().is_some_and(|v| !is_uuid(v)) {
                errors.push(invalid(name, "not a UUID"));
            }
        }
        let n = s.number_of_results.unwrap_or(DEFAULT_RESULTS);
        if !(1..=MAX_RESULTS).contains(&n) {
            errors.push(invalid(
                "numberOfResults",
                &format!("must be between 1 and {MAX_RESULTS}"),
            ));
        }
        let row = s.start_row.unwrap_or(0);
        if !(0..=i64::from(u32::MAX)).contains(&row) {
            errors.push(invalid("startRow", "must not be negative"));
        }
        if let (Some(a), Some(b)) = (s.start, s.end) {
            if a > b {
                errors.push(invalid("end", "must not be before start"));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(ValidSearch {
            criteria: crate::records::Criteria {
                application_id: s.application_id.map(|a| a.to_ascii_lowercase()),
                user_id: s.user_id.map(|u| u.to_ascii_lowercase()),
                start: s.start,
                end: s.end,
                after_id: None,
            },
            start_row: u32::try_from(row).unwrap_or(0),
            number_of_results: u32::try_from(n).unwrap_or(DEFAULT_RESULTS as u32),
            retrieve_total: self.retrieve_total,
        })
    }
}

/// One login record, as section 6 shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginRecord003 {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    pub login_id: String,
    pub instant: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SearchResponse {
    pub logins: Vec<LoginRecord003>,
    /// Only when `retrieveTotal` was true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

pub async fn search(
    store: &impl crate::store::RecordStore,
    org_id: &str,
    v: ValidSearch,
) -> Result<SearchResponse, Error> {
    let (rows, total) = store
        .search(
            org_id,
            &v.criteria,
            v.start_row,
            v.number_of_results,
            v.retrieve_total,
        )
        .await?;
    Ok(SearchResponse {
        logins: rows
            .into_iter()
            .map(|s| LoginRecord003 {
                application_id: s.record.application_id,
                application_name: s.application_name,
                login_id: s.record.login_id,
                instant: s.record.created_at,
                ip_address: s.record.client.ip,
                user_id: s.record.user_id,
            })
            .collect(),
        total,
    })
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn test_login_api_search_query_and_validation() {
        let q = |k: &str| match k {
            "start" => Some("10"),
            "end" => Some("5"),
            "numberOfResults" => Some("0"),
            "startRow" => Some("-1"),
            "userId" => Some("nope"),
            _ => None,
        };
        let err = SearchRequest::from_query(q)
            .unwrap()
            .validate()
            .unwrap_err();
        let body = errors_body(&err);
        for f in ["end", "numberOfResults", "startRow", "userId"] {
            assert_eq!(
                body["fieldErrors"][f][0]["code"],
                format!("[invalid]{f}"),
                "{f}"
            );
        }
        let bad = SearchRequest::from_query(|k| (k == "start").then_some("yesterday")).unwrap_err();
        assert_eq!(
            errors_body(&bad)["fieldErrors"]["start"][0]["code"],
            "[invalid]start"
        );
        let ok = SearchRequest::from_query(|k| (k == "retrieveTotal").then_some("true"))
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(
            (ok.number_of_results, ok.start_row, ok.retrieve_total),
            (25, 0, true)
        );
    }
}

// ---- login-record export (section 7) -------------------------------------------------------

/// `POST /api/system/login-record/export`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    #[serde(default)]
    pub criteria: SearchCriteria,
    #[serde(default)]
    pub date_time_seconds_format: Option<String>,
    #[serde(default)]
    pub zone_id: Option<String>,
}

/// A validated export.
#[derive(Debug, Clone)]
pub struct ValidExport {
    pub criteria: crate::records::Criteria,
    pub pattern: crate::datefmt::Pattern,
    pub zone: chrono_tz::Tz,
}

/// Rows fetched per query while streaming an export.
pub const EXPORT_PAGE: u32 = 1000;

/// The CSV's columns.
pub const EXPORT_HEADER: &str = "\"Record Id\",\"User Id\",\"Login Id\",\"Time\",\"Application Id\",\"Application Name\",\"IP Address\",\"City\",\"Region\",\"Country\",\"Latitude\",\"Longitude\",\"Chain Seq\",\"Row Hash\"\r\n";

impl ExportRequest {
    /// From the GET form's query parameters.
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str> + Copy) -> Result<Self, Error> {
        let search = SearchRequest::from_query(get)?.search;
        Ok(ExportRequest {
            criteria: search,
            date_time_seconds_format: get("dateTimeSecondsFormat").map(str::to_owned),
            zone_id: get("zoneId").map(str::to_owned),
        })
    }

    pub fn validate(self) -> Result<ValidExport, Error> {
        let search = SearchRequest {
            search: SearchCriteria {
                number_of_results: None,
                start_row: None,
                ..self.criteria
            },
            retrieve_total: false,
        }
        .validate()?;
        let pattern = crate::datefmt::Pattern::parse(
            self.date_time_seconds_format
                .as_deref()
                .unwrap_or(crate::datefmt::DEFAULT_PATTERN),
        );
        let zone = match self.zone_id.as_deref() {
            Some(z) => crate::datefmt::zone(z),
            None => Ok(chrono_tz::Tz::UTC),
        };
        match (pattern, zone) {
            (Ok(pattern), Ok(zone)) => Ok(ValidExport {
                criteria: search.criteria,
                pattern,
                zone,
            }),
            // Report every invalid field at once, as the seed's Errors object does.
            (p, z) => {
                let mut fields = Vec::new();
                for e in [p.err(), z.err()].into_iter().flatten() {
                    if let Error::Fields(list) = e {
                        fields.extend(list);
                    }
                }
                Err(Error::Fields(fields))
            }
        }
    }
}

/// One CSV field, always quoted; a leading `=`, `+`, `-` or `@` is defused with `'` so a
/// spreadsheet never runs a typed login id as a formula.
fn csv(v: &str) -> String {
    let defused = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// CSV lines for `rows`.
pub fn export_lines(rows: &[crate::records::StoredRecord], v: &ValidExport) -> String {
    let mut out = String::with_capacity(rows.len() * 200);
    for s in rows {
        let r = &s.record;
        let c = &r.client;
        let coord = |e6: Option<i32>| {
            e6.map(|v| format!("{:.6}", f64::from(v) / 1e6))
                .unwrap_or_default()
        };
        let fields = [
            s.id.to_string(),
            r.user_id.clone().unwrap_or_default(),
            r.login_id.clone(),
            v.pattern.format(r.created_at, v.zone),
            r.application_id.clone().unwrap_or_default(),
            s.application_name.clone().unwrap_or_default(),
            c.ip.clone().unwrap_or_default(),
            c.city.clone().unwrap_or_default(),
            c.region.clone().unwrap_or_default(),
            c.country.clone().unwrap_or_default(),
            coord(c.latitude_e6),
            coord(c.longitude_e6),
            s.chain_seq.map(|n| n.to_string()).unwrap_or_default(),
            s.row_hash.clone().unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| csv(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn test_login_api_export_validation_and_csv() {
        let v = ExportRequest::from_query(|k| match k {
            "zoneId" => Some("America/Denver"),
            "dateTimeSecondsFormat" => Some("yyyy-MM-dd HH:mm z"),
            _ => None,
        })
        .unwrap()
        .validate()
        .unwrap();
        let rec = crate::records::StoredRecord {
            id: 7,
            chain_seq: Some(3),
            row_hash: Some("ab".into()),
            application_name: Some("Portal, \"new\"".into()),
            record: crate::model::LoginRecord {
                organization_id: "o".into(),
                application_id: Some("a".into()),
                created_at: 1_562_608_320_303,
                outcome: crate::model::Outcome::Success,
                method: "password".into(),
                failure_reason: None,
                user_id: Some("u".into()),
                login_id: "=HYPERLINK(\"x\")".into(),
                session_id: None,
                client: crate::model::ClientInfo {
                    ip: Some("42.42.42.42".into()),
                    ..Default::default()
                },
                flags: vec![],
            },
        };
        let line = export_lines(&[rec], &v);
        assert_eq!(
            line,
            "\"7\",\"u\",\"'=HYPERLINK(\"\"x\"\")\",\"2019-07-08 11:52 MDT\",\"a\",\"Portal, \"\"new\"\"\",\"42.42.42.42\",\"\",\"\",\"\",\"\",\"\",\"3\",\"ab\"\r\n"
        );
        let bad = ExportRequest {
            zone_id: Some("Nowhere/Land".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors_body(&bad)["fieldErrors"]["zoneId"][0]["code"],
            "[invalid]zoneId"
        );
    }
}
