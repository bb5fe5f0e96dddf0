//! A sign-in through a connection, in three steps:
//!
//! 1. [`start`]: the page (the widget) asks where to go, with the SHA-256 of a verifier it
//!    keeps. The state, the nonce and the PKCE verifier for the provider are kept as one
//!    single-use code (ten minutes); the answer is the provider's authorization URL.
//! 2. [`callback`]: the provider sends the browser back with its code. The state is consumed
//!    (of racing uses, one wins), the code exchanged (with the client secret and PKCE),
//!    the ID token checked, and the account found: by the identity already linked, else by
//!    the address (linked only as the connection's policy allows), else created where the
//!    application allows sign-up. A single-use hand-off code (two minutes) goes back to the
//!    page in the URL's fragment, or the error's code does.
//! 3. [`exchange`]: the page trades the hand-off code and its verifier for a session, through
//!    the same end as every login (status, registration, MFA, [`crate::login::establish`]).
//!    Only the page that started can: a code sent to someone else's browser (login CSRF)
//!    lacks its verifier.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::id_token::{self, Expected, SignatureCheck};
use super::upstream::{self, Upstream};
use crate::api::{CreateUser, SsoStart};
use crate::authn::mfa::seal::MfaKeys;
use crate::authn::passwordless::{self, failure, PasswordlessStores, Proven};
use crate::identity::{registrations, users};
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{
    Application, ClientInfo, Connection, ConnectionKind, FailureReason, Identity, LinkPolicy,
    LoginMethod, OneTimeCode, User,
};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::sessions::pkce::verify_s256;
use crate::store::{AttemptStore, CodeStore, ConnectionStore};
use crate::validate::{self, percent_encode};
use crate::Error;

/// The record's method.
pub const METHOD: &str = "sso";
pub const STATE_PURPOSE: &str = "sso_state";
pub const HANDOFF_PURPOSE: &str = "sso_handoff";
pub const STATE_TTL_MS: i64 = 10 * 60_000;
pub const HANDOFF_TTL_MS: i64 = 2 * 60_000;
/// The fragment parameters the page is sent back with.
pub const HANDOFF_PARAM: &str = "latchkey_sso";
pub const ERROR_PARAM: &str = "latchkey_sso_error";
/// An identity to link once the person signs in to the account with its address (policy
/// `ask`): a single-use ticket, ten minutes.
pub const LINK_PARAM: &str = "latchkey_sso_link";
pub const LINK_PURPOSE: &str = "sso_link";
pub const LINK_TTL_MS: i64 = 10 * 60_000;
/// Sign-ins one client address may start in a clock hour (each reads the provider's
/// discovery and stores a state).
pub const STARTS_PER_IP_PER_HOUR: u32 = 60;
const HOUR_MS: i64 = 3_600_000;

/// The stores a sign-in through a connection uses.
pub trait SsoStores: PasswordlessStores + ConnectionStore {}

impl<T> SsoStores for T where T: PasswordlessStores + ConnectionStore {}

