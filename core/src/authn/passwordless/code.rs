//! Sign-in by a six-digit code sent by email (seed 000's "magic auth code").
//!
//! One code per address and application at a time, kept as a one-time-code row keyed by
//! the address (so the answer is the same for every address) and holding the code as an
//! HMAC under the worker's key: a copy of the database does not give codes away. A code
//! lasts [`TTL_MS`] and allows [`MAX_TRIES`] guesses, each counted in one statement before
//! it is checked; the last wrong one voids it. Asking again replaces it.

use serde::{Deserialize, Serialize};

use super::{
    account, address, admit, charge_send, enabled, failure, finish, gone, spent_marker,
    PasswordlessStores, Proven, RESEND_AFTER_SECS,
};
use crate::api::CodeSent;
use crate::delivery::templates::{self, Kind, Vars};
use crate::delivery::Message;
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{Application, ClientInfo, FailureReason, LoginMethod, OneTimeCode, User};
use crate::rand::{hex, Rng};
use crate::secrets::{ct_eq, hmac_sha256, sha256};
use crate::Error;

/// The purpose of code rows.
pub const MAGIC_CODE: &str = "magic_code";
/// A code works for ten minutes.
pub const TTL_MS: i64 = 10 * 60 * 1000;
/// Guesses one code allows.
pub const MAX_TRIES: u32 = 5;
/// The record's method.
const METHOD: &str = "magic_code";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    /// HMAC of the code.
    mac: String,
    /// The address as typed when the code was asked for.
    email: String,
}

/// The row of `app`'s code for `address` (normalised).
fn row_hash(app: &Application, address: &str) -> String {
    hex(&sha256(
        format!(
            "{MAGIC_CODE}\n{}\n{}\n{address}",
            app.organization_id, app.id
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

/// Asking for a code.
pub struct SendCode<'a> {
    pub application: &'a Application,
    pub email: &'a str,
    pub client: &'a ClientInfo,
    /// The key codes are stored under (a worker secret).
    pub key: &'a [u8],
}

/// Stores a new code for the address and answers with the message to deliver: none for an
/// address no account has (unless the application allows sign-up). The answer itself is
/// the same either way.
pub async fn send(
    store: &impl PasswordlessStores,
    req: SendCode<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(CodeSent, Option<Message>), Error> {
    let app = req.application;
    enabled(app, LoginMethod::MagicCode)?;
    let addr = address(req.email)?;
    let org = app.organization_id.as_str();
    charge_send(store, org, &addr.normalized, req.client.ip.as_deref(), now).await?;
    let user = store.find_login(org, &addr.normalized).await?;
    let code = six_digits(rng);
    let hash = row_hash(app, &addr.normalized);
    let pending = Pending {
        mac: mac(req.key, &hash, &code),
        email: addr.display.clone(),
    };
    let row = OneTimeCode {
        code_hash: hash,
        purpose: MAGIC_CODE.to_owned(),
        organization_id: org.to_owned(),
        user_id: user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
        data: Some(serde_json::to_string(&pending).map_err(|e| Error::Internal(e.to_string()))?),
        created_at: now,
        expires_at: now + TTL_MS,
    };
    store.upsert_code(&row).await?;
    let message = (user.is_some() || app.self_signup).then(|| {
        let to = user
            .as_ref()
            .map_or(addr.display.as_str(), |u: &User| &u.email);
        let vars = Vars::new()
            .set("application", app.name.as_str())
            .set("code", code.as_str())
            .set("expires_minutes", (TTL_MS / 60_000).to_string())
            .client(req.client);
        Message::Email(templates::email(Kind::MagicCode, to, &vars))
    });
    let sent = CodeSent {
        expires_in: (TTL_MS / 1000) as u32,
        resend_after: RESEND_AFTER_SECS,
    };
    Ok((sent, message))
}

/// Signing in with a code.
pub struct VerifyCode<'a> {
    pub application: &'a Application,
    pub email: &'a str,
    pub code: &'a str,
    pub client: ClientInfo,
    pub key: &'a [u8],
    pub trust_token: Option<&'a str>,
}

/// Checks the code and, once right, signs the account in (see [`super::finish`]).
pub async fn verify<R: Rng>(
    store: &impl PasswordlessStores,
    req: VerifyCode<'_>,
    mut env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let app = req.application;
    enabled(app, LoginMethod::MagicCode)?;
    let addr = address(req.email)?;
    let org = app.organization_id.as_str();
    let now = env.now;
    let user = store.find_login(org, &addr.normalized).await?;
    let record = |reason, user: Option<&User>| {
        failure(
            app,
            METHOD,
            req.email,
            user.map(|u| u.id.as_str()),
            &req.client,
            reason,
            now,
        )
    };
    let refund = admit(
        store,
        app,
        METHOD,
        &addr.normalized,
        user.as_ref(),
        &req.client,
        now,
    )
    .await?;
    let hash = row_hash(app, &addr.normalized);
    let Some((row, tries)) = store.charge_code(&hash, MAGIC_CODE, now, MAX_TRIES).await? else {
        let gone = gone(store, &hash, MAGIC_CODE, now).await?;
        store
            .record_failure(&record(gone.reason, user.as_ref()))
            .await?;
        return Err(gone.error);
    };
    let pending: Pending = row
        .data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .ok_or_else(|| Error::Internal("magic code row without its data".into()))?;
    let presented = mac(req.key, &hash, req.code.trim());
    if !ct_eq(presented.as_bytes(), pending.mac.as_bytes()) {
        store
            .record_failure(&record(FailureReason::InvalidCode, user.as_ref()))
            .await?;
        if tries >= MAX_TRIES {
            // The last guess: the code is void.
            store.consume_code(&hash, MAGIC_CODE, now).await?;
        }
        return Err(Error::CodeRejected("INVALID_CODE"));
    }
    // Of racing requests with the right code, the one that deletes the row signs in.
    let Some(row) = store.consume_code(&hash, MAGIC_CODE, now).await? else {
        store
            .record_failure(&record(FailureReason::CodeUsed, user.as_ref()))
            .await?;
        return Err(Error::CodeRejected("CODE_USED"));
    };
    store.upsert_code(&spent_marker(&row)).await?;
    let Some(account) = account(store, app, &row.user_id, &pending.email, &mut env).await? else {
        // No account has the address, so no code was sent: a guess that happened to match.
        store
            .record_failure(&record(FailureReason::InvalidCode, None))
            .await?;
        return Err(Error::CodeRejected("INVALID_CODE"));
    };
    let proven = Proven {
        application: app,
        user: account,
        method: METHOD,
        login_id: req.email,
        client: req.client.clone(),
        trust_token: req.trust_token,
        refund: &refund,
    };
    finish(store, proven, env).await
}
