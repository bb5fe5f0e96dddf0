//! The passkey ceremonies: options, registration, login, and the user's passkeys.
//!
//! Every ceremony starts with options carrying a fresh 256-bit challenge. The challenge is
//! stored only as its SHA-256, as a single-use code valid [`CHALLENGE_TTL_MS`], bound to
//! its application and (for registration and username-first login) its user. A response is
//! matched to its challenge by the hash of the one its client data carries, and the code is
//! consumed (`DELETE ... RETURNING`) before anything else is checked: a replayed or raced
//! response finds nothing.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

use super::webauthn::{self, Expect, ES256};
use super::{origins, rp_id};
use crate::api::{
    AuthenticationCredential, AuthenticatorSelection, CreationOptions, CredentialDescriptor,
    CredentialParameter, PasskeyCreationOptions, PasskeyList, PasskeyRequestOptions, PasskeyStatus,
    PasskeyUser, PasskeyView, RegisterPasskeyRequest, RelyingParty, RequestOptions,
};
use crate::authn::guard;
use crate::authn::password::LoginStores;
use crate::events::{self, kinds};
use crate::login::{establish, LoginEnv, LoginSuccess, Start};
use crate::model::{
    Application, ClientInfo, FailureReason, LoginMethod, LoginRecord, OneTimeCode, Outcome,
    Passkey, User, UserStatus, UserVerification,
};
use crate::rand::{hex, uuid_v7, Rng};
use crate::secrets::{hmac_sha256, sha256};
use crate::sessions::jwt::SignatureCheck;
use crate::store::{AttemptStore, CodeStore, EventStore, OrgStore, PasskeyStore, UserStore};
use crate::time::rfc3339;
use crate::{validate, Error};

/// How long a ceremony's challenge is valid.
pub const CHALLENGE_TTL_MS: i64 = 5 * 60 * 1000;
/// Login options one address may ask for per address window (an hour by default), per
/// organization, as a multiple of the organization's `address_failures_per_hour`: each
/// writes a challenge, and anyone may ask. Conditional UI asks at every page load, so the
/// bound is generous.
pub const OPTIONS_PER_FAILURE_ALLOWED: u32 = 10;
/// Passkeys one user may have.
pub const MAX_PASSKEYS: usize = 20;
const REGISTER: &str = "passkey_register";
const LOGIN: &str = "passkey_login";

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(field: &str, v: &str) -> Result<Vec<u8>, Error> {
    Base64UrlUnpadded::decode_vec(v.trim_end_matches('='))
        .map_err(|_| Error::invalid_field("PASSKEY_REJECTED", format!("{field} is not base64url")))
}

fn rejected(why: &str) -> Error {
    Error::invalid_field(
        "PASSKEY_REJECTED",
        format!("passkey response refused: {why}"),
    )
}

/// What a challenge's code carries besides its user.
#[derive(Serialize, Deserialize)]
struct Challenge {
    /// The application it was issued for.
    app: String,
    /// Username-first login: the login id as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    login_id: Option<String>,
}

fn enabled(app: &Application) -> Result<(), Error> {
    if app.login_methods.contains(&LoginMethod::Passkey) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "LOGIN_METHOD_DISABLED",
            "passkeys are not enabled for this application",
        ))
    }
}

