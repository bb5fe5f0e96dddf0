//! The security headers of every response: what kind of response it is decides them, and
//! the worker sets them on its way out (`worker/src/http.rs`, `finish`).
//!
//! - Every response: `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`;
//!   `Strict-Transport-Security` when the request came over https (never on
//!   `http://127.0.0.1`, where it would pin a development host to https).
//! - API answers: `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (JSON
//!   is never meant to be rendered or framed).
//! - Answers that carry tokens or an authorization code: `Cache-Control: no-store` and
//!   `Pragma: no-cache` (RFC 6749 §5.1), so no cache or history keeps them.
//! - Pages (the static files of `www/`): [`PAGE_CSP`], which lets the demo and account pages
//!   run the SDK's WebAssembly and nothing but their own scripts, and forbids framing.

use crate::http::routes::Route;

/// What a response is, for its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// An API answer (JSON, or the export's zip).
    Api,
    /// An API answer that carries tokens or an authorization code.
    Tokens,
    /// A static file of `www/` (or its 404).
    Page,
}

/// The kind of a request's response and whether it came over https.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Security {
    pub kind: ResponseKind,
    pub https: bool,
}

/// The pages' policy. `'wasm-unsafe-eval'` lets them compile the SDK's WebAssembly (and
/// allows no `eval`); styles allow `'unsafe-inline'` because `<latchkey-login>` puts its
/// `<style>` in its shadow root; scripts, connections, forms and images stay on the origin.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The API's policy: nothing may load, nothing may frame.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// One year; without `includeSubDomains`, which is the deployer's choice for their domain.
pub const HSTS: &str = "max-age=31536000";

/// Routes whose successful answers carry access or refresh tokens, an authorization code or
/// a secret shown once: every login (password, passkey, second factor, code, link), sign-up,
/// refresh, authorize and token, seed 003's logins, an authenticator's secret, backup codes,
/// a magic link's pending id, and the creation of an organization (its first key), an API
/// key or a webhook secret.
pub fn carries_tokens(route: Route) -> bool {
    matches!(
        route,
        Route::Login
            | Route::SignUp
            | Route::Refresh
            | Route::Authorize
            | Route::Token
            | Route::OAuthGrant
            | Route::OAuthToken
            | Route::OAuthUserinfo
            | Route::OAuthUserinfoPost
            | Route::OAuthIntrospect
            | Route::CreateClientSecret
            | Route::LoginApiLogin
            | Route::LoginApiTwoFactor
            | Route::PasskeyLogin
            | Route::MfaVerify
            | Route::MfaEnrollAtLogin
            | Route::EnrollTotp
            | Route::ConfirmTotp
            | Route::TotpQrCode
            | Route::RegenerateBackupCodes
            | Route::SendMagicLink
            | Route::ResendMagicLink
            | Route::MagicLinkStatus
            | Route::VerifyEmailCode
            | Route::VerifySmsCode
            | Route::DevOutbox
            | Route::CreateOrganization
            | Route::CreateApiKey
            | Route::SetWebhook
    )
}

/// The kind of response a request gets: by its route, or a page when no API route matched
/// and the path is not in the API's namespace.
pub fn response_kind(route: Option<Route>, api_path: bool) -> ResponseKind {
    match route {
        Some(r) if carries_tokens(r) => ResponseKind::Tokens,
        // The hosted sign-in page.
        Some(Route::OAuthAuthorize | Route::OAuthLogout) => ResponseKind::Page,
        Some(_) => ResponseKind::Api,
        None if api_path => ResponseKind::Api,
        None => ResponseKind::Page,
    }
}

