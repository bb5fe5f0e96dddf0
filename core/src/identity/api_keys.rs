//! Organization API keys: shown once, stored as SHA-256, found by prefix, revocable.

use crate::access::{Grants, Principal};
use crate::api::{ApiKeyList, ApiKeyView, CreateApiKey, CreatedApiKey};
use crate::model::ApiKey;
use crate::rand::{uuid_v7, Rng};
use crate::secrets::{secret_matches, ApiKeySecret};
use crate::store::ApiKeyStore;
use crate::time::{parse_rfc3339, rfc3339};
use crate::{validate, Error};

/// The platform operator's key must be at least this long to be accepted at all.
pub const MIN_PLATFORM_KEY_LEN: usize = 32;

/// What a new key is: its name, what it holds, who makes it and until when it works.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub grants: &'a Grants,
    /// [`crate::access::Principal::actor`] of the creator.
    pub created_by: &'a str,
    pub expires_at: Option<i64>,
}

/// Makes a key for `org_id`: the row to store and the one-time view with the secret.
pub fn new_key(
    org_id: &str,
    new: NewKey<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(ApiKey, CreatedApiKey), Error> {
    let NewKey {
        name,
        grants,
        created_by,
        expires_at,
    } = new;
    let name = validate::name("INVALID_NAME", name, 100)?;
    let secret = ApiKeySecret::generate(rng);
    let key = ApiKey {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        name,
        key_hash: secret.hash(),
        prefix: secret.prefix,
        permissions: grants.names(),
        created_at: now,
        revoked_at: None,
        created_by: Some(created_by.to_owned()),
        expires_at,
    };
    let view = CreatedApiKey {
        id: key.id.clone(),
        name: key.name.clone(),
        prefix: key.prefix.clone(),
        permissions: key.permissions.clone(),
        created_at: rfc3339(now),
        created_by: key.created_by.clone(),
        expires_at: key.expires_at.map(rfc3339),
        key: secret.key,
    };
    Ok((key, view))
}

/// Creates a key holding the requested permissions, which must all be held by the caller
/// (`caller`): a key never mints a stronger one. `actor` is recorded as its creator.
pub async fn create(
    store: &impl ApiKeyStore,
    org_id: &str,
    caller: &Grants,
    actor: &str,
    input: CreateApiKey,
    now: i64,
    rng: &mut impl Rng,
) -> Result<CreatedApiKey, Error> {
    let requested = match Grants::parse(input.permissions.as_deref())? {
        // "All" from a restricted caller means all the caller holds.
        Grants::All => caller.clone(),
        only => only,
    };
    if !caller.covers(&requested) {
        return Err(Error::Forbidden);
    }
    let expires_at = match input.expires_at.as_deref() {
        None => None,
        Some(raw) => match parse_rfc3339(raw) {
            Some(t) if t > now => Some(t),
            _ => {
                return Err(Error::invalid_field(
                    "INVALID_EXPIRES_AT",
                    "expires_at must be an RFC 3339 instant in the future",
                ))
            }
        },
    };
    let new = NewKey {
        name: &input.name,
        grants: &requested,
        created_by: actor,
        expires_at,
    };
    let (key, view) = new_key(org_id, new, now, rng)?;
    store.insert_api_key(&key).await?;
    Ok(view)
}

pub async fn list(store: &impl ApiKeyStore, org_id: &str) -> Result<ApiKeyList, Error> {
    let keys = store.list_api_keys(org_id).await?;
    Ok(ApiKeyList {
        api_keys: keys.iter().map(ApiKeyView::from).collect(),
    })
}

/// Revokes a key no stronger than the caller's own grants (`FORBIDDEN` otherwise), and never
/// the organization's last active unrestricted key (`LAST_UNRESTRICTED_KEY`), which would
/// leave nobody able to manage the organization.
pub async fn revoke(
    store: &impl ApiKeyStore,
    org_id: &str,
    caller: &Grants,
    id: &str,
    now: i64,
) -> Result<(), Error> {
    let key = store
        .list_api_keys(org_id)
        .await?
        .into_iter()
        .find(|k| k.id == id && k.revoked_at.is_none())
        .ok_or(Error::NotFound)?;
    if !caller.covers(&Grants::parse(key.permissions.as_deref())?) {
        return Err(Error::Forbidden);
    }
    if store.revoke_api_key(org_id, id, now).await? {
        Ok(())
    } else if key.permissions.is_none() {
        Err(Error::conflict(
            "LAST_UNRESTRICTED_KEY",
            "this is the organization's last active unrestricted key; create another first",
        ))
    } else {
        Err(Error::NotFound)
    }
}

/// Authenticates an `Authorization` header value (`Bearer <key>` or the bare key) as the
/// platform operator or an organization API key. Anything else is `UNAUTHORIZED`, with the
/// same answer whether the key is malformed, unknown, revoked, expired or wrong.
pub async fn authenticate(
    store: &impl ApiKeyStore,
    authorization: &str,
    platform_key: Option<&str>,
    now: i64,
) -> Result<Principal, Error> {
    let presented = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .unwrap_or(authorization)
        .trim();
    if let Some(secret) = ApiKeySecret::parse(presented) {
        let stored = store.api_key_for_request(&secret.prefix, now).await?;
        return match stored {
            Some(k) if k.is_active(now) && secret.matches(&k.key_hash) => Ok(Principal::ApiKey {
                grants: Grants::parse(k.permissions.as_deref())?,
                organization_id: k.organization_id,
                key_id: k.id,
            }),
            _ => Err(Error::Unauthorized),
        };
    }
    match platform_key {
        Some(expected)
            if expected.len() >= MIN_PLATFORM_KEY_LEN && secret_matches(presented, expected) =>
        {
            Ok(Principal::Platform)
        }
        _ => Err(Error::Unauthorized),
    }
}
