//! Brute-force counters.

use super::*;

impl AttemptStore for MemoryStore {
    async fn charge_attempts(
        &self,
        org_id: &str,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<Vec<AttemptCounter>> {
        let mut d = self.data.borrow_mut();
        Ok(keys
            .iter()
            .map(|key| {
                let slot = d
                    .attempts
                    .entry((org_id.to_owned(), key.clone()))
                    .or_insert((0, i64::MIN));
                let (failures, last) = *slot;
                let fresh = failures == 0 || last + window_ms <= now;
                *slot = (if fresh { 1 } else { failures + 1 }, now);
                AttemptCounter {
                    failures: slot.0,
                    previous_at: (!fresh).then_some(last),
                }
            })
            .collect())
    }

    async fn clear_attempts(
        &self,
        org_id: &str,
        prefixes: &[String],
        refunds: &[String],
    ) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.attempts
            .retain(|(org, key), _| org != org_id || !prefixes.iter().any(|p| key.starts_with(p)));
        for key in refunds {
            if let Some(c) = d.attempts.get_mut(&(org_id.to_owned(), key.clone())) {
                c.0 = c.0.saturating_sub(1);
            }
        }
        Ok(())
    }

    async fn prune_attempts(&self, before: i64) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let n = d.attempts.len();
        d.attempts.retain(|_, (_, last)| *last >= before);
        Ok((n - d.attempts.len()) as u32)
    }
}
