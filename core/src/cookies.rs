//! Cookies for browser clients: HttpOnly, Secure except on localhost, SameSite=Lax.

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

/// A `Set-Cookie` value. `max_age_secs` `None` makes a session cookie; `Some(0)` deletes.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, issuer: &str) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={}", age.max(0)));
    }
    if !is_local(issuer) {
        c.push_str("; Secure");
    }
    c
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
    fn test_cookies_get() {
        let h = Some("a=1; refresh_token=lkr_abc ; b=2");
        assert_eq!(get(h, "refresh_token"), Some("lkr_abc"));
        assert_eq!(get(h, "c"), None);
        assert_eq!(get(Some("refresh_token="), "refresh_token"), None);
        assert_eq!(get(None, "a"), None);
    }
}
