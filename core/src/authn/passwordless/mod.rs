//! Passwordless sign-in: proof of an email address, by a six-digit code ([`code`]) or a
//! single-use link ([`link`]).
//!
//! What every such method shares:
//! - **No enumeration.** Asking for a code or a link answers the same whether an account has
//!   the address or not, stores the same rows, and charges the same counters; only the
//!   message differs, and flows never send it themselves (see [`crate::delivery`]): for an
//!   address without an account, nothing is sent (unless the application allows sign-up,
//!   where the first code or link creates the account).
//! - **Sending limits** ([`charge_send`]): one message per address per
//!   [`RESEND_AFTER_SECS`], at most [`PER_ADDRESS_PER_HOUR`] per address and
//!   [`PER_IP_PER_HOUR`] per client address in each clock hour, answered `RATE_LIMITED`
//!   with the seconds to wait.
//! - **Single use.** Codes and links are one-time-code rows stored as hashes and consumed
//!   with `DELETE ... RETURNING`; of racing requests exactly one wins. A spent one leaves a
//!   marker until it would have expired, so a second use is told `CODE_USED`.
//! - **The same end as every login** (`finish`): the account's status, its registration
//!   for the application, the MFA gate (a code or a link is a first factor), then
//!   [`crate::login::establish`]. Every failure is a login record of the method's name.

use crate::api::CreateUser;
use crate::authn::guard;
use crate::authn::mfa::{self, FirstFactor};
use crate::authn::password::LoginStores;
use crate::delivery::templates::Kind;
use crate::identity::{registrations, users};
use crate::login::{establish, LoginEnv, LoginSuccess, Start};
use crate::model::{
    Application, ClientInfo, FailureReason, LoginMethod, LoginRecord, OneTimeCode, Outcome, User,
    UserStatus,
};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{modify_user, AppStore, AttemptStore, CodeStore};
use crate::Error;

pub mod code;
pub mod link;
pub mod reset;
#[cfg(test)]
mod tests;

/// A link's user who is gone by the time it is used: the link reads as expired, as an
/// unknown one does.
pub(crate) fn expired_if_gone<T>(r: Result<T, Error>) -> Result<T, Error> {
    match r {
        Err(Error::NotFound) => Err(Error::CodeRejected("CODE_EXPIRED")),
        r => r,
    }
}

pub mod verify_email;

/// Seconds between two messages to one address.
pub const RESEND_AFTER_SECS: u32 = 30;
/// Messages to one address in one clock hour.
pub const PER_ADDRESS_PER_HOUR: u32 = 5;
/// Messages asked for from one client address in one clock hour.
pub const PER_IP_PER_HOUR: u32 = 100;
/// The purpose of a spent code's or link's marker.
pub const SPENT: &str = "signin_spent";

const HOUR_MS: i64 = 3_600_000;

/// How long the link or code of a message of `kind` lasts, in minutes (0 for a notice).
pub fn lifetime_minutes(kind: Kind) -> i64 {
    let ms = match kind {
        Kind::MagicLink => link::TTL_MS,
        Kind::MagicCode | Kind::SmsCode => code::TTL_MS,
        Kind::PasswordReset => reset::TTL_MS,
        Kind::VerifyEmail => verify_email::TTL_MS,
        Kind::PasswordChanged | Kind::LoginAlert => 0,
    };
    ms / 60_000
}

/// The stores a passwordless sign-in reads and writes: a password login's, and the
/// applications (a link names its own).
pub trait PasswordlessStores: LoginStores + AppStore {}

impl<T> PasswordlessStores for T where T: LoginStores + AppStore {}

/// Asking for a link by email (a magic link, a reset link, a confirmation link).
pub struct LinkRequest<'a> {
    pub application: &'a Application,
    pub email: &'a str,
    pub client: &'a ClientInfo,
    /// The page the link opens, without a fragment (`https://auth.example.com/magic-link`).
    pub link_page: &'a str,
}

/// An address, checked: the form typed (to send to) and the form accounts are found by.
#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub display: String,
    pub normalized: String,
}

pub(crate) fn address(raw: &str) -> Result<Address, Error> {
    let e = crate::validate::email(raw)?;
    Ok(Address {
        display: e.display,
        normalized: e.normalized,
    })
}

/// Refuses a method the application has not enabled.
pub(crate) fn enabled(app: &Application, method: LoginMethod) -> Result<(), Error> {
    if app.login_methods.contains(&method) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "LOGIN_METHOD_DISABLED",
            "this sign-in method is not enabled for this application",
        ))
    }
}

