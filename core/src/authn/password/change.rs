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
    let hash = hex(&sha256(change_password_id.trim().as_bytes()));
    let code = store
        .consume_code(&hash, CHANGE_PASSWORD, now)
        .await?
        .ok_or_else(|| {
            Error::invalid_field(
                "INVALID_CHANGE_PASSWORD_ID",
                "the change_password_id is unknown, used or expired",
            )
        })?;
    let mut user = store
        .get_user(&code.organization_id, &code.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    user.password_hash = Some(password::hash(new_password, params, rng)?);
    user.password_change_required = false;
    user.updated_at = now;
    store.update_user(&user).await?;
    store
        .revoke_user_sessions(&user.organization_id, &user.id, now)
        .await?;
    crate::authn::guard::unlock(store, &user).await
}
