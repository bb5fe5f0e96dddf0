//! Registrations of users for applications (seed 003's `202`).

use crate::api::{RegistrationList, RegistrationView};
use crate::store::{AppStore, RegistrationStore, UserStore};
use crate::time::rfc3339;
use crate::Error;

/// Registers a user of `org_id` for one of its applications.
pub async fn register(
    store: &(impl UserStore + AppStore + RegistrationStore),
    org_id: &str,
    user_id: &str,
    application_id: &str,
    now: i64,
) -> Result<(), Error> {
    store
        .get_user(org_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    store
        .get_app(org_id, application_id)
        .await?
        .ok_or(Error::NotFound)?;
    store.register(org_id, user_id, application_id, now).await?;
    Ok(())
}

pub async fn unregister(
    store: &(impl UserStore + RegistrationStore),
    org_id: &str,
    user_id: &str,
    application_id: &str,
) -> Result<(), Error> {
    if store.unregister(org_id, user_id, application_id).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

pub async fn list(
    store: &(impl UserStore + RegistrationStore),
    org_id: &str,
    user_id: &str,
) -> Result<RegistrationList, Error> {
    store
        .get_user(org_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let regs = store.registrations(org_id, user_id).await?;
    Ok(RegistrationList {
        registrations: regs
            .iter()
            .map(|r| RegistrationView {
                application_id: r.application_id.clone(),
                created_at: rfc3339(r.created_at),
            })
            .collect(),
    })
}
