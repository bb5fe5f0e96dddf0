//! The OpenAPI 3.1 document, generated from the route table and the API types' JSON
//! schemas. [`describe`] matches [`Route`] exhaustively, so a new route does not compile
//! until it is documented.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::access::Access;
use crate::api::*;
use crate::http::routes::{Route, DOCS, ROUTES};

/// What the document says about one operation beyond the table.
struct Doc {
    request: Option<Value>,
    status: u16,
    response: Option<Value>,
    errors: &'static [u16],
}

/// Seed 003's answers: empty bodies but for its `Errors` object (400) and actions (409).
fn login_api(
    request: Option<Value>,
    status: u16,
    response: Option<Value>,
    errors: &'static [u16],
) -> Doc {
    Doc {
        request,
        status,
        response,
        errors,
    }
}

fn schema<T: JsonSchema>(gen: &mut SchemaGenerator) -> Option<Value> {
    Some(gen.subschema_for::<T>().to_value())
}

const READ: &[u16] = &[400, 401, 403, 404];
const WRITE: &[u16] = &[400, 401, 403, 404, 409, 413];

fn describe(route: Route, g: &mut SchemaGenerator) -> Doc {
    let ok = |response, errors| Doc {
        request: None,
        status: 200,
        response,
        errors,
    };
    let with = |request, status, response, errors| Doc {
        request,
        status,
        response,
        errors,
    };
    match route {
        Route::Healthz => Doc {
            request: None,
            status: 200,
            response: schema::<Health>(g),
            errors: &[503],
        },
        Route::OpenApi => ok(Some(json!({"type": "object"})), &[]),
        Route::ConfigByClientId => ok(schema::<ClientConfig>(g), &[404]),
        Route::ConfigByDomain => ok(schema::<DomainConfig>(g), &[404]),
        Route::ListOrganizations => ok(schema::<OrganizationList>(g), READ),
        Route::CreateOrganization => with(
            schema::<CreateOrganization>(g),
            201,
            schema::<CreatedOrganization>(g),
            WRITE,
        ),
        Route::GetOrganization => ok(schema::<OrganizationView>(g), READ),
        Route::UpdateOrganization => with(
            schema::<UpdateOrganization>(g),
            200,
            schema::<OrganizationView>(g),
            WRITE,
        ),
        Route::DeleteOrganization => with(None, 204, None, READ),
        Route::ListApiKeys => ok(schema::<ApiKeyList>(g), READ),
        Route::CreateApiKey => with(
            schema::<CreateApiKey>(g),
            201,
            schema::<CreatedApiKey>(g),
            WRITE,
        ),
        Route::RevokeApiKey => with(None, 204, None, READ),
        Route::ListApplications => ok(schema::<ApplicationList>(g), READ),
        Route::CreateApplication => with(
            schema::<CreateApplication>(g),
            201,
            schema::<ApplicationView>(g),
            WRITE,
        ),
        Route::GetApplication => ok(schema::<ApplicationView>(g), READ),
        Route::UpdateApplication => with(
            schema::<UpdateApplication>(g),
            200,
            schema::<ApplicationView>(g),
            WRITE,
        ),
        Route::DeleteApplication => with(None, 204, None, READ),
        Route::ListUsers => ok(schema::<UserList>(g), READ),
        Route::CreateUser => with(schema::<CreateUser>(g), 201, schema::<UserView>(g), WRITE),
        Route::GetUserByEmail | Route::GetUser => ok(schema::<UserView>(g), READ),
        Route::UpdateUser => with(schema::<UpdateUser>(g), 200, schema::<UserView>(g), WRITE),
        Route::DeleteUser => with(None, 204, None, READ),
        Route::VerifyUserEmail => with(
            schema::<SetEmailVerified>(g),
            200,
            schema::<UserView>(g),
            WRITE,
        ),
        Route::GetUserRoles => ok(schema::<UserRoles>(g), READ),
        Route::SetUserRoles => with(
            schema::<SetUserRoles>(g),
            200,
            schema::<UserRoles>(g),
            WRITE,
        ),
        Route::GetUserOrganizations => ok(schema::<UserOrganizations>(g), READ),
        Route::ListRoles => ok(schema::<RoleList>(g), READ),
        Route::CreateRole => with(schema::<CreateRole>(g), 201, schema::<RoleView>(g), WRITE),
        Route::GetRole => ok(schema::<RoleView>(g), READ),
        Route::UpdateRole => with(schema::<UpdateRole>(g), 200, schema::<RoleView>(g), WRITE),
        Route::DeleteRole => with(None, 204, None, READ),
        Route::ListPermissions => ok(schema::<PermissionList>(g), READ),
        Route::CreatePermission => with(
            schema::<CreatePermission>(g),
            201,
            schema::<PermissionView>(g),
            WRITE,
        ),
        Route::GetPermission => ok(schema::<PermissionView>(g), READ),
        Route::UpdatePermission => with(
            schema::<UpdatePermission>(g),
            200,
            schema::<PermissionView>(g),
            WRITE,
        ),
        Route::DeletePermission => with(None, 204, None, READ),
        Route::Jwks | Route::OpenIdConfiguration => ok(Some(json!({"type": "object"})), &[]),
        // A page, or a redirect to the client with `error`.
        Route::OAuthAuthorize => ok(
            Some(json!({"type": "string", "description": "the hosted sign-in page (HTML)"})),
            &[302, 400],
        ),
        Route::OAuthGrant => with(
            schema::<crate::api::OAuthGrantRequest>(g),
            200,
            schema::<crate::api::OAuthGrantResponse>(g),
            &[400, 401],
        ),
        // Form-encoded (RFC 6749 §4.1.3, §6): grant_type, code, redirect_uri,
        // code_verifier, refresh_token, scope, client_id, client_secret.
        Route::OAuthToken => with(None, 200, schema::<crate::api::OAuthTokens>(g), &[400, 401]),
        Route::OAuthUserinfo | Route::OAuthUserinfoPost => {
            ok(Some(json!({"type": "object"})), &[401, 403])
        }
        Route::OAuthRevoke => with(None, 200, None, &[400, 401]),
        Route::OAuthIntrospect => with(None, 200, Some(json!({"type": "object"})), &[400, 401]),
        Route::OAuthLogout | Route::OAuthLogoutPost => ok(
            Some(
                json!({"type": "string", "description": "a signed-out page (HTML), or a redirect"}),
            ),
            &[302, 400],
        ),
        Route::CreateClientSecret => with(
            None,
            201,
            schema::<crate::api::ClientSecretResponse>(g),
            &[401, 403, 404],
        ),
        Route::SignUp => with(
            schema::<SignUpRequest>(g),
            201,
            schema::<TokenResponse>(g),
            &[400, 409],
        ),
        Route::Login => with(
            schema::<LoginRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403],
        ),
        Route::Refresh => with(
            schema::<RefreshRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401],
        ),
        Route::Logout => with(
            schema::<LogoutRequest>(g),
            200,
            schema::<LogoutResponse>(g),
            &[400, 401, 403],
        ),
        Route::AuthStatus => ok(schema::<AuthStatus>(g), &[401, 403]),
        Route::CurrentUser => ok(schema::<UserView>(g), &[401, 403, 404]),
        Route::ListOwnSessions | Route::ListUserSessions => ok(schema::<SessionList>(g), READ),
        Route::RevokeOwnSession | Route::RevokeUserSession => with(None, 204, None, READ),
        Route::RevokeUserSessions | Route::RevokeOtherSessions => {
            ok(schema::<LogoutResponse>(g), READ)
        }
        Route::UnlockUser => with(None, 204, None, READ),
        Route::ListSecurityEvents => ok(schema::<SecurityEventList>(g), READ),
        Route::GetWebhook => ok(schema::<WebhookView>(g), READ),
        Route::SetWebhook => with(
            schema::<SetWebhook>(g),
            200,
            schema::<WebhookView>(g),
            WRITE,
        ),
        Route::DeleteWebhook => with(None, 204, None, READ),
        Route::PasskeyRegisterOptions => ok(schema::<PasskeyCreationOptions>(g), WRITE),
        Route::PasskeyRegister => with(
            schema::<RegisterPasskeyRequest>(g),
            201,
            schema::<PasskeyView>(g),
            WRITE,
        ),
        Route::ListPasskeys | Route::ListUserPasskeys => ok(schema::<PasskeyList>(g), READ),
        Route::PasskeyStatus => ok(schema::<PasskeyStatus>(g), READ),
        Route::RenamePasskey => with(
            schema::<RenamePasskeyRequest>(g),
            200,
            schema::<PasskeyView>(g),
            WRITE,
        ),
        Route::DeletePasskey | Route::DeleteUserPasskey => with(None, 204, None, READ),
        Route::PasskeyLoginOptions => with(
            schema::<PasskeyLoginOptionsRequest>(g),
            200,
            schema::<PasskeyRequestOptions>(g),
            &[400, 429],
        ),
        Route::PasskeyLogin => with(
            schema::<PasskeyLoginRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403, 429],
        ),
        Route::MfaChallenge => with(
            schema::<MfaChallengeRequest>(g),
            200,
            schema::<MfaChallengeResponse>(g),
            &[400, 401],
        ),
        Route::MfaVerify => with(
            schema::<MfaVerifyRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403, 429],
        ),
        Route::MfaEnrollAtLogin => with(
            schema::<MfaEnrollRequest>(g),
            201,
            schema::<TotpEnrollment>(g),
            &[400, 401, 409],
        ),
        Route::ListAuthenticators | Route::ListUserAuthenticators => {
            ok(schema::<AuthenticatorList>(g), READ)
        }
        Route::EnrollTotp => with(None, 201, schema::<TotpEnrollment>(g), WRITE),
        Route::ConfirmTotp => with(
            schema::<ConfirmTotpRequest>(g),
            200,
            schema::<ConfirmedTotp>(g),
            WRITE,
        ),
        Route::TotpQrCode => ok(Some(json!({"type": "string", "format": "svg"})), READ),
        Route::RemoveAuthenticator => with(schema::<ReauthRequest>(g), 204, None, WRITE),
        Route::RegenerateBackupCodes => with(
            schema::<ReauthRequest>(g),
            200,
            schema::<BackupCodes>(g),
            WRITE,
        ),
        Route::DeleteUserAuthenticator => with(None, 204, None, READ),
        Route::SendMagicLink | Route::ResendMagicLink => with(
            schema::<MagicLinkRequest>(g),
            200,
            schema::<MagicLinkSent>(g),
            &[400, 429],
        ),
        Route::InspectMagicLink => with(
            schema::<MagicLinkTokenRequest>(g),
            200,
            schema::<MagicLinkInfo>(g),
            &[400, 401],
        ),
        Route::VerifyMagicLink => with(
            schema::<VerifyMagicLinkRequest>(g),
            200,
            schema::<MagicLinkVerified>(g),
            &[400, 401],
        ),
        Route::MagicLinkStatus => with(
            schema::<MagicLinkStatusRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[202, 400, 401, 403, 429],
        ),
        Route::SendEmailCode | Route::ResendEmailCode => with(
            schema::<EmailCodeRequest>(g),
            200,
            schema::<CodeSent>(g),
            &[400, 429],
        ),
        Route::VerifyEmailCode => with(
            schema::<VerifyEmailCodeRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403, 429],
        ),
        Route::SendSmsCode | Route::ResendSmsCode => with(
            schema::<SmsCodeRequest>(g),
            200,
            schema::<CodeSent>(g),
            &[400, 429],
        ),
        Route::VerifySmsCode => with(
            schema::<VerifySmsCodeRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403, 429],
        ),
        Route::RequestPasswordReset => with(
            schema::<PasswordResetRequest>(g),
            200,
            schema::<CodeSent>(g),
            &[400, 429],
        ),
        Route::VerifyPasswordReset => with(
            schema::<PasswordResetTokenRequest>(g),
            200,
            schema::<PasswordResetInfo>(g),
            &[400, 401],
        ),
        Route::CompletePasswordReset => {
            with(schema::<CompletePasswordReset>(g), 204, None, &[400, 401])
        }
        Route::SendVerificationEmail => with(
            schema::<SendVerificationRequest>(g),
            200,
            schema::<CodeSent>(g),
            &[400, 429],
        ),
        Route::VerifyEmail => with(
            schema::<VerifyEmailRequest>(g),
            200,
            schema::<EmailVerified>(g),
            &[400, 401],
        ),
        Route::DisownLogin => with(
            schema::<DisownLoginRequest>(g),
            200,
            schema::<LoginDisowned>(g),
            &[400, 401],
        ),
        Route::DevOutbox => ok(Some(json!({"type": "object"})), &[404]),
        Route::ListTemplates => ok(schema::<TemplateList>(g), READ),
        Route::GetTemplate => ok(schema::<TemplateView>(g), READ),
        Route::SetTemplate => with(
            schema::<SetTemplate>(g),
            200,
            schema::<TemplateView>(g),
            WRITE,
        ),
        Route::ResetTemplate => with(None, 204, None, READ),
        Route::PreviewTemplate => with(
            schema::<PreviewTemplate>(g),
            200,
            schema::<TemplatePreview>(g),
            WRITE,
        ),
        Route::ListConnections => ok(schema::<ConnectionList>(g), READ),
        Route::GetConnection => ok(schema::<ConnectionView>(g), READ),
        Route::CreateConnection => with(
            schema::<CreateConnection>(g),
            201,
            schema::<ConnectionView>(g),
            WRITE,
        ),
        Route::UpdateConnection => with(
            schema::<UpdateConnection>(g),
            200,
            schema::<ConnectionView>(g),
            WRITE,
        ),
        Route::DeleteConnection => with(None, 204, None, READ),
        Route::SsoStart => with(
            schema::<SsoStartRequest>(g),
            200,
            schema::<SsoStart>(g),
            &[400, 403, 502],
        ),
        Route::SsoCallback => ok(
            Some(
                json!({"type": "string", "description": "a redirect to the page, or an error page (HTML)"}),
            ),
            &[302, 400],
        ),
        Route::SsoExchange => with(
            schema::<SsoExchangeRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400, 401, 403],
        ),
        Route::SsoLink => with(schema::<SsoLinkRequest>(g), 204, None, &[400, 401, 409]),
        Route::CreateSetupLink => with(
            schema::<CreateSetupLink>(g),
            201,
            schema::<SetupLink>(g),
            WRITE,
        ),
        Route::SsoSetupInfo => with(
            schema::<SetupLinkToken>(g),
            200,
            schema::<SetupLinkInfo>(g),
            &[400, 401],
        ),
        Route::SsoSetupComplete => with(
            schema::<SsoSetupRequest>(g),
            201,
            schema::<ConnectionView>(g),
            &[400, 401, 409],
        ),
        Route::LoginApiLogin => login_api(
            schema::<crate::compat::login_api::LoginRequest>(g),
            200,
            schema::<crate::compat::login_api::LoginResponse>(g),
            &[202, 203, 212, 242, 400, 401, 404, 409, 410],
        ),
        Route::LoginApiTwoFactor => login_api(
            schema::<crate::compat::login_api::TwoFactorLoginRequest>(g),
            200,
            schema::<crate::compat::login_api::LoginResponse>(g),
            &[202, 203, 400, 401, 404, 409, 410, 421],
        ),
        Route::LoginApiPingJwt | Route::LoginApiPingUser | Route::LoginApiPing => {
            login_api(None, 200, None, &[400, 401, 404])
        }
        Route::LoginApiLogout => login_api(None, 200, None, &[]),
        Route::ChangePassword => with(schema::<ChangePasswordRequest>(g), 204, None, &[400]),
        Route::ListRegistrations => ok(schema::<RegistrationList>(g), READ),
        Route::Authorize => with(
            schema::<AuthorizeRequest>(g),
            200,
            schema::<AuthorizeResponse>(g),
            &[400, 401, 403],
        ),
        Route::Token => with(
            schema::<TokenRequest>(g),
            200,
            schema::<TokenResponse>(g),
            &[400],
        ),
        Route::LoginHistory => ok(schema::<crate::api::HistoryResponse>(g), &[400, 401, 500]),
        Route::UserLoginLogs => ok(
            schema::<crate::api::LoginLogs>(g),
            &[400, 401, 403, 404, 500],
        ),
        Route::IdentityStoreSessions => {
            ok(schema::<crate::api::SessionList002>(g), &[400, 401, 403])
        }
        Route::LoginRecordSearchGet => login_api(
            None,
            200,
            schema::<crate::compat::login_api::SearchResponse>(g),
            &[400, 401],
        ),
        Route::LoginRecordExportGet => login_api(None, 200, None, &[400, 401]),
        Route::SearchRecords => ok(schema::<RecordList>(g), READ),
        Route::RecordStats => ok(schema::<RecordStats>(g), READ),
        Route::ExportRecords => ok(
            Some(json!({"type": "string", "contentMediaType": "application/zip"})),
            READ,
        ),
        Route::VerifyLoginRecords => ok(
            schema::<crate::records::verification::Verification>(g),
            READ,
        ),
        Route::LoginRecordExportPost => login_api(
            schema::<crate::compat::login_api::ExportRequest>(g),
            200,
            None,
            &[400, 401],
        ),
        Route::LoginRecordSearchPost => login_api(
            schema::<crate::compat::login_api::SearchRequest>(g),
            200,
            schema::<crate::compat::login_api::SearchResponse>(g),
            &[400, 401],
        ),
        Route::Register | Route::Unregister => with(None, 204, None, READ),
    }
}

