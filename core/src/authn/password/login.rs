//! Password login: unknown users and wrong passwords take the same time and give the same
//! answer; every attempt writes one login record, and a success ends in [`crate::login::establish`].

use crate::authn::guard;
use crate::authn::mfa::{self, FirstFactor};
use crate::authn::password::breach::{self, RangeSource};
use crate::authn::password::change::{CHANGE_PASSWORD, CHANGE_PASSWORD_TTL_MS};
use crate::authn::password::{self, Verified};
use crate::events::{self, kinds};
use crate::login::{establish, new_code, LoginEnv, LoginSuccess, Start};
use crate::model::{
    Application, BreachedAtLogin, ClientInfo, FailureReason, LoginMethod, LoginRecord, Outcome,
    User, UserStatus,
};
use crate::rand::Rng;
use crate::store::{
    AttemptStore, CodeStore, EventStore, LoginReadStore, LoginReads, MfaStore, OrgStore,
    RegistrationStore, SessionStore, UserStore,
};
use crate::Error;

/// A PHC string at OWASP parameters whose salt and digest are random bytes, so no password
/// verifies against it: checking a password against it costs what checking a real hash
/// costs, so unknown users answer as slowly as known ones.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$3XjPyW2CqnA6SgTg0Kp3Hg$Gm8M2Tf3CpXrUrsGgbmEmRwM3tSCcYbWD3kQZ7w1yvM";

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
    /// Refuse users not registered for `application` (`NOT_REGISTERED`), and, where the
    /// application requires it, users whose email is not verified (`EMAIL_NOT_VERIFIED`), as
    /// the native login and the authorization code do; seed 003's login answers them with
    /// its `202` and `212`.
    pub require_registration: bool,
    /// A trusted device's token (see [`crate::authn::mfa`]).
    pub trust_token: Option<&'a str>,
}

/// The stores a password login reads and writes.
pub trait LoginStores:
    UserStore
    + SessionStore
    + RegistrationStore
    + CodeStore
    + AttemptStore
    + OrgStore
    + EventStore
    + MfaStore
    + LoginReadStore
{
}

impl<T> LoginStores for T where
    T: UserStore
        + SessionStore
        + RegistrationStore
        + CodeStore
        + AttemptStore
        + OrgStore
        + EventStore
        + MfaStore
        + LoginReadStore
{
}

