use std::cell::RefCell;

use latchkey_core::model::ApiKey;
use latchkey_core::store::{ApiKeyStore, StoreResult};
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::{first_row, json, n, opt_n, parse_json_col, s, Check, D1Store};
use crate::kept::Kept;

thread_local! {
    /// Keys that were active when read, by prefix, for the isolate's life: a key never
    /// changes but for its revocation, which each request that uses a remembered key still
    /// checks. An isolate serves few organizations' automation at a time.
    static KNOWN: RefCell<Kept<String, ApiKey>> = const { RefCell::new(Kept::new(64)) };
}

#[derive(Deserialize)]
struct Row {
    id: String,
    organization_id: String,
    name: String,
    prefix: String,
    key_hash: String,
    permissions: Option<String>,
    created_at: f64,
    revoked_at: Option<f64>,
    created_by: Option<String>,
    expires_at: Option<f64>,
}

impl TryFrom<Row> for ApiKey {
    type Error = latchkey_core::Error;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(ApiKey {
            permissions: r
                .permissions
                .as_deref()
                .map(|p| parse_json_col("api_keys.permissions", p))
                .transpose()?,
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            prefix: r.prefix,
            key_hash: r.key_hash,
            created_at: r.created_at as i64,
            revoked_at: r.revoked_at.map(|t| t as i64),
            created_by: r.created_by,
            expires_at: r.expires_at.map(|t| t as i64),
        })
    }
}

const COLS: &str = "id, organization_id, name, prefix, key_hash, permissions, created_at, \
                    revoked_at, created_by, expires_at";

pub(super) fn insert_stmt(store: &D1Store, k: &ApiKey) -> StoreResult<D1PreparedStatement> {
    store.stmt(
        "INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, permissions, created_at, \
         revoked_at, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &[
            s(&k.id),
            s(&k.organization_id),
            s(&k.name),
            s(&k.prefix),
            s(&k.key_hash),
            match &k.permissions {
                Some(p) => json(p)?,
                None => wasm_bindgen::JsValue::NULL,
            },
            n(k.created_at),
            opt_n(k.revoked_at),
            match &k.created_by {
                Some(c) => s(c),
                None => wasm_bindgen::JsValue::NULL,
            },
            opt_n(k.expires_at),
        ],
    )
}

impl ApiKeyStore for D1Store {
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        self.exec(insert_stmt(self, key)?).await?;
        Ok(())
    }

    async fn get_api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>> {
        let sql = format!("SELECT {COLS} FROM api_keys WHERE prefix = ?1");
        self.first::<Row>(&sql, &[s(prefix)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// A key remembered from an earlier request answers at once, with a check that it is
    /// still there and unrevoked left to ride with the request's first read; any other key
    /// is read now.
    async fn api_key_for_request(&self, prefix: &str, now: i64) -> StoreResult<Option<ApiKey>> {
        match KNOWN.with(|k| k.borrow().get(prefix)) {
            Some(key) if key.is_active(now) => {
                let stmt = self.stmt(
                    "SELECT 1 AS v FROM api_keys WHERE id = ?1 AND key_hash = ?2 \
                     AND revoked_at IS NULL",
                    &[s(&key.id), s(&key.key_hash)],
                )?;
                let prefix = prefix.to_owned();
                self.defer_check(Check {
                    stmt,
                    passes: Box::new(move |answer| {
                        let unrevoked = first_row::<serde_json::Value>(answer)?.is_some();
                        if !unrevoked {
                            KNOWN.with(|k| k.borrow_mut().forget(&prefix));
                        }
                        Ok(unrevoked)
                    }),
                })
                .await?;
                return Ok(Some(key));
            }
            Some(_) => KNOWN.with(|k| k.borrow_mut().forget(prefix)),
            None => {}
        }
        let key = self.get_api_key_by_prefix(prefix).await?;
        if let Some(k) = key.as_ref().filter(|k| k.is_active(now)) {
            KNOWN.with(|known| known.borrow_mut().put(k.prefix.clone(), k.clone()));
        }
        Ok(key)
    }

    async fn list_api_keys(&self, org_id: &str) -> StoreResult<Vec<ApiKey>> {
        let sql =
            format!("SELECT {COLS} FROM api_keys WHERE organization_id = ?1 ORDER BY id DESC");
        self.all::<Row>(&sql, &[s(org_id)])
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    async fn revoke_api_key(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        // An unrestricted key goes only while another unrestricted key stays active: one
        // statement, so racing revocations of the last two cannot both win.
        self.run(
            "UPDATE api_keys SET revoked_at = ?3 WHERE organization_id = ?1 AND id = ?2 \
             AND revoked_at IS NULL AND (permissions IS NOT NULL OR EXISTS ( \
               SELECT 1 FROM api_keys o WHERE o.organization_id = ?1 AND o.id <> ?2 \
               AND o.permissions IS NULL AND o.revoked_at IS NULL \
               AND (o.expires_at IS NULL OR o.expires_at > ?3)))",
            &[s(org_id), s(id), n(now)],
        )
        .await
    }
}
