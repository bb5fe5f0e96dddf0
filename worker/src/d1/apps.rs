use latchkey_core::model::{Application, Page, UserVerification};
use latchkey_core::store::{AppStore, StoreResult};
use serde::Deserialize;

use super::{json, n, opt, parse_json_col, s, D1Store};

#[derive(Deserialize)]
pub(super) struct Row {
    id: String,
    organization_id: String,
    name: String,
    client_id: String,
    allowed_origins: String,
    redirect_uris: String,
    access_token_ttl_secs: f64,
    refresh_token_ttl_secs: f64,
    login_methods: String,
    self_signup: f64,
    require_verified_email: f64,
    admin_api: f64,
    idle_timeout_secs: f64,
    bot_protection: f64,
    passkey_rp_id: Option<String>,
    passkey_user_verification: String,
    mfa: String,
    client_secret_hash: Option<String>,
    created_at: f64,
    updated_at: f64,
}

impl TryFrom<Row> for Application {
    type Error = latchkey_core::Error;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Application {
            allowed_origins: parse_json_col("allowed_origins", &r.allowed_origins)?,
            redirect_uris: parse_json_col("redirect_uris", &r.redirect_uris)?,
            login_methods: parse_json_col("login_methods", &r.login_methods)?,
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            client_id: r.client_id,
            access_token_ttl_secs: r.access_token_ttl_secs as u32,
            refresh_token_ttl_secs: r.refresh_token_ttl_secs as u32,
            self_signup: r.self_signup != 0.0,
            require_verified_email: r.require_verified_email != 0.0,
            admin_api: r.admin_api != 0.0,
            idle_timeout_secs: r.idle_timeout_secs as u32,
            bot_protection: r.bot_protection != 0.0,
            passkey_user_verification: UserVerification::parse(&r.passkey_user_verification)
                .unwrap_or_default(),
            mfa: parse_json_col("mfa", &r.mfa)?,
            passkey_rp_id: r.passkey_rp_id,
            client_secret_hash: r.client_secret_hash,
            created_at: r.created_at as i64,
            updated_at: r.updated_at as i64,
        })
    }
}

pub(super) const COLS: &str = "id, organization_id, name, client_id, allowed_origins, redirect_uris, \
                    access_token_ttl_secs, refresh_token_ttl_secs, login_methods, created_at, updated_at, \
                    self_signup, admin_api, idle_timeout_secs, bot_protection, passkey_rp_id, passkey_user_verification, mfa, \
                    require_verified_email, client_secret_hash";

fn rows(rows: Vec<Row>) -> StoreResult<Vec<Application>> {
    rows.into_iter().map(Application::try_from).collect()
}

impl AppStore for D1Store {
    async fn insert_app(&self, a: &Application) -> StoreResult<()> {
        let sql = format!("INSERT INTO applications ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
        self.run(
            &sql,
            &[
                s(&a.id),
                s(&a.organization_id),
                s(&a.name),
                s(&a.client_id),
                json(&a.allowed_origins)?,
                json(&a.redirect_uris)?,
                n(a.access_token_ttl_secs.into()),
                n(a.refresh_token_ttl_secs.into()),
                json(&a.login_methods)?,
                n(a.created_at),
                n(a.updated_at),
                n(i64::from(a.self_signup)),
                n(i64::from(a.admin_api)),
                n(a.idle_timeout_secs.into()),
                n(i64::from(a.bot_protection)),
                opt(a.passkey_rp_id.as_deref()),
                s(a.passkey_user_verification.as_str()),
                json(&a.mfa)?,
                n(i64::from(a.require_verified_email)),
                opt(a.client_secret_hash.as_deref()),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get_app(&self, org_id: &str, id: &str) -> StoreResult<Option<Application>> {
        let sql = format!("SELECT {COLS} FROM applications WHERE organization_id = ?1 AND id = ?2");
        self.first::<Row>(&sql, &[s(org_id), s(id)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool> {
        let n = self
            .count(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM applications a, json_each(a.allowed_origins) j \
                 WHERE j.value = ?1 LIMIT 1)",
                &[s(origin)],
            )
            .await?;
        Ok(n > 0)
    }

    async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<Application>> {
        let sql = format!("SELECT {COLS} FROM applications WHERE client_id = ?1");
        self.first::<Row>(&sql, &[s(client_id)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn list_apps(&self, org_id: &str, page: Page) -> StoreResult<(Vec<Application>, u64)> {
        let sql = format!("SELECT {COLS} FROM applications WHERE organization_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3");
        let found = self
            .all::<Row>(
                &sql,
                &[s(org_id), n(page.limit.into()), n(page.offset.into())],
            )
            .await?;
        let total = self
            .count(
                "SELECT COUNT(*) AS n FROM applications WHERE organization_id = ?1",
                &[s(org_id)],
            )
            .await?;
        Ok((rows(found)?, total))
    }

    async fn update_app(&self, a: &Application) -> StoreResult<bool> {
        self.run(
            "UPDATE applications SET name = ?3, allowed_origins = ?4, redirect_uris = ?5, \
             access_token_ttl_secs = ?6, refresh_token_ttl_secs = ?7, login_methods = ?8, updated_at = ?9, \
             self_signup = ?10, admin_api = ?11, idle_timeout_secs = ?12, bot_protection = ?13, \
             passkey_rp_id = ?14, passkey_user_verification = ?15, mfa = ?16, require_verified_email = ?17 \
             WHERE organization_id = ?1 AND id = ?2",
            &[
                s(&a.organization_id),
                s(&a.id),
                s(&a.name),
                json(&a.allowed_origins)?,
                json(&a.redirect_uris)?,
                n(a.access_token_ttl_secs.into()),
                n(a.refresh_token_ttl_secs.into()),
                json(&a.login_methods)?,
                n(a.updated_at),
                n(i64::from(a.self_signup)),
                n(i64::from(a.admin_api)),
                n(a.idle_timeout_secs.into()),
                n(i64::from(a.bot_protection)),
                opt(a.passkey_rp_id.as_deref()),
                s(a.passkey_user_verification.as_str()),
                json(&a.mfa)?,
                n(i64::from(a.require_verified_email)),
            ],
        )
        .await
    }

    async fn delete_app(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let stmts = vec![
            self.stmt(
                "DELETE FROM registrations WHERE application_id = \
                 (SELECT id FROM applications WHERE organization_id = ?1 AND id = ?2)",
                &[s(org_id), s(id)],
            )?,
            self.stmt(
                "DELETE FROM applications WHERE organization_id = ?1 AND id = ?2",
                &[s(org_id), s(id)],
            )?,
        ];
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|r| super::changes(r) > 0))
    }

    async fn set_client_secret(
        &self,
        org_id: &str,
        id: &str,
        hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        self.run(
            "UPDATE applications SET client_secret_hash = ?3, updated_at = ?4 \
             WHERE organization_id = ?1 AND id = ?2",
            &[s(org_id), s(id), opt(hash), n(now)],
        )
        .await
    }
}
