//! Input validation and normalisation. Each failure names its field in the error code.

use crate::Error;

/// The email as stored for display, and its normalised form used for uniqueness and
/// look-ups ([`fold`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub display: String,
    pub normalized: String,
}

// ---- identifiers: emails, usernames, login ids ------------------------------------------------
//
// A PRECIS-style profile (RFC 8264 IdentifierClass, RFC 8265 UsernameCaseMapped), applied
// to the same normalised form at every door (user creation and update, sign-up, look-ups,
// native and seed 003 logins), so that one input always gets one answer:
//
// 1. Map: trim spaces, then NFKC (width mapping, so a fullwidth ＠ is '@'; compatibility
//    forms). This is the form validated and displayed.
// 2. Validate: every character is printable ASCII or a letter, mark or decimal digit
//    (Lu Ll Lt Lm Lo Mn Mc Nd): control, format (zero-width, bidirectional controls, tags),
//    private-use, surrogate, unassigned, whitespace, and non-ASCII symbols and punctuation
//    are refused. No label (the parts between '@' and '.') starts with a combining mark or
//    mixes scripts (Latin with Cyrillic or Greek...); Common and Inherited characters (digits,
//    '-', '_') go with any, and Han goes with Hiragana and Katakana, Hangul, or Bopomofo.
// 3. Compare: [`fold`], Unicode default case folding rather than lower-casing.
//
// Approximations, stated: the mapping is full NFKC where PRECIS maps width only and refuses
// other compatibility characters; RFC 5893's bidi rule for right-to-left labels is not
// applied (bidi controls are refused in step 2). The categories and scripts come from `ucd`:
// icu_properties natively, the runtime's regular expressions in wasm.

pub mod case;
mod ucd;

/// Why an identifier's characters are refused, if they are ([`identifier`]'s step 2).
fn identifier_chars(v: &str) -> Result<(), &'static str> {
    use ucd::Category;
    for c in v.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() {
                return Err("must not contain control characters");
            }
            if c == ' ' {
                return Err("must not contain spaces");
            }
            continue;
        }
        match ucd::category(c) {
            Category::Letter | Category::Mark => {}
            Category::Control => return Err("must not contain control characters"),
            Category::Format => {
                return Err("must not contain invisible or direction-changing characters")
            }
            Category::Space => return Err("must not contain spaces"),
            Category::Unassigned => {
                return Err("must not contain private-use or unassigned characters")
            }
            Category::Symbol => {
                return Err("must not contain symbols or punctuation outside ASCII")
            }
        }
    }
    for label in v.split(['@', '.']) {
        if label
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii() && ucd::category(c) == Category::Mark)
        {
            return Err("has a part that starts with a combining mark");
        }
        let mut scripts: Vec<&str> = Vec::new();
        for s in label.chars().filter_map(ucd::script) {
            if !scripts.contains(&s) {
                scripts.push(s);
            }
        }
        let within = |allowed: &[&str]| scripts.iter().all(|s| allowed.contains(s));
        let one_script = scripts.len() <= 1
            || within(&["Hani", "Hira", "Kana"])
            || within(&["Hani", "Hang"])
            || within(&["Hani", "Bopo"]);
        if !one_script {
            return Err("mixes scripts (such as Latin and Cyrillic) in one part");
        }
    }
    Ok(())
}

