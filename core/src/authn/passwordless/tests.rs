//! Passwordless sign-in against the in-memory stores: codes and links, the same answer for
//! every address, limits, single use, and every way it must refuse.
#![allow(clippy::unwrap_used)]

use pollster::block_on;

use super::code::{self, SendCode, VerifyCode};
use super::link::{self, LinkStatus, Poll};
use super::*;
use crate::api::CreateApplication;
use crate::delivery::{Draft, Message};
use crate::model::{MfaPolicy, Outcome};
use crate::rand::TestRng;
use crate::sessions::jwt::KeyRing;
use crate::store::memory::MemoryStore;
use crate::store::{OrgStore, SessionStore, UserStore};
use crate::test_fixtures::{self as fixtures, FAST, ISS, NOW};

const KEY: &[u8] = b"test code key";
const PAGE: &str = "https://auth.example.com/magic-link";

struct World {
    store: MemoryStore,
    keys: KeyRing,
    rng: TestRng,
    org: String,
    app: Application,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.7".into()),
        city: Some("Austin".into()),
        country: Some("US".into()),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/130.0.0.0 Safari/537.36"
                .into(),
        ),
        ..Default::default()
    }
}

fn other_ip(n: u32) -> ClientInfo {
    ClientInfo {
        ip: Some(format!("198.51.100.{n}")),
        ..client()
    }
}

impl World {
    fn new() -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(21);
        let web = CreateApplication {
            name: "Web <App>".into(),
            login_methods: Some(vec![
                LoginMethod::Password,
                LoginMethod::MagicCode,
                LoginMethod::MagicLink,
            ]),
            ..Default::default()
        };
        let (org, app) = fixtures::org_and_app(&store, &mut rng, "A", web);
        let input = CreateUser {
            email: "Ann@Example.com".into(),
            ..Default::default()
        };
        let id = fixtures::user(&store, &org, input, &mut rng);
        block_on(crate::identity::registrations::register(
            &store, &org, &id, &app.id, NOW,
        ))
        .unwrap();
        World {
            store,
            keys: fixtures::key_ring(),
            rng,
            org,
            app,
        }
    }

    fn send_code(
        &mut self,
        email: &str,
        c: &ClientInfo,
        now: i64,
    ) -> Result<Option<String>, Error> {
        let req = SendCode {
            application: &self.app,
            channel: code::Channel::Email,
            to: email,
            client: c,
            key: KEY,
        };
        let (sent, message) = block_on(code::send(&self.store, req, now, &mut self.rng))?;
        assert_eq!((sent.expires_in, sent.resend_after), (600, 30));
        Ok(message.map(|m| code_in(&m)))
    }

    fn verify_code(&mut self, email: &str, code: &str, now: i64) -> Result<LoginSuccess, Error> {
        let app = self.app.clone();
        let req = VerifyCode {
            application: &app,
            channel: code::Channel::Email,
            to: email,
            code,
            client: client(),
            key: KEY,
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(code::verify(&self.store, req, env))
    }

    fn send_link(&mut self, email: &str, now: i64) -> (String, Option<String>) {
        let req = LinkRequest {
            application: &self.app,
            email,
            client: &client(),
            link_page: PAGE,
        };
        let (sent, message) = block_on(link::send(&self.store, req, now, &mut self.rng)).unwrap();
        assert_eq!((sent.expires_in, sent.resend_after), (900, 30));
        (sent.pending_id, message.map(|m| token_in(&m)))
    }

    fn poll(&mut self, pending_id: &str, now: i64) -> Result<LinkStatus, Error> {
        let app = self.app.clone();
        let poll = Poll {
            application: &app,
            pending_id,
            client: other_ip(9),
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(link::status(&self.store, poll, env))
    }

    /// Ann's password login into the application.
    fn password_login(&mut self, password: &str, now: i64) -> Result<LoginSuccess, Error> {
        let login = crate::authn::password::PasswordLogin {
            organization_id: &self.org,
            application: Some(&self.app),
            login_id: "ann@example.com",
            password,
            client: client(),
            no_tokens: false,
            require_registration: true,
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        let off = crate::authn::password::breach::Off;
        block_on(crate::authn::password::password_login(
            &self.store,
            login,
            &off,
            env,
        ))
    }

    fn last_record(&self) -> LoginRecord {
        self.store.records().last().cloned().unwrap()
    }
}

/// Every variable a template of the draft's kind may use has a value: the list an
/// administrator is shown is the truth.
fn assert_complete(d: &Draft) {
    for v in d.kind.variables() {
        assert!(d.vars.get(v).is_some(), "{:?} lacks {v}", d.kind);
    }
}

/// The email a draft becomes with the shipped templates.
fn email_of(m: &Draft) -> crate::delivery::Email {
    assert_complete(m);
    match m.render(None) {
        Message::Email(e) => e,
        Message::Sms(_) => panic!("not an email"),
    }
}

fn code_in(m: &Draft) -> String {
    let e = email_of(m);
    let code: String = e.subject.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{}", e.subject);
    assert!(e.text.contains(&code) && e.html.contains(&code));
    code
}

fn token_in(m: &Draft) -> String {
    let e = email_of(m);
    let start = e.text.find(PAGE).unwrap() + PAGE.len() + 1;
    let token: String = e.text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64);
    token
}

#[test]
fn test_passwordless_code_signs_in_once_and_verifies_the_address() {
    let mut w = World::new();
    let code = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let done = w
        .verify_code(" ANN@example.com", &code, NOW + 1000)
        .unwrap();
    assert_eq!(done.user.email, "Ann@Example.com");
    assert!(done.user.email_verified, "the code proved the address");
    assert_eq!(done.session.methods, vec!["magic_code"]);
    assert!(done.tokens.is_some());
    let r = w.last_record();
    assert_eq!(
        (r.outcome, r.method.as_str()),
        (Outcome::Success, "magic_code")
    );
    // The same code again: used.
    let e = w
        .verify_code("ann@example.com", &code, NOW + 2000)
        .unwrap_err();
    assert_eq!(e.code(), "CODE_USED");
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::CodeUsed)
    );
}

