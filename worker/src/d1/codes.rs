use latchkey_core::model::{OneTimeCode, Registration};
use latchkey_core::store::{CodeStore, RegistrationStore, StoreResult};
use serde::Deserialize;

use super::{n, opt, s, D1Store};

impl RegistrationStore for D1Store {
    async fn register(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        // Both must belong to the organization, or nothing is inserted.
        self.run(
            "INSERT OR IGNORE INTO registrations (user_id, application_id, created_at) \
             SELECT u.id, a.id, ?4 FROM users u JOIN applications a ON a.organization_id = u.organization_id \
             WHERE u.organization_id = ?1 AND u.id = ?2 AND a.id = ?3",
            &[s(org_id), s(user_id), s(application_id), n(now)],
        )
        .await
    }

    async fn unregister(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
    ) -> StoreResult<bool> {
        self.run(
            "DELETE FROM registrations WHERE application_id = ?3 \
             AND user_id = (SELECT id FROM users WHERE organization_id = ?1 AND id = ?2)",
            &[s(org_id), s(user_id), s(application_id)],
        )
        .await
    }

    async fn registrations(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Registration>> {
        #[derive(Deserialize)]
        struct Row {
            application_id: String,
            created_at: f64,
        }
        let rows = self
            .all::<Row>(
                "SELECT r.application_id, r.created_at FROM registrations r JOIN users u ON u.id = r.user_id \
                 WHERE u.organization_id = ?1 AND u.id = ?2 ORDER BY r.created_at, r.application_id",
                &[s(org_id), s(user_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Registration {
                application_id: r.application_id,
                created_at: r.created_at as i64,
            })
            .collect())
    }

    async fn is_registered(&self, user_id: &str, application_id: &str) -> StoreResult<bool> {
        let n = self
            .count(
                "SELECT COUNT(*) AS n FROM registrations WHERE user_id = ?1 AND application_id = ?2",
                &[s(user_id), s(application_id)],
            )
            .await?;
        Ok(n > 0)
    }
}

const CODE_COLS: &str =
    "code_hash, purpose, organization_id, user_id, data, created_at, expires_at, attempts";

#[derive(Deserialize)]
struct CodeRow {
    code_hash: String,
    purpose: String,
    organization_id: String,
    user_id: String,
    data: Option<String>,
    created_at: f64,
    expires_at: f64,
    attempts: f64,
}

impl CodeRow {
    fn code(self) -> OneTimeCode {
        OneTimeCode {
            code_hash: self.code_hash,
            purpose: self.purpose,
            organization_id: self.organization_id,
            user_id: self.user_id,
            data: self.data,
            created_at: self.created_at as i64,
            expires_at: self.expires_at as i64,
        }
    }
}

impl CodeStore for D1Store {
    async fn insert_code(&self, c: &OneTimeCode) -> StoreResult<()> {
        self.run(
            "INSERT INTO one_time_codes (code_hash, purpose, organization_id, user_id, data, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                s(&c.code_hash),
                s(&c.purpose),
                s(&c.organization_id),
                s(&c.user_id),
                opt(c.data.as_deref()),
                n(c.created_at),
                n(c.expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn upsert_code(&self, c: &OneTimeCode) -> StoreResult<()> {
        // REPLACE deletes the old row first, so its attempts start over at 0.
        self.run(
            "INSERT OR REPLACE INTO one_time_codes (code_hash, purpose, organization_id, user_id, data, created_at, expires_at, attempts) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
            &[
                s(&c.code_hash),
                s(&c.purpose),
                s(&c.organization_id),
                s(&c.user_id),
                opt(c.data.as_deref()),
                n(c.created_at),
                n(c.expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn consume_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>> {
        // One statement: of racing requests, exactly one gets the row back.
        let row = self
            .first::<CodeRow>(
                &format!(
                    "DELETE FROM one_time_codes WHERE code_hash = ?1 AND purpose = ?2 AND expires_at > ?3 \
                     RETURNING {CODE_COLS}"
                ),
                &[s(code_hash), s(purpose), n(now)],
            )
            .await?;
        Ok(row.map(|r| r.code()))
    }

    async fn find_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>> {
        let row = self
            .first::<CodeRow>(
                &format!(
                    "SELECT {CODE_COLS} FROM one_time_codes \
                     WHERE code_hash = ?1 AND purpose = ?2 AND expires_at > ?3"
                ),
                &[s(code_hash), s(purpose), n(now)],
            )
            .await?;
        Ok(row.map(|r| r.code()))
    }

    async fn charge_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
        max_attempts: u32,
    ) -> StoreResult<Option<(OneTimeCode, u32)>> {
        // One statement: the count only grows while under the limit, so racing attempts
        // beyond it get no row back.
        let row = self
            .first::<CodeRow>(
                &format!(
                    "UPDATE one_time_codes SET attempts = attempts + 1 \
                     WHERE code_hash = ?1 AND purpose = ?2 AND expires_at > ?3 AND attempts < ?4 \
                     RETURNING {CODE_COLS}"
                ),
                &[s(code_hash), s(purpose), n(now), n(max_attempts.into())],
            )
            .await?;
        Ok(row.map(|r| {
            let attempts = r.attempts as u32;
            (r.code(), attempts)
        }))
    }

    async fn delete_user_codes(
        &self,
        org_id: &str,
        user_id: &str,
        purpose: &str,
    ) -> StoreResult<u32> {
        let r = self
            .exec(self.stmt(
                "DELETE FROM one_time_codes WHERE organization_id = ?1 AND user_id = ?2 AND purpose = ?3",
                &[s(org_id), s(user_id), s(purpose)],
            )?)
            .await?;
        Ok(u32::try_from(super::changes(&r)).unwrap_or(u32::MAX))
    }

    async fn prune_codes(&self, now: i64) -> StoreResult<u32> {
        let r = self
            .exec(self.stmt(
                "DELETE FROM one_time_codes WHERE expires_at <= ?1",
                &[n(now)],
            )?)
            .await?;
        Ok(u32::try_from(super::changes(&r)).unwrap_or(u32::MAX))
    }
}