#[derive(Debug, Serialize, Deserialize)]
struct StateData {
    connection_id: String,
    application_id: String,
    /// The PKCE verifier sent to the provider's token endpoint.
    verifier: String,
    nonce: String,
    return_to: String,
    /// The page's challenge, for the hand-off.
    challenge: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct LinkData {
    connection_id: String,
    subject: String,
    email: String,
    challenge: String,
}

/// Where an identity leads: an account to sign in to, or one to link first (policy `ask`).
enum Resolved {
    SignIn(User),
    Link(User),
}

#[derive(Debug, Serialize, Deserialize)]
struct HandoffData {
    application_id: String,
    connection_id: String,
    challenge: String,
    email: String,
}

fn hash(code: &str) -> String {
    hex(&sha256(code.as_bytes()))
}

fn random_b64(rng: &mut impl Rng) -> String {
    Base64UrlUnpadded::encode_string(&rng.bytes::<32>())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// A challenge as RFC 7636 makes it: base64url of 32 bytes.
fn is_challenge(c: &str) -> bool {
    c.len() == 43 && Base64UrlUnpadded::decode_vec(c).is_ok_and(|d| d.len() == 32)
}

/// The page to come back to: an https URL (http on loopback) without a fragment, at one of
/// the application's allowed origins or this server's own.
pub fn return_to(app: &Application, raw: &str, own_origin: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::invalid_field("INVALID_RETURN_TO", why.to_owned());
    let url = validate::redirect_uri(raw)
        .map_err(|_| bad("return_to must be an https URL without a fragment"))?;
    let origin = validate::url_origin(&url).unwrap_or_default();
    if origin == own_origin || app.allowed_origins.contains(&origin) {
        Ok(url)
    } else {
        Err(Error::OriginNotAllowed(origin))
    }
}

/// Asking to sign in through a connection.
pub struct Start<'a> {
    pub application: &'a Application,
    pub connection_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub return_to: &'a str,
    pub code_challenge: &'a str,
    /// This server's origin, and the callback URL registered at providers.
    pub own_origin: &'a str,
    pub redirect_uri: &'a str,
    /// The client's address, for the hourly cap.
    pub ip: Option<&'a str>,
}

pub async fn start(
    store: &(impl ConnectionStore + CodeStore + AttemptStore),
    up: &impl Upstream,
    s: Start<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<SsoStart, Error> {
    let app = s.application;
    passwordless::enabled(app, LoginMethod::Sso)?;
    if !is_challenge(s.code_challenge) {
        return Err(Error::invalid_field(
            "INVALID_CODE_CHALLENGE",
            "code_challenge must be the base64url SHA-256 of the page's verifier",
        ));
    }
    let return_to = return_to(app, s.return_to, s.own_origin)?;
    let c = super::find(store, &app.organization_id, s.connection_id, s.email).await?;
    let hour = now.div_euclid(HOUR_MS);
    let key = format!("ssostart:{}:{hour}", s.ip.unwrap_or("-"));
    let charged = store
        .charge_attempts(&app.organization_id, &[key], HOUR_MS, now)
        .await?;
    if charged
        .first()
        .is_some_and(|c| c.failures > STARTS_PER_IP_PER_HOUR)
    {
        let to_next_hour = ((HOUR_MS - now.rem_euclid(HOUR_MS)).max(1000) / 1000) as u64;
        return Err(Error::RateLimited {
            retry_after_secs: to_next_hour,
        });
    }
    let d = upstream::discover(up, &c.issuer).await?;
    let state = random_b64(rng);
    let data = StateData {
        connection_id: c.id.clone(),
        application_id: app.id.clone(),
        verifier: random_b64(rng),
        nonce: random_b64(rng),
        return_to,
        challenge: s.code_challenge.to_owned(),
    };
    let challenge = Base64UrlUnpadded::encode_string(&sha256(data.verifier.as_bytes()));
    let mut url = format!(
        "{}{}response_type=code&client_id={}&redirect_uri={}&scope={}&state={state}&nonce={}\
         &code_challenge={challenge}&code_challenge_method=S256",
        d.authorization_endpoint,
        if d.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        },
        percent_encode(&c.client_id),
        percent_encode(s.redirect_uri),
        percent_encode(&c.scopes),
        data.nonce,
    );
    if let (Some(email), false) = (s.email, c.domains.is_empty()) {
        url.push_str(&format!("&login_hint={}", percent_encode(email.trim())));
    }
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&state),
            purpose: STATE_PURPOSE.to_owned(),
            organization_id: app.organization_id.clone(),
            user_id: String::new(),
            data: Some(to_json(&data)?),
            created_at: now,
            expires_at: now + STATE_TTL_MS,
        })
        .await?;
    Ok(SsoStart {
        authorization_url: url,
        connection_name: c.name,
    })
}

/// The provider's redirect back, as the browser brought it.
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    /// The provider's `error` (`access_denied` when the person cancelled).
    pub error: Option<&'a str>,
    pub redirect_uri: &'a str,
    pub client: &'a ClientInfo,
}

/// Where the callback sends the browser: the page, with the hand-off code or the error's
/// code in the fragment. `error` is kept for the logs.
#[derive(Debug)]
pub struct Landing {
    pub redirect: String,
    pub error: Option<Error>,
}

