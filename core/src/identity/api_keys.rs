//! Organization API keys: shown once, stored as SHA-256, found by prefix, revocable.

use crate::access::{Grants, Principal};
use crate::api::{ApiKeyList, ApiKeyView, CreateApiKey, CreatedApiKey};
use crate::model::ApiKey;
use crate::rand::{uuid_v7, Rng};
use crate::secrets::{secret_matches, ApiKeySecret};
use crate::store::ApiKeyStore;
use crate::time::rfc3339;
use crate::{validate, Error};

use super::changed;

/// The platform operator's key must be at least this long to be accepted at all.
pub const MIN_PLATFORM_KEY_LEN: usize = 32;

/// Makes a key for `org_id` holding `grants`: the row to store and the one-time view with
/// the secret.
pub fn new_key(
    org_id: &str,
    name: &str,
    grants: &Grants,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(ApiKey, CreatedApiKey), Error> {
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
    };
    let view = CreatedApiKey {
        id: key.id.clone(),
        name: key.name.clone(),
        prefix: key.prefix.clone(),
        permissions: key.permissions.clone(),
        created_at: rfc3339(now),
        key: secret.key,
    };
    Ok((key, view))
}

/// Creates a key holding the requested permissions, which must all be held by the caller
/// (`caller`): a key never mints a stronger one.
pub async fn create(
    store: &impl ApiKeyStore,
    org_id: &str,
    caller: &Grants,
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
    let (key, view) = new_key(org_id, &input.name, &requested, now, rng)?;
    store.insert_api_key(&key).await?;
    Ok(view)
}

pub async fn list(store: &impl ApiKeyStore, org_id: &str) -> Result<ApiKeyList, Error> {
    let keys = store.list_api_keys(org_id).await?;
    Ok(ApiKeyList {
        api_keys: keys.iter().map(ApiKeyView::from).collect(),
    })
}

pub async fn revoke(
    store: &impl ApiKeyStore,
    org_id: &str,
    id: &str,
    now: i64,
) -> Result<(), Error> {
    changed(store.revoke_api_key(org_id, id, now).await)
}

/// Authenticates an `Authorization` header value (`Bearer <key>` or the bare key) as the
/// platform operator or an organization API key. Anything else is `UNAUTHORIZED`, with the
/// same answer whether the key is malformed, unknown, revoked or wrong.
pub async fn authenticate(
    store: &impl ApiKeyStore,
    authorization: &str,
    platform_key: Option<&str>,
) -> Result<Principal, Error> {
    let presented = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .unwrap_or(authorization)
        .trim();
    if let Some(secret) = ApiKeySecret::parse(presented) {
        let stored = store.get_api_key_by_prefix(&secret.prefix).await?;
        return match stored {
            Some(k) if k.revoked_at.is_none() && secret.matches(&k.key_hash) => {
                Ok(Principal::ApiKey {
                    grants: Grants::parse(k.permissions.as_deref())?,
                    organization_id: k.organization_id,
                    key_id: k.id,
                })
            }
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
