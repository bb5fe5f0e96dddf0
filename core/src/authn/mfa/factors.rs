//! A user's second factors: enrolling an authenticator app (a 160-bit secret, sealed at
//! rest, shown once as base32, an `otpauth://` URI and a QR code), confirming it with a first
//! code, listing, removing, and backup codes.
//!
//! Backup codes: ten, each 50 random bits written as ten Crockford base32 characters
//! (`xxxxx-xxxxx`), stored as HMAC-SHA-256 under a key derived from `MFA_KEY` and bound to
//! the user, each deleted by the one request that uses it. Replacing them replaces all.

use crate::api::{
    AuthenticatorList, AuthenticatorView, BackupCodes, ConfirmedTotp, TotpEnrollment,
};
use crate::authn::guard;
use crate::authn::password::{self, HashParams, Verified};
use crate::authn::totp;
use crate::events::{self, kinds};
use crate::model::{MfaFactor, Session, User};
use crate::rand::{hex, uuid_v7, Rng};
use crate::secrets::hmac_sha256;
use crate::store::{AttemptStore, CodeStore, EventStore, MfaStore, OrgStore};
use crate::time::rfc3339;
use crate::Error;

use super::seal::{self, MfaKeys};
use super::{Proof, MFA_TRUST};

/// Confirmed authenticators one user may have.
pub const MAX_FACTORS: usize = 5;
/// Backup codes a user holds after each replacement.
pub const BACKUP_CODE_COUNT: usize = 10;
/// Without a password, a session this young counts as a fresh first factor.
pub const FRESH_MS: i64 = 10 * 60 * 1000;

const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

impl From<&MfaFactor> for AuthenticatorView {
    fn from(f: &MfaFactor) -> Self {
        AuthenticatorView {
            id: f.id.clone(),
            kind: f.kind.clone(),
            name: f.name.clone(),
            confirmed: f.confirmed_at.is_some(),
            created_at: rfc3339(f.created_at),
            last_used_at: f.last_used_at.map(rfc3339),
        }
    }
}

