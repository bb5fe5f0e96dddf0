//! Retention: the cron deletes records past each organization's `retention_days`, after
//! sealing them into the chain, and the sessions that ended (revoked, or expired) longer ago
//! than that, with their refresh tokens: the login history stays in the records.

use crate::records::chain::BrokenLink;
use crate::records::integrity;
use crate::store::{RecordStore, SessionStore};
use crate::Error;

/// Rows deleted per statement, and statements per organization per run: bounded work for a
/// cron invocation, which resumes on the next run.
pub const PRUNE_BATCH: u32 = 1000;
pub const PRUNE_MAX_BATCHES: u32 = 20;

/// Rows sealed into the chain per organization per run.
pub const SEAL_MAX_ROWS: u32 = 50_000;

/// What a retention run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Login records deleted.
    pub deleted: u64,
    /// Ended sessions deleted, with their refresh tokens.
    pub sessions_deleted: u64,
    /// Organizations whose chain is broken: sealing stopped and nothing of theirs was
    /// deleted, since their records are evidence now.
    pub paused: Vec<(String, BrokenLink)>,
}

/// Deletes every organization's records older than its retention, and its sessions that ended
/// longer ago than that, in bounded batches. Each organization's chain is sealed first, so no
/// record leaves before the chain has vouched for it; an organization whose chain is broken
/// keeps everything, sessions included, and the others go on.
pub async fn apply_retention(
    store: &(impl crate::store::OrgStore + RecordStore + SessionStore + crate::store::ChainStore),
    now: i64,
) -> Result<RetentionReport, Error> {
    let mut report = RetentionReport::default();
    let mut offset = 0;
    loop {
        let (orgs, total) = store
            .list_orgs(crate::model::Page { limit: 100, offset })
            .await?;
        for org in &orgs {
            if let Some(b) = integrity::seal(store, &org.id, SEAL_MAX_ROWS, now).await? {
                report.paused.push((org.id.clone(), b));
                continue;
            }
            let cutoff = now - i64::from(org.retention_days) * 86_400_000;
            for _ in 0..PRUNE_MAX_BATCHES {
                let n = store.prune(&org.id, cutoff, PRUNE_BATCH).await?;
                report.deleted += u64::from(n);
                if n < PRUNE_BATCH {
                    break;
                }
            }
            for _ in 0..PRUNE_MAX_BATCHES {
                let n = store.prune_sessions(&org.id, cutoff, PRUNE_BATCH).await?;
                report.sessions_deleted += u64::from(n);
                if n < PRUNE_BATCH {
                    break;
                }
            }
        }
        offset += 100;
        if orgs.is_empty() || u64::from(offset) >= total {
            return Ok(report);
        }
    }
}
