//! Login records: the views of the one table, each in its seed's exact shape. Seed 001: the
//! signed-in user's own history. Seed 000: an administrator's view of one user's logins.
//! Seed 003: search across users with time ranges. (Seed 002, sessions, is in
//! [`crate::sessions`].)

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::{self};
use crate::model::{LoginRecord, Outcome};
use crate::store::{AppStore, RecordStore, UserStore};
use crate::time::rfc3339;
use crate::ua;
use crate::Error;

/// A stored record: its sequence number and, for views that name it, its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: i64,
    pub record: LoginRecord,
    pub application_name: Option<String>,
    /// The record's place in its organization's chain and its row hash.
    pub chain_seq: Option<i64>,
    pub row_hash: Option<String>,
}

/// Criteria of a search across users (seed 003).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    pub application_id: Option<String>,
    pub user_id: Option<String>,
    /// Inclusive, epoch milliseconds.
    pub start: Option<i64>,
    /// Inclusive, epoch milliseconds.
    pub end: Option<i64>,
    /// Only records after this one (keyset paging for exports).
    pub after_id: Option<i64>,
}

// ---- seed 001 ------------------------------------------------------------------------------

/// One entry of the user's own history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryItem {
    pub id: i64,
    /// `auth.login.success` or `auth.login.failure`.
    pub action: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: String,
    /// Method, failure reason, application, session, location and parsed device.
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryData {
    pub history: Vec<HistoryItem>,
    pub total_count: u64,
    pub limit: u32,
    pub offset: u32,
}

/// `GET /api/v1/auth/login-history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryResponse {
    pub success: bool,
    pub data: HistoryData,
    pub message: String,
}

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

/// One entry of `GET /api/v1/users/{id}/loginlogs`, in the seed's PascalCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct LoginLog {
    pub ip_address: String,
    pub country: String,
    pub city: String,
    pub user_agent: String,
    /// The client's name (browser or agent).
    pub name: String,
    pub os: String,
    pub device: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LoginLogs {
    pub login_logs: Vec<LoginLog>,
}

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

// ---- retention -----------------------------------------------------------------------------

/// Rows deleted per statement, and statements per organization per run: bounded work for a
/// cron invocation, which resumes on the next run.
pub const PRUNE_BATCH: u32 = 1000;
pub const PRUNE_MAX_BATCHES: u32 = 20;

/// Rows sealed into the chain per organization per run.
pub const SEAL_MAX_ROWS: u32 = 50_000;

/// What a retention run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub deleted: u64,
    /// Organizations whose chain is broken: sealing stopped and nothing of theirs was
    /// deleted, since their records are evidence now.
    pub paused: Vec<(String, crate::chain::BrokenLink)>,
}

/// Deletes every organization's records older than its retention, in bounded batches. Each
/// organization's chain is sealed first, so no record leaves before the chain has vouched
/// for it; an organization whose chain is broken keeps everything, and the others go on.
pub async fn apply_retention(
    store: &(impl crate::store::OrgStore + RecordStore + crate::store::ChainStore),
    now: i64,
) -> Result<RetentionReport, Error> {
    let mut report = RetentionReport::default();
    let mut offset = 0;
    loop {
        let (orgs, total) = store
            .list_orgs(crate::model::Page { limit: 100, offset })
            .await?;
        for org in &orgs {
            if let Some(b) = crate::chain::seal(store, &org.id, SEAL_MAX_ROWS, now).await? {
                report.paused.push((org.id.clone(), b));
                continue;
            }
            let cutoff = now - i64::from(org.retention_days) * 86_400_000;
            for _ in 0..PRUNE_MAX_BATCHES {
                let n = store.prune(&org.id, cutoff, PRUNE_BATCH).await?;
                report.deleted += u64::from(n);
                if n < PRUNE_BATCH {
                    break;
                }
            }
        }
        offset += 100;
        if orgs.is_empty() || u64::from(offset) >= total {
            return Ok(report);
        }
    }
}
