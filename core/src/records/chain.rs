//! Tamper evidence for login records. Each record carries a per-organization sequence number
//! (assigned atomically inside its INSERT) and the SHA-256 of its canonical fields; the chain
//! hash `H(n) = SHA-256(H(n-1) ":" row_hash(n))`, from `H(0) = GENESIS`, is sealed into
//! checkpoints. Verification recomputes row hashes and the chain, and reports the first
//! broken link: an edited row, a missing one, or a chain that no longer meets a checkpoint.

use serde::{Deserialize, Serialize};

use crate::model::LoginRecord;
pub use crate::model::{ChainRow, Checkpoint};
use crate::rand::hex;
use crate::secrets::sha256;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows read per query while sealing or verifying.
pub const PAGE: u32 = 1000;
/// Rows one verification request walks at most (continue with `from`).
pub const VERIFY_MAX: u32 = 100_000;

/// SHA-256 of a record's canonical fields (a JSON array in a fixed order).
pub fn row_hash(r: &LoginRecord) -> String {
    let c = &r.client;
    let canonical = serde_json::json!([
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
    hex(&sha256(canonical.to_string().as_bytes()))
}

/// The next chain hash.
pub fn link(prev: &str, row_hash: &str) -> String {
    hex(&sha256(format!("{prev}:{row_hash}").as_bytes()))
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BrokenLink {
    pub seq: i64,
    /// `row_edited`, `row_missing` or `checkpoint_mismatch`.
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

fn broken(seq: i64, reason: &str) -> BrokenLink {
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
        row: &ChainRow,
        checkpoints: &[Checkpoint],
    ) -> Result<(), BrokenLink> {
        if row.seq != self.seq + 1 {
            return Err(broken(self.seq + 1, "row_missing"));
        }
        if row_hash(&row.record) != row.row_hash {
            return Err(broken(row.seq, "row_edited"));
        }
        let next = link(&self.hash, &row.row_hash);
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
