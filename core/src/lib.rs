//! Latchkey's core: domain and API types, the error model, the route table and the
//! services. Nothing here performs I/O; the worker and the SDK are thin adapters.
//! ARCHITECTURE.md at the repository's root is the map.

// Foundations: no dependency on anything below.
pub mod error;
pub mod model;
pub mod rand;
pub mod secrets;
pub mod time;
pub mod validate;

// Wire types and storage traits.
pub mod api;
pub mod store;

// Services, one module per flow.
pub mod access;
pub mod authn;
pub mod compat;
pub mod delivery;
pub mod events;
pub mod identity;
pub mod login;
pub mod oauth;
pub mod records;
pub mod sessions;

// HTTP's description (routes, OpenAPI, CORS), and what only the browser SDK runs.
pub mod browser;
pub mod http;

#[cfg(test)]
mod layering_tests;
#[cfg(test)]
mod test_fixtures;

pub use error::Error;

/// The version of Latchkey, reported by `/healthz` and the SDK.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
