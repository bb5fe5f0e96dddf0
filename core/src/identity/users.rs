//! Users of an organization: create, list, look up, update, verify email, delete, roles.

use crate::access::Grants;
use crate::api::{
    CreateUser, RoleView, SetEmailVerified, SetUserRoles, UpdateUser, UserList, UserRoles, UserView,
};
use crate::authn::password::{self, HashParams};
use crate::model::{Page, User, UserStatus};
use crate::rand::{uuid_v7, Rng};
use crate::store::{modify_user, AttemptStore, RoleStore, SessionStore, UserFilter, UserStore};
use crate::{validate, Error};

use super::{changed, found};

const MAX_ROLES_PER_USER: usize = 100;

fn username(raw: &str) -> Result<String, Error> {
    validate::username(raw)
}

/// An RFC 3339 instant (`expires_at`) as epoch milliseconds.
fn instant(raw: &str) -> Result<i64, Error> {
    crate::time::parse_rfc3339(raw).ok_or_else(|| {
        Error::invalid_field(
            "INVALID_EXPIRES_AT",
            "expires_at must be an RFC 3339 instant",
        )
    })
}

fn display_name(raw: &str) -> Result<String, Error> {
    validate::name("INVALID_NAME", raw, 200)
}

pub async fn create(
    store: &impl UserStore,
    org_id: &str,
    input: CreateUser,
    params: HashParams,
    now: i64,
    rng: &mut impl Rng,
) -> Result<UserView, Error> {
    let email = validate::email(&input.email)?;
    let username = input.username.as_deref().map(username).transpose()?;
    let name = input.name.as_deref().map(display_name).transpose()?;
    let password_hash = match input.password.as_deref() {
        Some(p) => {
            password::validate(p)?;
            Some(password::hash(p, params, rng)?)
        }
        None => None,
    };
    let user = User {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        email: email.display,
        email_normalized: email.normalized,
        username,
        name,
        email_verified: input.email_verified,
        phone: input.phone.as_deref().map(validate::phone).transpose()?,
        status: UserStatus::Active,
        password_hash,
        password_change_required: input.password_change_required,
        expires_at: input.expires_at.as_deref().map(instant).transpose()?,
        created_at: now,
        updated_at: now,
    };
    store.insert_user(&user).await?;
    Ok(UserView::from(&user))
}

pub async fn get(store: &impl UserStore, org_id: &str, id: &str) -> Result<UserView, Error> {
    Ok(UserView::from(&found(store.get_user(org_id, id).await)?))
}

pub async fn get_by_email(
    store: &impl UserStore,
    org_id: &str,
    email: Option<&str>,
) -> Result<UserView, Error> {
    let email = validate::email(email.unwrap_or(""))?;
    Ok(UserView::from(&found(
        store.get_user_by_email(org_id, &email.normalized).await,
    )?))
}

/// `email` and `status` are the raw query parameters.
/// Longest text a user search takes.
pub const MAX_SEARCH: usize = 100;

