//! The logic of the `<latchkey-profile>` element, apart from the DOM: a session and a login
//! record said in plain words (device, browser, place, failure reason, risk signals, how long
//! ago), rendered as escaped HTML the element puts in its shadow root. What only the browser
//! knows (the local time zone, country names, relative-time grammar) comes through [`Locale`],
//! with the element's texts ([`Catalog`]), so everything here runs under `cargo test`.

use std::fmt::Write;

use super::i18n::Catalog;

// Every stored value goes into the markup through this (content and quoted attributes alike).
use crate::delivery::templates::escape_html as escape;

/// What the browser formats: `Intl` in the SDK, fixed strings in tests.
pub trait Locale {
    /// A moment (milliseconds since the epoch) as local date and time.
    fn date_time(&self, ms: f64) -> String;
    /// A moment's local date alone; the date and time where the locale has no shorter form.
    fn date(&self, ms: f64) -> String {
        self.date_time(ms)
    }
    /// `value` `unit`s from now (negative: ago), e.g. "5 minutes ago", "yesterday".
    fn relative(&self, value: i64, unit: &str) -> String;
    /// A region's name from its ISO 3166 code; the code itself when unknown.
    fn region(&self, code: &str) -> String;
    /// The element's texts, in its language.
    fn texts(&self) -> &Catalog;
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

/// A login method on its own (`magic_code` → "an email code"): the key of its text.
pub fn method_key(method: &str) -> &'static str {
    match method {
        "password" => "method.password",
        "passkey" => "method.passkey",
        "magic_code" => "method.magic_code",
        "sms_code" => "method.sms_code",
        "magic_link" => "method.magic_link",
        "totp" => "method.totp",
        "backup_code" => "method.backup_code",
        "sso" => "method.sso",
        "authorization_code" => "method.authorization_code",
        _ => "method.other",
    }
}

/// A successful login as the history says it ("Signed in with a passkey"): the key of its text.
pub fn signed_in_key(method: &str) -> &'static str {
    match method {
        "password" => "signed_in.password",
        "passkey" => "signed_in.passkey",
        "magic_code" => "signed_in.magic_code",
        "sms_code" => "signed_in.sms_code",
        "magic_link" => "signed_in.magic_link",
        "totp" => "signed_in.totp",
        "backup_code" => "signed_in.backup_code",
        "sso" => "signed_in.sso",
        "authorization_code" => "signed_in.authorization_code",
        _ => "signed_in.other",
    }
}

/// A stored failure reason in plain words ("Failed: …"): the key of its text.
pub fn failure_key(reason: &str) -> &'static str {
    match reason {
        // Only administrators see records of unknown users: a user's history holds their own.
        "unknown_user" => "failure.unknown_user",
        "bad_password" => "failure.bad_password",
        "no_password" => "failure.no_password",
        "disabled" => "failure.disabled",
        "expired" => "failure.expired",
        "password_change_required" => "failure.password_change_required",
        "method_disabled" => "failure.method_disabled",
        "not_registered" => "failure.not_registered",
        "too_many_attempts" => "failure.too_many_attempts",
        "challenge_invalid" => "failure.challenge_invalid",
        "unknown_passkey" => "failure.unknown_passkey",
        "passkey_rejected" => "failure.passkey_rejected",
        "user_not_verified" => "failure.user_not_verified",
        "possible_cloned_authenticator" => "failure.possible_cloned_authenticator",
        "mfa_required" => "failure.mfa_required",
        "invalid_mfa_code" => "failure.invalid_mfa_code",
        "mfa_token_expired" => "failure.mfa_token_expired",
        "invalid_code" => "failure.invalid_code",
        "code_expired" => "failure.code_expired",
        "code_used" => "failure.code_used",
        "link_denied" => "failure.link_denied",
        "email_not_verified" => "failure.email_not_verified",
        "sso_rejected" => "failure.sso_rejected",
        "account_not_linked" => "failure.account_not_linked",
        _ => "failure.other",
    }
}

