//! MFA against the in-memory stores: enrolment, the login's second step and every way it
//! must refuse.
#![allow(clippy::unwrap_used)]

use pollster::block_on;

use super::factors;
use super::seal::test_keys::TestKeys;
use super::seal::{self, MfaKeys};
use super::*;
use crate::api::{CreateApplication, CreateUser};
use crate::authn::password::breach::Off;
use crate::authn::password::{password_login, PasswordLogin};
use crate::login::LoginEnv;
use crate::model::{FailureReason, MfaSettings};
use crate::rand::TestRng;
use crate::sessions::jwt::KeyRing;
use crate::store::memory::MemoryStore;
use crate::test_fixtures::{self as fixtures, FAST, ISS, NOW};

const STEP_MS: i64 = 30_000;

struct World {
    store: MemoryStore,
    keys: KeyRing,
    mfa_keys: TestKeys,
    rng: TestRng,
    org: String,
    app: Application,
    user: User,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("test-agent".into()),
        ..Default::default()
    }
}

impl World {
    fn new() -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(9);
        let web = CreateApplication {
            name: "web".into(),
            ..Default::default()
        };
        let (org, app) = fixtures::org_and_app(&store, &mut rng, "A", web);
        let user = Self::add_user(&store, &org, "ann@example.com", &mut rng);
        World {
            store,
            keys: fixtures::key_ring(),
            mfa_keys: TestKeys::new(3),
            rng,
            org,
            app,
            user,
        }
    }

    fn add_user(store: &MemoryStore, org: &str, email: &str, rng: &mut TestRng) -> User {
        let input = CreateUser {
            email: email.into(),
            ..Default::default()
        };
        let id = fixtures::user(store, org, input, rng);
        block_on(store.get_user(org, &id)).unwrap().unwrap()
    }

    fn set_mfa(&mut self, mfa: MfaSettings) {
        self.app.mfa = mfa;
        block_on(self.store.update_app(&self.app)).unwrap();
    }

    /// Enrols and confirms an authenticator for `user`: its secret and backup codes.
    fn enrol(&mut self, user: &User, now: i64) -> (Vec<u8>, Vec<String>) {
        let started = block_on(factors::enroll_totp(
            &self.store,
            &self.mfa_keys,
            user,
            "Latchkey",
            now,
            &mut self.rng,
        ))
        .unwrap();
        let secret = self.secret_of(user, &started.id);
        assert_eq!(totp::base32(&secret), started.secret);
        let code = totp::code_at(&secret, totp::step_of(now));
        let confirmed = block_on(factors::confirm_totp(
            &self.store,
            &self.mfa_keys,
            user,
            &started.id,
            &code,
            now,
            &mut self.rng,
        ))
        .unwrap();
        (secret, confirmed.backup_codes.unwrap_or_default())
    }

    fn secret_of(&self, user: &User, id: &str) -> Vec<u8> {
        let f = block_on(self.store.user_factors(&user.organization_id, &user.id))
            .unwrap()
            .into_iter()
            .find(|f| f.id == id)
            .unwrap();
        block_on(seal::open(
            &self.mfa_keys,
            &f.secret,
            &seal::context(&f.id, &user.id),
        ))
        .unwrap()
        .plain
    }

    fn password(
        &mut self,
        login_id: &str,
        trust: Option<&str>,
        now: i64,
    ) -> Result<LoginSuccess, Error> {
        let req = PasswordLogin {
            organization_id: &self.org,
            application: Some(&self.app),
            login_id,
            password: "correct horse",
            client: client(),
            no_tokens: false,
            require_registration: false,
            trust_token: trust,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(password_login(&self.store, req, &Off, env))
    }

    /// A password login that must stop at MFA: its pending state.
    fn pending(&mut self, now: i64) -> MfaPending {
        match self.password("ann@example.com", None, now) {
            Err(Error::MfaRequired(p)) => p,
            other => panic!("expected MFA_REQUIRED, got {other:?}"),
        }
    }

    fn complete(
        &mut self,
        token: &str,
        proof: Proof<'_>,
        trust: bool,
        now: i64,
    ) -> Result<MfaDone, Error> {
        let req = SecondFactor {
            mfa_token: token,
            proof,
            trust_device: trust,
            client: client(),
            organization_id: None,
            application_id: None,
            no_tokens: false,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(complete(&self.store, &self.mfa_keys, req, env))
    }

    fn last_record(&self) -> crate::model::LoginRecord {
        self.store.records().last().cloned().unwrap()
    }
}

fn code(secret: &[u8], now: i64) -> String {
    totp::code_at(secret, totp::step_of(now))
}

#[test]
fn test_mfa_users_without_factors_log_in_with_a_password_alone() {
    let mut w = World::new();
    let done = w.password("ann@example.com", None, NOW).unwrap();
    assert_eq!(done.session.methods, ["password"]);
}

#[test]
fn test_mfa_enrolment_confirms_with_a_first_code_and_gives_ten_backup_codes_once() {
    let mut w = World::new();
    let user = w.user.clone();
    let started = block_on(factors::enroll_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        "Latchkey",
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(started.secret.len(), 32, "160 bits in base32");
    assert!(started
        .otpauth_uri
        .starts_with("otpauth://totp/Latchkey:ann%40example.com?secret="));
    assert!(started.qr_svg.starts_with("<svg"));
    // The stored secret is sealed, never in clear.
    let stored = block_on(w.store.user_factors(&w.org, &user.id)).unwrap();
    assert!(stored[0].secret.starts_with("v1."));
    assert!(!stored[0].secret.contains(&started.secret));
    // A pending factor asks nothing at login.
    assert!(w.password("ann@example.com", None, NOW).is_ok());
    // A wrong first code is refused; the right one confirms.
    let secret = w.secret_of(&user, &started.id);
    let wrong = format!(
        "{:06}",
        (code(&secret, NOW).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let e = block_on(factors::confirm_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        &started.id,
        &wrong,
        NOW,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_MFA_CODE");
    let ok = block_on(factors::confirm_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        &started.id,
        &code(&secret, NOW),
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert!(ok.authenticator.confirmed);
    let codes = ok.backup_codes.unwrap();
    assert_eq!(codes.len(), 10);
    let mut unique = codes.clone();
    unique.dedup();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    assert!(codes
        .iter()
        .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    // Confirming twice: it is not pending any more.
    let again = block_on(factors::confirm_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        &started.id,
        &code(&secret, NOW),
        NOW,
        &mut w.rng,
    ));
    assert_eq!(again.unwrap_err(), Error::NotFound);
    let list = block_on(factors::list(&w.store, &w.org, &user.id)).unwrap();
    assert!(list.mfa_enabled);
    assert_eq!(list.backup_codes_left, 10);
}

#[test]
fn test_mfa_password_then_code_starts_a_two_factor_session() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let later = NOW + 5 * STEP_MS;
    let pending = w.pending(later);
    assert_eq!(pending.methods, ["totp", "backup_code"]);
    assert!(!pending.enrollment_required);
    assert_eq!(pending.expires_in, 300);
    let r = w.last_record();
    assert_eq!(r.failure_reason, Some(FailureReason::MfaRequired));
    assert_eq!(r.method, "password");
    // The token is stored hashed.
    assert!(!format!("{:?}", w.store.records()).contains(&pending.token));
    let done = w
        .complete(
            &pending.token,
            Proof::Totp(&code(&secret, later)),
            false,
            later,
        )
        .unwrap();
    assert_eq!(done.success.session.methods, ["password", "totp"]);
    assert!(done.trust_token.is_none());
    let r = w.last_record();
    assert_eq!(r.outcome, Outcome::Success);
    assert_eq!(r.method, "totp");
    assert_eq!(r.login_id, "ann@example.com");
    let access = done.success.tokens.unwrap().access_token;
    let claims = w.keys.verify(&access, ISS, None, later).unwrap();
    assert_eq!(claims.claims.amr, ["pwd", "otp", "mfa"]);
    // The token is spent.
    let e = w
        .complete(
            &pending.token,
            Proof::Totp(&code(&secret, later + STEP_MS)),
            false,
            later,
        )
        .unwrap_err();
    assert_eq!(e, Error::MfaTokenInvalid);
}

#[test]
fn test_mfa_code_of_a_used_step_is_refused_and_drift_is_one_step() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let t = NOW + 10 * STEP_MS;
    let first = w.pending(t);
    w.complete(&first.token, Proof::Totp(&code(&secret, t)), false, t)
        .unwrap();
    // The same code, at a new login in the same step: a replay.
    let second = w.pending(t);
    let e = w
        .complete(&second.token, Proof::Totp(&code(&secret, t)), false, t)
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::InvalidMfaCode)
    );
    // Two steps ahead is too far; the next step's code works (drift of one).
    let e = w
        .complete(
            &second.token,
            Proof::Totp(&code(&secret, t + 2 * STEP_MS)),
            false,
            t,
        )
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    w.complete(
        &second.token,
        Proof::Totp(&code(&secret, t + STEP_MS)),
        false,
        t,
    )
    .unwrap();
}

#[test]
fn test_mfa_token_allows_five_codes_then_is_void() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let t = NOW + 20 * STEP_MS;
    let p = w.pending(t);
    for _ in 0..MAX_TRIES {
        let e = w.complete(&p.token, Proof::Totp("000000"), false, t);
        // (Astronomically unlikely to be the right code; the secret is fixed by the seed.)
        assert_eq!(e.unwrap_err(), Error::InvalidMfaCode);
    }
    // The sixth, even right, finds no token.
    let e = w
        .complete(&p.token, Proof::Totp(&code(&secret, t)), false, t)
        .unwrap_err();
    assert_eq!(e, Error::MfaTokenInvalid);
    let r = w.last_record();
    assert_eq!(r.failure_reason, Some(FailureReason::MfaTokenExpired));
    assert_eq!(r.user_id.as_deref(), Some(user.id.as_str()));
}

#[test]
fn test_mfa_token_expires_after_five_minutes() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let t = NOW + 40 * STEP_MS;
    let p = w.pending(t);
    let late = t + TOKEN_TTL_MS;
    let e = w
        .complete(&p.token, Proof::Totp(&code(&secret, late)), false, late)
        .unwrap_err();
    assert_eq!(e, Error::MfaTokenInvalid);
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::MfaTokenExpired)
    );
    // An unknown token: nothing to record, the same answer.
    let n = w.store.records().len();
    let e = w
        .complete("not-a-token", Proof::Totp("123456"), false, t)
        .unwrap_err();
    assert_eq!(e, Error::MfaTokenInvalid);
    assert_eq!(w.store.records().len(), n);
}

