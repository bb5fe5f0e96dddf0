use std::collections::HashMap;

use latchkey_core::model::{Permission, Role};
use latchkey_core::store::{RoleStore, StoreResult};
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::{json, n, s, D1Store};

#[derive(Deserialize)]
struct Row {
    id: String,
    organization_id: String,
    name: String,
    description: String,
    created_at: f64,
    updated_at: f64,
}

#[derive(Deserialize)]
struct Link {
    role_id: String,
    permission_id: String,
}

const COLS: &str = "id, organization_id, name, description, created_at, updated_at";

fn role(r: Row, permission_ids: Vec<String>) -> Role {
    Role {
        id: r.id,
        organization_id: r.organization_id,
        name: r.name,
        description: r.description,
        permission_ids,
        created_at: r.created_at as i64,
        updated_at: r.updated_at as i64,
    }
}

fn permission(r: Row) -> Permission {
    Permission {
        id: r.id,
        organization_id: r.organization_id,
        name: r.name,
        description: r.description,
        created_at: r.created_at as i64,
        updated_at: r.updated_at as i64,
    }
}

impl D1Store {
    /// Replaces a role's permissions: only permissions of the role's organization are linked.
    fn link_permissions(&self, r: &Role) -> StoreResult<[D1PreparedStatement; 2]> {
        Ok([
            self.stmt("DELETE FROM role_permissions WHERE role_id = ?1", &[s(&r.id)])?,
            self.stmt(
                "INSERT INTO role_permissions (role_id, permission_id) SELECT ?1, p.id FROM json_each(?2) j \
                 JOIN permissions p ON p.id = j.value AND p.organization_id = ?3",
                &[s(&r.id), json(&r.permission_ids)?, s(&r.organization_id)],
            )?,
        ])
    }
}

impl RoleStore for D1Store {
    async fn insert_role(&self, r: &Role) -> StoreResult<()> {
        let insert = self.stmt(
            &format!("INSERT INTO roles ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            &[
                s(&r.id),
                s(&r.organization_id),
                s(&r.name),
                s(&r.description),
                n(r.created_at),
                n(r.updated_at),
            ],
        )?;
        let [_, link] = self.link_permissions(r)?;
        self.batch(vec![insert, link]).await?;
        Ok(())
    }

    async fn get_role(&self, org_id: &str, id: &str) -> StoreResult<Option<Role>> {
        let sql = format!("SELECT {COLS} FROM roles WHERE organization_id = ?1 AND id = ?2");
        let Some(row) = self.first::<Row>(&sql, &[s(org_id), s(id)]).await? else {
            return Ok(None);
        };
        let links = self
            .all::<Link>(
                "SELECT role_id, permission_id FROM role_permissions WHERE role_id = ?1 ORDER BY rowid",
                &[s(id)],
            )
            .await?;
        Ok(Some(role(
            row,
            links.into_iter().map(|l| l.permission_id).collect(),
        )))
    }

    async fn list_roles(&self, org_id: &str) -> StoreResult<Vec<Role>> {
        let rows = self
            .all::<Row>(
                &format!("SELECT {COLS} FROM roles WHERE organization_id = ?1 ORDER BY name"),
                &[s(org_id)],
            )
            .await?;
        let links = self
            .all::<Link>(
                "SELECT rp.role_id, rp.permission_id FROM role_permissions rp JOIN roles r ON r.id = rp.role_id \
                 WHERE r.organization_id = ?1 ORDER BY rp.rowid",
                &[s(org_id)],
            )
            .await?;
        let mut by_role: HashMap<String, Vec<String>> = HashMap::new();
        for l in links {
            by_role.entry(l.role_id).or_default().push(l.permission_id);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let ids = by_role.remove(&r.id).unwrap_or_default();
                role(r, ids)
            })
            .collect())
    }

    async fn update_role(&self, r: &Role) -> StoreResult<bool> {
        let update = self.stmt(
            "UPDATE roles SET name = ?3, description = ?4, updated_at = ?5 WHERE organization_id = ?1 AND id = ?2",
            &[s(&r.organization_id), s(&r.id), s(&r.name), s(&r.description), n(r.updated_at)],
        )?;
        let [unlink, link] = self.link_permissions(r)?;
        let results = self.batch(vec![update, unlink, link]).await?;
        Ok(results.first().is_some_and(|x| super::changes(x) > 0))
    }

    async fn delete_role(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let scoped = "(SELECT id FROM roles WHERE organization_id = ?1 AND id = ?2)";
        let stmts = vec![
            self.stmt(
                &format!("DELETE FROM user_roles WHERE role_id = {scoped}"),
                &[s(org_id), s(id)],
            )?,
            self.stmt(
                &format!("DELETE FROM role_permissions WHERE role_id = {scoped}"),
                &[s(org_id), s(id)],
            )?,
            self.stmt(
                "DELETE FROM roles WHERE organization_id = ?1 AND id = ?2",
                &[s(org_id), s(id)],
            )?,
        ];
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|x| super::changes(x) > 0))
    }

    async fn insert_permission(&self, p: &Permission) -> StoreResult<()> {
        self.run(
            &format!("INSERT INTO permissions ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            &[
                s(&p.id),
                s(&p.organization_id),
                s(&p.name),
                s(&p.description),
                n(p.created_at),
                n(p.updated_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get_permission(&self, org_id: &str, id: &str) -> StoreResult<Option<Permission>> {
        let sql = format!("SELECT {COLS} FROM permissions WHERE organization_id = ?1 AND id = ?2");
        Ok(self
            .first::<Row>(&sql, &[s(org_id), s(id)])
            .await?
            .map(permission))
    }

    async fn list_permissions(&self, org_id: &str) -> StoreResult<Vec<Permission>> {
        let sql =
            format!("SELECT {COLS} FROM permissions WHERE organization_id = ?1 ORDER BY name");
        Ok(self
            .all::<Row>(&sql, &[s(org_id)])
            .await?
            .into_iter()
            .map(permission)
            .collect())
    }

    async fn update_permission(&self, p: &Permission) -> StoreResult<bool> {
        self.run(
            "UPDATE permissions SET name = ?3, description = ?4, updated_at = ?5 WHERE organization_id = ?1 AND id = ?2",
            &[s(&p.organization_id), s(&p.id), s(&p.name), s(&p.description), n(p.updated_at)],
        )
        .await
    }

    async fn delete_permission(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let stmts = vec![
            self.stmt(
                "DELETE FROM role_permissions WHERE permission_id = (SELECT id FROM permissions WHERE organization_id = ?1 AND id = ?2)",
                &[s(org_id), s(id)],
            )?,
            self.stmt("DELETE FROM permissions WHERE organization_id = ?1 AND id = ?2", &[s(org_id), s(id)])?,
        ];
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|x| super::changes(x) > 0))
    }
}
