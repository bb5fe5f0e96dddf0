//! Ways of proving who you are, one module per method. Each owns its flow up to the moment
//! the user is known, records its own failures, and ends a success in
//! [`crate::login::establish`], which every method shares.
//!
//! - [`password`]: hashing (argon2id), password login, sign-up and the required password
//!   change.
//! - [`guard`]: brute-force protection every method's attempts pass through.
//! - [`bot`]: Cloudflare Turnstile verification, for applications that ask for it.
//! - [`passkey`]: WebAuthn verification of registrations and assertions (ES256), and the
//!   passkey ceremonies.
//! - [`totp`]: time-based one-time passwords (RFC 6238).
//! - [`mfa`]: the second factor: the gate after a first factor, the second step, the
//!   user's authenticators and backup codes, their sealed secrets.
//! - [`passwordless`]: sign-in by a code or a link sent by email.
//!
//! Adding a method: a module here with its start/finish steps (state between them stored
//! server-side, time and randomness passed in), its failures recorded with its
//! [`crate::model::FailureReason`]s, its success handed to `login::establish`; wire types in
//! [`crate::api::auth`]; routes in [`crate::http::routes`]; a worker handler in
//! `worker/src/handlers/auth.rs`. ARCHITECTURE.md walks through it.

pub mod bot;
pub mod guard;
pub mod mfa;
pub mod passkey;
pub mod password;
pub mod passwordless;
pub mod sso;
pub mod totp;
