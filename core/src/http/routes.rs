//! The route table: the single list of every endpoint the worker serves. The worker
//! dispatches on [`Route`] with an exhaustive `match`, and the OpenAPI document is built
//! from the same table, so a route cannot exist without being documented, or the reverse.

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn parse(method: &str) -> Option<Method> {
        match method {
            "GET" | "HEAD" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

pub use crate::access::Access;
use crate::access::Permission as P;

/// Every endpoint, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Healthz,
    OpenApi,
    ConfigByClientId,
    ConfigByDomain,
    ListOrganizations,
    CreateOrganization,
    GetOrganization,
    UpdateOrganization,
    DeleteOrganization,
    ListApiKeys,
    CreateApiKey,
    RevokeApiKey,
    ListApplications,
    CreateApplication,
    GetApplication,
    UpdateApplication,
    DeleteApplication,
    ListUsers,
    CreateUser,
    GetUserByEmail,
    GetUser,
    UpdateUser,
    DeleteUser,
    VerifyUserEmail,
    GetUserRoles,
    SetUserRoles,
    GetUserOrganizations,
    ListRoles,
    CreateRole,
    GetRole,
    UpdateRole,
    DeleteRole,
    ListPermissions,
    CreatePermission,
    GetPermission,
    UpdatePermission,
    DeletePermission,
    Jwks,
    OpenIdConfiguration,
    SignUp,
    Login,
    Refresh,
    Logout,
    AuthStatus,
    CurrentUser,
    ListOwnSessions,
    RevokeOwnSession,
    RevokeOtherSessions,
    ListUserSessions,
    RevokeUserSession,
    RevokeUserSessions,
    UnlockUser,
    LoginApiLogin,
    LoginApiTwoFactor,
    LoginApiPingJwt,
    LoginApiPingUser,
    LoginApiPing,
    LoginApiLogout,
    OAuthAuthorize,
    OAuthGrant,
    OAuthToken,
    OAuthUserinfo,
    OAuthUserinfoPost,
    OAuthRevoke,
    OAuthIntrospect,
    OAuthLogout,
    OAuthLogoutPost,
    CreateClientSecret,
    ChangePassword,
    ListRegistrations,
    Register,
    Unregister,
    Authorize,
    Token,
    LoginHistory,
    UserLoginLogs,
    IdentityStoreSessions,
    LoginRecordSearchGet,
    LoginRecordSearchPost,
    LoginRecordExportGet,
    LoginRecordExportPost,
    VerifyLoginRecords,
    SearchRecords,
    RecordStats,
    ExportRecords,
    ListSecurityEvents,
    GetWebhook,
    SetWebhook,
    DeleteWebhook,
    PasskeyRegisterOptions,
    PasskeyRegister,
    ListPasskeys,
    PasskeyStatus,
    RenamePasskey,
    DeletePasskey,
    PasskeyLoginOptions,
    PasskeyLogin,
    ListUserPasskeys,
    DeleteUserPasskey,
    MfaChallenge,
    MfaVerify,
    MfaEnrollAtLogin,
    ListAuthenticators,
    EnrollTotp,
    ConfirmTotp,
    TotpQrCode,
    RemoveAuthenticator,
    RegenerateBackupCodes,
    ListUserAuthenticators,
    DeleteUserAuthenticator,
    SendMagicLink,
    ResendMagicLink,
    InspectMagicLink,
    VerifyMagicLink,
    MagicLinkStatus,
    SendEmailCode,
    ResendEmailCode,
    VerifyEmailCode,
    SendSmsCode,
    ResendSmsCode,
    VerifySmsCode,
    RequestPasswordReset,
    VerifyPasswordReset,
    CompletePasswordReset,
    SendVerificationEmail,
    VerifyEmail,
    DisownLogin,
    DevOutbox,
    ListTemplates,
    GetTemplate,
    SetTemplate,
    ResetTemplate,
    PreviewTemplate,
    ListConnections,
    CreateConnection,
    GetConnection,
    UpdateConnection,
    DeleteConnection,
    SsoStart,
    SsoCallback,
    SsoExchange,
    SsoLink,
    CreateSetupLink,
    SsoSetupInfo,
    SsoSetupComplete,
}

/// One row of the route table: what a request is matched and authorised by.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub route: Route,
    pub method: Method,
    /// Path template; `{name}` marks a parameter that matches one non-empty segment.
    pub path: &'static str,
    pub access: Access,
}

/// A route's documentation, for `/openapi.json` (generated at build time): kept apart from
/// [`RouteSpec`] so that nothing the worker reads refers to it, and the worker's `.wasm`
/// carries none of its text.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    pub operation_id: &'static str,
    pub summary: &'static str,
    /// Query parameters the route reads (documented; others are ignored).
    pub query: &'static [&'static str],
}

/// One listing, two tables: [`ROUTES`] and, row for row, [`DOCS`].
macro_rules! table {
    ($( r($route:ident, $method:ident, $path:literal, $op:literal, $summary:literal, $access:expr, $query:expr), )*) => {
        /// The table. Order matters only where a literal segment shadows a parameter
        /// (`/users/by-email` before `/users/{user_id}`).
        pub const ROUTES: &[RouteSpec] = &[$(
            RouteSpec { route: Route::$route, method: $method, path: $path, access: $access },
        )*];

        /// Each route's documentation, in the order of [`ROUTES`].
        pub const DOCS: &[RouteDoc] = &[$(
            RouteDoc { operation_id: $op, summary: $summary, query: $query },
        )*];
    };
}

