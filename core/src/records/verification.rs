//! What `GET /api/v1/login-records/verify` answers: [`integrity::verify`]'s report, made
//! impossible to mistake for a pass when nothing could be verified.
//!
//! - `from` before any checkpoint (nothing sealed yet, or not that far back): there is no
//!   chain hash to start a walk at `from`, so the walk starts at the beginning instead, and
//!   `verified_from` says so.
//! - Records exist but no walk can start at all (the oldest remaining record is not the
//!   chain's first and no checkpoint precedes it: records were removed without a seal, which
//!   retention never does): `verifiable: false` with `reason: "no_checkpoint"`, never an
//!   empty report that reads as clean.

use serde::{Deserialize, Serialize};

use crate::records::chain::VerifyReport;
use crate::records::integrity;
use crate::store::ChainStore;
use crate::Error;

/// `GET /api/v1/login-records/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Verification {
    #[serde(flatten)]
    pub report: VerifyReport,
    /// False when the organization has records but none could be checked: then the rest of
    /// the report verifies nothing and must not be read as a pass.
    pub verifiable: bool,
    /// Why nothing could be verified (`no_checkpoint`), when `verifiable` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Verifies up to `max` rows of the organization's chain from `from` (or its oldest row).
pub async fn verify(
    store: &impl ChainStore,
    org_id: &str,
    from: Option<i64>,
    max: u32,
) -> Result<Verification, Error> {
    let mut report = integrity::verify(store, org_id, from, max).await?;
    // A walk that found no starting point says so with `verified_from` 0 (one that starts at
    // the genesis or at a checkpoint verifies from 1 or later).
    if from.is_some() && report.verified_from == 0 {
        report = integrity::verify(store, org_id, None, max).await?;
    }
    if report.verified_from == 0 && store.first_seq(org_id).await?.is_some() {
        return Ok(Verification {
            report,
            verifiable: false,
            reason: Some("no_checkpoint".to_owned()),
        });
    }
    Ok(Verification {
        report,
        verifiable: true,
        reason: None,
    })
}
