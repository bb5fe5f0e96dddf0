//! User-agent parsing with a small table of our own: browser name and version, operating
//! system and version, and device class. Enough for login history and sessions; a full
//! parsing crate would add hundreds of kilobytes of regular expressions to the `.wasm`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    Desktop,
    Mobile,
    Tablet,
    Bot,
}

impl DeviceClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Desktop => "desktop",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Bot => "bot",
        }
    }
}

/// What a user agent says about the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Agent {
    pub browser: Option<String>,
    pub browser_version: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub device: Option<DeviceClass>,
}

/// The version after `token` (up to the first character that is not a digit or `.`/`_`).
fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = ua.find(token)? + token.len();
    let v: String = ua[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    let v = v.trim_end_matches('.').to_owned();
    (!v.is_empty()).then_some(v)
}

fn major(v: Option<String>) -> Option<String> {
    v.map(|v| v.split('.').next().unwrap_or("").to_owned())
}

/// Agents that announce themselves as automated, by a substring (lower case) and a name.
const BOTS: &[(&str, &str)] = &[
    ("googlebot", "Googlebot"),
    ("bingbot", "Bingbot"),
    ("amazon cloudfront", "Amazon CloudFront"),
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests/", "python-requests"),
    ("go-http-client/", "Go HTTP client"),
    ("okhttp/", "OkHttp"),
    ("postmanruntime/", "Postman"),
    ("headlesschrome/", "Headless Chrome"),
    ("bot", "Bot"),
    ("spider", "Bot"),
    ("crawl", "Bot"),
];

/// Browsers, most specific first: (token in the UA, name, version token).
const BROWSERS: &[(&str, &str, &str)] = &[
    ("Edg/", "Edge", "Edg/"),
    ("EdgA/", "Edge", "EdgA/"),
    ("EdgiOS/", "Edge", "EdgiOS/"),
    ("OPR/", "Opera", "OPR/"),
    ("SamsungBrowser/", "Samsung Internet", "SamsungBrowser/"),
    ("YaBrowser/", "Yandex Browser", "YaBrowser/"),
    ("Vivaldi/", "Vivaldi", "Vivaldi/"),
    ("FxiOS/", "Firefox", "FxiOS/"),
    ("Firefox/", "Firefox", "Firefox/"),
    ("CriOS/", "Chrome", "CriOS/"),
    ("Chromium/", "Chromium", "Chromium/"),
    ("Chrome/", "Chrome", "Chrome/"),
    ("Trident/", "Internet Explorer", "rv:"),
    ("MSIE ", "Internet Explorer", "MSIE "),
    ("Safari/", "Safari", "Version/"),
];

fn os_of(ua: &str) -> (Option<String>, Option<String>) {
    let named = |n: &str, v: Option<String>| (Some(n.to_owned()), v);
    if ua.contains("iPad") {
        return named("iPadOS", version_after(ua, "CPU OS "));
    }
    if ua.contains("iPhone") || ua.contains("iPod") {
        return named(
            "iOS",
            version_after(ua, "iPhone OS ").or_else(|| version_after(ua, "CPU OS ")),
        );
    }
    if ua.contains("Android") {
        return named("Android", version_after(ua, "Android "));
    }
    if ua.contains("CrOS") {
        return named("ChromeOS", None);
    }
    if ua.contains("Windows NT") {
        let v = match version_after(ua, "Windows NT ").as_deref() {
            Some("10.0") => Some("10".to_owned()),
            Some("6.3") => Some("8.1".to_owned()),
            Some("6.2") => Some("8".to_owned()),
            Some("6.1") => Some("7".to_owned()),
            other => other.map(str::to_owned),
        };
        return named("Windows", v);
    }
    if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        return named("macOS", version_after(ua, "Mac OS X "));
    }
    if ua.contains("Linux") || ua.contains("X11") {
        return named("Linux", None);
    }
    (None, None)
}

