//! The logic of the `<latchkey-login>` widget, apart from the DOM: its modes, what each
//! shows, what it checks before sending, and how it words the server's errors for people.
//! Words are keys of [`super::i18n`]'s tables, so the element says them in its language.

use crate::authn::password::MIN_PASSWORD_CHARS;
use crate::model::LoginMethod;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Login,
    SignUp,
}

impl Mode {
    /// From the element's `mode` attribute; anything but `signup` is the login form.
    pub fn parse(attr: Option<&str>) -> Mode {
        match attr.map(str::trim) {
            Some(m) if m.eq_ignore_ascii_case("signup") => Mode::SignUp,
            _ => Mode::Login,
        }
    }

    pub fn other(self) -> Mode {
        match self {
            Mode::Login => Mode::SignUp,
            Mode::SignUp => Mode::Login,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Login => "login",
            Mode::SignUp => "signup",
        }
    }
}

/// The words of one mode (keys of the i18n tables) and its fields' types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub title: &'static str,
    pub login_label: &'static str,
    pub login_type: &'static str,
    pub password_autocomplete: &'static str,
    pub submit: &'static str,
    pub busy: &'static str,
    pub switch_prompt: &'static str,
    pub switch_action: &'static str,
    pub show_name: bool,
}

pub fn texts(mode: Mode) -> Texts {
    match mode {
        Mode::Login => Texts {
            title: "login.title",
            login_label: "login.id_label",
            login_type: "text",
            password_autocomplete: "current-password",
            submit: "login.submit",
            busy: "login.busy",
            switch_prompt: "login.switch_prompt",
            switch_action: "login.switch_action",
            show_name: false,
        },
        Mode::SignUp => Texts {
            title: "signup.title",
            login_label: "signup.id_label",
            login_type: "email",
            password_autocomplete: "new-password",
            submit: "signup.submit",
            busy: "signup.busy",
            switch_prompt: "signup.switch_prompt",
            switch_action: "signup.switch_action",
            show_name: true,
        },
    }
}

/// What the login form offers: the ways in the application enables that this browser can
/// use. Sign-up is by password only; passkeys are added once signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offer {
    pub password: bool,
    /// A "Sign in with a passkey" button.
    pub passkey: bool,
    /// "Email me a code".
    pub email_code: bool,
    /// "Email me a link".
    pub magic_link: bool,
    /// "Text me a code".
    pub sms_code: bool,
    /// The application takes no sign-ups: the login form does not offer to create an
    /// account.
    pub no_signup: bool,
    /// "Continue with …" buttons of social connections.
    pub sso: bool,
    /// "Sign in with SSO": the connection of the email's domain.
    pub sso_domains: bool,
}

impl Offer {
    pub fn new(methods: &[LoginMethod], passkeys_supported: bool) -> Offer {
        Offer {
            password: methods.contains(&LoginMethod::Password),
            passkey: passkeys_supported && methods.contains(&LoginMethod::Passkey),
            email_code: methods.contains(&LoginMethod::MagicCode),
            magic_link: methods.contains(&LoginMethod::MagicLink),
            sms_code: methods.contains(&LoginMethod::SmsCode),
            no_signup: false,
            sso: false,
            sso_domains: false,
        }
    }

    /// The same offer with the application's connections: `buttons` social ones, and
    /// whether any is found by email domain (shown only where the application enables
    /// `sso`).
    pub fn with_sso(self, methods: &[LoginMethod], buttons: bool, domains: bool) -> Offer {
        let on = methods.contains(&LoginMethod::Sso);
        Offer {
            sso: on && buttons,
            sso_domains: on && domains,
            ..self
        }
    }

    /// The same offer, for an application that takes sign-ups (`self_signup`) or not.
    pub fn with_signup(self, self_signup: bool) -> Offer {
        Offer {
            no_signup: !self_signup,
            ..self
        }
    }

    /// Whether the form shows "No account yet? Create one" (or, on the sign-up form, the way
    /// back to signing in, which is always there).
    pub fn offers_switch(self, mode: Mode) -> bool {
        mode == Mode::SignUp || !self.no_signup
    }

    /// The form has something to offer in `mode`.
    pub fn usable(self, mode: Mode) -> bool {
        self.password
            || (mode == Mode::Login
                && (self.passkey || self.passwordless() || self.sso || self.sso_domains))
    }

    /// A code or a link by email, or a code by SMS.
    pub fn passwordless(self) -> bool {
        self.email_code || self.magic_link || self.sms_code
    }

    /// After a password sign-in: offer to create a passkey for next time.
    pub fn offers_passkey_creation(self, mode: Mode) -> bool {
        self.passkey && mode == Mode::Login
    }
}

