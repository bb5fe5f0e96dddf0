//! Message templates: a subject, a text body and an HTML body with named variables written
//! `{{name}}`. Values are escaped in the HTML body, so nothing a user typed (a device name,
//! an application's name) becomes markup. The defaults ship here; an organization's own
//! templates use the same variables.

use crate::model::ClientInfo;
use crate::records::ua;

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A sign-in link (magic link).
    MagicLink,
    /// A six-digit sign-in code by email (magic auth code).
    MagicCode,
    /// A link to choose a new password.
    PasswordReset,
    /// The notice that the password was changed.
    PasswordChanged,
    /// A link to confirm the email address.
    VerifyEmail,
    /// A six-digit sign-in code by SMS (text only).
    SmsCode,
    /// "Was this you?": a login a risk signal flagged.
    LoginAlert,
}

/// A template's three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

/// The variables a template may use.
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

const MAGIC_LINK: Template = Template {
    subject: "Sign in to {{application}}",
    text: "Sign in to {{application}} by opening this link:\n\n{{link}}\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the link.\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Sign in to <strong>{{application}}</strong>:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Sign in</a></p>\
<p>The link works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the link.</p>\
</body></html>",
};

const MAGIC_CODE: Template = Template {
    subject: "{{code}} is your {{application}} code",
    text: "Your {{application}} sign-in code is {{code}}.\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the code.\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Your <strong>{{application}}</strong> sign-in code:</p>\
<p style=\"font-size:28px;letter-spacing:6px;font-weight:700\">{{code}}</p>\
<p>It works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: nobody can sign in without the code.</p>\
</body></html>",
};

const PASSWORD_RESET: Template = Template {
    subject: "Reset your {{application}} password",
    text: "Someone asked to reset the password of your {{application}} account. \
To choose a new one, open this link:\n\n{{link}}\n\n\
It works once, for {{expires_minutes}} minutes.\n\n\
The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: your password stays as it is.\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Someone asked to reset the password of your <strong>{{application}}</strong> account.</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Choose a new password</a></p>\
<p>The link works once, for {{expires_minutes}} minutes.</p>\
<p style=\"color:#555\">The request came from {{device}}, {{location}} ({{ip}}). \
If it was not you, ignore this email: your password stays as it is.</p>\
</body></html>",
};

const PASSWORD_CHANGED: Template = Template {
    subject: "Your {{application}} password was changed",
    text: "The password of your {{application}} account was just changed, from {{device}}, \
{{location}} ({{ip}}). Every session was signed out.\n\n\
If it was not you, reset your password at once and tell your administrator.\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>The password of your <strong>{{application}}</strong> account was just changed, from \
{{device}}, {{location}} ({{ip}}). Every session was signed out.</p>\
<p>If it was not you, reset your password at once and tell your administrator.</p>\
</body></html>",
};

const VERIFY_EMAIL: Template = Template {
    subject: "Confirm your email for {{application}}",
    text: "Confirm that this address is yours, for your {{application}} account, by opening this link:\n\n\
{{link}}\n\nIt works once, for 24 hours. If you did not create an account, ignore this email.\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Confirm that this address is yours, for your <strong>{{application}}</strong> account:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">Confirm my email</a></p>\
<p>The link works once, for 24 hours. If you did not create an account, ignore this email.</p>\
</body></html>",
};

const LOGIN_ALERT: Template = Template {
    subject: "New sign-in to {{application}}: was this you?",
    text: "Someone signed in to {{application}} with your account, from {{reasons}}:\n\n\
Device: {{device}}\nPlace: {{location}} ({{ip}})\nTime: {{time}} (UTC)\n\n\
If it was you, there is nothing to do. If it was not, open this link to sign that session \
out, then reset your password:\n\n{{link}}\n",
    html: "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a\">\
<p>Someone signed in to <strong>{{application}}</strong> with your account, from {{reasons}}:</p>\
<ul><li>Device: {{device}}</li><li>Place: {{location}} ({{ip}})</li><li>Time: {{time}} (UTC)</li></ul>\
<p>If it was you, there is nothing to do. If it was not:</p>\
<p><a href=\"{{link}}\" style=\"display:inline-block;padding:10px 18px;background:#b3261e;color:#fff;border-radius:6px;text-decoration:none\">This was not me: sign it out</a></p>\
</body></html>",
};

const SMS_CODE: Template = Template {
    subject: "",
    text: "{{code}} is your {{application}} sign-in code. It works for {{expires_minutes}} minutes. Never share it.",
    html: "",
};

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

/// A text message of `kind` to `to` (E.164), rendered with `vars`.
pub fn sms(kind: Kind, to: &str, vars: &Vars) -> crate::delivery::Sms {
    crate::delivery::Sms {
        to: to.to_owned(),
        body: render(default_template(kind), vars).text,
    }
}

/// An email of `kind` to `to`, rendered with `vars`.
pub fn email(kind: Kind, to: &str, vars: &Vars) -> crate::delivery::Email {
    let r = render(default_template(kind), vars);
    crate::delivery::Email {
        to: to.to_owned(),
        subject: r.subject,
        text: r.text,
        html: r.html,
    }
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
    let subject = fill(template.subject, vars, false)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Rendered {
        subject,
        text: fill(template.text, vars, false),
        html: fill(template.html, vars, true),
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
        let t = Template {
            subject: "a {{nope}} b",
            text: "x {{ code }} y {{ unterminated",
            html: "",
        };
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
            &Template {
                subject: "",
                text: "{{device}} | {{location}} | {{ip}}",
                html: "",
            },
            &Vars::new().client(&client),
        );
        assert_eq!(r.text, "Chrome on Linux | Paris, FR | 198.51.100.4");
        let r = render(
            &Template {
                subject: "",
                text: "{{device}} | {{location}} | {{ip}}",
                html: "",
            },
            &Vars::new().client(&ClientInfo::default()),
        );
        assert_eq!(
            r.text,
            "an unknown device | an unknown place | unknown address"
        );
    }
}
