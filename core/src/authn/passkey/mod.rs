//! Passkeys (WebAuthn). [`webauthn`] is the relying party's verification of a registration
//! and of an assertion, written from the specification (W3C Web Authentication Level 3,
//! §7.1 and §7.2) over crates already in the tree, with the challenge, the allowed origins
//! and the RP ID passed in, so tests pin them and nothing reads a clock.
//!
//! The ceremonies around it (challenges stored hashed and consumed atomically, credentials
//! stored per user, routes, the SDK and the widget) build on this module.

pub mod webauthn;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;
