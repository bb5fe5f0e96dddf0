//! Tamper evidence for login records. Each record carries a per-organization sequence number
//! (assigned atomically inside its INSERT) and the SHA-256 of its canonical fields; the chain
//! hash `H(n) = SHA-256(H(n-1) ":" row_hash(n))`, from `H(0) = GENESIS`, is sealed into
//! checkpoints. Verification recomputes row hashes and the chain, and reports the first
//! broken link: an edited row, a missing one, or a chain that no longer meets a checkpoint.

use serde::{Deserialize, Serialize};

use crate::model::LoginRecord;
use crate::rand::hex;
use crate::secrets::sha256;
use crate::store::ChainStore;
use crate::Error;

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

/// A record as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    pub seq: i64,
    pub row_hash: String,
    pub record: LoginRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Checkpoint {
    pub seq: i64,
    pub chain_hash: String,
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
struct Walk {
    seq: i64,
    hash: String,
    matched: u32,
}

impl Walk {
    fn step(&mut self, row: &ChainRow, checkpoints: &[Checkpoint]) -> Result<(), BrokenLink> {
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

/// The checkpoint to start from: the latest one below `from` whose next row still exists,
/// or the genesis if nothing was ever pruned.
async fn base(
    store: &impl ChainStore,
    org_id: &str,
    from: Option<i64>,
) -> Result<Option<Checkpoint>, Error> {
    let Some(first) = store.first_seq(org_id).await? else {
        return Ok(None);
    };
    let start = from.unwrap_or(first).max(first);
    if start == 1 {
        return Ok(Some(Checkpoint {
            seq: 0,
            chain_hash: GENESIS.to_owned(),
        }));
    }
    // The latest checkpoint at or before start - 1 whose successor still exists; if older
    // rows were pruned, the earliest checkpoint from which the rest can be walked.
    match store.checkpoint_at_or_before(org_id, start - 1).await? {
        Some(cp) if cp.seq + 1 >= first => Ok(Some(cp)),
        _ => store.checkpoint_at_or_after(org_id, first - 1).await,
    }
}

/// Verifies up to `max` rows of the organization's chain from `from` (or its oldest row).
pub async fn verify(
    store: &impl ChainStore,
    org_id: &str,
    from: Option<i64>,
    max: u32,
) -> Result<VerifyReport, Error> {
    let Some(start) = base(store, org_id, from).await? else {
        return Ok(VerifyReport {
            verified_from: 0,
            verified_through: 0,
            chain_hash: GENESIS.to_owned(),
            checkpoints_matched: 0,
            first_broken_link: None,
            more: false,
        });
    };
    let mut walk = Walk {
        seq: start.seq,
        hash: start.chain_hash.clone(),
        matched: 0,
    };
    let mut report = VerifyReport {
        verified_from: start.seq + 1,
        verified_through: start.seq,
        chain_hash: start.chain_hash,
        checkpoints_matched: 0,
        first_broken_link: None,
        more: false,
    };
    let mut walked = 0;
    loop {
        let rows = store.chain_rows(org_id, walk.seq, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        let (lo, hi) = (rows[0].seq, rows[rows.len() - 1].seq);
        let checkpoints = store.checkpoints(org_id, lo, hi).await?;
        for row in &rows {
            if let Err(b) = walk.step(row, &checkpoints) {
                report.first_broken_link = Some(b);
                break;
            }
            walked += 1;
        }
        if report.first_broken_link.is_some() || walked >= max || rows.len() < PAGE as usize {
            report.more = report.first_broken_link.is_none() && rows.len() == PAGE as usize;
            break;
        }
    }
    report.verified_through = walk.seq;
    report.chain_hash = walk.hash;
    report.checkpoints_matched = walk.matched;
    Ok(report)
}

/// Seals the organization's chain: extends it from its last checkpoint over up to
/// `max_rows` new rows, writing a checkpoint at the end of each page. Stops without sealing
/// at a broken link (returned), so a tampered chain is never blessed.
pub async fn seal(
    store: &impl ChainStore,
    org_id: &str,
    max_rows: u32,
    now: i64,
) -> Result<Option<BrokenLink>, Error> {
    let last = match store.checkpoint_at_or_before(org_id, i64::MAX).await? {
        Some(cp) => cp,
        None => match store.first_seq(org_id).await? {
            Some(1) => Checkpoint {
                seq: 0,
                chain_hash: GENESIS.to_owned(),
            },
            _ => return Ok(None),
        },
    };
    let mut walk = Walk {
        seq: last.seq,
        hash: last.chain_hash,
        matched: 0,
    };
    let mut sealed = 0;
    while sealed < max_rows {
        let rows = store.chain_rows(org_id, walk.seq, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if let Err(b) = walk.step(row, &[]) {
                return Ok(Some(b));
            }
        }
        sealed += rows.len() as u32;
        store
            .insert_checkpoint(
                org_id,
                &Checkpoint {
                    seq: walk.seq,
                    chain_hash: walk.hash.clone(),
                },
                now,
            )
            .await?;
        if rows.len() < PAGE as usize {
            break;
        }
    }
    Ok(None)
}
