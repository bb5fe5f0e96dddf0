//! The passkey ceremonies end to end against the memory store, with a software
//! authenticator made here (P-256 keys, CBOR attestation objects, DER signatures), and the
//! attacks: replayed, raced, expired and foreign challenges, wrong origin and RP, missing
//! user verification, tampered signatures, cloned counters, other users' and other
//! organizations' credentials, and unknown login ids answered like known ones.

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pollster::block_on;
use sha2::{Digest, Sha256};

use super::ceremony::{self, PasskeyLogin, CHALLENGE_TTL_MS};
use crate::api::{
    AssertionResponse, AttestationResponse, AuthenticationCredential, CreateApplication,
    CreateUser, RegisterPasskeyRequest, RegistrationCredential, UpdateApplication,
};
use crate::identity::{applications, users};
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{
    Application, ClientInfo, FailureReason, LoginMethod, Outcome, UserVerification,
};
use crate::rand::TestRng;
use crate::sessions::jwt::{KeyRing, P256Check};
use crate::store::memory::{MemoryCache, MemoryStore};
use crate::store::{AppStore, PasskeyStore, RegistrationStore};
use crate::Error;

use crate::test_fixtures::{FAST, ISS, NOW, TEST_KEY};
const ORIGIN: &str = "https://app.example.com";
const DECOY_KEY: &[u8] = b"decoy key, tests only";

fn b64(b: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(b)
}
fn unb64(s: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s).unwrap()
}

/// A software authenticator holding one credential.
struct Authenticator {
    key: SigningKey,
    id: Vec<u8>,
    counter: u32,
    /// Whether it verifies the user (UV flag).
    uv: bool,
    rp_id: String,
    origin: String,
    user_handle: Option<Vec<u8>>,
    /// Whether it counts signatures (some authenticators always say 0).
    counts: bool,
}

impl Authenticator {
    fn new(seed: u8) -> Self {
        Authenticator {
            key: SigningKey::from_slice(&[seed; 32]).unwrap(),
            id: vec![seed; 16],
            counter: 0,
            uv: true,
            rp_id: "app.example.com".into(),
            origin: ORIGIN.into(),
            user_handle: None,
            counts: true,
        }
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let int = |i: i64| Value::Integer(i.into());
        let map = Value::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(point.x().unwrap().to_vec())),
            (int(-3), Value::Bytes(point.y().unwrap().to_vec())),
        ]);
        let mut out = Vec::new();
        ciborium::ser::into_writer(&map, &mut out).unwrap();
        out
    }

    fn auth_data(&self, attested: bool) -> Vec<u8> {
        let mut d = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        let flags = 0x01 | if self.uv { 0x04 } else { 0 } | if attested { 0x40 } else { 0 };
        d.push(flags);
        d.extend_from_slice(&self.counter.to_be_bytes());
        if attested {
            d.extend_from_slice(&[0u8; 16]);
            d.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
            d.extend_from_slice(&self.id);
            d.extend_from_slice(&self.cose_key());
        }
        d
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        format!(
            r#"{{"type":"{kind}","challenge":"{challenge}","origin":"{}","crossOrigin":false}}"#,
            self.origin
        )
        .into_bytes()
    }

    fn create(&self, challenge: &str) -> RegistrationCredential {
        let att = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (
                Value::Text("authData".into()),
                Value::Bytes(self.auth_data(true)),
            ),
        ]);
        let mut att_bytes = Vec::new();
        ciborium::ser::into_writer(&att, &mut att_bytes).unwrap();
        RegistrationCredential {
            id: b64(&self.id),
            raw_id: b64(&self.id),
            kind: "public-key".into(),
            response: AttestationResponse {
                client_data_json: b64(&self.client_data("webauthn.create", challenge)),
                attestation_object: b64(&att_bytes),
                transports: vec!["internal".into()],
            },
        }
    }

    fn get(&mut self, challenge: &str) -> AuthenticationCredential {
        if self.counts {
            self.counter += 1;
        }
        let data = self.auth_data(false);
        let client = self.client_data("webauthn.get", challenge);
        let mut signed = data.clone();
        signed.extend_from_slice(&Sha256::digest(&client));
        let sig: Signature = self.key.sign(&signed);
        AuthenticationCredential {
            id: b64(&self.id),
            raw_id: b64(&self.id),
            kind: "public-key".into(),
            response: AssertionResponse {
                client_data_json: b64(&client),
                authenticator_data: b64(&data),
                signature: b64(sig.to_der().as_bytes()),
                user_handle: self.user_handle.as_deref().map(b64),
            },
        }
    }
}

