use latchkey_core::model::{Page, User, UserStatus};
use latchkey_core::store::{StoreResult, UserFilter, UserStore};
use latchkey_core::Error;
use serde::Deserialize;

use super::{json, n, opt, opt_n, s, D1Store};

#[derive(Deserialize)]
pub(super) struct Row {
    id: String,
    organization_id: String,
    email: String,
    email_normalized: String,
    username: Option<String>,
    name: Option<String>,
    email_verified: f64,
    status: String,
    password_hash: Option<String>,
    password_change_required: f64,
    expires_at: Option<f64>,
    phone: Option<String>,
    created_at: f64,
    updated_at: f64,
}

impl TryFrom<Row> for User {
    type Error = Error;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(User {
            status: UserStatus::parse(&r.status)
                .ok_or_else(|| Error::Internal(format!("users.status {:?}", r.status)))?,
            id: r.id,
            organization_id: r.organization_id,
            email: r.email,
            email_normalized: r.email_normalized,
            username: r.username,
            name: r.name,
            email_verified: r.email_verified != 0.0,
            password_hash: r.password_hash,
            password_change_required: r.password_change_required != 0.0,
            expires_at: r.expires_at.map(|t| t as i64),
            phone: r.phone,
            created_at: r.created_at as i64,
            updated_at: r.updated_at as i64,
        })
    }
}

pub(super) const COLS: &str = "id, organization_id, email, email_normalized, username, name, email_verified, \
                    status, password_hash, created_at, updated_at, password_change_required, expires_at, phone";

/// The role names (column `v`) of the user and in the organization that the SQL expressions
/// `user` and `org` name, in order.
pub(super) fn role_names(user: &str, org: &str) -> String {
    format!(
        "SELECT r.name AS v FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.user_id = {user} AND r.organization_id = {org} ORDER BY r.name"
    )
}

pub(super) fn one(r: Option<Row>) -> StoreResult<Option<User>> {
    r.map(User::try_from).transpose()
}

