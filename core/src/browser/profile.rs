//! The logic of the `<latchkey-profile>` element, apart from the DOM: a session and a login
//! record said in plain words (device, browser, place, failure reason, risk signals, how long
//! ago), rendered as escaped HTML the element puts in its shadow root. What only the browser
//! knows (the local time zone, country names, relative-time grammar) comes through [`Locale`],
//! so everything here runs under `cargo test`.

use std::fmt::Write;

// Every stored value goes into the markup through this (content and quoted attributes alike).
use crate::delivery::templates::escape_html as escape;

/// What the browser formats: `Intl` in the SDK, fixed strings in tests.
pub trait Locale {
    /// A moment (milliseconds since the epoch) as local date and time.
    fn date_time(&self, ms: f64) -> String;
    /// `value` `unit`s from now (negative: ago), e.g. "5 minutes ago", "yesterday".
    fn relative(&self, value: i64, unit: &str) -> String;
    /// A region's name from its ISO 3166 code; the code itself when unknown.
    fn region(&self, code: &str) -> String;
}

/// The unit and (negative for the past) amount to say how far `then` is from `now`, both in
/// milliseconds: under a minute is "now" (0 seconds).
pub fn relative_unit(now: f64, then: f64) -> (i64, &'static str) {
    let secs = ((then - now) / 1000.0).round() as i64;
    let abs = secs.unsigned_abs();
    let sign = if secs < 0 { -1 } else { 1 };
    let (size, unit) = match abs {
        0..=59 => return (0, "second"),
        60..=3_599 => (60, "minute"),
        3_600..=86_399 => (3_600, "hour"),
        86_400..=2_591_999 => (86_400, "day"),
        2_592_000..=31_535_999 => (2_592_000, "month"),
        _ => (31_536_000, "year"),
    };
    (sign * (abs / size) as i64, unit)
}

/// A login method as the history says it ("Signed in with …").
pub fn method_text(method: &str) -> &'static str {
    match method {
        "password" => "password",
        "passkey" => "a passkey",
        "magic_code" => "an email code",
        "sms_code" => "a text message code",
        "magic_link" => "an email link",
        "totp" => "password and authenticator app",
        "backup_code" => "password and backup code",
        "sso" => "single sign-on",
        "authorization_code" => "another application",
        _ => "another method",
    }
}

/// A stored failure reason in plain words ("Failed: …").
pub fn failure_text(reason: &str) -> &'static str {
    match reason {
        // Only administrators see records of unknown users: a user's history holds their own.
        "unknown_user" => "no such user",
        "bad_password" => "wrong password",
        "no_password" => "no password set",
        "disabled" => "account disabled",
        "expired" => "account expired",
        "password_change_required" => "password change required",
        "method_disabled" => "sign-in method turned off",
        "not_registered" => "not registered for this application",
        "too_many_attempts" => "too many attempts",
        "challenge_invalid" => "passkey request expired",
        "unknown_passkey" => "unknown passkey",
        "passkey_rejected" => "passkey not accepted",
        "user_not_verified" => "passkey without PIN or biometrics",
        "possible_cloned_authenticator" => "possibly copied passkey",
        "mfa_required" => "waiting for the second step",
        "invalid_mfa_code" => "wrong verification code",
        "mfa_token_expired" => "second step expired",
        "invalid_code" => "wrong code",
        "code_expired" => "code or link expired",
        "code_used" => "code or link already used",
        "link_denied" => "you said it was not you",
        "email_not_verified" => "email address not verified",
        _ => "refused",
    }
}

/// A risk signal's badge.
pub fn flag_text(flag: &str) -> Option<&'static str> {
    match flag {
        "new_device" => Some("New device"),
        "new_country" => Some("New country"),
        "impossible_travel" => Some("Impossible travel"),
        "breached_password" => Some("Breached password"),
        _ => None,
    }
}

/// The kind of device, for the icon: from the type the client named (`MOBILE`, `LAPTOP`, …)
/// when there is one, else from the parsed user agent (`desktop`, `mobile`, `tablet`, `bot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Computer,
    Phone,
    Tablet,
    Other,
}