/// Charges a message to `address` (normalised) asked for from `ip`, in one transaction,
/// and refuses it within [`RESEND_AFTER_SECS`] of the last one or past an hourly cap.
/// Refused requests count too, so hammering does not shorten a wait.
pub async fn charge_send(
    store: &impl AttemptStore,
    org_id: &str,
    address: &str,
    ip: Option<&str>,
    now: i64,
) -> Result<(), Error> {
    let hour = now.div_euclid(HOUR_MS);
    let id = hex(&sha256(format!("{org_id}\n{address}").as_bytes()));
    // The caps count per clock hour; the wait runs from the last message, whatever the hour
    // (an hour's counter alone would let a message at :59:50 be followed by one at :00:05).
    let keys = [
        format!("send:{}:{hour}", &id[..32]),
        format!("sendip:{}:{hour}", ip.unwrap_or("-")),
        format!("sendlast:{}", &id[..32]),
    ];
    let charged = store.charge_attempts(org_id, &keys, HOUR_MS, now).await?;
    let to_next_hour = ((HOUR_MS - now.rem_euclid(HOUR_MS)).max(1000) / 1000) as u64;
    let [to_address, from_ip, last] = charged[..] else {
        return Err(Error::Internal("send counters: wrong count".into()));
    };
    if let Some(previous) = last.previous_at {
        let wait_ms = i64::from(RESEND_AFTER_SECS) * 1000 - (now - previous);
        if wait_ms > 0 {
            return Err(Error::RateLimited {
                retry_after_secs: ((wait_ms + 999) / 1000) as u64,
            });
        }
    }
    if to_address.failures > PER_ADDRESS_PER_HOUR || from_ip.failures > PER_IP_PER_HOUR {
        return Err(Error::RateLimited {
            retry_after_secs: to_next_hour,
        });
    }
    Ok(())
}

/// A failure record of `method`.
pub(crate) fn failure(
    app: &Application,
    method: &str,
    login_id: &str,
    user_id: Option<&str>,
    client: &ClientInfo,
    reason: FailureReason,
    now: i64,
) -> LoginRecord {
    LoginRecord {
        organization_id: app.organization_id.clone(),
        application_id: Some(app.id.clone()),
        created_at: now,
        outcome: Outcome::Failure,
        method: method.to_owned(),
        failure_reason: Some(reason),
        user_id: user_id.map(str::to_owned),
        login_id: login_id.chars().take(320).collect(),
        session_id: None,
        client: client.clone(),
        flags: Vec::new(),
        connection_id: None,
    }
}

/// The marker a spent code or link leaves, keyed by its row's hash (a copy of the row, so a
/// second use can be recorded against its account and application).
pub(crate) fn spent_marker(row: &OneTimeCode) -> OneTimeCode {
    OneTimeCode {
        code_hash: marker_hash(&row.code_hash),
        purpose: SPENT.to_owned(),
        ..row.clone()
    }
}

fn marker_hash(row_hash: &str) -> String {
    hex(&sha256(format!("spent\n{row_hash}").as_bytes()))
}

/// Why a code or link row is not there.
pub(crate) struct Gone {
    pub reason: FailureReason,
    pub error: Error,
    /// The spent marker, or the expired row while it is still stored: whose it was.
    pub row: Option<OneTimeCode>,
}

/// Why the `purpose` row `row_hash` is gone: spent (its marker lives) or expired (or never
/// issued).
pub(crate) async fn gone(
    store: &impl CodeStore,
    row_hash: &str,
    purpose: &str,
    now: i64,
) -> Result<Gone, Error> {
    if let Some(marker) = store.find_code(&marker_hash(row_hash), SPENT, now).await? {
        return Ok(Gone {
            reason: FailureReason::CodeUsed,
            error: Error::CodeRejected("CODE_USED"),
            row: Some(marker),
        });
    }
    Ok(Gone {
        reason: FailureReason::CodeExpired,
        error: Error::CodeRejected("CODE_EXPIRED"),
        row: store.find_code(row_hash, purpose, i64::MIN).await?,
    })
}

/// The account a proven address signs in to: the row's user, or, where the row names none
/// and the application allows sign-up, a new account with the address, verified (proving
/// it is what the code or link did), registered for the application.
pub(crate) async fn account<R: Rng>(
    store: &impl PasswordlessStores,
    app: &Application,
    row_user_id: &str,
    email: &str,
    env: &mut LoginEnv<'_, R>,
) -> Result<Option<User>, Error> {
    let org = app.organization_id.as_str();
    if !row_user_id.is_empty() {
        return store.get_user(org, row_user_id).await;
    }
    if !app.self_signup {
        return Ok(None);
    }
    // Someone may have signed up with the address since the code was sent.
    if let Some(u) = store.find_login(org, &address(email)?.normalized).await? {
        return Ok(Some(u));
    }
    let input = CreateUser {
        email: email.to_owned(),
        password: None,
        username: None,
        name: None,
        email_verified: true,
        phone: None,
        password_change_required: false,
        expires_at: None,
    };
    let view = users::create(store, org, input, env.params, env.now, env.rng).await?;
    registrations::register(store, org, &view.id, &app.id, env.now).await?;
    store.get_user(org, &view.id).await
}

