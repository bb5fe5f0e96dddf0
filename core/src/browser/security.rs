//! The passkeys and two-step verification sections of `<latchkey-profile>`, apart from the
//! DOM: the user's passkeys and authenticator apps as escaped cards (with their inline rename,
//! delete and remove steps), two-step verification's state in words, the backup codes, the
//! server's refusals in the element's words, and which sections the `sections` attribute
//! chooses. Dates and relative times come through the profile's [`Locale`].

use std::fmt::Write;

use super::i18n::Catalog;
use super::profile::{ago, around, DeviceKind, Locale};

// Every stored value goes into the markup through this (content and quoted attributes alike).
use crate::delivery::templates::escape_html as escape;

/// The element's sections, in the order it shows them; the `sections` attribute names them.
pub const SECTIONS: [&str; 4] = ["sessions", "history", "passkeys", "mfa"];

/// Which of [`SECTIONS`] a `sections` attribute chooses (names separated by spaces or
/// commas, in any case); all of them when it is absent or names none of them.
pub fn chosen_sections(attr: Option<&str>) -> [bool; 4] {
    let names: Vec<&str> = attr
        .unwrap_or_default()
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|n| !n.is_empty())
        .collect();
    let chosen = SECTIONS.map(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)));
    if chosen.contains(&true) {
        chosen
    } else {
        [true; 4]
    }
}

/// One of the user's passkeys, as its card shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Passkey {
    pub id: String,
    pub name: String,
    /// Backed up (a synced passkey, in a password manager or a platform's account).
    pub synced: bool,
    pub created_ms: f64,
    pub last_used_ms: Option<f64>,
}

/// One of the user's confirmed authenticator apps, as its card shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Authenticator {
    pub id: String,
    pub name: String,
    pub created_ms: f64,
    pub last_used_ms: Option<f64>,
}

/// What a passkey's card asks in place of its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Editing {
    #[default]
    Nothing,
    /// Its name in a text field, with Save and Cancel.
    Rename,
    /// "Delete this passkey?" with Yes and Cancel.
    Delete,
}

/// A key, drawn like the sessions' device icons; decorative (the card says what it is).
const KEY_ICON: &str =
    "M8 11a4 4 0 1 0 0 8a4 4 0 0 0 0-8zM10.8 12.2 20 3M17 6l2.5 2.5M14.5 8.5l2 2";

fn glyph(path: &str) -> String {
    format!(
        r#"<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="{path}"/></svg>"#
    )
}

/// "Added 2 Dec 2025 · Last used 5 minutes ago" (or "Never used"), as markup.
fn dates(created_ms: f64, last_used_ms: Option<f64>, now: f64, locale: &dyn Locale) -> String {
    let t = locale.texts();
    let added = escape(&t.fill("item.added", &[("date", &locale.date(created_ms))]));
    let used = match last_used_ms {
        Some(ms) => around(t.get("item.last_used"), "{ago}", &ago(ms, now, locale)),
        None => escape(t.get("item.never_used")),
    };
    format!("{added} · {used}")
}

