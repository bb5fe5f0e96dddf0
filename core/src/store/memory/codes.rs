//! Single-use codes.

use super::*;

impl CodeStore for MemoryStore {
    async fn insert_code(&self, code: &OneTimeCode) -> StoreResult<()> {
        self.data.borrow_mut().codes.push(code.clone());
        Ok(())
    }

    async fn upsert_code(&self, code: &OneTimeCode) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.codes.retain(|c| c.code_hash != code.code_hash);
        d.code_attempts.remove(&code.code_hash);
        d.codes.push(code.clone());
        Ok(())
    }

    async fn consume_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>> {
        let mut d = self.data.borrow_mut();
        let Some(i) = d
            .codes
            .iter()
            .position(|c| c.code_hash == code_hash && c.purpose == purpose && c.expires_at > now)
        else {
            return Ok(None);
        };
        Ok(Some(d.codes.remove(i)))
    }

    async fn prune_codes(&self, now: i64) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let n = d.codes.len();
        d.codes.retain(|c| c.expires_at > now);
        Ok((n - d.codes.len()) as u32)
    }

    async fn find_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>> {
        let d = self.data.borrow();
        Ok(d.codes
            .iter()
            .find(|c| c.code_hash == code_hash && c.purpose == purpose && c.expires_at > now)
            .cloned())
    }

    async fn charge_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
        max_attempts: u32,
    ) -> StoreResult<Option<(OneTimeCode, u32)>> {
        let mut d = self.data.borrow_mut();
        let Some(code) = d
            .codes
            .iter()
            .find(|c| c.code_hash == code_hash && c.purpose == purpose && c.expires_at > now)
            .cloned()
        else {
            return Ok(None);
        };
        let attempts = d.code_attempts.entry(code_hash.to_owned()).or_insert(0);
        if *attempts >= max_attempts {
            return Ok(None);
        }
        *attempts += 1;
        Ok(Some((code, *attempts)))
    }

    async fn delete_user_codes(
        &self,
        org_id: &str,
        user_id: &str,
        purpose: &str,
    ) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let n = d.codes.len();
        d.codes.retain(|c| {
            !(c.organization_id == org_id && c.user_id == user_id && c.purpose == purpose)
        });
        Ok((n - d.codes.len()) as u32)
    }
}