/// Parses a user agent. An empty one says nothing.
pub fn parse(ua: &str) -> Agent {
    let ua = ua.trim();
    if ua.is_empty() {
        return Agent::default();
    }
    let lower = ua.to_ascii_lowercase();
    let (os, os_version) = os_of(ua);
    if let Some((_, name)) = BOTS.iter().find(|(t, _)| lower.contains(t)) {
        let version = ua
            .split_whitespace()
            .find_map(|part| {
                part.split_once('/')
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(str::to_owned);
        return Agent {
            browser: Some((*name).to_owned()),
            browser_version: version,
            os,
            os_version,
            device: Some(DeviceClass::Bot),
        };
    }
    let (browser, browser_version) = BROWSERS
        .iter()
        .find(|(token, _, _)| ua.contains(token))
        .map_or((None, None), |(_, name, vtok)| {
            (Some((*name).to_owned()), major(version_after(ua, vtok)))
        });
    let device = if ua.contains("iPad")
        || ua.contains("Tablet")
        || (ua.contains("Android") && !ua.contains("Mobile"))
    {
        DeviceClass::Tablet
    } else if ua.contains("Mobi") || ua.contains("iPhone") || ua.contains("iPod") {
        DeviceClass::Mobile
    } else {
        DeviceClass::Desktop
    };
    Agent {
        browser,
        browser_version,
        os,
        os_version,
        device: Some(device),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ua: &str, browser: (&str, &str), os: (&str, Option<&str>), device: DeviceClass) {
        let a = parse(ua);
        assert_eq!(a.browser.as_deref(), Some(browser.0), "{ua}");
        assert_eq!(
            a.browser_version.as_deref(),
            (!browser.1.is_empty()).then_some(browser.1),
            "{ua}"
        );
        assert_eq!(a.os.as_deref(), Some(os.0), "{ua}");
        assert_eq!(a.os_version.as_deref(), os.1, "{ua}");
        assert_eq!(a.device, Some(device), "{ua}");
    }

    #[test]
    fn test_ua_common_browsers() {
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
            ("Chrome", "138"), ("Windows", Some("10")), DeviceClass::Desktop);
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
            ("Edge", "120"), ("Windows", Some("10")), DeviceClass::Desktop);
        check("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            ("Safari", "17"), ("macOS", Some("10.15.7")), DeviceClass::Desktop);
        check(
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            ("Firefox", "121"),
            ("Linux", None),
            DeviceClass::Desktop,
        );
        check("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
            ("Safari", "17"), ("iOS", Some("17.1.2")), DeviceClass::Mobile);
        check("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
            ("Chrome", "119"), ("iPadOS", Some("16.6")), DeviceClass::Tablet);
        check("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
            ("Chrome", "120"), ("Android", Some("14")), DeviceClass::Mobile);
        check("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
            ("Samsung Internet", "23"), ("Android", Some("13")), DeviceClass::Tablet);
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
            ("Opera", "106"), ("Windows", Some("10")), DeviceClass::Desktop);
        check("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            ("Chrome", "120"), ("ChromeOS", None), DeviceClass::Desktop);
    }

    #[test]
    fn test_ua_bots_and_tools() {
        let a = parse("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        assert_eq!(
            (a.browser.as_deref(), a.device),
            (Some("Googlebot"), Some(DeviceClass::Bot))
        );
        let a = parse("curl/8.4.0");
        assert_eq!(
            (a.browser.as_deref(), a.browser_version.as_deref(), a.device),
            (Some("curl"), Some("8.4.0"), Some(DeviceClass::Bot))
        );
        assert_eq!(
            parse("Amazon CloudFront").browser.as_deref(),
            Some("Amazon CloudFront")
        );
        let a = parse("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36");
        assert_eq!(a.device, Some(DeviceClass::Bot));
    }

    #[test]
    fn test_ua_empty_and_unknown() {
        assert_eq!(parse(""), Agent::default());
        let a = parse("SomethingElse");
        assert_eq!(
            (a.browser, a.os, a.device),
            (None, None, Some(DeviceClass::Desktop))
        );
    }
}
