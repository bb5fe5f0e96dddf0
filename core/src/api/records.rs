//! Login-record views: the user's own history (seed 001) and an administrator's view of one
//! user's logins (seed 000), in their seeds' exact shapes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

// ---- the administrators' search (native) -----------------------------------------------------

api_type! {
    /// One login record as an administrator's search shows it: any outcome, any user.
    pub struct RecordView {
        pub id: i64,
        pub created_at: String,
        /// `success` or `failure`.
        pub outcome: String,
        pub method: String,
        pub reason: Option<String>,
        pub user_id: Option<String>,
        /// The identifier as typed.
        pub login_id: String,
        pub application_id: Option<String>,
        pub application_name: Option<String>,
        pub session_id: Option<String>,
        pub ip: Option<String>,
        pub country: Option<String>,
        pub region: Option<String>,
        pub city: Option<String>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub browser: Option<String>,
        pub os: Option<String>,
        /// `desktop`, `mobile`, `tablet` or `bot`.
        pub device: Option<String>,
        /// Risk signals: `new_device`, `new_country`, `impossible_travel`.
        pub flags: Vec<String>,
        /// The identity-provider connection of a single sign-on (method `sso`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub connection_id: Option<String>,
    }
}

api_type! {
    /// `GET /api/v1/login-records`.
    pub struct RecordList {
        pub records: Vec<RecordView>,
        pub total: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

api_type! {
    pub struct HourCount {
        /// The hour's start.
        pub hour: String,
        pub success: u64,
        pub failure: u64,
    }
}

api_type! {
    pub struct ReasonCount {
        pub reason: String,
        pub count: u64,
    }
}

api_type! {
    pub struct PlaceCount {
        pub country: Option<String>,
        pub city: Option<String>,
        pub latitude: f64,
        pub longitude: f64,
        pub success: u64,
        pub failure: u64,
    }
}

api_type! {
    /// `GET /api/v1/login-records/stats`: the counts behind the dashboard's charts and map.
    pub struct RecordStats {
        pub from: String,
        pub to: String,
        pub success: u64,
        pub failure: u64,
        /// Attempts per hour, oldest first; hours without any are absent.
        pub hours: Vec<HourCount>,
        /// Failures by reason, most first.
        pub reasons: Vec<ReasonCount>,
        /// Where attempts came from (those with coordinates), most first.
        pub places: Vec<PlaceCount>,
    }
}