fn error_description(status: u16) -> &'static str {
    match status {
        400 => {
            "Invalid input; `error_code` names the field (`INVALID_EMAIL`, `INVALID_LIMIT`, ...)."
        }
        401 => "Missing or invalid credentials (`UNAUTHORIZED`).",
        403 => "These credentials do not allow this operation (`FORBIDDEN`).",
        404 => "No such resource in the caller's organization (`NOT_FOUND`).",
        409 => "Collides with an existing resource (`EMAIL_TAKEN`, `DOMAIN_TAKEN`, ...).",
        413 => "The body is larger than 64 KiB (`PAYLOAD_TOO_LARGE`).",
        415 => "The body is not sent as `Content-Type: application/json` (`UNSUPPORTED_MEDIA_TYPE`).",
        429 => "Too many requests (`RATE_LIMITED`, `TOO_MANY_ATTEMPTS`); `Retry-After` says how many seconds to wait.",
                500 => "Internal failure (`INTERNAL_ERROR`, or the code the endpoint documents, such as `HISTORY_FETCH_FAILED`).",
        502 => "The organization's identity provider did not answer, or answered what it must not (`SSO_PROVIDER_FAILED`).",
        503 => "A dependency failed; the body says which.",
        _ => "Error.",
    }
}

/// Builds the whole document.
pub fn document() -> Value {
    let mut gen = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "#/components/schemas/".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error_ref = gen.subschema_for::<ErrorBody>().to_value();
    let health_ref = gen.subschema_for::<Health>().to_value();
    let pending_ref = gen
        .subschema_for::<crate::api::MagicLinkPending>()
        .to_value();

    let mut paths = Map::new();
    for (spec, text) in ROUTES.iter().zip(DOCS) {
        let doc = describe(spec.route, &mut gen);
        let mut responses = Map::new();
        let mut ok = json!({"description": "Success."});
        if let Some(s) = doc.response {
            // The QR code is an image, the export a zip; every other body is JSON.
            let media = match spec.route {
                Route::TotpQrCode => "image/svg+xml",
                Route::ExportRecords => "application/zip",
                _ => "application/json",
            };
            ok["content"] = json!({ media: {"schema": s} });
        }
        responses.insert(doc.status.to_string(), ok);
        let seed_003 = crate::http::routes::is_login_api(spec.path);
        // Every JSON body must be declared as such.
        let media_type: &[u16] = if doc.request.is_some() { &[415] } else { &[] };
        for status in doc.errors.iter().chain(media_type) {
            let entry = if seed_003 {
                login_api_response(*status)
            } else if *status == 202 && spec.route == Route::MagicLinkStatus {
                json!({
                    "description": "Not approved yet: ask again in a few seconds.",
                    "content": {"application/json": {"schema": pending_ref}}
                })
            } else if *status == 429 {
                json!({
                    "description": error_description(*status),
                    "headers": {"Retry-After": {
                        "description": "Seconds to wait before asking again.",
                        "schema": {"type": "integer", "minimum": 1}
                    }},
                    "content": {"application/json": {"schema": error_ref}}
                })
            } else {
                let body = if *status == 503 {
                    &health_ref
                } else {
                    &error_ref
                };
                json!({
                    "description": error_description(*status),
                    "content": {"application/json": {"schema": body}}
                })
            };
            responses.insert(status.to_string(), entry);
        }
        if !seed_003 {
            responses.insert(
                "default".into(),
                json!({
                    "description": "Error, in the common error shape.",
                    "content": {"application/json": {"schema": error_ref}}
                }),
            );
        }
        let mut params: Vec<Value> = path_params(spec.path)
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(text.query.iter().map(|name| {
            json!({"name": name, "in": "query", "required": false, "schema": query_schema(name)})
        }));
        let mut op = json!({
            "operationId": text.operation_id,
            "summary": text.summary,
            "responses": responses,
            "security": security(spec.access),
            "x-latchkey-access": access_name(spec.access),
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(body) = doc.request {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body}}});
        }
        let item = paths
            .entry(spec.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[spec.method.as_str().to_ascii_lowercase()] = op;
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Latchkey",
            "version": crate::VERSION,
            "description": "Authentication and user management for the edge."
        },
        "paths": paths,
        "components": {
            "schemas": gen.take_definitions(true),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An organization API key (`lk_...`) or the platform operator's key."
                },
                "accessToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A user's ES256 access token; on administrative routes its roles must grant the permission."
                }
            }
        },
    })
}

