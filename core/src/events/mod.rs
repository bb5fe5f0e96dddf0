//! Security events (seed 000's "log events"): lockouts, throttled addresses, breached
//! passwords, refresh-token reuse, logins from a new device or country or at an impossible
//! speed, and administrative changes (keys, roles, permissions, users, applications, the
//! organization, the webhook). Each is kept per organization, listed by
//! `GET /api/v1/security-events`, and, where the organization set a webhook, delivered to it
//! signed ([`webhook`]) with retries.

pub mod webhook;

use serde_json::{Map, Value};

use crate::api::{DeliveryView, SecurityEventList, SecurityEventView, WebhookView};
use crate::model::{ClientInfo, Delivery, Page, SecurityEvent, Webhook};
use crate::store::EventStore;
use crate::time::rfc3339;
use crate::Error;

/// The stable names of events.
pub mod kinds {
    /// A login id was locked: too many failures from one address, or from anywhere.
    pub const LOGIN_LOCKED: &str = "login.locked";
    /// An address passed its hourly failure limit across login ids.
    pub const ADDRESS_THROTTLED: &str = "address.throttled";
    /// A password in known breaches: refused as a new password, or found at login.
    pub const PASSWORD_BREACHED: &str = "password.breached";
    /// A password was set again through a reset link.
    pub const PASSWORD_RESET: &str = "password.reset";
    /// A user said a login was not theirs, from its alert's link; its session was signed out.
    pub const LOGIN_DISOWNED: &str = "login.disowned";
    /// A spent refresh token was presented again; its session was revoked.
    pub const REFRESH_TOKEN_REUSED: &str = "refresh_token.reused";
    pub const LOGIN_NEW_DEVICE: &str = "login.new_device";
    pub const LOGIN_NEW_COUNTRY: &str = "login.new_country";
    pub const LOGIN_IMPOSSIBLE_TRAVEL: &str = "login.impossible_travel";
    /// A passkey was registered to an account.
    pub const PASSKEY_ADDED: &str = "passkey.added";
    /// A passkey was deleted, by its user or an administrator.
    pub const PASSKEY_REMOVED: &str = "passkey.removed";
    /// A passkey's signature counter did not grow: possibly a cloned authenticator.
    pub const PASSKEY_COUNTER_REGRESSED: &str = "passkey.counter_regressed";
    /// A second factor was confirmed on an account.
    pub const MFA_ADDED: &str = "mfa.added";
    /// A second factor was removed, by its user or an administrator.
    pub const MFA_REMOVED: &str = "mfa.removed";
    /// A user's backup codes were replaced.
    pub const MFA_BACKUP_CODES_REPLACED: &str = "mfa.backup_codes_replaced";
}

/// The event a risk flag on a successful login raises, if any.
pub fn kind_of_flag(flag: &str) -> Option<&'static str> {
    match flag {
        "new_device" => Some(kinds::LOGIN_NEW_DEVICE),
        "new_country" => Some(kinds::LOGIN_NEW_COUNTRY),
        "impossible_travel" => Some(kinds::LOGIN_IMPOSSIBLE_TRAVEL),
        _ => None,
    }
}

/// Kinds are lower-case words joined by dots and underscores.
pub fn valid_kind(kind: &str) -> bool {
    (1..=64).contains(&kind.len())
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
}

/// A new event of `kind` in `organization_id`, to fill in and [`emit`].
pub fn event(organization_id: &str, kind: &str, now: i64) -> SecurityEvent {
    SecurityEvent {
        id: 0,
        organization_id: organization_id.to_owned(),
        created_at: now,
        kind: kind.to_owned(),
        actor: None,
        user_id: None,
        ip: None,
        detail: Map::new(),
        delivery: Delivery::NONE,
    }
}

impl SecurityEvent {
    pub fn actor(mut self, actor: &str) -> Self {
        self.actor = (!actor.is_empty()).then(|| actor.to_owned());
        self
    }

