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

/// One failure charged to the counter `?2` of organization `?1` at `?3`, the count starting
/// over when the last failure is `?4` old or older, answering the counter as it then stands;
/// `{only_if}` is a condition the charge waits on (`1` for none). SQLite evaluates every SET
/// expression with the row's old values.
fn charge_sql(only_if: &str) -> String {
    format!(
        "INSERT INTO attempt_counters (organization_id, key, failures, last_at, prev_at) \
         SELECT ?1, ?2, 1, ?3, NULL WHERE {only_if} ON CONFLICT (organization_id, key) DO UPDATE SET \
         failures = CASE WHEN last_at + ?4 <= ?3 THEN 1 ELSE failures + 1 END, \
         prev_at = CASE WHEN last_at + ?4 <= ?3 THEN NULL ELSE last_at END, \
         last_at = ?3 RETURNING failures, prev_at"
    )
}

/// The counter a charge answered, if it was charged.
fn charged(result: &worker::D1Result) -> StoreResult<Option<AttemptCounter>> {
    Ok(result
        .results::<Row>()
        .map_err(db_err)?
        .into_iter()
        .next()
        .map(|row| AttemptCounter {
            failures: row.failures as u32,
            previous_at: row.prev_at.map(|t| t as i64),
        }))
}

fn not_returned() -> latchkey_core::Error {
    latchkey_core::Error::Internal("attempt counter not returned".into())
}

impl AttemptStore for D1Store {
    async fn charge_attempts(
        &self,
        org_id: &str,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<Vec<AttemptCounter>> {
        let sql = charge_sql("1");
        let stmts = keys
            .iter()
            .map(|key| self.stmt(&sql, &[s(org_id), s(key), n(now), n(window_ms)]))
            .collect::<StoreResult<Vec<_>>>()?;
        self.batch(stmts)
            .await?
            .iter()
            .map(|r| charged(r)?.ok_or_else(not_returned))
            .collect()
    }

    /// One round trip: the address's charge, then each key's, which only happens while the
    /// address's counter (as the first statement left it) is within its limit.
    async fn charge_behind_address(
        &self,
        org_id: &str,
        address: &str,
        address_window_ms: i64,
        address_limit: u32,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<(AttemptCounter, Option<Vec<AttemptCounter>>)> {
        let mut stmts = vec![self.stmt(
            &charge_sql("1"),
            &[s(org_id), s(address), n(now), n(address_window_ms)],
        )?];
        let behind = charge_sql(
            "(SELECT failures FROM attempt_counters WHERE organization_id = ?1 AND key = ?5) <= ?6",
        );
        for key in keys {
            stmts.push(self.stmt(
                &behind,
                &[
                    s(org_id),
                    s(key),
                    n(now),
                    n(window_ms),
                    s(address),
                    n(address_limit.into()),
                ],
            )?);
        }
        let answers = self.batch(stmts).await?;
        let (first, rest) = answers.split_first().ok_or_else(not_returned)?;
        let by_address = charged(first)?.ok_or_else(not_returned)?;
        let by_keys = rest
            .iter()
            .map(charged)
            .collect::<StoreResult<Option<Vec<_>>>>()?;
        Ok((by_address, by_keys))
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
