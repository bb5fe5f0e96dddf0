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
