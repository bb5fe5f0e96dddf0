//! Tenancy and user management: organizations, API keys, applications, public
//! configuration, users, roles and permissions, registrations.

use serde::{Deserialize, Serialize};

use super::common::nullable;
use crate::model::{ApiKey, Application, Organization, Permission, Role, User};
pub use crate::model::{
    AttackProtection, LoginMethod, Messaging, MfaPolicy, MfaSettings, UserStatus, UserVerification,
};
use crate::time::rfc3339;

// ---- organizations ------------------------------------------------------------------------

request_type! {
    pub struct CreateOrganization {
        pub name: String,
        #[serde(default)]
        pub custom_domain: Option<String>,
    }
}

request_type! {
    /// Absent fields are left as they are; `custom_domain: null` removes the domain.
    pub struct UpdateOrganization {
        #[serde(default)]
        pub name: Option<String>,
                #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub custom_domain: Option<Option<String>>,
        /// Days login records are kept (1 to 3650; 90 by default).
        #[serde(default)]
        pub retention_days: Option<u32>,
        /// Brute-force and throttling policy; absent fields take their defaults.
        #[serde(default)]
        pub attack_protection: Option<AttackProtection>,
        /// Who delivers the organization's email and text messages.
        #[serde(default)]
        pub messaging: Option<Messaging>,
    }
}

api_type! {
    pub struct OrganizationView {
        pub id: String,
        pub name: String,
                pub custom_domain: Option<String>,
        pub retention_days: u32,
        pub attack_protection: AttackProtection,
        pub messaging: Messaging,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        OrganizationView {
            id: o.id.clone(),
            name: o.name.clone(),
            custom_domain: o.custom_domain.clone(),
            retention_days: o.retention_days,
            attack_protection: o.attack_protection,
            messaging: o.messaging,
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
        }
    }
}

api_type! {
    /// A new organization and its first API key, whose `key` is shown only here.
    pub struct CreatedOrganization {
        pub organization: OrganizationView,
        pub api_key: CreatedApiKey,
    }
}