/// What the callback needs besides the stores.
pub struct Upstreams<'a, U, S, K> {
    pub http: &'a U,
    pub signatures: &'a S,
    pub keys: &'a K,
}

/// Handles the provider's redirect. `Err` only when the state is missing, unknown, used or
/// expired: there is then no trusted page to go back to, and the error is shown.
pub async fn callback<R: Rng>(
    store: &impl SsoStores,
    via: Upstreams<'_, impl Upstream, impl SignatureCheck, impl MfaKeys>,
    cb: Callback<'_>,
    params: crate::authn::password::HashParams,
    now: i64,
    rng: &mut R,
) -> Result<Landing, Error> {
    let state_error = || {
        Error::invalid_field(
            "SSO_STATE_INVALID",
            "this sign-in is unknown, used or expired: start again",
        )
    };
    let state = cb
        .state
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(state_error)?;
    let row = store
        .consume_code(&hash(state), STATE_PURPOSE, now)
        .await?
        .ok_or_else(state_error)?;
    let data: StateData = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(state_error)?;
    let org = row.organization_id.as_str();
    let app = store.get_app(org, &data.application_id).await?;
    let conn = store.get_connection(org, &data.connection_id).await?;
    let (Some(app), Some(conn)) = (app, conn) else {
        return Ok(land(&data.return_to, Err(state_error())));
    };
    let mut email = String::new();
    let outcome = async {
        if !conn.enabled || !app.login_methods.contains(&LoginMethod::Sso) {
            return Err((
                FailureReason::MethodDisabled,
                passwordless::enabled(&app, LoginMethod::Sso)
                    .err()
                    .unwrap_or_else(|| {
                        Error::invalid_field("UNKNOWN_CONNECTION", "this connection is turned off")
                    }),
            ));
        }
        if let Some(e) = cb.error {
            let code = if e == "access_denied" {
                "SSO_CANCELLED"
            } else {
                "SSO_REJECTED"
            };
            let shown: String = e.chars().take(64).filter(char::is_ascii_graphic).collect();
            return Err((
                FailureReason::SsoRejected,
                Error::invalid_field(code, format!("the provider answered {shown}")),
            ));
        }
        let code = cb
            .code
            .filter(|c| !c.is_empty() && c.len() <= 4096)
            .ok_or_else(|| {
                (
                    FailureReason::SsoRejected,
                    upstream::rejected("the provider sent no code"),
                )
            })?;
        let claims = provider_claims(&via, &conn, &data, code, cb.redirect_uri, now)
            .await
            .map_err(|e| (FailureReason::SsoRejected, e))?;
        email = claims.email.clone().unwrap_or_default();
        let resolved = account(store, &app, &conn, &claims, params, now, rng).await?;
        Ok((resolved, claims.subject))
    }
    .await;
    let user = match outcome {
        Ok((Resolved::SignIn(user), _)) => user,
        Ok((Resolved::Link(user), subject)) => {
            let ticket = hex(&rng.bytes::<32>());
            store
                .insert_code(&OneTimeCode {
                    code_hash: hash(&ticket),
                    purpose: LINK_PURPOSE.to_owned(),
                    organization_id: org.to_owned(),
                    user_id: user.id.clone(),
                    data: Some(to_json(&LinkData {
                        connection_id: conn.id.clone(),
                        subject,
                        email: email.clone(),
                        challenge: data.challenge,
                    })?),
                    created_at: now,
                    expires_at: now + LINK_TTL_MS,
                })
                .await?;
            return Ok(Landing {
                redirect: format!("{}#{LINK_PARAM}={ticket}", data.return_to),
                error: None,
            });
        }
        Err((reason, error)) => {
            let mut record = failure(&app, METHOD, &email, None, cb.client, reason, now);
            record.connection_id = Some(conn.id.clone());
            store.record_failure(&record).await?;
            return Ok(land(&data.return_to, Err(error)));
        }
    };
    let handoff = hex(&rng.bytes::<32>());
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&handoff),
            purpose: HANDOFF_PURPOSE.to_owned(),
            organization_id: org.to_owned(),
            user_id: user.id.clone(),
            data: Some(to_json(&HandoffData {
                application_id: app.id.clone(),
                connection_id: conn.id.clone(),
                challenge: data.challenge,
                email: user.email.clone(),
            })?),
            created_at: now,
            expires_at: now + HANDOFF_TTL_MS,
        })
        .await?;
    Ok(land(&data.return_to, Ok(handoff)))
}