    pub fn user(mut self, user_id: Option<&str>) -> Self {
        self.user_id = user_id.map(str::to_owned);
        self
    }

    pub fn ip(mut self, ip: Option<&str>) -> Self {
        self.ip = ip.map(str::to_owned);
        self
    }

    /// The request's address, and where the edge placed it.
    pub fn client(mut self, client: &ClientInfo) -> Self {
        self.ip = client.ip.clone();
        for (k, v) in [("country", &client.country), ("city", &client.city)] {
            if let Some(v) = v {
                self.detail.insert(k.to_owned(), Value::from(v.as_str()));
            }
        }
        self
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.to_owned(), value.into());
        self
    }
}

/// Stores an event (and queues its delivery where the organization has a webhook).
pub async fn emit(store: &impl EventStore, event: SecurityEvent) -> Result<(), Error> {
    store.append_event(&event).await
}

/// An event as the API shows it.
pub fn view(e: SecurityEvent) -> SecurityEventView {
    SecurityEventView {
        id: e.id,
        kind: e.kind,
        created_at: rfc3339(e.created_at),
        actor: e.actor,
        user_id: e.user_id,
        ip: e.ip,
        detail: e.detail,
        delivery: DeliveryView {
            state: e.delivery.state,
            attempts: e.delivery.attempts,
            next_attempt_at: e.delivery.next_attempt_at.map(rfc3339),
            last_error: e.delivery.last_error,
        },
    }
}

/// `GET /api/v1/security-events`: the organization's events, newest first.
pub async fn list(
    store: &impl EventStore,
    org_id: &str,
    kind: Option<&str>,
    page: Page,
) -> Result<SecurityEventList, Error> {
    let kind = kind.map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = kind {
        if !valid_kind(k) {
            return Err(Error::invalid_field(
                "INVALID_KIND",
                "kind: lower-case letters, dots and underscores, at most 64",
            ));
        }
    }
    let (events, total) = store.list_events(org_id, kind, page).await?;
    Ok(SecurityEventList {
        events: events.into_iter().map(view).collect(),
        total_count: total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// A webhook as the API shows it, with its secret where it was just set.
fn webhook_view(w: Webhook, secret: Option<String>) -> WebhookView {
    WebhookView {
        url: w.url,
        version: w.version,
        updated_at: rfc3339(w.updated_at),
        secret,
    }
}

/// `GET /api/v1/security-events/webhook`: never the secret.
pub async fn get_webhook(store: &impl EventStore, org_id: &str) -> Result<WebhookView, Error> {
    let w = store.get_webhook(org_id).await?.ok_or(Error::NotFound)?;
    Ok(webhook_view(w, None))
}

/// `PUT /api/v1/security-events/webhook`: sets the URL and answers the new signing secret,
/// once. `key` is the `WEBHOOK_KEY` secret; `allow_loopback_http` lets development send to
/// a local `http://` receiver.
pub async fn set_webhook(
    store: &impl EventStore,
    key: &[u8],
    org_id: &str,
    actor: &str,
    url: &str,
    allow_loopback_http: bool,
    now: i64,
) -> Result<WebhookView, Error> {
    let url = webhook::validate_url(url, allow_loopback_http)?;
    let w = store.set_webhook(org_id, &url, now).await?;
    emit(
        store,
        event(org_id, "webhook.set", now)
            .actor(actor)
            .detail("url", url.as_str())
            .detail("version", w.version),
    )
    .await?;
    let secret = webhook::display_secret(&webhook::secret(key, org_id, w.version));
    Ok(webhook_view(w, Some(secret)))
}

/// `DELETE /api/v1/security-events/webhook`.
pub async fn delete_webhook(
    store: &impl EventStore,
    org_id: &str,
    actor: &str,
    now: i64,
) -> Result<(), Error> {
    if !store.delete_webhook(org_id).await? {
        return Err(Error::NotFound);
    }
    emit(store, event(org_id, "webhook.deleted", now).actor(actor)).await
}

#[cfg(test)]
mod tests;
