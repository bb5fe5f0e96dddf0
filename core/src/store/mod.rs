//! Storage traits the services are written against. The worker implements them on D1 and
//! KV; [`memory`] implements them in memory for tests.
//!
//! Contract for every implementation: organization-scoped methods never return or touch a
//! row of another organization; inserts that collide with a unique key return
//! [`Error::Conflict`] with the code named on the method; storage failures are
//! [`Error::Internal`].
// The futures are not required to be Send: Workers and browsers are single-threaded.
#![allow(async_fn_in_trait)]

use crate::model::{
    lifetimes, ApiKey, Application, Connection, Delivery, Identity, LoginRecord, MessageKind,
    MessageTemplate, MfaFactor, OneTimeCode, Organization, Page, Passkey, Permission, RefreshToken,
    Registration, Role, SecurityEvent, Session, User, UserStatus, Webhook,
};
use crate::Error;

pub mod memory;

pub type StoreResult<T> = Result<T, Error>;

pub trait OrgStore {
    /// Inserts an organization and its first API key together (both or neither).
    /// Conflict: `DOMAIN_TAKEN`.
    async fn insert_org(&self, org: &Organization, first_key: &ApiKey) -> StoreResult<()>;
    async fn get_org(&self, id: &str) -> StoreResult<Option<Organization>>;
    async fn get_org_by_domain(&self, domain: &str) -> StoreResult<Option<Organization>>;
    /// Oldest first, with the total count.
    async fn list_orgs(&self, page: Page) -> StoreResult<(Vec<Organization>, u64)>;
    /// Conflict: `DOMAIN_TAKEN`. Returns false if the organization does not exist.
    async fn update_org(&self, org: &Organization) -> StoreResult<bool>;
    /// Deletes the organization and everything in it.
    async fn delete_org(&self, id: &str) -> StoreResult<bool>;
}

