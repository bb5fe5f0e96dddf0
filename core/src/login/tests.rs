//! Login, refresh, logout and sessions against the in-memory stores.

use pollster::block_on;

use crate::api::{CreateApplication, CreateUser, UpdateUser};
use crate::authn::password::breach::Off;
use crate::authn::password::{self, password_login, HashParams, PasswordLogin, DUMMY_HASH, OWASP};
use crate::identity::{applications, organizations, users};
use crate::login::LoginEnv;
use crate::model::{Application, ClientInfo, FailureReason, LoginMethod, Outcome, UserStatus};
use crate::rand::TestRng;
use crate::sessions;
use crate::sessions::jwt::KeyRing;
use crate::store::memory::{MemoryCache, MemoryStore};
use crate::store::{AppStore, RegistrationStore, SessionStore, UserStore};
use crate::Error;

use crate::test_fixtures::{FAST, ISS, NOW};

struct World {
    store: MemoryStore,
    keys: KeyRing,
    rng: TestRng,
    org: String,
    app: Application,
    user_id: String,
}

impl World {
    fn new() -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(5);
        let web = CreateApplication {
            name: "web".into(),
            ..Default::default()
        };
        let (org, app) = crate::test_fixtures::org_and_app(&store, &mut rng, "A", web);
        let input = CreateUser {
            email: "Ann@Example.com".into(),
            username: Some("ann".into()),
            ..Default::default()
        };
        let user_id = crate::test_fixtures::user(&store, &org, input, &mut rng);
        World {
            store,
            keys: crate::test_fixtures::key_ring(),
            rng,
            org,
            app,
            user_id,
        }
    }

    fn login_at(
        &mut self,
        login_id: &str,
        password: &str,
        now: i64,
    ) -> Result<crate::login::LoginSuccess, Error> {
        self.login_asking(login_id, password, &Off, now)
    }

    /// A login whose password, once right, is looked up in `breached`.
    fn login_asking(
        &mut self,
        login_id: &str,
        password: &str,
        breached: &impl password::breach::RangeSource,
        now: i64,
    ) -> Result<crate::login::LoginSuccess, Error> {
        let req = PasswordLogin {
            organization_id: &self.org,
            application: Some(&self.app),
            login_id,
            password,
            client: ClientInfo {
                ip: Some("203.0.113.7".into()),
                user_agent: Some("test-agent".into()),
                ..Default::default()
            },
            no_tokens: false,
            require_registration: false,
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(password_login(&self.store, req, breached, env))
    }

    fn login(
        &mut self,
        login_id: &str,
        password: &str,
    ) -> Result<crate::login::LoginSuccess, Error> {
        self.login_at(login_id, password, NOW)
    }

    fn refresh(&mut self, token: &str, now: i64) -> Result<sessions::Refreshed, Error> {
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(sessions::refresh(&self.store, token, None, env))
    }
}

#[test]
fn test_login_success_issues_verifiable_tokens_and_records() {
    let mut w = World::new();
    let ok = w.login("ann@example.com", "correct horse").unwrap();
    let t = ok.tokens.unwrap();
    assert!(t.refresh_token.starts_with("lkr_"));
    assert_eq!(t.expires_in, 600);
    let v = w
        .keys
        .verify(&t.access_token, ISS, Some(&w.app.client_id), NOW)
        .unwrap();
    assert_eq!(v.claims.sub, w.user_id);
    assert_eq!(v.claims.sid, ok.session.id);
    assert_eq!(v.claims.org, w.org);
    let records = w.store.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Success);
    assert_eq!(
        records[0].session_id.as_deref(),
        Some(ok.session.id.as_str())
    );
    assert_eq!(records[0].client.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(w.store.last_login(&w.user_id), Some(NOW));
    assert_eq!(ok.session.methods, ["password"]);
}

#[test]
fn test_login_by_username_and_case_insensitive_email() {
    let mut w = World::new();
    assert!(w.login("ANN", "correct horse").is_ok());
    assert!(w.login(" ANN@example.COM ", "correct horse").is_ok());
}

#[test]
fn test_login_ids_are_validated_and_folded_as_at_creation() {
    let mut w = World::new();
    // Control characters and look-alikes: refused before anything is recorded.
    for bad in [
        "\tann@example.com",
        "ann@example.com\r",
        "a\u{7}nn",
        "ann\u{200B}@example.com",
        "\u{430}nn@example.com",
    ] {
        let err = w.login(bad, "correct horse").unwrap_err();
        assert_eq!(err.code(), "INVALID_LOGIN_ID", "{bad:?}");
    }
    assert!(w.store.records().is_empty());
    // The same normalisation as creation: fullwidth forms and case folding.
    assert!(w
        .login("ＡＮＮ＠ｅｘａｍｐｌｅ．ｃｏｍ", "correct horse")
        .is_ok());
    assert!(w.login("ＡＮＮ", "correct horse").is_ok());
}

#[test]
fn test_verify_never_answers_an_empty_pass() {
    use crate::records::verification::verify;
    let mut w = World::new();
    // Nothing recorded yet: nothing to verify, and that is not a failure.
    let empty = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    assert!(empty.verifiable);
    assert_eq!(empty.report.verified_through, 0);
    for i in 0..3 {
        w.login_at("ann", "correct horse", NOW + i).unwrap();
    }
    // `from` before any checkpoint: verified from the start instead of not at all.
    let v = block_on(verify(&w.store, &w.org, Some(2), 1000)).unwrap();
    assert!(v.verifiable);
    assert_eq!((v.report.verified_from, v.report.verified_through), (1, 3));
    assert_eq!(v.report.first_broken_link, None);
    // The first record deleted, no checkpoint: nothing can be verified, and it says so.
    w.store.delete_record(1, &w.org);
    for from in [None, Some(2)] {
        let v = block_on(verify(&w.store, &w.org, from, 1000)).unwrap();
        assert!(!v.verifiable, "{from:?}");
        assert_eq!(v.reason.as_deref(), Some("no_checkpoint"));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["verifiable"], false);
        assert_eq!(json["verified_through"], 0, "the report's fields stay flat");
    }
}

#[test]
fn test_login_unknown_user_and_wrong_password_read_the_same() {
    let mut w = World::new();
    assert_eq!(
        w.login("nobody@example.com", "correct horse").unwrap_err(),
        Error::InvalidCredentials
    );
    assert_eq!(
        w.login("ann@example.com", "wrong horse").unwrap_err(),
        Error::InvalidCredentials
    );
    let r = w.store.records();
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0].failure_reason, r[0].user_id.as_deref()),
        (Some(FailureReason::UnknownUser), None)
    );
    assert_eq!(r[0].login_id, "nobody@example.com", "as typed");
    assert_eq!(
        (r[1].failure_reason, r[1].user_id.as_deref()),
        (Some(FailureReason::BadPassword), Some(w.user_id.as_str()))
    );
    assert!(r
        .iter()
        .all(|x| x.outcome == Outcome::Failure && x.session_id.is_none()));
}

