//! Password login: the first way in. Unknown users and wrong passwords take the same time
//! and give the same answer; every attempt writes one login record, and a success writes
//! the session, its first refresh token, the record and the user's last login in one
//! transaction ([`SessionStore::record_login`], the single call site).

use crate::model::OneTimeCode;
use crate::model::{
    Application, ClientInfo, FailureReason, LoginMethod, LoginRecord, Outcome, RefreshToken,
    Session, User, UserStatus,
};
use crate::password::{self, HashParams, Verified};
use crate::rand::{hex, uuid_v7, Rng};
use crate::secrets::sha256;
use crate::store::{CodeStore, LoginWrite, RegistrationStore, SessionStore, UserStore};
use crate::tokens::{AccessClaims, KeyRing};
use crate::Error;

/// A PHC string at OWASP parameters whose salt and digest are random bytes, so no password
/// verifies against it: checking a password against it costs what checking a real hash
/// costs, so unknown users answer as slowly as known ones.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$3XjPyW2CqnA6SgTg0Kp3Hg$Gm8M2Tf3CpXrUrsGgbmEmRwM3tSCcYbWD3kQZ7w1yvM";

/// Refresh tokens are `lkr_` and 64 hex digits (256 random bits).
pub const REFRESH_TOKEN_PREFIX: &str = "lkr_";

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

/// A password login attempt.
#[derive(Debug, Clone)]
pub struct PasswordLogin<'a> {
    pub organization_id: &'a str,
    /// The application logged into; `None` for seed 003 logins without `applicationId`.
    pub application: Option<&'a Application>,
    pub login_id: &'a str,
    pub password: &'a str,
    pub client: ClientInfo,
    /// Issue no tokens (seed 003's `noJWT`): the attempt is still recorded.
    pub no_tokens: bool,
}

/// Tokens of a new or refreshed session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u32,
}

#[derive(Debug, Clone)]
pub struct LoginSuccess {
    pub user: User,
    pub session: Session,
    pub tokens: Option<Issued>,
    /// Whether the user is registered for the application (always true without one).
    pub registered: bool,
}

/// Purpose of the one-time id a required password change hands out.
pub const CHANGE_PASSWORD: &str = "change_password";
/// How long that id stays usable.
pub const CHANGE_PASSWORD_TTL_MS: i64 = 15 * 60 * 1000;

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

/// A new opaque refresh token and its stored form.
pub fn new_refresh_token(
    session_id: &str,
    now: i64,
    ttl_ms: i64,
    rng: &mut impl Rng,
) -> (String, RefreshToken) {
    let token = format!("{REFRESH_TOKEN_PREFIX}{}", hex(&rng.bytes::<32>()));
    let stored = RefreshToken {
        token_hash: hash_refresh_token(&token),
        session_id: session_id.to_owned(),
        created_at: now,
        expires_at: now + ttl_ms,
    };
    (token, stored)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex(&sha256(token.as_bytes()))
}

fn normalized_login_id(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.trim().nfkc().collect::<String>().to_lowercase()
}

/// Signs an access token for `session`.
pub fn access_token(
    keys: &KeyRing,
    issuer: &str,
    session: &Session,
    audience: &str,
    roles: Vec<String>,
    ttl_secs: u32,
    now: i64,
) -> Result<String, Error> {
    keys.issue(
        AccessClaims {
            iss: issuer.to_owned(),
            sub: session.user_id.clone(),
            aud: audience.to_owned(),
            sid: session.id.clone(),
            org: session.organization_id.clone(),
            roles,
        },
        now,
        ttl_secs,
    )
}

/// Lifetimes of tokens for an application, or the defaults without one.
pub fn lifetimes(app: Option<&Application>) -> (u32, i64) {
    use crate::identity::applications::{DEFAULT_ACCESS_TTL_SECS, DEFAULT_REFRESH_TTL_SECS};
    let (access, refresh) = app.map_or((DEFAULT_ACCESS_TTL_SECS, DEFAULT_REFRESH_TTL_SECS), |a| {
        (a.access_token_ttl_secs, a.refresh_token_ttl_secs)
    });
    (access, i64::from(refresh) * 1000)
}

/// The audience of tokens for an application: its client id, or the organization id when
/// there is no application.
pub fn audience(app: Option<&Application>, org_id: &str) -> String {
    app.map_or_else(|| org_id.to_owned(), |a| a.client_id.clone())
}

