//! Login records: every attempt by every method writes one, and everything here reads,
//! secures or ages that one table.
//!
//! - [`views`]: the user's own history (seed 001) and an administrator's view (seed 000).
//! - [`chain`] (pure) and [`integrity`] (through the store): the tamper-evident hash chain;
//!   [`verification`]: what the verify endpoint answers, never an empty pass.
//! - [`retention`]: the cron's pruning, after sealing.
//! - [`risk`]: signals on successful logins (new device, new country, impossible travel).
//! - [`search`]: the administrators' search, failures included, and the dashboard's counts.
//! - [`ua`]: the user-agent parse every view shows.
//! - [`zip`], [`datefmt`]: the export's container and its date formats (seed 003).

pub mod chain;
pub(crate) mod csv;
pub mod datefmt;
pub mod integrity;
pub mod retention;
pub mod risk;
pub mod search;
pub mod ua;
pub mod verification;
pub mod views;
pub mod zip;

pub use crate::model::{Criteria, StoredRecord};
pub use retention::{apply_retention, RetentionReport};
pub use views::{history, login_logs};