struct World {
    store: MemoryStore,
    keys: KeyRing,
    rng: TestRng,
    org: String,
    app: Application,
    ann: String,
    bob: String,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.9".into()),
        user_agent: Some("test-agent".into()),
        ..Default::default()
    }
}

impl World {
    fn new() -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(11);
        let (org, app) = Self::org_and_app(&store, &mut rng, "A");
        let mut user = |email: &str| {
            let input = CreateUser {
                email: email.into(),
                password: Some("correct horse".into()),
                ..Default::default()
            };
            block_on(users::create(&store, &org, input, FAST, NOW, &mut rng))
                .unwrap()
                .id
        };
        let (ann, bob) = (user("ann@example.com"), user("bob@example.com"));
        for u in [&ann, &bob] {
            block_on(store.register(&org, u, &app.id, NOW)).unwrap();
        }
        World {
            store,
            keys: KeyRing::from_pkcs8(TEST_KEY, None).unwrap(),
            rng,
            org,
            app,
            ann,
            bob,
        }
    }

    fn org_and_app(store: &MemoryStore, rng: &mut TestRng, name: &str) -> (String, Application) {
        let web = CreateApplication {
            name: "web".into(),
            allowed_origins: vec![ORIGIN.into()],
            login_methods: Some(vec![LoginMethod::Password, LoginMethod::Passkey]),
            ..Default::default()
        };
        crate::test_fixtures::org_and_app(store, rng, name, web)
    }

    fn register(&mut self, user: &str, a: &Authenticator) -> Result<String, Error> {
        let user = user.to_owned();
        let options = block_on(ceremony::register_options(
            &self.store,
            &self.app,
            &user,
            NOW,
            &mut self.rng,
        ))?;
        let req = RegisterPasskeyRequest {
            name: Some("Laptop".into()),
            credential: a.create(&options.public_key.challenge),
        };
        let view = block_on(ceremony::register(
            &self.store,
            &P256Check,
            &self.app,
            &user,
            req,
            &client(),
            NOW,
            &mut self.rng,
        ))?;
        Ok(view.id)
    }

    fn options(&mut self, login_id: Option<&str>) -> crate::api::RequestOptions {
        block_on(ceremony::login_options(
            &self.store,
            &self.app,
            login_id,
            DECOY_KEY,
            &client(),
            NOW,
            &mut self.rng,
        ))
        .unwrap()
        .public_key
    }

    fn finish(
        &mut self,
        credential: AuthenticationCredential,
        now: i64,
    ) -> Result<LoginSuccess, Error> {
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        let req = PasskeyLogin {
            application: &self.app,
            credential,
            trust_token: None,
            client: client(),
        };
        block_on(ceremony::login(&self.store, &P256Check, req, env))
    }

    /// A usernameless login with `a`.
    fn login(&mut self, a: &mut Authenticator) -> Result<LoginSuccess, Error> {
        let challenge = self.options(None).challenge;
        let cred = a.get(&challenge);
        self.finish(cred, NOW)
    }

    fn last_reason(&self) -> Option<FailureReason> {
        let r = self.store.records();
        let last = r.last().unwrap();
        assert_eq!(last.method, "passkey");
        last.failure_reason
    }
}

