//! Latchkey's core: domain and API types, the error model, the route table and, later,
//! the services. Nothing here performs I/O; the worker and the SDK are thin adapters.

pub mod api;
pub mod auth;
pub mod authn;
pub mod chain;
pub mod cookies;
pub mod cors;
pub mod datefmt;
pub mod error;
pub mod identity;
pub mod login;
pub mod login_api;
pub mod login_form;
#[cfg(test)]
mod login_tests;
pub mod memory;
pub mod model;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod password;
pub mod pkce;
pub mod rand;
pub mod records;
pub mod risk;
pub mod routes;
pub mod secrets;
pub mod sessions;
pub mod store;
pub mod time;
pub mod token_cache;
pub mod tokens;
pub mod ua;
pub mod validate;
pub mod zip;

pub use error::Error;

/// The version of Latchkey, reported by `/healthz` and the SDK.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