#[test]
fn test_login_disabled_account_only_told_with_right_password() {
    let mut w = World::new();
    let upd = UpdateUser {
        status: Some(UserStatus::Disabled),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    assert_eq!(
        w.login("ann", "wrong horse").unwrap_err(),
        Error::InvalidCredentials
    );
    assert_eq!(
        w.login("ann", "correct horse").unwrap_err(),
        Error::AccountDisabled
    );
    assert_eq!(
        w.store.records()[1].failure_reason,
        Some(FailureReason::Disabled)
    );
}

#[test]
fn test_login_user_without_password_and_disabled_method() {
    let mut w = World::new();
    let input = CreateUser {
        email: "nopw@example.com".into(),
        ..Default::default()
    };
    block_on(users::create(
        &w.store, &w.org, input, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    assert_eq!(
        w.login("nopw@example.com", "anything at all").unwrap_err(),
        Error::InvalidCredentials
    );
    assert_eq!(
        w.store.records()[0].failure_reason,
        Some(FailureReason::NoPassword)
    );
    w.app.login_methods = vec![LoginMethod::Passkey];
    assert_eq!(
        w.login("ann", "correct horse").unwrap_err().code(),
        "LOGIN_METHOD_DISABLED"
    );
    assert_eq!(
        w.store.records()[1].failure_reason,
        Some(FailureReason::MethodDisabled)
    );
}

#[test]
fn test_login_rehashes_old_parameters() {
    let mut w = World::new();
    let mut user = block_on(w.store.get_user(&w.org, &w.user_id))
        .unwrap()
        .unwrap();
    let old = HashParams {
        m_cost_kib: 32,
        t_cost: 1,
        p_cost: 1,
    };
    user.password_hash = Some(password::hash("correct horse", old, &mut w.rng).unwrap());
    assert!(block_on(w.store.update_user(&user, user.updated_at)).unwrap());
    w.login("ann", "correct horse").unwrap();
    let stored = block_on(w.store.get_user(&w.org, &w.user_id))
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=64,t=1,p=1$"),
        "{stored}"
    );
    assert!(w.login("ann", "correct horse").is_ok());
}

#[test]
fn test_login_dummy_hash_costs_a_real_verification() {
    let parsed = argon2::password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
    let params = argon2::Params::try_from(&parsed).unwrap();
    assert_eq!(
        (params.m_cost(), params.t_cost(), params.p_cost()),
        (OWASP.m_cost_kib, OWASP.t_cost, OWASP.p_cost)
    );
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
}

#[test]
fn test_refresh_rotates_and_reuse_revokes_the_session() {
    let mut w = World::new();
    let first = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let second = w.refresh(&first.refresh_token, NOW + 1000).unwrap();
    assert_ne!(second.tokens.refresh_token, first.refresh_token);
    assert_eq!(second.session.last_active_at, NOW + 1000);
    let third = w.refresh(&second.tokens.refresh_token, NOW + 2000).unwrap();
    // The spent token comes back: the whole session dies, including the newest token.
    assert_eq!(
        w.refresh(&first.refresh_token, NOW + 3000).unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert_eq!(
        w.refresh(&third.tokens.refresh_token, NOW + 4000)
            .unwrap_err(),
        Error::InvalidRefreshToken
    );
    let s = block_on(w.store.get_session(&w.org, &third.session.id))
        .unwrap()
        .unwrap();
    assert_eq!(s.revoked_at, Some(NOW + 3000));
    // The reuse is a security event: once, naming the revoked session.
    let events = w.store.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, "refresh_token.reused");
    assert_eq!(events[0].user_id.as_deref(), Some(w.user_id.as_str()));
    assert_eq!(events[0].detail["session_id"], third.session.id.as_str());
}

#[test]
fn test_refresh_race_at_most_one_wins() {
    let mut w = World::new();
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let results = [
        w.refresh(&t.refresh_token, NOW + 1),
        w.refresh(&t.refresh_token, NOW + 1),
    ];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
}

#[test]
fn test_refresh_rejects_unknown_expired_and_wrong_client() {
    let mut w = World::new();
    assert_eq!(
        w.refresh("lkr_nope", NOW).unwrap_err(),
        Error::InvalidRefreshToken
    );
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW,
        rng: &mut w.rng,
    };
    assert_eq!(
        block_on(sessions::refresh(
            &w.store,
            &t.refresh_token,
            Some("other-client"),
            env
        ))
        .unwrap_err(),
        Error::InvalidRefreshToken
    );
    let later = NOW + i64::from(w.app.refresh_token_ttl_secs) * 1000 + 1;
    assert_eq!(
        w.refresh(&t.refresh_token, later).unwrap_err(),
        Error::InvalidRefreshToken
    );
}

#[test]
fn test_logout_one_and_everywhere() {
    let mut w = World::new();
    let a = w.login("ann", "correct horse").unwrap();
    let b = w.login("ann", "correct horse").unwrap();
    let c = w.login("ann", "correct horse").unwrap();
    let listed = block_on(sessions::list(
        &w.store,
        &w.org,
        &w.user_id,
        Some(&b.session.id),
        NOW,
    ))
    .unwrap();
    assert_eq!(listed.sessions.len(), 3);
    assert_eq!(listed.sessions.iter().filter(|s| s.current).count(), 1);

    assert_eq!(
        block_on(sessions::logout(
            &w.store,
            &w.org,
            &w.user_id,
            &a.session.id,
            false,
            NOW
        ))
        .unwrap(),
        1
    );
    assert_eq!(
        w.refresh(&a.tokens.unwrap().refresh_token, NOW + 1)
            .unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert!(w
        .refresh(&b.tokens.as_ref().unwrap().refresh_token, NOW + 1)
        .is_ok());
    assert_eq!(
        block_on(sessions::logout(
            &w.store,
            &w.org,
            &w.user_id,
            &b.session.id,
            true,
            NOW + 2
        ))
        .unwrap(),
        2
    );
    assert_eq!(
        w.refresh(&c.tokens.unwrap().refresh_token, NOW + 3)
            .unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert!(
        block_on(sessions::list(&w.store, &w.org, &w.user_id, None, NOW + 3))
            .unwrap()
            .sessions
            .is_empty()
    );
}

#[test]
fn test_sign_out_other_devices_keeps_this_session_and_other_users() {
    let mut w = World::new();
    let mine = w.login("ann", "correct horse").unwrap();
    let other_device = w.login("ann", "correct horse").unwrap();
    let bob = CreateUser {
        email: "bob@example.com".into(),
        username: Some("bob".into()),
        ..Default::default()
    };
    crate::test_fixtures::user(&w.store, &w.org, bob, &mut w.rng);
    let bobs = w.login("bob", "correct horse").unwrap();
    let revoked = block_on(sessions::revoke_others(
        &w.store,
        &w.org,
        &w.user_id,
        &mine.session.id,
        NOW + 1,
    ))
    .unwrap();
    assert_eq!(revoked, 1);
    assert_eq!(
        w.refresh(&other_device.tokens.unwrap().refresh_token, NOW + 2)
            .unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert!(w
        .refresh(&mine.tokens.unwrap().refresh_token, NOW + 2)
        .is_ok());
    assert!(w
        .refresh(&bobs.tokens.unwrap().refresh_token, NOW + 2)
        .is_ok());
    // Nothing else to sign out: a second call revokes none.
    assert_eq!(
        block_on(sessions::revoke_others(
            &w.store,
            &w.org,
            &w.user_id,
            &mine.session.id,
            NOW + 3,
        ))
        .unwrap(),
        0
    );
}

#[test]
fn test_sessions_revoke_is_scoped_to_the_user() {
    let mut w = World::new();
    let s = w.login("ann", "correct horse").unwrap().session;
    assert_eq!(
        block_on(sessions::revoke(
            &w.store,
            &w.org,
            "someone-else",
            &s.id,
            NOW
        )),
        Err(Error::NotFound)
    );
    assert!(block_on(sessions::revoke(&w.store, &w.org, &w.user_id, &s.id, NOW)).is_ok());
    assert_eq!(
        block_on(sessions::revoke(&w.store, &w.org, &w.user_id, &s.id, NOW)),
        Err(Error::NotFound)
    );
}

#[test]
fn test_login_no_tokens_still_records() {
    let mut w = World::new();
    let req = PasswordLogin {
        organization_id: &w.org,
        application: None,
        login_id: "ann",
        password: "correct horse",
        client: ClientInfo::default(),
        no_tokens: true,
        require_registration: false,
        trust_token: None,
    };
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW,
        rng: &mut w.rng,
    };
    let ok = block_on(password_login(&w.store, req, &Off, env)).unwrap();
    assert!(ok.tokens.is_none());
    assert_eq!(w.store.records().len(), 1);
    assert_eq!(ok.session.application_id, None);
}

#[test]
fn test_user_delete_ends_sessions() {
    let mut w = World::new();
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    block_on(users::delete(&w.store, &w.org, &w.user_id)).unwrap();
    assert_eq!(
        w.refresh(&t.refresh_token, NOW + 1).unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert_eq!(w.store.records().len(), 1, "login records are kept");
}

#[test]
fn test_login_expired_account() {
    let mut w = World::new();
    let upd = UpdateUser {
        expires_at: Some(Some("2025-01-01T00:00:00Z".into())),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    assert_eq!(
        w.login("ann", "wrong horse").unwrap_err(),
        Error::InvalidCredentials
    );
    assert_eq!(
        w.login("ann", "correct horse").unwrap_err(),
        Error::AccountExpired
    );
    assert_eq!(
        w.store.records()[1].failure_reason,
        Some(FailureReason::Expired)
    );
    let upd = UpdateUser {
        expires_at: Some(None),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    assert!(w.login("ann", "correct horse").is_ok());
    let bad = UpdateUser {
        expires_at: Some(Some("soon".into())),
        ..Default::default()
    };
    assert_eq!(
        block_on(users::update(
            &w.store, &w.org, &w.user_id, bad, FAST, NOW, &mut w.rng
        ))
        .unwrap_err()
        .code(),
        "INVALID_EXPIRES_AT"
    );
}

#[test]
fn test_login_required_password_change_flow() {
    let mut w = World::new();
    let before = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let upd = UpdateUser {
        password_change_required: Some(true),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    let Err(Error::PasswordChangeRequired(id)) = w.login("ann", "correct horse") else {
        panic!("expected a required change");
    };
    assert_eq!(
        w.store.records().last().unwrap().failure_reason,
        Some(FailureReason::PasswordChangeRequired)
    );
    // Whoever else knew the old password, and logged in with it, holds an id too.
    let Err(Error::PasswordChangeRequired(other)) = w.login("ann", "correct horse") else {
        panic!("expected a required change");
    };
    assert_ne!(other, id);
    let change = |w: &mut World, id: &str, pw: &str| {
        block_on(crate::authn::password::change_password(
            &w.store,
            id,
            pw,
            FAST,
            NOW + 10,
            &mut w.rng,
        ))
    };
    assert_eq!(
        change(&mut w, &id, "short").unwrap_err().code(),
        "INVALID_PASSWORD",
        "checked before the id is spent"
    );
    change(&mut w, &id, "brand new horse").unwrap();
    assert_eq!(
        change(&mut w, &id, "brand new horse").unwrap_err().code(),
        "INVALID_CHANGE_PASSWORD_ID",
        "single use"
    );
    assert_eq!(
        change(&mut w, &other, "the other's choice")
            .unwrap_err()
            .code(),
        "INVALID_CHANGE_PASSWORD_ID",
        "a change voids every other id the old password was answered with"
    );
    assert_eq!(
        w.refresh(&before.refresh_token, NOW + 20).unwrap_err(),
        Error::InvalidRefreshToken,
        "old sessions end"
    );
    assert_eq!(
        w.login("ann", "correct horse").unwrap_err(),
        Error::InvalidCredentials
    );
    assert!(w.login("ann", "brand new horse").is_ok());
    // An administrator who lifts the requirement voids the ids handed out under it.
    let require = |w: &mut World, on: bool| {
        let upd = UpdateUser {
            password_change_required: Some(on),
            ..Default::default()
        };
        block_on(users::update(
            &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
        ))
        .unwrap();
    };
    require(&mut w, true);
    let Err(Error::PasswordChangeRequired(late)) = w.login("ann", "brand new horse") else {
        panic!("expected a required change");
    };
    require(&mut w, false);
    assert_eq!(
        change(&mut w, &late, "sneaky new horse")
            .unwrap_err()
            .code(),
        "INVALID_CHANGE_PASSWORD_ID"
    );
    assert!(w.login("ann", "brand new horse").is_ok());
    // Nor does an id outlive its password: an administrator who sets another temporary one,
    // the change still required, voids the ids the first was answered with.
    require(&mut w, true);
    let Err(Error::PasswordChangeRequired(leaked)) = w.login("ann", "brand new horse") else {
        panic!("expected a required change");
    };
    let upd = UpdateUser {
        password: Some("second temporary horse".into()),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    assert_eq!(
        change(&mut w, &leaked, "the leaker's horse")
            .unwrap_err()
            .code(),
        "INVALID_CHANGE_PASSWORD_ID"
    );
    let Err(Error::PasswordChangeRequired(fresh)) = w.login("ann", "second temporary horse") else {
        panic!("expected a required change");
    };
    change(&mut w, &fresh, "the owner's horse").unwrap();
    assert!(w.login("ann", "the owner's horse").is_ok());
}

#[test]
fn test_login_registration_reported() {
    use crate::identity::registrations;
    let mut w = World::new();
    assert!(!w.login("ann", "correct horse").unwrap().registered);
    block_on(registrations::register(
        &w.store, &w.org, &w.user_id, &w.app.id, NOW,
    ))
    .unwrap();
    assert!(w.login("ann", "correct horse").unwrap().registered);
    let listed = block_on(registrations::list(&w.store, &w.org, &w.user_id)).unwrap();
    assert_eq!(listed.registrations.len(), 1);
    assert_eq!(
        block_on(registrations::register(
            &w.store, &w.org, &w.user_id, "nope", NOW
        )),
        Err(Error::NotFound)
    );
    block_on(registrations::unregister(
        &w.store, &w.org, &w.user_id, &w.app.id,
    ))
    .unwrap();
    assert_eq!(
        block_on(registrations::unregister(
            &w.store, &w.org, &w.user_id, &w.app.id
        )),
        Err(Error::NotFound)
    );
}

#[test]
fn test_pkce_code_flow() {
    use crate::api::{AuthorizeRequest, TokenRequest};
    use crate::sessions::pkce;
    let mut w = World::new();
    w.app.redirect_uris = vec!["https://app.example.com/cb".into()];
    block_on(w.store.update_app(&w.app)).unwrap();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let authorize = |w: &mut World, redirect: &str, method: &str| {
        let req = AuthorizeRequest {
            client_id: w.app.client_id.clone(),
            redirect_uri: redirect.into(),
            code_challenge: challenge.into(),
            code_challenge_method: method.into(),
            state: Some("xyz 1".into()),
            login_id: "ann".into(),
            password: "correct horse".into(),
            device: None,
            turnstile_token: None,
        };
        let env = LoginEnv {
            keys: &w.keys,
            issuer: ISS,
            params: FAST,
            now: NOW,
            rng: &mut w.rng,
        };
        block_on(pkce::authorize(
            &w.store,
            &w.app.clone(),
            req,
            ClientInfo::default(),
            &Off,
            env,
        ))
    };
    let exchange = |w: &mut World, code: &str, verifier: &str| {
        let req = TokenRequest {
            grant_type: "authorization_code".into(),
            code: code.into(),
            code_verifier: verifier.into(),
            client_id: w.app.client_id.clone(),
            redirect_uri: "https://app.example.com/cb".into(),
        };
        let env = LoginEnv {
            keys: &w.keys,
            issuer: ISS,
            params: FAST,
            now: NOW + 1000,
            rng: &mut w.rng,
        };
        block_on(pkce::exchange(&w.store, req, env))
    };
    assert_eq!(
        authorize(&mut w, "https://evil.example.com/cb", "S256")
            .unwrap_err()
            .code(),
        "INVALID_REDIRECT_URI"
    );
    assert_eq!(
        authorize(&mut w, "https://app.example.com/cb", "plain")
            .unwrap_err()
            .code(),
        "INVALID_CODE_CHALLENGE_METHOD"
    );
    // Only users registered for the application get a code.
    assert_eq!(
        authorize(&mut w, "https://app.example.com/cb", "S256").unwrap_err(),
        Error::NotRegistered
    );
    block_on(crate::identity::registrations::register(
        &w.store, &w.org, &w.user_id, &w.app.id, NOW,
    ))
    .unwrap();

    let first = authorize(&mut w, "https://app.example.com/cb", "S256").unwrap();
    assert_eq!(
        first.redirect_to,
        format!(
            "https://app.example.com/cb?code={}&state=xyz%201",
            first.code
        )
    );
    let wrong = "x".repeat(43);
    assert_eq!(
        exchange(&mut w, &first.code, &wrong).unwrap_err().code(),
        "INVALID_GRANT"
    );
    assert_eq!(
        exchange(&mut w, &first.code, verifier).unwrap_err().code(),
        "INVALID_GRANT",
        "spent by the failed try"
    );

    let second = authorize(&mut w, "https://app.example.com/cb", "S256").unwrap();
    let (session, issued) = exchange(&mut w, &second.code, verifier).unwrap();
    let v = w
        .keys
        .verify(
            &issued.access_token,
            ISS,
            Some(&w.app.client_id),
            NOW + 1000,
        )
        .unwrap();
    assert_eq!(v.claims.sid, session.id);
    assert!(w.refresh(&issued.refresh_token, NOW + 2000).is_ok());
    assert_eq!(
        exchange(&mut w, &second.code, verifier).unwrap_err().code(),
        "INVALID_GRANT",
        "single use"
    );
}

#[test]
fn test_records_history_newest_first_with_filter_and_paging() {
    let mut w = World::new();
    w.login_at("ann", "wrong horse", NOW).unwrap_err();
    w.login_at("ann", "correct horse", NOW + 1).unwrap();
    w.login_at("nobody", "x", NOW + 2).unwrap_err();
    w.login_at("ann", "correct horse", NOW + 3).unwrap();
    let h = block_on(crate::records::history(
        &w.store, &w.org, &w.user_id, None, None, None,
    ))
    .unwrap();
    assert!(h.success);
    assert_eq!(h.message, "Login history retrieved successfully");
    assert_eq!(
        h.data.total_count, 3,
        "the unknown user's attempt is not Ann's"
    );
    let actions: Vec<_> = h.data.history.iter().map(|i| i.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "auth.login.success",
            "auth.login.success",
            "auth.login.failure"
        ]
    );
    assert!(h.data.history[0].id > h.data.history[1].id);
    assert_eq!(h.data.history[2].metadata["reason"], "bad_password");
    assert_eq!(h.data.history[0].metadata["method"], "password");
    let f = block_on(crate::records::history(
        &w.store,
        &w.org,
        &w.user_id,
        Some("1"),
        Some("1"),
        Some("success"),
    ))
    .unwrap();
    assert_eq!(
        (
            f.data.total_count,
            f.data.history.len(),
            f.data.limit,
            f.data.offset
        ),
        (2, 1, 1, 1)
    );
    for (limit, filter, code) in [
        (Some("0"), None, "INVALID_LIMIT"),
        (Some("101"), None, "INVALID_LIMIT"),
        (None, Some("maybe"), "INVALID_FILTER"),
    ] {
        let e = block_on(crate::records::history(
            &w.store, &w.org, &w.user_id, limit, None, filter,
        ))
        .unwrap_err();
        assert_eq!(e.code(), code);
    }
}

#[test]
fn test_records_login_logs_and_search() {
    use crate::compat::login_api::{search, SearchRequest};
    let mut w = World::new();
    w.login_at("ann", "correct horse", NOW).unwrap();
    w.login_at("ann", "wrong horse", NOW + 1).unwrap_err();
    w.login_at("ann", "correct horse", NOW + 2).unwrap();
    let logs = block_on(crate::records::login_logs(
        &w.store,
        &w.org,
        &w.user_id,
        Some(&w.app.client_id),
    ))
    .unwrap();
    assert_eq!(logs.login_logs.len(), 2, "successful logins only");
    assert_eq!(logs.login_logs[0].ip_address, "203.0.113.7");
    assert_eq!(
        block_on(crate::records::login_logs(
            &w.store, &w.org, &w.user_id, None
        ))
        .unwrap_err()
        .code(),
        "INVALID_CLIENT_ID"
    );
    let v = SearchRequest::from_query(|k| match k {
        "start" => Some("1760000000001"),
        "retrieveTotal" => Some("true"),
        _ => None,
    })
    .unwrap()
    .validate()
    .unwrap();
    let r = block_on(search(&w.store, &w.org, v)).unwrap();
    assert_eq!(r.total, Some(1));
    assert_eq!(r.logins[0].instant, NOW + 2);
    assert_eq!(r.logins[0].application_name.as_deref(), Some("web"));
    assert_eq!(r.logins[0].login_id, "ann");
}

#[test]
fn test_sessions_identity_store_view() {
    let mut w = World::new();
    let s = w.login("ann", "correct horse").unwrap().session;
    let v = block_on(sessions::identity_store_sessions(
        &w.store, &w.org, &w.org, &w.user_id, NOW,
    ))
    .unwrap();
    assert_eq!(v.session_list.len(), 1);
    assert_eq!(v.session_list[0].session_id, s.id);
    assert_eq!(v.session_list[0].creation_time, NOW / 1000);
    let e = block_on(sessions::identity_store_sessions(
        &w.store,
        &w.org,
        "other-org",
        &w.user_id,
        NOW,
    ))
    .unwrap_err();
    assert!(matches!(e, Error::ForbiddenEncoded(_)));
    let e = block_on(sessions::identity_store_sessions(
        &w.store,
        &w.org,
        &w.org,
        "not-a-uuid",
        NOW,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_USER_ID");
}

#[test]
fn test_login_risk_flags_recorded_on_success() {
    let mut w = World::new();
    let paris = ClientInfo {
        country: Some("FR".into()),
        latitude_e6: Some(48_856_600),
        longitude_e6: Some(2_352_200),
        user_agent: Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/138.0.0.0 Safari/537.36".into(),
        ),
        ..Default::default()
    };
    let new_york = ClientInfo {
        country: Some("US".into()),
        latitude_e6: Some(40_712_800),
        longitude_e6: Some(-74_006_000),
        user_agent: Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Mobile/15E148 Safari/604.1".into()),
        ..Default::default()
    };
    for (client, now) in [
        (paris.clone(), NOW),
        (paris, NOW + 60_000),
        (new_york, NOW + 120_000),
    ] {
        let req = PasswordLogin {
            organization_id: &w.org,
            application: Some(&w.app),
            login_id: "ann",
            password: "correct horse",
            client,
            no_tokens: true,
            require_registration: false,
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &w.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut w.rng,
        };
        block_on(password_login(&w.store, req, &Off, env)).unwrap();
    }
    let flags: Vec<Vec<String>> = w.store.records().iter().map(|r| r.flags.clone()).collect();
    assert_eq!(flags[0], Vec::<String>::new(), "first login");
    assert_eq!(flags[1], Vec::<String>::new(), "same device, same place");
    assert_eq!(flags[2], ["new_device", "new_country", "impossible_travel"]);
    // Each flag is a security event too, with the login's session and place.
    let events = w.store.events();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "login.new_device",
            "login.new_country",
            "login.impossible_travel"
        ]
    );
    assert!(events
        .iter()
        .all(|e| e.user_id.as_deref() == Some(w.user_id.as_str())
            && e.detail["country"] == "US"
            && e.detail.contains_key("application_id")));
}

#[test]
fn test_records_retention_prunes_only_old_records() {
    let mut w = World::new();
    let day = 86_400_000;
    w.login_at("ann", "wrong horse", NOW - 100 * day)
        .unwrap_err();
    w.login_at("ann", "correct horse", NOW - 91 * day).unwrap();
    w.login_at("ann", "correct horse", NOW - 89 * day).unwrap();
    w.login_at("ann", "correct horse", NOW).unwrap();
    assert_eq!(
        block_on(crate::records::apply_retention(&w.store, NOW))
            .unwrap()
            .deleted,
        2
    );
    let left: Vec<i64> = w.store.records().iter().map(|r| r.created_at).collect();
    assert_eq!(left, [NOW - 89 * day, NOW]);
    let upd = crate::api::UpdateOrganization {
        retention_days: Some(1),
        ..Default::default()
    };
    block_on(organizations::update(
        &w.store,
        &MemoryCache::new(),
        &crate::access::Scope::Platform,
        &w.org,
        upd,
        NOW,
    ))
    .unwrap();
    assert_eq!(
        block_on(crate::records::apply_retention(&w.store, NOW))
            .unwrap()
            .deleted,
        1
    );
    let bad = crate::api::UpdateOrganization {
        retention_days: Some(0),
        ..Default::default()
    };
    let err = block_on(organizations::update(
        &w.store,
        &MemoryCache::new(),
        &crate::access::Scope::Platform,
        &w.org,
        bad,
        NOW,
    ));
    assert_eq!(err.unwrap_err().code(), "INVALID_RETENTION_DAYS");
}

#[test]
fn test_chain_seals_verifies_and_finds_the_first_broken_link() {
    use crate::records::integrity::{seal, verify};
    let mut w = World::new();
    for i in 0..5 {
        let _ = w.login_at(
            "ann",
            if i % 2 == 0 { "correct horse" } else { "wrong" },
            NOW + i,
        );
    }
    assert_eq!(block_on(seal(&w.store, &w.org, 10_000, NOW)).unwrap(), None);
    let ok = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    assert_eq!(
        (
            ok.verified_from,
            ok.verified_through,
            ok.checkpoints_matched
        ),
        (1, 5, 1)
    );
    assert_eq!(ok.first_broken_link, None);

    w.store
        .tamper_record(3, &w.org, |r| r.client.ip = Some("10.6.6.6".into()));
    let bad = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    let b = bad.first_broken_link.unwrap();
    assert_eq!(
        (b.seq, b.reason.as_str(), bad.verified_through),
        (3, "row_edited", 2)
    );
    assert!(
        block_on(seal(&w.store, &w.org, 10_000, NOW))
            .unwrap()
            .is_none(),
        "nothing new to seal"
    );

    let mut w = World::new();
    for i in 0..4 {
        w.login_at("ann", "correct horse", NOW + i).unwrap();
    }
    w.store.delete_record(2, &w.org);
    let gap = block_on(verify(&w.store, &w.org, None, 1000))
        .unwrap()
        .first_broken_link
        .unwrap();
    assert_eq!((gap.seq, gap.reason.as_str()), (2, "row_missing"));
    assert_eq!(
        block_on(seal(&w.store, &w.org, 10_000, NOW))
            .unwrap()
            .map(|b| b.seq),
        Some(2),
        "never seals over a break"
    );
}

#[test]
fn test_chain_survives_retention() {
    use crate::records::integrity::{seal, verify};
    let mut w = World::new();
    let day = 86_400_000;
    w.login_at("ann", "correct horse", NOW - 100 * day).unwrap();
    block_on(seal(&w.store, &w.org, 10_000, NOW)).unwrap();
    w.login_at("ann", "correct horse", NOW - day).unwrap();
    w.login_at("ann", "correct horse", NOW).unwrap();
    block_on(seal(&w.store, &w.org, 10_000, NOW)).unwrap();
    assert_eq!(
        block_on(crate::records::apply_retention(&w.store, NOW))
            .unwrap()
            .deleted,
        1
    );
    let r = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    assert_eq!(
        (r.verified_from, r.verified_through, r.first_broken_link),
        (2, 3, None)
    );
}

#[test]
fn test_retention_pauses_only_the_organization_with_a_broken_chain() {
    let mut w = World::new();
    let day = 86_400_000;
    w.login_at("ann", "correct horse", NOW - 100 * day).unwrap();
    w.login_at("ann", "correct horse", NOW - 99 * day).unwrap();
    w.store
        .tamper_record(2, &w.org, |r| r.login_id = "someone else".into());
    let report = block_on(crate::records::apply_retention(&w.store, NOW)).unwrap();
    assert_eq!(report.deleted, 0, "evidence is kept");
    assert_eq!(report.paused.len(), 1);
    assert_eq!(
        (report.paused[0].0.as_str(), report.paused[0].1.seq),
        (w.org.as_str(), 2)
    );
    assert_eq!(w.store.records().len(), 2);
}

#[test]
fn test_sessions_end_when_the_user_is_disabled_expired_repassworded_or_deleted() {
    let day = 86_400_000;
    let changes: [(&str, UpdateUser); 3] = [
        (
            "disabled",
            UpdateUser {
                status: Some(UserStatus::Disabled),
                ..Default::default()
            },
        ),
        (
            "expired",
            UpdateUser {
                expires_at: Some(Some(crate::time::rfc3339(NOW - 1))),
                ..Default::default()
            },
        ),
        (
            "new password",
            UpdateUser {
                password: Some("a brand new horse".into()),
                ..Default::default()
            },
        ),
    ];
    for (what, change) in changes {
        let mut w = World::new();
        let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
        block_on(users::update(
            &w.store, &w.org, &w.user_id, change, FAST, NOW, &mut w.rng,
        ))
        .unwrap();
        assert_eq!(
            block_on(sessions::list(&w.store, &w.org, &w.user_id, None, NOW))
                .unwrap()
                .sessions
                .len(),
            0,
            "{what}: sessions end at once"
        );
        assert_eq!(
            w.refresh(&t.refresh_token, NOW + 1).unwrap_err(),
            Error::InvalidRefreshToken,
            "{what}"
        );
    }
    // A name change leaves sessions alone.
    let mut w = World::new();
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let rename = UpdateUser {
        name: Some(Some("Ann".into())),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, rename, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    let t = w.refresh(&t.refresh_token, NOW + 1).unwrap().tokens;
    // An expiry set for later: refresh refuses once it has passed, and ends the session.
    let later = UpdateUser {
        expires_at: Some(Some(crate::time::rfc3339(NOW + day))),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &w.org, &w.user_id, later, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    let t = w.refresh(&t.refresh_token, NOW + 2).unwrap().tokens;
    assert_eq!(
        w.refresh(&t.refresh_token, NOW + day).unwrap_err(),
        Error::InvalidRefreshToken
    );
    assert!(
        block_on(sessions::list(&w.store, &w.org, &w.user_id, None, NOW + 3))
            .unwrap()
            .sessions
            .is_empty()
    );
    // Deleted: the session goes with the user.
    let mut w = World::new();
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    block_on(users::delete(&w.store, &w.org, &w.user_id)).unwrap();
    assert_eq!(
        w.refresh(&t.refresh_token, NOW + 1).unwrap_err(),
        Error::InvalidRefreshToken
    );
}

#[test]
fn test_sessions_an_administrator_revokes_all_of_a_users_sessions() {
    let mut w = World::new();
    let a = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let b = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    assert_eq!(
        block_on(users::revoke_sessions(&w.store, &w.org, &w.user_id, NOW)),
        Ok(2)
    );
    for t in [a, b] {
        assert_eq!(
            w.refresh(&t.refresh_token, NOW + 1).unwrap_err(),
            Error::InvalidRefreshToken
        );
    }
    assert_eq!(
        block_on(users::revoke_sessions(
            &w.store,
            "other-org",
            &w.user_id,
            NOW
        )),
        Err(Error::NotFound),
        "another organization's user reads as missing"
    );
}

#[test]
fn test_sessions_sign_out_others_counts_only_sessions_still_alive() {
    let mut w = World::new();
    let old = w.login("ann", "correct horse").unwrap().session;
    // A second device signs in just before the first session's end; a third just after.
    let current = w
        .login_at("ann", "correct horse", old.expires_at - 1000)
        .unwrap()
        .session;
    let live = w
        .login_at("ann", "correct horse", old.expires_at - 500)
        .unwrap()
        .session;
    let n = block_on(w.store.revoke_user_sessions(
        &w.org,
        &w.user_id,
        Some(&current.id),
        old.expires_at + 1,
    ));
    assert_eq!(n, Ok(1), "the expired session is not counted as signed out");
    let stored = block_on(w.store.get_session(&w.org, &live.id))
        .unwrap()
        .unwrap();
    assert!(stored.revoked_at.is_some());
}

#[test]
fn test_login_registration_required_where_asked() {
    let mut w = World::new();
    let attempt = |w: &mut World, password: &str| {
        let req = PasswordLogin {
            organization_id: &w.org,
            application: Some(&w.app),
            login_id: "ann",
            password,
            client: ClientInfo::default(),
            no_tokens: false,
            require_registration: true,
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &w.keys,
            issuer: ISS,
            params: FAST,
            now: NOW,
            rng: &mut w.rng,
        };
        block_on(password_login(&w.store, req, &Off, env))
    };
    // A wrong password reads as always: nothing says whether the account exists.
    assert_eq!(
        attempt(&mut w, "wrong horse").unwrap_err(),
        Error::InvalidCredentials
    );
    assert_eq!(
        attempt(&mut w, "correct horse").unwrap_err(),
        Error::NotRegistered
    );
    assert_eq!(
        w.store.records()[1].failure_reason,
        Some(FailureReason::NotRegistered)
    );
    block_on(crate::identity::registrations::register(
        &w.store, &w.org, &w.user_id, &w.app.id, NOW,
    ))
    .unwrap();
    assert!(attempt(&mut w, "correct horse").is_ok());
}

#[test]
fn test_signup_only_where_the_application_allows_it() {
    use crate::api::SignUpRequest;
    let mut w = World::new();
    let signup = |w: &mut World, email: &str| {
        let req = SignUpRequest {
            client_id: w.app.client_id.clone(),
            email: email.into(),
            password: "a fine password".into(),
            ..Default::default()
        };
        let env = LoginEnv {
            keys: &w.keys,
            issuer: ISS,
            params: FAST,
            now: NOW,
            rng: &mut w.rng,
        };
        block_on(password::sign_up(
            &w.store,
            &w.app.clone(),
            req,
            ClientInfo::default(),
            env,
        ))
    };
    assert_eq!(
        signup(&mut w, "new@example.com").unwrap_err().code(),
        "SIGNUP_DISABLED",
        "off by default"
    );
    assert!(block_on(w.store.find_login(&w.org, "new@example.com"))
        .unwrap()
        .is_none());
    w.app.self_signup = true;
    let (done, view) = signup(&mut w, "new@example.com").unwrap();
    assert!(done.tokens.is_some());
    assert!(block_on(w.store.is_registered(&view.id, &w.app.id)).unwrap());
    // An address that has an account: said where the account would be signed in at once...
    let taken = signup(&mut w, "NEW@example.com").unwrap_err();
    assert_eq!(taken.code(), "EMAIL_TAKEN");
    assert!(!password::conceals_taken_address(&w.app, &taken));
    // ...and answered as a new one is where addresses are confirmed first.
    w.app.require_verified_email = true;
    let fresh = signup(&mut w, "fresh@example.com").unwrap_err();
    assert_eq!(fresh.code(), "EMAIL_NOT_VERIFIED");
    let taken = signup(&mut w, "new@example.com").unwrap_err();
    assert!(password::conceals_taken_address(&w.app, &taken));
    let other = Error::conflict("USERNAME_TAKEN", "taken");
    assert!(!password::conceals_taken_address(&w.app, &other));
    w.app.login_methods = vec![LoginMethod::Passkey];
    assert_eq!(
        signup(&mut w, "other@example.com").unwrap_err().code(),
        "LOGIN_METHOD_DISABLED"
    );
}

#[test]
fn test_refresh_refused_by_its_check_leaves_the_token_unspent() {
    let mut w = World::new();
    let t = w.login("ann", "correct horse").unwrap().tokens.unwrap();
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW + 1,
        rng: &mut w.rng,
    };
    let refused = block_on(sessions::refresh_checked(
        &w.store,
        &t.refresh_token,
        None,
        |s, app| {
            assert_eq!(app.map(|a| a.id.as_str()), Some(w.app.id.as_str()));
            assert_eq!(s.user_id, w.user_id);
            Err(Error::Forbidden)
        },
        env,
    ));
    assert_eq!(refused.unwrap_err(), Error::Forbidden);
    // Not spent: the rightful holder refreshes, and is not taken for a reuser.
    assert!(w.refresh(&t.refresh_token, NOW + 2).is_ok());
}

#[test]
fn test_sessions_end_after_the_applications_idle_timeout() {
    let day = 86_400_000;
    let mut w = World::new();
    assert_eq!(
        w.app.idle_timeout_secs,
        3 * 24 * 3600,
        "three days by default"
    );
    let t = w.login("ann", "correct horse").unwrap();
    assert_eq!(t.session.idle_timeout_ms, 3 * day);
    // Activity (a refresh) within the window keeps the session; its absence ends it.
    let t = w
        .refresh(&t.tokens.unwrap().refresh_token, NOW + 2 * day)
        .unwrap();
    let t = w.refresh(&t.tokens.refresh_token, NOW + 4 * day).unwrap();
    assert!(t.session.is_active(NOW + 7 * day - 1));
    assert!(!t.session.is_active(NOW + 7 * day));
    assert!(block_on(sessions::list(
        &w.store,
        &w.org,
        &w.user_id,
        None,
        NOW + 7 * day
    ))
    .unwrap()
    .sessions
    .is_empty());
    assert_eq!(
        w.refresh(&t.tokens.refresh_token, NOW + 7 * day)
            .unwrap_err(),
        Error::InvalidRefreshToken
    );
}

#[test]
fn test_sessions_idle_timeout_is_validated() {
    let mut w = World::new();
    let set = |w: &mut World, secs| {
        let upd = crate::api::UpdateApplication {
            idle_timeout_secs: Some(secs),
            ..Default::default()
        };
        block_on(applications::update(
            &w.store,
            &MemoryCache::new(),
            &w.org,
            &w.app.id.clone(),
            upd,
            NOW,
        ))
    };
    for bad in [1, 599, 400 * 24 * 3600] {
        assert_eq!(
            set(&mut w, bad).unwrap_err().code(),
            "INVALID_IDLE_TIMEOUT_SECS",
            "{bad}"
        );
    }
    assert_eq!(set(&mut w, 0).unwrap().idle_timeout_secs, 0, "none");
    assert_eq!(set(&mut w, 600).unwrap().idle_timeout_secs, 600);
}

#[test]
fn test_chain_is_keyed_an_unkeyed_rehash_is_caught() {
    use crate::records::integrity::verify;
    let mut w = World::new();
    for i in 0..3 {
        w.login_at("ann", "correct horse", NOW + i).unwrap();
    }
    // The attacker edits row 2 and recomputes its hash the way anyone could.
    w.store
        .tamper_record_rehashed(2, &w.org, |r| r.client.ip = Some("10.6.6.6".into()));
    let b = block_on(verify(&w.store, &w.org, None, 1000))
        .unwrap()
        .first_broken_link
        .unwrap();
    assert_eq!((b.seq, b.reason.as_str()), (2, "row_edited"));
}

#[test]
fn test_chain_tail_truncation_is_caught_and_numbers_never_reused() {
    use crate::model::RecordCounter;
    use crate::records::integrity::{seal, verify};
    let report = |w: &World| block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    let mut w = World::new();
    for i in 0..4 {
        w.login_at("ann", "correct horse", NOW + i).unwrap();
    }
    assert_eq!(report(&w).first_broken_link, None);
    // The newest rows go: the counter says more were issued.
    w.store.delete_record(4, &w.org);
    w.store.delete_record(3, &w.org);
    let b = report(&w).first_broken_link.unwrap();
    assert_eq!((b.seq, b.reason.as_str()), (3, "tail_missing"));
    // The next record is number 5, not a second 3: the gap stays visible.
    w.login_at("ann", "correct horse", NOW + 10).unwrap();
    let b = report(&w).first_broken_link.unwrap();
    assert_eq!((b.seq, b.reason.as_str()), (3, "row_missing"));

    // The attacker also lowers the counter: a checkpoint past the last row still tells.
    let mut w = World::new();
    for i in 0..3 {
        w.login_at("ann", "correct horse", NOW + i).unwrap();
    }
    block_on(seal(&w.store, &w.org, 10_000, NOW)).unwrap();
    w.store.delete_record(3, &w.org);
    w.store.tamper_counter(
        &w.org,
        RecordCounter {
            last_seq: 2,
            keyed_from: 1,
        },
    );
    let b = report(&w).first_broken_link.unwrap();
    assert_eq!((b.seq, b.reason.as_str()), (3, "tail_missing"));
    // Everything deleted is no clean slate either.
    w.store.delete_record(2, &w.org);
    w.store.delete_record(1, &w.org);
    let b = report(&w).first_broken_link.unwrap();
    assert_eq!(b.reason, "tail_missing");
}

#[test]
fn test_chain_of_a_quiet_organization_survives_retention() {
    use crate::records::integrity::verify;
    let day = 86_400_000;
    let mut w = World::new();
    w.login_at("ann", "correct horse", NOW - 200 * day).unwrap();
    w.login_at("ann", "correct horse", NOW - 150 * day).unwrap();
    // Everything is past retention, but the newest record stays as the chain's anchor.
    let pruned = block_on(crate::records::apply_retention(&w.store, NOW)).unwrap();
    assert_eq!(pruned.deleted, 1);
    assert_eq!(w.store.records().len(), 1);
    let r = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    assert_eq!(r.first_broken_link, None);
    // The next login continues the numbering and the chain verifies.
    w.login_at("ann", "correct horse", NOW).unwrap();
    let r = block_on(verify(&w.store, &w.org, None, 1000)).unwrap();
    assert_eq!((r.first_broken_link, r.verified_through), (None, 3));
}

fn attempt_from(
    w: &mut World,
    login_id: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> Result<crate::login::LoginSuccess, Error> {
    let req = PasswordLogin {
        organization_id: &w.org,
        application: Some(&w.app),
        login_id,
        password,
        client: ClientInfo {
            ip: Some(ip.into()),
            ..Default::default()
        },
        no_tokens: true,
        require_registration: false,
        trust_token: None,
    };
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now,
        rng: &mut w.rng,
    };
    block_on(password_login(&w.store, req, &Off, env))
}

/// Ten wrong passwords from `ip`, each after the wait the progressive delay asks.
fn ten_failures(w: &mut World, login_id: &str, ip: &str, start: i64) -> i64 {
    let mut t = start;
    for n in 1..=10u32 {
        t += if n > 6 { 1000 << (n - 6) } else { 1000 };
        assert_eq!(
            attempt_from(w, login_id, "wrong horse", ip, t).unwrap_err(),
            Error::InvalidCredentials,
            "attempt {n}"
        );
    }
    t
}

#[test]
fn test_guard_locks_the_login_id_at_one_address_only() {
    let mut w = World::new();
    let attacker = "198.51.100.66";
    let t = ten_failures(&mut w, "ann", attacker, NOW);
    // One past the threshold: refused before the password is even checked.
    let locked = attempt_from(&mut w, "ann", "correct horse", attacker, t + 60_000);
    assert_eq!(
        locked.unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 900
        }
    );
    let last = w.store.records().last().cloned().unwrap();
    assert_eq!(last.failure_reason, Some(FailureReason::TooManyAttempts));
    assert_eq!(last.user_id.as_deref(), Some(w.user_id.as_str()));
    // The rightful user, from their own address, still gets in.
    assert!(attempt_from(&mut w, "ann", "correct horse", "203.0.113.7", t + 60_000).is_ok());
    // The lock lasts until fifteen minutes pass without a failure.
    assert!(attempt_from(
        &mut w,
        "ann",
        "correct horse",
        attacker,
        t + 60_000 + 900_000
    )
    .is_ok());
}

#[test]
fn test_guard_delays_progressively_before_it_locks() {
    let mut w = World::new();
    let ip = "198.51.100.7";
    for n in 1..=5 {
        attempt_from(&mut w, "ann", "wrong horse", ip, NOW + n).unwrap_err();
    }
    // The sixth attempt right after the fifth must wait a second.
    assert_eq!(
        attempt_from(&mut w, "ann", "correct horse", ip, NOW + 6).unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 1
        }
    );
}

#[test]
fn test_guard_unknown_identifiers_are_throttled_alike() {
    let mut w = World::new();
    let ip = "198.51.100.66";
    let t = ten_failures(&mut w, "nobody@example.com", ip, NOW);
    assert_eq!(
        attempt_from(&mut w, "nobody@example.com", "anything", ip, t + 60_000).unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 900
        },
        "a lockout says nothing about whether the account exists"
    );
}

#[test]
fn test_guard_account_locks_after_100_consecutive_failures_anywhere() {
    let mut w = World::new();
    for i in 0..100 {
        let ip = format!("198.51.{}.{}", i / 250, i % 250);
        attempt_from(&mut w, "ann", "wrong horse", &ip, NOW + i).unwrap_err();
    }
    assert_eq!(
        attempt_from(&mut w, "ann", "correct horse", "203.0.113.7", NOW + 100).unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 900
        }
    );
    // An administrator lifts it.
    block_on(users::unlock(&w.store, &w.org, &w.user_id)).unwrap();
    assert!(attempt_from(&mut w, "ann", "correct horse", "203.0.113.7", NOW + 101).is_ok());
}

#[test]
fn test_guard_success_and_password_reset_clear_the_counters() {
    let mut w = World::new();
    let ip = "198.51.100.9";
    for n in 1..=5 {
        attempt_from(&mut w, "ann", "wrong horse", ip, NOW + n * 10_000).unwrap_err();
    }
    attempt_from(&mut w, "ann", "correct horse", ip, NOW + 100_000).unwrap();
    // Counting starts over: five more failures need no wait.
    for n in 1..=5 {
        attempt_from(&mut w, "ann", "wrong horse", ip, NOW + 100_000 + n).unwrap_err();
    }
    let t = ten_failures(&mut w, "ann", "198.51.100.10", NOW + 200_000);
    assert!(matches!(
        attempt_from(&mut w, "ann", "correct horse", "198.51.100.10", t + 1),
        Err(Error::TooManyAttempts { .. })
    ));
    let reset = UpdateUser {
        password: Some("a brand new horse".into()),
        ..Default::default()
    };
    block_on(users::update(
        &w.store,
        &w.org,
        &w.user_id,
        reset,
        FAST,
        t + 2,
        &mut w.rng,
    ))
    .unwrap();
    assert!(attempt_from(&mut w, "ann", "a brand new horse", "198.51.100.10", t + 3).is_ok());
}

#[test]
fn test_guard_throttles_an_address_across_login_ids_and_caps_its_writes() {
    let mut w = World::new();
    let hour = 3_600_000;
    let start = (NOW / hour) * hour;
    let ip = "198.51.100.77";
    // A hundred failures from one address, on as many accounts...
    for i in 0..100 {
        let id = format!("user-{i}@example.com");
        let input = CreateUser {
            email: id.clone(),
            password: Some("their own password".into()),
            ..Default::default()
        };
        block_on(users::create(
            &w.store, &w.org, input, FAST, NOW, &mut w.rng,
        ))
        .unwrap();
        assert_eq!(
            attempt_from(&mut w, &id, "guess", ip, start + i).unwrap_err(),
            Error::InvalidCredentials
        );
    }
    let written = w.store.records().len();
    assert_eq!(written, 100);
    // ...then the address is refused for the rest of the hour, whoever it names.
    let refused = attempt_from(&mut w, "someone-new@example.com", "guess", ip, start + 1000);
    assert_eq!(
        refused.unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 3599
        }
    );
    assert_eq!(
        w.store.records().len(),
        written,
        "an unknown identifier's refused attempt writes nothing"
    );
    // A known account's refused attempt is still in its history.
    assert!(matches!(
        attempt_from(&mut w, "ann", "correct horse", ip, start + 2000),
        Err(Error::TooManyAttempts { .. })
    ));
    assert_eq!(w.store.records().len(), written + 1);
    // Other addresses, and the next hour, are unaffected.
    assert!(attempt_from(&mut w, "ann", "correct horse", "203.0.113.7", start + 3000).is_ok());
    assert!(attempt_from(&mut w, "ann", "correct horse", ip, start + hour).is_ok());
}

#[test]
fn test_guard_successes_do_not_count_against_an_address() {
    let mut w = World::new();
    let ip = "198.51.100.78";
    for i in 0..150 {
        attempt_from(&mut w, "ann", "correct horse", ip, NOW + i).unwrap();
    }
}

#[test]
fn test_guard_follows_the_organizations_policy() {
    use crate::access::Scope;
    use crate::api::UpdateOrganization;
    use crate::model::AttackProtection;
    let mut w = World::new();
    let set = |w: &World, policy: AttackProtection| {
        let upd = UpdateOrganization {
            attack_protection: Some(policy),
            ..Default::default()
        };
        block_on(organizations::update(
            &w.store,
            &MemoryCache::new(),
            &Scope::Org(w.org.clone()),
            &w.org,
            upd,
            NOW,
        ))
    };
    for bad in [
        AttackProtection {
            account_failures: 101,
            ..Default::default()
        },
        AttackProtection {
            ip_failures: 3,
            delay_after: 4,
            ..Default::default()
        },
        AttackProtection {
            lock_minutes: 0,
            ..Default::default()
        },
    ] {
        assert_eq!(
            set(&w, bad).unwrap_err().code(),
            "INVALID_ATTACK_PROTECTION",
            "{bad:?}"
        );
    }
    let strict = AttackProtection {
        ip_failures: 3,
        delay_after: 3,
        lock_minutes: 1,
        ..Default::default()
    };
    assert_eq!(set(&w, strict).unwrap().attack_protection, strict);
    let ip = "198.51.100.3";
    for n in 1..=3 {
        attempt_from(&mut w, "ann", "wrong horse", ip, NOW + n).unwrap_err();
    }
    assert_eq!(
        attempt_from(&mut w, "ann", "correct horse", ip, NOW + 4).unwrap_err(),
        Error::TooManyAttempts {
            retry_after_secs: 60
        }
    );
    // The refused attempt extended the lock: it ends a minute after it.
    assert!(attempt_from(&mut w, "ann", "correct horse", ip, NOW + 4 + 59_999).is_err());
    assert!(attempt_from(&mut w, "ann", "correct horse", ip, NOW + 4 + 2 * 60_000).is_ok());
}

#[test]
fn test_events_a_lockout_is_raised_once_known_or_not() {
    let mut w = World::new();
    let attacker = "198.51.100.66";
    for login_id in ["ann", "ghost@example.com"] {
        let t = ten_failures(&mut w, login_id, attacker, NOW);
        for k in 1..=3 {
            attempt_from(&mut w, login_id, "wrong horse", attacker, t + k * 60_000).unwrap_err();
        }
    }
    let events = w.store.events();
    let locked: Vec<_> = events.iter().filter(|e| e.kind == "login.locked").collect();
    assert_eq!(locked.len(), 2, "{events:?}");
    assert_eq!(locked[0].user_id.as_deref(), Some(w.user_id.as_str()));
    assert_eq!(locked[1].user_id, None);
    for (e, id) in locked.iter().zip(["ann", "ghost@example.com"]) {
        assert_eq!(e.detail["login_id"], id);
        assert_eq!(e.detail["scope"], "address");
        assert_eq!(e.detail["retry_after_secs"], 900);
        assert_eq!(e.ip.as_deref(), Some(attacker));
    }
}

/// A range source that lists one password as breached.
struct Lists(&'static str);

impl password::breach::RangeSource for Lists {
    async fn range(&self, prefix: &str) -> Option<String> {
        let (p, suffix) = password::breach::split(self.0);
        Some(if p == prefix {
            format!("{suffix}:12\r\n0000000000000000000000000000000000A:0")
        } else {
            "0000000000000000000000000000000000A:0".to_owned()
        })
    }
}

#[test]
fn test_events_breached_password_at_login_flags_or_requires_a_change() {
    use crate::api::UpdateOrganization;
    use crate::model::{AttackProtection, BreachedAtLogin};
    let mut w = World::new();
    let login = |w: &mut World, source: &Lists, now: i64| {
        w.login_asking("ann", "correct horse", source, now)
    };
    let policy = |w: &World, at_login| {
        let upd = UpdateOrganization {
            attack_protection: Some(AttackProtection {
                breached_password_at_login: at_login,
                ..Default::default()
            }),
            ..Default::default()
        };
        let scope = crate::access::Scope::Org(w.org.clone());
        block_on(organizations::update(
            &w.store,
            &MemoryCache::new(),
            &scope,
            &w.org,
            upd,
            NOW,
        ))
        .unwrap();
    };
    // Another password is breached: nothing to say.
    login(&mut w, &Lists("hunter2hunter2"), NOW).unwrap();
    assert!(w.store.events().is_empty());
    // By default, flagged: the login goes on, its record and an event say so.
    login(&mut w, &Lists("correct horse"), NOW + 1).unwrap();
    let record = w.store.records().last().cloned().unwrap();
    assert_eq!(record.outcome, Outcome::Success);
    assert!(record.flags.contains(&"breached_password".to_owned()));
    let e = w.store.events().last().cloned().unwrap();
    assert_eq!(
        (e.kind.as_str(), e.detail["action"].as_str()),
        ("password.breached", Some("flagged"))
    );
    // Off: not even asked.
    policy(&w, BreachedAtLogin::Off);
    login(&mut w, &Lists("correct horse"), NOW + 2).unwrap();
    assert!(w.store.records().last().unwrap().flags.is_empty());
    assert_eq!(w.store.events().len(), 1);
    // Required change: no session until a new password is chosen, from now on.
    policy(&w, BreachedAtLogin::RequireChange);
    let err = login(&mut w, &Lists("correct horse"), NOW + 3).unwrap_err();
    assert!(matches!(err, Error::PasswordChangeRequired(_)), "{err:?}");
    let e = w.store.events().last().cloned().unwrap();
    assert_eq!(e.detail["action"], "change_required");
    let user = block_on(w.store.get_user(&w.org, &w.user_id))
        .unwrap()
        .unwrap();
    assert!(user.password_change_required);
    assert!(matches!(
        login(&mut w, &Lists("hunter2hunter2"), NOW + 4).unwrap_err(),
        Error::PasswordChangeRequired(_)
    ));
}

#[test]
fn test_login_alert_for_a_new_device_signs_that_session_out_once() {
    use crate::login::{alert, establish, Start};
    use crate::store::OrgStore;
    use crate::test_fixtures as fixtures;
    let store = MemoryStore::new();
    let mut rng = TestRng(77);
    let (org, app) = fixtures::org_and_app(
        &store,
        &mut rng,
        "alerts",
        crate::api::CreateApplication {
            name: "Alerted".into(),
            ..Default::default()
        },
    );
    let uid = fixtures::user(
        &store,
        &org,
        CreateUser {
            email: "al@example.com".into(),
            ..Default::default()
        },
        &mut rng,
    );
    let user = block_on(store.get_user(&org, &uid)).unwrap().unwrap();
    let keys = fixtures::key_ring();
    let login = |ua: &str, now: i64, rng: &mut TestRng| {
        let start = Start {
            user: &user,
            method: "password",
            prior: None,
            login_id: "al@example.com",
            application: Some(&app),
            client: ClientInfo {
                user_agent: Some(ua.into()),
                ip: Some("203.0.113.9".into()),
                ..Default::default()
            },
            no_tokens: false,
            rehash: None,
            flags: Vec::new(),
            connection_id: None,
            known: None,
        };
        let env = LoginEnv {
            keys: &keys,
            issuer: ISS,
            params: FAST,
            now,
            rng,
        };
        block_on(establish(&store, start, env)).unwrap()
    };
    let first = login(
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        NOW,
        &mut rng,
    );
    assert!(
        first.alert.is_none(),
        "nothing to compare the first login with"
    );
    let same = login(
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        NOW + 1000,
        &mut rng,
    );
    assert!(same.alert.is_none(), "a known device is no news");
    let other = login(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1",
        NOW + 2000,
        &mut rng,
    );
    let draft = other.alert.clone().unwrap();
    for v in draft.kind.variables() {
        assert!(draft.vars.get(v).is_some(), "the alert lacks {v}");
    }
    let crate::delivery::Message::Email(mail) = draft.render(None) else {
        panic!("no alert");
    };
    assert_eq!(mail.to, "al@example.com");
    assert!(mail.subject.contains("was this you?"));
    assert!(mail.text.contains("a device not seen before"));
    let start = mail.text.find("/not-me#").unwrap() + "/not-me#".len();
    let token = mail.text[start..start + 64].to_owned();
    let done = block_on(alert::disown(
        &store,
        &token,
        &ClientInfo::default(),
        NOW + 3000,
    ))
    .unwrap();
    assert!(done.session_revoked);
    assert_eq!(done.client_id.as_deref(), Some(app.client_id.as_str()));
    let s = block_on(store.get_session(&org, &other.session.id))
        .unwrap()
        .unwrap();
    assert!(s.revoked_at.is_some());
    let again = block_on(alert::disown(
        &store,
        &token,
        &ClientInfo::default(),
        NOW + 4000,
    ));
    assert_eq!(again.unwrap_err().code(), "CODE_EXPIRED");
    assert!(store
        .events()
        .iter()
        .any(|e| e.kind == crate::events::kinds::LOGIN_DISOWNED));
    // Turned off, no alert.
    let mut o = block_on(store.get_org(&org)).unwrap().unwrap();
    o.messaging.login_alerts = false;
    block_on(store.update_org(&o)).unwrap();
    let quiet = login("curl/8.0", NOW + 5000, &mut rng);
    assert!(quiet.alert.is_none());
}

#[test]
fn test_retention_deletes_sessions_ended_before_it_with_their_tokens_and_keeps_the_rest() {
    let mut w = World::new();
    let day = 86_400_000;
    let ended_long_ago = |w: &mut World, at: i64| w.login_at("ann", "correct horse", at).unwrap();
    // Expired long before the cutoff (90 days), revoked before it though expiring after it,
    // expired after it, and live.
    let expired = ended_long_ago(&mut w, NOW - 300 * day);
    let revoked = ended_long_ago(&mut w, NOW - 99 * day);
    assert!(block_on(
        w.store
            .revoke_session(&w.org, &revoked.session.id, NOW - 98 * day)
    )
    .unwrap());
    let recent = w.login_at("ann", "correct horse", NOW - 20 * day).unwrap();
    block_on(
        w.store
            .revoke_session(&w.org, &recent.session.id, NOW - 19 * day),
    )
    .unwrap();
    let live = w.login_at("ann", "correct horse", NOW).unwrap();
    assert!(expired.session.expires_at < NOW - 90 * day);
    assert!(revoked.session.expires_at > NOW - 90 * day);
    // A parent that ended long ago, with a live child: the parent waits for the child.
    let parent = ended_long_ago(&mut w, NOW - 200 * day);
    let mut child = live.session.clone();
    child.id = "child-of-an-ended-session".into();
    child.parent_id = Some(parent.session.id.clone());
    block_on(w.store.insert_session(&child, None)).unwrap();
    // Another organization keeps a year: its session that ended 200 days ago stays.
    let web = CreateApplication {
        name: "web".into(),
        ..Default::default()
    };
    let (other, _) = crate::test_fixtures::org_and_app(&w.store, &mut w.rng, "B", web);
    let keep = crate::api::UpdateOrganization {
        retention_days: Some(365),
        ..Default::default()
    };
    let scope = crate::access::Scope::Platform;
    block_on(organizations::update(
        &w.store,
        &MemoryCache::new(),
        &scope,
        &other,
        keep,
        NOW,
    ))
    .unwrap();
    let mut theirs = expired.session.clone();
    theirs.id = "other-organizations-session".into();
    theirs.organization_id = other.clone();
    theirs.expires_at = NOW - 200 * day;
    block_on(w.store.insert_session(&theirs, None)).unwrap();

    let report = block_on(crate::records::apply_retention(&w.store, NOW)).unwrap();
    assert_eq!(report.sessions_deleted, 2);
    let gone =
        |w: &World, org: &str, id: &str| block_on(w.store.get_session(org, id)).unwrap().is_none();
    assert!(gone(&w, &w.org, &expired.session.id));
    assert!(gone(&w, &w.org, &revoked.session.id));
    for kept in [
        &recent.session.id,
        &live.session.id,
        &parent.session.id,
        &child.id,
    ] {
        assert!(!gone(&w, &w.org, kept), "{kept}");
    }
    assert!(!gone(&w, &other, &theirs.id));
    // Their refresh tokens went with them; the live session's still turns.
    let token_of =
        |s: &crate::login::LoginSuccess| s.tokens.as_ref().unwrap().refresh_token.clone();
    for pruned in [&expired, &revoked] {
        let hash = sessions::tokens::hash_refresh_token(&token_of(pruned));
        assert!(block_on(w.store.session_of_refresh_token(&hash))
            .unwrap()
            .is_none());
    }
    w.refresh(&token_of(&live), NOW + 1).unwrap();

    // Once the child has ended long enough too, the next run takes it, then its parent.
    block_on(w.store.revoke_session(&w.org, &child.id, NOW - 95 * day)).unwrap();
    let next = block_on(crate::records::apply_retention(&w.store, NOW)).unwrap();
    assert_eq!(next.sessions_deleted, 1);
    assert!(gone(&w, &w.org, &child.id) && !gone(&w, &w.org, &parent.session.id));
    let last = block_on(crate::records::apply_retention(&w.store, NOW)).unwrap();
    assert_eq!(last.sessions_deleted, 1);
    assert!(gone(&w, &w.org, &parent.session.id));
}
