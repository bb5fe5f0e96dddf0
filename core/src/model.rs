//! Domain types as stored. Times are epoch milliseconds. API views live in [`crate::api`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub custom_domain: Option<String>,
    /// Days login records are kept.
    pub retention_days: u32,
    pub attack_protection: AttackProtection,
    /// How messages to users are delivered.
    pub messaging: Messaging,
    pub created_at: i64,
    pub updated_at: i64,
}

/// How an organization's messages (sign-in codes and links) are delivered. The providers'
/// keys are Worker secrets of the deployment, never stored here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Messaging {
    pub email: EmailProvider,
    pub sms: SmsProvider,
    /// Email users a "was this you?" alert for logins a risk signal flagged (default on).
    pub login_alerts: bool,
}

impl Default for Messaging {
    fn default() -> Self {
        Messaging {
            email: EmailProvider::default(),
            sms: SmsProvider::default(),
            login_alerts: true,
        }
    }
}

/// Who sends an organization's email.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailProvider {
    /// Cloudflare's `send_email` binding (`EMAIL`), from `EMAIL_FROM`.
    #[default]
    SendEmail,
    /// Resend's HTTP API, with the `RESEND_API_KEY` secret.
    Resend,
}

/// Who sends an organization's text messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmsProvider {
    /// None: SMS codes are not offered.
    #[default]
    None,
    /// A Twilio-compatible Messages API, with the `TWILIO_*` secrets.
    Twilio,
}

/// An organization's brute-force and throttling policy (see [`crate::authn::guard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AttackProtection {
    /// Failures of one login id from one address before it is locked there (1 to 100;
    /// default 10).
    pub ip_failures: u32,
    /// Failures from one address after which each attempt waits twice as long as the one
    /// before (0 to `ip_failures`; default 5).
    pub delay_after: u32,
    /// Consecutive failures of one login id from anywhere before it is locked everywhere
    /// (1 to 100, NIST SP 800-63B's bound; default 100).
    pub account_failures: u32,
    /// Minutes a lock lasts after the last failure (1 to 1440; default 15).
    pub lock_minutes: u32,
    /// Failures from one address across login ids in a clock hour before the address is
    /// refused for the rest of it (10 to 100000; default 100).
    pub address_failures_per_hour: u32,
    /// What a successful password login does when the password is found in known breaches
    /// (default `flag`).
    pub breached_password_at_login: BreachedAtLogin,
}

/// What a successful password login does with a password found in known breaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BreachedAtLogin {
    /// No check at login.
    Off,
    /// The login goes on; its record carries the `breached_password` flag and a
    /// `password.breached` security event is raised.
    Flag,
    /// As `flag`, and the user must choose a new password before any session starts (the
    /// login answers `PASSWORD_CHANGE_REQUIRED`).
    RequireChange,
}

impl BreachedAtLogin {
    pub fn as_str(self) -> &'static str {
        match self {
            BreachedAtLogin::Off => "off",
            BreachedAtLogin::Flag => "flag",
            BreachedAtLogin::RequireChange => "require_change",
        }
    }

    /// The stored form back; anything unknown reads as the default.
    pub fn parse(s: &str) -> Self {
        match s {
            "off" => BreachedAtLogin::Off,
            "require_change" => BreachedAtLogin::RequireChange,
            _ => BreachedAtLogin::Flag,
        }
    }
}

impl Default for AttackProtection {
    fn default() -> Self {
        AttackProtection {
            ip_failures: 10,
            delay_after: 5,
            account_failures: 100,
            lock_minutes: 15,
            address_failures_per_hour: 100,
            breached_password_at_login: BreachedAtLogin::Flag,
        }
    }
}

