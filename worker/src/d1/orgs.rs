use latchkey_core::model::{
    ApiKey, AttackProtection, BreachedAtLogin, Messaging, Organization, Page,
};
use latchkey_core::store::{OrgStore, StoreResult};
use serde::Deserialize;

use super::{n, opt, s, D1Store};

#[derive(Deserialize)]
pub(super) struct Row {
    id: String,
    name: String,
    custom_domain: Option<String>,
    retention_days: f64,
    bf_ip_failures: f64,
    bf_delay_after: f64,
    bf_account_failures: f64,
    bf_lock_minutes: f64,
    bf_address_failures: f64,
    bf_breached_at_login: String,
    messaging: String,
    created_at: f64,
    updated_at: f64,
}

impl From<Row> for Organization {
    fn from(r: Row) -> Self {
        Organization {
            id: r.id,
            name: r.name,
            custom_domain: r.custom_domain,
            retention_days: r.retention_days as u32,
            attack_protection: AttackProtection {
                ip_failures: r.bf_ip_failures as u32,
                delay_after: r.bf_delay_after as u32,
                account_failures: r.bf_account_failures as u32,
                lock_minutes: r.bf_lock_minutes as u32,
                address_failures_per_hour: r.bf_address_failures as u32,
                breached_password_at_login: BreachedAtLogin::parse(&r.bf_breached_at_login),
            },
            // Unreadable settings read as the defaults, as unknown policy values do.
            messaging: latchkey_core::api::from_json(r.messaging.as_bytes()).unwrap_or_default(),
            created_at: r.created_at as i64,
            updated_at: r.updated_at as i64,
        }
    }
}

pub(super) const COLS: &str = "id, name, custom_domain, retention_days, created_at, updated_at, \
                    bf_ip_failures, bf_delay_after, bf_account_failures, bf_lock_minutes, bf_address_failures, \
                    bf_breached_at_login, messaging";

/// The attack-protection policy's values, in the order of its columns.
fn policy_args(a: &AttackProtection, m: &Messaging) -> [wasm_bindgen::JsValue; 7] {
    [
        n(a.ip_failures.into()),
        n(a.delay_after.into()),
        n(a.account_failures.into()),
        n(a.lock_minutes.into()),
        n(a.address_failures_per_hour.into()),
        s(a.breached_password_at_login.as_str()),
        s(&serde_json::to_string(m).unwrap_or_default()),
    ]
}

impl OrgStore for D1Store {
    async fn insert_org(&self, org: &Organization, first_key: &ApiKey) -> StoreResult<()> {
        let insert_org = self.stmt(
            &format!("INSERT INTO organizations ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
            &[
                [
                    s(&org.id),
                    s(&org.name),
                    opt(org.custom_domain.as_deref()),
                    n(org.retention_days.into()),
                    n(org.created_at),
                    n(org.updated_at),
                ]
                .as_slice(),
                &policy_args(&org.attack_protection, &org.messaging),
            ]
            .concat(),
        )?;
        let insert_key = super::keys::insert_stmt(self, first_key)?;
        self.batch(vec![insert_org, insert_key]).await?;
        Ok(())
    }

    async fn get_org(&self, id: &str) -> StoreResult<Option<Organization>> {
        let sql = format!("SELECT {COLS} FROM organizations WHERE id = ?1");
        Ok(self.first::<Row>(&sql, &[s(id)]).await?.map(Into::into))
    }

    async fn get_org_by_domain(&self, domain: &str) -> StoreResult<Option<Organization>> {
        let sql = format!("SELECT {COLS} FROM organizations WHERE custom_domain = ?1");
        Ok(self.first::<Row>(&sql, &[s(domain)]).await?.map(Into::into))
    }

    async fn list_orgs(&self, page: Page) -> StoreResult<(Vec<Organization>, u64)> {
        let sql = format!("SELECT {COLS} FROM organizations ORDER BY id LIMIT ?1 OFFSET ?2");
        let rows = self
            .all::<Row>(&sql, &[n(page.limit.into()), n(page.offset.into())])
            .await?;
        let total = self
            .count("SELECT COUNT(*) AS n FROM organizations", &[])
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    async fn update_org(&self, org: &Organization) -> StoreResult<bool> {
        self.run(
            "UPDATE organizations SET name = ?2, custom_domain = ?3, updated_at = ?4, retention_days = ?5, \
             bf_ip_failures = ?6, bf_delay_after = ?7, bf_account_failures = ?8, bf_lock_minutes = ?9, \
             bf_address_failures = ?10, bf_breached_at_login = ?11, messaging = ?12 WHERE id = ?1",
            &[
                [
                    s(&org.id),
                    s(&org.name),
                    opt(org.custom_domain.as_deref()),
                    n(org.updated_at),
                    n(org.retention_days.into()),
                ]
                .as_slice(),
                &policy_args(&org.attack_protection, &org.messaging),
            ]
            .concat(),
        )
        .await
    }

    async fn delete_org(&self, id: &str) -> StoreResult<bool> {
        // Children first, in one transaction.
        let sqls = [
            "DELETE FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE organization_id = ?1)",
            "DELETE FROM role_permissions WHERE role_id IN (SELECT id FROM roles WHERE organization_id = ?1)",
            "DELETE FROM roles WHERE organization_id = ?1",
            "DELETE FROM permissions WHERE organization_id = ?1",
            "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE organization_id = ?1)",
            "DELETE FROM sessions WHERE organization_id = ?1",
            "DELETE FROM registrations WHERE user_id IN (SELECT id FROM users WHERE organization_id = ?1)",
            "DELETE FROM one_time_codes WHERE organization_id = ?1",
            "DELETE FROM passkeys WHERE organization_id = ?1",
            "DELETE FROM mfa_factors WHERE organization_id = ?1",
            "DELETE FROM mfa_backup_codes WHERE organization_id = ?1",
            "DELETE FROM identities WHERE organization_id = ?1",
            "DELETE FROM connections WHERE organization_id = ?1",
            "DELETE FROM login_records WHERE organization_id = ?1",
            "DELETE FROM record_checkpoints WHERE organization_id = ?1",
            "DELETE FROM security_events WHERE organization_id = ?1",
            "DELETE FROM webhooks WHERE organization_id = ?1",
            "DELETE FROM message_templates WHERE organization_id = ?1",
            "DELETE FROM record_counters WHERE organization_id = ?1",
            "DELETE FROM record_totals WHERE organization_id = ?1",
            "DELETE FROM attempt_counters WHERE organization_id = ?1",
            "DELETE FROM users WHERE organization_id = ?1",
            "DELETE FROM applications WHERE organization_id = ?1",
            "DELETE FROM api_keys WHERE organization_id = ?1",
            "DELETE FROM organizations WHERE id = ?1",
        ];
        let stmts = sqls
            .iter()
            .map(|sql| self.stmt(sql, &[s(id)]))
            .collect::<StoreResult<Vec<_>>>()?;
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|r| super::changes(r) > 0))
    }
}