use Method::{Delete, Get, Patch, Post, Put};

const PAGED: &[&str] = &["limit", "offset"];

table! {
    r(Healthz, Get, "/healthz", "getHealth", "Liveness and dependency check (a real D1 query and a real KV read).", Access::Public, &[]),
    r(OpenApi, Get, "/openapi.json", "getOpenApi", "This OpenAPI 3.1 document.", Access::Public, &[]),
    r(ConfigByClientId, Get, "/api/v1/config/client/{client_id}", "getConfigByClientId", "Public configuration of an application, by client id.", Access::Public, &[]),
    r(ConfigByDomain, Get, "/api/v1/config/domain/{domain}", "getConfigByDomain", "Public configuration of an organization, by custom domain.", Access::Public, &[]),
    r(ListOrganizations, Get, "/api/v1/organizations", "listOrganizations", "List organizations (an organization key sees its own).", Access::PlatformOrOrg(P::OrganizationsRead), PAGED),
    r(CreateOrganization, Post, "/api/v1/organizations", "createOrganization", "Create an organization and its first API key (platform operator).", Access::Platform, &[]),
    r(GetOrganization, Get, "/api/v1/organizations/{organization_id}", "getOrganization", "Get an organization.", Access::PlatformOrOrg(P::OrganizationsRead), &[]),
    r(UpdateOrganization, Put, "/api/v1/organizations/{organization_id}", "updateOrganization", "Update an organization.", Access::PlatformOrOrg(P::OrganizationsWrite), &[]),
    r(DeleteOrganization, Delete, "/api/v1/organizations/{organization_id}", "deleteOrganization", "Delete an organization and everything in it (platform operator).", Access::Platform, &[]),
    r(ListApiKeys, Get, "/api/v1/api-keys", "listApiKeys", "List the organization's API keys (never their secrets).", Access::Org(P::ApiKeysRead), &[]),
    r(CreateApiKey, Post, "/api/v1/api-keys", "createApiKey", "Create an API key; the key is shown once.", Access::Org(P::ApiKeysWrite), &[]),
    r(RevokeApiKey, Delete, "/api/v1/api-keys/{key_id}", "revokeApiKey", "Revoke an API key.", Access::Org(P::ApiKeysWrite), &[]),
    r(ListApplications, Get, "/api/v1/applications", "listApplications", "List applications.", Access::Org(P::ApplicationsRead), PAGED),
    r(CreateApplication, Post, "/api/v1/applications", "createApplication", "Create an application.", Access::Org(P::ApplicationsWrite), &[]),
    r(GetApplication, Get, "/api/v1/applications/{application_id}", "getApplication", "Get an application.", Access::Org(P::ApplicationsRead), &[]),
    r(UpdateApplication, Put, "/api/v1/applications/{application_id}", "updateApplication", "Update an application.", Access::Org(P::ApplicationsWrite), &[]),
    r(DeleteApplication, Delete, "/api/v1/applications/{application_id}", "deleteApplication", "Delete an application.", Access::Org(P::ApplicationsWrite), &[]),
    r(ListUsers, Get, "/api/v1/users", "listUsers", "List users, filtered by exact email, by text in the email, username or name (q), or by status.", Access::Org(P::UsersRead), &["limit", "offset", "email", "q", "status"]),
    r(CreateUser, Post, "/api/v1/users", "createUser", "Create a user.", Access::Org(P::UsersWrite), &[]),
    r(GetUserByEmail, Get, "/api/v1/users/by-email", "getUserByEmail", "Get a user by email address.", Access::Org(P::UsersRead), &["email"]),
    r(GetUser, Get, "/api/v1/users/{user_id}", "getUser", "Get a user by id.", Access::Org(P::UsersRead), &[]),
    r(UpdateUser, Put, "/api/v1/users/{user_id}", "updateUser", "Update a user.", Access::Org(P::UsersWrite), &[]),
    r(DeleteUser, Delete, "/api/v1/users/{user_id}", "deleteUser", "Delete a user and their credentials; login records are kept.", Access::Org(P::UsersWrite), &[]),
    r(VerifyUserEmail, Post, "/api/v1/users/{user_id}/verify-email", "setUserEmailVerified", "Set whether the user's email is verified.", Access::Org(P::UsersWrite), &[]),
    r(GetUserRoles, Get, "/api/v1/users/{user_id}/roles", "getUserRoles", "List a user's roles.", Access::Org(P::UsersRead), &[]),
    r(SetUserRoles, Put, "/api/v1/users/{user_id}/roles", "setUserRoles", "Replace a user's roles.", Access::Org(P::RolesWrite), &[]),
    r(GetUserOrganizations, Get, "/api/v1/users/{user_id}/organizations", "getUserOrganizations", "List the organizations a user belongs to.", Access::Org(P::UsersRead), &[]),
    r(ListRoles, Get, "/api/v1/roles", "listRoles", "List roles.", Access::Org(P::RolesRead), &[]),
    r(CreateRole, Post, "/api/v1/roles", "createRole", "Create a role.", Access::Org(P::RolesWrite), &[]),
    r(GetRole, Get, "/api/v1/roles/{role_id}", "getRole", "Get a role.", Access::Org(P::RolesRead), &[]),
    r(UpdateRole, Put, "/api/v1/roles/{role_id}", "updateRole", "Update a role.", Access::Org(P::RolesWrite), &[]),
    r(DeleteRole, Delete, "/api/v1/roles/{role_id}", "deleteRole", "Delete a role.", Access::Org(P::RolesWrite), &[]),
    r(ListPermissions, Get, "/api/v1/permissions", "listPermissions", "List permissions.", Access::Org(P::RolesRead), &[]),
    r(CreatePermission, Post, "/api/v1/permissions", "createPermission", "Create a permission.", Access::Org(P::RolesWrite), &[]),
    r(GetPermission, Get, "/api/v1/permissions/{permission_id}", "getPermission", "Get a permission.", Access::Org(P::RolesRead), &[]),
    r(UpdatePermission, Put, "/api/v1/permissions/{permission_id}", "updatePermission", "Update a permission.", Access::Org(P::RolesWrite), &[]),
    r(DeletePermission, Delete, "/api/v1/permissions/{permission_id}", "deletePermission", "Delete a permission (and remove it from every role).", Access::Org(P::RolesWrite), &[]),
    r(Jwks, Get, "/.well-known/jwks.json", "getJwks", "Public keys that verify access tokens (current and, during rotation, previous).", Access::Public, &[]),
    r(OpenIdConfiguration, Get, "/.well-known/openid-configuration", "getOpenIdConfiguration", "Issuer metadata.", Access::Public, &[]),
    r(SignUp, Post, "/api/v1/auth/signup", "signUp", "Create an account with email and password in an application, and log in.", Access::Public, &[]),
    r(Login, Post, "/api/v1/auth/login", "login", "Log in with email or username and password.", Access::Public, &[]),
    r(Refresh, Post, "/api/v1/auth/refresh", "refresh", "Exchange a refresh token for new tokens (rotation; reuse revokes the session).", Access::Public, &[]),
    r(Logout, Post, "/api/v1/auth/logout", "logout", "Log out this session, or every session of the user.", Access::User, &[]),
    r(AuthStatus, Get, "/api/v1/auth/status", "getAuthStatus", "Whether the access token is valid, and for whom.", Access::User, &[]),
    r(CurrentUser, Get, "/api/v1/auth/me", "getCurrentUser", "The signed-in user.", Access::User, &[]),
    r(ListOwnSessions, Get, "/api/v1/auth/sessions", "listOwnSessions", "The signed-in user's active sessions.", Access::User, &[]),
    r(RevokeOwnSession, Delete, "/api/v1/auth/sessions/{session_id}", "revokeOwnSession", "Revoke one of the signed-in user's sessions.", Access::User, &[]),
    r(RevokeOtherSessions, Delete, "/api/v1/auth/sessions", "revokeOtherSessions", "Sign out every other session of the signed-in user (this one stays).", Access::User, &[]),
    r(ListUserSessions, Get, "/api/v1/users/{user_id}/sessions", "listUserSessions", "A user's active sessions (administrators).", Access::Org(P::UsersRead), &[]),
    r(UnlockUser, Delete, "/api/v1/users/{user_id}/lock", "unlockUser", "Lift brute-force locks on a user's login ids (administrators).", Access::Org(P::UsersWrite), &[]),
    r(RevokeUserSessions, Delete, "/api/v1/users/{user_id}/sessions", "revokeUserSessions", "Revoke every session of a user (administrators).", Access::Org(P::UsersWrite), &[]),
    r(RevokeUserSession, Delete, "/api/v1/users/{user_id}/sessions/{session_id}", "revokeUserSession", "Revoke a user's session (administrators).", Access::Org(P::UsersWrite), &[]),
    r(LoginApiLogin, Post, "/api/login", "loginApiLogin", "Login API (seed 003): authenticate a user.", Access::Org(P::Login), &[]),
    r(LoginApiTwoFactor, Post, "/api/two-factor/login", "loginApiTwoFactorLogin", "Login API (seed 003): complete a two-factor login.", Access::Org(P::Login), &[]),
    r(LoginApiPingJwt, Put, "/api/login", "loginApiUpdateLoginInstantJwt", "Login API (seed 003): record a login of the token's user and application.", Access::User, &["ipAddress"]),
    r(LoginApiPingUser, Put, "/api/login/{userId}", "loginApiUpdateLoginInstantUser", "Login API (seed 003): record a login of a user.", Access::Org(P::Login), &["ipAddress"]),
    r(LoginApiPing, Put, "/api/login/{userId}/{applicationId}", "loginApiUpdateLoginInstant", "Login API (seed 003): record a login of a user into an application.", Access::Org(P::Login), &["ipAddress"]),
    r(ChangePassword, Post, "/api/v1/auth/change-password", "changePassword", "Complete a required password change with the one-time change_password_id.", Access::Public, &[]),
    r(ListRegistrations, Get, "/api/v1/users/{user_id}/registrations", "listRegistrations", "The applications a user is registered for.", Access::Org(P::UsersRead), &[]),
    r(Register, Put, "/api/v1/users/{user_id}/registrations/{application_id}", "registerUser", "Register a user for an application.", Access::Org(P::UsersWrite), &[]),
    r(Unregister, Delete, "/api/v1/users/{user_id}/registrations/{application_id}", "unregisterUser", "Remove a user's registration for an application.", Access::Org(P::UsersWrite), &[]),
    r(Authorize, Post, "/api/v1/auth/authorize", "authorize", "Log in for a redirect-based application and get an authorization code (PKCE, S256).", Access::Public, &[]),
    r(Token, Post, "/api/v1/auth/token", "token", "Exchange an authorization code and its PKCE verifier for tokens.", Access::Public, &[]),
    r(LoginHistory, Get, "/api/v1/auth/login-history", "getLoginHistory", "The signed-in user's login history, newest first (seed 001).", Access::User, &["limit", "offset", "filter"]),
    r(UserLoginLogs, Get, "/api/v1/users/{user_id}/loginlogs", "getUserLoginLogs", "A user's logins into an application (seed 000).", Access::Org(P::UsersRead), &["client_id"]),
    r(IdentityStoreSessions, Get, "/v1/identity-stores/{identity_store_id}/users/{user_id}/sessions", "listIdentityStoreUserSessions", "A user's login sessions (seed 002; the identity store is the organization).", Access::Org(P::UsersRead), &[]),
    r(LoginRecordSearchGet, Get, "/api/system/login-record/search", "searchLoginRecords", "Login API (seed 003): search login records.", Access::Org(P::LoginRecordsRead), &["applicationId", "userId", "start", "end", "numberOfResults", "startRow", "retrieveTotal"]),
    r(LoginRecordSearchPost, Post, "/api/system/login-record/search", "searchLoginRecordsPost", "Login API (seed 003): search login records (criteria in the body).", Access::Org(P::LoginRecordsRead), &[]),
    r(LoginRecordExportGet, Get, "/api/system/login-record/export", "exportLoginRecords", "Login API (seed 003): export login records as a zip holding a CSV, streamed.", Access::Org(P::LoginRecordsRead), &["applicationId", "userId", "start", "end", "dateTimeSecondsFormat", "zoneId"]),
    r(LoginRecordExportPost, Post, "/api/system/login-record/export", "exportLoginRecordsPost", "Login API (seed 003): export login records (criteria in the body).", Access::Org(P::LoginRecordsRead), &[]),
    r(SearchRecords, Get, "/api/v1/login-records", "searchRecords", "Search the organization's login records, failures included, newest first (administrators).", Access::Org(P::LoginRecordsRead), &["user_id", "application_id", "outcome", "method", "country", "from", "to", "limit", "offset"]),
    r(ExportRecords, Get, "/api/v1/login-records/export", "exportRecords", "The matching login records, failures included, as a zip holding one CSV (login_attempts.csv), streamed newest first.", Access::Org(P::LoginRecordsRead), &["user_id", "application_id", "outcome", "method", "country", "from", "to"]),
    r(RecordStats, Get, "/api/v1/login-records/stats", "getRecordStats", "Counts of the matching login records by hour, failure reason and place, over at most 31 days (the dashboard's charts and map).", Access::Org(P::LoginRecordsRead), &["user_id", "application_id", "outcome", "method", "country", "from", "to"]),
    r(VerifyLoginRecords, Get, "/api/v1/login-records/verify", "verifyLoginRecords", "Verify the organization's login-record hash chain; reports the first broken link.", Access::Org(P::LoginRecordsRead), &["from"]),
    r(ListSecurityEvents, Get, "/api/v1/security-events", "listSecurityEvents", "The organization's security events, newest first: lockouts, breached passwords, refresh-token reuse, risky logins, administrative changes.", Access::Org(P::OrganizationsRead), &["limit", "offset", "kind"]),
    r(GetWebhook, Get, "/api/v1/security-events/webhook", "getSecurityEventWebhook", "The webhook security events are sent to (never its secret).", Access::Org(P::OrganizationsRead), &[]),
    r(SetWebhook, Put, "/api/v1/security-events/webhook", "setSecurityEventWebhook", "Send security events to this HTTPS URL, signed (Standard Webhooks); answers the new signing secret, once.", Access::Org(P::OrganizationsWrite), &[]),
    r(DeleteWebhook, Delete, "/api/v1/security-events/webhook", "deleteSecurityEventWebhook", "Stop sending security events.", Access::Org(P::OrganizationsWrite), &[]),
    r(PasskeyRegisterOptions, Post, "/api/v1/passkeys/register/options", "passkeyRegistrationInitialize", "Start registering a passkey for the signed-in user: WebAuthn creation options with a single-use challenge.", Access::User, &[]),
    r(PasskeyRegister, Post, "/api/v1/passkeys/register", "completePasskeyRegistration", "Complete a passkey registration with the browser's response.", Access::User, &[]),
    r(ListPasskeys, Get, "/api/v1/passkeys", "listPasskeys", "The signed-in user's passkeys.", Access::User, &[]),
    r(PasskeyStatus, Get, "/api/v1/passkeys/status", "checkPasskeyStatus", "Whether the signed-in user can sign in with a passkey.", Access::User, &[]),
    r(RenamePasskey, Patch, "/api/v1/passkeys/{passkey_id}", "updatePasskeyName", "Rename one of the signed-in user's passkeys.", Access::User, &[]),
    r(DeletePasskey, Delete, "/api/v1/passkeys/{passkey_id}", "deletePasskey", "Delete one of the signed-in user's passkeys.", Access::User, &[]),
    r(PasskeyLoginOptions, Post, "/api/v1/auth/passkey/options", "initiatePasskeyLogin", "Start a passkey login (username-first with login_id, else usernameless): WebAuthn request options with a single-use challenge.", Access::Public, &[]),
    r(PasskeyLogin, Post, "/api/v1/auth/passkey/login", "finishPasskeyAuthentication", "Finish a passkey login with the browser's assertion, and get tokens.", Access::Public, &[]),
    r(ListUserPasskeys, Get, "/api/v1/users/{user_id}/passkeys", "listUserPasskeys", "A user's passkeys (administrators).", Access::Org(P::UsersRead), &[]),
    r(DeleteUserPasskey, Delete, "/api/v1/users/{user_id}/passkeys/{passkey_id}", "deleteUserPasskey", "Delete a user's passkey (administrators).", Access::Org(P::UsersWrite), &[]),
    r(MfaChallenge, Post, "/api/v1/auth/mfa/challenge", "initiateMfa", "What a login's MFA token allows (methods, time left), without spending a try.", Access::Public, &[]),
    r(MfaVerify, Post, "/api/v1/auth/mfa/verify", "validateMfaToken", "Complete a login with its MFA token and a second factor (an authenticator app's code or a backup code), and get tokens.", Access::Public, &[]),
    r(MfaEnrollAtLogin, Post, "/api/v1/auth/mfa/enroll", "mfaEnrollTotpAtLogin", "Start setting up an authenticator app with the MFA token of a login whose application requires MFA; its first code, sent to validateMfaToken, completes the login.", Access::Public, &[]),
    r(ListAuthenticators, Get, "/api/v1/mfa/authenticators", "listAuthenticators", "The signed-in user's authenticators and how many backup codes are left.", Access::User, &[]),
    r(EnrollTotp, Post, "/api/v1/mfa/totp", "mfaEnrollTotp", "Start setting up an authenticator app: its secret, otpauth:// URI and QR code, shown once.", Access::User, &[]),
    r(ConfirmTotp, Post, "/api/v1/mfa/totp/{authenticator_id}/confirm", "confirmTotpEnrollment", "Confirm a new authenticator app with its first code; the first one comes with backup codes, shown once.", Access::User, &[]),
    r(TotpQrCode, Get, "/api/v1/mfa/totp/{authenticator_id}/qr", "qrCodeImage", "The QR code (SVG) of an authenticator app being set up; none once confirmed.", Access::User, &[]),
    r(RemoveAuthenticator, Delete, "/api/v1/mfa/authenticators/{authenticator_id}", "removeAuthenticator", "Remove one of the signed-in user's authenticators, with the password (or a session under ten minutes old).", Access::User, &[]),
    r(RegenerateBackupCodes, Post, "/api/v1/mfa/backup-codes", "getBackupCodes", "Replace the signed-in user's backup codes, with the password (or a session under ten minutes old); shown once.", Access::User, &[]),
    r(ListUserAuthenticators, Get, "/api/v1/users/{user_id}/mfa", "listUserAuthenticators", "A user's authenticators (administrators).", Access::Org(P::UsersRead), &[]),
    r(DeleteUserAuthenticator, Delete, "/api/v1/users/{user_id}/mfa/{authenticator_id}", "deleteUserAuthenticator", "Remove a user's authenticator (administrators), as when a user lost their phone.", Access::Org(P::UsersWrite), &[]),
    r(SendMagicLink, Post, "/api/v1/auth/magic-link", "emailMagicLink", "Email a single-use sign-in link; answered alike for every address. The asking page polls pingMagicLinkStatus with the pending_id.", Access::Public, &[]),
    r(ResendMagicLink, Post, "/api/v1/auth/magic-link/resend", "resendEmailMagicLink", "Email a new sign-in link, once the last one's cooldown has passed.", Access::Public, &[]),
    r(InspectMagicLink, Post, "/api/v1/auth/magic-link/inspect", "inspectMagicLink", "Who asked for a sign-in link (application, device, place), for its holder to approve; spends nothing.", Access::Public, &[]),
    r(VerifyMagicLink, Post, "/api/v1/auth/magic-link/verify", "verifyMagicLink", "Approve (or refuse) the sign-in a link was sent for; the link works once.", Access::Public, &[]),
    r(MagicLinkStatus, Post, "/api/v1/auth/magic-link/status", "pingMagicLinkStatus", "The asking page's poll: 202 while the link is unanswered, then (once) the sign-in's tokens.", Access::Public, &[]),
    r(SendEmailCode, Post, "/api/v1/auth/email-code", "emailMagicAuthCode", "Email a six-digit sign-in code; answered alike for every address.", Access::Public, &[]),
    r(ResendEmailCode, Post, "/api/v1/auth/email-code/resend", "resendMagicAuthCode", "Email a new code in place of the last, once its cooldown has passed.", Access::Public, &[]),
    r(VerifyEmailCode, Post, "/api/v1/auth/email-code/verify", "verifyMagicAuthCode", "Sign in with an emailed code (five tries, ten minutes), and get tokens.", Access::Public, &[]),
    r(SendSmsCode, Post, "/api/v1/auth/sms-code", "sendMagicAuthCodeViaSms", "Text a six-digit sign-in code to an account's number (E.164); answered alike for every number.", Access::Public, &[]),
    r(ResendSmsCode, Post, "/api/v1/auth/sms-code/resend", "resendMagicAuthCodeViaSms", "Text a new code in place of the last, once its cooldown has passed.", Access::Public, &[]),
    r(VerifySmsCode, Post, "/api/v1/auth/sms-code/verify", "phoneMagicAuthVerify", "Sign in with a texted code (five tries, ten minutes), and get tokens.", Access::Public, &[]),
    r(RequestPasswordReset, Post, "/api/v1/auth/password-reset", "requestPasswordReset", "Email a link to choose a new password; answered alike for every address.", Access::Public, &[]),
    r(VerifyPasswordReset, Post, "/api/v1/auth/password-reset/verify", "verifyPasswordReset", "Which account a reset link is for, and its time left; spends nothing.", Access::Public, &[]),
    r(CompletePasswordReset, Post, "/api/v1/auth/password-reset/complete", "resetPassword", "Set a new password with a reset link (once): every session ends and the user is told by email.", Access::Public, &[]),
    r(SendVerificationEmail, Post, "/api/v1/auth/verify-email/send", "sendVerificationEmail", "Email a link to confirm the address, to an account whose address is not verified yet; answered alike for every address.", Access::Public, &[]),
    r(VerifyEmail, Post, "/api/v1/auth/verify-email", "verifyEmail", "Confirm an email address with the link's token (once).", Access::Public, &[]),
    r(DisownLogin, Post, "/api/v1/auth/not-me", "disownLogin", "\"This was not me\": sign out the session a login alert was about (the alert link's token, once).", Access::Public, &[]),
    r(DevOutbox, Get, "/api/v1/dev/outbox", "listDevOutbox", "Development only (404 elsewhere): the messages the worker sent, newest first.", Access::Public, &["to"]),
    r(ListTemplates, Get, "/api/v1/templates", "listEmailTemplates", "Every kind of message (sign-in links and codes, reset, confirmation, notices, SMS) with the template it is sent with: the organization's own or the shipped default.", Access::Org(P::OrganizationsRead), &[]),
    r(GetTemplate, Get, "/api/v1/templates/{kind}", "getEmailTemplate", "The template one kind of message is sent with, and the variables it may use.", Access::Org(P::OrganizationsRead), &[]),
    r(SetTemplate, Put, "/api/v1/templates/{kind}", "customizeEmailTemplate", "Use the organization's own subject, text and HTML for one kind of message; checked against its variables.", Access::Org(P::OrganizationsWrite), &[]),
    r(ResetTemplate, Delete, "/api/v1/templates/{kind}", "resetEmailTemplate", "Go back to the shipped template for one kind of message.", Access::Org(P::OrganizationsWrite), &[]),
    r(PreviewTemplate, Post, "/api/v1/templates/{kind}/preview", "previewEmailTemplate", "Render a draft (or the template in use) with sample values, as the message would be sent.", Access::Org(P::OrganizationsRead), &[]),
    r(ListConnections, Get, "/api/v1/connections", "listConnections", "The organization's identity-provider connections (social login, enterprise SSO), never their secrets.", Access::Org(P::OrganizationsRead), &[]),
    r(CreateConnection, Post, "/api/v1/connections", "createConnection", "Connect an identity provider: Google, or any OpenID Connect issuer; with domains, people whose address is at one of them are sent there (enterprise SSO). The answer names the redirect URI to register at the provider.", Access::Org(P::OrganizationsWrite), &[]),
    r(GetConnection, Get, "/api/v1/connections/{connection_id}", "getConnection", "One connection (never its secret).", Access::Org(P::OrganizationsRead), &[]),
    r(UpdateConnection, Patch, "/api/v1/connections/{connection_id}", "updateConnection", "Change a connection: what is given changes.", Access::Org(P::OrganizationsWrite), &[]),
    r(DeleteConnection, Delete, "/api/v1/connections/{connection_id}", "deleteConnection", "Remove a connection and the identities linked through it (the accounts stay).", Access::Org(P::OrganizationsWrite), &[]),
    r(SsoStart, Post, "/api/v1/auth/sso/start", "startSso", "Sign in through a connection, named or found by the email's domain: the identity provider's URL to send the browser to.", Access::Public, &[]),
    r(SsoCallback, Get, "/api/v1/auth/sso/callback", "ssoCallback", "Where identity providers send the browser back: checks their answer and returns to the page with a single-use hand-off code (or an error code) in the fragment.", Access::Public, &["code", "state", "error"]),
    r(SsoExchange, Post, "/api/v1/auth/sso/exchange", "exchangeSso", "The page back from the identity provider trades the hand-off code and its verifier for a session, answered as every login.", Access::Public, &[]),
    r(SsoLink, Post, "/api/v1/auth/sso/link", "linkSsoIdentity", "Signed in to the account with the address a single sign-on found (a connection whose policy is ask): link that identity, once, from the page that started.", Access::User, &[]),
    r(CreateSetupLink, Post, "/api/v1/connections/setup-links", "createSsoSetupLink", "A single-use link (shown once, at most a week) for a company's IT administrator to connect its identity provider for the domains named here.", Access::Org(P::OrganizationsWrite), &[]),
    r(SsoSetupInfo, Post, "/api/v1/sso-setup/info", "getSsoSetupLink", "What a set-up link is for: the organization, the domains, the redirect URI to register (the link stays unused).", Access::Public, &[]),
    r(SsoSetupComplete, Post, "/api/v1/sso-setup", "completeSsoSetup", "The IT administrator's identity provider (issuer, client id and secret), checked by reading its discovery document; spends the link.", Access::Public, &[]),
    r(OAuthAuthorize, Get, "/oauth2/authorize", "oidcAuthorize", "OpenID Connect authorization endpoint: checks the request, then serves the hosted sign-in page (errors after the redirect URI is known go back to the client).", Access::Public, &[]),
    r(OAuthGrant, Post, "/api/v1/oauth2/grant", "oidcGrant", "The hosted sign-in page, its user signed in for the client, gets the authorization code's redirect.", Access::User, &[]),
    r(OAuthToken, Post, "/oauth2/token", "oidcToken", "OAuth 2.0 token endpoint (form-encoded): authorization_code with PKCE, refresh_token.", Access::Public, &[]),
    r(OAuthUserinfo, Get, "/oauth2/userinfo", "oidcUserinfo", "OpenID Connect userinfo: the claims the access token's scopes allow.", Access::Public, &[]),
    r(OAuthUserinfoPost, Post, "/oauth2/userinfo", "oidcUserinfoPost", "OpenID Connect userinfo, by POST.", Access::Public, &[]),
    r(OAuthRevoke, Post, "/oauth2/revoke", "oidcRevoke", "OAuth 2.0 token revocation (RFC 7009, form-encoded): ends the session of the client's access or refresh token.", Access::Public, &[]),
    r(OAuthIntrospect, Post, "/oauth2/introspect", "oidcIntrospect", "OAuth 2.0 token introspection (RFC 7662, form-encoded) for confidential clients and their own tokens.", Access::Public, &[]),
    r(OAuthLogout, Get, "/oauth2/logout", "oidcEndSession", "OpenID Connect RP-initiated logout: ends the session an ID token names, then returns to a registered URI.", Access::Public, &[]),
    r(OAuthLogoutPost, Post, "/oauth2/logout", "oidcEndSessionPost", "OpenID Connect RP-initiated logout with its parameters form-encoded in the body.", Access::Public, &[]),
    r(CreateClientSecret, Post, "/api/v1/applications/{application_id}/client-secret", "createClientSecret", "Give the application a new client secret (shown once): it becomes a confidential OpenID Connect client.", Access::Org(P::ApplicationsWrite), &[]),
    r(LoginApiLogout, Post, "/api/logout", "loginApiLogout", "Login API (seed 003): revoke the refresh token (or all of its user's) and clear the cookies.", Access::Public, &["global", "refreshToken"]),
}