pub async fn password_login<R: Rng>(
    store: &(impl UserStore + SessionStore + RegistrationStore + CodeStore),
    req: PasswordLogin<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let record = |outcome,
                  reason: Option<FailureReason>,
                  user: Option<&User>,
                  session_id: Option<&str>| LoginRecord {
        organization_id: req.organization_id.to_owned(),
        application_id: req.application.map(|a| a.id.clone()),
        created_at: env.now,
        outcome,
        method: "password".to_owned(),
        failure_reason: reason,
        user_id: user.map(|u| u.id.clone()),
        login_id: req.login_id.chars().take(320).collect(),
        session_id: session_id.map(str::to_owned),
        client: req.client.clone(),
        flags: Vec::new(),
    };
    let fail = |reason, user: Option<&User>| record(Outcome::Failure, Some(reason), user, None);

    if let Some(app) = req.application {
        if !app.login_methods.contains(&LoginMethod::Password) {
            store
                .record_failure(&fail(FailureReason::MethodDisabled, None))
                .await?;
            return Err(Error::invalid_field(
                "LOGIN_METHOD_DISABLED",
                "password login is not enabled for this application",
            ));
        }
    }

    let user = store
        .find_login(req.organization_id, &normalized_login_id(req.login_id))
        .await?;
    let (hash, reason_if_wrong) = match &user {
        Some(User {
            password_hash: Some(h),
            ..
        }) => (h.clone(), FailureReason::BadPassword),
        Some(_) => (DUMMY_HASH.to_owned(), FailureReason::NoPassword),
        None => (DUMMY_HASH.to_owned(), FailureReason::UnknownUser),
    };
    let real = hash != DUMMY_HASH;
    // Always one full argon2id verification, whoever the user is.
    let verified = password::verify(req.password, &hash, env.params, env.rng)?;
    let (user, rehash) = match (user, verified) {
        (Some(u), Verified::Yes) if real => (u, None),
        (Some(u), Verified::YesRehashed(new)) if real => (u, Some(new)),
        (user, _) => {
            store
                .record_failure(&fail(reason_if_wrong, user.as_ref()))
                .await?;
            return Err(Error::InvalidCredentials);
        }
    };
    if user.status == UserStatus::Disabled {
        store
            .record_failure(&fail(FailureReason::Disabled, Some(&user)))
            .await?;
        return Err(Error::AccountDisabled);
    }
    if user.is_expired(env.now) {
        store
            .record_failure(&fail(FailureReason::Expired, Some(&user)))
            .await?;
        return Err(Error::AccountExpired);
    }
    if user.password_change_required {
        let (id, code) = new_code(
            &user,
            CHANGE_PASSWORD,
            env.now,
            CHANGE_PASSWORD_TTL_MS,
            env.rng,
        );
        store.insert_code(&code).await?;
        store
            .record_failure(&fail(FailureReason::PasswordChangeRequired, Some(&user)))
            .await?;
        return Err(Error::PasswordChangeRequired(id));
    }
    let registered = match req.application {
        Some(app) => store.is_registered(&user.id, &app.id).await?,
        None => true,
    };

    let start = Start {
        user: &user,
        login_id: req.login_id,
        application: req.application,
        client: req.client,
        no_tokens: req.no_tokens,
        rehash,
    };
    let success = establish(store, start, env).await?;
    Ok(LoginSuccess {
        user,
        registered,
        ..success
    })
}

/// A session about to start for an authenticated user.
pub struct Start<'a> {
    pub user: &'a User,
    /// The login id as typed, for the record.
    pub login_id: &'a str,
    pub application: Option<&'a Application>,
    pub client: ClientInfo,
    /// Issue no tokens (seed 003's `noJWT`).
    pub no_tokens: bool,
    /// A new password hash when the stored one used older parameters.
    pub rehash: Option<String>,
}