/// Login methods an application can enable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    Password,
    Passkey,
    MagicLink,
    MagicCode,
    SmsCode,
    /// Sign-in through the organization's connections (social login, enterprise SSO).
    Sso,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub client_id: String,
    pub allowed_origins: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub access_token_ttl_secs: u32,
    pub refresh_token_ttl_secs: u32,
    pub login_methods: Vec<LoginMethod>,
    /// Anyone may create an account through the public sign-up route (off by default).
    pub self_signup: bool,
    /// Password sign-ups and logins need a verified email first (off by default).
    pub require_verified_email: bool,
    /// Sessions end after this long without a refresh (ASVS 3.3.2); 0 for none.
    pub idle_timeout_secs: u32,
    /// Sign-ups and password logins need a Cloudflare Turnstile token (see
    /// [`crate::authn::bot`]).
    pub bot_protection: bool,
    /// Tokens of this application are for Latchkey's own administrative API: their audience
    /// is [`crate::sessions::tokens::admin_audience`], and only such tokens carry a user's
    /// administrative permissions.
    pub admin_api: bool,
    /// The relying-party id passkeys of this application are bound to; `None` for the host
    /// of its first allowed origin (see [`crate::authn::passkey::rp_id`]).
    pub passkey_rp_id: Option<String>,
    /// Whether a passkey ceremony must verify the user (PIN, biometrics), not only their
    /// presence.
    pub passkey_user_verification: UserVerification,
    /// Multi-factor authentication: required or optional, trusted devices, passkeys.
    pub mfa: MfaSettings,
    /// SHA-256 (hex) of the client secret of a confidential OpenID Connect client; `None`
    /// for a public client (a browser or mobile app, which must use PKCE).
    pub client_secret_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Whether an application's users must use a second factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MfaPolicy {
    /// Users who enrolled a factor are asked for it; the others are not (the default).
    #[default]
    Optional,
    /// Every login needs a second factor; users without one must enrol before signing in.
    Required,
}

/// An application's multi-factor settings (see [`crate::authn::mfa`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MfaSettings {
    #[serde(default)]
    pub policy: MfaPolicy,
    /// Days a device the user chose to trust skips the second factor; 0 turns trust off.
    #[serde(default = "MfaSettings::default_trust_days")]
    pub trust_days: u32,
    /// Whether a passkey login that verified the user (already two factors: the device and
    /// its PIN or biometrics) satisfies MFA.
    #[serde(default = "MfaSettings::yes")]
    pub passkey_satisfies: bool,
}

impl MfaSettings {
    pub const MAX_TRUST_DAYS: u32 = 365;

    fn default_trust_days() -> u32 {
        30
    }

    fn yes() -> bool {
        true
    }
}

impl Default for MfaSettings {
    fn default() -> Self {
        MfaSettings {
            policy: MfaPolicy::Optional,
            trust_days: Self::default_trust_days(),
            passkey_satisfies: true,
        }
    }
}

/// A user's second factor. Only TOTP authenticator apps today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaFactor {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    /// `totp`.
    pub kind: String,
    pub name: String,
    /// The secret, sealed (AES-GCM under the worker's `MFA_KEY`; see
    /// [`crate::authn::mfa::seal`]).
    pub secret: String,
    /// When the first code confirmed it; pending until then, and never asked for at login.
    pub confirmed_at: Option<i64>,
    /// The last time step that verified: no code of it or before verifies again.
    pub last_used_step: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// WebAuthn's user-verification requirement, as an application sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserVerification {
    /// Refused without it (the default).
    #[default]
    Required,
    /// Asked for, not refused without it.
    Preferred,
}

