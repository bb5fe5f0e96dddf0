//! Organizations.

use super::*;

fn domain_taken() -> Error {
    Error::conflict(
        "DOMAIN_TAKEN",
        "this custom domain belongs to another organization",
    )
}

impl OrgStore for MemoryStore {
    async fn insert_org(&self, org: &Organization, first_key: &ApiKey) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if d.domain_taken(&org.custom_domain, &org.id) {
            return Err(domain_taken());
        }
        d.orgs.push(org.clone());
        d.keys.push(first_key.clone());
        Ok(())
    }

    async fn get_org(&self, id: &str) -> StoreResult<Option<Organization>> {
        Ok(self.data.borrow().orgs.iter().find(|o| o.id == id).cloned())
    }

    async fn get_org_by_domain(&self, domain: &str) -> StoreResult<Option<Organization>> {
        let d = self.data.borrow();
        Ok(d.orgs
            .iter()
            .find(|o| o.custom_domain.as_deref() == Some(domain))
            .cloned())
    }

    async fn list_orgs(&self, page: Page) -> StoreResult<(Vec<Organization>, u64)> {
        Ok(paged(self.data.borrow().orgs.iter().cloned(), page))
    }

    async fn update_org(&self, org: &Organization) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if d.domain_taken(&org.custom_domain, &org.id) {
            return Err(domain_taken());
        }
        Ok(replace(&mut d.orgs, |o| o.id == org.id, org.clone()))
    }

    async fn delete_org(&self, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let user_ids: Vec<String> = d
            .users
            .iter()
            .filter(|u| u.organization_id == id)
            .map(|u| u.id.clone())
            .collect();
        d.user_roles.retain(|(u, _)| !user_ids.contains(u));
        let session_ids: Vec<String> = d
            .sessions
            .iter()
            .filter(|s| s.organization_id == id)
            .map(|s| s.id.clone())
            .collect();
        d.refresh_tokens
            .retain(|t| !session_ids.contains(&t.token.session_id));
        d.sessions.retain(|s| s.organization_id != id);
        let keep: Vec<bool> = d.records.iter().map(|r| r.organization_id != id).collect();
        d.retain_records(|i, _| keep[i]);
        d.checkpoints.retain(|(o, _)| o != id);
        d.connections.retain(|c| c.organization_id != id);
        d.identities.retain(|i| i.organization_id != id);
        d.counters.remove(id);
        d.attempts.retain(|(o, _), _| o != id);
        d.events.retain(|e| e.organization_id != id);
        d.webhooks.remove(id);
        d.templates.retain(|(o, _), _| o != id);
        d.passkeys.retain(|p| p.organization_id != id);
        d.mfa_factors.retain(|f| f.organization_id != id);
        d.backup_codes.retain(|(o, _, _)| o != id);
        d.keys.retain(|k| k.organization_id != id);
        d.apps.retain(|a| a.organization_id != id);
        d.users.retain(|u| u.organization_id != id);
        d.roles.retain(|r| r.organization_id != id);
        d.permissions.retain(|p| p.organization_id != id);
        Ok(remove(&mut d.orgs, |o| o.id == id))
    }
}
