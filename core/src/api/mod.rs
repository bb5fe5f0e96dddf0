//! Wire types of the native API (`/api/v1`, JSON, snake_case), shared by the worker and the
//! SDK so that client and server cannot drift. One file per area, all re-exported here:
//! callers write `api::UserView`. Wire types import nothing but the domain model; the
//! services build them.
//!
//! - [`common`]: the error body, health, JSON parsing, paging.
//! - [`identity`]: organizations, API keys, applications, public configuration, users,
//!   roles and permissions, registrations.
//! - [`auth`]: sign-up, login, refresh, logout, status, password change, authorization code.
//! - [`sessions`]: sessions, natively and in seed 002's shape.
//! - [`records`]: login history (seed 001) and login logs (seed 000).
//! - [`events`]: security events and the organization's webhook.
//! - [`passkeys`]: WebAuthn options and responses, and the user's passkeys.
//! - [`mfa`]: a login's second step, authenticators and backup codes.
//! - [`passwordless`]: sign-in codes and links by email.
//! - [`oauth`]: the OpenID provider's token answer, the hosted page's code, client secrets.
//! - [`sso`]: identity-provider connections, and the widget's start and hand-off exchange.
//!
//! Seed 003's Login API has its own shapes in [`crate::compat::login_api`].

// The macros below are textually scoped: every area file after them can use them. Each
// area imports `serde::{Deserialize, Serialize}` itself, since they expand where used.

/// A response type: serialisable, and described in the OpenAPI document.
macro_rules! api_type {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        pub struct $name { $($body)* }
    };
}

/// Request bodies refuse unknown fields, so a typo is an error rather than silently ignored.
macro_rules! request_type {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name { $($body)* }
    };
}

pub mod auth;
pub mod common;
pub mod events;
pub mod identity;
pub mod mfa;
pub mod oauth;
pub mod passkeys;
pub mod passwordless;
pub mod records;
pub mod sessions;
pub mod sso;
pub mod templates;

pub use auth::*;
pub use common::*;
pub use events::*;
pub use identity::*;
pub use mfa::*;
pub use oauth::*;
pub use passkeys::*;
pub use passwordless::*;
pub use records::*;
pub use sessions::*;
pub use sso::*;
pub use templates::*;