/// A proven address's sign-in, after its code or link was consumed.
pub(crate) struct Proven<'a> {
    pub application: &'a Application,
    pub user: User,
    /// `magic_code`, `magic_link`.
    pub method: &'static str,
    pub login_id: &'a str,
    pub client: ClientInfo,
    pub trust_token: Option<&'a str>,
    /// The address counter [`admit`] charged, taken back now that the attempt succeeded.
    pub refund: &'a [String],
    /// The proof was of the email address (not a phone number): it is verified now.
    pub verifies_email: bool,
    /// The connection of a single sign-on.
    pub connection_id: Option<&'a str>,
}

/// Ends a sign-in whose address was proven: the counters of its login id are cleared, the
/// address is marked verified, and the account's status, registration and second factor
/// decide, as after a password.
pub(crate) async fn finish<R: Rng>(
    store: &impl PasswordlessStores,
    p: Proven<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let app = p.application;
    let org = app.organization_id.as_str();
    let mut user = p.user;
    let fail = |reason, user: &User| {
        failure(
            app,
            p.method,
            p.login_id,
            Some(user.id.as_str()),
            &p.client,
            reason,
            env.now,
        )
    };
    let normalized = guard::normalized_login_id(p.login_id);
    store
        .clear_attempts(org, &guard::prefixes(org, &normalized), p.refund)
        .await?;
    if user.status == UserStatus::Disabled {
        store
            .record_failure(&fail(FailureReason::Disabled, &user))
            .await?;
        return Err(Error::AccountDisabled);
    }
    if user.is_expired(env.now) {
        store
            .record_failure(&fail(FailureReason::Expired, &user))
            .await?;
        return Err(Error::AccountExpired);
    }
    if !store.is_registered(&user.id, &app.id).await? {
        store
            .record_failure(&fail(FailureReason::NotRegistered, &user))
            .await?;
        return Err(Error::NotRegistered);
    }
    if p.verifies_email && !user.email_verified {
        // The code went to this address: only while it is still the user's.
        let address = user.email_normalized.clone();
        let (_, now_stored) = modify_user(store, &user.organization_id, &user.id, env.now, |u| {
            if u.email_normalized == address {
                u.email_verified = true;
            }
            Ok(())
        })
        .await?;
        user = now_stored;
    }
    let first = FirstFactor {
        user: &user,
        method: p.method,
        user_verified: false,
        login_id: p.login_id,
        application: Some(app),
        client: &p.client,
        no_tokens: false,
        registered: true,
        flags: &[],
        trust_token: p.trust_token,
        connection_id: p.connection_id,
        factors: None,
    };
    mfa::gate(store, first, env.now, env.rng).await?;
    let start = Start {
        user: &user,
        method: p.method,
        prior: None,
        login_id: p.login_id,
        application: Some(app),
        client: p.client.clone(),
        no_tokens: false,
        rehash: None,
        flags: Vec::new(),
        connection_id: p.connection_id.map(str::to_owned),
        known: None,
    };
    let success = establish(store, start, env).await?;
    Ok(LoginSuccess {
        user,
        registered: true,
        ..success
    })
}

/// Charges a verification attempt on `login_id` to the brute-force counters (the login id
/// from this address, and from anywhere) and the client's address, before anything is
/// checked, as a password attempt is. Refused: recorded, `TOO_MANY_ATTEMPTS`. Admitted:
/// the address counter's key, to refund on success.
pub(crate) async fn admit(
    store: &impl PasswordlessStores,
    app: &Application,
    method: &str,
    login_id: &str,
    user: Option<&User>,
    client: &ClientInfo,
    now: i64,
) -> Result<[String; 1], Error> {
    let org = app.organization_id.as_str();
    let policy = guard::policy(store, org).await?;
    let refused = |retry_after_secs| async move {
        store
            .record_failure(&failure(
                app,
                method,
                login_id,
                user.map(|u| u.id.as_str()),
                client,
                FailureReason::TooManyAttempts,
                now,
            ))
            .await?;
        Err(Error::TooManyAttempts { retry_after_secs })
    };
    let normalized = guard::normalized_login_id(login_id);
    let keys = guard::keys(org, &normalized, client.ip.as_deref());
    let charge = match guard::charge_login(store, org, &policy, client, &keys, now).await? {
        Ok(charge) => charge,
        Err(retry) => return refused(retry).await,
    };
    if let Err(retry) = guard::decide(&policy, charge.by_ip, charge.any, now) {
        return refused(retry).await;
    }
    Ok(charge.address)
}