pub trait AppStore {
    async fn insert_app(&self, app: &Application) -> StoreResult<()>;
    async fn get_app(&self, org_id: &str, id: &str) -> StoreResult<Option<Application>>;
    async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<Application>>;
    /// Whether any application lists `origin` among its allowed origins.
    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool>;
    async fn list_apps(&self, org_id: &str, page: Page) -> StoreResult<(Vec<Application>, u64)>;
    async fn update_app(&self, app: &Application) -> StoreResult<bool>;
    async fn delete_app(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    /// Replaces the application's client secret hash (`None`: a public client again); false
    /// if there is no such application.
    async fn set_client_secret(
        &self,
        org_id: &str,
        id: &str,
        hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
}

/// Filters of the user list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Normalised email, exact match.
    pub email: Option<String>,
    /// Text found in the email, the username or the name, ASCII letters in any case (given
    /// in lower case).
    pub text: Option<String>,
    pub status: Option<UserStatus>,
}

impl UserFilter {
    /// Whether `user` has [`UserFilter::text`] (the memory store's rule; D1's is the same
    /// in SQL).
    pub fn has_text(&self, user: &User) -> bool {
        self.text.as_deref().is_none_or(|t| {
            [
                Some(user.email_normalized.as_str()),
                user.username.as_deref(),
                user.name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_ascii_lowercase().contains(t))
        })
    }
}

/// How many times a change is made again on a fresh read when another write won the race.
const WRITE_TRIES: usize = 5;

/// Reads the user (`NOT_FOUND` if there is none), applies `change`, and writes the result
/// only if no other write came in between; otherwise reads again and applies `change` to
/// what is there now. So a write
/// never puts back what another one changed (an administrator's edit read before a password
/// change and written after it keeps the new password). Nothing is written when `change`
/// changes nothing. Answers the user as read and as written.
pub async fn modify_user(
    store: &impl UserStore,
    org_id: &str,
    id: &str,
    now: i64,
    mut change: impl FnMut(&mut User) -> Result<(), Error>,
) -> Result<(User, User), Error> {
    for _ in 0..WRITE_TRIES {
        let before = store.get_user(org_id, id).await?.ok_or(Error::NotFound)?;
        let mut user = before.clone();
        change(&mut user)?;
        if user == before {
            return Ok((before, user));
        }
        // Strictly later than the read, so even a write in the same millisecond shows.
        user.updated_at = now.max(before.updated_at + 1);
        if store.update_user(&user, before.updated_at).await? {
            return Ok((before, user));
        }
    }
    Err(Error::conflict(
        "USER_BUSY",
        "the user kept changing while this change was made; try again",
    ))
}

pub trait UserStore {
    /// Conflicts: `EMAIL_TAKEN`, `USERNAME_TAKEN`.
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org_id: &str, id: &str) -> StoreResult<Option<User>>;
    async fn get_user_by_email(
        &self,
        org_id: &str,
        email_normalized: &str,
    ) -> StoreResult<Option<User>>;
    /// Oldest first, with the total count.
    async fn list_users(
        &self,
        org_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<(Vec<User>, u64)>;
    /// Writes `user` if the stored row's `updated_at` is still `read_at` (the value it was
    /// read with), so a write made from a stale read never puts back what another write
    /// changed meanwhile; false if the row changed or is gone. Use
    /// [`modify_user`], which reads, retries and stamps.
    /// Conflicts: `EMAIL_TAKEN`, `USERNAME_TAKEN`.
    async fn update_user(&self, user: &User, read_at: i64) -> StoreResult<bool>;
    /// Replaces `current_hash` with `password_hash` for a user whose password change is
    /// required, and clears the requirement, in one step: false (and nothing changed) where
    /// no change is required any more or the password is another by now, so of racing
    /// changes exactly one wins.
    async fn complete_password_change(
        &self,
        org_id: &str,
        user_id: &str,
        current_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Deletes the user and their credentials and role assignments. Login records keep the
    /// user's id.
    async fn delete_user(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    async fn user_role_ids(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>>;
    /// Replaces the user's roles (all or nothing). The ids are already checked to be roles
    /// of the organization.
    async fn set_user_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> StoreResult<()>;
    /// Names of the user's roles, sorted.
    async fn user_role_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>>;
    /// Names of every permission the user's roles grant, sorted and distinct.
    async fn user_permission_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>>;
    /// Finds a user by normalised email or by username (both lower-case).
    async fn find_login(&self, org_id: &str, login_id: &str) -> StoreResult<Option<User>>;
    /// The user with this phone number (E.164), if any.
    async fn find_by_phone(&self, org_id: &str, phone: &str) -> StoreResult<Option<User>>;
}

pub trait RoleStore {
    /// Conflict: `ROLE_EXISTS`.
    async fn insert_role(&self, role: &Role) -> StoreResult<()>;
    async fn get_role(&self, org_id: &str, id: &str) -> StoreResult<Option<Role>>;
    /// By name.
    async fn list_roles(&self, org_id: &str) -> StoreResult<Vec<Role>>;
    /// Conflict: `ROLE_EXISTS`.
    async fn update_role(&self, role: &Role) -> StoreResult<bool>;
    async fn delete_role(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    /// Conflict: `PERMISSION_EXISTS`.
    async fn insert_permission(&self, p: &Permission) -> StoreResult<()>;
    async fn get_permission(&self, org_id: &str, id: &str) -> StoreResult<Option<Permission>>;
    /// By name.
    async fn list_permissions(&self, org_id: &str) -> StoreResult<Vec<Permission>>;
    /// Conflict: `PERMISSION_EXISTS`.
    async fn update_permission(&self, p: &Permission) -> StoreResult<bool>;
    /// Also removes the permission from every role.
    async fn delete_permission(&self, org_id: &str, id: &str) -> StoreResult<bool>;
}

pub trait ApiKeyStore {
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn get_api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>>;
    /// The key with this prefix, to authenticate a request made at `now`.
    ///
    /// A key never changes but for its revocation, so a store may answer with a key it read
    /// for an earlier request, if it then checks that the key is still unrevoked under the
    /// promises of [`SessionStore::check_session`]: the check rides with the request's next
    /// read, nothing read is handed out and nothing is written before it passed, and a check
    /// still pending runs before the answer goes out.
    async fn api_key_for_request(&self, prefix: &str, now: i64) -> StoreResult<Option<ApiKey>> {
        let _ = now;
        self.get_api_key_by_prefix(prefix).await
    }
    /// Newest first.
    async fn list_api_keys(&self, org_id: &str) -> StoreResult<Vec<ApiKey>>;
    /// Marks the key revoked; false if unknown or already revoked, or if it is unrestricted
    /// and no other unrestricted key of the organization is active at `now` (checked in the
    /// same statement, so two racing revocations cannot remove the last two).
    async fn revoke_api_key(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool>;
}

/// A read-mostly cache (KV in the worker). Eventually consistent: never used for anything
/// whose correctness needs read-after-write.
pub trait Cache {
    async fn get(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put(&self, key: &str, value: &str, ttl_secs: u32) -> StoreResult<()>;
    async fn delete(&self, key: &str) -> StoreResult<()>;
}

/// What a successful login writes, all in one transaction.
#[derive(Debug, Clone)]
pub struct LoginWrite<'a> {
    pub session: &'a Session,
    pub refresh_token: Option<&'a RefreshToken>,
    pub record: &'a LoginRecord,
    /// A new password hash when the stored one used older parameters.
    pub rehash: Option<&'a str>,
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now spent and the new one stored.
    Rotated(Box<Session>),
    /// The token had already been rotated: the session has been revoked (RFC 9700 reuse
    /// detection).
    Reused { session_id: String },
    /// Unknown, expired, or its session is over.
    Invalid,
}

/// What a login reads before its credential is checked, read together: the account the
/// login id names, the organization (its attack protection), and what the rest of the
/// login needs to know of that account.
#[derive(Debug, Clone, Default)]
pub struct LoginReads {
    pub user: Option<User>,
    pub organization: Option<Organization>,
    /// Present when `user` is.
    pub known: Option<UserReads>,
}

/// What a login reads about its user: whether they are registered for the application
/// (always, without one), their confirmed second factors, their role names, and their
/// recent successful logins, newest first, for the risk signals.
#[derive(Debug, Clone, Default)]
pub struct UserReads {
    pub registered: bool,
    pub confirmed_factors: Vec<MfaFactor>,
    pub roles: Vec<String>,
    pub recent: Vec<crate::model::PastLogin>,
}

/// A login's reads in one place, so that a store may make them one round trip.
pub trait LoginReadStore:
    UserStore + OrgStore + RegistrationStore + MfaStore + SessionStore
{
    /// The reads of a login with `login_id` (normalised) into `application_id`, with up to
    /// `history` recent logins.
    async fn login_reads(
        &self,
        org_id: &str,
        login_id: &str,
        application_id: Option<&str>,
        history: u32,
    ) -> StoreResult<LoginReads> {
        let user = self.find_login(org_id, login_id).await?;
        let organization = self.get_org(org_id).await?;
        let known = match &user {
            None => None,
            Some(u) => Some(UserReads {
                registered: match application_id {
                    Some(app) => self.is_registered(&u.id, app).await?,
                    None => true,
                },
                confirmed_factors: self
                    .user_factors(org_id, &u.id)
                    .await?
                    .into_iter()
                    .filter(|f| f.confirmed_at.is_some())
                    .collect(),
                roles: self.user_role_names(org_id, &u.id).await?,
                recent: self.recent_logins(org_id, &u.id, history).await?,
            }),
        };
        Ok(LoginReads {
            user,
            organization,
            known,
        })
    }
}

/// What refreshing a token needs to know before it turns, read together: the token's
/// session, its application, its user and the user's role names.
#[derive(Debug, Clone)]
pub struct RefreshContext {
    pub session: Session,
    pub application: Option<Application>,
    pub user: Option<User>,
    pub roles: Vec<String>,
}

impl RefreshContext {
    /// Whether the session's application is the one `client_id` names (any, when none is).
    pub fn for_client(&self, client_id: Option<&str>) -> bool {
        client_id
            .is_none_or(|cid| self.application.as_ref().map(|a| a.client_id.as_str()) == Some(cid))
    }

    /// Whether the session's user may still refresh at `now`: active and unexpired.
    pub fn user_may_refresh(&self, now: i64) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.status == UserStatus::Active && !u.is_expired(now))
    }

    /// When a token turned at `now` expires: after its application's refresh lifetime,
    /// never after its session.
    pub fn next_token_expiry(&self, now: i64) -> i64 {
        let (_, ttl_ms) = lifetimes(self.application.as_ref());
        now + ttl_ms.min(self.session.expires_at - now).max(0)
    }
}

/// A refresh token to turn: `old_hash` spent and `new_hash` stored in its place.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    pub old_hash: &'a str,
    pub new_hash: &'a str,
    /// When given, the session's application must have this client id.
    pub client_id: Option<&'a str>,
    pub now: i64,
}

/// What came of a [`Turn`]: the token's context as it stood before (none: the token is
/// unknown), and the rotation.
#[derive(Debug, Clone)]
pub struct Turned {
    pub context: Option<RefreshContext>,
    pub rotation: Rotation,
}

/// The reads of a refresh in one place, so that a store may make them one round trip.
pub trait RefreshStore: SessionStore + UserStore + AppStore {
    /// Turns a refresh token (in one round trip, where the store can): the token turns only
    /// if it is unspent and unexpired, its session active, the session's application the
    /// one `client_id` names ([`RefreshContext::for_client`]) and its user active
    /// ([`RefreshContext::user_may_refresh`]); the new token expires at
    /// [`RefreshContext::next_token_expiry`]. A spent token presented again for its own
    /// client and active user revokes its session ([`Rotation::Reused`]); of racing turns
    /// of one token at most one rotates.
    async fn turn_refresh_token(&self, t: Turn<'_>) -> StoreResult<Turned>;
    /// The context of the refresh token whose hash is `token_hash`, if the token is known
    /// (spent or not).
    async fn refresh_context(&self, token_hash: &str) -> StoreResult<Option<RefreshContext>> {
        let Some(session) = self.session_of_refresh_token(token_hash).await? else {
            return Ok(None);
        };
        let org = &session.organization_id;
        let application = match &session.application_id {
            Some(id) => self.get_app(org, id).await?,
            None => None,
        };
        let user = self.get_user(org, &session.user_id).await?;
        let roles = self.user_role_names(org, &session.user_id).await?;
        Ok(Some(RefreshContext {
            session,
            application,
            user,
            roles,
        }))
    }
}

pub trait SessionStore {
    /// Inserts the session, its first refresh token and the login record, and sets the
    /// user's last login (and new hash), atomically.
    async fn record_login(&self, w: LoginWrite<'_>) -> StoreResult<()>;
    /// Inserts a failed attempt's record.
    async fn record_failure(&self, record: &LoginRecord) -> StoreResult<()>;
    /// Records a login that needs no new session (seed 003's login-instant update): the
    /// record and the user's last login, atomically.
    async fn record_ping(&self, record: &LoginRecord) -> StoreResult<()>;
    /// The session a refresh token belongs to, if the token is known (spent or not).
    async fn session_of_refresh_token(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    async fn get_session(&self, org_id: &str, id: &str) -> StoreResult<Option<Session>>;
    /// Fails `Unauthorized` unless session `id` is `user_id`'s and active at `now`: the
    /// check behind every access token, so that a sign-out takes effect at once.
    ///
    /// A store may defer the check, to ride in one round trip with the request's next read,
    /// if it keeps two promises: nothing it reads is handed out and nothing is written before
    /// the check has passed, and a check still pending runs before the request's answer goes
    /// out (the D1 store's `settle`).
    async fn check_session(
        &self,
        org_id: &str,
        id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        match self.get_session(org_id, id).await? {
            Some(s) if s.user_id == user_id && s.is_active(now) => Ok(()),
            _ => Err(Error::Unauthorized),
        }
    }
    /// The user's sessions, newest first; only active ones unless `include_inactive`.
    async fn list_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        include_inactive: bool,
        now: i64,
    ) -> StoreResult<Vec<Session>>;
    /// Revokes one session and its refresh tokens; false if unknown or already revoked.
    async fn revoke_session(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool>;
    /// Revokes every active session of the user but `except` (when given); returns how many.
    /// Sessions already over (expired, idle too long) are left as they are and not counted.
    async fn revoke_user_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        except: Option<&str>,
        now: i64,
    ) -> StoreResult<u32>;
    /// The user's most recent successful logins, newest first (for risk signals).
    async fn recent_logins(
        &self,
        org_id: &str,
        user_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::PastLogin>>;
    /// Adds a refresh token to an existing session (authorization-code exchange).
    async fn add_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    /// Records activity on a session.
    async fn touch_session(&self, id: &str, now: i64) -> StoreResult<()>;
    /// Inserts a session with its first refresh token, atomically, without a login record
    /// (an OpenID Connect client's session, begun from a sign-in already recorded).
    async fn insert_session(
        &self,
        session: &Session,
        token: Option<&RefreshToken>,
    ) -> StoreResult<()>;
    /// Deletes up to `limit` of the organization's sessions that ended before `before`
    /// (revoked, or expired, before it), with their refresh tokens, atomically; a session that
    /// another one names as its parent stays until that one is gone. Returns how many.
    async fn prune_sessions(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32>;
}

/// Users' passkeys. Every method is scoped to one organization, and those that name a
/// passkey by id also to its user, so nobody reaches another user's credentials.
pub trait PasskeyStore {
    /// Stores a new passkey; false if its credential id is registered already (anywhere).
    async fn insert_passkey(&self, passkey: &Passkey) -> StoreResult<bool>;
    /// The passkey with this credential id in the organization.
    async fn passkey_by_credential(
        &self,
        org_id: &str,
        credential_id: &str,
    ) -> StoreResult<Option<Passkey>>;
    /// The user's passkeys, oldest first.
    async fn user_passkeys(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Passkey>>;
    /// Records a use: the new signature counter, backup state and time. Only if the stored
    /// counter is still `seen_count`, so that of two racing assertions with the same counter
    /// at most one counts; false otherwise.
    async fn use_passkey(
        &self,
        org_id: &str,
        id: &str,
        seen_count: u32,
        sign_count: u32,
        backup_state: bool,
        now: i64,
    ) -> StoreResult<bool>;
    /// False if the user has no such passkey.
    async fn rename_passkey(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<bool>;
    /// False if the user has no such passkey.
    async fn delete_passkey(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool>;
}

/// Users' registrations for applications.
pub trait RegistrationStore {
    /// Registers the user for the application (both of organization `org_id`); false if it
    /// already was.
    async fn register(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
        now: i64,
    ) -> StoreResult<bool>;
    async fn unregister(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
    ) -> StoreResult<bool>;
    async fn registrations(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Registration>>;
    async fn is_registered(&self, user_id: &str, application_id: &str) -> StoreResult<bool>;
}

/// Single-use codes.
pub trait CodeStore {
    async fn insert_code(&self, code: &OneTimeCode) -> StoreResult<()>;
    /// Stores the code in place of any with the same hash, its attempts starting over (a
    /// resent sign-in code replaces the last one for its address).
    async fn upsert_code(&self, code: &OneTimeCode) -> StoreResult<()>;
    /// Deletes and returns the code if it exists, serves `purpose` and is unexpired: a code
    /// is consumed at most once, even by racing requests.
    async fn consume_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>>;
    /// Deletes every code (of every organization) expired at `now`; returns how many.
    async fn prune_codes(&self, now: i64) -> StoreResult<u32>;
    /// The code, if it exists, serves `purpose` and is unexpired, left in place (a trusted
    /// device's token, used many times).
    async fn find_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>>;
    /// Counts one attempt against the code, in one statement, if it exists, serves
    /// `purpose`, is unexpired and has had fewer than `max_attempts`: the code and its
    /// attempts so far, this one included. Of racing attempts, at most `max_attempts` are
    /// ever counted, so at most that many are ever checked.
    async fn charge_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
        max_attempts: u32,
    ) -> StoreResult<Option<(OneTimeCode, u32)>>;
    /// Deletes the user's codes for `purpose` (a user's trusted devices when their factors
    /// change); returns how many.
    async fn delete_user_codes(
        &self,
        org_id: &str,
        user_id: &str,
        purpose: &str,
    ) -> StoreResult<u32>;
}

/// Users' second factors and backup codes. Every method is scoped to one organization,
/// and those that name a factor by id also to its user where a user is named.
pub trait MfaStore {
    /// Stores a new pending factor, deleting the user's other pending ones.
    async fn insert_pending_factor(&self, factor: &MfaFactor) -> StoreResult<()>;
    /// The user's factors, pending and confirmed, oldest first.
    async fn user_factors(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<MfaFactor>>;
    /// Confirms a pending factor, `step` being the first code's time step; false if the user
    /// has no such pending factor (of racing confirmations, one wins).
    async fn confirm_factor(
        &self,
        org_id: &str,
        user_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool>;
    /// Records that `step` verified on a confirmed factor, only if it is later than the last
    /// step that did: false otherwise (a replayed code, or the loser of a race).
    async fn use_factor_step(
        &self,
        org_id: &str,
        id: &str,
        step: i64,
        now: i64,
    ) -> StoreResult<bool>;
    /// Replaces a factor's sealed secret (sealed again under a new key).
    async fn reseal_factor(&self, org_id: &str, id: &str, secret: &str) -> StoreResult<()>;
    /// False if the user has no such factor.
    async fn delete_factor(&self, org_id: &str, user_id: &str, id: &str) -> StoreResult<bool>;
    /// Replaces all of the user's backup codes with these (hashed) ones, in one batch.
    async fn replace_backup_codes(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
        now: i64,
    ) -> StoreResult<()>;
    /// Deletes the user's backup code stored as any of `code_hashes` (one per key), in one
    /// statement: true for the one request that deleted it.
    async fn use_backup_code(
        &self,
        org_id: &str,
        user_id: &str,
        code_hashes: &[String],
    ) -> StoreResult<bool>;
    async fn backup_codes_left(&self, org_id: &str, user_id: &str) -> StoreResult<u32>;
}

/// The login-record views' queries. Every method is scoped to one organization.
pub trait RecordStore {
    /// One user's records, newest first, optionally of one outcome, with the total.
    async fn user_records(
        &self,
        org_id: &str,
        user_id: &str,
        outcome: Option<crate::model::Outcome>,
        page: Page,
    ) -> StoreResult<(Vec<crate::model::StoredRecord>, u64)> {
        let q = crate::model::RecordQuery {
            user_id: Some(user_id.to_owned()),
            outcome,
            ..Default::default()
        };
        self.query_records(org_id, &q, page).await
    }
    /// One user's successful logins, newest first, optionally into one application.
    async fn user_logins(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::StoredRecord>>;
    /// Deletes up to `limit` of the organization's oldest records created before `before`;
    /// returns how many.
    async fn prune(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32>;
    /// Records of any outcome matching `query`, newest first, with the total (an
    /// administrator's search).
    async fn query_records(
        &self,
        org_id: &str,
        query: &crate::model::RecordQuery,
        page: Page,
    ) -> StoreResult<(Vec<crate::model::StoredRecord>, u64)>;
    /// At most `limit` records matching `query` with ids below `before_id` (all when none),
    /// newest first, with no total: the pages of a streamed export (keyset paging).
    async fn records_before(
        &self,
        org_id: &str,
        query: &crate::model::RecordQuery,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::StoredRecord>>;
    /// The counts by hour, failure reason and place of the records matching `query`; at most
    /// `places` places.
    async fn tally_records(
        &self,
        org_id: &str,
        query: &crate::model::RecordQuery,
        places: u32,
    ) -> StoreResult<crate::model::RecordTallies>;
    /// Successful logins matching `criteria`, in the order they were recorded (oldest first), from `start_row`; the total too
    /// when asked.
    async fn search(
        &self,
        org_id: &str,
        criteria: &crate::model::Criteria,
        start_row: u32,
        number_of_results: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<crate::model::StoredRecord>, Option<u64>)>;
}

/// Brute-force counters (see [`crate::authn::guard`]), exact under concurrency.
pub trait AttemptStore {
    /// Charges one failure to each counter of `org_id` named in `keys`, in one transaction,
    /// and answers each counter as it then stands. A counter whose last failure is
    /// `window_ms` old or older starts over at 1.
    async fn charge_attempts(
        &self,
        org_id: &str,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<Vec<crate::model::AttemptCounter>>;
    /// Charges the counter `address` (over `address_window_ms`) and then, only if it stands
    /// at `address_limit` failures or fewer, each counter of `keys` (over `window_ms`):
    /// the address's counter, and the keys' if they were charged. A store may make it one
    /// transaction (one round trip); this default makes two calls.
    #[allow(clippy::too_many_arguments)]
    async fn charge_behind_address(
        &self,
        org_id: &str,
        address: &str,
        address_window_ms: i64,
        address_limit: u32,
        keys: &[String],
        window_ms: i64,
        now: i64,
    ) -> StoreResult<(
        crate::model::AttemptCounter,
        Option<Vec<crate::model::AttemptCounter>>,
    )> {
        let charged = self
            .charge_attempts(org_id, &[address.to_owned()], address_window_ms, now)
            .await?;
        let Some(&by_address) = charged.first() else {
            return Err(crate::Error::Internal(
                "address counter not returned".into(),
            ));
        };
        if by_address.failures > address_limit {
            return Ok((by_address, None));
        }
        let by_keys = self.charge_attempts(org_id, keys, window_ms, now).await?;
        Ok((by_address, Some(by_keys)))
    }
    /// Deletes every counter of `org_id` whose key starts with one of `prefixes`, and takes
    /// one failure back from each counter named in `refunds` (an attempt that succeeded).
    async fn clear_attempts(
        &self,
        org_id: &str,
        prefixes: &[String],
        refunds: &[String],
    ) -> StoreResult<()>;
    /// Deletes counters of every organization whose last failure is before `before`.
    async fn prune_attempts(&self, before: i64) -> StoreResult<u32>;
}

/// The login-record chain (see [`crate::records::chain`]).
pub trait ChainStore {
    /// The chain key (the `CHAIN_KEY` secret in the worker) rows are stored and sealed with;
    /// the record inserts of [`SessionStore`] hash with it too.
    fn chain_key(&self) -> &[u8];
    /// The organization's record counter; `None` before its first record.
    async fn counter(&self, org_id: &str) -> StoreResult<Option<crate::model::RecordCounter>>;
    /// The lowest sequence number still stored.
    async fn first_seq(&self, org_id: &str) -> StoreResult<Option<i64>>;
    /// Up to `limit` rows after `after_seq`, in sequence order.
    async fn chain_rows(
        &self,
        org_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::ChainRow>>;
    async fn checkpoints(
        &self,
        org_id: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> StoreResult<Vec<crate::model::Checkpoint>>;
    async fn checkpoint_at_or_before(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<crate::model::Checkpoint>>;
    async fn checkpoint_at_or_after(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<crate::model::Checkpoint>>;
    async fn insert_checkpoint(
        &self,
        org_id: &str,
        cp: &crate::model::Checkpoint,
        now: i64,
    ) -> StoreResult<()>;
}

/// Security events and their webhook deliveries (see [`crate::events`]).
pub trait EventStore {
    /// Appends an event (its `id` and `delivery` are the store's to set): queued for
    /// delivery, due at once, when the organization has a webhook; otherwise
    /// [`Delivery::NONE`].
    async fn append_event(&self, event: &SecurityEvent) -> StoreResult<()>;
    /// The organization's events, newest first, optionally of one kind, with the total.
    async fn list_events(
        &self,
        org_id: &str,
        kind: Option<&str>,
        page: Page,
    ) -> StoreResult<(Vec<SecurityEvent>, u64)>;
    async fn get_webhook(&self, org_id: &str) -> StoreResult<Option<Webhook>>;
    /// Sets the organization's webhook URL and bumps its version (which rotates its
    /// secret); answers the webhook as stored.
    async fn set_webhook(&self, org_id: &str, url: &str, now: i64) -> StoreResult<Webhook>;
    /// Removes the webhook; events still pending are no longer delivered (they fail with
    /// `no webhook` at their next attempt).
    async fn delete_webhook(&self, org_id: &str) -> StoreResult<bool>;
    /// Claims up to `limit` pending events of any organization due at `now` (oldest first):
    /// their next attempt moves to `lease_until` in the same statement, so two deliverers
    /// running at once never claim the same event. Each comes with its organization's
    /// webhook, if it still has one.
    async fn claim_deliveries(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> StoreResult<Vec<(SecurityEvent, Option<Webhook>)>>;
    /// Stores the outcome of a delivery attempt.
    async fn record_delivery(&self, event_id: i64, delivery: &Delivery) -> StoreResult<()>;
}

/// An organization's own message templates, one per kind at most.
pub trait TemplateStore {
    /// The organization's templates, in no particular order.
    async fn list_templates(&self, org_id: &str) -> StoreResult<Vec<MessageTemplate>>;
    async fn get_template(
        &self,
        org_id: &str,
        kind: MessageKind,
    ) -> StoreResult<Option<MessageTemplate>>;
    /// Stores the template of its kind, replacing the one before.
    async fn put_template(&self, org_id: &str, template: &MessageTemplate) -> StoreResult<()>;
    /// Removes the template of `kind`; `false` if there was none.
    async fn delete_template(&self, org_id: &str, kind: MessageKind) -> StoreResult<bool>;
}

/// An organization's identity-provider connections and the identities users have at them.
pub trait ConnectionStore {
    async fn insert_connection(&self, c: &Connection) -> StoreResult<()>;
    async fn get_connection(&self, org_id: &str, id: &str) -> StoreResult<Option<Connection>>;
    /// The organization's connections, oldest first.
    async fn list_connections(&self, org_id: &str) -> StoreResult<Vec<Connection>>;
    /// Returns false if the connection does not exist.
    async fn update_connection(&self, c: &Connection) -> StoreResult<bool>;
    /// Deletes the connection and the identities at it.
    async fn delete_connection(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    /// The identity with the provider's `subject` at `connection_id`.
    async fn find_identity(
        &self,
        connection_id: &str,
        subject: &str,
    ) -> StoreResult<Option<Identity>>;
    /// Conflict `IDENTITY_TAKEN` when the subject is linked already (of racing links, one
    /// wins).
    async fn insert_identity(&self, identity: &Identity) -> StoreResult<()>;
    /// Records a sign-in through the identity: its time and the address it came with.
    async fn touch_identity(&self, identity: &Identity) -> StoreResult<()>;
    /// The user's identities, oldest first.
    async fn list_identities(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Identity>>;
}