impl UserVerification {
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Required => "required",
            UserVerification::Preferred => "preferred",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [UserVerification::Required, UserVerification::Preferred]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A user's passkey: a WebAuthn credential registered with one application's RP ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passkey {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    /// The authenticator's credential id, base64url (unique everywhere).
    pub credential_id: String,
    /// The COSE public key as registered.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub rp_id: String,
    pub name: String,
    /// The authenticator model (hex, all zeros when unattested).
    pub aaguid: String,
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// `none`, `self` or `unattested`.
    pub attestation: String,
    /// Transports the browser reported (`internal`, `hybrid`, `usb`, ...), for `allowCredentials`.
    pub transports: Vec<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(UserStatus::Active),
            "disabled" => Some(UserStatus::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub email_normalized: String,
    pub username: Option<String>,
    pub name: Option<String>,
    pub email_verified: bool,
    /// A mobile number in E.164 form (`+14155550100`), unique in the organization: SMS
    /// codes go there.
    pub phone: Option<String>,
    pub status: UserStatus,
    /// argon2id PHC string; `None` for users without a password (passkey or code only).
    pub password_hash: Option<String>,
    /// The next login must change the password first.
    pub password_change_required: bool,
    /// The account may not log in from this instant on.
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub permission_ids: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// Public part of the key, used to find the row.
    pub prefix: String,
    /// SHA-256 of the whole key, hex. The key itself is shown once and never stored.
    pub key_hash: String,
    /// Permission names the key holds; `None` for all.
    pub permissions: Option<Vec<String>>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// Who created it (`platform`, `api_key:<id>`, `user:<id>`); `None` for keys made before
    /// creators were recorded.
    pub created_by: Option<String>,
    /// The key stops working at this instant, if set.
    pub expires_at: Option<i64>,
}

/// Token lifetimes of an application that sets none.
pub const DEFAULT_ACCESS_TTL_SECS: u32 = 600;
pub const DEFAULT_REFRESH_TTL_SECS: u32 = 30 * 24 * 3600;

/// Lifetimes of tokens for an application, or the defaults without one: the access
/// token's in seconds, the refresh token's in milliseconds.
pub fn lifetimes(app: Option<&Application>) -> (u32, i64) {
    let (access, refresh) = app.map_or((DEFAULT_ACCESS_TTL_SECS, DEFAULT_REFRESH_TTL_SECS), |a| {
        (a.access_token_ttl_secs, a.refresh_token_ttl_secs)
    });
    (access, i64::from(refresh) * 1000)
}

impl ApiKey {
    /// Neither revoked nor expired at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| now < t)
    }
}

/// Limit/offset paging, already validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
}

/// Where a request came from, as far as the edge and the client tell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub timezone: Option<String>,
    /// Autonomous system number of the client's network.
    pub asn: Option<u32>,
    /// Coordinates of the client's location, in millionths of a degree.
    pub latitude_e6: Option<i32>,
    pub longitude_e6: Option<i32>,
    pub user_agent: Option<String>,
    /// Device metadata the client sent (seed 003's `metaData.device`).
    pub device_name: Option<String>,
    pub device_type: Option<String>,
    pub device_description: Option<String>,
}

impl ClientInfo {
    /// Applies a development-only location override (`country=FR;city=Paris;lat=48.85;
    /// lon=2.35;region=IDF;tz=Europe/Paris;asn=3215`), so tests can log in from other places.
    /// The worker honours it only when `LATCHKEY_DEV_OVERRIDES` is `enabled`, which no deployed
    /// configuration sets.
    pub fn apply_dev_geo(&mut self, spec: &str) {
        let e6 = |v: &str| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.abs() <= 180.0)
                .map(|f| (f * 1e6).round() as i32)
        };
        for (k, v) in spec.split(';').filter_map(|kv| kv.split_once('=')) {
            let v = v.trim();
            match k.trim() {
                "country" => self.country = Some(v.to_owned()),
                "region" => self.region = Some(v.to_owned()),
                "city" => self.city = Some(v.to_owned()),
                "tz" => self.timezone = Some(v.to_owned()),
                "asn" => self.asn = v.parse().ok(),
                "lat" => self.latitude_e6 = e6(v),
                "lon" => self.longitude_e6 = e6(v),
                _ => {}
            }
        }
    }
}

