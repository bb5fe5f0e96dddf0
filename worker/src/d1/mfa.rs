//! Second factors and backup codes on D1.

use latchkey_core::model::MfaFactor;
use latchkey_core::store::{MfaStore, StoreResult};
use serde::Deserialize;

use super::{n, s, D1Store};

pub(super) const COLS: &str =
    "id, organization_id, user_id, kind, name, secret, confirmed_at, last_used_step, \
                    created_at, last_used_at";

#[derive(Deserialize)]
pub(super) struct Row {
    id: String,
    organization_id: String,
    user_id: String,
    kind: String,
    name: String,
    secret: String,
    confirmed_at: Option<f64>,
    last_used_step: Option<f64>,
    created_at: f64,
    last_used_at: Option<f64>,
}

impl From<Row> for MfaFactor {
    fn from(r: Row) -> Self {
        MfaFactor {
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            kind: r.kind,
            name: r.name,
            secret: r.secret,
            confirmed_at: r.confirmed_at.map(|v| v as i64),
            last_used_step: r.last_used_step.map(|v| v as i64),
            created_at: r.created_at as i64,
            last_used_at: r.last_used_at.map(|v| v as i64),
        }
    }
}

impl MfaStore for D1Store {
    async fn insert_pending_factor(&self, f: &MfaFactor) -> StoreResult<()> {
        let stmts = vec![
            self.stmt(
                "DELETE FROM mfa_factors WHERE organization_id = ?1 AND user_id = ?2 AND confirmed_at IS NULL",
                &[s(&f.organization_id), s(&f.user_id)],
            )?,
            self.stmt(
                &format!(
                    "INSERT INTO mfa_factors ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, ?7, NULL)"
                ),
                &[
                    s(&f.id),
                    s(&f.organization_id),
                    s(&f.user_id),
                    s(&f.kind),
                    s(&f.name),
                    s(&f.secret),
                    n(f.created_at),
                ],
            )?,
        ];
        self.batch(stmts).await?;
        Ok(())
    }

    async fn user_factors(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<MfaFactor>> {
        let rows = self
            .all::<Row>(
                &format!(
                    "SELECT {COLS} FROM mfa_factors WHERE organization_id = ?1 AND user_id = ?2 \
                     ORDER BY created_at, id"
                ),
                &[s(org_id), s(user_id)],
            )
            .await?;
        Ok(rows.into_iter().map(MfaFactor::from).collect())
    }

    async fn confirm_factor(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool> {
        self.run(
            "UPDATE mfa_factors SET confirmed_at = ?4, last_used_step = ?5, last_used_at = ?4 \
             WHERE organization_id = ?1 AND user_id = ?2 AND id = ?3 AND confirmed_at IS NULL",
            &[s(org_id), s(user_id), s(id), n(now), n(step)],
        )
        .await
    }

    async fn use_factor_step(
        &self,
        org_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool> {
        // One statement: of racing requests with codes of the same step, one wins.
        self.run(
            "UPDATE mfa_factors SET last_used_step = ?3, last_used_at = ?4 \
             WHERE organization_id = ?1 AND id = ?2 AND confirmed_at IS NOT NULL \
             AND (last_used_step IS NULL OR last_used_step < ?3)",
            &[s(org_id), s(id), n(step), n(now)],
        )
        .await
    }

    async fn reseal_factor(&self, org_id: &str, id: &str, secret: &str) -> StoreResult<()> {
        self.run(
            "UPDATE mfa_factors SET secret = ?3 WHERE organization_id = ?1 AND id = ?2",
            &[s(org_id), s(id), s(secret)],
        )
        .await?;
        Ok(())
    }

    async fn delete_factor(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM mfa_factors WHERE organization_id = ?1 AND user_id = ?2 AND id = ?3",
            &[s(org_id), s(user_id), s(id)],
        )
        .await
    }

    async fn replace_backup_codes(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
        now: i64,
    ) -> StoreResult<()> {
        let mut stmts = vec![self.stmt(
            "DELETE FROM mfa_backup_codes WHERE organization_id = ?1 AND user_id = ?2",
            &[s(org_id), s(user_id)],
        )?];
        for h in code_hashes {
            stmts.push(self.stmt(
                "INSERT INTO mfa_backup_codes (code_hash, organization_id, user_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                &[s(h), s(org_id), s(user_id), n(now)],
            )?);
        }
        self.batch(stmts).await?;
        Ok(())
    }

    async fn use_backup_code(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
    ) -> StoreResult<bool> {
        let mut deleted = false;
        // One statement per key's hash (one key outside a rotation): the DELETE is the test,
        // so of racing requests with the same code exactly one deletes it.
        for h in code_hashes {
            deleted |= self
                .run(
                    "DELETE FROM mfa_backup_codes WHERE code_hash = ?1 AND organization_id = ?2 AND user_id = ?3",
                    &[s(h), s(org_id), s(user_id)],
                )
                .await?;
            if deleted {
                break;
            }
        }
        Ok(deleted)
    }

    async fn backup_codes_left(&self, org_id: &str, user_id: &str) -> StoreResult<u32> {
        let n = self
            .count(
                "SELECT COUNT(*) AS n FROM mfa_backup_codes WHERE organization_id = ?1 AND user_id = ?2",
                &[s(org_id), s(user_id)],
            )
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
