//! Registrations of users for applications.

use super::*;

impl RegistrationStore for MemoryStore {
    async fn register(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let same_org = d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
            && d.apps
                .iter()
                .any(|a| a.id == application_id && a.organization_id == org_id);
        if !same_org
            || d.registrations
                .iter()
                .any(|(u, r)| u == user_id && r.application_id == application_id)
        {
            return Ok(false);
        }
        d.registrations.push((
            user_id.to_owned(),
            Registration {
                application_id: application_id.to_owned(),
                created_at: now,
            },
        ));
        Ok(true)
    }

    async fn unregister(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if !d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
        {
            return Ok(false);
        }
        Ok(remove(&mut d.registrations, |(u, r)| {
            u == user_id && r.application_id == application_id
        }))
    }

    async fn registrations(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Registration>> {
        let d = self.data.borrow();
        if !d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
        {
            return Ok(Vec::new());
        }
        Ok(d.registrations
            .iter()
            .filter(|(u, _)| u == user_id)
            .map(|(_, r)| r.clone())
            .collect())
    }

    async fn is_registered(&self, user_id: &str, application_id: &str) -> StoreResult<bool> {
        let d = self.data.borrow();
        Ok(d.registrations
            .iter()
            .any(|(u, r)| u == user_id && r.application_id == application_id))
    }
}
