//! Security events and webhooks.

use super::*;

impl EventStore for MemoryStore {
    async fn append_event(&self, event: &SecurityEvent) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        let mut e = event.clone();
        e.id = d.events.last().map_or(1, |x| x.id + 1);
        e.delivery = if d.webhooks.contains_key(&e.organization_id) {
            Delivery {
                state: DeliveryState::Pending,
                attempts: 0,
                next_attempt_at: Some(e.created_at),
                last_error: None,
            }
        } else {
            Delivery::NONE
        };
        d.events.push(e);
        Ok(())
    }

    async fn list_events(
        &self,
        org_id: &str,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<SecurityEvent>, u64)> {
        let d = self.data.borrow();
        let matching = d
            .events
            .iter()
            .rev()
            .filter(|e| e.organization_id == org_id && kind.is_none_or(|k| e.kind == k))
            .cloned();
        Ok(paged(matching, page))
    }

    async fn get_webhook(&self, org_id: &str) -> StoreResult<Option<Webhook>> {
        Ok(self.data.borrow().webhooks.get(org_id).cloned())
    }

    async fn set_webhook(&self, org_id: &str, url: &str, now: i64) -> StoreResult<Webhook> {
        let mut d = self.data.borrow_mut();
        let version = d.webhooks.get(org_id).map_or(1, |w| w.version + 1);
        let w = Webhook {
            organization_id: org_id.to_owned(),
            url: url.to_owned(),
            version,
            updated_at: now,
        };
        d.webhooks.insert(org_id.to_owned(), w.clone());
        Ok(w)
    }

    async fn delete_webhook(&self, org_id: &str) -> StoreResult<bool> {
        Ok(self.data.borrow_mut().webhooks.remove(org_id).is_some())
    }

    async fn claim_deliveries(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> StoreResult<Vec<(SecurityEvent, Option<Webhook>)>> {
        let mut d = self.data.borrow_mut();
        let mut claimed = Vec::new();
        for e in d.events.iter_mut() {
            if claimed.len() as u32 >= limit {
                break;
            }
            let due = e.delivery.state == DeliveryState::Pending
                && e.delivery.next_attempt_at.is_some_and(|t| t <= now);
            if due {
                e.delivery.next_attempt_at = Some(lease_until);
                claimed.push(e.clone());
            }
        }
        Ok(claimed
            .into_iter()
            .map(|e| {
                let hook = d.webhooks.get(&e.organization_id).cloned();
                (e, hook)
            })
            .collect())
    }

    async fn record_delivery(&self, event_id: i64, delivery: &Delivery) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(e) = d.events.iter_mut().find(|e| e.id == event_id) {
            e.delivery = delivery.clone();
        }
        Ok(())
    }
}