#[test]
fn test_passkey_register_then_log_in_usernameless_and_username_first() {
    let mut w = World::new();
    let mut a = Authenticator::new(1);
    let ann = w.ann.clone();
    w.register(&ann, &a).unwrap();
    a.user_handle = Some(ann.as_bytes().to_vec());

    let ok = w.login(&mut a).unwrap();
    assert_eq!(ok.user.id, ann);
    assert_eq!(ok.session.methods, ["passkey"]);
    let token = ok.tokens.unwrap().access_token;
    let v = w
        .keys
        .verify(&token, ISS, Some(&w.app.client_id), NOW)
        .unwrap();
    assert_eq!(v.claims.amr, ["hwk", "user"]);
    let rec = w.store.records().pop().unwrap();
    assert_eq!(
        (rec.outcome, rec.method.as_str()),
        (Outcome::Success, "passkey")
    );
    assert_eq!(rec.login_id, "ann@example.com");
    assert_eq!(rec.session_id.as_deref(), Some(ok.session.id.as_str()));

    // Username-first: the options allow exactly Ann's passkey.
    let options = w.options(Some("ANN@example.com"));
    assert_eq!(options.allow_credentials.len(), 1);
    assert_eq!(options.allow_credentials[0].id, b64(&a.id));
    assert_eq!(options.rp_id, "app.example.com");
    assert_eq!(options.user_verification, "required");
    let cred = a.get(&options.challenge);
    let ok = w.finish(cred, NOW).unwrap();
    assert_eq!(ok.user.id, ann);
    assert_eq!(w.store.records().pop().unwrap().login_id, "ANN@example.com");

    // The counter was stored.
    let stored = block_on(w.store.user_passkeys(&w.org, &ann)).unwrap();
    assert_eq!(stored[0].sign_count, 2);
    assert_eq!(stored[0].last_used_at, Some(NOW));
    assert_eq!(stored[0].name, "Laptop");
}

#[test]
fn test_passkey_challenge_is_single_use_short_lived_and_raced_once() {
    let mut w = World::new();
    let mut a = Authenticator::new(2);
    let ann = w.ann.clone();
    w.register(&ann, &a).unwrap();

    let challenge = w.options(None).challenge;
    let cred = a.get(&challenge);
    // Two racing finishes with one response: exactly one wins.
    assert!(w.finish(cred.clone(), NOW).is_ok());
    assert_eq!(w.finish(cred, NOW).unwrap_err().code(), "PASSKEY_REJECTED");
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));

    // A fresh assertion over a spent challenge fails the same way.
    let again = a.get(&challenge);
    assert!(w.finish(again, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));

    // Five minutes later the challenge is gone.
    let challenge = w.options(None).challenge;
    let late = a.get(&challenge);
    assert!(w.finish(late, NOW + CHALLENGE_TTL_MS).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));

    // A challenge nobody issued.
    let forged = a.get(&b64(&[9u8; 32]));
    assert!(w.finish(forged, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));

    // A registration challenge is not a login challenge.
    let reg = block_on(ceremony::register_options(
        &w.store, &w.app, &ann, NOW, &mut w.rng,
    ))
    .unwrap()
    .public_key
    .challenge;
    let cross = a.get(&reg);
    assert!(w.finish(cross, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));
}

