//! A required password change: the login hands out a one-time id instead of a session, and
//! this completes it.

use crate::authn::password::{self, HashParams};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{AttemptStore, CodeStore, SessionStore, UserStore};
use crate::Error;

/// Purpose of the one-time id a required password change hands out.
pub const CHANGE_PASSWORD: &str = "change_password";
/// How long that id stays usable.
pub const CHANGE_PASSWORD_TTL_MS: i64 = 15 * 60 * 1000;

/// Completes a required password change with the one-time id the login handed out: sets
/// the new password, clears the requirement and ends every session of the user.
pub async fn change_password<R: Rng>(
    store: &(impl UserStore + SessionStore + CodeStore + AttemptStore),
    change_password_id: &str,
    new_password: &str,
    params: HashParams,
    now: i64,
    rng: &mut R,
) -> Result<(), Error> {
    password::validate(new_password)?;
    let void = || {
        Error::invalid_field(
            "INVALID_CHANGE_PASSWORD_ID",
            "the change_password_id is unknown, used or expired",
        )
    };
    // The id first: an unknown one costs no hash.
    let code = store
        .consume_code(
            &hex(&sha256(change_password_id.trim().as_bytes())),
            CHANGE_PASSWORD,
            now,
        )
        .await?
        .ok_or_else(void)?;
    let (org, user_id) = (code.organization_id.as_str(), code.user_id.as_str());
    // The password the id was answered to.
    let current = code.data.as_deref().ok_or_else(void)?;
    let hash = password::hash(new_password, params, rng)?;
    // Only while the change is still required and that password is still the user's: the
    // first change made with any of the ids it was answered with (or a reset, or an
    // administrator's new password or lifted requirement) voids the others.
    if !store
        .complete_password_change(org, user_id, current, &hash, now)
        .await?
    {
        return Err(void());
    }
    store
        .delete_user_codes(org, user_id, CHANGE_PASSWORD)
        .await?;
    store.revoke_user_sessions(org, user_id, None, now).await?;
    let user = store.get_user(org, user_id).await?.ok_or(Error::NotFound)?;
    crate::authn::guard::unlock(store, &user).await
}