api_type! {
    pub struct OrganizationList {
        pub organizations: Vec<OrganizationView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

api_type! {
    pub struct UserOrganizations {
        pub organizations: Vec<OrganizationView>,
    }
}

// ---- API keys -----------------------------------------------------------------------------

request_type! {
    pub struct CreateApiKey {
        pub name: String,
        /// Permission names (`users:read`, ...) to restrict the key to; absent or `null` for
        /// every permission the caller holds. A key never grants more than its creator's.
        #[serde(default)]
        pub permissions: Option<Vec<String>>,
        /// RFC 3339; the key stops working then. Must be in the future.
        #[serde(default)]
        pub expires_at: Option<String>,
    }
}

api_type! {
    pub struct ApiKeyView {
        pub id: String,
        pub name: String,
        /// Public part of the key (`lk_<prefix>_...`), to recognise it.
        pub prefix: String,
        /// Permission names, or `null` for all.
        pub permissions: Option<Vec<String>>,
        pub created_at: String,
        pub revoked_at: Option<String>,
        /// Who created the key: `platform`, `api_key:<id>` or `user:<id>`.
        pub created_by: Option<String>,
        pub expires_at: Option<String>,
    }
}

impl From<&ApiKey> for ApiKeyView {
    fn from(k: &ApiKey) -> Self {
        ApiKeyView {
            id: k.id.clone(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            permissions: k.permissions.clone(),
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
            created_by: k.created_by.clone(),
            expires_at: k.expires_at.map(rfc3339),
        }
    }
}

api_type! {
    /// A new API key. `key` is shown once: only its hash is stored.
    pub struct CreatedApiKey {
        pub id: String,
        pub name: String,
        pub prefix: String,
        pub permissions: Option<Vec<String>>,
        pub created_at: String,
        pub created_by: Option<String>,
        pub expires_at: Option<String>,
        pub key: String,
    }
}

api_type! {
    pub struct ApiKeyList {
        pub api_keys: Vec<ApiKeyView>,
    }
}

// ---- applications -------------------------------------------------------------------------

request_type! {
    pub struct CreateApplication {
        pub name: String,
        #[serde(default)]
        pub allowed_origins: Vec<String>,
        #[serde(default)]
        pub redirect_uris: Vec<String>,
        #[serde(default)]
        pub access_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub refresh_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub login_methods: Option<Vec<LoginMethod>>,
        /// Let anyone create an account through `POST /api/v1/auth/signup` (default false).
        #[serde(default)]
        pub self_signup: bool,
        /// Password sign-ups and logins need a verified email first (default false).
        #[serde(default)]
        pub require_verified_email: bool,
        /// Tokens for Latchkey's administrative API (default false): see `ApplicationView`.
        #[serde(default)]
        pub admin_api: bool,
        /// Seconds without a refresh after which a session ends (default 259200, three
        /// days; 0 for none; else at least the access-token lifetime).
        #[serde(default)]
        pub idle_timeout_secs: Option<u32>,
        /// Require a Cloudflare Turnstile token with sign-ups and logins (default false).
        #[serde(default)]
        pub bot_protection: bool,
        /// The RP ID passkeys are bound to: the host of every allowed origin, or a domain
        /// they are all under (default: the host of the first allowed origin).
        #[serde(default)]
        pub passkey_rp_id: Option<String>,
        /// `required` (default) or `preferred`: whether passkey ceremonies must verify the user.
        #[serde(default)]
        pub passkey_user_verification: Option<UserVerification>,
        /// Multi-factor settings (default: optional, devices trusted 30 days, passkeys
        /// that verify the user count as two factors).
        #[serde(default)]
        pub mfa: Option<MfaSettings>,
    }
}

request_type! {
    pub struct UpdateApplication {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub allowed_origins: Option<Vec<String>>,
        #[serde(default)]
        pub redirect_uris: Option<Vec<String>>,
        #[serde(default)]
        pub access_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub refresh_token_ttl_secs: Option<u32>,
        #[serde(default)]
        pub login_methods: Option<Vec<LoginMethod>>,
        #[serde(default)]
        pub self_signup: Option<bool>,
        #[serde(default)]
        pub require_verified_email: Option<bool>,
        #[serde(default)]
        pub admin_api: Option<bool>,
        #[serde(default)]
        pub idle_timeout_secs: Option<u32>,
        #[serde(default)]
        pub bot_protection: Option<bool>,
        /// An empty string goes back to the default (the first allowed origin's host).
        #[serde(default)]
        pub passkey_rp_id: Option<String>,
        #[serde(default)]
        pub passkey_user_verification: Option<UserVerification>,
        /// Replaces the multi-factor settings as a whole.
        #[serde(default)]
        pub mfa: Option<MfaSettings>,
    }
}

api_type! {
    pub struct ApplicationView {
        pub id: String,
        pub organization_id: String,
        pub name: String,
        pub client_id: String,
        pub allowed_origins: Vec<String>,
        pub redirect_uris: Vec<String>,
        pub access_token_ttl_secs: u32,
        pub refresh_token_ttl_secs: u32,
        pub login_methods: Vec<LoginMethod>,
        /// Anyone may sign up through the public sign-up route.
        pub self_signup: bool,
        /// Password sign-ups and logins need a verified email first
        /// (`EMAIL_NOT_VERIFIED`, with a link sent to confirm it).
        pub require_verified_email: bool,
        /// The application's tokens are issued for Latchkey's administrative API (audience
        /// `<issuer>/api`), so its users' roles grant administrative permissions; other
        /// applications' tokens never do.
        pub admin_api: bool,
        /// Seconds without a refresh after which a session ends; 0 for none.
        pub idle_timeout_secs: u32,
        /// Sign-ups and logins need a Cloudflare Turnstile token (`turnstile_token`).
        pub bot_protection: bool,
        /// The RP ID set for passkeys, if any; `null` means the first allowed origin's host.
        pub passkey_rp_id: Option<String>,
        pub passkey_user_verification: UserVerification,
        /// Multi-factor: `policy` (`optional` or `required`), `trust_days` (0 for no
        /// trusted devices) and `passkey_satisfies`.
        pub mfa: MfaSettings,
        /// A confidential OpenID Connect client: it has a secret
        /// (`POST /api/v1/applications/{id}/client-secret`), and authenticates with it at the
        /// token endpoint. Public clients (no secret) must use PKCE.
        pub confidential: bool,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id.clone(),
            organization_id: a.organization_id.clone(),
            name: a.name.clone(),
            client_id: a.client_id.clone(),
            allowed_origins: a.allowed_origins.clone(),
            redirect_uris: a.redirect_uris.clone(),
            access_token_ttl_secs: a.access_token_ttl_secs,
            refresh_token_ttl_secs: a.refresh_token_ttl_secs,
            login_methods: a.login_methods.clone(),
            self_signup: a.self_signup,
            require_verified_email: a.require_verified_email,
            admin_api: a.admin_api,
            idle_timeout_secs: a.idle_timeout_secs,
            bot_protection: a.bot_protection,
            passkey_rp_id: a.passkey_rp_id.clone(),
            passkey_user_verification: a.passkey_user_verification,
            mfa: a.mfa,
            confidential: a.client_secret_hash.is_some(),
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

api_type! {
    pub struct ApplicationList {
        pub applications: Vec<ApplicationView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

// ---- public configuration -----------------------------------------------------------------

api_type! {
    pub struct PublicOrganization {
        pub id: String,
        pub name: String,
    }
}

api_type! {
    /// What a login page needs to know about an application. Nothing secret.
    pub struct PublicApplication {
        pub id: String,
        pub name: String,
        pub client_id: String,
        pub allowed_origins: Vec<String>,
        pub redirect_uris: Vec<String>,
        pub login_methods: Vec<LoginMethod>,
        /// Anyone may create an account (a login form offers it only then).
        pub self_signup: bool,
    }
}

impl From<&Application> for PublicApplication {
    fn from(a: &Application) -> Self {
        PublicApplication {
            id: a.id.clone(),
            name: a.name.clone(),
            client_id: a.client_id.clone(),
            allowed_origins: a.allowed_origins.clone(),
            redirect_uris: a.redirect_uris.clone(),
            login_methods: a.login_methods.clone(),
            self_signup: a.self_signup,
        }
    }
}

impl From<&Organization> for PublicOrganization {
    fn from(o: &Organization) -> Self {
        PublicOrganization {
            id: o.id.clone(),
            name: o.name.clone(),
        }
    }
}

api_type! {
    /// A connection a login form offers as a button (social login).
    pub struct PublicConnection {
        pub id: String,
        pub kind: crate::model::ConnectionKind,
        pub name: String,
    }
}

api_type! {
    pub struct ClientConfig {
        pub organization: PublicOrganization,
        pub application: PublicApplication,
        /// The organization's social connections, for an application that enables `sso`.
        #[serde(default)]
        pub connections: Vec<PublicConnection>,
        /// Some connection is routed by email domain (enterprise SSO): a form may ask for
        /// the address first.
        #[serde(default)]
        pub sso_domains: bool,
    }
}

api_type! {
    pub struct DomainConfig {
        pub organization: PublicOrganization,
        pub custom_domain: String,
        pub applications: Vec<PublicApplication>,
    }
}

// ---- users --------------------------------------------------------------------------------

request_type! {
    pub struct CreateUser {
        pub email: String,
        #[serde(default)]
        pub password: Option<String>,
        #[serde(default)]
        pub username: Option<String>,
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub email_verified: bool,
        /// A mobile number in E.164 form (`+14155550100`), for SMS codes.
        #[serde(default)]
        pub phone: Option<String>,
        #[serde(default)]
        pub password_change_required: bool,
        /// RFC 3339; the account may not log in from then on.
        #[serde(default)]
        pub expires_at: Option<String>,
    }
}

request_type! {
    /// Absent fields are left as they are; `username: null` and `name: null` clear them.
    pub struct UpdateUser {
        #[serde(default)]
        pub email: Option<String>,
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub username: Option<Option<String>>,
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub name: Option<Option<String>>,
        /// E.164, or `null` to remove it.
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub phone: Option<Option<String>>,
        #[serde(default)]
        pub status: Option<UserStatus>,
        #[serde(default)]
        pub password: Option<String>,
        #[serde(default)]
        pub password_change_required: Option<bool>,
        /// RFC 3339, or `null` to remove the expiry.
        #[serde(default, deserialize_with = "nullable")]
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>"))]
        pub expires_at: Option<Option<String>>,
    }
}

request_type! {
    pub struct SetEmailVerified {
        pub email_verified: bool,
    }
}

request_type! {
    pub struct SetUserRoles {
        pub role_ids: Vec<String>,
    }
}

api_type! {
    pub struct UserView {
        pub id: String,
        pub organization_id: String,
        pub email: String,
        pub username: Option<String>,
        pub name: Option<String>,
        pub email_verified: bool,
        pub phone: Option<String>,
        pub status: UserStatus,
        pub has_password: bool,
        pub password_change_required: bool,
        pub expires_at: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            organization_id: u.organization_id.clone(),
            email: u.email.clone(),
            username: u.username.clone(),
            name: u.name.clone(),
            email_verified: u.email_verified,
            phone: u.phone.clone(),
            status: u.status,
            has_password: u.password_hash.is_some(),
            password_change_required: u.password_change_required,
            expires_at: u.expires_at.map(rfc3339),
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
        }
    }
}

api_type! {
    pub struct UserList {
        pub users: Vec<UserView>,
        pub total_count: u64,
        pub limit: u32,
        pub offset: u32,
    }
}

api_type! {
    pub struct UserRoles {
        pub roles: Vec<RoleView>,
    }
}

// ---- roles and permissions ----------------------------------------------------------------

request_type! {
    pub struct CreateRole {
        pub name: String,
        #[serde(default)]
        pub description: String,
        #[serde(default)]
        pub permission_ids: Vec<String>,
    }
}

request_type! {
    pub struct UpdateRole {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub description: Option<String>,
        #[serde(default)]
        pub permission_ids: Option<Vec<String>>,
    }
}

api_type! {
    pub struct RoleView {
        pub id: String,
        pub name: String,
        pub description: String,
        pub permission_ids: Vec<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Role> for RoleView {
    fn from(r: &Role) -> Self {
        RoleView {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            permission_ids: r.permission_ids.clone(),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

api_type! {
    pub struct RoleList {
        pub roles: Vec<RoleView>,
    }
}

request_type! {
    pub struct CreatePermission {
        pub name: String,
        #[serde(default)]
        pub description: String,
    }
}

request_type! {
    pub struct UpdatePermission {
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub description: Option<String>,
    }
}

api_type! {
    pub struct PermissionView {
        pub id: String,
        pub name: String,
        pub description: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl From<&Permission> for PermissionView {
    fn from(p: &Permission) -> Self {
        PermissionView {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

api_type! {
    pub struct PermissionList {
        pub permissions: Vec<PermissionView>,
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;
    use crate::api::{page, parse_json};
    use crate::model::Page;

    #[test]
    fn test_page_defaults_and_bounds() {
        assert_eq!(
            page(None, None).unwrap(),
            Page {
                limit: 50,
                offset: 0
            }
        );
        assert_eq!(
            page(Some("100"), Some("7")).unwrap(),
            Page {
                limit: 100,
                offset: 7
            }
        );
        for bad in ["0", "101", "-1", "abc", "", "1.5"] {
            assert_eq!(
                page(Some(bad), None).unwrap_err().code(),
                "INVALID_LIMIT",
                "{bad}"
            );
        }
        for bad in ["-1", "x", ""] {
            assert_eq!(
                page(None, Some(bad)).unwrap_err().code(),
                "INVALID_OFFSET",
                "{bad}"
            );
        }
    }

    #[test]
    fn test_update_nullable_fields() {
        let u: UpdateUser = parse_json(br#"{"name": null}"#).unwrap();
        assert_eq!(u.name, Some(None));
        assert_eq!(u.username, None);
        let u: UpdateUser = parse_json(br#"{"name": "Ann"}"#).unwrap();
        assert_eq!(u.name, Some(Some("Ann".into())));
        assert!(parse_json::<UpdateUser>(br#"{"nmae": "Ann"}"#).is_err());
    }
}

api_type! {
    pub struct RegistrationView {
        pub application_id: String,
        pub created_at: String,
    }
}

api_type! {
    pub struct RegistrationList {
        pub registrations: Vec<RegistrationView>,
    }
}
