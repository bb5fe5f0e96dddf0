//! Delivering security events to an organization's webhook, signed as Standard Webhooks
//! specifies, so that any of its verifiers checks them:
//! - `webhook-id`: the event's id (`evt_<id>`), the same on every retry, to deduplicate;
//! - `webhook-timestamp`: seconds since the epoch when the attempt was signed;
//! - `webhook-signature`: `v1,` then base64 of HMAC-SHA-256 over `{id}.{timestamp}.{body}`
//!   under the secret, which the organization is shown as `whsec_` + base64.
//!
//! The secret is derived (HMAC of the organization and the webhook's version under the
//! `WEBHOOK_KEY` secret), so nothing secret is stored. An attempt succeeds on any 2xx answer;
//! otherwise it is retried after 1 minute, 5, 30, 2 hours, 8 and 24, then given up.

use base64ct::{Base64, Encoding};
use serde_json::json;

use crate::model::{Delivery, DeliveryState, SecurityEvent, Webhook};
use crate::secrets::hmac_sha256;
use crate::store::EventStore;
use crate::time::rfc3339;
use crate::Error;

/// Waits after each failed attempt; after the last, the delivery has failed.
pub const RETRY_DELAYS_MS: [i64; 6] = [
    60_000,
    5 * 60_000,
    30 * 60_000,
    2 * 3_600_000,
    8 * 3_600_000,
    24 * 3_600_000,
];

/// How long a claimed event is left alone by other deliverers (longer than one attempt's
/// time limit).
pub const LEASE_MS: i64 = 60_000;

/// Events delivered per run, so a backlog is worked through in bounded steps.
pub const BATCH: u32 = 50;

/// The organization's signing secret for `version` of its webhook.
pub fn secret(key: &[u8], org_id: &str, version: u32) -> [u8; 32] {
    hmac_sha256(
        key,
        format!("latchkey webhook v1\n{org_id}\n{version}").as_bytes(),
    )
}

/// The secret as Standard Webhooks writes it.
pub fn display_secret(secret: &[u8]) -> String {
    format!("whsec_{}", Base64::encode_string(secret))
}

/// The `webhook-id` of an event.
pub fn message_id(event: &SecurityEvent) -> String {
    format!("evt_{}", event.id)
}

/// The `webhook-signature` of `body` sent as `msg_id` at `timestamp` (seconds).
pub fn signature(secret: &[u8], msg_id: &str, timestamp: i64, body: &str) -> String {
    let mac = hmac_sha256(secret, format!("{msg_id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", Base64::encode_string(&mac))
}

/// The body sent for an event: `type`, `timestamp` and `data` (the event as the API shows
/// it, without its delivery state).
pub fn payload(event: &SecurityEvent) -> String {
    json!({
        "type": event.kind,
        "timestamp": rfc3339(event.created_at),
        "data": {
            "id": event.id,
            "organization_id": event.organization_id,
            "kind": event.kind,
            "created_at": rfc3339(event.created_at),
            "actor": event.actor,
            "user_id": event.user_id,
            "ip": event.ip,
            "detail": event.detail,
        },
    })
    .to_string()
}

/// A webhook URL as accepted: HTTPS with a host and no credentials; plain HTTP only to a
/// loopback address, and only where `allow_loopback_http` (development).
pub fn validate_url(raw: &str, allow_loopback_http: bool) -> Result<String, Error> {
    let bad = |why: &str| Error::invalid_field("INVALID_WEBHOOK_URL", format!("url: {why}"));
    let url = raw.trim();
    if url.len() > 2048 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad(
            "at most 2048 characters, no spaces or control characters",
        ));
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not a URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    if authority.contains('@') {
        return Err(bad("credentials do not belong in the URL"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if allow_loopback_http && is_loopback(host) => Ok(url.to_owned()),
        _ => Err(bad("must be https")),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "::1" || host.starts_with("127.")
}

/// Sends one signed request. The worker's is a `fetch` with a time limit; tests play it.
#[allow(async_fn_in_trait)]
pub trait Sender {
    /// POSTs `body` (JSON) with `headers` to `url`: the HTTP status, or what went wrong.
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String>;
}

/// The delivery after an attempt that ended with `outcome` (a status or an error) at `now`.
pub fn after_attempt(previous: &Delivery, outcome: Result<u16, String>, now: i64) -> Delivery {
    let attempts = previous.attempts + 1;
    let error = match outcome {
        Ok(status) if (200..300).contains(&status) => {
            return Delivery {
                state: DeliveryState::Delivered,
                attempts,
                next_attempt_at: None,
                last_error: None,
            }
        }
        Ok(status) => format!("HTTP {status}"),
        Err(e) => e.chars().take(200).collect(),
    };
    match RETRY_DELAYS_MS.get(previous.attempts as usize) {
        Some(wait) => Delivery {
            state: DeliveryState::Pending,
            attempts,
            next_attempt_at: Some(now + wait),
            last_error: Some(error),
        },
        None => Delivery {
            state: DeliveryState::Failed,
            attempts,
            next_attempt_at: None,
            last_error: Some(error),
        },
    }
}

/// What one run of [`deliver_due`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivered: u32,
    pub retrying: u32,
    pub failed: u32,
}

/// Delivers up to [`BATCH`] events due at `now`, each signed with its organization's secret
/// under `key` (the `WEBHOOK_KEY` secret), and stores each outcome.
pub async fn deliver_due(
    store: &impl EventStore,
    sender: &impl Sender,
    key: &[u8],
    now: i64,
) -> Result<Report, Error> {
    let mut report = Report::default();
    for (event, hook) in store.claim_deliveries(now, now + LEASE_MS, BATCH).await? {
        let delivery = match &hook {
            Some(hook) => {
                let outcome = send(sender, key, hook, &event, now).await;
                after_attempt(&event.delivery, outcome, now)
            }
            // The webhook is gone: nothing to retry against.
            None => Delivery {
                state: DeliveryState::Failed,
                attempts: event.delivery.attempts,
                next_attempt_at: None,
                last_error: Some("no webhook".to_owned()),
            },
        };
        match delivery.state {
            DeliveryState::Delivered => report.delivered += 1,
            DeliveryState::Pending => report.retrying += 1,
            _ => report.failed += 1,
        }
        store.record_delivery(event.id, &delivery).await?;
    }
    Ok(report)
}

/// One signed attempt.
async fn send(
    sender: &impl Sender,
    key: &[u8],
    hook: &Webhook,
    event: &SecurityEvent,
    now: i64,
) -> Result<u16, String> {
    let body = payload(event);
    let id = message_id(event);
    let timestamp = now.div_euclid(1000);
    let secret = secret(key, &hook.organization_id, hook.version);
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("webhook-id", id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            signature(&secret, &id, timestamp, &body),
        ),
    ];
    sender.post(&hook.url, &headers, &body).await
}