/// A login session: the unit a user and an administrator see and revoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub application_id: Option<String>,
    pub created_at: i64,
    pub last_active_at: i64,
    /// Not valid after this instant, whatever the refresh tokens say.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// Over once this long passes without activity (a refresh) after `last_active_at`;
    /// 0 for no idle limit. Copied from the application when the session starts.
    pub idle_timeout_ms: i64,
    pub client: ClientInfo,
    /// Authentication methods used to establish the session (`password`, ...).
    pub methods: Vec<String>,
    /// The scopes an OpenID Connect client was granted (`openid email`): set on the client's
    /// own session, which its code's exchange starts; `None` for every other session.
    pub scope: Option<String>,
    /// For a client's session: the hosted sign-in page's session it was granted from (a
    /// logout by the client ends both).
    pub parent_id: Option<String>,
    /// The identity-provider connection a single sign-on came through.
    pub connection_id: Option<String>,
}

impl Session {
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none()
            && now < self.expires_at
            && (self.idle_timeout_ms == 0 || now < self.last_active_at + self.idle_timeout_ms)
    }
}

/// A refresh token as stored: only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub session_id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

/// Why a login attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    UnknownUser,
    BadPassword,
    NoPassword,
    Disabled,
    Expired,
    PasswordChangeRequired,
    MethodDisabled,
    NotRegistered,
    /// Refused by brute-force protection before the credential was checked.
    TooManyAttempts,
    /// A passkey response whose challenge was not issued, was used already or expired.
    ChallengeInvalid,
    /// A passkey no user of the organization has registered.
    UnknownPasskey,
    /// A passkey response that failed verification (origin, RP ID, signature, ...).
    PasskeyRejected,
    /// A passkey response without user verification where the application requires it.
    UserNotVerified,
    /// A passkey whose signature counter did not grow: possibly a cloned authenticator.
    CounterRegressed,
    /// The first factor was right; the login waits for the second (multi-factor).
    MfaRequired,
    /// A second-factor code (TOTP or backup) that did not verify, or was used already.
    InvalidMfaCode,
    /// A second-factor attempt with an MFA token that expired, was used, or ran out of tries.
    MfaTokenExpired,
    /// A sign-in code (email or SMS) that did not match.
    InvalidCode,
    /// A sign-in code or link that expired, ran out of tries, or was never issued.
    CodeExpired,
    /// A sign-in code or link that was used already.
    CodeUsed,
    /// A magic link whose holder said the request was not theirs.
    LinkDenied,
    /// The right password, where the application requires a verified email and it is not.
    EmailNotVerified,
    /// A single sign-on answer that failed its checks: the state, the identity provider's
    /// token exchange, or its ID token (issuer, audience, nonce, signature, expiry).
    SsoRejected,
    /// A single sign-on identity whose address belongs to an account it may not be linked
    /// to (the connection refuses links, or an address is not verified on both sides).
    AccountNotLinked,
}

