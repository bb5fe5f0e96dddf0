//! Cross-origin access for the browser SDK: the routes a signed-in user's browser calls
//! answer CORS requests from origins that an application of this deployment allows, with
//! credentials (the browser-mode cookies) and the CSRF header permitted.

/// Paths the SDK calls from an application's pages.
pub fn is_cors_path(path: &str) -> bool {
    ["/api/v1/auth/", "/api/v1/config/", "/.well-known/"]
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
