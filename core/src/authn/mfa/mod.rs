//! Multi-factor authentication: a login's second step after its first factor (a password,
//! or a passkey that did not verify the user).
//!
//! - [`gate`] runs where a first factor succeeded, before [`crate::login::establish`]: a
//!   user with a confirmed factor (or without one, where the application requires MFA)
//!   gets a single-use MFA token ([`Error::MfaRequired`]) instead of a session, unless the
//!   device presents a trust token of theirs or the passkey already verified the user.
//! - [`complete`] finishes it with a TOTP code or a backup code (or, for a user enrolling
//!   because the policy requires it, the first code of the new factor). An MFA token allows
//!   [`MAX_TRIES`] codes, counted before each is checked, and every wrong code counts
//!   toward the account's brute-force policy ([`crate::authn::guard`]) too.
//! - [`factors`]: enrolment (secret, `otpauth://` URI, QR code), confirmation, listing,
//!   removal and backup codes. [`seal`]: the secrets' encryption. [`qr`]: the QR code.
//!
//! Tokens and trusted devices are one-time-code rows, stored as SHA-256 hashes.

use serde::{Deserialize, Serialize};

use crate::authn::guard;
use crate::authn::totp;
use crate::error::MfaPending;
use crate::login::{establish, new_code, LoginEnv, LoginSuccess, Start};
use crate::model::{
    Application, ClientInfo, FailureReason, LoginRecord, MfaFactor, MfaPolicy, OneTimeCode,
    Outcome, User, UserStatus,
};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{
    AppStore, AttemptStore, CodeStore, EventStore, MfaStore, OrgStore, SessionStore, UserStore,
};
use crate::Error;

pub mod factors;
pub mod qr;
pub mod seal;
#[cfg(test)]
mod tests;

use seal::MfaKeys;

/// The purpose of MFA tokens' rows.
pub const MFA_LOGIN: &str = "mfa_login";
/// The purpose of trusted devices' rows.
pub const MFA_TRUST: &str = "mfa_trust";
/// An MFA token lasts five minutes (seed 003's `twoFactorId` default).
pub const TOKEN_TTL_MS: i64 = 5 * 60 * 1000;
/// Codes one MFA token allows; then it is void.
pub const MAX_TRIES: u32 = 5;

/// The stores a login's second step reads and writes.
pub trait MfaLoginStores:
    UserStore + SessionStore + CodeStore + AttemptStore + OrgStore + EventStore + MfaStore + AppStore
{
}

impl<T> MfaLoginStores for T where
    T: UserStore
        + SessionStore
        + CodeStore
        + AttemptStore
        + OrgStore
        + EventStore
        + MfaStore
        + AppStore
{
}

/// A login between its two factors, as its MFA token's row keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Waiting {
    /// The first factor (`password`, `passkey`).
    first: String,
    application_id: Option<String>,
    login_id: String,
    no_tokens: bool,
    registered: bool,
    /// Flags the first factor raised (`breached_password`), for the record.
    flags: Vec<String>,
    /// The user has no factor and must enrol one: the code confirms the pending factor.
    enroll: bool,
    /// The connection of a single sign-on first factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection_id: Option<String>,
}

/// A first factor that succeeded.
pub struct FirstFactor<'a> {
    pub user: &'a User,
    /// `password` or `passkey`.
    pub method: &'static str,
    /// A passkey that verified the user (PIN, biometrics): two factors already.
    pub user_verified: bool,
    pub login_id: &'a str,
    pub application: Option<&'a Application>,
    pub client: &'a ClientInfo,
    pub no_tokens: bool,
    pub registered: bool,
    pub flags: &'a [String],
    /// A trusted device's token, from an earlier second factor.
    pub trust_token: Option<&'a str>,
    /// The connection of a single sign-on.
    pub connection_id: Option<&'a str>,
    /// The user's confirmed factors, when the login already read them.
    pub factors: Option<&'a [MfaFactor]>,
}

/// The user's confirmed factors.
pub async fn confirmed(
    store: &impl MfaStore,
    org_id: &str,
    user_id: &str,
) -> Result<Vec<MfaFactor>, Error> {
    let mut all = store.user_factors(org_id, user_id).await?;
    all.retain(|f| f.confirmed_at.is_some());
    Ok(all)
}

/// Whether `token` is a live trusted-device token of `user`.
async fn trusted(
    store: &impl CodeStore,
    user: &User,
    token: &str,
    now: i64,
) -> Result<bool, Error> {
    let hash = hex(&sha256(token.trim().as_bytes()));
    Ok(store
        .find_code(&hash, MFA_TRUST, now)
        .await?
        .is_some_and(|c| c.user_id == user.id && c.organization_id == user.organization_id))
}