/// Identifiers and what the profile says of them: `None` accepted, `Some(word)` refused with
/// a message that has `word` in it. Checked natively (`test_validate_identifier_vectors`) and
/// in the browser, where the runtime's Unicode properties are used (sdk/tests/browser.rs).
#[doc(hidden)]
pub const IDENTIFIER_VECTORS: &[(&str, Option<&str>)] = &[
    ("ali\u{200B}ce@example.com", Some("invisible")),
    ("alice\u{200D}@example.com", Some("invisible")),
    ("\u{202E}ecila@example.com", Some("direction")),
    ("alice\u{2066}@example.com", Some("direction")),
    ("alice@exam\u{2060}ple.com", Some("invisible")),
    ("alice\u{E0061}@example.com", Some("invisible")),
    ("alice\u{FEFF}@example.com", Some("invisible")),
    ("\u{430}lice@example.com", Some("scripts")),
    ("alice@ex\u{430}mple.com", Some("scripts")),
    ("\u{3bf}scar@example.com", Some("scripts")),
    ("ζeus@example.com", Some("scripts")),
    ("مrk@example.com", Some("scripts")),
    ("カタカナ한글@example.jp", Some("scripts")),
    ("alice\u{E000}@example.com", Some("private-use")),
    ("alice\u{378}@example.com", Some("unassigned")),
    ("alice\u{A0}x@example.com", Some("spaces")),
    ("alice\u{3000}x@example.com", Some("spaces")),
    ("alice\u{2028}x@example.com", Some("spaces")),
    ("alice\u{85}x@example.com", Some("control")),
    ("\talice@example.com", Some("control")),
    ("alice@example.com\r", Some("control")),
    ("alice\u{2605}@example.com", Some("symbols")),
    ("alice\u{20AC}@example.com", Some("symbols")),
    ("alice\u{BF}@example.com", Some("punctuation")),
    ("alice\u{20DD}@example.com", Some("symbols")),
    ("alice@\u{301}example.com", Some("combining")),
    ("\u{903}alice@example.com", Some("combining")),
    ("иван-42@example.com", None),
    ("ελένη_7@example.gr", None),
    ("山田たろう@example.jp", None),
    ("カタカナ漢字@example.jp", None),
    ("홍길동漢@example.kr", None),
    ("ㄅㄆ漢@example.tw", None),
    ("josé@exämple.com", None),
    ("jose\u{301}@example.com", None),
    ("иван@пример.рф", None),
    ("o'brien+tag@example.com", None),
    ("محمد@example.com", None),
    ("राम३@example.in", None),
    ("ราม@example.th", None),
    ("ǅemal@example.com", None),
    ("ʰello@example.com", None),
];

/// Unicode normalization forms. In wasm the runtime's own (`String.prototype.normalize`: ICU
/// in workerd and in browsers) is used, so the `.wasm` carries no normalization tables;
/// natively, `unicode-normalization`. [`FOLD_VECTORS`] is checked both ways.
pub(crate) mod normal {
    #[cfg(target_arch = "wasm32")]
    fn form(s: &str, form: &str) -> String {
        String::from(js_sys::JsString::from(s).normalize(form))
    }

    #[cfg(target_arch = "wasm32")]
    pub fn nfc(s: &str) -> String {
        form(s, "NFC")
    }

    #[cfg(target_arch = "wasm32")]
    pub fn nfkc(s: &str) -> String {
        form(s, "NFKC")
    }

