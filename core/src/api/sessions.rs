//! Sessions as users and administrators see them: the native view and seed 002's.

use serde::{Deserialize, Serialize};

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
        /// The identity-provider connection of a single sign-on (method `sso`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub connection_id: Option<String>,
        /// True for the session the request was made with.
        pub current: bool,
    }
}

api_type! {
    pub struct SessionList {
        pub sessions: Vec<SessionView>,
    }
}

/// One session in seed 002's shape (times in epoch seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UserSessionDto {
    pub creation_time: i64,
    pub ip_address: String,
    pub session_id: String,
    pub session_not_valid_after: i64,
    pub user_agent: String,
    pub user_id: String,
}

/// `GET /v1/identity-stores/{identity_store_id}/users/{user_id}/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SessionList002 {
    pub session_list: Vec<UserSessionDto>,
}
