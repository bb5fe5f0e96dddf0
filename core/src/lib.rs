//! Latchkey's core: domain and API types, the error model, the route table and, later,
//! the services. Nothing here performs I/O; the worker and the SDK are thin adapters.

pub mod api;
pub mod error;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod routes;

pub use error::Error;

/// The version of Latchkey, reported by `/healthz` and the SDK.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