    #[cfg(target_arch = "wasm32")]
    pub fn nfkd(s: &str) -> String {
        form(s, "NFKD")
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn nfc(s: &str) -> String {
        unicode_normalization::UnicodeNormalization::nfc(s).collect()
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn nfkc(s: &str) -> String {
        unicode_normalization::UnicodeNormalization::nfkc(s).collect()
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn nfkd(s: &str) -> String {
        unicode_normalization::UnicodeNormalization::nfkd(s).collect()
    }
}

/// Inputs and the form [`fold`] gives them, checked natively (`test_validate_fold_vectors`)
/// and in the browser, where the runtime normalizes (sdk/tests/browser.rs).
#[doc(hidden)]
pub const FOLD_VECTORS: &[(&str, &str)] = &[
    ("straße", "strasse"),
    ("STRASSE", "strasse"),
    ("ＡＢＣ", "abc"),
    ("ﬁne", "fine"),
    ("\u{212A}elvin", "kelvin"),
    ("jose\u{301}", "jos\u{e9}"),
    ("\u{212B}", "\u{e5}"),
    ("ΟΔΟΣ", "οδοσ"),
    ("\u{1FB3}", "αι"),
    ("ǰ", "\u{1F0}"),
    ("①", "1"),
    ("㍿", "株式会社"),
    ("한글", "한글"),
    ("\u{1100}\u{1161}\u{11A8}", "\u{AC01}"),
];

/// Step 1 of the profile: spaces trimmed (nothing else: a control character at either end
/// is refused, not dropped), then NFKC.
fn mapped(raw: &str) -> String {
    normal::nfkc(raw.trim_matches(' '))
}

/// Unicode default case folding (full, as in `CaseFolding.txt` C + F), then NFKC: the form
/// identifiers are compared in. `to_lowercase` differs from folding for a handful of
/// characters, handled here: `ß` and `ẞ` fold to "ss", final `ς` to `σ`, the iota subscript
/// (U+0345, also inside precomposed Greek letters, reached through NFKD) to `ι`, Cherokee
/// small letters to the capitals (which stay), and the old Cyrillic letter variants
/// U+1C80..U+1C88 to their letters. Everything else folds as it lower-cases (NFKC first takes
/// care of the compatibility forms, such as `ſ`, `ϐ` or `ﬁ`, that folding also maps).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in normal::nfkd(s).chars() {
        let cp = u32::from(c);
        let folded = match c {
            'ß' | '\u{1E9E}' => {
                out.push_str("ss");
                continue;
            }
            'ς' => 'σ',
            '\u{345}' => 'ι',
            '\u{13A0}'..='\u{13F5}' => c,
            '\u{13F8}'..='\u{13FD}' => char::from_u32(cp - 8).unwrap_or(c),
            '\u{AB70}'..='\u{ABBF}' => char::from_u32(cp - 0xAB70 + 0x13A0).unwrap_or(c),
            '\u{1C80}' => 'в',
            '\u{1C81}' => 'д',
            '\u{1C82}' => 'о',
            '\u{1C83}' => 'с',
            '\u{1C84}' | '\u{1C85}' => 'т',
            '\u{1C86}' => 'ъ',
            '\u{1C87}' => 'ѣ',
            '\u{1C88}' => '\u{A64B}',
            _ => {
                case::push_lower(&mut out, c);
                continue;
            }
        };
        out.push(folded);
    }
    normal::nfkc(&out)
}

pub fn email(raw: &str) -> Result<Email, Error> {
    let bad = |why: &str| Error::invalid_field("INVALID_EMAIL", format!("email {why}"));
    let display = mapped(raw);
    if display.is_empty() {
        return Err(bad("is required"));
    }
    if display.len() > 254 {
        return Err(bad("is longer than 254 bytes"));
    }
    identifier_chars(&display).map_err(bad)?;
    if display.chars().any(|c| "<>()[],;:\\\"".contains(c)) {
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
    let normalized = fold(&display);
    Ok(Email {
        display,
        normalized,
    })
}

/// A username: after the profile's mapping and [`fold`], 3 to 64 of `[a-z0-9._:-]` (so
/// `ＡＬＩＣＥ` is `alice`, at creation as at login).
pub fn username(raw: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::invalid_field("INVALID_USERNAME", format!("username {why}"));
    let v = fold(&mapped(raw));
    if v.chars().any(char::is_control) {
        return Err(bad("must not contain control characters"));
    }
    let v = slug("INVALID_USERNAME", &v, 64)?;
    if v.contains('@') || v.len() < 3 {
        return Err(bad("must have 3 to 64 characters"));
    }
    Ok(v)
}

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not 0. Spaces, dots,
/// hyphens and parentheses typed between digits are dropped. Invalid is `INVALID_PHONE`.
pub fn phone(raw: &str) -> Result<String, Error> {
    let bad = || {
        Error::invalid_field(
            "INVALID_PHONE",
            "phone must be an international number in E.164 form, like +14155550100",
        )
    };
    let t = raw.trim();
    let rest = t.strip_prefix('+').ok_or_else(bad)?;
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(bad());
    }
    Ok(format!("+{digits}"))
}

/// A login id as typed (an email or a username), validated like the email or username it
/// names and returned in the form accounts are found by. Invalid is `INVALID_LOGIN_ID`.
pub fn login_id(raw: &str) -> Result<String, Error> {
    let bad = |why: String| Error::invalid_field("INVALID_LOGIN_ID", format!("login_id {why}"));
    let v = mapped(raw);
    if v.is_empty() {
        return Err(bad("is required".into()));
    }
    if v.chars().any(char::is_control) {
        return Err(bad("must not contain control characters".into()));
    }
    let found = if v.contains('@') {
        email(&v).map(|e| e.normalized)
    } else {
        username(&v)
    };
    found.map_err(|e| {
        bad(format!(
            "is not a valid email or username: {}",
            e.public_message()
        ))
    })
}

/// A display name: 1 to `max` characters after trimming, no control characters.
pub fn name(field_code: &'static str, raw: &str, max: usize) -> Result<String, Error> {
    let v = normal::nfc(raw.trim());
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
    let v = case::lower(raw.trim());
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

/// The origin (`scheme://authority`, lower case) of an https URL (http only for loopback).
pub fn url_origin(raw: &str) -> Option<String> {
    let (scheme, authority, _) = split_url(raw.trim())?;
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
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

/// The pairs of an `application/x-www-form-urlencoded` body or query string, decoded (`+` is
/// a space, `%XX` a byte); `None` if a pair is not UTF-8 once decoded or has a broken
/// escape.
pub fn form_decode(input: &[u8]) -> Option<Vec<(String, String)>> {
    form_pairs(input)
        .map(|(k, v)| {
            let k = String::from_utf8(percent_decode(k, false)?).ok()?;
            Some((k, String::from_utf8(percent_decode(v, false)?).ok()?))
        })
        .collect()
}

/// The pairs as browsers and the WHATWG URL standard decode a query: a broken escape stays
/// as written and bytes that are not UTF-8 become U+FFFD, so every input has pairs.
pub fn form_decode_lossy(input: &[u8]) -> Vec<(String, String)> {
    let text = |part: &[u8]| {
        let bytes = percent_decode(part, true).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    form_pairs(input).map(|(k, v)| (text(k), text(v))).collect()
}

/// The non-empty `name=value` pieces between '&'s, still encoded.
fn form_pairs(input: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    input
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        })
}

/// `+` as a space and `%XX` as its byte. A broken escape is kept as written when `lossy`,
/// else it makes the whole part `None`.
fn percent_decode(part: &[u8], lossy: bool) -> Option<Vec<u8>> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                part.get(i + 1).and_then(|&b| hex(b)),
                part.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => {
                    // Two hex digits: at most 0xFF.
                    out.push(u8::try_from(hi * 16 + lo).ok()?);
                    i += 2;
                }
                _ if lossy => out.push(b'%'),
                _ => return None,
            },
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn test_validate_form_decode() {
        let pairs = |s: &str| form_decode(s.as_bytes());
        assert_eq!(
            pairs(
                "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fa.example%2Fcb&x=a+b&e="
            ),
            Some(vec![
                ("grant_type".into(), "authorization_code".into()),
                ("redirect_uri".into(), "https://a.example/cb".into()),
                ("x".into(), "a b".into()),
                ("e".into(), "".into()),
            ])
        );
        assert_eq!(
            pairs("a=%C3%A9&&b"),
            Some(vec![("a".into(), "é".into()), ("b".into(), "".into())])
        );
        assert_eq!(pairs(""), Some(vec![]));
        for bad in ["a=%", "a=%2", "a=%zz", "a=%FF"] {
            assert_eq!(pairs(bad), None, "{bad}");
        }
    }

