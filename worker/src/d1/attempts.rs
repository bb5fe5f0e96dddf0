//! Brute-force counters: one upsert per key, all in one batch, each answering the counter as
//! it then stands, so concurrent attempts are counted exactly.

use latchkey_core::model::AttemptCounter;
use latchkey_core::store::{AttemptStore, StoreResult};
use serde::Deserialize;

use worker::D1PreparedStatement;

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

/// One attempt's charges behind its address, as `AttemptStore::charge_behind_address`
/// takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Charge {
    pub org_id: String,
    pub address: String,
    pub address_window_ms: i64,
    pub address_limit: u32,
    pub keys: Vec<String>,
    pub window_ms: i64,
    pub now: i64,
}

/// What a charge answered: the address's counter, and the keys' unless the address was
/// past its limit.
pub(super) type Charged = (AttemptCounter, Option<Vec<AttemptCounter>>);

impl Charge {
    /// The address's charge, then each key's, which only happens while the address's
    /// counter (as the first statement left it) is within its limit.
    pub fn statements(&self, store: &D1Store) -> StoreResult<Vec<D1PreparedStatement>> {
        let mut stmts = vec![store.stmt(
            &charge_sql("1"),
            &[
                s(&self.org_id),
                s(&self.address),
                n(self.now),
                n(self.address_window_ms),
            ],
        )?];
        let behind = charge_sql(
            "(SELECT failures FROM attempt_counters WHERE organization_id = ?1 AND key = ?5) <= ?6",
        );
        for key in &self.keys {
            stmts.push(store.stmt(
                &behind,
                &[
                    s(&self.org_id),
                    s(key),
                    n(self.now),
                    n(self.window_ms),
                    s(&self.address),
                    n(self.address_limit.into()),
                ],
            )?);
        }
        Ok(stmts)
    }

    /// What [`Charge::statements`] answered.
    pub fn answer(answers: &[worker::D1Result]) -> StoreResult<Charged> {
        let (first, rest) = answers.split_first().ok_or_else(not_returned)?;
        let by_address = charged(first)?.ok_or_else(not_returned)?;
        let by_keys = rest
            .iter()
            .map(charged)
            .collect::<StoreResult<Option<Vec<_>>>>()?;
        Ok((by_address, by_keys))
    }
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
    /// address's counter (as the first statement left it) is within its limit; none when
    /// this very charge went with the login's reads (`D1Store::application_reading_ahead`).
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
        let charge = Charge {
            org_id: org_id.to_owned(),
            address: address.to_owned(),
            address_window_ms,
            address_limit,
            keys: keys.to_vec(),
            window_ms,
            now,
        };
        let ahead = self.charged_ahead.borrow_mut().take();
        if let Some((made, answer)) = ahead {
            if made == charge {
                return Ok(answer);
            }
        }
        let answers = self.batch(charge.statements(self)?).await?;
        Charge::answer(&answers)
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