#[test]
fn test_passwordless_code_email_names_application_device_and_place_escaped() {
    let mut w = World::new();
    let req = SendCode {
        application: &w.app,
        channel: code::Channel::Email,
        to: "ann@example.com",
        client: &client(),
        key: KEY,
    };
    let (_, m) = block_on(code::send(&w.store, req, NOW, &mut w.rng)).unwrap();
    let e = email_of(m.as_ref().unwrap());
    assert_eq!(e.to, "Ann@Example.com");
    assert!(e.subject.ends_with("is your Web <App> code"));
    assert!(e.html.contains("Web &lt;App&gt;"));
    assert!(e.text.contains("Chrome on Linux, Austin, US (203.0.113.7)"));
    // Stored: a hash of the address and an HMAC of the code, never the code.
    let code = code_in(m.as_ref().unwrap());
    let stored = format!("{:?}", w.store.codes());
    assert!(!stored.contains(&code) && !stored.contains("ann@example.com\""));
}

#[test]
fn test_passwordless_unknown_address_is_answered_like_a_known_one() {
    let mut w = World::new();
    let before = w.store.codes().len();
    // Known and unknown: the same answer, one row each; a message only for the known one.
    assert!(w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .is_some());
    assert!(w
        .send_code("nobody@example.com", &client(), NOW)
        .unwrap()
        .is_none());
    assert_eq!(w.store.codes().len(), before + 2);
    // Verifying: both wrong codes read the same, and both run out of tries alike.
    // (Spaced out, as brute-force protection delays quick retries from one address.)
    for email in ["ann@example.com", "nobody@example.com"] {
        for i in 0..code::MAX_TRIES as i64 {
            let e = w
                .verify_code(email, "000000", NOW + i * 70_000)
                .unwrap_err();
            assert_eq!(e.code(), "INVALID_CODE", "{email}");
        }
        let e = w.verify_code(email, "000000", NOW + 500_000).unwrap_err();
        assert_eq!(e.code(), "CODE_EXPIRED", "{email}: void after five tries");
    }
    // A link: the same answer too.
    let (_, known) = w.send_link("ann@example.com", NOW + 60_000);
    let (pending, unknown) = w.send_link("nobody@example.com", NOW + 60_000);
    assert!(known.is_some() && unknown.is_none());
    assert!(matches!(
        w.poll(&pending, NOW + 61_000).unwrap(),
        LinkStatus::Pending { .. }
    ));
}