/// Which field a problem is about, so the widget can mark it and move focus to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Login,
    Password,
    /// The second step's code (an authenticator app's, or a backup code).
    Code,
}

/// Checks a second-step code before it is sent: six digits, or a backup code's ten
/// characters (hyphen and spaces aside).
pub fn check_code(code: &str, backup: bool) -> Result<(), &'static str> {
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if backup {
        if compact.len() != 10 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("check.backup_code");
        }
    } else if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err("check.totp_code");
    }
    Ok(())
}

/// Checks the address a code or a link is to be sent to.
pub fn check_address(login: &str) -> Result<(), &'static str> {
    let login = login.trim();
    if login.is_empty() {
        return Err("check.address_empty");
    }
    if !looks_like_email(login) {
        return Err("check.address_not_email");
    }
    Ok(())
}

/// Checks the number a code is to be texted to: `+` and 8 to 15 digits (spaces, dots,
/// hyphens and parentheses aside); the server validates fully.
pub fn check_phone(typed: &str) -> Result<(), &'static str> {
    let t = typed.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let tidy = t
        .chars()
        .skip(1)
        .all(|c| c.is_ascii_digit() || " .-()".contains(c));
    if !t.starts_with('+') || !tidy || !(8..=15).contains(&digits) {
        return Err("check.phone");
    }
    Ok(())
}

/// Checks an emailed code before it is sent.
pub fn check_email_code(code: &str) -> Result<(), &'static str> {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err("check.email_code");
    }
    Ok(())
}

/// Checks the form before anything is sent: what a person can fix at once.
pub fn check(mode: Mode, login: &str, password: &str) -> Result<(), (Field, &'static str)> {
    let login = login.trim();
    if login.is_empty() {
        return Err((
            Field::Login,
            match mode {
                Mode::Login => "check.login_empty",
                Mode::SignUp => "check.email_empty",
            },
        ));
    }
    if mode == Mode::SignUp && !looks_like_email(login) {
        return Err((Field::Login, "check.email_invalid"));
    }
    if password.is_empty() {
        return Err((Field::Password, "check.password_empty"));
    }
    // (`take` rather than a full count: the browser SDK then carries no fast char counter.)
    if mode == Mode::SignUp
        && password.chars().take(MIN_PASSWORD_CHARS).count() < MIN_PASSWORD_CHARS
    {
        return Err((Field::Password, "check.password_short"));
    }
    Ok(())
}

/// The new password of a required change (the server validates fully, breaches included).
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    if password.is_empty() {
        return Err("check.new_password_empty");
    }
    if password.chars().take(MIN_PASSWORD_CHARS).count() < MIN_PASSWORD_CHARS {
        return Err("check.password_short");
    }
    Ok(())
}

/// A quick shape check (the server validates fully). Kept apart from `validate::email` so the
/// browser SDK does not carry Unicode normalisation tables for it.
fn looks_like_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Errors of the page's set-up rather than of the person signing in: the widget also
/// writes the server's message (which names the fix) to the console, for the developer.
pub fn is_setup_error(code: &str) -> bool {
    matches!(code, "INVALID_CLIENT_ID" | "ORIGIN_NOT_ALLOWED")
}