/// A password login. `breached` is asked, after the password proved right, whether it is
/// in known breaches, as the organization's `breached_password_at_login` says.
pub async fn password_login<R: Rng>(
    store: &impl LoginStores,
    req: PasswordLogin<'_>,
    breached: &impl RangeSource,
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
        connection_id: None,
    };
    let fail = |reason, user: Option<&User>| record(Outcome::Failure, Some(reason), user, None);
    // Validated, and normalised, exactly as accounts are at creation: what is refused there
    // (control characters, invisible or mixed-script look-alikes) is refused here, before
    // anything is recorded, and what is accepted there finds its account here.
    let login_id = crate::validate::login_id(req.login_id)?;

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

    // Everything the login reads, in one go: the account, the organization's protection,
    // and what the rest needs of the account (registration, factors, roles, recent logins).
    let LoginReads {
        user,
        organization,
        known,
    } = store
        .login_reads(
            req.organization_id,
            &login_id,
            req.application.map(|a| a.id.as_str()),
            crate::records::risk::HISTORY,
        )
        .await?;
    // Brute-force protection, before any hash is checked: the attempt is charged first, so
    // of racing attempts exactly the allowed number get through. The address first: past its
    // limit nothing more is charged, and an unknown identifier's attempt writes nothing.
    let protection = organization
        .map(|o| o.attack_protection)
        .unwrap_or_default();
    let policy = guard::Policy::from(&protection);
    let keys = guard::keys(req.organization_id, &login_id, req.client.ip.as_deref());
    let charge = guard::charge_login(
        store,
        req.organization_id,
        &policy,
        &req.client,
        &keys,
        env.now,
    )
    .await?;
    let guard::LoginCharge {
        address,
        by_ip,
        any,
    } = match charge {
        Ok(charge) => charge,
        Err(retry_after_secs) => {
            if user.is_some() {
                store
                    .record_failure(&fail(FailureReason::TooManyAttempts, user.as_ref()))
                    .await?;
            }
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
    };
    if let Err(retry_after_secs) = guard::decide(&policy, by_ip, any, env.now) {
        store
            .record_failure(&fail(FailureReason::TooManyAttempts, user.as_ref()))
            .await?;
        if let Some(scope) = guard::newly_locked(&policy, by_ip, any) {
            // The login id as typed: whether an account has it is not the event's to say.
            let e = events::event(req.organization_id, kinds::LOGIN_LOCKED, env.now)
                .user(user.as_ref().map(|u| u.id.as_str()))
                .client(&req.client)
                .detail("login_id", login_id.as_str())
                .detail("scope", scope)
                .detail("retry_after_secs", retry_after_secs);
            events::emit(store, e).await?;
        }
        return Err(Error::TooManyAttempts { retry_after_secs });
    }
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
    let (mut user, rehash) = match (user, verified) {
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
    // A right password that is known to be breached: flagged, and per policy changed first.
    let mut flags = Vec::new();
    if protection.breached_password_at_login != BreachedAtLogin::Off
        && breach::is_breached(breached, req.password).await
    {
        flags.push("breached_password".to_owned());
        let require = protection.breached_password_at_login == BreachedAtLogin::RequireChange;
        let e = events::event(req.organization_id, kinds::PASSWORD_BREACHED, env.now)
            .user(Some(&user.id))
            .client(&req.client)
            .detail("at", "login")
            .detail(
                "action",
                if require {
                    "change_required"
                } else {
                    "flagged"
                },
            );
        events::emit(store, e).await?;
        if require && !user.password_change_required {
            // Only while the password is still the breached one.
            let breached = user.password_hash.clone();
            let (_, now_stored) =
                crate::store::modify_user(store, &user.organization_id, &user.id, env.now, |u| {
                    if u.password_hash == breached {
                        u.password_change_required = true;
                    }
                    Ok(())
                })
                .await?;
            user = now_stored;
        }
    }
    if user.password_change_required {
        let (id, mut code) = new_code(
            &user,
            CHANGE_PASSWORD,
            env.now,
            CHANGE_PASSWORD_TTL_MS,
            env.rng,
        );
        // Bound to the password it was answered to: once that is replaced, by anyone, the
        // id changes nothing.
        code.data = user.password_hash.clone();
        store.insert_code(&code).await?;
        store
            .record_failure(&fail(FailureReason::PasswordChangeRequired, Some(&user)))
            .await?;
        return Err(Error::PasswordChangeRequired(id));
    }
    // The right password: this login id's consecutive failures end, here and everywhere.
    store
        .clear_attempts(req.organization_id, &keys, &address)
        .await?;
    let registered = match (req.application, &known) {
        (None, _) => true,
        (Some(_), Some(k)) => k.registered,
        (Some(app), None) => store.is_registered(&user.id, &app.id).await?,
    };
    if req.require_registration && !registered {
        store
            .record_failure(&fail(FailureReason::NotRegistered, Some(&user)))
            .await?;
        return Err(Error::NotRegistered);
    }
    let must_verify = req.application.is_some_and(|a| a.require_verified_email);
    if req.require_registration && must_verify && !user.email_verified {
        store
            .record_failure(&fail(FailureReason::EmailNotVerified, Some(&user)))
            .await?;
        return Err(Error::EmailNotVerified);
    }

    // A user with a second factor (or who must enrol one) continues with it.
    let first = FirstFactor {
        user: &user,
        method: "password",
        user_verified: false,
        login_id: req.login_id,
        application: req.application,
        client: &req.client,
        no_tokens: req.no_tokens,
        registered,
        flags: &flags,
        trust_token: req.trust_token,
        connection_id: None,
        factors: known.as_ref().map(|k| k.confirmed_factors.as_slice()),
    };
    mfa::gate(store, first, env.now, env.rng).await?;
    let start = Start {
        user: &user,
        method: "password",
        prior: None,
        login_id: req.login_id,
        application: req.application,
        client: req.client,
        no_tokens: req.no_tokens,
        rehash,
        flags,
        connection_id: None,
        known: known.as_ref(),
    };
    let success = establish(store, start, env).await?;
    Ok(LoginSuccess {
        user,
        registered,
        ..success
    })
}