/// One passkey's card: name, "Synced", added and last used, and Rename and Delete
/// (`data-pk-rename`, `data-pk-delete` hold the id); or, while `editing`, the name's field in
/// a form (`data-pk-form`, its input `data-pk-name`, Cancel `data-pk-keep`), or the question
/// with its answers (`data-pk-yes`, `data-pk-no`).
pub fn passkey_html(p: &Passkey, now: f64, locale: &dyn Locale, editing: Editing) -> String {
    let t = locale.texts();
    let (id, name) = (escape(&p.id), escape(&p.name));
    let named = |key: &str| escape(&t.fill(key, &[("name", &p.name)]));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="card" data-passkey="{id}">{icon}<div class="body"><p class="title">{name}{synced}</p><p class="muted">{dates}</p></div>"#,
        icon = glyph(KEY_ICON),
        synced = if p.synced {
            format!(
                r#" <span class="badge">{}</span>"#,
                escape(t.get("passkeys.synced"))
            )
        } else {
            String::new()
        },
        dates = dates(p.created_ms, p.last_used_ms, now, locale),
    );
    let _ = match editing {
        Editing::Rename => write!(
            out,
            r#"<form class="actions" data-pk-form="{id}" aria-label="{label}"><label class="field"><span>{field}</span><input data-pk-name value="{name}" required maxlength="100" autocomplete="off"></label><button type="submit">{save}</button><button type="button" class="alt" data-pk-keep="{id}">{cancel}</button></form>"#,
            label = named("passkeys.rename_label"),
            field = escape(t.get("field.name")),
            save = escape(t.get("save")),
            cancel = escape(t.get("cancel")),
        ),
        Editing::Delete => write!(
            out,
            r#"<div class="actions" role="group" aria-label="{label}"><span>{question}</span><button type="button" data-pk-yes="{id}">{yes}</button><button type="button" class="alt" data-pk-no="{id}">{no}</button></div>"#,
            label = named("passkeys.confirm_label"),
            question = escape(t.get("passkeys.confirm")),
            yes = escape(t.get("yes")),
            no = escape(t.get("cancel")),
        ),
        Editing::Nothing => write!(
            out,
            r#"<div class="actions"><button type="button" class="alt" data-pk-rename="{id}" aria-label="{rename_label}">{rename}</button><button type="button" class="alt" data-pk-delete="{id}" aria-label="{delete_label}">{delete}</button></div>"#,
            rename_label = named("passkeys.rename_label"),
            rename = escape(t.get("passkeys.rename")),
            delete_label = named("passkeys.delete_label"),
            delete = escape(t.get("passkeys.delete")),
        ),
    };
    out.push_str("</li>");
    out
}

/// One authenticator app's card: name, added and last used, and Remove (`data-app-remove`);
/// or, while `removing`, the password's field in a form (`data-app-form`, its input
/// `data-app-password`, Cancel `data-app-no`).
pub fn authenticator_html(
    a: &Authenticator,
    now: f64,
    locale: &dyn Locale,
    removing: bool,
) -> String {
    let t = locale.texts();
    let (id, name) = (escape(&a.id), escape(&a.name));
    let label = escape(&t.fill("mfa.remove_label", &[("name", &a.name)]));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="card" data-authenticator="{id}">{icon}<div class="body"><p class="title">{name}</p><p class="muted">{dates}</p></div>"#,
        icon = glyph(DeviceKind::Phone.icon()),
        dates = dates(a.created_ms, a.last_used_ms, now, locale),
    );
    let remove = escape(t.get("mfa.remove"));
    let _ = if removing {
        write!(
            out,
            r#"<form class="actions" data-app-form="{id}" aria-label="{label}"><span>{ask}</span><label class="field"><span>{field}</span><input type="password" data-app-password autocomplete="current-password"></label><button type="submit">{remove}</button><button type="button" class="alt" data-app-no="{id}">{cancel}</button></form>"#,
            ask = escape(t.get("mfa.remove_ask")),
            field = escape(t.get("field.password")),
            cancel = escape(t.get("cancel")),
        )
    } else {
        write!(
            out,
            r#"<div class="actions"><button type="button" class="alt" data-app-remove="{id}" aria-label="{label}">{remove}</button></div>"#,
        )
    };
    out.push_str("</li>");
    out
}

/// Two-step verification's state: "Off. …", or "On: 2 authenticator apps, 9 backup codes left."
pub fn mfa_state_text(apps: usize, codes_left: u64, t: &Catalog) -> String {
    if apps == 0 {
        return t.get("mfa.off").to_owned();
    }
    let count = |n: u64, one: &str, many: &str| match n {
        1 => t.get(one).to_owned(),
        n => t.fill(many, &[("n", &n.to_string())]),
    };
    t.fill(
        "mfa.on",
        &[
            ("apps", &count(apps as u64, "mfa.apps_one", "mfa.apps")),
            ("codes", &count(codes_left, "mfa.codes_one", "mfa.codes")),
        ],
    )
}

/// The backup codes, one list item each.
pub fn backup_codes_html(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("<li><code>{}</code></li>", escape(c)))
        .collect()
}

