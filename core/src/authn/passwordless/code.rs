//! Sign-in by a six-digit code sent by email (seed 000's "magic auth code") or by SMS
//! (seed 000's "phone magic auth").
//!
//! One code per address (an email or a phone number) and application at a time, kept as a
//! one-time-code row keyed by the address (so the answer is the same for every address) and
//! holding the code as an HMAC under the worker's key: a copy of the database does not give
//! codes away. A code lasts [`TTL_MS`] and allows [`MAX_TRIES`] guesses, each counted in one
//! statement before it is checked; the last wrong one voids it. Asking again replaces it.

use serde::{Deserialize, Serialize};

use super::{
    account, address, admit, charge_send, enabled, failure, finish, gone, spent_marker,
    PasswordlessStores, Proven, RESEND_AFTER_SECS,
};
use crate::api::CodeSent;
use crate::delivery::templates::{Kind, Vars};
use crate::delivery::Draft;
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{
    Application, ClientInfo, FailureReason, LoginMethod, OneTimeCode, SmsProvider, User,
};
use crate::rand::{hex, Rng};
use crate::secrets::{ct_eq, hmac_sha256, sha256};
use crate::Error;

/// The purpose of emailed codes' rows.
pub const MAGIC_CODE: &str = "magic_code";
/// The purpose of texted codes' rows.
pub const SMS_CODE: &str = "sms_code";
/// A code works for ten minutes.
pub const TTL_MS: i64 = 10 * 60 * 1000;
/// Guesses one code allows.
pub const MAX_TRIES: u32 = 5;

