//! Compatibility surfaces: third-party APIs documented in the seeds, served at their own
//! paths in their own shapes so that clients written for them work unchanged. Each only
//! translates to and from the native services.
//!
//! - [`login_api`]: seed 003's Login API (login, two-factor login, login instant, logout,
//!   login-record search and export).
//!
//! The seed shapes served under native paths (000's `loginlogs`, 001's history, 002's
//! sessions) are plain wire types in [`crate::api`].

pub mod login_api;