/// A new challenge for `purpose`: its raw bytes, and the code that stores its hash.
fn new_challenge(
    app: &Application,
    user_id: &str,
    purpose: &str,
    login_id: Option<String>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(Vec<u8>, OneTimeCode), Error> {
    let challenge = rng.bytes::<32>().to_vec();
    let data = serde_json::to_string(&Challenge {
        app: app.id.clone(),
        login_id,
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    let code = OneTimeCode {
        code_hash: hex(&sha256(&challenge)),
        purpose: purpose.to_owned(),
        organization_id: app.organization_id.clone(),
        user_id: user_id.to_owned(),
        data: Some(data),
        created_at: now,
        expires_at: now + CHALLENGE_TTL_MS,
    };
    Ok((challenge, code))
}

/// Consumes the challenge a response's client data answers, if `app` issued it for
/// `purpose` and it is unspent and unexpired: its raw bytes, its code and what it carries.
async fn spend_challenge(
    store: &impl CodeStore,
    app: &Application,
    client_data_json: &[u8],
    purpose: &str,
    now: i64,
) -> Result<Option<(Vec<u8>, OneTimeCode, Challenge)>, Error> {
    let challenge = webauthn::client_data_challenge(client_data_json)?;
    let Some(code) = store
        .consume_code(&hex(&sha256(&challenge)), purpose, now)
        .await?
    else {
        return Ok(None);
    };
    let data: Option<Challenge> = code
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok());
    Ok(match data {
        Some(d) if code.organization_id == app.organization_id && d.app == app.id => {
            Some((challenge, code, d))
        }
        _ => None,
    })
}

fn descriptor(p: &Passkey) -> CredentialDescriptor {
    CredentialDescriptor {
        kind: "public-key".to_owned(),
        id: p.credential_id.clone(),
        transports: p.transports.clone(),
    }
}

impl From<&Passkey> for PasskeyView {
    fn from(p: &Passkey) -> Self {
        PasskeyView {
            id: p.id.clone(),
            name: p.name.clone(),
            credential_id: p.credential_id.clone(),
            rp_id: p.rp_id.clone(),
            aaguid: p.aaguid.clone(),
            backup_eligible: p.backup_eligible,
            backed_up: p.backup_state,
            attestation: p.attestation.clone(),
            transports: p.transports.clone(),
            created_at: rfc3339(p.created_at),
            last_used_at: p.last_used_at.map(rfc3339),
        }
    }
}

/// Options to register a new passkey for the signed-in `user_id` in `app`.
pub async fn register_options(
    store: &(impl PasskeyStore + CodeStore + UserStore),
    app: &Application,
    user_id: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<PasskeyCreationOptions, Error> {
    enabled(app)?;
    let rp = rp_id(app)?;
    let user = store
        .get_user(&app.organization_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let existing = store.user_passkeys(&app.organization_id, user_id).await?;
    if existing.len() >= MAX_PASSKEYS {
        return Err(Error::conflict(
            "TOO_MANY_PASSKEYS",
            format!("a user may have at most {MAX_PASSKEYS} passkeys"),
        ));
    }
    let (challenge, code) = new_challenge(app, user_id, REGISTER, None, now, rng)?;
    store.insert_code(&code).await?;
    let name = user.username.clone().unwrap_or_else(|| user.email.clone());
    Ok(PasskeyCreationOptions {
        public_key: CreationOptions {
            rp: RelyingParty {
                id: rp,
                name: app.name.clone(),
            },
            user: PasskeyUser {
                id: b64(user.id.as_bytes()),
                display_name: user.name.clone().unwrap_or_else(|| name.clone()),
                name,
            },
            challenge: b64(&challenge),
            pub_key_cred_params: vec![CredentialParameter {
                kind: "public-key".to_owned(),
                alg: ES256,
            }],
            timeout: CHALLENGE_TTL_MS as u32,
            exclude_credentials: existing.iter().map(descriptor).collect(),
            authenticator_selection: AuthenticatorSelection {
                resident_key: "required".to_owned(),
                require_resident_key: true,
                user_verification: app.passkey_user_verification.as_str().to_owned(),
            },
            attestation: "none".to_owned(),
        },
    })
}

/// Registers the passkey a browser created from [`register_options`]' options, its
/// signatures checked by `check` (the worker: Web Crypto).
#[allow(clippy::too_many_arguments)]
pub async fn register(
    store: &(impl PasskeyStore + CodeStore + EventStore),
    check: &impl SignatureCheck,
    app: &Application,
    user_id: &str,
    req: RegisterPasskeyRequest,
    client: &ClientInfo,
    now: i64,
    rng: &mut impl Rng,
) -> Result<PasskeyView, Error> {
    enabled(app)?;
    let name = match req.name.as_deref().map(str::trim) {
        None | Some("") => "Passkey".to_owned(),
        Some(n) => validate::name("INVALID_NAME", n, 100)?,
    };
    let cred = req.credential;
    let client_data = unb64("clientDataJSON", &cred.response.client_data_json)?;
    let attestation = unb64("attestationObject", &cred.response.attestation_object)?;
    let (challenge, code, _) = spend_challenge(store, app, &client_data, REGISTER, now)
        .await?
        .filter(|(_, code, _)| code.user_id == user_id)
        .ok_or_else(|| rejected("the challenge was not issued, was used already or expired"))?;
    debug_assert_eq!(code.purpose, REGISTER);
    let rp = rp_id(app)?;
    let allowed = origins(app, &rp);
    let expect = Expect {
        challenge: &challenge,
        origins: &allowed,
        rp_id: &rp,
        require_user_verification: app.passkey_user_verification == UserVerification::Required,
    };
    let new = webauthn::verify_registration(check, &client_data, &attestation, &expect, |_| false)
        .await?;
    let transports = cred
        .response
        .transports
        .into_iter()
        .filter(|t| t.len() <= 32)
        .take(8)
        .collect();
    let passkey = Passkey {
        id: uuid_v7(now, rng),
        organization_id: app.organization_id.clone(),
        user_id: user_id.to_owned(),
        credential_id: b64(&new.id),
        public_key: new.public_key,
        sign_count: new.sign_count,
        rp_id: rp,
        name,
        aaguid: hex(&new.aaguid),
        backup_eligible: new.backup_eligible,
        backup_state: new.backup_state,
        attestation: match new.attestation {
            webauthn::Attestation::None => "none",
            webauthn::Attestation::SelfAttested => "self",
            webauthn::Attestation::Unattested => "unattested",
        }
        .to_owned(),
        transports,
        created_at: now,
        last_used_at: None,
    };
    if !store.insert_passkey(&passkey).await? {
        return Err(Error::conflict(
            "PASSKEY_EXISTS",
            "this passkey is registered already",
        ));
    }
    let e = events::event(&app.organization_id, kinds::PASSKEY_ADDED, now)
        .user(Some(user_id))
        .client(client)
        .detail("passkey_id", passkey.id.as_str())
        .detail("application_id", app.id.as_str());
    events::emit(store, e).await?;
    Ok(PasskeyView::from(&passkey))
}

/// Credential ids that stand in for an unknown login id's (or a user's without passkeys):
/// derived from `decoy_key`, the organization and the login id, so that they are the same
/// at every request, as real ones are.
fn decoys(decoy_key: &[u8], org_id: &str, login_id: &str) -> Vec<CredentialDescriptor> {
    let mac = hmac_sha256(
        decoy_key,
        format!("latchkey passkey decoy\0{org_id}\0{login_id}").as_bytes(),
    );
    vec![CredentialDescriptor {
        kind: "public-key".to_owned(),
        id: b64(&mac[..16]),
        transports: vec!["hybrid".to_owned(), "internal".to_owned()],
    }]
}

/// Options to log in to `app` with a passkey: username-first when `login_id` is given (its
/// passkeys are allowed), else usernameless. An unknown login id gets options shaped like
/// a known one's, with stand-in credential ids derived from `decoy_key`.
pub async fn login_options(
    store: &(impl PasskeyStore + CodeStore + UserStore + OrgStore + AttemptStore),
    app: &Application,
    login_id: Option<&str>,
    decoy_key: &[u8],
    client: &ClientInfo,
    now: i64,
    rng: &mut impl Rng,
) -> Result<PasskeyRequestOptions, Error> {
    enabled(app)?;
    let rp = rp_id(app)?;
    let org = app.organization_id.as_str();
    throttle_options(store, org, client, now).await?;
    let (user_id, allow, typed) = match login_id.map(str::trim).filter(|l| !l.is_empty()) {
        None => (String::new(), Vec::new(), None),
        Some(raw) => {
            let normalized = validate::login_id(raw)?;
            let user = store.find_login(org, &normalized).await?;
            let passkeys = match &user {
                Some(u) => store.user_passkeys(org, &u.id).await?,
                None => Vec::new(),
            };
            let allow: Vec<_> = passkeys
                .iter()
                .filter(|p| p.rp_id == rp)
                .map(descriptor)
                .collect();
            let allow = if allow.is_empty() {
                decoys(decoy_key, org, &normalized)
            } else {
                allow
            };
            (
                user.map(|u| u.id).unwrap_or_default(),
                allow,
                Some(raw.chars().take(320).collect()),
            )
        }
    };
    let (challenge, code) = new_challenge(app, &user_id, LOGIN, typed, now, rng)?;
    store.insert_code(&code).await?;
    Ok(PasskeyRequestOptions {
        public_key: RequestOptions {
            challenge: b64(&challenge),
            timeout: CHALLENGE_TTL_MS as u32,
            rp_id: rp,
            allow_credentials: allow,
            user_verification: app.passkey_user_verification.as_str().to_owned(),
        },
    })
}

/// Charges a request for login options to its address; past
/// [`OPTIONS_PER_FAILURE_ALLOWED`] times the organization's address limit in one window,
/// refused until the window ends.
async fn throttle_options(
    store: &(impl OrgStore + AttemptStore),
    org: &str,
    client: &ClientInfo,
    now: i64,
) -> Result<(), Error> {
    let policy = guard::policy(store, org).await?;
    let key = format!(
        "passkey_options:{}",
        guard::address_key(&policy, client.ip.as_deref(), now)
    );
    let charged = store
        .charge_attempts(org, &[key], policy.address_window_ms, now)
        .await?;
    // The address rule, with this route's own bound.
    let bound = guard::Policy {
        address_failures: policy
            .address_failures
            .saturating_mul(OPTIONS_PER_FAILURE_ALLOWED),
        ..policy
    };
    match charged
        .first()
        .map(|c| guard::decide_address(&bound, *c, now))
    {
        Some(Err(retry_after_secs)) => Err(Error::TooManyAttempts { retry_after_secs }),
        _ => Ok(()),
    }
}

/// The stores a passkey login reads and writes.
pub trait PasskeyLoginStores: LoginStores + PasskeyStore {}
impl<T: LoginStores + PasskeyStore> PasskeyLoginStores for T {}

/// A passkey login attempt.
pub struct PasskeyLogin<'a> {
    pub application: &'a Application,
    pub credential: AuthenticationCredential,
    pub client: ClientInfo,
    /// A trusted device's token, where the passkey does not satisfy MFA on its own.
    pub trust_token: Option<&'a str>,
}

/// Logs in with the assertion a browser made from [`login_options`]' options. Every
/// attempt writes one login record with method `passkey`; a success ends in
/// [`crate::login::establish`].
pub async fn login<R: Rng>(
    store: &impl PasskeyLoginStores,
    check: &impl SignatureCheck,
    req: PasskeyLogin<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let app = req.application;
    let org = app.organization_id.as_str();
    let now = env.now;
    let fail = |reason: FailureReason, user: Option<&User>, login_id: &str| LoginRecord {
        organization_id: org.to_owned(),
        application_id: Some(app.id.clone()),
        created_at: now,
        outcome: Outcome::Failure,
        method: "passkey".to_owned(),
        failure_reason: Some(reason),
        user_id: user.map(|u| u.id.clone()),
        login_id: login_id.chars().take(320).collect(),
        session_id: None,
        client: req.client.clone(),
        flags: Vec::new(),
        connection_id: None,
    };
    if let Err(e) = enabled(app) {
        store
            .record_failure(&fail(FailureReason::MethodDisabled, None, ""))
            .await?;
        return Err(e);
    }
    let policy = guard::policy(store, org).await?;
    let address = match guard::charge_address(store, org, &policy, &req.client, now).await? {
        Ok(address) => address,
        Err(retry_after_secs) => return Err(Error::TooManyAttempts { retry_after_secs }),
    };
    let cred = &req.credential;
    let decoded = (|| {
        Ok::<_, Error>((
            unb64("clientDataJSON", &cred.response.client_data_json)?,
            unb64("authenticatorData", &cred.response.authenticator_data)?,
            unb64("signature", &cred.response.signature)?,
            unb64("rawId", &cred.raw_id)?,
            cred.response
                .user_handle
                .as_deref()
                .filter(|h| !h.is_empty())
                .map(|h| unb64("userHandle", h))
                .transpose()?,
        ))
    })();
    let (client_data, auth_data, signature, raw_id, user_handle) = match decoded {
        Ok(d) => d,
        Err(e) => {
            store
                .record_failure(&fail(FailureReason::PasskeyRejected, None, ""))
                .await?;
            return Err(e);
        }
    };
    let spent = match spend_challenge(store, app, &client_data, LOGIN, now).await {
        Ok(s) => s,
        Err(e) => {
            store
                .record_failure(&fail(FailureReason::PasskeyRejected, None, ""))
                .await?;
            return Err(e);
        }
    };
    let Some((challenge, code, data)) = spent else {
        store
            .record_failure(&fail(FailureReason::ChallengeInvalid, None, ""))
            .await?;
        return Err(rejected(
            "the challenge was not issued, was used already or expired",
        ));
    };
    let typed = data.login_id.unwrap_or_default();
    let passkey = store.passkey_by_credential(org, &b64(&raw_id)).await?;
    // Username-first: only the typed login id's own passkeys (none, for an unknown one).
    let passkey = passkey.filter(|p| data_allows(&code, &typed, p));
    let Some(passkey) = passkey else {
        store
            .record_failure(&fail(FailureReason::UnknownPasskey, None, &typed))
            .await?;
        return Err(rejected("this passkey is not registered"));
    };
    let user = store.get_user(org, &passkey.user_id).await?;
    let Some(user) = user else {
        store
            .record_failure(&fail(FailureReason::UnknownPasskey, None, &typed))
            .await?;
        return Err(rejected("this passkey is not registered"));
    };
    let login_id = if typed.is_empty() {
        user.email.clone()
    } else {
        typed
    };
    let (user_ref, login_ref, fail_ref) = (&user, login_id.as_str(), &fail);
    let refuse = |reason: FailureReason, error: Error| async move {
        store
            .record_failure(&fail_ref(reason, Some(user_ref), login_ref))
            .await?;
        Err::<LoginSuccess, Error>(error)
    };
    if user_handle
        .as_deref()
        .is_some_and(|h| h != user.id.as_bytes())
    {
        return refuse(
            FailureReason::PasskeyRejected,
            rejected("the user handle is not this passkey's user"),
        )
        .await;
    }
    let rp = rp_id(app)?;
    if passkey.rp_id != rp {
        return refuse(
            FailureReason::PasskeyRejected,
            rejected("this passkey belongs to another relying party"),
        )
        .await;
    }
    let allowed = origins(app, &rp);
    let expect = Expect {
        challenge: &challenge,
        origins: &allowed,
        rp_id: &rp,
        require_user_verification: false,
    };
    let asserted = match webauthn::verify_assertion(
        check,
        &client_data,
        &auth_data,
        &signature,
        &passkey.public_key,
        &expect,
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return refuse(FailureReason::PasskeyRejected, e).await,
    };
    if app.passkey_user_verification == UserVerification::Required && !asserted.user_verified {
        return refuse(
            FailureReason::UserNotVerified,
            rejected("the user was not verified"),
        )
        .await;
    }
    // The counter is stored only if it is still the one read, so an assertion that lost a
    // race with another of the same passkey compares itself with the winner's count.
    let mut seen = passkey.sign_count;
    let cloned = loop {
        if webauthn::counter_regressed(seen, asserted.sign_count) {
            break true;
        }
        let stored = store
            .use_passkey(
                org,
                &passkey.id,
                seen,
                asserted.sign_count,
                asserted.backup_state,
                now,
            )
            .await?;
        if stored {
            break false;
        }
        match store
            .passkey_by_credential(org, &passkey.credential_id)
            .await?
        {
            // Counters only grow, so this ends.
            Some(p) if p.sign_count != seen => seen = p.sign_count,
            _ => break true,
        }
    };
    if cloned {
        let e = events::event(org, kinds::PASSKEY_COUNTER_REGRESSED, now)
            .user(Some(&user.id))
            .client(&req.client)
            .detail("passkey_id", passkey.id.as_str())
            .detail("stored_count", seen)
            .detail("presented_count", asserted.sign_count);
        events::emit(store, e).await?;
        return refuse(
            FailureReason::CounterRegressed,
            rejected("the signature counter did not grow: the authenticator may be cloned"),
        )
        .await;
    }
    if user.status == UserStatus::Disabled {
        return refuse(FailureReason::Disabled, Error::AccountDisabled).await;
    }
    if user.is_expired(now) {
        return refuse(FailureReason::Expired, Error::AccountExpired).await;
    }
    if !store.is_registered(&user.id, &app.id).await? {
        return refuse(FailureReason::NotRegistered, Error::NotRegistered).await;
    }
    store.clear_attempts(org, &[], &address).await?;
    // A passkey that verified the user is two factors already (unless the application says
    // otherwise); one that did not is a first factor like a password.
    let first = crate::authn::mfa::FirstFactor {
        user: &user,
        method: "passkey",
        user_verified: asserted.user_verified,
        login_id: &login_id,
        application: Some(app),
        client: &req.client,
        no_tokens: false,
        registered: true,
        flags: &[],
        trust_token: req.trust_token,
        connection_id: None,
        factors: None,
    };
    crate::authn::mfa::gate(store, first, now, env.rng).await?;
    let start = Start {
        user: &user,
        method: "passkey",
        prior: None,
        login_id: &login_id,
        application: Some(app),
        client: req.client,
        no_tokens: false,
        rehash: None,
        flags: Vec::new(),
        connection_id: None,
        known: None,
    };
    establish(store, start, env).await
}

/// Whether a login challenge allows `passkey`: any for a usernameless login, else only the
/// typed login id's user's (and none for an unknown login id).
fn data_allows(code: &OneTimeCode, typed: &str, passkey: &Passkey) -> bool {
    typed.is_empty() || (!code.user_id.is_empty() && code.user_id == passkey.user_id)
}

/// The user's passkeys, oldest first.
pub async fn list(
    store: &impl PasskeyStore,
    org_id: &str,
    user_id: &str,
) -> Result<PasskeyList, Error> {
    let passkeys = store.user_passkeys(org_id, user_id).await?;
    Ok(PasskeyList {
        passkeys: passkeys.iter().map(PasskeyView::from).collect(),
    })
}

/// Whether the user can sign in with a passkey.
pub async fn status(
    store: &impl PasskeyStore,
    org_id: &str,
    user_id: &str,
) -> Result<PasskeyStatus, Error> {
    let passkeys = store.user_passkeys(org_id, user_id).await?;
    Ok(PasskeyStatus {
        enabled: !passkeys.is_empty(),
        count: passkeys.len() as u32,
        last_used_at: passkeys
            .iter()
            .filter_map(|p| p.last_used_at)
            .max()
            .map(rfc3339),
    })
}

/// Renames one of the user's passkeys.
pub async fn rename(
    store: &impl PasskeyStore,
    org_id: &str,
    user_id: &str,
    id: &str,
    name: &str,
) -> Result<PasskeyView, Error> {
    let name = validate::name("INVALID_NAME", name, 100)?;
    if !store.rename_passkey(org_id, user_id, id, &name).await? {
        return Err(Error::NotFound);
    }
    store
        .user_passkeys(org_id, user_id)
        .await?
        .iter()
        .find(|p| p.id == id)
        .map(PasskeyView::from)
        .ok_or(Error::NotFound)
}

/// Deletes one of the user's passkeys; `actor` is who did (the user, or an administrator).
pub async fn delete(
    store: &(impl PasskeyStore + EventStore),
    org_id: &str,
    user_id: &str,
    id: &str,
    actor: &str,
    now: i64,
) -> Result<(), Error> {
    if !store.delete_passkey(org_id, user_id, id).await? {
        return Err(Error::NotFound);
    }
    let e = events::event(org_id, kinds::PASSKEY_REMOVED, now)
        .actor(actor)
        .user(Some(user_id))
        .detail("passkey_id", id);
    events::emit(store, e).await
}