fn land(return_to: &str, r: Result<String, Error>) -> Landing {
    match r {
        Ok(code) => Landing {
            redirect: format!("{return_to}#{HANDOFF_PARAM}={code}"),
            error: None,
        },
        Err(e) => Landing {
            redirect: format!("{return_to}#{ERROR_PARAM}={}", e.code()),
            error: Some(e),
        },
    }
}

/// What a provider said of the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderClaims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// Google's hosted domain (`hd`): the Workspace domain of the account, absent for
    /// consumer accounts.
    pub hosted_domain: Option<String>,
}

/// Exchanges the code, checks the ID token, and reads the claims (from userinfo when the
/// ID token has no address; userinfo's `sub` must be the token's).
async fn provider_claims(
    via: &Upstreams<'_, impl Upstream, impl SignatureCheck, impl MfaKeys>,
    c: &Connection,
    data: &StateData,
    code: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<ProviderClaims, Error> {
    let d = upstream::discover(via.http, &c.issuer).await?;
    let secret = super::client_secret(via.keys, c).await?;
    let tokens =
        upstream::exchange_code(via.http, &d, c, &secret, code, redirect_uri, &data.verifier)
            .await?;
    let mut jwks = id_token::keys(via.http, &d.jwks_uri, false).await?;
    if !id_token::has_key_for(&jwks, &tokens.id_token) {
        // Signed with a key the cached set lacks: the provider's set, as it is now.
        jwks = id_token::keys(via.http, &d.jwks_uri, true).await?;
    }
    let issuers = upstream::accepted_issuers(c, &d.issuer);
    let expected = Expected {
        issuers: &issuers,
        client_id: &c.client_id,
        nonce: &data.nonce,
        now,
    };
    let mut claims = id_token::verify(via.signatures, &jwks, &tokens.id_token, &expected).await?;
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    if claims.get("email").is_none() {
        if let Some(access) = tokens.access_token.as_deref() {
            if let Some(info) = upstream::userinfo(via.http, &d, access).await? {
                if info.get("sub").and_then(Value::as_str) != Some(subject.as_str()) {
                    return Err(upstream::rejected("userinfo is of another subject"));
                }
                claims = info;
            }
        }
    }
    let email = claims
        .get("email")
        .and_then(Value::as_str)
        .and_then(|e| validate::email(e).ok())
        .map(|e| e.display);
    // `email_verified` is a boolean, though some providers send the string "true".
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    let name = claims
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 100 && !n.chars().any(char::is_control))
        .map(str::to_owned);
    let hosted_domain = claims
        .get("hd")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    Ok(ProviderClaims {
        subject,
        email,
        email_verified,
        name,
        hosted_domain,
    })
}

type Refusal = (FailureReason, Error);

fn domain_mismatch(why: &str) -> Refusal {
    (
        FailureReason::AccountNotLinked,
        Error::invalid_field("SSO_DOMAIN_MISMATCH", why.to_owned()),
    )
}