/// Starts enrolling an authenticator app for `user`: a pending factor (replacing any other
/// pending one) whose secret is returned once. `issuer` names the service in the app.
pub async fn enroll_totp(
    store: &impl MfaStore,
    keys: &impl MfaKeys,
    user: &User,
    issuer: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<TotpEnrollment, Error> {
    let confirmed = super::confirmed(store, &user.organization_id, &user.id).await?;
    if confirmed.len() >= MAX_FACTORS {
        return Err(Error::conflict(
            "TOO_MANY_AUTHENTICATORS",
            format!("an account has at most {MAX_FACTORS} authenticators; remove one first"),
        ));
    }
    let secret: [u8; totp::SECRET_BYTES] = rng.bytes();
    let id = uuid_v7(now, rng);
    let sealed = seal::seal(keys, &secret, &seal::context(&id, &user.id), rng).await?;
    let factor = MfaFactor {
        id: id.clone(),
        organization_id: user.organization_id.clone(),
        user_id: user.id.clone(),
        kind: "totp".to_owned(),
        name: "Authenticator app".to_owned(),
        secret: sealed,
        confirmed_at: None,
        last_used_step: None,
        created_at: now,
        last_used_at: None,
    };
    store.insert_pending_factor(&factor).await?;
    let account = user.username.as_deref().unwrap_or(&user.email);
    let uri = totp::otpauth_uri(issuer, account, &secret);
    Ok(TotpEnrollment {
        id,
        secret: totp::base32(&secret),
        qr_svg: super::qr::svg(&uri)?,
        otpauth_uri: uri,
        algorithm: "SHA1".to_owned(),
        digits: totp::DIGITS,
        period: totp::STEP_SECS as u32,
    })
}

/// The pending factor `id` of `user` and its secret.
async fn pending(
    store: &impl MfaStore,
    keys: &impl MfaKeys,
    user: &User,
    id: Option<&str>,
) -> Result<Option<(MfaFactor, Vec<u8>)>, Error> {
    let factors = store.user_factors(&user.organization_id, &user.id).await?;
    let Some(f) = factors
        .into_iter()
        .rfind(|f| f.confirmed_at.is_none() && id.is_none_or(|id| f.id == id))
    else {
        return Ok(None);
    };
    let opened = seal::open(keys, &f.secret, &seal::context(&f.id, &user.id)).await?;
    Ok(Some((f, opened.plain)))
}

/// Confirms the signed-in user's pending authenticator with its first code. The user's
/// first factor comes with backup codes (shown once).
pub async fn confirm_totp(
    store: &(impl MfaStore + EventStore),
    keys: &impl MfaKeys,
    user: &User,
    id: &str,
    code: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<ConfirmedTotp, Error> {
    let (factor, secret) = pending(store, keys, user, Some(id))
        .await?
        .ok_or(Error::NotFound)?;
    let step = totp::verify(&secret, code, now, None).ok_or_else(|| {
        Error::invalid_field(
            "INVALID_MFA_CODE",
            "the code is not the authenticator's current one: check the device's clock and try the next code",
        )
    })?;
    if !store
        .confirm_factor(&user.organization_id, &user.id, &factor.id, step, now)
        .await?
    {
        return Err(Error::NotFound);
    }
    added(store, user, &factor.id, now).await?;
    let backup_codes = if store
        .backup_codes_left(&user.organization_id, &user.id)
        .await?
        == 0
    {
        Some(new_backup_codes(store, keys, user, now, rng).await?)
    } else {
        None
    };
    let mut factor = factor;
    factor.confirmed_at = Some(now);
    factor.last_used_at = Some(now);
    Ok(ConfirmedTotp {
        authenticator: AuthenticatorView::from(&factor),
        backup_codes,
    })
}

async fn added(store: &impl EventStore, user: &User, id: &str, now: i64) -> Result<(), Error> {
    let e = events::event(&user.organization_id, kinds::MFA_ADDED, now)
        .user(Some(&user.id))
        .detail("authenticator_id", id)
        .detail("type", "totp");
    events::emit(store, e).await
}

/// At a login that must enrol: confirms the user's newest pending factor with `proof`.
pub(super) async fn confirm_pending(
    store: &(impl MfaStore + EventStore),
    keys: &impl MfaKeys,
    user: &User,
    proof: Proof<'_>,
    now: i64,
) -> Result<bool, Error> {
    let Proof::Totp(code) = proof else {
        return Ok(false);
    };
    let Some((factor, secret)) = pending(store, keys, user, None).await? else {
        return Ok(false);
    };
    let Some(step) = totp::verify(&secret, code, now, None) else {
        return Ok(false);
    };
    let confirmed = store
        .confirm_factor(&user.organization_id, &user.id, &factor.id, step, now)
        .await?;
    if confirmed {
        added(store, user, &factor.id, now).await?;
    }
    Ok(confirmed)
}

/// The user's authenticators (pending ones too) and how many backup codes are left.
pub async fn list(
    store: &impl MfaStore,
    org_id: &str,
    user_id: &str,
) -> Result<AuthenticatorList, Error> {
    let factors = store.user_factors(org_id, user_id).await?;
    Ok(AuthenticatorList {
        mfa_enabled: factors.iter().any(|f| f.confirmed_at.is_some()),
        authenticators: factors.iter().map(AuthenticatorView::from).collect(),
        backup_codes_left: store.backup_codes_left(org_id, user_id).await?,
    })
}

/// Removes one of the user's factors. Trusted devices end with it; with the last confirmed
/// factor go the backup codes. `actor` says who (the user, or an administrator's key).
pub async fn remove(
    store: &(impl MfaStore + CodeStore + EventStore),
    org_id: &str,
    user_id: &str,
    id: &str,
    actor: &str,
    now: i64,
) -> Result<(), Error> {
    if !store.delete_factor(org_id, user_id, id).await? {
        return Err(Error::NotFound);
    }
    store.delete_user_codes(org_id, user_id, MFA_TRUST).await?;
    if super::confirmed(store, org_id, user_id).await?.is_empty() {
        store
            .replace_backup_codes(org_id, user_id, &[], now)
            .await?;
    }
    let e = events::event(org_id, kinds::MFA_REMOVED, now)
        .actor(actor)
        .user(Some(user_id))
        .detail("authenticator_id", id);
    events::emit(store, e).await
}

/// Replaces the user's backup codes (they need a confirmed factor).
pub async fn regenerate_backup_codes(
    store: &(impl MfaStore + EventStore),
    keys: &impl MfaKeys,
    user: &User,
    now: i64,
    rng: &mut impl Rng,
) -> Result<BackupCodes, Error> {
    if super::confirmed(store, &user.organization_id, &user.id)
        .await?
        .is_empty()
    {
        return Err(Error::invalid_field(
            "MFA_NOT_ENABLED",
            "backup codes come with an authenticator: set one up first",
        ));
    }
    let codes = new_backup_codes(store, keys, user, now, rng).await?;
    let e = events::event(&user.organization_id, kinds::MFA_BACKUP_CODES_REPLACED, now)
        .user(Some(&user.id));
    events::emit(store, e).await?;
    Ok(BackupCodes {
        backup_codes: codes,
    })
}

/// Ten new backup codes for `user`, replacing the old ones: returned once, stored as MACs.
pub(super) async fn new_backup_codes(
    store: &impl MfaStore,
    keys: &impl MfaKeys,
    user: &User,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Vec<String>, Error> {
    let mut codes = Vec::with_capacity(BACKUP_CODE_COUNT);
    let mut hashes = Vec::with_capacity(BACKUP_CODE_COUNT);
    while codes.len() < BACKUP_CODE_COUNT {
        let raw: [u8; 10] = rng.bytes();
        // 256 is a multiple of 32: each character is uniform.
        let normal: String = raw
            .iter()
            .map(|b| char::from(CROCKFORD[usize::from(b & 31)]))
            .collect();
        let hash = backup_code_hash(&keys.backup_code_keys()[0], &user.id, &normal);
        if hashes.contains(&hash) {
            continue;
        }
        hashes.push(hash);
        codes.push(format!("{}-{}", &normal[..5], &normal[5..]));
    }
    store
        .replace_backup_codes(&user.organization_id, &user.id, &hashes, now)
        .await?;
    Ok(codes)
}

/// A backup code as typed, normalised (case, spaces, hyphens, and Crockford's look-alikes:
/// `i`/`l` are `1`, `o` is `0`); `None` if it cannot be one.
pub fn normalize_backup_code(code: &str) -> Option<String> {
    let mut out = String::with_capacity(10);
    for c in code.chars() {
        let c = match c.to_ascii_lowercase() {
            ' ' | '-' => continue,
            'i' | 'l' => '1',
            'o' => '0',
            c => c,
        };
        if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == 10).then_some(out)
}

fn backup_code_hash(key: &[u8], user_id: &str, normal: &str) -> String {
    hex(&hmac_sha256(key, format!("{user_id}:{normal}").as_bytes()))
}

/// A normalised backup code's stored form under each key held.
pub fn backup_code_hashes(keys: &impl MfaKeys, user_id: &str, normal: &str) -> Vec<String> {
    keys.backup_code_keys()
        .iter()
        .map(|k| backup_code_hash(k, user_id, normal))
        .collect()
}

/// A fresh first factor, for changing factors: the user's password or, for users without
/// one, a session started within [`FRESH_MS`]. A password is charged to the account's
/// brute-force counters before it is checked, as at login, so this cannot be used to guess it.
#[allow(clippy::too_many_arguments)]
pub async fn reauthenticate(
    store: &(impl AttemptStore + OrgStore),
    user: &User,
    session: &Session,
    password: Option<&str>,
    ip: Option<&str>,
    params: HashParams,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(), Error> {
    let refuse = |msg: &str| Error::invalid_field("REAUTHENTICATION_REQUIRED", msg);
    match (&user.password_hash, password) {
        (Some(hash), Some(pw)) => {
            let org = user.organization_id.as_str();
            let policy = guard::policy(store, org).await?;
            let keys = guard::keys(org, &user.email, ip);
            let charged = store
                .charge_attempts(org, &keys, policy.lock_ms, now)
                .await?;
            if let [by_ip, any] = charged[..] {
                if let Err(retry_after_secs) = guard::decide(&policy, by_ip, any, now) {
                    return Err(Error::TooManyAttempts { retry_after_secs });
                }
            }
            match password::verify(pw, hash, params, rng)? {
                Verified::No => Err(refuse("the password is not correct")),
                _ => {
                    store.clear_attempts(org, &keys, &[]).await?;
                    Ok(())
                }
            }
        }
        (Some(_), None) => Err(refuse("confirm with the account's password")),
        (None, _) if now - session.created_at <= FRESH_MS => Ok(()),
        (None, _) => Err(refuse(
            "sign in again: this change needs a session less than ten minutes old",
        )),
    }
}

/// The QR code of the user's pending authenticator `id` (none once it is confirmed).
pub async fn pending_qr(
    store: &impl MfaStore,
    keys: &impl MfaKeys,
    user: &User,
    id: &str,
    issuer: &str,
) -> Result<String, Error> {
    let (_, secret) = pending(store, keys, user, Some(id))
        .await?
        .ok_or(Error::NotFound)?;
    let account = user.username.as_deref().unwrap_or(&user.email);
    super::qr::svg(&totp::otpauth_uri(issuer, account, &secret))
}
