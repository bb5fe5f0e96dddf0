//! Input validation and normalisation. Each failure names its field in the error code.

use unicode_normalization::UnicodeNormalization;

use crate::Error;

/// The email as stored for display, and its normalised form (NFKC, lower-cased) used for
/// uniqueness and look-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub display: String,
    pub normalized: String,
}

pub fn email(raw: &str) -> Result<Email, Error> {
    let bad = |why: &str| Error::invalid_field("INVALID_EMAIL", format!("email {why}"));
    let display: String = raw.trim().nfc().collect();
    if display.is_empty() {
        return Err(bad("is required"));
    }
    if display.len() > 254 {
        return Err(bad("is longer than 254 bytes"));
    }
    if display
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
    {
        return Err(bad("contains characters that are not allowed"));
    }
    let Some((local, domain)) = display.rsplit_once('@') else {
        return Err(bad("must contain @"));
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return Err(bad("has an invalid local part"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(bad("has an invalid domain"));
    }
    let normalized = display.nfkc().collect::<String>().to_lowercase();
    Ok(Email {
        display,
        normalized,
    })
}

/// A display name: 1 to `max` characters after trimming, no control characters.
pub fn name(field_code: &'static str, raw: &str, max: usize) -> Result<String, Error> {
    let v: String = raw.trim().nfc().collect();
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::invalid_field(
            field_code,
            format!("must have 1 to {max} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid_field(
            field_code,
            "must not contain control characters",
        ));
    }
    Ok(v)
}

/// An identifier-like name (role, permission, username): 1 to `max` of `[a-z0-9._:-]`,
/// lower-cased.
pub fn slug(field_code: &'static str, raw: &str, max: usize) -> Result<String, Error> {
    let v = raw.trim().to_lowercase();
    let ok = !v.is_empty()
        && v.len() <= max
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._:-".contains(&b));
    if ok {
        Ok(v)
    } else {
        Err(Error::invalid_field(
            field_code,
            format!("must have 1 to {max} of a-z, 0-9, '.', '_', ':', '-'"),
        ))
    }
}

/// A DNS host name, lower-cased.
pub fn domain(raw: &str) -> Result<String, Error> {
    let v = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels_ok = v.split('.').count() >= 2
        && v.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if v.len() <= 253 && labels_ok {
        Ok(v)
    } else {
        Err(Error::invalid_field(
            "INVALID_CUSTOM_DOMAIN",
            "custom_domain must be a DNS host name",
        ))
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]"
}

/// Splits `scheme://authority/rest` and checks the scheme and host. HTTPS is required except
/// for loopback hosts (development).
fn split_url(raw: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = raw.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || authority.starts_with('[') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            h
        }
        _ => authority,
    };
    let host_ok = !host.is_empty()
        && !authority.contains('@')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    let scheme_ok =
        scheme == "https" || (scheme == "http" && is_loopback(&host.to_ascii_lowercase()));
    (host_ok && scheme_ok).then_some((scheme, authority, path))
}

/// A web origin: `https://host[:port]` (http only for loopback), no path.
pub fn origin(raw: &str) -> Result<String, Error> {
    let bad = || {
        Error::invalid_field(
            "INVALID_ALLOWED_ORIGINS",
            format!("{raw:?} is not an https origin"),
        )
    };
    let (scheme, authority, path) = split_url(raw.trim()).ok_or_else(bad)?;
    if !path.is_empty() {
        return Err(bad());
    }
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// A redirect URI: absolute https URL (http only for loopback) without a fragment.
pub fn redirect_uri(raw: &str) -> Result<String, Error> {
    let v = raw.trim();
    let ok = split_url(v).is_some()
        && !v.contains('#')
        && v.len() <= 2048
        && !v.chars().any(char::is_whitespace);
    if ok {
        Ok(v.to_owned())
    } else {
        Err(Error::invalid_field(
            "INVALID_REDIRECT_URIS",
            format!("{raw:?} is not an https URL without a fragment"),
        ))
    }
}

/// A list of at most `max` items, each validated, without duplicates (first kept).
pub fn list<T: PartialEq>(
    field_code: &'static str,
    items: &[String],
    max: usize,
    each: impl Fn(&str) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    if items.len() > max {
        return Err(Error::invalid_field(
            field_code,
            format!("at most {max} entries"),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let v = each(item)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_validate_email_normalises_case_and_unicode() {
        let e = email("  Alice@Example.COM ").unwrap();
        assert_eq!(e.display, "Alice@Example.COM");
        assert_eq!(e.normalized, "alice@example.com");
        // Full-width letters fold under NFKC; the composed and decomposed é meet too.
        assert_eq!(
            email("ＡＬＩＣＥ@example.com").unwrap().normalized,
            "alice@example.com"
        );
        assert_eq!(
            email("jos\u{e9}@example.com").unwrap().normalized,
            email("jose\u{301}@example.com").unwrap().normalized
        );
    }

    #[test]
    fn test_validate_email_rejects_malformed() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a@@example.com",
            "a@-x.com",
            "a@example..com",
            "<a>@example.com",
        ] {
            assert_eq!(email(bad).unwrap_err().code(), "INVALID_EMAIL", "{bad:?}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn test_validate_names_and_slugs() {
        assert_eq!(name("INVALID_NAME", "  Acme  ", 10).unwrap(), "Acme");
        assert!(name("INVALID_NAME", "   ", 10).is_err());
        assert!(name("INVALID_NAME", "a\u{0}b", 10).is_err());
        assert!(name("INVALID_NAME", &"x".repeat(11), 10).is_err());
        assert_eq!(
            slug("INVALID_ROLE_NAME", "Users:Read", 20).unwrap(),
            "users:read"
        );
        assert_eq!(
            slug("INVALID_ROLE_NAME", "has space", 20)
                .unwrap_err()
                .code(),
            "INVALID_ROLE_NAME"
        );
    }

    #[test]
    fn test_validate_domains() {
        assert_eq!(domain("Login.Example.com.").unwrap(), "login.example.com");
        for bad in [
            "localhost",
            "exa_mple.com",
            "-a.com",
            "a..com",
            "https://a.com",
        ] {
            assert!(domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn test_validate_origins_and_redirects() {
        assert_eq!(
            origin("https://App.Example.com").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(
            origin("http://127.0.0.1:8787").unwrap(),
            "http://127.0.0.1:8787"
        );
        for bad in [
            "http://example.com",
            "https://example.com/path",
            "example.com",
            "https://",
            "https://a.com:x",
            "https://user@a.com",
            "javascript://a.com",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
        assert!(redirect_uri("https://app.example.com/callback?x=1").is_ok());
        assert!(redirect_uri("http://localhost:3000/cb").is_ok());
        for bad in [
            "https://a.com/cb#frag",
            "http://evil.com/cb",
            "/relative",
            "https://a.com/c b",
        ] {
            assert!(redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn test_validate_list_dedups_and_bounds() {
        let items = vec!["https://a.com".to_owned(), "https://A.com".to_owned()];
        assert_eq!(
            list("INVALID_ALLOWED_ORIGINS", &items, 5, origin).unwrap(),
            vec!["https://a.com"]
        );
        assert!(list("INVALID_ALLOWED_ORIGINS", &items, 1, origin).is_err());
    }
}