/// Which connection may speak for an address: one with domains only for them (and a
/// Google one only for accounts of those Workspace domains, `hd`: a consumer account can
/// carry any verified address); and no other connection for a domain one routes, so a
/// person removed from their company's provider cannot come back through another.
async fn speaks_for(
    store: &impl ConnectionStore,
    c: &Connection,
    p: &ProviderClaims,
    domain: &str,
) -> Result<(), Refusal> {
    if !c.domains.is_empty() {
        if !c.domains.iter().any(|d| d == domain) {
            return Err(domain_mismatch(
                "the provider's address is outside the connection's domains",
            ));
        }
        let hd_ok = p
            .hosted_domain
            .as_deref()
            .is_some_and(|hd| c.domains.iter().any(|d| d == hd));
        if c.kind == ConnectionKind::Google && !hd_ok {
            return Err(domain_mismatch(
                "the Google account is not of the connection's Workspace domains",
            ));
        }
        return Ok(());
    }
    let others = store
        .list_connections(&c.organization_id)
        .await
        .map_err(|e| (FailureReason::SsoRejected, e))?;
    if others
        .iter()
        .any(|o| o.id != c.id && o.enabled && o.domains.iter().any(|d| d == domain))
    {
        return Err(domain_mismatch(
            "addresses at this domain sign in through their organization's own connection",
        ));
    }
    Ok(())
}

fn domain_of(email: &str) -> String {
    validate::email(email)
        .map(|e| {
            e.normalized
                .rsplit_once('@')
                .map_or(String::new(), |(_, d)| d.to_owned())
        })
        .unwrap_or_default()
}

/// The account an identity signs in to: the one it is linked to; else the account with its
/// address, linked if the policy allows; else a new one where the application allows
/// sign-up.
async fn account(
    store: &impl SsoStores,
    app: &Application,
    c: &Connection,
    p: &ProviderClaims,
    params: crate::authn::password::HashParams,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Resolved, Refusal> {
    let org = app.organization_id.as_str();
    let internal = |e: Error| (FailureReason::SsoRejected, e);
    let identity = |user: &User, email: &str| Identity {
        connection_id: c.id.clone(),
        subject: p.subject.clone(),
        organization_id: org.to_owned(),
        user_id: user.id.clone(),
        email: email.to_owned(),
        created_at: now,
        last_login_at: now,
    };
    let email = p.email.clone().unwrap_or_default();
    if let Some(linked) = store
        .find_identity(&c.id, &p.subject)
        .await
        .map_err(internal)?
    {
        let user = store
            .get_user(org, &linked.user_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| internal(Error::NotFound))?;
        speaks_for(store, c, p, &domain_of(&user.email)).await?;
        let mut touched = identity(&user, &email);
        touched.created_at = linked.created_at;
        store.touch_identity(&touched).await.map_err(internal)?;
        return Ok(Resolved::SignIn(user));
    }
    let Some(email) = p.email.as_deref() else {
        return Err((
            FailureReason::SsoRejected,
            upstream::rejected("the provider gave no email address"),
        ));
    };
    let normalized = validate::email(email).map_err(internal)?.normalized;
    speaks_for(store, c, p, &domain_of(email)).await?;
    if let Some(existing) = store.find_login(org, &normalized).await.map_err(internal)? {
        let not_linked = |why: &str| {
            (
                FailureReason::AccountNotLinked,
                Error::Conflict {
                    code: "ACCOUNT_EXISTS",
                    message: why.to_owned(),
                },
            )
        };
        match c.link_policy {
            LinkPolicy::Refuse => {
                return Err(not_linked("an account has this address: sign in as before"))
            }
            LinkPolicy::Ask => return Ok(Resolved::Link(existing)),
            LinkPolicy::Link => {}
        }
        if !p.email_verified || !existing.email_verified {
            return Err(not_linked(
                "an account has this address, not verified on both sides: sign in as before and verify it",
            ));
        }
        link(store, &identity(&existing, email)).await?;
        return Ok(Resolved::SignIn(existing));
    }
    if !p.email_verified {
        // An unproven address could be someone else's: the account would be theirs to
        // claim later (pre-hijacking).
        return Err((FailureReason::EmailNotVerified, Error::EmailNotVerified));
    }
    if !app.self_signup {
        return Err((
            FailureReason::UnknownUser,
            Error::invalid_field(
                "SIGNUP_NOT_ALLOWED",
                "no account has this address and this application does not allow sign-up",
            ),
        ));
    }
    let input = CreateUser {
        email: email.to_owned(),
        name: p.name.clone(),
        email_verified: true,
        ..CreateUser::default()
    };
    let view = users::create(store, org, input, params, now, rng)
        .await
        .map_err(internal)?;
    registrations::register(store, org, &view.id, &app.id, now)
        .await
        .map_err(internal)?;
    let user = store
        .get_user(org, &view.id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal(Error::NotFound))?;
    link(store, &identity(&user, email)).await?;
    Ok(Resolved::SignIn(user))
}

async fn link(store: &impl ConnectionStore, i: &Identity) -> Result<(), Refusal> {
    store
        .insert_identity(i)
        .await
        .map_err(|e| (FailureReason::SsoRejected, e))
}

/// The page's trade of the hand-off code.
pub struct Exchange<'a> {
    pub application: &'a Application,
    pub code: &'a str,
    pub code_verifier: &'a str,
    pub client: ClientInfo,
    pub trust_token: Option<&'a str>,
}

