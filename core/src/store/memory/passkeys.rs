//! Passkeys.

use super::*;

impl PasskeyStore for MemoryStore {
    async fn insert_passkey(&self, passkey: &Passkey) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if d.passkeys
            .iter()
            .any(|p| p.credential_id == passkey.credential_id)
        {
            return Ok(false);
        }
        d.passkeys.push(passkey.clone());
        Ok(true)
    }

    async fn passkey_by_credential(
        &self,
        org_id: &str,
        credential_id: &str,
    ) -> StoreResult<Option<Passkey>> {
        let d = self.data.borrow();
        Ok(d.passkeys
            .iter()
            .find(|p| p.organization_id == org_id && p.credential_id == credential_id)
            .cloned())
    }

    async fn user_passkeys(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Passkey>> {
        let d = self.data.borrow();
        Ok(d.passkeys
            .iter()
            .filter(|p| p.organization_id == org_id && p.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn use_passkey(
        &self,
        org_id: &str,
        id: &str,
        seen_count: u32,
        sign_count: u32,
        backup_state: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let Some(p) = d
            .passkeys
            .iter_mut()
            .find(|p| p.organization_id == org_id && p.id == id && p.sign_count == seen_count)
        else {
            return Ok(false);
        };
        p.sign_count = sign_count;
        p.backup_state = backup_state;
        p.last_used_at = Some(now);
        Ok(true)
    }

    async fn rename_passkey(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let found = d
            .passkeys
            .iter_mut()
            .find(|p| p.organization_id == org_id && p.user_id == user_id && p.id == id);
        Ok(found.map(|p| p.name = name.to_owned()).is_some())
    }

    async fn delete_passkey(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let before = d.passkeys.len();
        d.passkeys
            .retain(|p| !(p.organization_id == org_id && p.user_id == user_id && p.id == id));
        Ok(d.passkeys.len() < before)
    }
}