fn login_api_response(status: u16) -> Value {
    let object = json!({"application/json": {"schema": {"type": "object"}}});
    match status {
        202 => {
            json!({"description": "Authenticated; the user is not registered for the application.", "content": object})
        }
        203 => {
            json!({"description": "Authenticated; the password must be changed (`changePasswordId`).", "content": object})
        }
        212 => {
            json!({"description": "Authenticated; the email address is not verified yet.", "content": object})
        }
        242 => {
            json!({"description": "Authenticated; a second factor is required: complete with `twoFactorId` at `POST /api/two-factor/login` (`methods` lists the user's).", "content": object})
        }
        421 => json!({"description": "The two-factor code is not valid. Empty body."}),
        410 => json!({"description": "The account has expired. Empty body."}),
        415 => {
            json!({"description": "The body is not sent as `Content-Type: application/json`; the body is an Errors object (`generalErrors`: `UNSUPPORTED_MEDIA_TYPE`).", "content": object})
        }
        400 => {
            json!({"description": "Invalid request; the body is an Errors object (`fieldErrors`).", "content": object})
        }
        409 => {
            json!({"description": "An action prevents login; the body lists it (`actions`).", "content": object})
        }
        401 => json!({"description": "Missing or invalid API key. Empty body."}),
        404 => {
            json!({"description": "Not found (for login: unknown user or wrong password, alike; for two-factor login: an unknown, used or expired `twoFactorId`). Empty body."})
        }
        _ => json!({"description": "Empty body."}),
    }
}