#[test]
fn test_passwordless_code_void_after_five_wrong_tries_even_with_the_right_one_next() {
    let mut w = World::new();
    let code = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for i in 0..code::MAX_TRIES as i64 {
        assert_eq!(
            w.verify_code("ann@example.com", wrong, NOW + i * 70_000)
                .unwrap_err()
                .code(),
            "INVALID_CODE"
        );
    }
    let e = w
        .verify_code("ann@example.com", &code, NOW + 500_000)
        .unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::CodeExpired)
    );
}

#[test]
fn test_passwordless_code_expires_after_ten_minutes_and_resend_replaces_it() {
    let mut w = World::new();
    let first = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let e = w
        .verify_code("ann@example.com", &first, NOW + code::TTL_MS)
        .unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    let second = w
        .send_code("ann@example.com", &client(), NOW + code::TTL_MS)
        .unwrap()
        .unwrap();
    if first != second {
        let e = w
            .verify_code("ann@example.com", &first, NOW + code::TTL_MS + 1)
            .unwrap_err();
        assert_eq!(
            e.code(),
            "INVALID_CODE",
            "the resent code replaced the first"
        );
    }
    assert!(w
        .verify_code("ann@example.com", &second, NOW + code::TTL_MS + 2)
        .is_ok());
}

#[test]
fn test_passwordless_code_of_one_application_does_not_work_in_another() {
    let mut w = World::new();
    let code = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let other = CreateApplication {
        name: "other".into(),
        login_methods: Some(vec![LoginMethod::MagicCode]),
        ..Default::default()
    };
    let view = block_on(crate::identity::applications::create(
        &w.store,
        &crate::store::memory::MemoryCache::new(),
        &w.org,
        other,
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    let original = std::mem::replace(
        &mut w.app,
        block_on(w.store.get_app(&w.org, &view.id))
            .unwrap()
            .unwrap(),
    );
    let e = w.verify_code("ann@example.com", &code, NOW).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    w.app = original;
    assert!(w.verify_code("ann@example.com", &code, NOW).is_ok());
}

#[test]
fn test_passwordless_resend_waits_and_hourly_caps_hold() {
    let mut w = World::new();
    w.send_code("ann@example.com", &client(), NOW).unwrap();
    let e = w
        .send_code("ann@example.com", &client(), NOW + 10_000)
        .unwrap_err();
    assert_eq!(
        e,
        Error::RateLimited {
            retry_after_secs: 20
        }
    );
    // Unknown addresses wait alike.
    w.send_code("nobody@example.com", &client(), NOW).unwrap();
    let e = w
        .send_code("nobody@example.com", &client(), NOW + 10_000)
        .unwrap_err();
    assert_eq!(
        e,
        Error::RateLimited {
            retry_after_secs: 20
        }
    );
    // The wait holds across the turn of an hour.
    let hour = NOW - NOW.rem_euclid(3_600_000) + 3_600_000;
    w.send_code("bob@example.com", &client(), hour - 10_000)
        .unwrap();
    let e = w
        .send_code("bob@example.com", &client(), hour + 5_000)
        .unwrap_err();
    assert_eq!(
        e,
        Error::RateLimited {
            retry_after_secs: 15
        }
    );
    // Five an hour per address, whatever the spacing.
    for i in 0..PER_ADDRESS_PER_HOUR as i64 {
        w.send_code("ann@example.com", &other_ip(i as u32), hour + i * 31_000)
            .unwrap();
    }
    let e = w
        .send_code("ann@example.com", &client(), hour + 10 * 60_000)
        .unwrap_err();
    assert_eq!(
        e,
        Error::RateLimited {
            retry_after_secs: 3000
        }
    );
    // A hundred an hour per client address, across addresses.
    let next = hour + 3_600_000;
    for i in 0..PER_IP_PER_HOUR {
        w.send_code(&format!("u{i}@example.com"), &client(), next)
            .unwrap();
    }
    let e = w
        .send_code("last@example.com", &client(), next)
        .unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }));
}

