//! Cross-origin access for the browser SDK, with credentials (the browser-mode cookies) and
//! the CSRF header permitted. An answer carries CORS headers only for an origin that the
//! request's own application allows: the application a login, sign-up, refresh or
//! authorization code names, or the one a bearer token was issued for. Public reads
//! (configuration, discovery) and preflights, which carry no credentials, accept an origin
//! any application allows.

use crate::model::Application;
use crate::sessions::tokens::admin_audience;
use crate::store::AppStore;
use crate::Error;

/// Paths the SDK calls from an application's pages.
pub fn is_cors_path(path: &str) -> bool {
    [
        "/api/v1/auth/",
        "/api/v1/config/",
        "/.well-known/",
        "/api/v1/mfa/",
        "/api/v1/passkeys",
        "/oauth2/token",
        "/oauth2/revoke",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

pub const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE";
pub const ALLOW_HEADERS: &str = "authorization, content-type, x-csrf-token";
/// Seconds a browser may cache a preflight answer.
pub const MAX_AGE: &str = "600";

/// Headers for any answer to an allowed `origin`.
pub fn response_headers(origin: &str) -> Vec<(&'static str, String)> {
    vec![
        ("access-control-allow-origin", origin.to_owned()),
        ("access-control-allow-credentials", "true".to_owned()),
        ("vary", "Origin".to_owned()),
    ]
}

/// Headers for a preflight answer to an allowed `origin`.
pub fn preflight_headers(origin: &str) -> Vec<(&'static str, String)> {
    let mut h = response_headers(origin);
    h.push(("access-control-allow-methods", ALLOW_METHODS.to_owned()));
    h.push(("access-control-allow-headers", ALLOW_HEADERS.to_owned()));
    h.push(("access-control-max-age", MAX_AGE.to_owned()));
    h
}

/// Whether `app` lists `origin` (already normalised) among its allowed origins.
pub fn app_allows(app: &Application, origin: &str) -> bool {
    app.allowed_origins.iter().any(|o| o == origin)
}

/// Whether `origin` may read the answer to a signed-in user's request: the application
/// their token was issued for (`audience`) allows it, or for a token of Latchkey's own API,
/// one of the organization's `admin_api` applications does.
pub async fn caller_allows(
    store: &impl AppStore,
    org_id: &str,
    audience: &str,
    issuer: &str,
    origin: &str,
) -> Result<bool, Error> {
    if audience == admin_audience(issuer) {
        let (apps, _) = store
            .list_apps(
                org_id,
                crate::model::Page {
                    limit: 100,
                    offset: 0,
                },
            )
            .await?;
        return Ok(apps.iter().any(|a| a.admin_api && app_allows(a, origin)));
    }
    Ok(store
        .get_app_by_client_id(audience)
        .await?
        .is_some_and(|a| a.organization_id == org_id && app_allows(&a, origin)))
}

/// The `Origin` header as applications list it (lower case, no trailing slash), if it is a
/// plain origin at all.
pub fn normalize(origin: &str) -> Option<String> {
    crate::validate::origin(origin).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cors_paths_and_headers() {
        assert!(is_cors_path("/api/v1/auth/login"));
        assert!(is_cors_path("/.well-known/jwks.json"));
        // The signed-in user's own factors, from the application's pages.
        assert!(is_cors_path("/api/v1/mfa/authenticators"));
        assert!(is_cors_path("/api/v1/passkeys/register/options"));
        assert!(
            !is_cors_path("/api/v1/users"),
            "administrative routes stay same-origin"
        );
        assert!(!is_cors_path("/api/login"));
        let h = preflight_headers("https://app.example.com");
        assert!(h.contains(&(
            "access-control-allow-origin",
            "https://app.example.com".into()
        )));
        assert!(h.contains(&("access-control-allow-credentials", "true".into())));
        assert!(h
            .iter()
            .any(|(k, v)| *k == "access-control-allow-headers" && v.contains("x-csrf-token")));
        assert_eq!(
            normalize("https://App.Example.com").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(normalize("null"), None);
        assert_eq!(
            normalize("http://evil.example.com"),
            None,
            "plain http only for loopback"
        );
    }
}
