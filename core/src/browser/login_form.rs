//! The logic of the `<latchkey-login>` widget, apart from the DOM: its modes, what each
//! shows, what it checks before sending, and how it words the server's errors for people.

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

/// The words of one mode.
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
            title: "Sign in",
            login_label: "Email or username",
            login_type: "text",
            password_autocomplete: "current-password",
            submit: "Sign in",
            busy: "Signing in…",
            switch_prompt: "No account yet?",
            switch_action: "Create one",
            show_name: false,
        },
        Mode::SignUp => Texts {
            title: "Create an account",
            login_label: "Email",
            login_type: "email",
            password_autocomplete: "new-password",
            submit: "Create account",
            busy: "Creating your account…",
            switch_prompt: "Already have an account?",
            switch_action: "Sign in",
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
}

impl Offer {
    pub fn new(methods: &[LoginMethod], passkeys_supported: bool) -> Offer {
        Offer {
            password: methods.contains(&LoginMethod::Password),
            passkey: passkeys_supported && methods.contains(&LoginMethod::Passkey),
            email_code: methods.contains(&LoginMethod::MagicCode),
            magic_link: methods.contains(&LoginMethod::MagicLink),
            sms_code: methods.contains(&LoginMethod::SmsCode),
        }
    }

    /// The form has something to offer in `mode`.
    pub fn usable(self, mode: Mode) -> bool {
        self.password || (mode == Mode::Login && (self.passkey || self.passwordless()))
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
            return Err("Enter one of your backup codes, like abcde-12345.");
        }
    } else if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the 6-digit code from your authenticator app.");
    }
    Ok(())
}

/// Checks the address a code or a link is to be sent to.
pub fn check_address(login: &str) -> Result<(), &'static str> {
    let login = login.trim();
    if login.is_empty() {
        return Err("Enter your email, and we will send you a code or a link.");
    }
    if !looks_like_email(login) {
        return Err("Codes and links go to an email address: enter yours.");
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
        return Err("Enter your mobile number with its country code, like +1 415 555 0100.");
    }
    Ok(())
}

/// Checks an emailed code before it is sent.
pub fn check_email_code(code: &str) -> Result<(), &'static str> {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the 6-digit code from the email.");
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
                Mode::Login => "Enter your email or username.",
                Mode::SignUp => "Enter your email.",
            },
        ));
    }
    if mode == Mode::SignUp && !looks_like_email(login) {
        return Err((Field::Login, "Enter a valid email address."));
    }
    if password.is_empty() {
        return Err((Field::Password, "Enter your password."));
    }
    // (`take` rather than a full count: the browser SDK then carries no fast char counter.)
    if mode == Mode::SignUp
        && password.chars().take(MIN_PASSWORD_CHARS).count() < MIN_PASSWORD_CHARS
    {
        return Err((
            Field::Password,
            "Use at least 8 characters for your password.",
        ));
    }
    Ok(())
}