/// The organization's users: by exact `email`, by `text` found in the email, username or
/// name (ASCII letters in any case), by `status`; oldest first.
pub async fn list(
    store: &impl UserStore,
    org_id: &str,
    email: Option<&str>,
    text: Option<&str>,
    status: Option<&str>,
    page: Page,
) -> Result<UserList, Error> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > MAX_SEARCH || t.chars().any(char::is_control)) {
        return Err(Error::invalid_field(
            "INVALID_QUERY",
            format!("q must be at most {MAX_SEARCH} characters, without control characters"),
        ));
    }
    let filter = UserFilter {
        email: email
            .map(|e| validate::email(e).map(|e| e.normalized))
            .transpose()?,
        text: text.map(str::to_ascii_lowercase),
        status: status
            .map(|s| {
                UserStatus::parse(s).ok_or_else(|| {
                    Error::invalid_field("INVALID_STATUS", "status must be 'active' or 'disabled'")
                })
            })
            .transpose()?,
    };
    let (users, total) = store.list_users(org_id, &filter, page).await?;
    Ok(UserList {
        users: users.iter().map(UserView::from).collect(),
        total_count: total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// A nullable field of an update, checked: absent (keep), `null` (clear) or a value.
fn patch<T>(
    field: &Option<Option<String>>,
    check: impl Fn(&str) -> Result<T, Error>,
) -> Result<Option<Option<T>>, Error> {
    field
        .as_ref()
        .map(|v| v.as_deref().map(&check).transpose())
        .transpose()
}

/// Updates a user. Disabling, expiring (an expiry not in the future) or setting a new
/// password ends every session of the user at once.
pub async fn update(
    store: &(impl UserStore + SessionStore + AttemptStore),
    org_id: &str,
    id: &str,
    input: UpdateUser,
    params: HashParams,
    now: i64,
    rng: &mut impl Rng,
) -> Result<UserView, Error> {
    // Checked and hashed once, outside the (possibly repeated) change.
    let email = input.email.as_deref().map(validate::email).transpose()?;
    let new_username = patch(&input.username, username)?;
    let new_name = patch(&input.name, display_name)?;
    let new_phone = patch(&input.phone, validate::phone)?;
    let new_expiry = patch(&input.expires_at, instant)?;
    let new_hash = match &input.password {
        Some(p) => {
            password::validate(p)?;
            Some(password::hash(p, params, rng)?)
        }
        None => None,
    };
    let (before, user) = modify_user(store, org_id, id, now, |user| {
        if let Some(email) = &email {
            if email.normalized != user.email_normalized {
                // A new address has not been verified yet.
                user.email_verified = false;
            }
            user.email = email.display.clone();
            user.email_normalized = email.normalized.clone();
        }
        if let Some(v) = &new_username {
            user.username = v.clone();
        }
        if let Some(v) = &new_name {
            user.name = v.clone();
        }
        if let Some(v) = &new_phone {
            user.phone = v.clone();
        }
        if let Some(status) = input.status {
            user.status = status;
        }
        if let Some(h) = &new_hash {
            user.password_hash = Some(h.clone());
        }
        if let Some(v) = input.password_change_required {
            user.password_change_required = v;
        }
        if let Some(v) = new_expiry {
            user.expires_at = v;
        }
        Ok(())
    })
    .await?;
    let ends_sessions = user.status != UserStatus::Active
        || user.is_expired(now)
        || user.password_hash != before.password_hash;
    if ends_sessions {
        store
            .revoke_user_sessions(org_id, &user.id, None, now)
            .await?;
    }
    if user.password_hash != before.password_hash {
        // A password reset also lifts brute-force locks.
        crate::authn::guard::unlock(store, &user).await?;
    }
    Ok(UserView::from(&user))
}

pub async fn set_email_verified(
    store: &impl UserStore,
    org_id: &str,
    id: &str,
    input: SetEmailVerified,
    now: i64,
) -> Result<UserView, Error> {
    let (_, user) = modify_user(store, org_id, id, now, |u| {
        u.email_verified = input.email_verified;
        Ok(())
    })
    .await?;
    Ok(UserView::from(&user))
}

/// Deletes a user; their sessions and refresh tokens go in the same transaction.
pub async fn delete(store: &impl UserStore, org_id: &str, id: &str) -> Result<(), Error> {
    changed(store.delete_user(org_id, id).await)
}

/// Lifts every brute-force lock and counter of a user's login ids (administrators).
pub async fn unlock(
    store: &(impl UserStore + AttemptStore),
    org_id: &str,
    id: &str,
) -> Result<(), Error> {
    let user = found(store.get_user(org_id, id).await)?;
    crate::authn::guard::unlock(store, &user).await
}

/// Ends every session of a user of `org_id` (administrators); the number ended.
pub async fn revoke_sessions(
    store: &(impl UserStore + SessionStore),
    org_id: &str,
    id: &str,
    now: i64,
) -> Result<u32, Error> {
    let user = found(store.get_user(org_id, id).await)?;
    store
        .revoke_user_sessions(org_id, &user.id, None, now)
        .await
}

pub async fn roles(
    store: &(impl UserStore + RoleStore),
    org_id: &str,
    id: &str,
) -> Result<UserRoles, Error> {
    found(store.get_user(org_id, id).await)?;
    let mut roles = Vec::new();
    for role_id in store.user_role_ids(org_id, id).await? {
        if let Some(r) = store.get_role(org_id, &role_id).await? {
            roles.push(RoleView::from(&r));
        }
    }
    Ok(UserRoles { roles })
}

/// Replaces the user's roles. Every id must be a role of the same organization, and the
/// caller must hold every reserved permission the roles added or removed carry.
pub async fn set_roles(
    store: &(impl UserStore + RoleStore),
    org_id: &str,
    caller: &Grants,
    id: &str,
    input: SetUserRoles,
) -> Result<UserRoles, Error> {
    found(store.get_user(org_id, id).await)?;
    if input.role_ids.len() > MAX_ROLES_PER_USER {
        return Err(Error::invalid_field(
            "INVALID_ROLE_IDS",
            format!("at most {MAX_ROLES_PER_USER} roles"),
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    for role_id in input.role_ids {
        if store.get_role(org_id, &role_id).await?.is_none() {
            return Err(Error::invalid_field(
                "INVALID_ROLE_IDS",
                format!("no role {role_id:?} in this organization"),
            ));
        }
        if !ids.contains(&role_id) {
            ids.push(role_id);
        }
    }
    let before = store.user_role_ids(org_id, id).await?;
    for role_id in super::roles::changed_ids(&before, &ids) {
        if let Some(role) = store.get_role(org_id, &role_id).await? {
            let names = super::roles::permission_names(store, org_id, &role.permission_ids).await?;
            caller.require_reserved(names)?;
        }
    }
    store.set_user_roles(org_id, id, &ids).await?;
    roles(store, org_id, id).await
}