impl FailureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureReason::UnknownUser => "unknown_user",
            FailureReason::BadPassword => "bad_password",
            FailureReason::NoPassword => "no_password",
            FailureReason::Disabled => "disabled",
            FailureReason::Expired => "expired",
            FailureReason::PasswordChangeRequired => "password_change_required",
            FailureReason::MethodDisabled => "method_disabled",
            FailureReason::NotRegistered => "not_registered",
            FailureReason::TooManyAttempts => "too_many_attempts",
            FailureReason::ChallengeInvalid => "challenge_invalid",
            FailureReason::UnknownPasskey => "unknown_passkey",
            FailureReason::PasskeyRejected => "passkey_rejected",
            FailureReason::UserNotVerified => "user_not_verified",
            FailureReason::CounterRegressed => "possible_cloned_authenticator",
            FailureReason::MfaRequired => "mfa_required",
            FailureReason::InvalidMfaCode => "invalid_mfa_code",
            FailureReason::MfaTokenExpired => "mfa_token_expired",
            FailureReason::InvalidCode => "invalid_code",
            FailureReason::CodeExpired => "code_expired",
            FailureReason::CodeUsed => "code_used",
            FailureReason::LinkDenied => "link_denied",
            FailureReason::EmailNotVerified => "email_not_verified",
            FailureReason::SsoRejected => "sso_rejected",
            FailureReason::AccountNotLinked => "account_not_linked",
        }
    }

    /// Every reason, for reading stored ones back.
    pub const ALL: [FailureReason; 24] = [
        FailureReason::UnknownUser,
        FailureReason::BadPassword,
        FailureReason::NoPassword,
        FailureReason::Disabled,
        FailureReason::Expired,
        FailureReason::PasswordChangeRequired,
        FailureReason::MethodDisabled,
        FailureReason::NotRegistered,
        FailureReason::TooManyAttempts,
        FailureReason::ChallengeInvalid,
        FailureReason::UnknownPasskey,
        FailureReason::PasskeyRejected,
        FailureReason::UserNotVerified,
        FailureReason::CounterRegressed,
        FailureReason::MfaRequired,
        FailureReason::InvalidMfaCode,
        FailureReason::MfaTokenExpired,
        FailureReason::InvalidCode,
        FailureReason::CodeExpired,
        FailureReason::CodeUsed,
        FailureReason::LinkDenied,
        FailureReason::EmailNotVerified,
        FailureReason::SsoRejected,
        FailureReason::AccountNotLinked,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One login attempt, success or failure. Written in the request's own D1 batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    pub organization_id: String,
    pub application_id: Option<String>,
    pub created_at: i64,
    pub outcome: Outcome,
    /// `password`, `passkey`, `magic_link`, ...
    pub method: String,
    pub failure_reason: Option<FailureReason>,
    pub user_id: Option<String>,
    /// The login id as typed.
    pub login_id: String,
    pub session_id: Option<String>,
    pub client: ClientInfo,
    /// Risk signals of a successful login: `new_device`, `new_country`,
    /// `impossible_travel`.
    pub flags: Vec<String>,
    /// The identity-provider connection of a single sign-on (method `sso`).
    pub connection_id: Option<String>,
}

/// A single-use code, stored as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    pub code_hash: String,
    /// What the code is for (`change_password`, ...): a code serves one purpose only.
    pub purpose: String,
    pub organization_id: String,
    pub user_id: String,
    /// What the code carries (JSON).
    pub data: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A user's registration for an application (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub application_id: String,
    pub created_at: i64,
}

// ---- what the login-record stores hand back --------------------------------------------------

/// A stored record: its sequence number and, for views that name it, its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: i64,
    pub record: LoginRecord,
    pub application_name: Option<String>,
    /// The record's place in its organization's chain and its row hash.
    pub chain_seq: Option<i64>,
    pub row_hash: Option<String>,
}

/// Criteria of a search across users (seed 003).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    pub application_id: Option<String>,
    pub user_id: Option<String>,
    /// Inclusive, epoch milliseconds.
    pub start: Option<i64>,
    /// Inclusive, epoch milliseconds.
    pub end: Option<i64>,
    /// Only records after this one (keyset paging for exports).
    pub after_id: Option<i64>,
}

/// An administrator's search of login records, failures included: each field given narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub application_id: Option<String>,
    pub user_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub method: Option<String>,
    /// ISO 3166 code, as the edge reports it.
    pub country: Option<String>,
    /// Inclusive, epoch milliseconds.
    pub start: Option<i64>,
    /// Inclusive, epoch milliseconds.
    pub end: Option<i64>,
}

impl RecordQuery {
    /// Whether `r` is one the query asks for (the memory store's filter; D1's is the same in
    /// SQL).
    pub fn matches(&self, r: &LoginRecord) -> bool {
        let same = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        same(&self.application_id, r.application_id.as_deref())
            && same(&self.user_id, r.user_id.as_deref())
            && self.outcome.is_none_or(|o| r.outcome == o)
            && same(&self.method, Some(&r.method))
            && same(&self.country, r.client.country.as_deref())
            && self.start.is_none_or(|t| r.created_at >= t)
            && self.end.is_none_or(|t| r.created_at <= t)
    }
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Success => self.success += 1,
            Outcome::Failure => self.failure += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.success + self.failure
    }
}