    #[test]
    fn test_validate_phone_numbers_are_e164() {
        assert_eq!(phone("+1 (415) 555-0100").unwrap(), "+14155550100");
        assert_eq!(phone(" +33 6 12 34 56 78 ").unwrap(), "+33612345678");
        for bad in [
            "4155550100",
            "+0123456789",
            "+1234567",
            "+1234567890123456",
            "+1415abc0100",
            "",
            "+",
        ] {
            assert_eq!(phone(bad).unwrap_err().code(), "INVALID_PHONE", "{bad:?}");
        }
    }

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
    fn test_validate_fullwidth_at_is_the_same_address_everywhere() {
        let e = email("ｗide＠example.com").unwrap();
        assert_eq!(e.display, "wide@example.com");
        assert_eq!(e.normalized, "wide@example.com");
        // Login finds what creation stored, for the same input.
        assert_eq!(login_id("ｗide＠example.com").unwrap(), e.normalized);
        assert_eq!(login_id("WIDE@example.com").unwrap(), e.normalized);
    }

    #[test]
    fn test_validate_identifier_vectors() {
        for (input, refused) in IDENTIFIER_VECTORS {
            match refused {
                Some(why) => {
                    let err = email(input).unwrap_err();
                    assert_eq!(err.code(), "INVALID_EMAIL", "{input:?}");
                    assert!(err.public_message().contains(why), "{input:?}: {err}");
                    assert_eq!(
                        login_id(input).unwrap_err().code(),
                        "INVALID_LOGIN_ID",
                        "{input:?}"
                    );
                }
                None => {
                    let e = email(input).unwrap_or_else(|e| panic!("{input}: {e}"));
                    assert_eq!(login_id(input).unwrap(), e.normalized, "{input}");
                }
            }
        }
    }

