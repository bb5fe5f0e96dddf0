//! Verifying and sealing an organization's chain through [`ChainStore`]: the walks over
//! stored rows that [`crate::records::chain`]'s pure steps check.

use crate::records::chain::{
    broken, BrokenLink, ChainKey, Checkpoint, VerifyReport, Walk, GENESIS, PAGE,
};
use crate::store::ChainStore;
use crate::Error;

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

/// The organization's chain key and counter.
async fn key_of<'s>(
    store: &'s impl ChainStore,
    org_id: &str,
) -> Result<(ChainKey<'s>, Option<i64>), Error> {
    let counter = store.counter(org_id).await?;
    let key = ChainKey {
        key: store.chain_key(),
        keyed_from: counter.map_or(1, |c| c.keyed_from),
    };
    Ok((key, counter.map(|c| c.last_seq)))
}

/// Verifies up to `max` rows of the organization's chain from `from` (or its oldest row).
/// Having walked to the end, it checks that nothing after the last stored row was deleted:
/// neither the counter nor the last checkpoint may lie beyond it.
pub async fn verify(
    store: &impl ChainStore,
    org_id: &str,
    from: Option<i64>,
    max: u32,
) -> Result<VerifyReport, Error> {
    let (key, last_issued) = key_of(store, org_id).await?;
    let sealed = store
        .checkpoint_at_or_before(org_id, i64::MAX)
        .await?
        .map(|c| c.seq);
    // The last number the counter issued or a checkpoint covers: rows up to it must exist.
    let last = last_issued.max(sealed);
    let Some(start) = base(store, org_id, from).await? else {
        // No row at all: fine for an organization that never logged anything; a deletion
        // of everything otherwise (retention always keeps the newest row).
        return Ok(VerifyReport {
            verified_from: 0,
            verified_through: 0,
            chain_hash: GENESIS.to_owned(),
            checkpoints_matched: 0,
            first_broken_link: last.filter(|l| *l > 0).map(|_| broken(1, "tail_missing")),
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
            if let Err(b) = walk.step(&key, row, &checkpoints) {
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
    if report.first_broken_link.is_none() && !report.more && last.is_some_and(|l| l > walk.seq) {
        report.first_broken_link = Some(broken(walk.seq + 1, "tail_missing"));
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
    let (key, _) = key_of(store, org_id).await?;
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
            if let Err(b) = walk.step(&key, row, &[]) {
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
