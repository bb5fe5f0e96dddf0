//! Message templates: a subject, a text body and an HTML body with named variables written
//! `{{name}}`. Values are escaped in the HTML body, so nothing a user typed (a device name,
//! an application's name) becomes markup. The defaults ship here; an organization may store
//! its own for any kind ([`crate::delivery::custom`]), checked by [`validate`] against the
//! variables its kind provides.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::model::ClientInfo;
use crate::records::ua;
use crate::Error;

pub use crate::model::{Channel, MessageKind as Kind};

/// A template's three parts (an SMS template has only a text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: Cow<'static, str>,
    pub text: Cow<'static, str>,
    pub html: Cow<'static, str>,
}

const fn shipped(subject: &'static str, text: &'static str, html: &'static str) -> Template {
    Template {
        subject: Cow::Borrowed(subject),
        text: Cow::Borrowed(text),
        html: Cow::Borrowed(html),
    }
}

/// Every variable any template may use.
pub const VARIABLES: &[&str] = &[
    "application",
    "link",
    "code",
    "expires_minutes",
    "device",
    "location",
    "ip",
    "time",
    "reasons",
];

/// The longest subject, and the longest text or HTML body, a stored template may have (both
/// bodies, escaped as JSON, fit in one request body).
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 24 * 1024;
/// The longest SMS text (ten segments).
pub const MAX_SMS: usize = 1600;

static MAGIC_LINK: Template = shipped(
    "Sign in to {{application}}",
    "Sign in to {{application}} by opening this link:\n\n{{link}}\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the link.\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Sign in to <strong>{{application}}</strong>:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Sign in</a></p>\
<p>The link works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the link.</p>\
</body></html>",
);

static MAGIC_CODE: Template = shipped(
    "{{code}} is your {{application}} code",
    "Your {{application}} sign-in code is {{code}}.\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the code.\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Your <strong>{{application}}</strong> sign-in code:</p>\
<p style=\"font-size:28px;letter-spacing:6px;font-weight:700\">{{code}}</p>\
<p>It works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the code.</p>\
</body></html>",
);

static PASSWORD_RESET: Template = shipped(
    "Reset your {{application}} password",
    "Someone asked to reset the password of your {{application}} account. \
To choose a new one, open this link:\n\n{{link}}\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: your password stays as it is.\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Someone asked to reset the password of your <strong>{{application}}</strong> account.</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Choose a new password</a></p>\
<p>The link works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: your password stays as it is.</p>\
</body></html>",
);

static PASSWORD_CHANGED: Template = shipped(
    "Your {{application}} password was changed",
    "The password of your {{application}} account was just changed, from {{device}}, \
{{location}} ({{ip}}). Every session was signed out.\n\n\
If it was not you, reset your password at once and tell your administrator.\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>The password of your <strong>{{application}}</strong> account was just changed, from \
{{device}}, {{location}} ({{ip}}). Every session was signed out.</p>\
<p>If it was not you, reset your password at once and tell your administrator.</p>\
</body></html>",
);

static VERIFY_EMAIL: Template = shipped(
    "Confirm your email for {{application}}",
    "Confirm that this address is yours, for your {{application}} account, by opening this link:\n\n\
{{link}}\n\nIt works once, for 24 hours. If you did not create an account, ignore this email.\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Confirm that this address is yours, for your <strong>{{application}}</strong> account:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Confirm my email</a></p>\
<p>The link works once, for 24 hours. If you did not create an account, ignore this email.</p>\
</body></html>",
);

static LOGIN_ALERT: Template = shipped(
    "New sign-in to {{application}}: was this you?",
    "Someone signed in to {{application}} with your account, from {{reasons}}:\n\n\
Device: {{device}}\nPlace: {{location}} ({{ip}})\nTime: {{time}} (UTC)\n\n\
If it was you, there is nothing to do. If it was not, open this link to sign that session \
out, then reset your password:\n\n{{link}}\n",
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Someone signed in to <strong>{{application}}</strong> with your account, from {{reasons}}:</p>\
<ul><li>Device: {{device}}</li><li>Place: {{location}} ({{ip}})</li><li>Time: {{time}} (UTC)</li></ul>\
<p>If it was you, there is nothing to do. If it was not:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#b3261e;color:#fff;border-radius:6px;text-decoration:none\">This was not me: sign it out</a></p>\
</body></html>",
);