/// The headers a response gets, set over whatever it had.
pub fn security_headers(s: Security) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ];
    match s.kind {
        ResponseKind::Page => h.push(("content-security-policy", PAGE_CSP)),
        ResponseKind::Api => h.push(("content-security-policy", API_CSP)),
        ResponseKind::Tokens => h.extend([
            ("content-security-policy", API_CSP),
            ("cache-control", "no-store"),
            ("pragma", "no-cache"),
        ]),
    }
    if s.https {
        h.push(("strict-transport-security", HSTS));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::routes::ROUTES;

    fn get(h: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
        h.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    #[test]
    fn test_headers_every_response_is_nosniff_and_hsts_only_over_https() {
        for kind in [ResponseKind::Api, ResponseKind::Tokens, ResponseKind::Page] {
            for https in [false, true] {
                let h = security_headers(Security { kind, https });
                assert_eq!(get(&h, "x-content-type-options"), Some("nosniff"));
                assert_eq!(get(&h, "referrer-policy"), Some("no-referrer"));
                assert!(get(&h, "content-security-policy")
                    .is_some_and(|p| p.contains("frame-ancestors 'none'")));
                assert_eq!(
                    get(&h, "strict-transport-security"),
                    https.then_some(HSTS),
                    "{kind:?}"
                );
            }
        }
    }

    #[test]
    fn test_headers_token_answers_are_never_cached() {
        let h = security_headers(Security {
            kind: ResponseKind::Tokens,
            https: false,
        });
        assert_eq!(get(&h, "cache-control"), Some("no-store"));
        assert_eq!(get(&h, "pragma"), Some("no-cache"));
        for kind in [ResponseKind::Api, ResponseKind::Page] {
            let h = security_headers(Security { kind, https: true });
            assert_eq!(
                get(&h, "cache-control"),
                None,
                "{kind:?} keeps its own caching"
            );
        }
        let tokens: Vec<_> = ROUTES
            .iter()
            .filter(|r| carries_tokens(r.route))
            .map(|r| r.path)
            .collect();
        assert_eq!(
            tokens,
            [
                "/api/v1/organizations",
                "/api/v1/api-keys",
                "/api/v1/auth/signup",
                "/api/v1/auth/login",
                "/api/v1/auth/refresh",
                "/api/login",
                "/api/two-factor/login",
                "/api/v1/auth/authorize",
                "/api/v1/auth/token",
                "/api/v1/security-events/webhook",
                "/api/v1/auth/passkey/login",
                "/api/v1/auth/mfa/verify",
                "/api/v1/auth/mfa/enroll",
                "/api/v1/mfa/totp",
                "/api/v1/mfa/totp/{authenticator_id}/confirm",
                "/api/v1/mfa/totp/{authenticator_id}/qr",
                "/api/v1/mfa/backup-codes",
                "/api/v1/auth/magic-link",
                "/api/v1/auth/magic-link/resend",
                "/api/v1/auth/magic-link/status",
                "/api/v1/auth/email-code/verify",
                "/api/v1/auth/sms-code/verify",
                "/api/v1/dev/outbox",
                "/api/v1/oauth2/grant",
                "/oauth2/token",
                "/oauth2/userinfo",
                "/oauth2/userinfo",
                "/oauth2/introspect",
                "/api/v1/applications/{application_id}/client-secret",
            ]
        );
    }

    #[test]
    fn test_headers_pages_run_wasm_but_no_inline_or_foreign_script() {
        assert_eq!(response_kind(None, false), ResponseKind::Page);
        assert_eq!(response_kind(None, true), ResponseKind::Api);
        assert_eq!(response_kind(Some(Route::Healthz), true), ResponseKind::Api);
        assert_eq!(
            response_kind(Some(Route::LoginApiLogin), true),
            ResponseKind::Tokens
        );
        let directive = |name: &str| {
            PAGE_CSP
                .split(';')
                .map(str::trim)
                .find(|d| d.split(' ').next() == Some(name))
                .unwrap_or_default()
        };
        assert_eq!(
            directive("script-src"),
            "script-src 'self' 'wasm-unsafe-eval'"
        );
        assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
        assert_eq!(directive("object-src"), "object-src 'none'");
        assert_eq!(directive("connect-src"), "connect-src 'self'");
        assert!(!directive("script-src").contains("'unsafe-inline'"));
        assert!(!directive("script-src").contains("'unsafe-eval'"));
    }
}