/// Where a code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// The rows' purpose, and the records' and sessions' method.
    pub fn method(self) -> &'static str {
        match self {
            Channel::Email => MAGIC_CODE,
            Channel::Sms => SMS_CODE,
        }
    }

    fn login_method(self) -> LoginMethod {
        match self {
            Channel::Email => LoginMethod::MagicCode,
            Channel::Sms => LoginMethod::SmsCode,
        }
    }

    /// The address as typed, checked: the form to send to and the form accounts have.
    fn parse(self, raw: &str) -> Result<(String, String), Error> {
        match self {
            Channel::Email => address(raw).map(|a| (a.display, a.normalized)),
            Channel::Sms => crate::validate::phone(raw).map(|p| (p.clone(), p)),
        }
    }

    async fn account_of(
        self,
        store: &impl PasswordlessStores,
        org: &str,
        normalized: &str,
    ) -> Result<Option<User>, Error> {
        match self {
            Channel::Email => store.find_login(org, normalized).await,
            Channel::Sms => store.find_by_phone(org, normalized).await,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    /// HMAC of the code.
    mac: String,
    /// The address (email or number) as typed when the code was asked for.
    to: String,
}

/// The row of `app`'s code for `address` (normalised) on `channel`.
fn row_hash(channel: Channel, app: &Application, address: &str) -> String {
    hex(&sha256(
        format!(
            "{}\n{}\n{}\n{address}",
            channel.method(),
            app.organization_id,
            app.id
        )
        .as_bytes(),
    ))
}

fn mac(key: &[u8], row_hash: &str, code: &str) -> String {
    hex(&hmac_sha256(key, format!("{row_hash}\n{code}").as_bytes()))
}

/// Six uniformly random digits.
fn six_digits(rng: &mut impl Rng) -> String {
    loop {
        let n = u32::from_le_bytes(rng.bytes::<4>());
        // Rejection sampling: 4_294_000_000 is the largest multiple of 10^6 below 2^32.
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Refuses a channel the application or its organization cannot use.
async fn usable(
    store: &impl PasswordlessStores,
    app: &Application,
    channel: Channel,
) -> Result<(), Error> {
    enabled(app, channel.login_method())?;
    if channel == Channel::Sms {
        let sms = store
            .get_org(&app.organization_id)
            .await?
            .map(|o| o.messaging.sms)
            .unwrap_or_default();
        if sms == SmsProvider::None {
            return Err(Error::invalid_field(
                "SMS_NOT_CONFIGURED",
                "this organization has no SMS provider (messaging.sms)",
            ));
        }
    }
    Ok(())
}

/// Asking for a code.
pub struct SendCode<'a> {
    pub application: &'a Application,
    pub channel: Channel,
    /// An email address, or a phone number for SMS.
    pub to: &'a str,
    pub client: &'a ClientInfo,
    /// The key codes are stored under (a worker secret).
    pub key: &'a [u8],
}

/// Stores a new code for the address and answers with the message to deliver: none for an
/// address no account has (unless the application allows sign-up, by email). The answer
/// itself is the same either way.
pub async fn send(
    store: &impl PasswordlessStores,
    req: SendCode<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(CodeSent, Option<Draft>), Error> {
    let (app, channel) = (req.application, req.channel);
    usable(store, app, channel).await?;
    let (display, normalized) = channel.parse(req.to)?;
    let org = app.organization_id.as_str();
    charge_send(store, org, &normalized, req.client.ip.as_deref(), now).await?;
    let user = channel.account_of(store, org, &normalized).await?;
    let code = six_digits(rng);
    let hash = row_hash(channel, app, &normalized);
    let pending = Pending {
        mac: mac(req.key, &hash, &code),
        to: display.clone(),
    };
    let row = OneTimeCode {
        code_hash: hash,
        purpose: channel.method().to_owned(),
        organization_id: org.to_owned(),
        user_id: user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
        data: Some(serde_json::to_string(&pending).map_err(|e| Error::Internal(e.to_string()))?),
        created_at: now,
        expires_at: now + TTL_MS,
    };
    store.upsert_code(&row).await?;
    let vars = Vars::new()
        .set("application", app.name.as_str())
        .set("code", code.as_str())
        .set("expires_minutes", (TTL_MS / 60_000).to_string())
        .client(req.client);
    let message = match (channel, &user) {
        (Channel::Email, Some(u)) => Some(Draft::new(Kind::MagicCode, &u.email, vars)),
        (Channel::Email, None) if app.self_signup => {
            Some(Draft::new(Kind::MagicCode, &display, vars))
        }
        // By SMS, only to the number an account has; no account is made from a number.
        (Channel::Sms, Some(_)) => Some(Draft::new(Kind::SmsCode, &normalized, vars)),
        _ => None,
    };
    let sent = CodeSent {
        expires_in: (TTL_MS / 1000) as u32,
        resend_after: RESEND_AFTER_SECS,
    };
    Ok((sent, message))
}

/// Signing in with a code.
pub struct VerifyCode<'a> {
    pub application: &'a Application,
    pub channel: Channel,
    pub to: &'a str,
    pub code: &'a str,
    pub client: ClientInfo,
    pub key: &'a [u8],
    pub trust_token: Option<&'a str>,
}

/// Checks the code and, once right, signs the account in (see `super::finish`).
pub async fn verify<R: Rng>(
    store: &impl PasswordlessStores,
    req: VerifyCode<'_>,
    mut env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let (app, channel) = (req.application, req.channel);
    usable(store, app, channel).await?;
    let method = channel.method();
    let (_, normalized) = channel.parse(req.to)?;
    let org = app.organization_id.as_str();
    let now = env.now;
    let user = channel.account_of(store, org, &normalized).await?;
    let record = |reason, user: Option<&User>| {
        failure(
            app,
            method,
            req.to,
            user.map(|u| u.id.as_str()),
            &req.client,
            reason,
            now,
        )
    };
    let refund = admit(
        store,
        app,
        method,
        &normalized,
        user.as_ref(),
        &req.client,
        now,
    )
    .await?;
    let hash = row_hash(channel, app, &normalized);
    let Some((row, tries)) = store.charge_code(&hash, method, now, MAX_TRIES).await? else {
        let gone = gone(store, &hash, method, now).await?;
        store
            .record_failure(&record(gone.reason, user.as_ref()))
            .await?;
        return Err(gone.error);
    };
    let pending: Pending = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(|| Error::Internal("code row without its data".into()))?;
    let typed: String = req.code.chars().filter(|c| !c.is_whitespace()).collect();
    let presented = mac(req.key, &hash, &typed);
    if !ct_eq(presented.as_bytes(), pending.mac.as_bytes()) {
        store
            .record_failure(&record(FailureReason::InvalidCode, user.as_ref()))
            .await?;
        if tries >= MAX_TRIES {
            // The last guess: the code is void.
            store.consume_code(&hash, method, now).await?;
        }
        return Err(Error::CodeRejected("INVALID_CODE"));
    }
    // Of racing requests with the right code, the one that deletes the row signs in.
    let Some(row) = store.consume_code(&hash, method, now).await? else {
        store
            .record_failure(&record(FailureReason::CodeUsed, user.as_ref()))
            .await?;
        return Err(Error::CodeRejected("CODE_USED"));
    };
    store.upsert_code(&spent_marker(&row)).await?;
    let found = match channel {
        // A number makes no account.
        Channel::Sms if row.user_id.is_empty() => None,
        _ => account(store, app, &row.user_id, &pending.to, &mut env).await?,
    };
    let Some(account) = found else {
        // No account has the address, so no code was sent: a guess that happened to match.
        store
            .record_failure(&record(FailureReason::InvalidCode, None))
            .await?;
        return Err(Error::CodeRejected("INVALID_CODE"));
    };
    let proven = Proven {
        application: app,
        user: account,
        method,
        login_id: req.to,
        client: req.client.clone(),
        trust_token: req.trust_token,
        refund: &refund,
        verifies_email: channel == Channel::Email,
        connection_id: None,
    };
    finish(store, proven, env).await
}