static SMS_CODE: Template = shipped(
    "",
    "{{code}} is your {{application}} sign-in code. It works for {{expires_minutes}} minutes. Never share it.",
    "",
);

/// The shipped template of `kind`.
pub fn default_template(kind: Kind) -> &'static Template {
    match kind {
        Kind::MagicLink => &MAGIC_LINK,
        Kind::MagicCode => &MAGIC_CODE,
        Kind::PasswordReset => &PASSWORD_RESET,
        Kind::PasswordChanged => &PASSWORD_CHANGED,
        Kind::VerifyEmail => &VERIFY_EMAIL,
        Kind::SmsCode => &SMS_CODE,
        Kind::LoginAlert => &LOGIN_ALERT,
    }
}

/// Checks a template an organization wants to use for `kind`: the parts its channel has,
/// one-line subjects, sizes, only the variables the kind provides, and the link or code the
/// message exists to carry. The error names what to fix.
pub fn validate(kind: Kind, t: &Template) -> Result<(), Error> {
    let bad = |m: String| Error::invalid_field("INVALID_TEMPLATE", m);
    let chars = |s: &str| s.chars().count();
    match kind.channel() {
        Channel::Sms => {
            if !t.subject.is_empty() || !t.html.is_empty() {
                return Err(bad(
                    "an SMS template is only a text: leave subject and html empty".into(),
                ));
            }
            if chars(&t.text) > MAX_SMS {
                return Err(bad(format!("text: at most {MAX_SMS} characters")));
            }
        }
        Channel::Email => {
            if t.subject.trim().is_empty() {
                return Err(bad("subject: required".into()));
            }
            if t.subject.chars().any(char::is_control) {
                return Err(bad("subject: one line, without control characters".into()));
            }
            if chars(&t.subject) > MAX_SUBJECT {
                return Err(bad(format!("subject: at most {MAX_SUBJECT} characters")));
            }
            if t.html.trim().is_empty() {
                return Err(bad(
                    "html: required (the text is for mail clients that show no HTML)".into(),
                ));
            }
            if t.text.len() > MAX_BODY || t.html.len() > MAX_BODY {
                return Err(bad(format!("text and html: at most {MAX_BODY} bytes each")));
            }
        }
    }
    if t.text.trim().is_empty() {
        return Err(bad("text: required".into()));
    }
    let allowed = kind.variables();
    for (part, source) in [
        ("subject", &t.subject),
        ("text", &t.text),
        ("html", &t.html),
    ] {
        for name in names(source)
            .map_err(|()| bad(format!("{part}: a '{{{{' is never closed with '}}}}'")))?
        {
            if !allowed.contains(&name) {
                return Err(bad(format!(
                    "{part}: {{{{{name}}}}} is not a variable of {} templates; they have {}",
                    kind.as_str(),
                    allowed.join(", ")
                )));
            }
        }
    }
    if let Some(needed) = kind.required() {
        let parts: &[(&str, &str)] = match kind.channel() {
            Channel::Sms => &[("text", &t.text)],
            Channel::Email => &[("text", &t.text), ("html", &t.html)],
        };
        for (part, source) in parts {
            if !names(source).unwrap_or_default().contains(&needed) {
                return Err(bad(format!(
                    "{part}: must contain {{{{{needed}}}}}, or the message cannot be used"
                )));
            }
        }
    }
    Ok(())
}

/// The names of the variables `source` uses, in order; `Err` if a `{{` is never closed.
fn names(source: &str) -> Result<Vec<&str>, ()> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(())?;
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// Example values for a preview: `application`, a link or code lasting `expires_minutes`,
/// and a made-up device and place.
pub fn sample(application: &str, expires_minutes: i64, now_ms: i64) -> Vars {
    Vars::new()
        .set("application", application)
        .set("link", "https://auth.example.com/magic-link#example-token")
        .set("code", "123456")
        .set("expires_minutes", expires_minutes.to_string())
        .set("time", crate::time::rfc3339(now_ms))
        .set("reasons", "a new device")
        .set("device", "Chrome on macOS")
        .set("location", "Paris, FR")
        .set("ip", "203.0.113.7")
}