/// Decides whether a login that passed its first factor needs a second. `Ok(())`: go on to
/// [`establish`]. Otherwise the MFA token is stored, the attempt recorded (`mfa_required`),
/// and the answer is [`Error::MfaRequired`].
pub async fn gate(
    store: &(impl MfaStore + CodeStore + SessionStore),
    first: FirstFactor<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(), Error> {
    let settings = first.application.map(|a| a.mfa).unwrap_or_default();
    if first.method == "passkey" && first.user_verified && settings.passkey_satisfies {
        return Ok(());
    }
    let user = first.user;
    let enroll = match first.factors {
        Some(known) => known.is_empty(),
        None => confirmed(store, &user.organization_id, &user.id)
            .await?
            .is_empty(),
    };
    if enroll && settings.policy == MfaPolicy::Optional {
        return Ok(());
    }
    if !enroll && settings.trust_days > 0 {
        if let Some(t) = first.trust_token {
            if trusted(store, user, t, now).await? {
                return Ok(());
            }
        }
    }
    let waiting = Waiting {
        first: first.method.to_owned(),
        application_id: first.application.map(|a| a.id.clone()),
        login_id: first.login_id.chars().take(320).collect(),
        no_tokens: first.no_tokens,
        registered: first.registered,
        flags: first.flags.to_vec(),
        enroll,
        connection_id: first.connection_id.map(str::to_owned),
    };
    let (token, mut row) = new_code(user, MFA_LOGIN, now, TOKEN_TTL_MS, rng);
    row.data = Some(
        serde_json::to_string(&waiting).map_err(|e| Error::Internal(format!("mfa token: {e}")))?,
    );
    store.insert_code(&row).await?;
    let methods = methods(store, &user.organization_id, &user.id, enroll).await?;
    store
        .record_failure(&LoginRecord {
            organization_id: user.organization_id.clone(),
            application_id: waiting.application_id.clone(),
            created_at: now,
            outcome: Outcome::Failure,
            method: first.method.to_owned(),
            failure_reason: Some(FailureReason::MfaRequired),
            user_id: Some(user.id.clone()),
            login_id: waiting.login_id.clone(),
            session_id: None,
            client: first.client.clone(),
            flags: waiting.flags.clone(),
            connection_id: waiting.connection_id.clone(),
        })
        .await?;
    Err(Error::MfaRequired(MfaPending {
        token,
        methods,
        enrollment_required: enroll,
        expires_in: (TOKEN_TTL_MS / 1000) as u32,
    }))
}

/// What a second factor presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// A code of an authenticator app.
    Totp(&'a str),
    /// One of the user's backup codes.
    BackupCode(&'a str),
}

impl Proof<'_> {
    /// The record's method.
    pub fn method(&self) -> &'static str {
        match self {
            Proof::Totp(_) => "totp",
            Proof::BackupCode(_) => "backup_code",
        }
    }

    /// Seed 003 sends both kinds as `code`: six digits are a TOTP code, anything else a
    /// backup code.
    pub fn from_code(code: &str) -> Proof<'_> {
        let c = code.trim();
        if c.len() == totp::DIGITS as usize && c.bytes().all(|b| b.is_ascii_digit()) {
            Proof::Totp(c)
        } else {
            Proof::BackupCode(c)
        }
    }
}

/// A second step.
pub struct SecondFactor<'a> {
    pub mfa_token: &'a str,
    pub proof: Proof<'a>,
    /// Trust this device for the application's `trust_days`.
    pub trust_device: bool,
    pub client: ClientInfo,
    /// The organization the caller belongs to, where it is known (an API key's): the token
    /// must be one of its logins.
    pub organization_id: Option<&'a str>,
    /// The application the request names, where it names one: the token must be one of its
    /// logins.
    pub application_id: Option<&'a str>,
    /// Issue no tokens (seed 003's `noJWT`), whatever the first step asked.
    pub no_tokens: bool,
}

/// A completed login: its session and, where asked, the device's trust token; for a user
/// who enrolled at this login, their first backup codes (shown once).
#[derive(Debug, Clone)]
pub struct MfaDone {
    pub success: LoginSuccess,
    pub trust_token: Option<String>,
    /// How long `trust_token` lasts: the application's `trust_days`.
    pub trust_days: u32,
    pub backup_codes: Option<Vec<String>>,
}