/// A refused change in the element's words: its own for the codes these sections meet, the
/// login form's for the rest, and the server's message when no text knows the code.
pub fn error_text(code: &str, message: &str, t: &Catalog) -> String {
    let key = match code {
        "REAUTHENTICATION_REQUIRED" => "error.REAUTHENTICATION_REQUIRED",
        "INVALID_NAME" => "error.INVALID_NAME",
        "INVALID_MFA_CODE" => "mfa.wrong_code",
        other => super::login_form::explain(other).0,
    };
    if key == "error.other" && !message.is_empty() {
        t.fill("profile.action_failed", &[("message", message)])
    } else {
        t.get(key).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::i18n::Lang;

    struct Fixed(Catalog);
    impl Locale for Fixed {
        fn texts(&self) -> &Catalog {
            &self.0
        }
        fn date_time(&self, ms: f64) -> String {
            format!("at {ms}")
        }
        fn date(&self, ms: f64) -> String {
            format!("day {ms}")
        }
        fn relative(&self, value: i64, unit: &str) -> String {
            format!("{value} {unit}")
        }
        fn region(&self, code: &str) -> String {
            code.into()
        }
    }

    const MIN: f64 = 60_000.0;
    const NOW: f64 = 1_780_000_000_000.0;

    fn english() -> Fixed {
        Fixed(Catalog::new(Lang::En))
    }

    fn passkey() -> Passkey {
        Passkey {
            id: "pk-1".into(),
            name: "Work laptop".into(),
            synced: true,
            created_ms: NOW - 3.0 * 1440.0 * MIN,
            last_used_ms: Some(NOW - 5.0 * MIN),
        }
    }

    #[test]
    fn test_sections_attribute_chooses_by_name_else_all() {
        assert_eq!(chosen_sections(None), [true; 4]);
        assert_eq!(chosen_sections(Some("  ")), [true; 4]);
        assert_eq!(chosen_sections(Some("nonsense")), [true; 4]);
        assert_eq!(
            chosen_sections(Some("passkeys MFA")),
            [false, false, true, true]
        );
        assert_eq!(
            chosen_sections(Some("history,sessions x")),
            [true, true, false, false]
        );
    }

    #[test]
    fn test_passkey_card_says_name_synced_dates_and_offers_rename_and_delete() {
        let html = passkey_html(&passkey(), NOW, &english(), Editing::Nothing);
        assert!(html.contains(r#"data-passkey="pk-1""#), "{html}");
        assert!(
            html.contains(r#"<p class="title">Work laptop <span class="badge">Synced</span></p>"#)
        );
        assert!(html.contains("Added day "), "{html}");
        assert!(html.contains(r#"Last used <time title="at "#), "{html}");
        assert!(html.contains(">-5 minute</time>"));
        assert!(html.contains(r#"data-pk-rename="pk-1" aria-label="Rename Work laptop">Rename<"#));
        assert!(html.contains(r#"data-pk-delete="pk-1" aria-label="Delete Work laptop">Delete<"#));

        let unsynced = Passkey {
            synced: false,
            last_used_ms: None,
            ..passkey()
        };
        let html = passkey_html(&unsynced, NOW, &english(), Editing::Nothing);
        assert!(!html.contains("Synced"));
        assert!(html.contains("Never used"));

        let renaming = passkey_html(&passkey(), NOW, &english(), Editing::Rename);
        assert!(
            renaming.contains(r#"<form class="actions" data-pk-form="pk-1""#),
            "{renaming}"
        );
        assert!(renaming.contains(r#"value="Work laptop""#));
        assert!(renaming.contains(r#"<span>Name</span>"#));
        assert!(renaming.contains(">Save</button>") && renaming.contains(r#"data-pk-keep="pk-1""#));
        assert!(!renaming.contains("data-pk-rename"));

        let asking = passkey_html(&passkey(), NOW, &english(), Editing::Delete);
        assert!(asking.contains("Delete this passkey?"), "{asking}");
        assert!(asking.contains(r#"aria-label="Delete Work laptop?""#));
        assert!(asking.contains(r#"data-pk-yes="pk-1">Yes<"#));
        assert!(asking.contains(r#"data-pk-no="pk-1">Cancel<"#));
        assert!(!asking.contains("data-pk-delete"));
    }

    #[test]
    fn test_authenticator_card_and_its_password_step() {
        let a = Authenticator {
            id: "f-1".into(),
            name: "Authenticator app".into(),
            created_ms: NOW - 60.0 * MIN,
            last_used_ms: None,
        };
        let html = authenticator_html(&a, NOW, &english(), false);
        assert!(html.contains(r#"data-authenticator="f-1""#), "{html}");
        assert!(html.contains("Added day ") && html.contains("Never used"));
        assert!(
            html.contains(r#"data-app-remove="f-1" aria-label="Remove Authenticator app">Remove<"#)
        );
        let asking = authenticator_html(&a, NOW, &english(), true);
        assert!(asking.contains(r#"data-app-form="f-1""#), "{asking}");
        assert!(
            asking.contains(r#"type="password" data-app-password autocomplete="current-password""#)
        );
        assert!(asking.contains("Enter your password to remove it."));
        assert!(asking.contains(r#"data-app-no="f-1">Cancel<"#));
        assert!(!asking.contains("data-app-remove"));
    }

    #[test]
    fn test_mfa_state_in_words() {
        let t = Catalog::new(Lang::En);
        assert!(mfa_state_text(0, 0, &t).starts_with("Off."));
        assert_eq!(
            mfa_state_text(1, 10, &t),
            "On: 1 authenticator app, 10 backup codes left."
        );
        assert_eq!(
            mfa_state_text(2, 1, &t),
            "On: 2 authenticator apps, 1 backup code left."
        );
        let fr = Catalog::new(Lang::Fr);
        assert_ne!(mfa_state_text(2, 1, &fr), mfa_state_text(2, 1, &t));
        assert!(!mfa_state_text(2, 1, &fr).contains('{'));
    }

    #[test]
    fn test_refusals_in_the_elements_words() {
        let t = Catalog::new(Lang::En);
        assert_eq!(
            error_text("REAUTHENTICATION_REQUIRED", "password needed", &t),
            t.get("error.REAUTHENTICATION_REQUIRED")
        );
        assert_eq!(
            error_text("INVALID_MFA_CODE", "x", &t),
            t.get("mfa.wrong_code")
        );
        assert_eq!(
            error_text("PASSKEY_NOT_ALLOWED", "", &t),
            t.get("error.PASSKEY_NOT_ALLOWED")
        );
        assert_eq!(
            error_text("SOMETHING_NEW", "the server says", &t),
            "That did not work: the server says"
        );
        assert_eq!(error_text("SOMETHING_NEW", "", &t), t.get("error.other"));
        let de = Catalog::new(Lang::De);
        assert_ne!(
            error_text("INVALID_NAME", "", &de),
            error_text("INVALID_NAME", "", &t)
        );
    }

    #[test]
    fn test_the_sections_in_french() {
        let fr = Fixed(Catalog::new(Lang::Fr));
        let html = passkey_html(&passkey(), NOW, &fr, Editing::Nothing);
        assert!(html.contains(fr.0.get("passkeys.synced")), "{html}");
        assert!(html.contains(&escape(fr.0.get("passkeys.rename"))));
        assert!(
            !html.contains("Rename") && !html.contains("Added"),
            "{html}"
        );
    }

    #[test]
    fn test_what_the_server_stored_cannot_inject_markup() {
        let evil = "<img src=x onerror=alert(1)>";
        let quote = "\" onclick=\"x";
        let p = Passkey {
            id: quote.into(),
            name: evil.into(),
            ..passkey()
        };
        let a = Authenticator {
            id: quote.into(),
            name: evil.into(),
            ..Default::default()
        };
        let mut all: Vec<String> = [Editing::Nothing, Editing::Rename, Editing::Delete]
            .into_iter()
            .map(|e| passkey_html(&p, NOW, &english(), e))
            .collect();
        all.push(authenticator_html(&a, NOW, &english(), false));
        all.push(authenticator_html(&a, NOW, &english(), true));
        all.push(backup_codes_html(&[evil.into(), quote.into()]));
        for html in all {
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("\" onclick"), "{html}");
            assert!(
                html.contains("&lt;img src=x onerror=alert(1)&gt;"),
                "{html}"
            );
        }
        assert_eq!(
            backup_codes_html(&["abcd-1234".into()]),
            "<li><code>abcd-1234</code></li>"
        );
    }
}
