//! Brute-force counters: one upsert per key, all in one batch, each answering the counter as
//! it then stands, so concurrent attempts are counted exactly.

use latchkey_core::model::AttemptCounter;
use latchkey_core::store::{AttemptStore, StoreResult};
use serde::Deserialize;

use super::{db_err, n, s, D1Store};

#[derive(Deserialize)]
struct Row {
    failures: f64,
    prev_at: Option<f64>,
}

impl AttemptStore for D1Store {
    async fn charge_attempts(
        &self,
        org_id: &str,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<Vec<AttemptCounter>> {
        // SQLite evaluates every SET expression with the row's old values.
        let stmts = keys
            .iter()
            .map(|key| {
                self.stmt(
                    "INSERT INTO attempt_counters (organization_id, key, failures, last_at, prev_at) \
                     VALUES (?1, ?2, 1, ?3, NULL) ON CONFLICT (organization_id, key) DO UPDATE SET \
                     failures = CASE WHEN last_at + ?4 <= ?3 THEN 1 ELSE failures + 1 END, \
                     prev_at = CASE WHEN last_at + ?4 <= ?3 THEN NULL ELSE last_at END, \
                     last_at = ?3 RETURNING failures, prev_at",
                    &[s(org_id), s(key), n(now), n(window_ms)],
                )
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let mut out = Vec::with_capacity(keys.len());
        for result in self.batch(stmts).await? {
            let row = result
                .results::<Row>()
                .map_err(db_err)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    latchkey_core::Error::Internal("attempt counter not returned".into())
                })?;
            out.push(AttemptCounter {
                failures: row.failures as u32,
                previous_at: row.prev_at.map(|t| t as i64),
            });
        }
        Ok(out)
    }

    async fn clear_attempts(
        &self,
        org_id: &str,
        prefixes: &[String],
        refunds: &[String],
    ) -> StoreResult<()> {
        let clear = prefixes.iter().map(|p| {
            // A prefix match without LIKE's wildcards: keys are hex, ':' and an address.
            self.stmt(
                "DELETE FROM attempt_counters WHERE organization_id = ?1 AND substr(key, 1, length(?2)) = ?2",
                &[s(org_id), s(p)],
            )
        });
        let refund = refunds.iter().map(|k| {
            self.stmt(
                "UPDATE attempt_counters SET failures = max(failures - 1, 0) \
                 WHERE organization_id = ?1 AND key = ?2",
                &[s(org_id), s(k)],
            )
        });
        // Nobody reads what they answer: they go with the request's next round trip.
        self.write_later(clear.chain(refund).collect::<StoreResult<Vec<_>>>()?);
        Ok(())
    }

    async fn prune_attempts(&self, before: i64) -> StoreResult<u32> {
        let r = self
            .exec(self.stmt(
                "DELETE FROM attempt_counters WHERE last_at < ?1",
                &[n(before)],
            )?)
            .await?;
        Ok(u32::try_from(super::changes(&r)).unwrap_or(u32::MAX))
    }
}