impl DeviceKind {
    pub fn of(device_type: Option<&str>, device: Option<&str>) -> DeviceKind {
        let named = device_type.map(|t| t.to_ascii_lowercase());
        match named.as_deref().or(device) {
            Some("mobile" | "phone") => DeviceKind::Phone,
            Some("tablet") => DeviceKind::Tablet,
            Some("desktop" | "laptop" | "computer") => DeviceKind::Computer,
            _ => DeviceKind::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Computer => "Computer",
            DeviceKind::Phone => "Phone",
            DeviceKind::Tablet => "Tablet",
            DeviceKind::Other => "Device",
        }
    }

    /// A 24 px outline icon (`currentColor`), described by [`DeviceKind::label`].
    fn icon(self) -> &'static str {
        match self {
            DeviceKind::Computer => "M4 5h16v10H4zM2 19h20",
            DeviceKind::Phone => {
                "M8 2h8a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zM11 18h2"
            }
            DeviceKind::Tablet => {
                "M6 2h12a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zM11 18h2"
            }
            DeviceKind::Other => "M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18zM3 12h18",
        }
    }
}

/// What a session card and a history entry share: where and on what.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Client {
    pub ip: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    /// Parsed from the user agent.
    pub device: Option<String>,
    /// As the client named and typed its device.
    pub device_name: Option<String>,
    pub device_type: Option<String>,
}

impl Client {
    /// "Chrome on Windows", the device's own name when it gave one, or "Unknown device".
    pub fn device_text(&self) -> String {
        if let Some(name) = self.device_name.as_deref().filter(|n| !n.is_empty()) {
            return name.to_owned();
        }
        match (self.browser.as_deref(), self.os.as_deref()) {
            (Some(b), Some(o)) => format!("{b} on {o}"),
            (Some(b), None) => b.to_owned(),
            (None, Some(o)) => o.to_owned(),
            (None, None) => "Unknown device".to_owned(),
        }
    }

    /// "Paris, France", or "Unknown location".
    pub fn place_text(&self, locale: &dyn Locale) -> String {
        let country = self.country.as_deref().map(|c| locale.region(c));
        let parts: Vec<&str> = [self.city.as_deref(), country.as_deref()]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            "Unknown location".to_owned()
        } else {
            parts.join(", ")
        }
    }

    fn kind(&self) -> DeviceKind {
        DeviceKind::of(self.device_type.as_deref(), self.device.as_deref())
    }
}

/// One of the user's sessions, as its card shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionCard {
    pub id: String,
    pub client: Client,
    pub last_active_ms: f64,
    pub created_ms: f64,
    /// The session this page is signed in with.
    pub current: bool,
}

/// One login record, as the history shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryEntry {
    pub success: bool,
    pub method: String,
    pub reason: Option<String>,
    pub client: Client,
    pub at_ms: f64,
    pub flags: Vec<String>,
}

impl HistoryEntry {
    /// "Signed in with a passkey", or "Failed: wrong password".
    pub fn outcome_text(&self) -> String {
        if self.success {
            format!("Signed in with {}", method_text(&self.method))
        } else {
            format!(
                "Failed: {}",
                failure_text(self.reason.as_deref().unwrap_or_default())
            )
        }
    }
}

fn icon(kind: DeviceKind) -> String {
    format!(
        r#"<svg class="icon" viewBox="0 0 24 24" width="24" height="24" role="img" aria-label="{}"><path d="{}"/></svg>"#,
        kind.label(),
        kind.icon()
    )
}

/// A moment as "5 minutes ago", with its local date and time as the tooltip.
fn ago(ms: f64, now: f64, locale: &dyn Locale) -> String {
    let (v, unit) = relative_unit(now, ms);
    format!(
        r#"<time title="{}">{}</time>"#,
        escape(&locale.date_time(ms)),
        escape(&locale.relative(v, unit))
    )
}