/// Successes and failures of one group (an hour, a place).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub success: u64,
    pub failure: u64,
}

/// A place logins came from, for the dashboard's map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceTally {
    pub country: Option<String>,
    pub city: Option<String>,
    /// The mean of the records' coordinates, in millionths of a degree.
    pub latitude_e6: i32,
    pub longitude_e6: i32,
    pub tally: Tally,
}

/// The counts behind the dashboard's charts and map, for the records a query matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordTallies {
    /// By hour (epoch milliseconds of the hour's start), oldest first; hours without records
    /// are absent.
    pub hours: Vec<(i64, Tally)>,
    /// Failures by reason, most first.
    pub reasons: Vec<(String, u64)>,
    /// Records with coordinates, by country and city, most first.
    pub places: Vec<PlaceTally>,
}

/// A record as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    pub seq: i64,
    pub row_hash: String,
    pub record: LoginRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Checkpoint {
    pub seq: i64,
    pub chain_hash: String,
}

/// A brute-force counter after an attempt was charged to it (see [`crate::authn::guard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCounter {
    /// Consecutive failures, this attempt included.
    pub failures: u32,
    /// When the previous failure was, if any.
    pub previous_at: Option<i64>,
}

/// An organization's login-record counter: the last sequence number issued (never lowered,
/// whatever is deleted) and the first one whose row is keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordCounter {
    pub last_seq: i64,
    pub keyed_from: i64,
}

/// A previous successful login, as far as the signals need it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PastLogin {
    pub created_at: i64,
    pub user_agent: Option<String>,
    pub device_name: Option<String>,
    pub country: Option<String>,
    pub latitude_e6: Option<i32>,
    pub longitude_e6: Option<i32>,
}

/// A security event (see [`crate::events`]): something an organization's administrators or
/// its security tooling should hear about, kept per organization and, where the organization
/// has a webhook, delivered to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityEvent {
    /// Assigned by the store, increasing within the deployment.
    pub id: i64,
    pub organization_id: String,
    pub created_at: i64,
    /// A stable name such as `login.locked` (see [`crate::events::kinds`]).
    pub kind: String,
    /// Who did it, for administrative changes (`api_key:<id>`, `user:<id>`, `platform`).
    pub actor: Option<String>,
    pub user_id: Option<String>,
    pub ip: Option<String>,
    /// What else there is to know, as a JSON object.
    pub detail: serde_json::Map<String, serde_json::Value>,
    pub delivery: Delivery,
}

/// Where an event's webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// The organization had no webhook when the event happened.
    None,
    /// Waiting for its next attempt.
    Pending,
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::None => "none",
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            DeliveryState::None,
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// An event's webhook delivery: its state, the attempts made, when the next is due and
/// what the last one met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
}

impl Delivery {
    pub const NONE: Delivery = Delivery {
        state: DeliveryState::None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    };
}

/// An organization's security-event webhook. Its signing secret is derived from the
/// `WEBHOOK_KEY` secret, the organization and `version` (see [`crate::events::webhook`]):
/// nothing secret is stored, and setting the webhook again bumps the version, which
/// rotates the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub organization_id: String,
    pub url: String,
    pub version: u32,
    pub updated_at: i64,
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A sign-in link (magic link).
    MagicLink,
    /// A six-digit sign-in code by email (magic auth code).
    MagicCode,
    /// A link to choose a new password.
    PasswordReset,
    /// The notice that the password was changed.
    PasswordChanged,
    /// A link to confirm the email address.
    VerifyEmail,
    /// A six-digit sign-in code by SMS (text only).
    SmsCode,
    /// "Was this you?": a login a risk signal flagged.
    LoginAlert,
}