#[test]
fn test_passwordless_disabled_method_and_bad_address_are_refused() {
    let mut w = World::new();
    w.app.login_methods = vec![LoginMethod::Password];
    let e = w.send_code("ann@example.com", &client(), NOW).unwrap_err();
    assert_eq!(e.code(), "LOGIN_METHOD_DISABLED");
    w.app.login_methods = vec![LoginMethod::MagicCode];
    let e = w.send_code("not an address", &client(), NOW).unwrap_err();
    assert_eq!(e.code(), "INVALID_EMAIL");
}

#[test]
fn test_passwordless_sign_up_by_code_where_the_application_allows_it() {
    let mut w = World::new();
    w.app.self_signup = true;
    let code = w.send_code("new@example.com", &client(), NOW).unwrap();
    let code = code.expect("sign-up allowed: the code is sent");
    let done = w.verify_code("new@example.com", &code, NOW).unwrap();
    assert_eq!(done.user.email, "new@example.com");
    assert!(done.user.email_verified && done.user.password_hash.is_none());
}

#[test]
fn test_passwordless_mfa_users_continue_with_their_second_factor() {
    let mut w = World::new();
    w.app.mfa.policy = MfaPolicy::Required;
    let code = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let e = w.verify_code("ann@example.com", &code, NOW).unwrap_err();
    assert_eq!(e.code(), "MFA_ENROLLMENT_REQUIRED");
}

#[test]
fn test_passwordless_link_approved_on_another_device_signs_in_the_asking_one_once() {
    let mut w = World::new();
    let (pending, token) = w.send_link("ann@example.com", NOW);
    let token = token.unwrap();
    assert!(matches!(
        w.poll(&pending, NOW + 1000).unwrap(),
        LinkStatus::Pending { expires_in: 899 }
    ));
    let info = block_on(link::inspect(&w.store, &token, NOW + 2000)).unwrap();
    assert_eq!(info.application, "Web <App>");
    assert_eq!(info.email, "ann@example.com");
    assert_eq!(info.device, "Chrome on Linux");
    assert_eq!(
        (info.location.as_str(), info.ip.as_str()),
        ("Austin, US", "203.0.113.7")
    );
    let ok = block_on(link::verify(
        &w.store,
        &token,
        true,
        &other_ip(3),
        NOW + 3000,
    ))
    .unwrap();
    assert!(ok.approved);
    // The link works once.
    let e = block_on(link::verify(
        &w.store,
        &token,
        true,
        &other_ip(3),
        NOW + 3000,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "CODE_USED");
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::CodeUsed)
    );
    // The asking page's poll signs in, as the asking device, once.
    let LinkStatus::SignedIn(done) = w.poll(&pending, NOW + 4000).unwrap() else {
        panic!("not signed in");
    };
    assert_eq!(done.session.methods, vec!["magic_link"]);
    assert_eq!(done.session.client.ip.as_deref(), Some("198.51.100.9"));
    let e = w.poll(&pending, NOW + 5000).unwrap_err();
    assert_eq!(e.code(), "CODE_USED");
}

#[test]
fn test_passwordless_link_refused_by_its_holder_never_signs_in() {
    let mut w = World::new();
    let (pending, token) = w.send_link("ann@example.com", NOW);
    let token = token.unwrap();
    let r = block_on(link::verify(&w.store, &token, false, &other_ip(3), NOW)).unwrap();
    assert!(!r.approved);
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::LinkDenied)
    );
    assert_eq!(w.poll(&pending, NOW).unwrap_err().code(), "LINK_DENIED");
    assert_eq!(w.poll(&pending, NOW).unwrap_err().code(), "CODE_USED");
}