/// One session's card: icon, device, place and IP, last activity, "This device" or a sign-out
/// button (`data-revoke` holds the id); `confirming`, the question and its two answers
/// (`data-yes`, `data-no`) in the button's place.
pub fn session_html(s: &SessionCard, now: f64, locale: &dyn Locale, confirming: bool) -> String {
    let c = &s.client;
    let (id, device) = (escape(&s.id), escape(&c.device_text()));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="card" data-session="{id}">{icon}<div class="body"><p class="title">{device}{badge}</p><p>{place}{ip}</p><p class="muted">{active}</p></div>"#,
        icon = icon(c.kind()),
        badge = if s.current {
            r#" <span class="badge">This device</span>"#
        } else {
            ""
        },
        place = escape(&c.place_text(locale)),
        ip =
            c.ip.as_deref()
                .map(|ip| format!(" · {}", escape(ip)))
                .unwrap_or_default(),
        active = if s.current {
            format!("Signed in {}", ago(s.created_ms, now, locale))
        } else {
            format!("Last active {}", ago(s.last_active_ms, now, locale))
        },
    );
    if s.current {
        // This session signs out with the page's own "Sign out".
    } else if confirming {
        let _ = write!(
            out,
            r#"<div class="actions" role="group" aria-label="Sign out {device}?"><span>Sign out this device?</span><button type="button" data-yes="{id}">Sign out</button><button type="button" class="alt" data-no="{id}">Cancel</button></div>"#,
        );
    } else {
        let _ = write!(
            out,
            r#"<div class="actions"><button type="button" class="alt" data-revoke="{id}" aria-label="Sign out {device}">Sign out</button></div>"#,
        );
    }
    out.push_str("</li>");
    out
}

