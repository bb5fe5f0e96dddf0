//! Tamper evidence for login records. Each record carries a per-organization sequence number
//! from a counter that only grows (bumped in the same transaction as the INSERT, so numbers
//! are never shared, skipped or reused) and the HMAC-SHA-256 of its canonical fields under
//! the deployment's chain key; the chain hash `H(n) = HMAC(key, H(n-1) ":" row_hash(n))`,
//! from `H(0) = GENESIS`, is sealed into checkpoints. Without the key, nobody who can write
//! the database can make a row, a link or a checkpoint that verifies. Verification
//! recomputes row hashes and the chain and reports the first broken link: an edited row, a
//! missing one, a chain that no longer meets a checkpoint, or a tail cut off after the
//! counter's last number.
//!
//! Rows written before the chain was keyed (sequence numbers below the counter's
//! `keyed_from`) keep their unkeyed SHA-256 hashes and verify as such.

use serde::{Deserialize, Serialize};

use crate::model::LoginRecord;
pub use crate::model::{ChainRow, Checkpoint};
use crate::rand::hex;
use crate::secrets::{hmac_sha256, sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows read per query while sealing or verifying.
pub const PAGE: u32 = 1000;
/// Rows one verification request walks at most (continue with `from`).
pub const VERIFY_MAX: u32 = 100_000;

/// The key rows and links are made with, and from which sequence number on they are keyed.
#[derive(Debug, Clone, Copy)]
pub struct ChainKey<'a> {
    pub key: &'a [u8],
    /// Rows below this sequence number predate keying (see the module's documentation).
    pub keyed_from: i64,
}

impl ChainKey<'_> {
    /// The row hash of record `r` stored at `seq`.
    pub fn row_hash(&self, seq: i64, r: &LoginRecord) -> String {
        if seq < self.keyed_from {
            legacy_row_hash(r)
        } else {
            hex(&hmac_sha256(self.key, canonical(r).as_bytes()))
        }
    }

    /// The chain hash through `seq`, from the one before it.
    pub fn link(&self, seq: i64, prev: &str, row_hash: &str) -> String {
        let msg = format!("{prev}:{row_hash}");
        if seq < self.keyed_from {
            hex(&sha256(msg.as_bytes()))
        } else {
            hex(&hmac_sha256(self.key, msg.as_bytes()))
        }
    }
}

/// SHA-256 of a record's canonical fields: the row hash of rows written before keying.
pub fn legacy_row_hash(r: &LoginRecord) -> String {
    hex(&sha256(canonical(r).as_bytes()))
}

/// A record's canonical fields: a JSON array in a fixed order (a single sign-on's
/// connection last, only when there is one, so records written before it hash as they did).
fn canonical(r: &LoginRecord) -> String {
    let c = &r.client;
    let mut canonical = serde_json::json!([
        r.organization_id,
        r.application_id,
        r.created_at,
        r.outcome,
        r.method,
        r.failure_reason,
        r.user_id,
        r.login_id,
        r.session_id,
        c.ip,
        c.country,
        c.region,
        c.city,
        c.timezone,
        c.asn,
        c.latitude_e6,
        c.longitude_e6,
        c.user_agent,
        c.device_name,
        c.device_type,
        c.device_description,
        r.flags,
    ]);
    if let (Some(id), Some(fields)) = (&r.connection_id, canonical.as_array_mut()) {
        fields.push(serde_json::Value::String(id.clone()));
    }
    canonical.to_string()
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BrokenLink {
    pub seq: i64,
    /// `row_edited`, `row_missing`, `checkpoint_mismatch` or `tail_missing` (rows after
    /// the last one stored were deleted: the counter or a checkpoint went further).
    pub reason: String,
}

/// `GET /api/v1/login-records/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct VerifyReport {
    /// The first sequence number checked (older ones were pruned by retention).
    pub verified_from: i64,
    /// The last sequence number checked and found intact.
    pub verified_through: i64,
    /// The chain hash through `verified_through`.
    pub chain_hash: String,
    pub checkpoints_matched: u32,
    pub first_broken_link: Option<BrokenLink>,
    /// Whether rows remain after `verified_through` (continue with `from`).
    pub more: bool,
}

pub(crate) fn broken(seq: i64, reason: &str) -> BrokenLink {
    BrokenLink {
        seq,
        reason: reason.to_owned(),
    }
}

/// Walks rows after `base`, checking contiguity, row hashes and checkpoints.
pub(crate) struct Walk {
    pub(crate) seq: i64,
    pub(crate) hash: String,
    pub(crate) matched: u32,
}

impl Walk {
    pub(crate) fn step(
        &mut self,
        key: &ChainKey<'_>,
        row: &ChainRow,
        checkpoints: &[Checkpoint],
    ) -> Result<(), BrokenLink> {
        if row.seq != self.seq + 1 {
            return Err(broken(self.seq + 1, "row_missing"));
        }
        let expected = key.row_hash(row.seq, &row.record);
        if !crate::secrets::ct_eq(expected.as_bytes(), row.row_hash.as_bytes()) {
            return Err(broken(row.seq, "row_edited"));
        }
        let next = key.link(row.seq, &self.hash, &row.row_hash);
        if let Some(cp) = checkpoints.iter().find(|c| c.seq == row.seq) {
            if cp.chain_hash != next {
                return Err(broken(row.seq, "checkpoint_mismatch"));
            }
            self.matched += 1;
        }
        self.seq = row.seq;
        self.hash = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_chain_rows_before_keying_verify_unkeyed_after_it_keyed() {
        let key = ChainKey {
            key: b"a chain key of thirty-two bytes!",
            keyed_from: 3,
        };
        let record = |i: i64| LoginRecord {
            organization_id: "org".into(),
            application_id: None,
            created_at: i,
            outcome: crate::model::Outcome::Success,
            method: "password".into(),
            failure_reason: None,
            user_id: None,
            login_id: format!("user{i}"),
            session_id: None,
            client: Default::default(),
            flags: Vec::new(),
            connection_id: None,
        };
        let rows: Vec<ChainRow> = (1..=4)
            .map(|seq| ChainRow {
                seq,
                row_hash: key.row_hash(seq, &record(seq)),
                record: record(seq),
            })
            .collect();
        assert_eq!(rows[0].row_hash, legacy_row_hash(&rows[0].record));
        assert_ne!(rows[2].row_hash, legacy_row_hash(&rows[2].record));
        // A single sign-on's connection is hashed: adding, removing or changing it shows.
        let with = |c: Option<&str>| LoginRecord {
            connection_id: c.map(str::to_owned),
            ..record(3)
        };
        let hashes = [None, Some("c1"), Some("c2")].map(|c| key.row_hash(3, &with(c)));
        assert_eq!(
            hashes[0], rows[2].row_hash,
            "records without one hash as before"
        );
        assert!(hashes[0] != hashes[1] && hashes[1] != hashes[2]);
        let mut walk = Walk {
            seq: 0,
            hash: GENESIS.to_owned(),
            matched: 0,
        };
        for row in &rows {
            walk.step(&key, row, &[]).unwrap();
        }
        // Without the key, the keyed rows do not verify.
        let other = ChainKey {
            key: b"another key entirely, 32 bytes!!",
            keyed_from: 3,
        };
        let mut walk = Walk {
            seq: 0,
            hash: GENESIS.to_owned(),
            matched: 0,
        };
        let errs: Vec<_> = rows
            .iter()
            .filter_map(|r| walk.step(&other, r, &[]).err())
            .collect();
        assert_eq!(errs[0].seq, 3);
    }
}