/// A risk signal's badge: the key of its text; none for a signal this version does not know.
pub fn flag_key(flag: &str) -> Option<&'static str> {
    match flag {
        "new_device" => Some("flag.new_device"),
        "new_country" => Some("flag.new_country"),
        "impossible_travel" => Some("flag.impossible_travel"),
        "breached_password" => Some("flag.breached_password"),
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

    /// The key of the icon's description.
    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Computer => "device.computer",
            DeviceKind::Phone => "device.phone",
            DeviceKind::Tablet => "device.tablet",
            DeviceKind::Other => "device.other",
        }
    }

    /// A 24 px outline icon (`currentColor`), described by [`DeviceKind::label`].
    pub(crate) fn icon(self) -> &'static str {
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
    pub fn device_text(&self, texts: &Catalog) -> String {
        if let Some(name) = self.device_name.as_deref().filter(|n| !n.is_empty()) {
            return name.to_owned();
        }
        match (self.browser.as_deref(), self.os.as_deref()) {
            (Some(b), Some(o)) => texts.fill("device.on", &[("browser", b), ("os", o)]),
            (Some(b), None) => b.to_owned(),
            (None, Some(o)) => o.to_owned(),
            (None, None) => texts.get("device.unknown").to_owned(),
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
            locale.texts().get("place.unknown").to_owned()
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
    pub fn outcome_text(&self, texts: &Catalog) -> String {
        if self.success {
            texts.get(signed_in_key(&self.method)).to_owned()
        } else {
            let reason = failure_key(self.reason.as_deref().unwrap_or_default());
            texts.fill("history.failed", &[("reason", texts.get(reason))])
        }
    }
}

fn icon(kind: DeviceKind, texts: &Catalog) -> String {
    format!(
        r#"<svg class="icon" viewBox="0 0 24 24" width="24" height="24" role="img" aria-label="{}"><path d="{}"/></svg>"#,
        escape(texts.get(kind.label())),
        kind.icon()
    )
}

/// A moment as "5 minutes ago", with its local date and time as the tooltip.
pub(crate) fn ago(ms: f64, now: f64, locale: &dyn Locale) -> String {
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
    let t = locale.texts();
    let c = &s.client;
    let (id, device_text) = (escape(&s.id), c.device_text(t));
    let device = escape(&device_text);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="card" data-session="{id}">{icon}<div class="body"><p class="title">{device}{badge}</p><p>{place}{ip}</p><p class="muted">{active}</p></div>"#,
        icon = icon(c.kind(), t),
        badge = if s.current {
            format!(
                r#" <span class="badge">{}</span>"#,
                escape(t.get("sessions.this_device"))
            )
        } else {
            String::new()
        },
        place = escape(&c.place_text(locale)),
        ip =
            c.ip.as_deref()
                .map(|ip| format!(" · {}", escape(ip)))
                .unwrap_or_default(),
        // The time goes in as markup: the words around it are escaped apart.
        active = if s.current {
            around(
                t.get("sessions.signed_in"),
                "{ago}",
                &ago(s.created_ms, now, locale),
            )
        } else {
            around(
                t.get("sessions.last_active"),
                "{ago}",
                &ago(s.last_active_ms, now, locale),
            )
        },
    );
    if s.current {
        // This session signs out with the page's own "Sign out".
    } else if confirming {
        let _ = write!(
            out,
            r#"<div class="actions" role="group" aria-label="{label}"><span>{question}</span><button type="button" data-yes="{id}">{yes}</button><button type="button" class="alt" data-no="{id}">{no}</button></div>"#,
            label = escape(&t.fill("sessions.confirm_label", &[("device", &device_text)])),
            question = escape(t.get("sessions.confirm")),
            yes = escape(t.get("sign_out")),
            no = escape(t.get("cancel")),
        );
    } else {
        let _ = write!(
            out,
            r#"<div class="actions"><button type="button" class="alt" data-revoke="{id}" aria-label="{label}">{text}</button></div>"#,
            label = escape(&t.fill("sessions.sign_out_label", &[("device", &device_text)])),
            text = escape(t.get("sign_out")),
        );
    }
    out.push_str("</li>");
    out
}