/// The sessions, the current one first, then by last activity.
pub fn sort_sessions(sessions: &mut [SessionCard]) {
    sessions.sort_by(|a, b| {
        b.current.cmp(&a.current).then(
            b.last_active_ms
                .partial_cmp(&a.last_active_ms)
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    });
}

/// One history row (a card below 600 px): when, what (with risk badges), where, device.
/// Each cell carries its column's name for the narrow layout.
pub fn history_html(h: &HistoryEntry, now: f64, locale: &dyn Locale) -> String {
    let c = &h.client;
    let mut badges = String::new();
    for label in h.flags.iter().filter_map(|f| flag_text(f)) {
        let _ = write!(badges, r#" <span class="badge risk">{label}</span>"#);
    }
    format!(
        r#"<tr class="{class}"><td data-label="When">{date}<br><span class="muted">{ago}</span></td><td data-label="What"><span class="outcome">{outcome}</span>{badges}</td><td data-label="Where">{place}{ip}</td><td data-label="Device">{icon} {device}</td></tr>"#,
        class = if h.success { "ok" } else { "failed" },
        date = escape(&locale.date_time(h.at_ms)),
        ago = ago(h.at_ms, now, locale),
        outcome = escape(&h.outcome_text()),
        place = escape(&c.place_text(locale)),
        ip =
            c.ip.as_deref()
                .map(|ip| format!(r#"<br><span class="muted">{}</span>"#, escape(ip)))
                .unwrap_or_default(),
        icon = icon(c.kind()),
        device = escape(&c.device_text()),
    )
}

/// "21–40 of 57", or "No sign-ins yet" for an empty first page.
pub fn page_text(offset: u32, shown: usize, total: u64) -> String {
    if total == 0 || shown == 0 {
        return if offset == 0 {
            "Nothing to show yet.".to_owned()
        } else {
            format!("Nothing more (of {total}).")
        };
    }
    format!(
        "{}–{} of {total}",
        offset + 1,
        u64::from(offset) + shown as u64
    )
}

/// The history's three tabs: the `filter` each sends, and its label.
pub const TABS: [(&str, &str); 3] = [
    ("", "All"),
    ("success", "Successful"),
    ("failure", "Failed"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A locale whose answers show what they were asked.
    struct Fixed;
    impl Locale for Fixed {
        fn date_time(&self, ms: f64) -> String {
            format!("at {ms}")
        }
        fn relative(&self, value: i64, unit: &str) -> String {
            format!("{value} {unit}")
        }
        fn region(&self, code: &str) -> String {
            match code {
                "FR" => "France".into(),
                other => other.into(),
            }
        }
    }

    const MIN: f64 = 60_000.0;
    const NOW: f64 = 1_780_000_000_000.0;

    #[test]
    fn test_relative_unit_picks_the_largest_whole_unit() {
        assert_eq!(relative_unit(NOW, NOW - 10_000.0), (0, "second"));
        assert_eq!(relative_unit(NOW, NOW - 5.0 * MIN), (-5, "minute"));
        assert_eq!(relative_unit(NOW, NOW - 59.0 * MIN), (-59, "minute"));
        assert_eq!(relative_unit(NOW, NOW - 60.0 * MIN), (-1, "hour"));
        assert_eq!(relative_unit(NOW, NOW - 26.0 * 60.0 * MIN), (-1, "day"));
        assert_eq!(relative_unit(NOW, NOW - 40.0 * 1440.0 * MIN), (-1, "month"));
        assert_eq!(relative_unit(NOW, NOW - 800.0 * 1440.0 * MIN), (-2, "year"));
        // A clock a little ahead of the server's says "now", not "in 20 seconds".
        assert_eq!(relative_unit(NOW, NOW + 20_000.0), (0, "second"));
        assert_eq!(relative_unit(NOW, NOW + 3.0 * MIN), (3, "minute"));
    }

    #[test]
    fn test_every_stored_failure_reason_has_its_own_words() {
        for r in crate::model::FailureReason::ALL {
            assert_ne!(failure_text(r.as_str()), "refused", "{}", r.as_str());
        }
        assert_eq!(failure_text("something new"), "refused");
        let failed = HistoryEntry {
            success: false,
            method: "password".into(),
            reason: Some("bad_password".into()),
            ..Default::default()
        };
        assert_eq!(failed.outcome_text(), "Failed: wrong password");
        let ok = HistoryEntry {
            success: true,
            method: "passkey".into(),
            ..Default::default()
        };
        assert_eq!(ok.outcome_text(), "Signed in with a passkey");
    }

    #[test]
    fn test_every_risk_signal_has_a_badge() {
        use crate::records::risk::{IMPOSSIBLE_TRAVEL, NEW_COUNTRY, NEW_DEVICE};
        // And the first factor's: a password found in a breach (authn::password::login).
        for f in [
            NEW_DEVICE,
            NEW_COUNTRY,
            IMPOSSIBLE_TRAVEL,
            "breached_password",
        ] {
            assert!(flag_text(f).is_some(), "{f}");
        }
        assert_eq!(flag_text("unheard_of"), None);
    }

    #[test]
    fn test_device_kind_prefers_what_the_client_named() {
        assert_eq!(
            DeviceKind::of(Some("MOBILE"), Some("desktop")),
            DeviceKind::Phone
        );
        assert_eq!(DeviceKind::of(Some("LAPTOP"), None), DeviceKind::Computer);
        assert_eq!(DeviceKind::of(None, Some("tablet")), DeviceKind::Tablet);
        assert_eq!(
            DeviceKind::of(Some("WATCH"), Some("mobile")),
            DeviceKind::Other
        );
        assert_eq!(DeviceKind::of(None, None), DeviceKind::Other);
    }

    fn client() -> Client {
        Client {
            ip: Some("203.0.113.7".into()),
            city: Some("Paris".into()),
            country: Some("FR".into()),
            browser: Some("Chrome".into()),
            os: Some("Windows".into()),
            device: Some("desktop".into()),
            ..Default::default()
        }
    }

    #[test]
    fn test_device_and_place_texts() {
        assert_eq!(client().device_text(), "Chrome on Windows");
        assert_eq!(client().place_text(&Fixed), "Paris, France");
        let named = Client {
            device_name: Some("Ann's phone".into()),
            ..client()
        };
        assert_eq!(named.device_text(), "Ann's phone");
        assert_eq!(Client::default().device_text(), "Unknown device");
        assert_eq!(Client::default().place_text(&Fixed), "Unknown location");
        let country_only = Client {
            country: Some("DE".into()),
            ..Default::default()
        };
        assert_eq!(country_only.place_text(&Fixed), "DE");
    }

    #[test]
    fn test_session_card_says_where_and_when_and_offers_sign_out_unless_current() {
        let other = SessionCard {
            id: "s-1".into(),
            client: client(),
            last_active_ms: NOW - 5.0 * MIN,
            created_ms: NOW - 60.0 * MIN,
            current: false,
        };
        let html = session_html(&other, NOW, &Fixed, false);
        assert!(html.contains(r#"data-session="s-1""#), "{html}");
        assert!(html.contains("Chrome on Windows"));
        assert!(html.contains("Paris, France · 203.0.113.7"));
        assert!(html.contains(r#"aria-label="Computer""#));
        assert!(html.contains(r#"Last active <time title="at "#));
        assert!(html.contains(">-5 minute</time>"), "{html}");
        assert!(html.contains(r#"data-revoke="s-1""#));
        assert!(!html.contains("This device"));

        let here = SessionCard {
            current: true,
            ..other.clone()
        };
        let asking = session_html(&other, NOW, &Fixed, true);
        assert!(asking.contains("Sign out this device?"), "{asking}");
        assert!(asking.contains(r#"data-yes="s-1""#) && asking.contains(r#"data-no="s-1""#));
        assert!(!asking.contains("data-revoke"));
        let html = session_html(&here, NOW, &Fixed, true);
        assert!(html.contains(r#"<span class="badge">This device</span>"#));
        assert!(html.contains(">Signed in <time"), "{html}");
        assert!(
            html.contains(">-1 hour</time>"),
            "since it signed in: {html}"
        );
        assert!(
            !html.contains("data-revoke"),
            "no sign-out button for this session"
        );
    }

    #[test]
    fn test_history_row_names_the_failure_and_the_risk_signals() {
        let h = HistoryEntry {
            success: false,
            method: "password".into(),
            reason: Some("bad_password".into()),
            client: client(),
            at_ms: NOW - 2.0 * 60.0 * MIN,
            flags: vec!["new_device".into(), "impossible_travel".into(), "x".into()],
        };
        let html = history_html(&h, NOW, &Fixed);
        assert!(html.starts_with(r#"<tr class="failed">"#), "{html}");
        assert!(html.contains("Failed: wrong password"));
        assert!(html.contains(r#"<span class="badge risk">New device</span>"#));
        assert!(html.contains(r#"<span class="badge risk">Impossible travel</span>"#));
        assert_eq!(
            html.matches("badge risk").count(),
            2,
            "unknown flags show nothing"
        );
        assert!(html.contains("-2 hour"));
        assert!(html.contains("Paris, France"));
        assert!(html.contains(r#"data-label="Device""#));
    }

    #[test]
    fn test_what_the_server_stored_cannot_inject_markup() {
        let evil = Client {
            ip: Some("<img src=x onerror=alert(1)>".into()),
            city: Some("\"><script>".into()),
            browser: Some("<b>".into()),
            device_name: None,
            ..Default::default()
        };
        let s = SessionCard {
            id: "\" onclick=\"x".into(),
            client: evil.clone(),
            ..Default::default()
        };
        let h = HistoryEntry {
            client: evil,
            ..Default::default()
        };
        for html in [
            session_html(&s, NOW, &Fixed, false),
            session_html(&s, NOW, &Fixed, true),
            history_html(&h, NOW, &Fixed),
        ] {
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<b>"), "{html}");
            assert!(!html.contains("\" onclick"), "{html}");
        }
    }

    #[test]
    fn test_sessions_sort_current_first_then_most_recent() {
        let card = |id: &str, at: f64, current: bool| SessionCard {
            id: id.into(),
            last_active_ms: at,
            current,
            ..Default::default()
        };
        let mut list = vec![
            card("old", 1.0, false),
            card("me", 0.0, true),
            card("new", 9.0, false),
        ];
        sort_sessions(&mut list);
        let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["me", "new", "old"]);
    }

    #[test]
    fn test_page_text() {
        assert_eq!(page_text(0, 20, 57), "1–20 of 57");
        assert_eq!(page_text(40, 17, 57), "41–57 of 57");
        assert_eq!(page_text(0, 0, 0), "Nothing to show yet.");
        assert_eq!(page_text(60, 0, 57), "Nothing more (of 57).");
    }
}