/// Path prefixes that belong to the API: an unknown path under them is a JSON 404 and is
/// never handed to the static files.
pub const API_PREFIXES: &[&str] = &["/api/", "/v1/", "/.well-known/", "/oauth2/"];

/// The OpenID provider's standard endpoints: their errors are RFC 6749's `error` objects.
pub fn is_oauth(path: &str) -> bool {
    path.starts_with("/oauth2/")
}

/// The result of matching a request against the table.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteMatch {
    Found {
        spec: &'static RouteSpec,
        params: Vec<(&'static str, String)>,
    },
    /// The path exists, but not for this method.
    MethodNotAllowed,
    /// No route has this path.
    NotFound,
}

impl PartialEq for RouteSpec {
    fn eq(&self, other: &Self) -> bool {
        self.route == other.route
    }
}
impl Eq for RouteSpec {}

/// Every method the worker answers: the API's, HEAD (as GET) and OPTIONS (CORS preflights).
/// HTTP methods are case-sensitive: `patch` is not `PATCH`.
pub const ROUTED_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// True for a method in [`ROUTED_METHODS`]. Anything else (`QUERY`, `PROPFIND`, `patch`) is
/// `405 METHOD_NOT_ALLOWED` on every path, never served as another method.
pub fn is_routed_method(method: &str) -> bool {
    ROUTED_METHODS.contains(&method)
}