impl UserStore for D1Store {
    async fn insert_user(&self, u: &User) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO users ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        );
        self.run(
            &sql,
            &[
                s(&u.id),
                s(&u.organization_id),
                s(&u.email),
                s(&u.email_normalized),
                opt(u.username.as_deref()),
                opt(u.name.as_deref()),
                n(i64::from(u.email_verified)),
                s(u.status.as_str()),
                opt(u.password_hash.as_deref()),
                n(u.created_at),
                n(u.updated_at),
                n(i64::from(u.password_change_required)),
                opt_n(u.expires_at),
                opt(u.phone.as_deref()),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get_user(&self, org_id: &str, id: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE organization_id = ?1 AND id = ?2");
        one(self.first::<Row>(&sql, &[s(org_id), s(id)]).await?)
    }

    async fn get_user_by_email(
        &self,
        org_id: &str,
        email_normalized: &str,
    ) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {COLS} FROM users WHERE organization_id = ?1 AND email_normalized = ?2"
        );
        one(self
            .first::<Row>(&sql, &[s(org_id), s(email_normalized)])
            .await?)
    }

    async fn list_users(
        &self,
        org_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<(Vec<User>, u64)> {
        // `UserFilter::has_text` in SQL: `lower` folds ASCII letters only, as it does.
        let filter_sql = "organization_id = ?1 AND (?2 IS NULL OR email_normalized = ?2) AND (?3 IS NULL OR status = ?3) \
             AND (?4 IS NULL OR instr(lower(email_normalized), ?4) > 0 OR instr(lower(coalesce(username, '')), ?4) > 0 \
               OR instr(lower(coalesce(name, '')), ?4) > 0)";
        let args = [
            s(org_id),
            opt(filter.email.as_deref()),
            opt(filter.status.map(UserStatus::as_str)),
            opt(filter.text.as_deref()),
        ];
        let sql =
            format!("SELECT {COLS} FROM users WHERE {filter_sql} ORDER BY id LIMIT ?5 OFFSET ?6");
        let mut page_args = args.to_vec();
        page_args.extend([n(page.limit.into()), n(page.offset.into())]);
        let rows = self.all::<Row>(&sql, &page_args).await?;
        let total = self
            .count(
                &format!("SELECT COUNT(*) AS n FROM users WHERE {filter_sql}"),
                &args,
            )
            .await?;
        Ok((
            rows.into_iter()
                .map(User::try_from)
                .collect::<StoreResult<_>>()?,
            total,
        ))
    }

    async fn update_user(&self, u: &User, read_at: i64) -> StoreResult<bool> {
        self.run(
            "UPDATE users SET email = ?3, email_normalized = ?4, username = ?5, name = ?6, email_verified = ?7, \
             status = ?8, password_hash = ?9, updated_at = ?10, password_change_required = ?11, expires_at = ?12, \
             phone = ?13 WHERE organization_id = ?1 AND id = ?2 AND updated_at = ?14",
            &[
                s(&u.organization_id),
                s(&u.id),
                s(&u.email),
                s(&u.email_normalized),
                opt(u.username.as_deref()),
                opt(u.name.as_deref()),
                n(i64::from(u.email_verified)),
                s(u.status.as_str()),
                opt(u.password_hash.as_deref()),
                n(u.updated_at),
                n(i64::from(u.password_change_required)),
                opt_n(u.expires_at),
                opt(u.phone.as_deref()),
                n(read_at),
            ],
        )
        .await
    }

    async fn complete_password_change(
        &self,
        org_id: &str,
        user_id: &str,
        current_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        self.run(
            "UPDATE users SET password_hash = ?3, password_change_required = 0, updated_at = MAX(?4, updated_at + 1) \
             WHERE organization_id = ?1 AND id = ?2 AND password_change_required = 1 \
             AND password_hash = ?5",
            &[
                s(org_id),
                s(user_id),
                s(password_hash),
                n(now),
                s(current_hash),
            ],
        )
        .await
    }

    async fn delete_user(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        // Credentials, sessions and role assignments go with the user, in one transaction;
        // login records stay, keyed by the deleted user's id.
        let owned = "(SELECT id FROM users WHERE organization_id = ?1 AND id = ?2)";
        let sqls = [
            format!("DELETE FROM user_roles WHERE user_id = {owned}"),
            format!("DELETE FROM registrations WHERE user_id = {owned}"),
            format!("DELETE FROM one_time_codes WHERE organization_id = ?1 AND user_id = {owned}"),
            format!("DELETE FROM passkeys WHERE organization_id = ?1 AND user_id = {owned}"),
            format!("DELETE FROM mfa_factors WHERE organization_id = ?1 AND user_id = {owned}"),
            format!("DELETE FROM identities WHERE organization_id = ?1 AND user_id = {owned}"),
            format!(
                "DELETE FROM mfa_backup_codes WHERE organization_id = ?1 AND user_id = {owned}"
            ),
            format!(
                "DELETE FROM refresh_tokens WHERE session_id IN \
                 (SELECT id FROM sessions WHERE organization_id = ?1 AND user_id = {owned})"
            ),
            format!("DELETE FROM sessions WHERE organization_id = ?1 AND user_id = {owned}"),
            "DELETE FROM users WHERE organization_id = ?1 AND id = ?2".to_owned(),
        ];
        let stmts = sqls
            .iter()
            .map(|sql| self.stmt(sql, &[s(org_id), s(id)]))
            .collect::<StoreResult<Vec<_>>>()?;
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|r| super::changes(r) > 0))
    }

    async fn user_role_ids(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        self.strings(
            "SELECT ur.role_id AS v FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE ur.user_id = ?1 AND r.organization_id = ?2 ORDER BY r.name",
            &[s(user_id), s(org_id)],
        )
        .await
    }

    async fn set_user_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> StoreResult<()> {
        let stmts = vec![
            self.stmt("DELETE FROM user_roles WHERE user_id = ?1", &[s(user_id)])?,
            // Only roles of the same organization are ever inserted.
            self.stmt(
                "INSERT INTO user_roles (user_id, role_id) SELECT ?1, r.id FROM json_each(?2) j \
                 JOIN roles r ON r.id = j.value AND r.organization_id = ?3",
                &[s(user_id), json(&role_ids)?, s(org_id)],
            )?,
        ];
        self.batch(stmts).await?;
        Ok(())
    }

    async fn user_role_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        self.strings(&role_names("?1", "?2"), &[s(user_id), s(org_id)])
            .await
    }

    async fn user_permission_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        self.strings(
            "SELECT DISTINCT p.name AS v FROM user_roles ur \
             JOIN roles r ON r.id = ur.role_id AND r.organization_id = ?2 \
             JOIN role_permissions rp ON rp.role_id = r.id \
             JOIN permissions p ON p.id = rp.permission_id AND p.organization_id = ?2 \
             WHERE ur.user_id = ?1 ORDER BY p.name",
            &[s(user_id), s(org_id)],
        )
        .await
    }

    async fn find_by_phone(&self, org_id: &str, phone: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE organization_id = ?1 AND phone = ?2");
        one(self.first::<Row>(&sql, &[s(org_id), s(phone)]).await?)
    }

    async fn find_login(&self, org_id: &str, login_id: &str) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {COLS} FROM users WHERE organization_id = ?1 AND (email_normalized = ?2 OR username = ?2) \
             ORDER BY email_normalized = ?2 DESC LIMIT 1"
        );
        one(self.first::<Row>(&sql, &[s(org_id), s(login_id)]).await?)
    }
}
