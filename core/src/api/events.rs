//! Security events and the organization's webhook.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::DeliveryState;

api_type! {
    /// Where an event's webhook delivery stands.
    pub struct DeliveryView {
        pub state: DeliveryState,
        pub attempts: u32,
        /// RFC 3339, while pending.
        pub next_attempt_at: Option<String>,
        /// What the last failed attempt met (an HTTP status or a network error).
        pub last_error: Option<String>,
    }
}

api_type! {
    /// A security event: lockouts, breached passwords, refresh-token reuse, risky logins
    /// and administrative changes.
    pub struct SecurityEventView {
        pub id: i64,
        /// A stable name, such as `login.locked` or `api_key.created`.
        pub kind: String,
        /// RFC 3339.
        pub created_at: String,
        /// Who made an administrative change (`api_key:<id>`, `user:<id>`, `platform`).
        pub actor: Option<String>,
        pub user_id: Option<String>,
        pub ip: Option<String>,
        pub detail: Map<String, Value>,
        pub delivery: DeliveryView,
    }
}

api_type! {
    pub struct SecurityEventList {
        pub events: Vec<SecurityEventView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

request_type! {
    /// Where the organization's security events are to be sent (HTTPS).
    pub struct SetWebhook {
        pub url: String,
    }
}

api_type! {
    /// The organization's webhook. `secret` (`whsec_...`, Standard Webhooks' form) is shown
    /// only in the answer that sets the webhook; setting it again rotates it.
    pub struct WebhookView {
        pub url: String,
        pub version: u32,
        /// RFC 3339.
        pub updated_at: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub secret: Option<String>,
    }
}
