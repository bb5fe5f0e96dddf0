//! Identity-provider connections and users' identities at them (migration 0017).

use latchkey_core::model::{Connection, ConnectionKind, Identity, LinkPolicy};
use latchkey_core::store::{ConnectionStore, StoreResult};
use latchkey_core::Error;
use serde::Deserialize;

use super::{json, n, parse_json_col, s, D1Store};

const COLS: &str = "id, organization_id, kind, name, issuer, client_id, client_secret_sealed, \
                    scopes, domains, link_policy, enabled, created_at, updated_at";
const IDENTITY_COLS: &str =
    "connection_id, subject, organization_id, user_id, email, created_at, last_login_at";

#[derive(Deserialize)]
struct Row {
    id: String,
    organization_id: String,
    kind: String,
    name: String,
    issuer: String,
    client_id: String,
    client_secret_sealed: String,
    scopes: String,
    domains: String,
    link_policy: String,
    enabled: f64,
    created_at: f64,
    updated_at: f64,
}

fn enum_col<T: serde::de::DeserializeOwned>(col: &str, v: &str) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(v.to_owned()))
        .map_err(|_| Error::Internal(format!("connections.{col}: unknown value {v}")))
}

fn enum_text<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(Error::Internal("connections: enum value".into())),
    }
}

impl TryFrom<Row> for Connection {
    type Error = Error;

    fn try_from(r: Row) -> Result<Self, Error> {
        Ok(Connection {
            kind: enum_col::<ConnectionKind>("kind", &r.kind)?,
            link_policy: enum_col::<LinkPolicy>("link_policy", &r.link_policy)?,
            domains: parse_json_col("connections.domains", &r.domains)?,
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            issuer: r.issuer,
            client_id: r.client_id,
            client_secret_sealed: r.client_secret_sealed,
            scopes: r.scopes,
            enabled: r.enabled != 0.0,
            created_at: r.created_at as i64,
            updated_at: r.updated_at as i64,
        })
    }
}

#[derive(Deserialize)]
struct IdentityRow {
    connection_id: String,
    subject: String,
    organization_id: String,
    user_id: String,
    email: String,
    created_at: f64,
    last_login_at: f64,
}

impl From<IdentityRow> for Identity {
    fn from(r: IdentityRow) -> Self {
        Identity {
            connection_id: r.connection_id,
            subject: r.subject,
            organization_id: r.organization_id,
            user_id: r.user_id,
            email: r.email,
            created_at: r.created_at as i64,
            last_login_at: r.last_login_at as i64,
        }
    }
}

impl ConnectionStore for D1Store {
    async fn insert_connection(&self, c: &Connection) -> StoreResult<()> {
        self.run(
            &format!(
                "INSERT INTO connections ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 ?10, ?11, ?12, ?13)"
            ),
            &[
                s(&c.id),
                s(&c.organization_id),
                s(&enum_text(&c.kind)?),
                s(&c.name),
                s(&c.issuer),
                s(&c.client_id),
                s(&c.client_secret_sealed),
                s(&c.scopes),
                json(&c.domains)?,
                s(&enum_text(&c.link_policy)?),
                n(i64::from(c.enabled)),
                n(c.created_at),
                n(c.updated_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get_connection(&self, org_id: &str, id: &str) -> StoreResult<Option<Connection>> {
        self.first::<Row>(
            &format!("SELECT {COLS} FROM connections WHERE organization_id = ?1 AND id = ?2"),
            &[s(org_id), s(id)],
        )
        .await?
        .map(TryInto::try_into)
        .transpose()
    }

    async fn list_connections(&self, org_id: &str) -> StoreResult<Vec<Connection>> {
        self.all::<Row>(
            &format!(
                "SELECT {COLS} FROM connections WHERE organization_id = ?1 \
                 ORDER BY created_at, id"
            ),
            &[s(org_id)],
        )
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
    }

    async fn update_connection(&self, c: &Connection) -> StoreResult<bool> {
        self.run(
            "UPDATE connections SET name = ?3, issuer = ?4, client_id = ?5, \
             client_secret_sealed = ?6, scopes = ?7, domains = ?8, link_policy = ?9, \
             enabled = ?10, updated_at = ?11 WHERE organization_id = ?1 AND id = ?2",
            &[
                s(&c.organization_id),
                s(&c.id),
                s(&c.name),
                s(&c.issuer),
                s(&c.client_id),
                s(&c.client_secret_sealed),
                s(&c.scopes),
                json(&c.domains)?,
                s(&enum_text(&c.link_policy)?),
                n(i64::from(c.enabled)),
                n(c.updated_at),
            ],
        )
        .await
    }

    async fn delete_connection(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let stmts = vec![
            self.stmt(
                "DELETE FROM identities WHERE organization_id = ?1 AND connection_id = ?2",
                &[s(org_id), s(id)],
            )?,
            self.stmt(
                "DELETE FROM connections WHERE organization_id = ?1 AND id = ?2",
                &[s(org_id), s(id)],
            )?,
        ];
        let results = self.batch(stmts).await?;
        Ok(results.last().is_some_and(|r| super::changes(r) > 0))
    }

    async fn find_identity(
        &self,
        connection_id: &str,
        subject: &str,
    ) -> StoreResult<Option<Identity>> {
        Ok(self
            .first::<IdentityRow>(
                &format!(
                    "SELECT {IDENTITY_COLS} FROM identities WHERE connection_id = ?1 AND subject = ?2"
                ),
                &[s(connection_id), s(subject)],
            )
            .await?
            .map(Into::into))
    }

    async fn insert_identity(&self, i: &Identity) -> StoreResult<()> {
        self.run(
            &format!(
                "INSERT INTO identities ({IDENTITY_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            &[
                s(&i.connection_id),
                s(&i.subject),
                s(&i.organization_id),
                s(&i.user_id),
                s(&i.email),
                n(i.created_at),
                n(i.last_login_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn touch_identity(&self, i: &Identity) -> StoreResult<()> {
        self.run(
            "UPDATE identities SET email = ?3, last_login_at = ?4 \
             WHERE connection_id = ?1 AND subject = ?2",
            &[
                s(&i.connection_id),
                s(&i.subject),
                s(&i.email),
                n(i.last_login_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn list_identities(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Identity>> {
        Ok(self
            .all::<IdentityRow>(
                &format!(
                    "SELECT {IDENTITY_COLS} FROM identities WHERE organization_id = ?1 \
                     AND user_id = ?2 ORDER BY created_at"
                ),
                &[s(org_id), s(user_id)],
            )
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
