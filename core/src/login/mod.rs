//! Where every login ends, whatever method proved who the user is (see [`crate::authn`]):
//! the session, its first tokens, the success record, the user's last login and the risk
//! signals, written in one transaction ([`SessionStore::record_login`], the single call
//! site). Failures of every method write their record through the same stores.

use crate::authn::password::HashParams;
use crate::events;
use crate::model::OneTimeCode;
use crate::model::{Application, ClientInfo, LoginRecord, Outcome, Session, User};
use crate::rand::{hex, uuid_v7, Rng};
use crate::secrets::sha256;
use crate::sessions::jwt::KeyRing;
use crate::sessions::tokens::{access_token, audience, lifetimes, new_refresh_token, Issued};
use crate::store::{CodeStore, EventStore, LoginWrite, OrgStore, SessionStore, UserStore};
use crate::Error;

pub mod alert;
#[cfg(test)]
mod tests;

/// Sessions end this long after they start, whatever the refresh tokens say, unless the
/// application's refresh-token lifetime is shorter.
pub const MAX_SESSION_MS: i64 = 90 * 24 * 3600 * 1000;

/// Everything a login needs besides the stores.
pub struct LoginEnv<'a, R: Rng> {
    pub keys: &'a KeyRing,
    pub issuer: &'a str,
    pub params: HashParams,
    pub now: i64,
    pub rng: &'a mut R,
}

#[derive(Debug, Clone)]
pub struct LoginSuccess {
    pub user: User,
    pub session: Session,
    pub tokens: Option<Issued>,
    /// Whether the user is registered for the application (always true without one).
    pub registered: bool,
    /// The "was this you?" email of a login a risk signal flagged (see [`alert`]).
    pub alert: Option<crate::delivery::Draft>,
}

/// A new single-use code for `purpose`: the value to hand out and its stored form.
pub fn new_code(
    user: &User,
    purpose: &str,
    now: i64,
    ttl_ms: i64,
    rng: &mut impl Rng,
) -> (String, OneTimeCode) {
    let value = hex(&rng.bytes::<32>());
    let stored = OneTimeCode {
        code_hash: hex(&sha256(value.as_bytes())),
        purpose: purpose.to_owned(),
        organization_id: user.organization_id.clone(),
        user_id: user.id.clone(),
        data: None,
        created_at: now,
        expires_at: now + ttl_ms,
    };
    (value, stored)
}

/// A session about to start for an authenticated user.
pub struct Start<'a> {
    pub user: &'a User,
    /// How the user proved who they are (`password`, `passkey`): the session's method, the
    /// record's, and the access token's `amr`.
    pub method: &'static str,
    /// The first factor, when `method` is the second (`password` before `totp`): the
    /// session lists both.
    pub prior: Option<String>,
    /// The login id as typed, for the record.
    pub login_id: &'a str,
    pub application: Option<&'a Application>,
    pub client: ClientInfo,
    /// Issue no tokens (seed 003's `noJWT`).
    pub no_tokens: bool,
    /// A new password hash when the stored one used older parameters.
    pub rehash: Option<String>,
    /// Flags the method found (`breached_password`), recorded beside the risk signals.
    pub flags: Vec<String>,
    /// The identity-provider connection of a single sign-on, for the session and the record.
    pub connection_id: Option<String>,
    /// What the login already read of the user (roles, recent logins).
    pub known: Option<&'a crate::store::UserReads>,
}