/// Matches a request's raw method and path (without query): [`match_route`], except that a
/// method outside [`ROUTED_METHODS`] is `MethodNotAllowed` wherever it is sent, static
/// pages included.
pub fn match_request(method: &str, path: &str) -> RouteMatch {
    if !is_routed_method(method) {
        return RouteMatch::MethodNotAllowed;
    }
    match_route(method, path)
}

/// Matches a method and a path (without query) against [`ROUTES`].
pub fn match_route(method: &str, path: &str) -> RouteMatch {
    let mut path_matched = false;
    for spec in ROUTES {
        if let Some(params) = match_path(spec.path, path) {
            path_matched = true;
            if Method::parse(method) == Some(spec.method) {
                return RouteMatch::Found { spec, params };
            }
        }
    }
    if path_matched {
        RouteMatch::MethodNotAllowed
    } else {
        RouteMatch::NotFound
    }
}

/// True for the paths of seed 003's Login API, which answer in that seed's shapes (empty
/// bodies, its `Errors` object) rather than the native error body.
pub fn is_login_api(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

/// True when `path` lies in the API's namespace (a route or one of [`API_PREFIXES`]).
pub fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| path.starts_with(p))
        || ROUTES.iter().any(|r| match_path(r.path, path).is_some())
}

fn match_path(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut params = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, ps.to_owned()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn test_routes_match_exact_paths() {
        match match_route("GET", "/healthz") {
            RouteMatch::Found { spec, params } => {
                assert_eq!(spec.route, Route::Healthz);
                assert!(params.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            match_route("HEAD", "/openapi.json"),
            RouteMatch::Found { .. }
        ));
    }

    #[test]
    fn test_routes_unknown_path_and_wrong_method() {
        assert_eq!(match_route("GET", "/healthz/"), RouteMatch::NotFound);
        assert_eq!(match_route("GET", "/nope"), RouteMatch::NotFound);
        assert_eq!(
            match_route("POST", "/healthz"),
            RouteMatch::MethodNotAllowed
        );
        assert_eq!(
            match_route("BREW", "/healthz"),
            RouteMatch::MethodNotAllowed
        );
    }

    #[test]
    fn test_routes_unknown_methods_are_not_allowed_anywhere() {
        for m in ["QUERY", "BREW", "PROPFIND", "patch", "get", "", "GET "] {
            assert!(!is_routed_method(m), "{m:?}");
            for path in [
                "/healthz",
                "/",
                "/index.html",
                "/api/v1/users",
                "/api/v1/nope",
            ] {
                assert_eq!(
                    match_request(m, path),
                    RouteMatch::MethodNotAllowed,
                    "{m:?} {path}"
                );
            }
        }
        for m in ROUTED_METHODS {
            assert!(is_routed_method(m));
        }
        assert!(matches!(
            match_request("GET", "/healthz"),
            RouteMatch::Found { .. }
        ));
        assert!(matches!(
            match_request("HEAD", "/healthz"),
            RouteMatch::Found { .. }
        ));
        assert_eq!(match_request("GET", "/"), RouteMatch::NotFound);
        assert_eq!(
            match_request("OPTIONS", "/healthz"),
            RouteMatch::MethodNotAllowed
        );
    }

    #[test]
    fn test_routes_templates_capture_parameters() {
        assert_eq!(
            match_path("/api/v1/users/{id}", "/api/v1/users/42"),
            Some(vec![("id", "42".to_owned())])
        );
        assert_eq!(match_path("/api/v1/users/{id}", "/api/v1/users/"), None);
        assert_eq!(match_path("/api/v1/users/{id}", "/api/v1/users/42/x"), None);
    }

    #[test]
    fn test_routes_literal_segment_shadows_parameter() {
        let RouteMatch::Found { spec, .. } = match_route("GET", "/api/v1/users/by-email") else {
            panic!("no match");
        };
        assert_eq!(spec.route, Route::GetUserByEmail);
        let RouteMatch::Found { spec, params } = match_route("GET", "/api/v1/users/u1") else {
            panic!("no match");
        };
        assert_eq!(spec.route, Route::GetUser);
        assert_eq!(params, vec![("user_id", "u1".to_owned())]);
        let RouteMatch::Found { spec, .. } = match_route("PUT", "/api/v1/users/u1/roles") else {
            panic!("no match");
        };
        assert_eq!(spec.route, Route::SetUserRoles);
    }

    #[test]
    fn test_routes_only_discovery_config_and_login_are_public() {
        let public: Vec<_> = ROUTES
            .iter()
            .filter(|r| r.access == Access::Public)
            .map(|r| r.route)
            .collect();
        assert_eq!(
            public,
            [
                Route::Healthz,
                Route::OpenApi,
                Route::ConfigByClientId,
                Route::ConfigByDomain,
                Route::Jwks,
                Route::OpenIdConfiguration,
                Route::SignUp,
                Route::Login,
                Route::Refresh,
                Route::ChangePassword,
                Route::Authorize,
                Route::Token,
                Route::PasskeyLoginOptions,
                Route::PasskeyLogin,
                Route::MfaChallenge,
                Route::MfaVerify,
                Route::MfaEnrollAtLogin,
                Route::SendMagicLink,
                Route::ResendMagicLink,
                Route::InspectMagicLink,
                Route::VerifyMagicLink,
                Route::MagicLinkStatus,
                Route::SendEmailCode,
                Route::ResendEmailCode,
                Route::VerifyEmailCode,
                Route::SendSmsCode,
                Route::ResendSmsCode,
                Route::VerifySmsCode,
                Route::RequestPasswordReset,
                Route::VerifyPasswordReset,
                Route::CompletePasswordReset,
                Route::SendVerificationEmail,
                Route::VerifyEmail,
                Route::DisownLogin,
                Route::DevOutbox,
                Route::SsoStart,
                Route::SsoCallback,
                Route::SsoExchange,
                Route::SsoSetupInfo,
                Route::SsoSetupComplete,
                Route::OAuthAuthorize,
                Route::OAuthToken,
                Route::OAuthUserinfo,
                Route::OAuthUserinfoPost,
                Route::OAuthRevoke,
                Route::OAuthIntrospect,
                Route::OAuthLogout,
                Route::OAuthLogoutPost,
                Route::LoginApiLogout
            ]
        );
    }

    #[test]
    fn test_routes_table_has_no_duplicates() {
        let mut seen = HashSet::new();
        let mut ops = HashSet::new();
        assert_eq!(ROUTES.len(), DOCS.len());
        for (r, doc) in ROUTES.iter().zip(DOCS) {
            assert!(
                seen.insert((r.method, r.path)),
                "duplicate {} {}",
                r.method.as_str(),
                r.path
            );
            assert!(
                ops.insert(doc.operation_id),
                "duplicate operation id {}",
                doc.operation_id
            );
            assert!(r.path.starts_with('/'));
        }
    }

    #[test]
    fn test_routes_api_namespace() {
        assert!(is_api_path("/healthz"));
        assert!(is_api_path("/api/v1/anything"));
        assert!(is_api_path("/.well-known/jwks.json"));
        assert!(!is_api_path("/index.html"));
        assert!(!is_api_path("/"));
    }
}