#[test]
fn test_passwordless_link_expires_and_foreign_or_unknown_ids_read_as_expired() {
    let mut w = World::new();
    let (pending, token) = w.send_link("ann@example.com", NOW);
    let token = token.unwrap();
    let later = NOW + link::TTL_MS;
    let e = block_on(link::inspect(&w.store, &token, later)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    let e = block_on(link::verify(&w.store, &token, true, &client(), later)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    assert_eq!(w.poll(&pending, later).unwrap_err().code(), "CODE_EXPIRED");
    assert_eq!(w.poll("nonsense", NOW).unwrap_err().code(), "CODE_EXPIRED");
    let e = block_on(link::verify(&w.store, "nonsense", true, &client(), NOW)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
}

#[test]
fn test_passwordless_link_of_another_organization_does_not_sign_in_here() {
    let mut w = World::new();
    let (pending, token) = w.send_link("ann@example.com", NOW);
    block_on(link::verify(
        &w.store,
        &token.unwrap(),
        true,
        &client(),
        NOW,
    ))
    .unwrap();
    let other = CreateApplication {
        name: "b".into(),
        login_methods: Some(vec![LoginMethod::MagicLink]),
        ..Default::default()
    };
    let (_, b) = fixtures::org_and_app(&w.store, &mut w.rng, "B", other);
    let original = std::mem::replace(&mut w.app, b);
    assert_eq!(w.poll(&pending, NOW).unwrap_err().code(), "CODE_EXPIRED");
    w.app = original;
    // Spent by the foreign poll: a stolen pending id is worth one try, anywhere.
    assert!(w.poll(&pending, NOW).is_err());
}

#[test]
fn test_passwordless_wrong_codes_count_toward_the_login_id_lock() {
    let mut w = World::new();
    let policy = guard::Policy::default();
    // Each send allows five guesses; the login id's counters run across sends.
    let mut refused = None;
    for round in 0..3i64 {
        let at = NOW + round * 400_000;
        w.send_code("ann@example.com", &client(), at).unwrap();
        for i in 0..code::MAX_TRIES as i64 {
            match w.verify_code("ann@example.com", "999999", at + 1000 + i * 70_000) {
                Err(Error::TooManyAttempts { .. }) => {
                    refused = Some(round);
                    break;
                }
                Err(e) => assert_eq!(e.code(), "INVALID_CODE"),
                Ok(_) => {}
            }
        }
        if refused.is_some() {
            break;
        }
    }
    assert_eq!(
        refused,
        Some(2),
        "locked after {} failures",
        policy.ip_failures
    );
}

fn request_reset(w: &mut World, email: &str, now: i64) -> (crate::api::CodeSent, Option<String>) {
    let req = LinkRequest {
        application: &w.app,
        email,
        client: &client(),
        link_page: "https://auth.example.com/reset-password",
    };
    let (sent, m) = block_on(super::reset::request(&w.store, req, now, &mut w.rng)).unwrap();
    let token = m.map(|m| {
        let e = email_of(&m);
        assert_eq!(e.subject, "Reset your Web <App> password");
        let start = e.text.find("reset-password#").unwrap() + "reset-password#".len();
        e.text[start..start + 64].to_owned()
    });
    (sent, token)
}

#[test]
fn test_passwordless_reset_sets_the_password_once_ends_sessions_and_tells_the_user() {
    let mut w = World::new();
    // A session that must end.
    let code = w
        .send_code("ann@example.com", &client(), NOW)
        .unwrap()
        .unwrap();
    let before = w.verify_code("ann@example.com", &code, NOW).unwrap();
    let (sent, token) = request_reset(&mut w, "ann@example.com", NOW + 60_000);
    assert_eq!((sent.expires_in, sent.resend_after), (1800, 30));
    let token = token.unwrap();
    let info = block_on(super::reset::inspect(&w.store, &token, NOW + 61_000)).unwrap();
    assert_eq!(info.email, "Ann@Example.com");
    assert_eq!(info.expires_in, 1799);
    let (user, notice) = block_on(super::reset::complete(
        &w.store,
        &token,
        "a brand new password",
        &other_ip(4),
        FAST,
        NOW + 62_000,
        &mut w.rng,
    ))
    .unwrap();
    let notice = email_of(notice.as_ref().unwrap());
    assert_eq!(notice.subject, "Your Web <App> password was changed");
    assert!(notice.text.contains("198.51.100.4"));
    assert!(user.password_hash.is_some());
    let session = block_on(w.store.get_session(&w.org, &before.session.id))
        .unwrap()
        .unwrap();
    assert!(session.revoked_at.is_some(), "old sessions end");
    assert!(w
        .store
        .events()
        .iter()
        .any(|e| e.kind == crate::events::kinds::PASSWORD_RESET));
    // Once.
    let again = block_on(super::reset::complete(
        &w.store,
        &token,
        "another new password",
        &client(),
        FAST,
        NOW + 63_000,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(again.code(), "CODE_USED");
    // The new password works.
    assert!(w
        .password_login("a brand new password", NOW + 64_000)
        .is_ok());
}

#[test]
fn test_passwordless_reset_unknown_address_alike_and_links_expire() {
    let mut w = World::new();
    let before = w.store.codes().len();
    let (a, known) = request_reset(&mut w, "ann@example.com", NOW);
    let (b, unknown) = request_reset(&mut w, "nobody@example.com", NOW);
    assert_eq!(a, b);
    assert!(known.is_some() && unknown.is_none());
    assert_eq!(w.store.codes().len(), before + 2, "a row each");
    let token = known.unwrap();
    let late = NOW + super::reset::TTL_MS;
    let e = block_on(super::reset::inspect(&w.store, &token, late)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    let e = block_on(super::reset::complete(
        &w.store,
        &token,
        "a brand new password",
        &client(),
        FAST,
        late,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    // A weak password is refused before the link is spent.
    let (_, fresh) = request_reset(&mut w, "ann@example.com", late + 60_000);
    let fresh = fresh.unwrap();
    let e = block_on(super::reset::complete(
        &w.store,
        &fresh,
        "short",
        &client(),
        FAST,
        late + 61_000,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_PASSWORD");
    assert!(block_on(super::reset::inspect(&w.store, &fresh, late + 62_000)).is_ok());
}

#[test]
fn test_passwordless_verify_email_link_confirms_once_and_the_policy_gates_password_logins() {
    let mut w = World::new();
    w.app.require_verified_email = true;
    let e = w.password_login("correct horse", NOW).unwrap_err();
    assert_eq!(e.code(), "EMAIL_NOT_VERIFIED");
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::EmailNotVerified)
    );
    // The same answer for every address; a link only for the unverified account.
    let send = |w: &mut World, email: &str, now: i64| {
        let req = LinkRequest {
            application: &w.app,
            email,
            client: &client(),
            link_page: "https://auth.example.com/verify-email",
        };
        block_on(super::verify_email::send(&w.store, req, now, &mut w.rng)).unwrap()
    };
    let (a, m) = send(&mut w, "ann@example.com", NOW);
    let (b, none) = send(&mut w, "nobody@example.com", NOW);
    assert_eq!(a, b);
    assert!(none.is_none());
    let e = email_of(m.as_ref().unwrap());
    assert_eq!(e.subject, "Confirm your email for Web <App>");
    let start = e.text.find("verify-email#").unwrap() + "verify-email#".len();
    let token = e.text[start..start + 64].to_owned();
    let ok = block_on(super::verify_email::verify(&w.store, &token, NOW + 1000)).unwrap();
    assert!(ok.email_verified);
    assert_eq!(
        block_on(super::verify_email::verify(&w.store, &token, NOW + 2000))
            .unwrap_err()
            .code(),
        "CODE_USED"
    );
    assert!(w.password_login("correct horse", NOW + 3000).is_ok());
    // Verified now: asking again sends nothing, and answers the same.
    let (c, nothing) = send(&mut w, "ann@example.com", NOW + 60_000);
    assert_eq!(a, c);
    assert!(nothing.is_none());
}

#[test]
fn test_passwordless_verify_email_link_dies_with_an_address_change_and_expires() {
    let mut w = World::new();
    let user = block_on(w.store.find_login(&w.org, "ann@example.com"))
        .unwrap()
        .unwrap();
    // A confirmation link for Ann, asked for at `now`: its token.
    let link = |w: &mut World, now: i64| {
        let m = block_on(super::verify_email::link_for(
            &w.store,
            &w.app,
            &user,
            &client(),
            "https://a/verify-email",
            now,
            &mut w.rng,
        ))
        .unwrap()
        .unwrap();
        let text = email_of(&m).text.clone();
        let start = text.find("verify-email#").unwrap() + "verify-email#".len();
        text[start..start + 64].to_owned()
    };
    let token = link(&mut w, NOW);
    let late = NOW + super::verify_email::TTL_MS;
    let e = block_on(super::verify_email::verify(&w.store, &token, late)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    // A fresh link, then the address changes: the link confirms nothing.
    let token = link(&mut w, late);
    let mut changed = user.clone();
    changed.email = "ann.new@example.com".into();
    changed.email_normalized = "ann.new@example.com".into();
    assert!(block_on(w.store.update_user(&changed, user.updated_at)).unwrap());
    let e = block_on(super::verify_email::verify(&w.store, &token, late + 1)).unwrap_err();
    assert_eq!(e.code(), "CODE_EXPIRED");
    let after = block_on(w.store.get_user(&w.org, &user.id))
        .unwrap()
        .unwrap();
    assert!(!after.email_verified);
}

#[test]
fn test_passwordless_sms_code_signs_in_by_the_number_an_account_has() {
    let mut w = World::new();
    w.app.login_methods.push(LoginMethod::SmsCode);
    let sms = |w: &mut World, to: &str, now: i64| {
        let req = SendCode {
            application: &w.app,
            channel: code::Channel::Sms,
            to,
            client: &client(),
            key: KEY,
        };
        block_on(code::send(&w.store, req, now, &mut w.rng))
    };
    // No SMS provider: refused, whatever the number.
    assert_eq!(
        sms(&mut w, "+14155550100", NOW).unwrap_err().code(),
        "SMS_NOT_CONFIGURED"
    );
    let mut org = block_on(w.store.get_org(&w.org)).unwrap().unwrap();
    org.messaging.sms = crate::model::SmsProvider::Twilio;
    block_on(w.store.update_org(&org)).unwrap();
    let mut ann = block_on(w.store.find_login(&w.org, "ann@example.com"))
        .unwrap()
        .unwrap();
    ann.phone = Some("+14155550100".into());
    assert!(block_on(w.store.update_user(&ann, ann.updated_at)).unwrap());
    assert_eq!(
        sms(&mut w, "415 555 0100", NOW).unwrap_err().code(),
        "INVALID_PHONE"
    );
    let (sent, m) = sms(&mut w, "+1 (415) 555-0100", NOW).unwrap();
    let (same, none) = sms(&mut w, "+14155550199", NOW).unwrap();
    assert_eq!(sent, same);
    assert!(none.is_none(), "a number no account has gets nothing");
    m.iter().for_each(assert_complete);
    let Some(Message::Sms(text)) = m.map(|d| d.render(None)) else {
        panic!("not an SMS")
    };
    assert_eq!(text.to, "+14155550100");
    assert!(text
        .body
        .ends_with("is your Web <App> sign-in code. It works for 10 minutes. Never share it."));
    let digits = &text.body[..6];
    let app = w.app.clone();
    let req = VerifyCode {
        application: &app,
        channel: code::Channel::Sms,
        to: "+14155550100",
        code: digits,
        client: client(),
        key: KEY,
        trust_token: None,
    };
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW + 1000,
        rng: &mut w.rng,
    };
    let done = block_on(code::verify(&w.store, req, env)).unwrap();
    assert_eq!(done.session.methods, vec!["sms_code"]);
    assert!(!done.user.email_verified, "a number proves no email");
    assert_eq!(w.last_record().method, "sms_code");
}