    #[test]
    fn test_validate_fold_vectors() {
        for (input, folded) in FOLD_VECTORS {
            assert_eq!(fold(input), *folded, "{input:?}");
        }
        assert_eq!(name("X", " e\u{301}ric ", 10).unwrap(), "\u{e9}ric");
    }

    #[test]
    fn test_validate_fold_is_case_folding_not_lower_casing() {
        for (a, b) in [
            ("straße", "STRASSE"),
            ("straße", "strasse"),
            ("\u{1E9E}", "ss"),
            ("οδος", "ΟΔΟΣ"),
            ("οδος", "οδοσ"),
            ("\u{1FB3}", "αι"),
            ("\u{1FBC}", "αι"),
            ("\u{212A}elvin", "kelvin"),
            ("ﬁne", "FINE"),
            ("ſ", "s"),
            ("\u{13F8}", "\u{13F0}"),
            ("\u{AB70}", "\u{13A0}"),
            ("\u{1C80}", "в"),
            ("İ", "i\u{307}"),
            ("ＡＢＣ", "abc"),
        ] {
            assert_eq!(fold(a), fold(b), "{a:?} {b:?}");
        }
        assert_ne!(
            fold("\u{13A0}"),
            "\u{AB70}",
            "Cherokee folds to the capitals"
        );
        for s in [
            "straße",
            "ΟΔΟΣ",
            "\u{1FB3}x",
            "İstanbul",
            "ǰ",
            "ﬃ",
            "Ꭰꭰ",
            "ΐ",
        ] {
            assert_eq!(fold(&fold(s)), fold(s), "idempotent on {s:?}");
        }
        assert_eq!(
            email("STRASSE@example.com").unwrap().normalized,
            email("straße@example.com").unwrap().normalized
        );
    }

    #[test]
    fn test_validate_usernames_and_login_ids() {
        assert_eq!(username("ＵＳＥＲ42").unwrap(), "user42");
        assert_eq!(username(" Alice.B ").unwrap(), "alice.b");
        for bad in ["ab", "a@b", "ctl\u{7}x", "tab\tx", "zw\u{200B}sp", "ivаn"] {
            assert_eq!(
                username(bad).unwrap_err().code(),
                "INVALID_USERNAME",
                "{bad:?}"
            );
        }
        assert_eq!(login_id("ＵＳＥＲ42").unwrap(), "user42");
        assert_eq!(
            login_id("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        for bad in [
            "",
            "   ",
            "\tuser42",
            "user42\r",
            "us\u{0}er",
            "ab",
            "a b",
            "x@y",
        ] {
            assert_eq!(
                login_id(bad).unwrap_err().code(),
                "INVALID_LOGIN_ID",
                "{bad:?}"
            );
        }
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
