use base64ct::{Base64UrlUnpadded, Encoding};
use latchkey_core::model::Passkey;
use latchkey_core::store::{PasskeyStore, StoreResult};
use latchkey_core::Error;
use serde::Deserialize;

use super::{json, n, parse_json_col, s, D1Store};

const COLS: &str = "id, organization_id, user_id, credential_id, public_key, sign_count, rp_id, name, \
                    aaguid, backup_eligible, backup_state, attestation, transports, created_at, last_used_at";

#[derive(Deserialize)]
struct Row {
    id: String,
    organization_id: String,
    user_id: String,
    credential_id: String,
    public_key: String,
    sign_count: f64,
    rp_id: String,
    name: String,
    aaguid: String,
    backup_eligible: f64,
    backup_state: f64,
    attestation: String,
    transports: String,
    created_at: f64,
    last_used_at: Option<f64>,
}

impl TryFrom<Row> for Passkey {
    type Error = Error;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Passkey {
            public_key: Base64UrlUnpadded::decode_vec(&r.public_key)
                .map_err(|_| Error::Internal("a stored passkey's key is not base64url".into()))?,
            transports: parse_json_col("transports", &r.transports)?,
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            credential_id: r.credential_id,
            sign_count: r.sign_count as u32,
            rp_id: r.rp_id,
            name: r.name,
            aaguid: r.aaguid,
            backup_eligible: r.backup_eligible != 0.0,
            backup_state: r.backup_state != 0.0,
            attestation: r.attestation,
            created_at: r.created_at as i64,
            last_used_at: r.last_used_at.map(|v| v as i64),
        })
    }
}

impl PasskeyStore for D1Store {
    async fn insert_passkey(&self, p: &Passkey) -> StoreResult<bool> {
        // A credential id registered already (for anyone) inserts nothing.
        let sql = format!(
            "INSERT INTO passkeys ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL) \
             ON CONFLICT (credential_id) DO NOTHING"
        );
        self.run(
            &sql,
            &[
                s(&p.id),
                s(&p.organization_id),
                s(&p.user_id),
                s(&p.credential_id),
                s(&Base64UrlUnpadded::encode_string(&p.public_key)),
                n(p.sign_count.into()),
                s(&p.rp_id),
                s(&p.name),
                s(&p.aaguid),
                n(i64::from(p.backup_eligible)),
                n(i64::from(p.backup_state)),
                s(&p.attestation),
                json(&p.transports)?,
                n(p.created_at),
            ],
        )
        .await
    }

    async fn passkey_by_credential(
        &self,
        org_id: &str,
        credential_id: &str,
    ) -> StoreResult<Option<Passkey>> {
        let sql = format!(
            "SELECT {COLS} FROM passkeys WHERE organization_id = ?1 AND credential_id = ?2"
        );
        self.first::<Row>(&sql, &[s(org_id), s(credential_id)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn user_passkeys(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Passkey>> {
        let sql = format!(
            "SELECT {COLS} FROM passkeys WHERE organization_id = ?1 AND user_id = ?2 ORDER BY created_at, id"
        );
        self.all::<Row>(&sql, &[s(org_id), s(user_id)])
            .await?
            .into_iter()
            .map(Passkey::try_from)
            .collect()
    }

    async fn use_passkey(
        &self,
        org_id: &str,
        id: &str,
        seen_count: u32,
        sign_count: u32,
        backup_state: bool,
        now: i64,
    ) -> StoreResult<bool> {
        // Conditional on the counter read: of two racing assertions, one updates.
        self.run(
            "UPDATE passkeys SET sign_count = ?4, backup_state = ?5, last_used_at = ?6 \
             WHERE organization_id = ?1 AND id = ?2 AND sign_count = ?3",
            &[
                s(org_id),
                s(id),
                n(seen_count.into()),
                n(sign_count.into()),
                n(i64::from(backup_state)),
                n(now),
            ],
        )
        .await
    }

    async fn rename_passkey(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<bool> {
        self.run(
            "UPDATE passkeys SET name = ?4 WHERE organization_id = ?1 AND user_id = ?2 AND id = ?3",
            &[s(org_id), s(user_id), s(id), s(name)],
        )
        .await
    }

    async fn delete_passkey(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM passkeys WHERE organization_id = ?1 AND user_id = ?2 AND id = ?3",
            &[s(org_id), s(user_id), s(id)],
        )
        .await
    }
}
