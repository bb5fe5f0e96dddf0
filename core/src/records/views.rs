//! The views of the one login-record table, each in its seed's exact shape. Seed 001: the
//! signed-in user's own history. Seed 000: an administrator's view of one user's logins.
//! (Seed 003's search is in [`crate::compat::login_api`]; seed 002, sessions, in
//! [`crate::sessions`].)

use serde_json::{Map, Value};

use crate::api::{self, HistoryData, HistoryItem, HistoryResponse, LoginLog, LoginLogs};
use crate::model::{Outcome, StoredRecord};
use crate::records::ua;
use crate::store::{AppStore, RecordStore, UserStore};
use crate::time::rfc3339;
use crate::Error;

fn put(map: &mut Map<String, Value>, key: &str, v: Option<&str>) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        map.insert(key.to_owned(), Value::String(v.to_owned()));
    }
}

fn history_item(s: &StoredRecord) -> HistoryItem {
    let r = &s.record;
    let agent = ua::parse(r.client.user_agent.as_deref().unwrap_or(""));
    let mut m = Map::new();
    put(&mut m, "method", Some(&r.method));
    put(&mut m, "reason", r.failure_reason.map(|f| f.as_str()));
    put(&mut m, "application_id", r.application_id.as_deref());
    put(&mut m, "session_id", r.session_id.as_deref());
    put(&mut m, "country", r.client.country.as_deref());
    put(&mut m, "region", r.client.region.as_deref());
    put(&mut m, "city", r.client.city.as_deref());
    put(&mut m, "timezone", r.client.timezone.as_deref());
    if let Some(asn) = r.client.asn {
        m.insert("asn".to_owned(), Value::from(asn));
    }
    put(&mut m, "browser", agent.browser.as_deref());
    put(&mut m, "browser_version", agent.browser_version.as_deref());
    put(&mut m, "os", agent.os.as_deref());
    put(&mut m, "os_version", agent.os_version.as_deref());
    put(&mut m, "device", agent.device.map(|d| d.as_str()));
    put(&mut m, "device_name", r.client.device_name.as_deref());
    put(&mut m, "device_type", r.client.device_type.as_deref());
    if !r.flags.is_empty() {
        m.insert("flags".to_owned(), Value::from(r.flags.clone()));
    }
    HistoryItem {
        id: s.id,
        action: match r.outcome {
            Outcome::Success => "auth.login.success",
            Outcome::Failure => "auth.login.failure",
        }
        .to_owned(),
        ip_address: r.client.ip.clone(),
        user_agent: r.client.user_agent.clone(),
        created_at: rfc3339(r.created_at),
        metadata: m,
    }
}

/// The signed-in user's login history, newest first. `filter` is `success`, `failure`, or
/// absent for both.
pub async fn history(
    store: &impl RecordStore,
    org_id: &str,
    user_id: &str,
    limit: Option<&str>,
    offset: Option<&str>,
    filter: Option<&str>,
) -> Result<HistoryResponse, Error> {
    let page = api::page(limit, offset)?;
    let outcome = match filter.map(str::trim) {
        None | Some("") | Some("null") => None,
        Some("success") => Some(Outcome::Success),
        Some("failure") => Some(Outcome::Failure),
        Some(_) => {
            return Err(Error::invalid_field(
                "INVALID_FILTER",
                "filter must be 'success' or 'failure'",
            ))
        }
    };
    let (rows, total) = store
        .user_records(org_id, user_id, outcome, page)
        .await
        .map_err(|e| Error::InternalCoded {
            code: "HISTORY_FETCH_FAILED",
            detail: e.to_string(),
        })?;
    Ok(HistoryResponse {
        success: true,
        data: HistoryData {
            history: rows.iter().map(history_item).collect(),
            total_count: total,
            limit: page.limit,
            offset: page.offset,
        },
        message: "Login history retrieved successfully".to_owned(),
    })
}

// ---- seed 000 ------------------------------------------------------------------------------

/// Most recent logins a `loginlogs` answer holds.
pub const LOGIN_LOGS_MAX: u32 = 100;

/// An administrator's view of a user's successful logins into the application named by
/// `client_id`, newest first.
pub async fn login_logs(
    store: &(impl RecordStore + UserStore + AppStore),
    org_id: &str,
    user_id: &str,
    client_id: Option<&str>,
) -> Result<LoginLogs, Error> {
    let client_id = client_id
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::invalid_field("INVALID_CLIENT_ID", "client_id is required"))?;
    let app = store
        .get_app_by_client_id(client_id)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| {
            Error::invalid_field(
                "INVALID_CLIENT_ID",
                "no application of this organization has this client_id",
            )
        })?;
    store
        .get_user(org_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let rows = store
        .user_logins(org_id, user_id, Some(&app.id), LOGIN_LOGS_MAX)
        .await?;
    Ok(LoginLogs {
        login_logs: rows
            .iter()
            .map(|s| {
                let c = &s.record.client;
                let agent = ua::parse(c.user_agent.as_deref().unwrap_or(""));
                let os = match (agent.os, agent.os_version) {
                    (Some(o), Some(v)) => format!("{o} {v}"),
                    (Some(o), None) => o,
                    _ => String::new(),
                };
                LoginLog {
                    ip_address: c.ip.clone().unwrap_or_default(),
                    country: c.country.clone().unwrap_or_default(),
                    city: c.city.clone().unwrap_or_default(),
                    user_agent: c.user_agent.clone().unwrap_or_default(),
                    name: agent.browser.unwrap_or_default(),
                    os,
                    device: agent
                        .device
                        .map(|d| d.as_str().to_owned())
                        .unwrap_or_default(),
                    created_at: rfc3339(s.record.created_at),
                }
            })
            .collect(),
    })
}