/// How the widget words an error code for a person (the key of its text), and which field
/// it points at.
pub fn explain(code: &str) -> (&'static str, Option<Field>) {
    match code {
        "INVALID_CLIENT_ID" => ("error.INVALID_CLIENT_ID", None),
        "ORIGIN_NOT_ALLOWED" => ("error.ORIGIN_NOT_ALLOWED", None),
        "INVALID_CREDENTIALS" => ("error.INVALID_CREDENTIALS", Some(Field::Password)),
        "EMAIL_TAKEN" | "USERNAME_TAKEN" => ("error.EMAIL_TAKEN", Some(Field::Login)),
        "INVALID_EMAIL" => ("check.email_invalid", Some(Field::Login)),
        "INVALID_PASSWORD" => ("error.INVALID_PASSWORD", Some(Field::Password)),
        "ACCOUNT_DISABLED" => ("error.ACCOUNT_DISABLED", None),
        "EMAIL_NOT_VERIFIED" => ("error.EMAIL_NOT_VERIFIED", None),
        "ACCOUNT_EXPIRED" => ("error.ACCOUNT_EXPIRED", None),
        "PASSWORD_CHANGE_REQUIRED" => ("error.PASSWORD_CHANGE_REQUIRED", None),
        "PASSWORD_BREACHED" => ("error.PASSWORD_BREACHED", Some(Field::Password)),
        "INVALID_CHANGE_PASSWORD_ID" => ("error.INVALID_CHANGE_PASSWORD_ID", None),
        "INVALID_MFA_CODE" => ("error.INVALID_MFA_CODE", Some(Field::Code)),
        "MFA_TOKEN_INVALID" => ("error.MFA_TOKEN_INVALID", None),
        "INVALID_PHONE" => ("check.phone", Some(Field::Login)),
        "SMS_NOT_CONFIGURED" => ("error.SMS_NOT_CONFIGURED", None),
        "INVALID_CODE" => ("error.INVALID_CODE", Some(Field::Code)),
        "CODE_EXPIRED" => ("error.CODE_EXPIRED", None),
        "CODE_USED" => ("error.CODE_USED", None),
        "LINK_DENIED" => ("error.LINK_DENIED", None),
        "TOO_MANY_ATTEMPTS" | "TOO_MANY_REQUESTS" | "RATE_LIMITED" => {
            ("error.TOO_MANY_ATTEMPTS", None)
        }
        "NETWORK_ERROR" => ("error.NETWORK_ERROR", None),
        "LOGIN_METHOD_DISABLED" => ("error.LOGIN_METHOD_DISABLED", None),
        "PASSKEY_NOT_ALLOWED" => ("error.PASSKEY_NOT_ALLOWED", None),
        "PASSKEY_REJECTED" => ("error.PASSKEY_REJECTED", None),
        "PASSKEY_INVALID_STATE" => ("error.PASSKEY_INVALID_STATE", None),
        "PASSKEY_UNSUPPORTED" => ("error.PASSKEY_UNSUPPORTED", None),
        "SSO_NOT_CONFIGURED" => ("error.SSO_NOT_CONFIGURED", Some(Field::Login)),
        "SSO_CANCELLED" => ("error.SSO_CANCELLED", None),
        "SSO_REJECTED" | "SSO_PROVIDER_FAILED" | "SSO_STATE_INVALID" => {
            ("error.SSO_REJECTED", None)
        }
        "ACCOUNT_EXISTS" => ("error.ACCOUNT_EXISTS", None),
        "SIGNUP_NOT_ALLOWED" => ("error.SIGNUP_NOT_ALLOWED", None),
        "SSO_DOMAIN_MISMATCH" => ("error.SSO_DOMAIN_MISMATCH", None),
        "UNKNOWN_CONNECTION" => ("error.UNKNOWN_CONNECTION", None),
        _ => ("error.other", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_login_form_offers_what_the_application_and_browser_allow() {
        use LoginMethod::*;
        let both = Offer::new(&[Password, Passkey], true);
        assert!(both.password && both.passkey && both.offers_passkey_creation(Mode::Login));
        assert!(!both.offers_passkey_creation(Mode::SignUp));
        // A browser without passkeys gets the password form only.
        assert_eq!(
            Offer::new(&[Password, Passkey], false),
            Offer {
                password: true,
                ..Offer::default()
            }
        );
        // An application without sign-ups offers none on the login form.
        let closed = Offer::new(&[Password], true).with_signup(false);
        assert!(!closed.offers_switch(Mode::Login) && closed.offers_switch(Mode::SignUp));
        assert!(Offer::new(&[Password], true)
            .with_signup(true)
            .offers_switch(Mode::Login));
        // Passkeys only: usable to sign in, not to sign up.
        let only = Offer::new(&[Passkey], true);
        assert!(only.usable(Mode::Login) && !only.usable(Mode::SignUp));
        for code in [
            "PASSKEY_NOT_ALLOWED",
            "PASSKEY_REJECTED",
            "PASSKEY_INVALID_STATE",
            "PASSKEY_UNSUPPORTED",
        ] {
            assert_ne!(explain(code).0, explain("SOMETHING_ELSE").0, "{code}");
        }
    }

    #[test]
    fn test_login_form_mode_from_attribute() {
        assert_eq!(Mode::parse(None), Mode::Login);
        assert_eq!(Mode::parse(Some(" SignUp ")), Mode::SignUp);
        assert_eq!(Mode::parse(Some("register")), Mode::Login);
        assert_eq!(Mode::Login.other(), Mode::SignUp);
        assert_eq!(Mode::SignUp.other().as_str(), "login");
        assert!(texts(Mode::SignUp).show_name);
        assert_eq!(texts(Mode::Login).password_autocomplete, "current-password");
    }

    #[test]
    fn test_login_form_checks_what_a_person_can_fix() {
        use Field::*;
        assert_eq!(check(Mode::Login, "  ", "pw").unwrap_err().0, Login);
        assert_eq!(check(Mode::Login, "ann", "").unwrap_err().0, Password);
        // A username is fine for logging in, short passwords too (the server decides).
        assert_eq!(check(Mode::Login, "ann", "short"), Ok(()));
        assert_eq!(
            check(Mode::SignUp, "ann", "long enough password"),
            Err((Login, "check.email_invalid"))
        );
        assert_eq!(
            check(Mode::SignUp, "ann@example.com", "short")
                .unwrap_err()
                .0,
            Password
        );
        assert_eq!(
            check(Mode::SignUp, "ann@example.com", "long enough"),
            Ok(())
        );
        for bad in [
            "@example.com",
            "ann@example",
            "ann@.com",
            "a nn@example.com",
        ] {
            assert!(check(Mode::SignUp, bad, "long enough").is_err(), "{bad}");
        }
    }

    #[test]
    fn test_login_form_offers_codes_and_links_by_email() {
        let o = Offer::new(&[LoginMethod::MagicCode], false);
        assert!(o.email_code && !o.magic_link && !o.password);
        assert!(o.usable(Mode::Login), "a code alone is a way in");
        assert!(!o.usable(Mode::SignUp), "sign-up is by password");
        let o = Offer::new(&[LoginMethod::MagicLink, LoginMethod::Password], true);
        assert!(o.magic_link && o.passwordless() && !o.email_code);
        assert_eq!(check_address(""), Err("check.address_empty"));
        assert_eq!(check_address("ann"), Err("check.address_not_email"));
        assert_eq!(check_address(" ann@example.com "), Ok(()));
        assert_eq!(check_email_code("12 34 56"), Ok(()));
        assert!(check_email_code("12345").is_err());
        assert!(check_email_code("abcdef").is_err());
        for code in ["INVALID_CODE", "CODE_EXPIRED", "CODE_USED", "LINK_DENIED"] {
            assert_ne!(explain(code).0, explain("SOMETHING_ELSE").0, "{code}");
        }
        assert_eq!(explain("INVALID_CODE").1, Some(Field::Code));
        assert!(Offer::new(&[LoginMethod::SmsCode], false).usable(Mode::Login));
        assert_eq!(check_phone("+1 (415) 555-0100"), Ok(()));
        for bad in ["4155550100", "+1 415", "+1415abc0100", ""] {
            assert!(check_phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn test_login_form_checks_second_step_codes() {
        assert!(check_code("123456", false).is_ok());
        assert!(check_code(" 123 456 ", false).is_ok());
        assert!(check_code("12345", false).is_err());
        assert!(check_code("12345a", false).is_err());
        assert!(check_code("abcde-12345", true).is_ok());
        assert!(check_code("ABCDE 12345", true).is_ok());
        assert!(check_code("abcde-1234", true).is_err());
        assert!(check_code("123456", true).is_err());
    }

    #[test]
    fn test_login_form_explains_errors_without_revealing_which_part_was_wrong() {
        use crate::browser::i18n::{Catalog, Lang};
        let (key, field) = explain("INVALID_CREDENTIALS");
        assert_eq!(field, Some(Field::Password));
        for lang in Lang::ALL {
            let msg = Catalog::new(lang).get(key).to_lowercase();
            for word in [
                "user",
                "exist",
                "utilisateur",
                "existe",
                "benutzer",
                "usuario",
            ] {
                assert!(!msg.contains(word), "{lang:?}: {msg}");
            }
        }
        assert_eq!(explain("EMAIL_TAKEN").1, Some(Field::Login));
        // The server's lockout code has its own wording.
        assert_eq!(explain("TOO_MANY_ATTEMPTS").0, "error.TOO_MANY_ATTEMPTS");
        assert_eq!(explain("INVALID_MFA_CODE").1, Some(Field::Code));
        assert_eq!(
            Catalog::default().get(explain("SOMETHING_NEW").0),
            "Something went wrong. Please try again."
        );
    }

    #[test]
    fn test_login_form_checks_a_required_new_password() {
        assert_eq!(check_new_password(""), Err("check.new_password_empty"));
        assert!(check_new_password("seven 7").is_err());
        // Characters, not bytes: four two-byte letters are not eight characters.
        assert!(check_new_password("éééé").is_err());
        assert!(check_new_password("eight ch").is_ok());
        assert_eq!(explain("PASSWORD_BREACHED").1, Some(Field::Password));
        assert_ne!(
            explain("INVALID_CHANGE_PASSWORD_ID").0,
            explain("SOMETHING_NEW").0
        );
    }

    #[test]
    fn test_login_form_names_set_up_mistakes_instead_of_something_went_wrong() {
        for code in ["INVALID_CLIENT_ID", "ORIGIN_NOT_ALLOWED"] {
            assert!(is_setup_error(code));
            assert_ne!(explain(code).0, explain("SOMETHING_NEW").0, "{code}");
        }
        let english = crate::browser::i18n::Catalog::default();
        assert!(english
            .get(explain("ORIGIN_NOT_ALLOWED").0)
            .contains("allowed origins"));
        assert!(!is_setup_error("INVALID_CREDENTIALS"));
    }
}