/// The new password of a required change (the server validates fully, breaches included).
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    if password.is_empty() {
        return Err("Choose a new password.");
    }
    if password.chars().take(MIN_PASSWORD_CHARS).count() < MIN_PASSWORD_CHARS {
        return Err("Use at least 8 characters for your password.");
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

/// How the widget words an error code for a person, and which field it points at.
pub fn explain(code: &str) -> (&'static str, Option<Field>) {
    match code {
        "INVALID_CLIENT_ID" => (
            "This sign-in form is not set up: its client-id names no application.",
            None,
        ),
        "ORIGIN_NOT_ALLOWED" => (
            "This site may not sign in to this application: its address is not among the application's allowed origins.",
            None,
        ),
        "INVALID_CREDENTIALS" => (
            "That email or password is not right.",
            Some(Field::Password),
        ),
        "EMAIL_TAKEN" | "USERNAME_TAKEN" => (
            "An account with these details exists already. Sign in instead?",
            Some(Field::Login),
        ),
        "INVALID_EMAIL" => ("Enter a valid email address.", Some(Field::Login)),
        "INVALID_PASSWORD" => (
            "Choose a longer password (at least 8 characters).",
            Some(Field::Password),
        ),
        "ACCOUNT_DISABLED" => ("This account is disabled.", None),
        "EMAIL_NOT_VERIFIED" => (
            "Confirm your email first: we sent a link to it. Open it, then sign in.",
            None,
        ),
        "ACCOUNT_EXPIRED" => ("This account has expired.", None),
        "PASSWORD_CHANGE_REQUIRED" => ("Your password must be changed before you sign in.", None),
        "PASSWORD_BREACHED" => (
            "This password appears in known data breaches. Choose another.",
            Some(Field::Password),
        ),
        "INVALID_CHANGE_PASSWORD_ID" => (
            "This password change has expired. Sign in again to start over.",
            None,
        ),
        "INVALID_MFA_CODE" => (
            "That code is not right. Check your authenticator app, or use a backup code.",
            Some(Field::Code),
        ),
        "MFA_TOKEN_INVALID" => ("This sign-in has expired. Sign in again.", None),
        "INVALID_PHONE" => (
            "Enter your mobile number with its country code, like +1 415 555 0100.",
            Some(Field::Login),
        ),
        "SMS_NOT_CONFIGURED" => ("Text messages are not set up for this application.", None),
        "INVALID_CODE" => (
            "That code is not right. Check the message and try again.",
            Some(Field::Code),
        ),
        "CODE_EXPIRED" => ("This code or link has expired. Ask for a new one.", None),
        "CODE_USED" => (
            "This code or link was used already. Ask for a new one.",
            None,
        ),
        "LINK_DENIED" => ("The sign-in was refused from the link in the email.", None),
        "TOO_MANY_ATTEMPTS" | "TOO_MANY_REQUESTS" | "RATE_LIMITED" => {
            ("Too many attempts. Wait a moment and try again.", None)
        }
        "NETWORK_ERROR" => (
            "Could not reach the sign-in service. Check your connection and try again.",
            None,
        ),
        "LOGIN_METHOD_DISABLED" => ("This application does not allow that way in.", None),
        "PASSKEY_NOT_ALLOWED" => (
            "The passkey request was dismissed or timed out. Try again, or use your password.",
            None,
        ),
        "PASSKEY_REJECTED" => (
            "That passkey was not accepted. Try another, or use your password.",
            None,
        ),
        "PASSKEY_INVALID_STATE" => ("This device has a passkey for your account already.", None),
        "PASSKEY_UNSUPPORTED" => ("This browser cannot use passkeys here.", None),
        _ => ("Something went wrong. Please try again.", None),
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
            Err((Login, "Enter a valid email address."))
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
        assert_eq!(
            check_address(""),
            Err("Enter your email, and we will send you a code or a link.")
        );
        assert_eq!(
            check_address("ann"),
            Err("Codes and links go to an email address: enter yours.")
        );
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
        let (msg, field) = explain("INVALID_CREDENTIALS");
        assert!(!msg.contains("user") && !msg.contains("exist"), "{msg}");
        assert_eq!(field, Some(Field::Password));
        assert_eq!(explain("EMAIL_TAKEN").1, Some(Field::Login));
        // The server's lockout code has its own wording.
        assert!(explain("TOO_MANY_ATTEMPTS")
            .0
            .starts_with("Too many attempts"));
        assert_eq!(explain("INVALID_MFA_CODE").1, Some(Field::Code));
        assert_eq!(
            explain("SOMETHING_NEW").0,
            "Something went wrong. Please try again."
        );
    }

    #[test]
    fn test_login_form_checks_a_required_new_password() {
        assert_eq!(check_new_password(""), Err("Choose a new password."));
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
        assert!(explain("ORIGIN_NOT_ALLOWED").0.contains("allowed origins"));
        assert!(!is_setup_error("INVALID_CREDENTIALS"));
    }
}
