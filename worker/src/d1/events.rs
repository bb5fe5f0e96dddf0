//! Security events and webhooks. An event is queued for delivery in its own INSERT, from
//! whether the organization has a webhook at that moment; deliverers claim due events with
//! one UPDATE ... RETURNING, so two never take the same one.

use latchkey_core::model::{Delivery, DeliveryState, Page, SecurityEvent, Webhook};
use latchkey_core::store::{EventStore, StoreResult};
use serde::Deserialize;

use super::{json, n, opt, opt_n, parse_json_col, s, D1Store};

#[derive(Deserialize)]
struct Row {
    id: f64,
    organization_id: String,
    created_at: f64,
    kind: String,
    actor: Option<String>,
    user_id: Option<String>,
    ip: Option<String>,
    detail: String,
    delivery: String,
    attempts: f64,
    next_attempt_at: Option<f64>,
    last_error: Option<String>,
}

const COLS: &str = "id, organization_id, created_at, kind, actor, user_id, ip, detail, delivery, \
                    attempts, next_attempt_at, last_error";

impl TryFrom<Row> for SecurityEvent {
    type Error = latchkey_core::Error;

    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(SecurityEvent {
            id: r.id as i64,
            organization_id: r.organization_id,
            created_at: r.created_at as i64,
            kind: r.kind,
            actor: r.actor,
            user_id: r.user_id,
            ip: r.ip,
            detail: parse_json_col("detail", &r.detail)?,
            delivery: Delivery {
                state: DeliveryState::parse(&r.delivery).unwrap_or(DeliveryState::None),
                attempts: r.attempts as u32,
                next_attempt_at: r.next_attempt_at.map(|t| t as i64),
                last_error: r.last_error,
            },
        })
    }
}

#[derive(Deserialize)]
struct HookRow {
    organization_id: String,
    url: String,
    version: f64,
    updated_at: f64,
}

impl From<HookRow> for Webhook {
    fn from(r: HookRow) -> Self {
        Webhook {
            organization_id: r.organization_id,
            url: r.url,
            version: r.version as u32,
            updated_at: r.updated_at as i64,
        }
    }
}

fn events(rows: Vec<Row>) -> StoreResult<Vec<SecurityEvent>> {
    rows.into_iter().map(SecurityEvent::try_from).collect()
}

impl EventStore for D1Store {
    async fn append_event(&self, e: &SecurityEvent) -> StoreResult<()> {
        // Pending, due at once, if and only if the organization has a webhook now.
        self.run(
            "INSERT INTO security_events (organization_id, created_at, kind, actor, user_id, ip, detail, \
             delivery, next_attempt_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, \
             CASE WHEN w.organization_id IS NULL THEN 'none' ELSE 'pending' END, \
             CASE WHEN w.organization_id IS NULL THEN NULL ELSE ?2 END \
             FROM (SELECT 1) LEFT JOIN webhooks w ON w.organization_id = ?1",
            &[
                s(&e.organization_id),
                n(e.created_at),
                s(&e.kind),
                opt(e.actor.as_deref()),
                opt(e.user_id.as_deref()),
                opt(e.ip.as_deref()),
                json(&e.detail)?,
            ],
        )
        .await?;
        Ok(())
    }

    async fn list_events(
        &self,
        org_id: &str,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<SecurityEvent>, u64)> {
        let filter = "organization_id = ?1 AND (?2 IS NULL OR kind = ?2)";
        let rows = self
            .all::<Row>(
                &format!(
                    "SELECT {COLS} FROM security_events WHERE {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
                ),
                &[s(org_id), opt(kind), n(page.limit.into()), n(page.offset.into())],
            )
            .await?;
        let total = self
            .count(
                &format!("SELECT COUNT(*) AS n FROM security_events WHERE {filter}"),
                &[s(org_id), opt(kind)],
            )
            .await?;
        Ok((events(rows)?, total))
    }

    async fn get_webhook(&self, org_id: &str) -> StoreResult<Option<Webhook>> {
        Ok(self
            .first::<HookRow>(
                "SELECT organization_id, url, version, updated_at FROM webhooks WHERE organization_id = ?1",
                &[s(org_id)],
            )
            .await?
            .map(Into::into))
    }

    async fn set_webhook(&self, org_id: &str, url: &str, now: i64) -> StoreResult<Webhook> {
        self.first::<HookRow>(
            "INSERT INTO webhooks (organization_id, url, version, updated_at) VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (organization_id) DO UPDATE SET url = ?2, version = version + 1, updated_at = ?3 \
             RETURNING organization_id, url, version, updated_at",
            &[s(org_id), s(url), n(now)],
        )
        .await?
        .map(Into::into)
        .ok_or_else(|| latchkey_core::Error::Internal("webhook not returned".into()))
    }

    async fn delete_webhook(&self, org_id: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM webhooks WHERE organization_id = ?1",
            &[s(org_id)],
        )
        .await
    }

    async fn claim_deliveries(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> StoreResult<Vec<(SecurityEvent, Option<Webhook>)>> {
        let claimed = self
            .all::<Row>(
                &format!(
                    "UPDATE security_events SET next_attempt_at = ?2 WHERE id IN (\
                     SELECT id FROM security_events WHERE delivery = 'pending' AND next_attempt_at <= ?1 \
                     ORDER BY next_attempt_at LIMIT ?3) RETURNING {COLS}"
                ),
                &[n(now), n(lease_until), n(limit.into())],
            )
            .await?;
        // One look-up per organization, however many of its events were claimed.
        let mut hooks: Vec<(String, Option<Webhook>)> = Vec::new();
        let mut out = Vec::with_capacity(claimed.len());
        for e in events(claimed)? {
            let hook = match hooks.iter().find(|(org, _)| *org == e.organization_id) {
                Some((_, hook)) => hook.clone(),
                None => {
                    let hook = self.get_webhook(&e.organization_id).await?;
                    hooks.push((e.organization_id.clone(), hook.clone()));
                    hook
                }
            };
            out.push((e, hook));
        }
        Ok(out)
    }

    async fn record_delivery(&self, event_id: i64, d: &Delivery) -> StoreResult<()> {
        self.run(
            "UPDATE security_events SET delivery = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5 \
             WHERE id = ?1",
            &[
                n(event_id),
                s(d.state.as_str()),
                n(d.attempts.into()),
                opt_n(d.next_attempt_at),
                opt(d.last_error.as_deref()),
            ],
        )
        .await?;
        Ok(())
    }
}