/// A rendered message's three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Named values for a template.
#[derive(Debug, Clone, Default)]
pub struct Vars(Vec<(&'static str, String)>);

impl Vars {
    pub fn new() -> Self {
        Vars::default()
    }

    pub fn set(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.push((name, value.into()));
        self
    }

    /// `device`, `location` and `ip`, as the request that asked for the message shows them.
    pub fn client(self, client: &ClientInfo) -> Self {
        let agent = ua::parse(client.user_agent.as_deref().unwrap_or(""));
        let device = match (agent.browser, agent.os) {
            (Some(b), Some(o)) => format!("{b} on {o}"),
            (Some(b), None) => b,
            (None, Some(o)) => o,
            (None, None) => "an unknown device".to_owned(),
        };
        let place: Vec<&str> = [client.city.as_deref(), client.country.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        let location = if place.is_empty() {
            "an unknown place".to_owned()
        } else {
            place.join(", ")
        };
        self.set("device", device)
            .set("location", location)
            .set("ip", client.ip.as_deref().unwrap_or("unknown address"))
    }

    /// The value of `name`, if set (the last one set wins).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces each `{{name}}` in `source` by its value (escaped when `html`); a name without
/// a value becomes empty, and anything else is copied as written.
fn fill(source: &str, vars: &Vars, html: bool) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                let value = vars.get(name).unwrap_or("");
                if html {
                    out.push_str(&escape_html(value));
                } else {
                    out.push_str(value);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders `template` with `vars`. The subject is one line: line breaks in values become
/// spaces, so no value can add a header.
pub fn render(template: &Template, vars: &Vars) -> Rendered {
    let subject = fill(&template.subject, vars, false)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Rendered {
        subject,
        text: fill(&template.text, vars, false),
        html: fill(&template.html, vars, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_templates_fill_variables_and_escape_html() {
        let vars = Vars::new()
            .set("application", "<b>Acme</b> & Co")
            .set("code", "012345")
            .set("expires_minutes", "10")
            .set("device", "Chrome on Linux")
            .set("location", "Austin, US")
            .set("ip", "203.0.113.9");
        let r = render(default_template(Kind::MagicCode), &vars);
        assert_eq!(r.subject, "012345 is your <b>Acme</b> & Co code");
        assert!(r
            .text
            .contains("Your <b>Acme</b> & Co sign-in code is 012345."));
        assert!(r.text.contains("for 10 minutes"));
        assert!(r.text.contains("Chrome on Linux, Austin, US (203.0.113.9)"));
        assert!(r.html.contains("&lt;b&gt;Acme&lt;/b&gt; &amp; Co"));
        assert!(!r.html.contains("<b>Acme"));
        assert!(!r.html.contains("{{"), "every variable is filled");
    }

    #[test]
    fn test_templates_escape_links_in_attributes_and_keep_subjects_on_one_line() {
        let vars = Vars::new()
            .set("application", "Acme\r\nBcc: evil@example.com")
            .set("link", "https://a.example/m#\"><script>x</script>");
        let r = render(default_template(Kind::MagicLink), &vars);
        assert_eq!(r.subject, "Sign in to Acme  Bcc: evil@example.com");
        assert!(r
            .html
            .contains("href=\"https://a.example/m#&quot;&gt;&lt;script&gt;"));
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("https://a.example/m#\"><script>x</script>"));
    }

    #[test]
    fn test_templates_unknown_names_are_empty_and_broken_braces_are_kept() {
        let t = shipped("a {{nope}} b", "x {{ code }} y {{ unterminated", "");
        let r = render(&t, &Vars::new().set("code", "1"));
        assert_eq!(r.subject, "a  b");
        assert_eq!(r.text, "x 1 y {{ unterminated");
    }

    #[test]
    fn test_templates_describe_the_requesting_client() {
        let client = ClientInfo {
            ip: Some("198.51.100.4".into()),
            city: Some("Paris".into()),
            country: Some("FR".into()),
            user_agent: Some(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/130.0.0.0 Safari/537.36"
                    .into(),
            ),
            ..ClientInfo::default()
        };
        let r = render(
            &shipped("", "{{device}} | {{location}} | {{ip}}", ""),
            &Vars::new().client(&client),
        );
        assert_eq!(r.text, "Chrome on Linux | Paris, FR | 198.51.100.4");
        let r = render(
            &shipped("", "{{device}} | {{location}} | {{ip}}", ""),
            &Vars::new().client(&ClientInfo::default()),
        );
        assert_eq!(
            r.text,
            "an unknown device | an unknown place | unknown address"
        );
    }

    fn own(subject: &str, text: &str, html: &str) -> Template {
        Template {
            subject: Cow::Owned(subject.to_owned()),
            text: Cow::Owned(text.to_owned()),
            html: Cow::Owned(html.to_owned()),
        }
    }

    fn refused(kind: Kind, t: &Template) -> String {
        let err = validate(kind, t).unwrap_err();
        assert_eq!(err.code(), "INVALID_TEMPLATE");
        match err {
            Error::InvalidField { message, .. } => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn test_templates_shipped_ones_pass_their_own_checks() {
        for kind in Kind::ALL {
            validate(kind, default_template(kind)).unwrap();
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            for v in kind.variables() {
                assert!(VARIABLES.contains(&v), "{v}");
            }
        }
        assert_eq!(Kind::parse("magic"), None);
    }

    #[test]
    fn test_templates_validation_names_what_to_fix() {
        let good = own(
            "Hi {{application}}",
            "Go: {{link}}",
            "<a href=\"{{link}}\">Go</a>",
        );
        validate(Kind::MagicLink, &good).unwrap();
        assert!(
            refused(Kind::MagicLink, &own("Hi {{code}}", "{{link}}", "{{link}}"))
                .contains("subject: {{code}} is not a variable of magic_link templates")
        );
        assert!(refused(Kind::MagicLink, &own("Hi", "{{link}}", "no link"))
            .contains("html: must contain {{link}}"));
        assert!(refused(Kind::MagicLink, &own("Hi", "none", "{{link}}"))
            .contains("text: must contain {{link}}"));
        assert!(
            refused(Kind::MagicLink, &own("Hi", "{{link}} {{oops", "{{link}}"))
                .contains("never closed")
        );
        assert!(refused(
            Kind::MagicLink,
            &own("Hi\r\nBcc: x@y", "{{link}}", "{{link}}")
        )
        .contains("one line"));
        assert!(refused(Kind::MagicLink, &own(" ", "{{link}}", "{{link}}"))
            .contains("subject: required"));
        assert!(refused(Kind::MagicLink, &own("Hi", "{{link}}", "")).contains("html: required"));
        let long = "x".repeat(MAX_SUBJECT + 1);
        assert!(
            refused(Kind::MagicLink, &own(&long, "{{link}}", "{{link}}")).contains("at most 200")
        );
        let big = format!("{{{{link}}}}{}", "x".repeat(MAX_BODY));
        assert!(refused(Kind::MagicLink, &own("Hi", &big, "{{link}}")).contains("bytes"));
        // A notice needs no link, and may not pretend to have a code.
        validate(
            Kind::PasswordChanged,
            &own("Changed", "It was {{device}}.", "<p>ok</p>"),
        )
        .unwrap();
        assert!(refused(
            Kind::PasswordChanged,
            &own("Changed", "{{code}}", "<p>ok</p>")
        )
        .contains("password_changed"));
    }

    #[test]
    fn test_templates_sms_ones_are_only_a_text_with_the_code() {
        validate(Kind::SmsCode, &own("", "{{code}} for {{application}}", "")).unwrap();
        assert!(refused(Kind::SmsCode, &own("Subject", "{{code}}", "")).contains("only a text"));
        assert!(refused(Kind::SmsCode, &own("", "{{code}}", "<p>")).contains("only a text"));
        assert!(refused(Kind::SmsCode, &own("", "no code", "")).contains("must contain {{code}}"));
        let long = format!("{{{{code}}}}{}", "x".repeat(MAX_SMS));
        assert!(refused(Kind::SmsCode, &own("", &long, "")).contains("1600"));
    }
}