/// `text` escaped, with `mark` replaced by `markup` as it is.
pub(crate) fn around(text: &str, mark: &str, markup: &str) -> String {
    match text.split_once(mark) {
        Some((before, after)) => format!("{}{markup}{}", escape(before), escape(after)),
        None => format!("{} {markup}", escape(text)),
    }
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
    let t = locale.texts();
    let c = &h.client;
    let mut badges = String::new();
    for key in h.flags.iter().filter_map(|f| flag_key(f)) {
        let _ = write!(
            badges,
            r#" <span class="badge risk">{}</span>"#,
            escape(t.get(key))
        );
    }
    format!(
        r#"<tr class="{class}"><td data-label="{when}">{date}<br><span class="muted">{ago}</span></td><td data-label="{what}"><span class="outcome">{outcome}</span>{badges}</td><td data-label="{where_}">{place}{ip}</td><td data-label="{device_label}">{icon} {device}</td></tr>"#,
        class = if h.success { "ok" } else { "failed" },
        when = escape(t.get("history.when")),
        what = escape(t.get("history.what")),
        where_ = escape(t.get("history.where")),
        device_label = escape(t.get("history.device")),
        date = escape(&locale.date_time(h.at_ms)),
        ago = ago(h.at_ms, now, locale),
        outcome = escape(&h.outcome_text(t)),
        place = escape(&c.place_text(locale)),
        ip =
            c.ip.as_deref()
                .map(|ip| format!(r#"<br><span class="muted">{}</span>"#, escape(ip)))
                .unwrap_or_default(),
        icon = icon(c.kind(), t),
        device = escape(&c.device_text(t)),
    )
}

/// "21–40 of 57", or "Nothing to show yet." for an empty first page.
pub fn page_text(offset: u32, shown: usize, total: u64, texts: &Catalog) -> String {
    let total_text = total.to_string();
    if total == 0 || shown == 0 {
        return if offset == 0 {
            texts.get("history.empty").to_owned()
        } else {
            texts.fill("history.past_end", &[("total", &total_text)])
        };
    }
    let from = (u64::from(offset) + 1).to_string();
    let to = (u64::from(offset) + shown as u64).to_string();
    texts.fill(
        "history.range",
        &[("from", &from), ("to", &to), ("total", &total_text)],
    )
}

/// The history's three tabs: the `filter` each sends, and the key of its label.
pub const TABS: [(&str, &str); 3] = [
    ("", "history.all"),
    ("success", "history.success"),
    ("failure", "history.failure"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A locale whose answers show what they were asked, in English.
    struct Fixed;
    static ENGLISH: Catalog = Catalog::new(crate::browser::i18n::Lang::En);
    impl Locale for Fixed {
        fn texts(&self) -> &Catalog {
            &ENGLISH
        }
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
            assert_ne!(failure_key(r.as_str()), "failure.other", "{}", r.as_str());
        }
        assert_eq!(ENGLISH.get(failure_key("something new")), "refused");
        let t = &ENGLISH;
        let failed = HistoryEntry {
            success: false,
            method: "password".into(),
            reason: Some("bad_password".into()),
            ..Default::default()
        };
        assert_eq!(failed.outcome_text(t), "Failed: wrong password");
        let ok = HistoryEntry {
            success: true,
            method: "passkey".into(),
            ..Default::default()
        };
        assert_eq!(ok.outcome_text(t), "Signed in with a passkey");
        let french = Catalog::new(crate::browser::i18n::Lang::Fr);
        assert_eq!(
            failed.outcome_text(&french),
            french.fill(
                "history.failed",
                &[("reason", french.get("failure.bad_password"))]
            )
        );
        assert_ne!(failed.outcome_text(&french), failed.outcome_text(t));
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
            assert!(flag_key(f).is_some(), "{f}");
        }
        assert_eq!(flag_key("unheard_of"), None);
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
        let t = &ENGLISH;
        assert_eq!(client().device_text(t), "Chrome on Windows");
        assert_eq!(client().place_text(&Fixed), "Paris, France");
        let named = Client {
            device_name: Some("Ann's phone".into()),
            ..client()
        };
        assert_eq!(named.device_text(t), "Ann's phone");
        assert_eq!(Client::default().device_text(t), "Unknown device");
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
        let t = &ENGLISH;
        assert_eq!(page_text(0, 20, 57, t), "1–20 of 57");
        assert_eq!(page_text(40, 17, 57, t), "41–57 of 57");
        assert_eq!(page_text(0, 0, 0, t), "Nothing to show yet.");
        assert_eq!(page_text(60, 0, 57, t), "Nothing more (of 57).");
    }
}
