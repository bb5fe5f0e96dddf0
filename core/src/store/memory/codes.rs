//! Single-use codes.

use super::*;

impl CodeStore for MemoryStore {
    async fn insert_code(&self, code: &OneTimeCode) -> StoreResult<()> {
        self.data.borrow_mut().codes.push(code.clone());
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
}