#[test]
fn test_passkey_login_refuses_wrong_origin_rp_signature_and_unverified_user() {
    let mut w = World::new();
    let mut a = Authenticator::new(3);
    let ann = w.ann.clone();
    w.register(&ann, &a).unwrap();

    a.origin = "https://app.example.com.evil.test".into();
    assert_eq!(w.login(&mut a).unwrap_err().code(), "PASSKEY_REJECTED");
    assert_eq!(w.last_reason(), Some(FailureReason::PasskeyRejected));
    a.origin = ORIGIN.into();

    a.rp_id = "evil.test".into();
    assert!(w.login(&mut a).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::PasskeyRejected));
    a.rp_id = "app.example.com".into();

    let challenge = w.options(None).challenge;
    let mut cred = a.get(&challenge);
    let mut sig = unb64(&cred.response.signature);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    cred.response.signature = b64(&sig);
    assert!(w.finish(cred, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::PasskeyRejected));

    // A user handle that is not the passkey's user.
    a.user_handle = Some(w.bob.as_bytes().to_vec());
    assert!(w.login(&mut a).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::PasskeyRejected));
    a.user_handle = None;

    // Presence without verification: refused where required (the default) ...
    a.uv = false;
    assert!(w.login(&mut a).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::UserNotVerified));
    // ... accepted where the application only prefers it.
    let upd = UpdateApplication {
        passkey_user_verification: Some(UserVerification::Preferred),
        ..Default::default()
    };
    block_on(applications::update(
        &w.store,
        &MemoryCache::new(),
        &w.org,
        &w.app.id,
        upd,
        NOW,
    ))
    .unwrap();
    w.app = block_on(w.store.get_app(&w.org, &w.app.id))
        .unwrap()
        .unwrap();
    assert!(w.login(&mut a).is_ok());
    // The failed attempts left a record each, with Ann named once the passkey was known.
    let failures: Vec<_> = w
        .store
        .records()
        .into_iter()
        .filter(|r| r.outcome == Outcome::Failure)
        .collect();
    assert_eq!(failures.len(), 5);
    assert!(failures
        .iter()
        .all(|r| r.user_id.as_deref() == Some(ann.as_str())));
}

#[test]
fn test_passkey_counter_regression_is_refused_as_a_possible_clone() {
    let mut w = World::new();
    let mut a = Authenticator::new(4);
    let ann = w.ann.clone();
    w.register(&ann, &a).unwrap();
    w.login(&mut a).unwrap();
    w.login(&mut a).unwrap();
    // A copy of the authenticator, behind the original.
    a.counter = 1;
    assert!(w.login(&mut a).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::CounterRegressed));
    assert!(w
        .store
        .events()
        .iter()
        .any(|e| e.kind == "passkey.counter_regressed"));
    // Two assertions made one after the other but checked in the other order: the later
    // count is stored first, and the earlier one is then behind it, so it is refused.
    let (c1, c2) = (w.options(None).challenge, w.options(None).challenge);
    a.counter = 10;
    let early = a.get(&c1);
    let late = a.get(&c2);
    assert!(w.finish(late, NOW).is_ok());
    assert!(w.finish(early, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::CounterRegressed));
    // Authenticators that keep no counter (always 0) are not refused for it.
    let mut zero = Authenticator::new(5);
    zero.counts = false;
    w.register(&ann, &zero).unwrap();
    assert!(w.login(&mut zero).is_ok());
    assert!(w.login(&mut zero).is_ok());
}

#[test]
fn test_passkey_other_users_and_other_organizations_credentials_are_refused() {
    let mut w = World::new();
    let mut ann_key = Authenticator::new(6);
    let mut bob_key = Authenticator::new(7);
    let (ann, bob) = (w.ann.clone(), w.bob.clone());
    w.register(&ann, &ann_key).unwrap();
    w.register(&bob, &bob_key).unwrap();

    // Username-first as Ann, answered with Bob's passkey.
    let challenge = w.options(Some("ann@example.com")).challenge;
    let cred = bob_key.get(&challenge);
    assert!(w.finish(cred, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::UnknownPasskey));

    // A credential nobody registered.
    let mut stranger = Authenticator::new(8);
    assert!(w.login(&mut stranger).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::UnknownPasskey));

    // Another organization: its challenge and its passkeys mean nothing here.
    let (org_b, app_b) = World::org_and_app(&w.store, &mut w.rng, "B");
    let carol = block_on(users::create(
        &w.store,
        &org_b,
        CreateUser {
            email: "carol@example.com".into(),
            ..Default::default()
        },
        FAST,
        NOW,
        &mut w.rng,
    ))
    .unwrap()
    .id;
    block_on(w.store.register(&org_b, &carol, &app_b.id, NOW)).unwrap();
    let app_a = std::mem::replace(&mut w.app, app_b);
    let mut carol_key = Authenticator::new(9);
    w.register(&carol, &carol_key).unwrap();
    let foreign_challenge = w.options(None).challenge;
    w.app = app_a;
    assert!(w.login(&mut carol_key).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::UnknownPasskey));
    let cred = ann_key.get(&foreign_challenge);
    assert!(w.finish(cred, NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::ChallengeInvalid));

    // Ann cannot rename or delete Bob's passkey; Bob's own list is untouched.
    let bobs = block_on(ceremony::list(&w.store, &w.org, &bob))
        .unwrap()
        .passkeys;
    let id = bobs[0].id.clone();
    assert_eq!(
        block_on(ceremony::rename(&w.store, &w.org, &ann, &id, "mine")).unwrap_err(),
        Error::NotFound
    );
    assert_eq!(
        block_on(ceremony::delete(&w.store, &w.org, &ann, &id, "user", NOW)).unwrap_err(),
        Error::NotFound
    );
    assert_eq!(
        block_on(ceremony::delete(&w.store, &org_b, &bob, &id, "user", NOW)).unwrap_err(),
        Error::NotFound
    );
    assert!(w.login(&mut bob_key).is_ok());
    // Deleted, it no longer signs anyone in.
    block_on(ceremony::delete(&w.store, &w.org, &bob, &id, "user", NOW)).unwrap();
    assert!(w.login(&mut bob_key).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::UnknownPasskey));
}