/// How a kind of message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

/// The variables every message has: the device, place and address of the request.
const CLIENT: [&str; 3] = ["device", "location", "ip"];

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        MessageKind::MagicLink,
        MessageKind::MagicCode,
        MessageKind::PasswordReset,
        MessageKind::PasswordChanged,
        MessageKind::VerifyEmail,
        MessageKind::SmsCode,
        MessageKind::LoginAlert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::MagicLink => "magic_link",
            MessageKind::MagicCode => "magic_code",
            MessageKind::PasswordReset => "password_reset",
            MessageKind::PasswordChanged => "password_changed",
            MessageKind::VerifyEmail => "verify_email",
            MessageKind::SmsCode => "sms_code",
            MessageKind::LoginAlert => "login_alert",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn channel(self) -> Channel {
        match self {
            MessageKind::SmsCode => Channel::Sms,
            _ => Channel::Email,
        }
    }

    /// The variables a message of this kind is given.
    pub fn variables(self) -> Vec<&'static str> {
        let own: &[&str] = match self {
            MessageKind::MagicLink | MessageKind::PasswordReset | MessageKind::VerifyEmail => {
                &["application", "link", "expires_minutes"]
            }
            MessageKind::MagicCode | MessageKind::SmsCode => {
                &["application", "code", "expires_minutes"]
            }
            MessageKind::PasswordChanged => &["application"],
            MessageKind::LoginAlert => &["application", "link", "time", "reasons"],
        };
        own.iter().chain(CLIENT.iter()).copied().collect()
    }

    /// The variable a template of this kind cannot do without (in its text, and in its HTML
    /// for email): the link or the code the message exists to carry.
    pub fn required(self) -> Option<&'static str> {
        match self {
            MessageKind::MagicLink
            | MessageKind::PasswordReset
            | MessageKind::VerifyEmail
            | MessageKind::LoginAlert => Some("link"),
            MessageKind::MagicCode | MessageKind::SmsCode => Some("code"),
            MessageKind::PasswordChanged => None,
        }
    }
}

/// An organization's own template for one kind of message (see
/// `delivery::templates::validate` for what it may hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTemplate {
    pub kind: MessageKind,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub updated_at: i64,
}

/// How a connection's identity is matched to an account that already has its email address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkPolicy {
    /// Link when the identity provider says the address is verified and the account's
    /// address is verified too (an unverified account could be someone else's claim).
    #[default]
    Link,
    /// Never link: the person signs in as before and the identity is refused.
    Refuse,
    /// Ask: the person signs in to the account once, as before, which links the identity
    /// (proving both sides, whatever either says of the address).
    Ask,
}

/// Which identity provider a connection speaks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// Google's OpenID Connect (issuer `https://accounts.google.com`).
    Google,
    /// Any OpenID Connect issuer with discovery.
    #[default]
    Oidc,
}

/// An organization's identity provider: social login, or enterprise SSO when it has
/// domains (people whose address is at one of them are sent there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    pub organization_id: String,
    pub kind: ConnectionKind,
    /// Shown on the button ("Google", "Acme corporate sign-in").
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// The client secret, sealed (AES-GCM under the worker's `MFA_KEY`).
    pub client_secret_sealed: String,
    /// Scopes asked for, `openid` first.
    pub scopes: String,
    /// Email domains routed to this connection (home-realm discovery); empty for a social
    /// connection, which the widget shows as a button.
    pub domains: Vec<String>,
    pub link_policy: LinkPolicy,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A user's identity at one connection: the provider's `sub`, unique per connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub connection_id: String,
    pub subject: String,
    pub organization_id: String,
    pub user_id: String,
    /// The address the provider gave at the last sign-in.
    pub email: String,
    pub created_at: i64,
    pub last_login_at: i64,
}