#[test]
fn test_mfa_backup_codes_work_once_each_and_are_typed_loosely() {
    let mut w = World::new();
    let user = w.user.clone();
    let (_, codes) = w.enrol(&user, NOW);
    let t = NOW + STEP_MS;
    let p = w.pending(t);
    // Upper case, no hyphen, spaces: the same code.
    let typed = codes[0].replace('-', " ").to_uppercase();
    let done = w
        .complete(&p.token, Proof::BackupCode(&typed), false, t)
        .unwrap();
    assert_eq!(done.success.session.methods, ["password", "backup_code"]);
    assert_eq!(w.last_record().method, "backup_code");
    // Used: refused at the next login, which still allows the others.
    let p = w.pending(t);
    let e = w
        .complete(&p.token, Proof::BackupCode(&codes[0]), false, t)
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    w.complete(&p.token, Proof::BackupCode(&codes[1]), false, t)
        .unwrap();
    let list = block_on(factors::list(&w.store, &w.org, &user.id)).unwrap();
    assert_eq!(list.backup_codes_left, 8);
    // Seed 003 sends both kinds as `code`.
    assert_eq!(Proof::from_code(" 123456 "), Proof::Totp("123456"));
    assert_eq!(Proof::from_code(&codes[2]), Proof::BackupCode(&codes[2]));
    // Replaced: the old ones stop working.
    let fresh = block_on(factors::regenerate_backup_codes(
        &w.store,
        &w.mfa_keys,
        &user,
        t,
        &mut w.rng,
    ))
    .unwrap();
    let p = w.pending(t);
    let e = w
        .complete(&p.token, Proof::BackupCode(&codes[2]), false, t)
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    w.complete(
        &p.token,
        Proof::BackupCode(&fresh.backup_codes[0]),
        false,
        t,
    )
    .unwrap();
}

