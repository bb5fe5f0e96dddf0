//! Tenancy and user management: organizations, applications, users, roles, permissions,
//! API keys, and the public configuration look-ups. One module per flow; every function
//! takes the stores it needs, the caller's scope, `now` and a random source.

pub mod api_keys;
pub mod applications;
pub mod config;
pub mod organizations;
pub mod registrations;
pub mod roles;
pub mod users;

#[cfg(test)]
mod tests;

use crate::Error;

/// `Ok(Some(x))` to `x`, `Ok(None)` to `NOT_FOUND`.
pub(crate) fn found<T>(r: Result<Option<T>, Error>) -> Result<T, Error> {
    r?.ok_or(Error::NotFound)
}

/// `Ok(true)` to `()`, `Ok(false)` to `NOT_FOUND`.
pub(crate) fn changed(r: Result<bool, Error>) -> Result<(), Error> {
    if r? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}