/// The second step: checks the code against the login's MFA token and, once right, starts
/// the session through [`establish`] with both methods.
pub async fn complete<R: Rng>(
    store: &impl MfaLoginStores,
    keys: &impl MfaKeys,
    req: SecondFactor<'_>,
    env: LoginEnv<'_, R>,
) -> Result<MfaDone, Error> {
    let now = env.now;
    let token_hash = hex(&sha256(req.mfa_token.trim().as_bytes()));
    let method = req.proof.method();
    let Some((row, _tries)) = store
        .charge_code(&token_hash, MFA_LOGIN, now, MAX_TRIES)
        .await?
    else {
        // Expired, or out of tries, but still stored: the user is known, so it is recorded.
        if let Some(row) = store.find_code(&token_hash, MFA_LOGIN, i64::MIN).await? {
            let waiting = waiting_of(&row)?;
            let record = failure(
                &row,
                &waiting,
                method,
                FailureReason::MfaTokenExpired,
                &req.client,
                now,
            );
            store.record_failure(&record).await?;
        }
        return Err(Error::MfaTokenInvalid);
    };
    let waiting = waiting_of(&row)?;
    let foreign = req
        .organization_id
        .is_some_and(|o| o != row.organization_id)
        || req
            .application_id
            .is_some_and(|a| waiting.application_id.as_deref() != Some(a));
    if foreign {
        return Err(Error::MfaTokenInvalid);
    }
    let fail = |reason| failure(&row, &waiting, method, reason, &req.client, now);
    let org = row.organization_id.as_str();
    let Some(user) = store.get_user(org, &row.user_id).await? else {
        return Err(Error::MfaTokenInvalid);
    };
    // Every code counts toward the account's brute-force policy, before it is checked.
    let policy = guard::policy(store, org).await?;
    // Normalised as the password step's counters are, so both count toward one lock.
    let counted_id =
        crate::validate::login_id(&waiting.login_id).unwrap_or_else(|_| waiting.login_id.clone());
    let keys_charged = guard::keys(org, &counted_id, req.client.ip.as_deref());
    let charged = store
        .charge_attempts(org, &keys_charged, policy.lock_ms, now)
        .await?;
    if let [by_ip, any] = charged[..] {
        if let Err(retry_after_secs) = guard::decide(&policy, by_ip, any, now) {
            store
                .record_failure(&fail(FailureReason::TooManyAttempts))
                .await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
    }
    let verified = if waiting.enroll {
        still_enrolling(store, org, &user.id).await?;
        factors::confirm_pending(store, keys, &user, req.proof, now).await?
    } else {
        verify(store, keys, &user, req.proof, now, env.rng).await?
    };
    if !verified {
        store
            .record_failure(&fail(FailureReason::InvalidMfaCode))
            .await?;
        return Err(Error::InvalidMfaCode);
    }
    // The one request that consumes the token completes the login.
    if store
        .consume_code(&token_hash, MFA_LOGIN, now)
        .await?
        .is_none()
    {
        return Err(Error::MfaTokenInvalid);
    }
    if user.status == UserStatus::Disabled {
        store.record_failure(&fail(FailureReason::Disabled)).await?;
        return Err(Error::AccountDisabled);
    }
    if user.is_expired(now) {
        store.record_failure(&fail(FailureReason::Expired)).await?;
        return Err(Error::AccountExpired);
    }
    store.clear_attempts(org, &keys_charged, &[]).await?;
    let backup_codes = if waiting.enroll {
        Some(factors::new_backup_codes(store, keys, &user, now, env.rng).await?)
    } else {
        None
    };
    let application = match &waiting.application_id {
        Some(id) => store.get_app(org, id).await?,
        None => None,
    };
    let trust_days = application.as_ref().map_or_else(
        || crate::model::MfaSettings::default().trust_days,
        |a| a.mfa.trust_days,
    );
    let trust_token = if req.trust_device && trust_days > 0 {
        let ttl = i64::from(trust_days) * 24 * 3600 * 1000;
        let (value, stored) = new_code(&user, MFA_TRUST, now, ttl, env.rng);
        store.insert_code(&stored).await?;
        Some(value)
    } else {
        None
    };
    let start = Start {
        user: &user,
        method,
        prior: Some(waiting.first.clone()),
        login_id: &waiting.login_id,
        application: application.as_ref(),
        client: req.client,
        no_tokens: waiting.no_tokens || req.no_tokens,
        rehash: None,
        flags: waiting.flags.clone(),
        connection_id: waiting.connection_id.clone(),
        known: None,
    };
    let success = establish(store, start, env).await?;
    Ok(MfaDone {
        success: LoginSuccess {
            registered: waiting.registered,
            ..success
        },
        trust_token,
        trust_days,
        backup_codes,
    })
}

/// Checks the methods an MFA token allows without spending a try (seed 000's "initiate
/// MFA"): `Err(MfaTokenInvalid)` once it is used, expired or out of tries.
pub async fn challenge(
    store: &(impl CodeStore + MfaStore),
    mfa_token: &str,
    now: i64,
) -> Result<MfaPending, Error> {
    let hash = hex(&sha256(mfa_token.trim().as_bytes()));
    let row = store
        .find_code(&hash, MFA_LOGIN, now)
        .await?
        .ok_or(Error::MfaTokenInvalid)?;
    let waiting = waiting_of(&row)?;
    Ok(MfaPending {
        token: mfa_token.trim().to_owned(),
        methods: methods(store, &row.organization_id, &row.user_id, waiting.enroll).await?,
        enrollment_required: waiting.enroll,
        expires_in: u32::try_from((row.expires_at - now).max(0) / 1000).unwrap_or(0),
    })
}

/// The user an unexpired MFA token of an enrolling login belongs to: what lets a user the
/// policy requires to enrol start enrolling before a session exists. Where the request
/// names an application, the token must be one of its logins.
pub async fn enrolling_user(
    store: &(impl CodeStore + UserStore + MfaStore),
    mfa_token: &str,
    application_id: Option<&str>,
    now: i64,
) -> Result<User, Error> {
    let hash = hex(&sha256(mfa_token.trim().as_bytes()));
    let row = store
        .find_code(&hash, MFA_LOGIN, now)
        .await?
        .ok_or(Error::MfaTokenInvalid)?;
    let waiting = waiting_of(&row)?;
    if application_id.is_some_and(|a| waiting.application_id.as_deref() != Some(a)) {
        return Err(Error::MfaTokenInvalid);
    }
    if !waiting.enroll {
        return Err(already_enrolled());
    }
    still_enrolling(store, &row.organization_id, &row.user_id).await?;
    store
        .get_user(&row.organization_id, &row.user_id)
        .await?
        .ok_or(Error::MfaTokenInvalid)
}

fn already_enrolled() -> Error {
    Error::invalid_field(
        "MFA_ALREADY_ENROLLED",
        "this login's user has a second factor: send its code",
    )
}

/// A login told to enrol (its user had no factor then) enrols only while the user still has
/// none: a factor confirmed since, by the user, is what the login must answer with instead.
async fn still_enrolling(store: &impl MfaStore, org_id: &str, user_id: &str) -> Result<(), Error> {
    if confirmed(store, org_id, user_id).await?.is_empty() {
        Ok(())
    } else {
        Err(already_enrolled())
    }
}

/// What the second step may send: a TOTP code (of a confirmed authenticator, or of the one
/// being set up), and backup codes while the user has some and is not enrolling.
async fn methods(
    store: &impl MfaStore,
    org_id: &str,
    user_id: &str,
    enroll: bool,
) -> Result<Vec<String>, Error> {
    let mut methods = vec!["totp".to_owned()];
    if !enroll && store.backup_codes_left(org_id, user_id).await? > 0 {
        methods.push("backup_code".to_owned());
    }
    Ok(methods)
}

fn waiting_of(row: &OneTimeCode) -> Result<Waiting, Error> {
    crate::api::from_json(row.data.as_deref().unwrap_or("").as_bytes())
        .map_err(|e| Error::Internal(format!("stored MFA token: {e}")))
}

fn failure(
    row: &OneTimeCode,
    waiting: &Waiting,
    method: &str,
    reason: FailureReason,
    client: &ClientInfo,
    now: i64,
) -> LoginRecord {
    LoginRecord {
        organization_id: row.organization_id.clone(),
        application_id: waiting.application_id.clone(),
        created_at: now,
        outcome: Outcome::Failure,
        method: method.to_owned(),
        failure_reason: Some(reason),
        user_id: Some(row.user_id.clone()),
        login_id: waiting.login_id.clone(),
        session_id: None,
        client: client.clone(),
        flags: Vec::new(),
        connection_id: waiting.connection_id.clone(),
    }
}

/// Verifies a proof against the user's confirmed factors or backup codes, spending what it
/// uses: a TOTP step once per factor, a backup code once.
async fn verify(
    store: &impl MfaStore,
    keys: &impl MfaKeys,
    user: &User,
    proof: Proof<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<bool, Error> {
    match proof {
        Proof::Totp(code) => {
            for f in confirmed(store, &user.organization_id, &user.id).await? {
                let aad = seal::context(&f.id, &user.id);
                let opened = seal::open(keys, &f.secret, &aad).await?;
                let Some(step) = totp::verify(&opened.plain, code, now, f.last_used_step) else {
                    continue;
                };
                if !store
                    .use_factor_step(&user.organization_id, &f.id, step, now)
                    .await?
                {
                    // Another request used this step first.
                    return Ok(false);
                }
                if opened.stale {
                    let resealed = seal::seal(keys, &opened.plain, &aad, rng).await?;
                    store
                        .reseal_factor(&user.organization_id, &f.id, &resealed)
                        .await?;
                }
                return Ok(true);
            }
            Ok(false)
        }
        Proof::BackupCode(code) => {
            let Some(normal) = factors::normalize_backup_code(code) else {
                return Ok(false);
            };
            let hashes = factors::backup_code_hashes(keys, &user.id, &normal);
            store
                .use_backup_code(&user.organization_id, &user.id, &hashes)
                .await
        }
    }
}