#[test]
fn test_mfa_backup_code_of_one_user_is_not_another_users() {
    let mut w = World::new();
    let ann = w.user.clone();
    let bob = World::add_user(&w.store, &w.org, "bob@example.com", &mut w.rng);
    let (_, ann_codes) = w.enrol(&ann, NOW);
    w.enrol(&bob, NOW);
    let req = w.password("bob@example.com", None, NOW);
    let Err(Error::MfaRequired(p)) = req else {
        panic!("bob has MFA");
    };
    let e = w
        .complete(&p.token, Proof::BackupCode(&ann_codes[0]), false, NOW)
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    // Ann's code still works for Ann.
    let p = w.pending(NOW);
    w.complete(&p.token, Proof::BackupCode(&ann_codes[0]), false, NOW)
        .unwrap();
}

#[test]
fn test_mfa_trusted_device_skips_the_code_until_factors_change() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let t = NOW + 3 * STEP_MS;
    let p = w.pending(t);
    let done = w
        .complete(&p.token, Proof::Totp(&code(&secret, t)), true, t)
        .unwrap();
    let trust = done.trust_token.unwrap();
    // The next login from this device needs no code.
    let again = w
        .password("ann@example.com", Some(&trust), t + 1000)
        .unwrap();
    assert_eq!(again.session.methods, ["password"]);
    // Another user cannot use it.
    let bob = World::add_user(&w.store, &w.org, "bob@example.com", &mut w.rng);
    w.enrol(&bob, NOW);
    assert!(matches!(
        w.password("bob@example.com", Some(&trust), t),
        Err(Error::MfaRequired(_))
    ));
    // Past the application's trust days: asked again.
    let expired = t + 31 * 24 * 3600 * 1000;
    assert!(matches!(
        w.password("ann@example.com", Some(&trust), expired),
        Err(Error::MfaRequired(_))
    ));
    // With trust off, the token counts for nothing.
    w.set_mfa(MfaSettings {
        trust_days: 0,
        ..MfaSettings::default()
    });
    assert!(matches!(
        w.password("ann@example.com", Some(&trust), t + 2000),
        Err(Error::MfaRequired(_))
    ));
    w.set_mfa(MfaSettings::default());
    // Removing a factor ends every trusted device.
    let id = block_on(w.store.user_factors(&w.org, &user.id)).unwrap()[0]
        .id
        .clone();
    w.enrol(&user, t);
    block_on(factors::remove(&w.store, &w.org, &user.id, &id, "user", t)).unwrap();
    assert!(matches!(
        w.password("ann@example.com", Some(&trust), t + 3000),
        Err(Error::MfaRequired(_))
    ));
}