/// Starts a session for an authenticated `user`: the session, its first tokens (unless
/// `no_tokens`), the success record and the user's last login, in one transaction. Every
/// successful login, by any method, ends here.
pub async fn establish<R: Rng>(
    store: &(impl UserStore + SessionStore + EventStore + CodeStore + OrgStore),
    start: Start<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let Start {
        user,
        method,
        prior,
        login_id,
        application,
        client,
        no_tokens,
        rehash,
        flags: method_flags,
        connection_id,
        known,
    } = start;
    let org_id = user.organization_id.as_str();
    let (access_ttl, refresh_ttl_ms) = lifetimes(application);
    let session = Session {
        id: uuid_v7(env.now, env.rng),
        organization_id: org_id.to_owned(),
        user_id: user.id.clone(),
        application_id: application.map(|a| a.id.clone()),
        created_at: env.now,
        last_active_at: env.now,
        expires_at: env.now + MAX_SESSION_MS.min(refresh_ttl_ms),
        revoked_at: None,
        idle_timeout_ms: application.map_or(0, |a| i64::from(a.idle_timeout_secs) * 1000),
        client,
        methods: prior.into_iter().chain([method.to_owned()]).collect(),
        scope: None,
        parent_id: None,
        connection_id: connection_id.clone(),
    };
    let (tokens, stored_refresh) = if no_tokens {
        (None, None)
    } else {
        let roles = match known {
            Some(k) => k.roles.clone(),
            None => store.user_role_names(org_id, &user.id).await?,
        };
        let aud = audience(application, org_id, env.issuer);
        let access = access_token(
            env.keys, env.issuer, &session, &aud, roles, access_ttl, env.now,
        )
        .await?;
        let (refresh, stored) = new_refresh_token(&session.id, env.now, refresh_ttl_ms, env.rng);
        (
            Some(Issued {
                access_token: access,
                refresh_token: refresh,
                expires_in: access_ttl,
            }),
            Some(stored),
        )
    };
    let mut flags = method_flags;
    let recent = match known {
        Some(k) => k.recent.clone(),
        None => recent(store, user).await?,
    };
    flags.extend(crate::records::risk::flags(
        &recent,
        &session.client,
        env.now,
    ));
    let record = LoginRecord {
        organization_id: org_id.to_owned(),
        application_id: session.application_id.clone(),
        created_at: env.now,
        outcome: Outcome::Success,
        method: method.to_owned(),
        failure_reason: None,
        user_id: Some(user.id.clone()),
        login_id: login_id.chars().take(320).collect(),
        session_id: Some(session.id.clone()),
        client: session.client.clone(),
        flags,
        connection_id,
    };
    store
        .record_login(LoginWrite {
            session: &session,
            refresh_token: stored_refresh.as_ref(),
            record: &record,
            rehash: rehash.as_deref(),
        })
        .await?;
    risk_events(store, &record).await?;
    let alert = alert::alert(
        store,
        user,
        application,
        &session,
        &record.flags,
        env.issuer,
        env.now,
        env.rng,
    )
    .await?;
    Ok(LoginSuccess {
        user: user.clone(),
        session,
        tokens,
        registered: true,
        alert,
    })
}

/// Seed 003's login-instant update: `user` was signed into `application` by single sign-on
/// elsewhere. Records a successful `sso` login without a new session.
pub async fn ping(
    store: &(impl UserStore + SessionStore + EventStore),
    user: &User,
    application: Option<&Application>,
    client: ClientInfo,
    now: i64,
) -> Result<(), Error> {
    let record = LoginRecord {
        organization_id: user.organization_id.clone(),
        application_id: application.map(|a| a.id.clone()),
        created_at: now,
        outcome: Outcome::Success,
        method: "sso".to_owned(),
        failure_reason: None,
        user_id: Some(user.id.clone()),
        login_id: user.email.clone(),
        session_id: None,
        flags: crate::records::risk::flags(&recent(store, user).await?, &client, now),
        connection_id: None,
        client,
    };
    store.record_ping(&record).await?;
    risk_events(store, &record).await
}

/// The security events a successful login's risk flags raise (see [`crate::events`]).
async fn risk_events(store: &impl EventStore, record: &LoginRecord) -> Result<(), Error> {
    for kind in record.flags.iter().filter_map(|f| events::kind_of_flag(f)) {
        let mut e = events::event(&record.organization_id, kind, record.created_at)
            .user(record.user_id.as_deref())
            .client(&record.client);
        if let Some(s) = &record.session_id {
            e = e.detail("session_id", s.as_str());
        }
        if let Some(a) = &record.application_id {
            e = e.detail("application_id", a.as_str());
        }
        events::emit(store, e).await?;
    }
    Ok(())
}

/// The recent successful logins of `user` the risk signals compare a new one with (see
/// [`crate::records::risk`]).
async fn recent(
    store: &impl SessionStore,
    user: &User,
) -> Result<Vec<crate::model::PastLogin>, Error> {
    store
        .recent_logins(
            &user.organization_id,
            &user.id,
            crate::records::risk::HISTORY,
        )
        .await
}