pub async fn exchange<R: Rng>(
    store: &impl SsoStores,
    x: Exchange<'_>,
    env: LoginEnv<'_, R>,
) -> Result<LoginSuccess, Error> {
    let app = x.application;
    let expired = || Error::CodeRejected("CODE_EXPIRED");
    if x.code.is_empty() || x.code.len() > 128 {
        return Err(expired());
    }
    let row = store
        .consume_code(&hash(x.code), HANDOFF_PURPOSE, env.now)
        .await?
        .ok_or_else(expired)?;
    let data: HandoffData = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(expired)?;
    if data.application_id != app.id || row.organization_id != app.organization_id {
        return Err(expired());
    }
    let user = store
        .get_user(&app.organization_id, &row.user_id)
        .await?
        .ok_or_else(expired)?;
    // The connection or the method may have been turned off since the callback.
    passwordless::enabled(app, LoginMethod::Sso)?;
    if !store
        .get_connection(&app.organization_id, &data.connection_id)
        .await?
        .is_some_and(|c| c.enabled)
    {
        return Err(expired());
    }
    let refusal = if !verify_s256(x.code_verifier, &data.challenge) {
        Some((FailureReason::SsoRejected, expired()))
    } else if app.require_verified_email && !user.email_verified {
        Some((FailureReason::EmailNotVerified, Error::EmailNotVerified))
    } else {
        None
    };
    if let Some((reason, error)) = refusal {
        let mut record = failure(
            app,
            METHOD,
            &data.email,
            Some(&user.id),
            &x.client,
            reason,
            env.now,
        );
        record.connection_id = Some(data.connection_id.clone());
        store.record_failure(&record).await?;
        return Err(error);
    }
    let proven = Proven {
        application: app,
        user,
        method: METHOD,
        login_id: &data.email,
        client: x.client,
        trust_token: x.trust_token,
        refund: &[],
        verifies_email: false,
        connection_id: Some(&data.connection_id),
    };
    passwordless::finish(store, proven, env).await
}

/// The page's link of an identity (policy `ask`) once its person signed in to the account
/// with the address, as `user_id`: the ticket is single-use, for that account only, and
/// only with the verifier of the page that started.
pub async fn link_identity(
    store: &(impl CodeStore + ConnectionStore),
    org_id: &str,
    user_id: &str,
    ticket: &str,
    code_verifier: &str,
    now: i64,
) -> Result<String, Error> {
    let expired = || Error::CodeRejected("CODE_EXPIRED");
    if ticket.is_empty() || ticket.len() > 128 {
        return Err(expired());
    }
    let row = store
        .consume_code(&hash(ticket), LINK_PURPOSE, now)
        .await?
        .ok_or_else(expired)?;
    let data: LinkData = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(expired)?;
    let same_account = row.organization_id == org_id && row.user_id == user_id;
    if !same_account || !verify_s256(code_verifier, &data.challenge) {
        return Err(expired());
    }
    if !store
        .get_connection(org_id, &data.connection_id)
        .await?
        .is_some_and(|c| c.enabled)
    {
        return Err(expired());
    }
    store
        .insert_identity(&Identity {
            connection_id: data.connection_id.clone(),
            subject: data.subject,
            organization_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
            email: data.email,
            created_at: now,
            last_login_at: now,
        })
        .await?;
    Ok(data.connection_id)
}
