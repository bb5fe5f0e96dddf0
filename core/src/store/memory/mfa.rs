//! Second factors and backup codes.

use super::*;

impl MfaStore for MemoryStore {
    async fn insert_pending_factor(&self, factor: &MfaFactor) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.mfa_factors.retain(|f| {
            !(f.organization_id == factor.organization_id
                && f.user_id == factor.user_id
                && f.confirmed_at.is_none())
        });
        d.mfa_factors.push(factor.clone());
        Ok(())
    }

    async fn user_factors(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<MfaFactor>> {
        let d = self.data.borrow();
        Ok(d.mfa_factors
            .iter()
            .filter(|f| f.organization_id == org_id && f.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn confirm_factor(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let Some(f) = d.mfa_factors.iter_mut().find(|f| {
            f.organization_id == org_id
                && f.user_id == user_id
                && f.id == id
                && f.confirmed_at.is_none()
        }) else {
            return Ok(false);
        };
        f.confirmed_at = Some(now);
        f.last_used_step = Some(step);
        f.last_used_at = Some(now);
        Ok(true)
    }

    async fn use_factor_step(
        &self,
        org_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let Some(f) = d.mfa_factors.iter_mut().find(|f| {
            f.organization_id == org_id
                && f.id == id
                && f.confirmed_at.is_some()
                && f.last_used_step.is_none_or(|used| used < step)
        }) else {
            return Ok(false);
        };
        f.last_used_step = Some(step);
        f.last_used_at = Some(now);
        Ok(true)
    }

    async fn reseal_factor(&self, org_id: &str, id: &str, secret: &str) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(f) = d
            .mfa_factors
            .iter_mut()
            .find(|f| f.organization_id == org_id && f.id == id)
        {
            f.secret = secret.to_owned();
        }
        Ok(())
    }

    async fn delete_factor(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        Ok(remove(&mut d.mfa_factors, |f| {
            f.organization_id == org_id && f.user_id == user_id && f.id == id
        }))
    }

    async fn replace_backup_codes(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
        _now: i64,
    ) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.backup_codes
            .retain(|(o, u, _)| !(o == org_id && u == user_id));
        for h in code_hashes {
            d.backup_codes
                .push((org_id.to_owned(), user_id.to_owned(), h.clone()));
        }
        Ok(())
    }

    async fn use_backup_code(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        Ok(remove(&mut d.backup_codes, |(o, u, h)| {
            o == org_id && u == user_id && code_hashes.contains(h)
        }))
    }

    async fn backup_codes_left(&self, org_id: &str, user_id: &str) -> StoreResult<u32> {
        let d = self.data.borrow();
        Ok(d.backup_codes
            .iter()
            .filter(|(o, u, _)| o == org_id && u == user_id)
            .count() as u32)
    }
}