#[test]
fn test_mfa_removing_the_last_factor_removes_backup_codes_and_mfa() {
    let mut w = World::new();
    let user = w.user.clone();
    w.enrol(&user, NOW);
    let id = block_on(w.store.user_factors(&w.org, &user.id)).unwrap()[0]
        .id
        .clone();
    // Not another user's, not twice.
    let other = World::add_user(&w.store, &w.org, "bob@example.com", &mut w.rng);
    assert_eq!(
        block_on(factors::remove(&w.store, &w.org, &other.id, &id, "x", NOW)),
        Err(Error::NotFound)
    );
    block_on(factors::remove(
        &w.store, &w.org, &user.id, &id, "user", NOW,
    ))
    .unwrap();
    assert_eq!(
        block_on(factors::remove(
            &w.store, &w.org, &user.id, &id, "user", NOW
        )),
        Err(Error::NotFound)
    );
    let list = block_on(factors::list(&w.store, &w.org, &user.id)).unwrap();
    assert!(!list.mfa_enabled);
    assert_eq!(list.backup_codes_left, 0);
    assert!(w.password("ann@example.com", None, NOW).is_ok());
    assert!(w
        .store
        .events()
        .iter()
        .any(|e| e.kind == crate::events::kinds::MFA_REMOVED));
}

