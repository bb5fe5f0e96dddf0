//! Cookies for browser clients: HttpOnly where scripts need not read them, Secure except on
//! localhost, SameSite=Lax or Strict; and the double-submit CSRF check for requests that a
//! cookie authenticates.

use crate::secrets::ct_eq;

/// Browser-mode refresh token (native API), scoped to the auth routes.
pub const REFRESH_COOKIE: &str = "lk_refresh";
/// Its CSRF companion, readable by scripts, echoed in [`CSRF_HEADER`].
pub const CSRF_COOKIE: &str = "lk_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Whether cookies for `issuer` may omit `Secure` (plain-HTTP development on loopback).
pub fn is_local(issuer: &str) -> bool {
    let host = issuer
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    matches!(host, "localhost" | "127.0.0.1" | "[")
}

/// A `Set-Cookie` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub path: &'a str,
    /// `None`: a session cookie; `Some(0)`: delete it.
    pub max_age_secs: Option<i64>,
    pub http_only: bool,
    /// `Lax` or `Strict`.
    pub same_site: &'a str,
}

impl<'a> Cookie<'a> {
    /// An HttpOnly, SameSite=Lax cookie on `/`.
    pub fn new(name: &'a str, value: &'a str, max_age_secs: Option<i64>) -> Self {
        Cookie {
            name,
            value,
            path: "/",
            max_age_secs,
            http_only: true,
            same_site: "Lax",
        }
    }

    pub fn render(&self, issuer: &str) -> String {
        let mut c = format!("{}={}; Path={}", self.name, self.value, self.path);
        if self.http_only {
            c.push_str("; HttpOnly");
        }
        c.push_str("; SameSite=");
        c.push_str(self.same_site);
        if let Some(age) = self.max_age_secs {
            c.push_str(&format!("; Max-Age={}", age.max(0)));
        }
        if !is_local(issuer) {
            c.push_str("; Secure");
        }
        c
    }
}

/// A `Set-Cookie` value for an HttpOnly, SameSite=Lax cookie on `/`.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, issuer: &str) -> String {
    Cookie::new(name, value, max_age_secs).render(issuer)
}

/// The browser-mode pair: the refresh token (HttpOnly, Strict, auth routes only) and the
/// CSRF token (readable, Strict). `Some(0)` clears both.
pub fn browser_mode(refresh: &str, csrf: &str, max_age_secs: i64, issuer: &str) -> [String; 2] {
    [
        Cookie {
            path: "/api/v1/auth",
            same_site: "Strict",
            ..Cookie::new(REFRESH_COOKIE, refresh, Some(max_age_secs))
        }
        .render(issuer),
        Cookie {
            http_only: false,
            same_site: "Strict",
            ..Cookie::new(CSRF_COOKIE, csrf, Some(max_age_secs))
        }
        .render(issuer),
    ]
}

/// The value of cookie `name` in a `Cookie` header.
pub fn get<'a>(cookie_header: Option<&'a str>, name: &str) -> Option<&'a str> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Double-submit check: the header must carry the CSRF cookie's value.
pub fn csrf_ok(cookie_header: Option<&str>, header_value: Option<&str>) -> bool {
    match (get(cookie_header, CSRF_COOKIE), header_value) {
        (Some(c), Some(h)) => ct_eq(c.as_bytes(), h.trim().as_bytes()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cookies_secure_except_on_loopback() {
        let prod = set_cookie("refresh_token", "abc", Some(60), "https://auth.example.com");
        assert_eq!(
            prod,
            "refresh_token=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let local = set_cookie("access_token", "t", None, "http://127.0.0.1:8787");
        assert_eq!(local, "access_token=t; Path=/; HttpOnly; SameSite=Lax");
        assert!(is_local("http://localhost:3000"));
        assert!(!is_local("https://localhost.evil.com"));
        assert!(set_cookie("x", "", Some(0), "http://localhost").contains("Max-Age=0"));
    }

    #[test]
    fn test_cookies_browser_mode_pair() {
        let [r, c] = browser_mode("lkr_x", "csrf1", 100, "https://auth.example.com");
        assert_eq!(
            r,
            "lk_refresh=lkr_x; Path=/api/v1/auth; HttpOnly; SameSite=Strict; Max-Age=100; Secure"
        );
        assert_eq!(
            c,
            "lk_csrf=csrf1; Path=/; SameSite=Strict; Max-Age=100; Secure"
        );
    }

    #[test]
    fn test_cookies_get_and_csrf() {
        let h = Some("a=1; lk_csrf=tok ; lk_refresh=lkr_abc");
        assert_eq!(get(h, "lk_refresh"), Some("lkr_abc"));
        assert_eq!(get(h, "c"), None);
        assert_eq!(get(Some("x="), "x"), None);
        assert!(csrf_ok(h, Some("tok")));
        assert!(!csrf_ok(h, Some("other")));
        assert!(!csrf_ok(h, None));
        assert!(!csrf_ok(Some("a=1"), Some("")));
    }
}
