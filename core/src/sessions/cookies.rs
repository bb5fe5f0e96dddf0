//! Cookies for browser clients: HttpOnly where scripts need not read them, Secure and
//! `__Host-`-prefixed except on plain-HTTP loopback, SameSite=Lax or Strict; and the CSRF
//! check for requests that a cookie authenticates, bound to the session.

use crate::rand::hex;
use crate::secrets::{ct_eq, hmac_sha256};

/// Browser-mode refresh token (native API) and its CSRF companion, readable by scripts and
/// echoed in [`CSRF_HEADER`]. On HTTPS deployments both carry the `__Host-` prefix (Secure,
/// Path=/, no Domain: no subdomain can set or shadow them); see [`names`].
pub const REFRESH_COOKIE: &str = "lk_refresh";
pub const CSRF_COOKIE: &str = "lk_csrf";
pub const REFRESH_COOKIE_HOST: &str = "__Host-lk_refresh";
pub const CSRF_COOKIE_HOST: &str = "__Host-lk_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The names of the browser-mode cookies for a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Names {
    pub refresh: &'static str,
    pub csrf: &'static str,
}

/// `__Host-` names wherever cookies are Secure, plain names on loopback HTTP (where browsers
/// refuse the prefix).
pub fn names(issuer: &str) -> Names {
    if is_local(issuer) {
        Names {
            refresh: REFRESH_COOKIE,
            csrf: CSRF_COOKIE,
        }
    } else {
        Names {
            refresh: REFRESH_COOKIE_HOST,
            csrf: CSRF_COOKIE_HOST,
        }
    }
}

/// The CSRF value of a session: HMAC-SHA-256 of its id under the deployment's CSRF secret,
/// so a value works only for its own session and cannot be made without the secret.
pub fn csrf_token(secret: &[u8], session_id: &str) -> String {
    hex(&hmac_sha256(
        secret,
        format!("csrf:{session_id}").as_bytes(),
    ))
}

/// Whether the presented CSRF header is the session's value (constant time).
pub fn csrf_ok(secret: &[u8], session_id: &str, header_value: Option<&str>) -> bool {
    header_value.is_some_and(|h| {
        ct_eq(
            csrf_token(secret, session_id).as_bytes(),
            h.trim().as_bytes(),
        )
    })
}

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

/// The browser-mode pair: the refresh token (HttpOnly, Strict) and the CSRF token
/// (readable, Strict), both on `/` as the `__Host-` prefix requires. `max_age_secs` 0 clears
/// both.
pub fn browser_mode(refresh: &str, csrf: &str, max_age_secs: i64, issuer: &str) -> [String; 2] {
    let names = names(issuer);
    [
        Cookie {
            same_site: "Strict",
            ..Cookie::new(names.refresh, refresh, Some(max_age_secs))
        }
        .render(issuer),
        Cookie {
            http_only: false,
            same_site: "Strict",
            ..Cookie::new(names.csrf, csrf, Some(max_age_secs))
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
    fn test_cookies_browser_mode_pair_host_prefixed_on_https() {
        let [r, c] = browser_mode("lkr_x", "csrf1", 100, "https://auth.example.com");
        assert_eq!(
            r,
            "__Host-lk_refresh=lkr_x; Path=/; HttpOnly; SameSite=Strict; Max-Age=100; Secure"
        );
        assert_eq!(
            c,
            "__Host-lk_csrf=csrf1; Path=/; SameSite=Strict; Max-Age=100; Secure"
        );
        let [r, _] = browser_mode("lkr_x", "csrf1", 100, "http://127.0.0.1:8787");
        assert_eq!(
            r,
            "lk_refresh=lkr_x; Path=/; HttpOnly; SameSite=Strict; Max-Age=100"
        );
    }

    #[test]
    fn test_cookies_get_and_csrf_bound_to_the_session() {
        let h = Some("a=1; lk_csrf=tok ; lk_refresh=lkr_abc");
        assert_eq!(get(h, "lk_refresh"), Some("lkr_abc"));
        assert_eq!(get(h, "c"), None);
        assert_eq!(get(Some("x="), "x"), None);
        let secret = b"0123456789abcdef0123456789abcdef";
        let mine = csrf_token(secret, "session-1");
        assert_eq!(mine.len(), 64);
        assert!(csrf_ok(secret, "session-1", Some(&mine)));
        assert!(
            !csrf_ok(secret, "session-2", Some(&mine)),
            "another session's value"
        );
        assert!(!csrf_ok(
            b"another secret, another deploymnt",
            "session-1",
            Some(&mine)
        ));
        assert!(!csrf_ok(secret, "session-1", None));
        assert!(!csrf_ok(secret, "session-1", Some("")));
    }
}