/// The schema of a query parameter, with the bounds the API enforces ([`page`]'s
/// `limit`/`offset`, seed 003's `numberOfResults`/`startRow`), so generated clients send
/// what the API accepts.
fn query_schema(name: &str) -> Value {
    use crate::compat::login_api::{DEFAULT_RESULTS, MAX_RESULTS, MAX_START_ROW};
    match name {
        "limit" => {
            json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})
        }
        "offset" => json!({"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
        "numberOfResults" => {
            json!({"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "default": DEFAULT_RESULTS})
        }
        "startRow" => {
            json!({"type": "integer", "minimum": 0, "maximum": MAX_START_ROW, "default": 0})
        }
        "start" | "end" => {
            json!({"type": "integer", "format": "int64", "description": "Epoch milliseconds."})
        }
        "from" => json!({"type": "integer", "format": "int64", "minimum": 1}),
        "retrieveTotal" | "global" => json!({"type": "boolean", "default": false}),
        "filter" => json!({"type": "string", "enum": ["success", "failure"]}),
        "status" => json!({"type": "string", "enum": ["active", "disabled"]}),
        "email" => json!({"type": "string", "format": "email"}),
        "applicationId" | "userId" => json!({"type": "string", "format": "uuid"}),
        "ipAddress" => json!({"type": "string", "description": "An IPv4 or IPv6 address."}),
        "kind" => {
            json!({"type": "string", "pattern": "^[a-z._]{1,64}$", "description": "One event kind, such as `login.locked`."})
        }
        _ => json!({"type": "string"}),
    }
}

fn security(access: Access) -> Value {
    match access {
        Access::Public => json!([]),
        Access::Platform => json!([{"apiKey": []}]),
        Access::User => json!([{"accessToken": []}]),
        Access::Org(_) | Access::PlatformOrOrg(_) => json!([{"apiKey": []}, {"accessToken": []}]),
    }
}

/// Who may call, for readers and tests: `public`, `platform`, `user`, or `org:<permission>`.
fn access_name(access: Access) -> String {
    match access {
        Access::Public => "public".into(),
        Access::Platform => "platform".into(),
        Access::User => "user".into(),
        Access::Org(p) => format!("org:{}", p.as_str()),
        Access::PlatformOrOrg(p) => format!("platform-or-org:{}", p.as_str()),
    }
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (method, path) in the document, in the table's method spelling.
    fn documented(doc: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.push((method.to_ascii_uppercase(), path.clone()));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn test_openapi_documents_exactly_the_route_table() {
        let doc = document();
        let mut table: Vec<_> = ROUTES
            .iter()
            .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
            .collect();
        table.sort();
        assert_eq!(documented(&doc), table);
        assert_eq!(doc["openapi"], "3.1.0");
    }

    #[test]
    fn test_openapi_refs_resolve() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
        for name in [
            "ErrorBody",
            "Health",
            "UserView",
            "CreateUser",
            "CreatedOrganization",
        ] {
            assert!(schemas.contains_key(name), "{name}");
        }
    }

    #[test]
    fn test_openapi_paged_parameters_carry_the_enforced_bounds() {
        use crate::compat::login_api::{DEFAULT_RESULTS, MAX_RESULTS, MAX_START_ROW};
        let doc = document();
        let expected = |name: &str| match name {
            "limit" => Some((1, i64::from(MAX_LIMIT), i64::from(DEFAULT_LIMIT))),
            "offset" => Some((0, i64::from(MAX_OFFSET), 0)),
            "numberOfResults" => Some((1, MAX_RESULTS, DEFAULT_RESULTS)),
            "startRow" => Some((0, MAX_START_ROW, 0)),
            _ => None,
        };
        let mut seen = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    let Some((min, max, default)) = expected(name) else {
                        continue;
                    };
                    let s = &p["schema"];
                    assert_eq!(s["type"], "integer", "{method} {path} {name}");
                    assert_eq!(
                        (
                            s["minimum"].as_i64(),
                            s["maximum"].as_i64(),
                            s["default"].as_i64()
                        ),
                        (Some(min), Some(max), Some(default)),
                        "{method} {path} {name}"
                    );
                    seen.insert((path.clone(), name.to_owned()));
                }
            }
        }
        // The documented bounds are the ones the parsers enforce.
        assert!(
            crate::api::page(Some(&MAX_LIMIT.to_string()), Some(&MAX_OFFSET.to_string())).is_ok()
        );
        assert!(crate::api::page(Some(&(MAX_LIMIT + 1).to_string()), None).is_err());
        assert!(crate::api::page(Some("0"), None).is_err());
        assert!(crate::api::page(None, Some(&(u64::from(MAX_OFFSET) + 1).to_string())).is_err());
        let search = |k: &str, v: String| {
            crate::compat::login_api::SearchRequest::from_query(|q| (q == k).then_some(v.as_str()))
                .and_then(|r| r.validate())
        };
        assert!(search("numberOfResults", MAX_RESULTS.to_string()).is_ok());
        assert!(search("numberOfResults", (MAX_RESULTS + 1).to_string()).is_err());
        assert!(search("numberOfResults", "0".into()).is_err());
        assert!(search("startRow", MAX_START_ROW.to_string()).is_ok());
        assert!(search("startRow", (MAX_START_ROW + 1).to_string()).is_err());
        assert!(search("startRow", "-1".into()).is_err());
        let paths: Vec<_> = seen.iter().map(|(p, n)| format!("{p}?{n}")).collect();
        assert_eq!(
            paths,
            [
                "/api/system/login-record/search?numberOfResults",
                "/api/system/login-record/search?startRow",
                "/api/v1/applications?limit",
                "/api/v1/applications?offset",
                "/api/v1/auth/login-history?limit",
                "/api/v1/auth/login-history?offset",
                "/api/v1/login-records?limit",
                "/api/v1/login-records?offset",
                "/api/v1/organizations?limit",
                "/api/v1/organizations?offset",
                "/api/v1/security-events?limit",
                "/api/v1/security-events?offset",
                "/api/v1/users?limit",
                "/api/v1/users?offset",
            ]
        );
    }

    #[test]
    fn test_openapi_passwordless_operations_carry_seed_000s_names_and_their_answers() {
        let doc = document();
        let op = |method: &str, path: &str| doc["paths"][path][method].clone();
        for (method, path, id) in [
            ("post", "/api/v1/auth/magic-link", "emailMagicLink"),
            (
                "post",
                "/api/v1/auth/magic-link/resend",
                "resendEmailMagicLink",
            ),
            ("post", "/api/v1/auth/magic-link/verify", "verifyMagicLink"),
            (
                "post",
                "/api/v1/auth/magic-link/status",
                "pingMagicLinkStatus",
            ),
            ("post", "/api/v1/auth/email-code", "emailMagicAuthCode"),
            (
                "post",
                "/api/v1/auth/email-code/resend",
                "resendMagicAuthCode",
            ),
            (
                "post",
                "/api/v1/auth/email-code/verify",
                "verifyMagicAuthCode",
            ),
            ("post", "/api/v1/auth/sms-code", "sendMagicAuthCodeViaSms"),
            (
                "post",
                "/api/v1/auth/sms-code/resend",
                "resendMagicAuthCodeViaSms",
            ),
            (
                "post",
                "/api/v1/auth/sms-code/verify",
                "phoneMagicAuthVerify",
            ),
        ] {
            assert_eq!(op(method, path)["operationId"], id, "{method} {path}");
        }
        // The poll's 202 is not an error: it says the link is not answered yet.
        let pending = &op("post", "/api/v1/auth/magic-link/status")["responses"]["202"];
        assert_eq!(
            pending["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/MagicLinkPending"
        );
        // Every 429 says how long to wait.
        let mut limited = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(r) = op["responses"].get("429") {
                    if crate::http::routes::is_login_api(path) {
                        continue;
                    }
                    assert!(r["headers"]["Retry-After"].is_object(), "{method} {path}");
                    assert_ne!(r["description"], "Error.", "{method} {path}");
                    limited += 1;
                }
            }
        }
        assert!(limited >= 8, "{limited}");
    }

    #[test]
    fn test_openapi_every_json_body_documents_415() {
        let doc = document();
        let mut bodies = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let has_body = op.get("requestBody").is_some();
                let has_415 = op["responses"].get("415").is_some();
                assert_eq!(has_body, has_415, "{method} {path}");
                bodies += usize::from(has_body);
            }
        }
        assert!(bodies > 20, "{bodies}");
    }

    #[test]
    fn test_openapi_security_follows_access() {
        let doc = document();
        assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
        assert_eq!(
            doc["paths"]["/api/v1/users"]["post"]["security"],
            json!([{"apiKey": []}, {"accessToken": []}])
        );
        assert_eq!(
            doc["paths"]["/api/v1/users"]["post"]["x-latchkey-access"],
            "org:users:write"
        );
        assert_eq!(
            doc["paths"]["/api/v1/auth/me"]["get"]["security"],
            json!([{"accessToken": []}])
        );
        assert_eq!(
            doc["paths"]["/api/v1/users"]["post"]["responses"]["409"]["content"]
                ["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        let required: Vec<_> = doc["components"]["schemas"]["CreateUser"]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, ["email"]);
    }
}
