//! API keys.

use super::*;

impl ApiKeyStore for MemoryStore {
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        self.data.borrow_mut().keys.push(key.clone());
        Ok(())
    }

    async fn get_api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self
            .data
            .borrow()
            .keys
            .iter()
            .find(|k| k.prefix == prefix)
            .cloned())
    }

    async fn list_api_keys(&self, org_id: &str) -> StoreResult<Vec<ApiKey>> {
        let d = self.data.borrow();
        Ok(d.keys
            .iter()
            .rev()
            .filter(|k| k.organization_id == org_id)
            .cloned()
            .collect())
    }

    async fn revoke_api_key(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let another_unrestricted = d.keys.iter().any(|k| {
            k.organization_id == org_id && k.id != id && k.permissions.is_none() && k.is_active(now)
        });
        match d
            .keys
            .iter_mut()
            .find(|k| k.organization_id == org_id && k.id == id && k.revoked_at.is_none())
            .filter(|k| k.permissions.is_some() || another_unrestricted)
        {
            Some(k) => {
                k.revoked_at = Some(now);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