#[test]
fn test_mfa_required_policy_makes_users_enrol_at_login() {
    let mut w = World::new();
    w.set_mfa(MfaSettings {
        policy: MfaPolicy::Required,
        ..MfaSettings::default()
    });
    let p = w.pending(NOW);
    assert!(p.enrollment_required);
    assert_eq!(p.methods, ["totp"]);
    // The token lets this user, and only this login, enrol.
    let user = block_on(enrolling_user(&w.store, &p.token, Some(&w.app.id), NOW)).unwrap();
    assert_eq!(user.id, w.user.id);
    // Not in another application's name.
    assert_eq!(
        block_on(enrolling_user(&w.store, &p.token, Some("another-app"), NOW)).unwrap_err(),
        Error::MfaTokenInvalid
    );
    let started = block_on(factors::enroll_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        "Latchkey",
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    let secret = w.secret_of(&user, &started.id);
    // A backup code cannot stand in for the first code.
    let e = w
        .complete(&p.token, Proof::BackupCode("abcde-fghjk"), false, NOW)
        .unwrap_err();
    assert_eq!(e, Error::InvalidMfaCode);
    let done = w
        .complete(&p.token, Proof::Totp(&code(&secret, NOW)), false, NOW)
        .unwrap();
    assert_eq!(done.success.session.methods, ["password", "totp"]);
    assert_eq!(done.backup_codes.unwrap().len(), 10);
    // From now on the user has a factor like anyone else.
    let p = w.pending(NOW + STEP_MS);
    assert!(!p.enrollment_required);
    assert_eq!(
        block_on(enrolling_user(&w.store, &p.token, None, NOW))
            .unwrap_err()
            .code(),
        "MFA_ALREADY_ENROLLED"
    );
}

#[test]
fn test_mfa_a_login_told_to_enrol_cannot_once_the_user_has_a_factor() {
    // The login read the user's factors before its password was checked; the user confirmed
    // a first factor meanwhile. The login's token must not enrol another one.
    let mut w = World::new();
    w.set_mfa(MfaSettings {
        policy: MfaPolicy::Required,
        ..MfaSettings::default()
    });
    let p = w.pending(NOW);
    assert!(p.enrollment_required);
    let user = block_on(enrolling_user(&w.store, &p.token, None, NOW)).unwrap();
    let started = block_on(factors::enroll_totp(
        &w.store,
        &w.mfa_keys,
        &user,
        "Latchkey",
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    let secret = w.secret_of(&user, &started.id);
    // The user's own first factor, confirmed elsewhere.
    w.enrol(&user, NOW);
    assert_eq!(
        block_on(enrolling_user(&w.store, &p.token, None, NOW))
            .unwrap_err()
            .code(),
        "MFA_ALREADY_ENROLLED"
    );
    let e = w
        .complete(&p.token, Proof::Totp(&code(&secret, NOW)), false, NOW)
        .unwrap_err();
    assert_eq!(e.code(), "MFA_ALREADY_ENROLLED");
}

#[test]
fn test_mfa_passkey_that_verified_the_user_satisfies_mfa_unless_the_policy_says_not() {
    let mut w = World::new();
    let user = w.user.clone();
    w.enrol(&user, NOW);
    let c = client();
    fn first<'a>(
        user: &'a User,
        c: &'a ClientInfo,
        verified: bool,
        app: &'a Application,
    ) -> FirstFactor<'a> {
        FirstFactor {
            user,
            method: "passkey",
            user_verified: verified,
            login_id: "ann@example.com",
            application: Some(app),
            client: c,
            no_tokens: false,
            registered: true,
            flags: &[],
            trust_token: None,
            connection_id: None,
            factors: None,
        }
    }
    let app = w.app.clone();
    assert!(block_on(gate(
        &w.store,
        first(&user, &c, true, &app),
        NOW,
        &mut w.rng
    ))
    .is_ok());
    assert!(matches!(
        block_on(gate(
            &w.store,
            first(&user, &c, false, &app),
            NOW,
            &mut w.rng
        )),
        Err(Error::MfaRequired(_))
    ));
    let mut strict = app.clone();
    strict.mfa.passkey_satisfies = false;
    assert!(matches!(
        block_on(gate(
            &w.store,
            first(&user, &c, true, &strict),
            NOW,
            &mut w.rng
        )),
        Err(Error::MfaRequired(_))
    ));
}

#[test]
fn test_mfa_wrong_codes_count_toward_the_account_lock() {
    let mut w = World::new();
    let user = w.user.clone();
    w.enrol(&user, NOW);
    let policy = block_on(crate::authn::guard::policy(&w.store, &w.org)).unwrap();
    let t = NOW + 50 * STEP_MS;
    let mut locked = false;
    // Each token allows five; the account's limit is reached across tokens (and the
    // password step itself is then refused, or delayed).
    'outer: for round in 0..policy.account_failures {
        let p = match w.password("ann@example.com", None, t + i64::from(round)) {
            Err(Error::MfaRequired(p)) => p,
            Err(Error::TooManyAttempts { .. }) => {
                locked = true;
                break 'outer;
            }
            other => panic!("unexpected {other:?}"),
        };
        for _ in 0..MAX_TRIES {
            match w.complete(&p.token, Proof::Totp("000000"), false, t) {
                Err(Error::InvalidMfaCode) => {}
                Err(Error::TooManyAttempts { .. }) => {
                    locked = true;
                    break 'outer;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(locked, "wrong codes must lock the account");
    assert_eq!(
        w.last_record().failure_reason,
        Some(FailureReason::TooManyAttempts)
    );
}

#[test]
fn test_mfa_secrets_reseal_under_the_current_key_after_rotation() {
    let mut w = World::new();
    let user = w.user.clone();
    let (secret, _) = w.enrol(&user, NOW);
    let before = block_on(w.store.user_factors(&w.org, &user.id)).unwrap()[0].clone();
    w.mfa_keys = TestKeys::ring(&[[4; 32], [3; 32]]);
    let t = NOW + STEP_MS;
    let p = w.pending(t);
    w.complete(&p.token, Proof::Totp(&code(&secret, t)), false, t)
        .unwrap();
    let after = block_on(w.store.user_factors(&w.org, &user.id)).unwrap()[0].clone();
    assert_ne!(before.secret, after.secret);
    assert!(after
        .secret
        .starts_with(&format!("v1.{}.", w.mfa_keys.current_key_id())));
}

#[test]
fn test_mfa_required_policy_holds_at_sign_up_too() {
    let mut w = World::new();
    w.app.self_signup = true;
    w.set_mfa(MfaSettings {
        policy: MfaPolicy::Required,
        ..MfaSettings::default()
    });
    let req = crate::api::SignUpRequest {
        client_id: w.app.client_id.clone(),
        email: "new@example.com".into(),
        password: "a long enough password".into(),
        ..Default::default()
    };
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW,
        rng: &mut w.rng,
    };
    let app = w.app.clone();
    let answer = block_on(crate::authn::password::signup::sign_up(
        &w.store,
        &app,
        req,
        client(),
        env,
    ));
    let Err(Error::MfaRequired(p)) = answer else {
        panic!("expected MFA_ENROLLMENT_REQUIRED, got {answer:?}");
    };
    assert!(p.enrollment_required);
    // The account exists; no session started.
    let user = block_on(w.store.find_login(&w.org, "new@example.com"))
        .unwrap()
        .unwrap();
    let sessions = block_on(w.store.list_sessions(&w.org, &user.id, true, NOW)).unwrap();
    assert!(sessions.is_empty());
}