#[test]
fn test_passkey_options_do_not_reveal_whether_an_account_exists() {
    let mut w = World::new();
    // Bob exists without passkeys; nobody is "nobody@example.com".
    let known = w.options(Some("bob@example.com"));
    let unknown = w.options(Some("nobody@example.com"));
    assert_eq!(
        known.allow_credentials.len(),
        unknown.allow_credentials.len()
    );
    assert_eq!(
        known.allow_credentials[0].transports,
        unknown.allow_credentials[0].transports
    );
    assert_eq!(
        unb64(&known.allow_credentials[0].id).len(),
        unb64(&unknown.allow_credentials[0].id).len()
    );
    // Stable per login id, as real credential ids are; different between login ids.
    let again = w.options(Some("nobody@example.com"));
    assert_eq!(unknown.allow_credentials, again.allow_credentials);
    assert_ne!(known.allow_credentials, unknown.allow_credentials);
    assert_ne!(known.challenge, unknown.challenge);
}

#[test]
fn test_passkey_registration_refuses_replays_duplicates_and_other_users_challenges() {
    let mut w = World::new();
    let a = Authenticator::new(10);
    let (ann, bob) = (w.ann.clone(), w.bob.clone());
    let first = w.register(&ann, &a).unwrap();
    // The same authenticator again: listed in excludeCredentials, and refused.
    let options = block_on(ceremony::register_options(
        &w.store, &w.app, &ann, NOW, &mut w.rng,
    ))
    .unwrap()
    .public_key;
    assert_eq!(options.exclude_credentials[0].id, b64(&a.id));
    assert_eq!(options.authenticator_selection.resident_key, "required");
    let req = RegisterPasskeyRequest {
        name: None,
        credential: a.create(&options.challenge),
    };
    let err = block_on(ceremony::register(
        &w.store,
        &P256Check,
        &w.app,
        &ann,
        req.clone(),
        &client(),
        NOW,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(err.code(), "PASSKEY_EXISTS");
    // Its challenge was spent by that attempt.
    let err = block_on(ceremony::register(
        &w.store,
        &P256Check,
        &w.app,
        &ann,
        req,
        &client(),
        NOW,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(err.code(), "PASSKEY_REJECTED");

    // Bob cannot finish with a challenge issued to Ann.
    let other = Authenticator::new(11);
    let options = block_on(ceremony::register_options(
        &w.store, &w.app, &ann, NOW, &mut w.rng,
    ))
    .unwrap()
    .public_key;
    let req = RegisterPasskeyRequest {
        name: None,
        credential: other.create(&options.challenge),
    };
    let err = block_on(ceremony::register(
        &w.store,
        &P256Check,
        &w.app,
        &bob,
        req,
        &client(),
        NOW,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(err.code(), "PASSKEY_REJECTED");
    assert!(block_on(w.store.user_passkeys(&w.org, &bob))
        .unwrap()
        .is_empty());

    // Without user verification, refused where required.
    let mut lazy = Authenticator::new(12);
    lazy.uv = false;
    assert_eq!(
        w.register(&ann, &lazy).unwrap_err().code(),
        "PASSKEY_REJECTED"
    );
    let names: Vec<_> = block_on(ceremony::list(&w.store, &w.org, &ann))
        .unwrap()
        .passkeys
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(names, [first]);
    assert!(w.store.events().iter().any(|e| e.kind == "passkey.added"));
}

#[test]
fn test_passkey_method_must_be_enabled_and_rp_ids_are_checked() {
    let mut w = World::new();
    let upd = UpdateApplication {
        login_methods: Some(vec![LoginMethod::Password]),
        ..Default::default()
    };
    block_on(applications::update(
        &w.store,
        &MemoryCache::new(),
        &w.org,
        &w.app.id,
        upd,
        NOW,
    ))
    .unwrap();
    w.app = block_on(w.store.get_app(&w.org, &w.app.id))
        .unwrap()
        .unwrap();
    let err = block_on(ceremony::login_options(
        &w.store,
        &w.app,
        None,
        DECOY_KEY,
        &client(),
        NOW,
        &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(err.code(), "LOGIN_METHOD_DISABLED");
    let mut a = Authenticator::new(13);
    assert!(w.finish(a.get(&b64(&[1; 32])), NOW).is_err());
    assert_eq!(w.last_reason(), Some(FailureReason::MethodDisabled));

    let origins = vec![
        "https://app.example.com".to_owned(),
        "http://localhost:8787".to_owned(),
    ];
    assert_eq!(
        super::check_rp_id("Example.com", &origins).unwrap(),
        "example.com"
    );
    assert_eq!(
        super::check_rp_id("localhost", &origins).unwrap(),
        "localhost"
    );
    for bad in [
        "other.com",
        "ample.com",
        "app.example.com.",
        "-x.com",
        "a b",
        "",
    ] {
        assert!(super::check_rp_id(bad, &origins).is_err(), "{bad}");
    }
    let mut app = w.app.clone();
    app.allowed_origins = origins;
    assert_eq!(super::rp_id(&app).unwrap(), "app.example.com");
    assert_eq!(super::origins(&app, "localhost"), ["http://localhost:8787"]);
    app.passkey_rp_id = Some("example.com".into());
    assert_eq!(
        super::origins(&app, "example.com"),
        ["https://app.example.com"]
    );
    app.allowed_origins.clear();
    app.passkey_rp_id = None;
    assert_eq!(
        super::rp_id(&app).unwrap_err().code(),
        "PASSKEYS_NOT_CONFIGURED"
    );
}

#[test]
fn test_passkey_login_options_are_bounded_per_address_and_expired_challenges_pruned() {
    use crate::store::CodeStore;
    let mut w = World::new();
    // The default address limit is 100 failures an hour: 1000 options, then refusals.
    let ask = |w: &mut World| {
        block_on(ceremony::login_options(
            &w.store,
            &w.app,
            None,
            DECOY_KEY,
            &client(),
            NOW,
            &mut w.rng,
        ))
    };
    for _ in 0..1000 {
        ask(&mut w).unwrap();
    }
    let err = ask(&mut w).unwrap_err();
    assert!(matches!(err, Error::TooManyAttempts { retry_after_secs } if retry_after_secs > 0));
    // Another address is not affected.
    let other = ClientInfo {
        ip: Some("198.51.100.1".into()),
        ..Default::default()
    };
    assert!(block_on(ceremony::login_options(
        &w.store, &w.app, None, DECOY_KEY, &other, NOW, &mut w.rng
    ))
    .is_ok());
    // Five minutes on, every one of those challenges is deleted by the cron's prune.
    assert_eq!(
        block_on(w.store.prune_codes(NOW + CHALLENGE_TTL_MS - 1)).unwrap(),
        0
    );
    assert_eq!(
        block_on(w.store.prune_codes(NOW + CHALLENGE_TTL_MS)).unwrap(),
        1001
    );
}