/// Starts a session for an authenticated `user`: the session, its first tokens (unless
/// `no_tokens`), the success record and the user's last login, in one transaction. Every
/// successful login, by any method, ends here.
pub async fn establish<R: Rng>(
    store: &(impl UserStore + SessionStore),
    start: Start<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let Start {
        user,
        login_id,
        application,
        client,
        no_tokens,
        rehash,
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
        client,
        methods: vec!["password".to_owned()],
    };
    let (tokens, stored_refresh) = if no_tokens {
        (None, None)
    } else {
        let roles = store.user_role_names(org_id, &user.id).await?;
        let aud = audience(application, org_id);
        let access = access_token(
            env.keys, env.issuer, &session, &aud, roles, access_ttl, env.now,
        )?;
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
    let record = LoginRecord {
        organization_id: org_id.to_owned(),
        application_id: session.application_id.clone(),
        created_at: env.now,
        outcome: Outcome::Success,
        method: "password".to_owned(),
        failure_reason: None,
        user_id: Some(user.id.clone()),
        login_id: login_id.chars().take(320).collect(),
        session_id: Some(session.id.clone()),
        client: session.client.clone(),
        flags: signals(store, user, &session.client, env.now).await?,
    };
    store
        .record_login(LoginWrite {
            session: &session,
            refresh_token: stored_refresh.as_ref(),
            record: &record,
            rehash: rehash.as_deref(),
        })
        .await?;
    Ok(LoginSuccess {
        user: user.clone(),
        session,
        tokens,
        registered: true,
    })
}

/// Seed 003's login-instant update: `user` was signed into `application` by single sign-on
/// elsewhere. Records a successful `sso` login without a new session.
pub async fn ping(
    store: &(impl UserStore + SessionStore),
    user: &User,
    application: Option<&Application>,
    client: ClientInfo,
    now: i64,
) -> Result<(), Error> {
    store
        .record_ping(&LoginRecord {
            organization_id: user.organization_id.clone(),
            application_id: application.map(|a| a.id.clone()),
            created_at: now,
            outcome: Outcome::Success,
            method: "sso".to_owned(),
            failure_reason: None,
            user_id: Some(user.id.clone()),
            login_id: user.email.clone(),
            session_id: None,
            flags: signals(store, user, &client, now).await?,
            client,
        })
        .await
}

/// Registrations for applications (seed 003's `202`).
pub mod registrations {
    use crate::api::{RegistrationList, RegistrationView};
    use crate::store::{AppStore, RegistrationStore, UserStore};
    use crate::time::rfc3339;
    use crate::Error;

    /// Registers a user of `org_id` for one of its applications.
    pub async fn register(
        store: &(impl UserStore + AppStore + RegistrationStore),
        org_id: &str,
        user_id: &str,
        application_id: &str,
        now: i64,
    ) -> Result<(), Error> {
        store
            .get_user(org_id, user_id)
            .await?
            .ok_or(Error::NotFound)?;
        store
            .get_app(org_id, application_id)
            .await?
            .ok_or(Error::NotFound)?;
        store.register(org_id, user_id, application_id, now).await?;
        Ok(())
    }

    pub async fn unregister(
        store: &(impl UserStore + RegistrationStore),
        org_id: &str,
        user_id: &str,
        application_id: &str,
    ) -> Result<(), Error> {
        if store.unregister(org_id, user_id, application_id).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    pub async fn list(
        store: &(impl UserStore + RegistrationStore),
        org_id: &str,
        user_id: &str,
    ) -> Result<RegistrationList, Error> {
        store
            .get_user(org_id, user_id)
            .await?
            .ok_or(Error::NotFound)?;
        let regs = store.registrations(org_id, user_id).await?;
        Ok(RegistrationList {
            registrations: regs
                .iter()
                .map(|r| RegistrationView {
                    application_id: r.application_id.clone(),
                    created_at: rfc3339(r.created_at),
                })
                .collect(),
        })
    }
}

/// Completes a required password change with the one-time id the login handed out: sets
/// the new password, clears the requirement and ends every session of the user.
pub async fn change_password<R: Rng>(
    store: &(impl UserStore + SessionStore + CodeStore),
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
    Ok(())
}

/// The risk signals of a successful login by `user` from `client` (see [`crate::risk`]).
async fn signals(
    store: &impl SessionStore,
    user: &User,
    client: &ClientInfo,
    now: i64,
) -> Result<Vec<String>, Error> {
    let previous = store
        .recent_logins(&user.organization_id, &user.id, crate::risk::HISTORY)
        .await?;
    Ok(crate::risk::flags(&previous, client, now))
}
