//! Single sign-on against the in-memory stores and a provider faked in memory (P-256 keys,
//! tokens made per test): the whole flow, and every answer it must refuse.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pollster::block_on;
use serde_json::{json, Value};

use super::flow::{self, Callback, Exchange, Landing, Start, Upstreams};
use super::id_token::P256Check;
use super::upstream::{Upstream, UpstreamRequest};
use super::*;
use crate::api::{CreateApplication, CreateConnection, CreateUser, UpdateConnection};
use crate::authn::mfa::seal::test_keys::TestKeys;
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{Application, ClientInfo, LinkPolicy, LoginMethod, Outcome};
use crate::rand::TestRng;
use crate::sessions::jwt::KeyRing;
use crate::store::memory::MemoryStore;
use crate::store::{ConnectionStore, UserStore};
use crate::test_fixtures::{self as fixtures, FAST, ISS, NOW};
use crate::validate::percent_encode;

const IDP: &str = "https://idp.example.com";
const PAGE: &str = "https://app.example.com/login";
const OWN: &str = "https://auth.example.com";
const REDIRECT: &str = "https://auth.example.com/api/v1/auth/sso/callback";
const SECRET: &str = "upstream-secret";
const VERIFIER: &str = "the-page-verifier-kept-in-session-storage-0123456789";

/// What the fake provider's next ID token says; tests change it to attack.
#[derive(Clone)]
struct Token {
    claims: Value,
    /// Sign with this key instead of the published one.
    other_key: bool,
    alg: &'static str,
}

struct Provider {
    key: SigningKey,
    other: SigningKey,
    next: RefCell<Option<Token>>,
    userinfo: RefCell<Value>,
    /// The token requests it received.
    token_requests: RefCell<Vec<UpstreamRequest>>,
    /// How many requests it answered.
    answered: std::cell::Cell<u32>,
}

fn b64(v: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(v)
}

impl Provider {
    fn new() -> Self {
        Provider {
            key: SigningKey::from_bytes(&[7u8; 32].into()).unwrap(),
            other: SigningKey::from_bytes(&[9u8; 32].into()).unwrap(),
            next: RefCell::new(None),
            userinfo: RefCell::new(json!({})),
            token_requests: RefCell::new(Vec::new()),
            answered: std::cell::Cell::new(0),
        }
    }

    fn jwk(&self) -> Value {
        let p = self.key.verifying_key().to_encoded_point(false);
        json!({"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
               "x": b64(p.x().unwrap()), "y": b64(p.y().unwrap())})
    }

    fn sign(&self, t: &Token) -> String {
        let header = json!({"alg": t.alg, "kid": "k1", "typ": "JWT"});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(t.claims.to_string().as_bytes())
        );
        let key = if t.other_key { &self.other } else { &self.key };
        let sig: Signature = key.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig.to_bytes()))
    }
}

impl Upstream for Provider {
    async fn fetch_json(&self, req: UpstreamRequest) -> Result<(u16, Value), crate::Error> {
        self.answered.set(self.answered.get() + 1);
        let url = req.url.as_str();
        if url == format!("{IDP}/.well-known/openid-configuration") {
            return Ok((
                200,
                json!({"issuer": IDP, "authorization_endpoint": format!("{IDP}/auth"),
                       "token_endpoint": format!("{IDP}/token"), "jwks_uri": format!("{IDP}/jwks"),
                       "userinfo_endpoint": format!("{IDP}/me")}),
            ));
        }
        if url == format!("{GOOGLE_ISSUER}/.well-known/openid-configuration") {
            return Ok((
                200,
                json!({"issuer": GOOGLE_ISSUER, "authorization_endpoint": format!("{GOOGLE_ISSUER}/o/oauth2/v2/auth"),
                       "token_endpoint": format!("{IDP}/token"), "jwks_uri": format!("{IDP}/jwks")}),
            ));
        }
        if url == format!("{IDP}/jwks") {
            return Ok((200, json!({"keys": [self.jwk()]})));
        }
        if url == format!("{IDP}/token") {
            self.token_requests.borrow_mut().push(req.clone());
            let form = req.form.unwrap_or_default();
            let code = form
                .iter()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.as_str());
            if code != Some("good-code") || req.authorization.is_none() {
                return Ok((400, json!({"error": "invalid_grant"})));
            }
            let t = self.next.borrow().clone().unwrap();
            return Ok((
                200,
                json!({"id_token": self.sign(&t), "access_token": "at", "token_type": "Bearer"}),
            ));
        }
        if url == format!("{IDP}/me") {
            return Ok((200, self.userinfo.borrow().clone()));
        }
        Ok((404, json!({})))
    }
}

struct World {
    store: MemoryStore,
    keys: KeyRing,
    mfa: TestKeys,
    rng: TestRng,
    org: String,
    app: Application,
    idp: Provider,
    conn: String,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.9".into()),
        ..Default::default()
    }
}

fn challenge() -> String {
    b64(&crate::secrets::sha256(VERIFIER.as_bytes()))
}

/// A token of `claims`, signed with the published key.
fn token(claims: Value) -> Token {
    Token {
        claims,
        other_key: false,
        alg: "ES256",
    }
}

/// The error code a landing sends the page.
fn refused(l: &Landing) -> Option<String> {
    fragment(l, "latchkey_sso_error")
}

fn fragment(l: &Landing, param: &str) -> Option<String> {
    let (_, frag) = l.redirect.split_once('#')?;
    frag.strip_prefix(&format!("{param}=")).map(str::to_owned)
}

fn query(url: &str, name: &str) -> String {
    url.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

impl World {
    fn new(self_signup: bool, policy: LinkPolicy) -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(41);
        let web = CreateApplication {
            name: "Web".into(),
            allowed_origins: vec!["https://app.example.com".into()],
            login_methods: Some(vec![LoginMethod::Password, LoginMethod::Sso]),
            self_signup,
            ..Default::default()
        };
        let (org, app) = fixtures::org_and_app(&store, &mut rng, "A", web);
        let mfa = TestKeys::new(1);
        let conn = block_on(create(
            &store,
            &mfa,
            &org,
            CreateConnection {
                kind: ConnectionKind::Oidc,
                name: Some("Acme".into()),
                issuer: Some(IDP.into()),
                client_id: "latchkey-client".into(),
                client_secret: SECRET.into(),
                domains: vec!["acme.test".into()],
                link_policy: Some(policy),
                ..Default::default()
            },
            NOW,
            &mut rng,
        ))
        .unwrap()
        .id;
        World {
            store,
            keys: fixtures::key_ring(),
            mfa,
            rng,
            org,
            app,
            idp: Provider::new(),
            conn,
        }
    }

    fn start_with(
        &mut self,
        email: Option<&str>,
        conn: Option<&str>,
    ) -> Result<String, crate::Error> {
        let s = Start {
            application: &self.app,
            connection_id: conn,
            email,
            return_to: PAGE,
            code_challenge: &challenge(),
            own_origin: OWN,
            redirect_uri: REDIRECT,
            ip: Some("203.0.113.9"),
        };
        block_on(flow::start(&self.store, &self.idp, s, NOW, &mut self.rng))
            .map(|s| s.authorization_url)
    }

    /// Starts by email, and makes the provider's next token the one `edit` makes of a good
    /// one; returns the state.
    fn start(&mut self, edit: impl FnOnce(&mut Token)) -> String {
        let url = self.start_with(Some("pat@acme.test"), None).unwrap();
        let mut t = token(
            json!({"iss": IDP, "aud": "latchkey-client", "sub": "idp-user-1",
            "exp": NOW / 1000 + 300, "iat": NOW / 1000, "nonce": query(&url, "nonce"),
            "email": "pat@acme.test", "email_verified": true, "name": "Pat"}),
        );
        edit(&mut t);
        *self.idp.next.borrow_mut() = Some(t);
        query(&url, "state")
    }

    fn callback(&mut self, state: &str, code: &str) -> Result<Landing, crate::Error> {
        let cb = Callback {
            code: Some(code),
            state: Some(state),
            error: None,
            redirect_uri: REDIRECT,
            client: &client(),
        };
        let via = Upstreams {
            http: &self.idp,
            signatures: &P256Check,
            keys: &self.mfa,
        };
        block_on(flow::callback(
            &self.store,
            via,
            cb,
            FAST,
            NOW + 1000,
            &mut self.rng,
        ))
    }

    fn exchange(&mut self, code: &str, verifier: &str) -> Result<LoginSuccess, crate::Error> {
        let app = self.app.clone();
        let x = Exchange {
            application: &app,
            code,
            code_verifier: verifier,
            client: client(),
            trust_token: None,
        };
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now: NOW + 2000,
            rng: &mut self.rng,
        };
        block_on(flow::exchange(&self.store, x, env))
    }

    /// The whole flow with the token `edit` makes: the landing.
    fn sign_in(&mut self, edit: impl FnOnce(&mut Token)) -> Landing {
        let state = self.start(edit);
        self.callback(&state, "good-code").unwrap()
    }

    fn last_record(&self) -> crate::model::LoginRecord {
        self.store.records().last().cloned().unwrap()
    }

    fn add_user(&mut self, email: &str, verified: bool) -> String {
        let input = CreateUser {
            email: email.into(),
            email_verified: verified,
            ..Default::default()
        };
        let id = fixtures::user(&self.store, &self.org, input, &mut self.rng);
        block_on(crate::identity::registrations::register(
            &self.store,
            &self.org,
            &id,
            &self.app.id,
            NOW,
        ))
        .unwrap();
        id
    }
}

#[test]
fn test_connection_secret_is_sealed_and_never_shown() {
    let w = World::new(true, LinkPolicy::Link);
    let c = block_on(w.store.get_connection(&w.org, &w.conn))
        .unwrap()
        .unwrap();
    assert!(!c.client_secret_sealed.contains(SECRET));
    assert_eq!(block_on(client_secret(&w.mfa, &c)).unwrap(), SECRET);
    let v = serde_json::to_string(&view(&c, OWN)).unwrap();
    assert!(!v.contains(SECRET) && !v.contains(&c.client_secret_sealed));
    assert!(
        v.contains(REDIRECT),
        "the view names the redirect URI to register: {v}"
    );
    // Another organization's id reads as unknown; a domain cannot be routed twice.
    assert_eq!(
        block_on(get(&w.store, "other-org", &w.conn)),
        Err(crate::Error::NotFound)
    );
    let mut rng = TestRng(3);
    let again = CreateConnection {
        kind: ConnectionKind::Google,
        client_id: "g".into(),
        client_secret: "s".into(),
        domains: vec!["ACME.test".into()],
        ..Default::default()
    };
    let e = block_on(create(&w.store, &w.mfa, &w.org, again, NOW, &mut rng)).unwrap_err();
    assert_eq!(e.code(), "DOMAIN_TAKEN");
}

#[test]
fn test_start_sends_state_nonce_and_pkce_to_the_provider() {
    let mut w = World::new(true, LinkPolicy::Link);
    let url = w.start_with(Some("Pat@ACME.test"), None).unwrap();
    assert!(url.starts_with(&format!(
        "{IDP}/auth?response_type=code&client_id=latchkey-client"
    )));
    assert_eq!(query(&url, "redirect_uri"), percent_encode(REDIRECT));
    assert_eq!(query(&url, "code_challenge_method"), "S256");
    assert_eq!(query(&url, "scope"), "openid%20email%20profile");
    assert_eq!(query(&url, "login_hint"), "Pat%40ACME.test");
    assert!(query(&url, "state").len() >= 43 && query(&url, "nonce").len() >= 43);
    // By id as well; refusals name their fix.
    let by_id = w.conn.clone();
    assert!(w.start_with(None, Some(&by_id)).is_ok());
    let code = |r: Result<String, crate::Error>| r.unwrap_err().code();
    assert_eq!(
        code(w.start_with(Some("pat@elsewhere.test"), None)),
        "SSO_NOT_CONFIGURED"
    );
    assert_eq!(code(w.start_with(None, Some("nope"))), "UNKNOWN_CONNECTION");
    let s = Start {
        application: &w.app,
        connection_id: Some(&by_id),
        email: None,
        return_to: "https://evil.example/steal",
        code_challenge: &challenge(),
        own_origin: OWN,
        redirect_uri: REDIRECT,
        ip: None,
    };
    let e = block_on(flow::start(&w.store, &w.idp, s, NOW, &mut w.rng)).unwrap_err();
    assert_eq!(e.code(), "ORIGIN_NOT_ALLOWED");
    // An application that does not enable SSO refuses.
    w.app.login_methods = vec![LoginMethod::Password];
    assert_eq!(
        code(w.start_with(None, Some(&by_id))),
        "LOGIN_METHOD_DISABLED"
    );
}

#[test]
fn test_sign_in_creates_links_and_hands_off_once_to_the_page_that_started() {
    let mut w = World::new(true, LinkPolicy::Link);
    let landing = w.sign_in(|_| {});
    assert!(
        landing
            .redirect
            .starts_with(&format!("{PAGE}#latchkey_sso=")),
        "{landing:?}"
    );
    let code = fragment(&landing, "latchkey_sso").unwrap();
    // The token request carried the client's credentials and the PKCE verifier.
    let req = w.idp.token_requests.borrow()[0].clone();
    assert!(req.authorization.unwrap().starts_with("Basic "));
    assert!(req
        .form
        .unwrap()
        .iter()
        .any(|(k, v)| k == "code_verifier" && v.len() >= 43));
    // Another verifier (a browser the code was sent to): refused, recorded, and the code is
    // spent.
    assert_eq!(
        w.exchange(&code, "x".repeat(43).as_str())
            .unwrap_err()
            .code(),
        "CODE_EXPIRED"
    );
    let r = w.last_record();
    assert_eq!((r.method.as_str(), r.outcome), ("sso", Outcome::Failure));
    assert_eq!(
        r.failure_reason,
        Some(crate::model::FailureReason::SsoRejected)
    );
    assert_eq!(
        w.exchange(&code, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );

    // Again, the right way: the account made on the first callback is the one signed in.
    let landing = w.sign_in(|_| {});
    let code = fragment(&landing, "latchkey_sso").unwrap();
    let done = w.exchange(&code, VERIFIER).unwrap();
    assert_eq!(done.user.email, "pat@acme.test");
    assert!(done.user.email_verified);
    assert_eq!(done.session.methods, vec!["sso".to_owned()]);
    let r = w.last_record();
    assert_eq!(
        (r.method.as_str(), r.outcome, r.login_id.as_str()),
        ("sso", Outcome::Success, "pat@acme.test")
    );
    // The session and the record say which connection.
    assert_eq!(done.session.connection_id.as_deref(), Some(w.conn.as_str()));
    assert_eq!(r.connection_id.as_deref(), Some(w.conn.as_str()));
    let ids = block_on(w.store.list_identities(&w.org, &done.user.id)).unwrap();
    assert_eq!((ids.len(), ids[0].subject.as_str()), (1, "idp-user-1"));
    // Single use.
    assert_eq!(
        w.exchange(&code, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );
}

#[test]
fn test_a_state_is_single_use() {
    let mut w = World::new(true, LinkPolicy::Link);
    let state = w.start(|_| {});
    assert!(w.callback(&state, "good-code").is_ok());
    assert_eq!(
        w.callback(&state, "good-code").unwrap_err().code(),
        "SSO_STATE_INVALID"
    );
    assert_eq!(
        w.callback("forged", "good-code").unwrap_err().code(),
        "SSO_STATE_INVALID"
    );
}

#[test]
fn test_tokens_that_must_be_refused() {
    type Attack = Box<dyn FnOnce(&mut Token)>;
    let attacks: Vec<(&str, Attack)> = vec![
        (
            "wrong nonce",
            Box::new(|t| t.claims["nonce"] = json!("another")),
        ),
        ("signed by another key", Box::new(|t| t.other_key = true)),
        (
            "expired",
            Box::new(|t| t.claims["exp"] = json!(NOW / 1000 - 120)),
        ),
        (
            "another audience",
            Box::new(|t| t.claims["aud"] = json!("someone-else")),
        ),
        (
            "another issuer",
            Box::new(|t| t.claims["iss"] = json!("https://evil.example")),
        ),
        ("alg none", Box::new(|t| t.alg = "none")),
        ("HS256", Box::new(|t| t.alg = "HS256")),
        (
            "no nonce",
            Box::new(|t| {
                t.claims.as_object_mut().unwrap().remove("nonce");
            }),
        ),
        (
            "another azp",
            Box::new(|t| t.claims["azp"] = json!("someone-else")),
        ),
    ];
    for (name, edit) in attacks {
        let mut w = World::new(true, LinkPolicy::Link);
        let landing = w.sign_in(edit);
        assert_eq!(
            refused(&landing).as_deref(),
            Some("SSO_REJECTED"),
            "{name}: {landing:?}"
        );
        let r = w.last_record();
        assert_eq!(
            r.failure_reason,
            Some(crate::model::FailureReason::SsoRejected),
            "{name}"
        );
        let users = block_on(w.store.find_login(&w.org, "pat@acme.test")).unwrap();
        assert!(users.is_none(), "{name}: no account is made");
    }
    // A wrong code at the provider, and a provider's own error.
    let mut w = World::new(true, LinkPolicy::Link);
    let state = w.start(|_| {});
    let l = w.callback(&state, "bad-code").unwrap();
    assert_eq!(refused(&l).as_deref(), Some("SSO_REJECTED"));
}

#[test]
fn test_linking_follows_the_policy_and_verified_addresses() {
    // Verified on both sides: linked to the existing account.
    let mut w = World::new(false, LinkPolicy::Link);
    let id = w.add_user("pat@acme.test", true);
    let code = fragment(&w.sign_in(|_| {}), "latchkey_sso").unwrap();
    assert_eq!(w.exchange(&code, VERIFIER).unwrap().user.id, id);

    // The account's address is not verified (someone may have claimed it): refused.
    let mut w = World::new(false, LinkPolicy::Link);
    w.add_user("pat@acme.test", false);
    let l = w.sign_in(|_| {});
    assert_eq!(refused(&l).as_deref(), Some("ACCOUNT_EXISTS"));
    assert_eq!(
        w.last_record().failure_reason,
        Some(crate::model::FailureReason::AccountNotLinked)
    );

    // The provider does not vouch for the address: refused.
    let mut w = World::new(false, LinkPolicy::Link);
    w.add_user("pat@acme.test", true);
    let l = w.sign_in(|t| t.claims["email_verified"] = json!(false));
    assert_eq!(refused(&l).as_deref(), Some("ACCOUNT_EXISTS"));

    // The connection refuses links.
    let mut w = World::new(false, LinkPolicy::Refuse);
    w.add_user("pat@acme.test", true);
    let l = w.sign_in(|_| {});
    assert_eq!(refused(&l).as_deref(), Some("ACCOUNT_EXISTS"));

    // No account and no sign-up.
    let mut w = World::new(false, LinkPolicy::Link);
    let l = w.sign_in(|_| {});
    assert_eq!(refused(&l).as_deref(), Some("SIGNUP_NOT_ALLOWED"));

    // An enterprise connection speaks only for its domains.
    let mut w = World::new(true, LinkPolicy::Link);
    w.add_user("boss@other.test", true);
    let l = w.sign_in(|t| t.claims["email"] = json!("boss@other.test"));
    assert_eq!(refused(&l).as_deref(), Some("SSO_DOMAIN_MISMATCH"));
}

#[test]
fn test_claims_from_userinfo_must_be_the_same_subject() {
    let mut w = World::new(true, LinkPolicy::Link);
    *w.idp.userinfo.borrow_mut() =
        json!({"sub": "idp-user-1", "email": "pat@acme.test", "email_verified": true});
    let l = w.sign_in(|t| {
        let c = t.claims.as_object_mut().unwrap();
        c.remove("email");
        c.remove("email_verified");
    });
    assert!(fragment(&l, "latchkey_sso").is_some(), "{l:?}");

    let mut w = World::new(true, LinkPolicy::Link);
    *w.idp.userinfo.borrow_mut() =
        json!({"sub": "someone-else", "email": "boss@acme.test", "email_verified": true});
    let l = w.sign_in(|t| {
        t.claims.as_object_mut().unwrap().remove("email");
    });
    assert_eq!(refused(&l).as_deref(), Some("SSO_REJECTED"));
}

#[test]
fn test_a_disabled_connection_or_user_cannot_sign_in() {
    let mut w = World::new(true, LinkPolicy::Link);
    let state = w.start(|_| {});
    let (org, conn) = (w.org.clone(), w.conn.clone());
    let off = UpdateConnection {
        enabled: Some(false),
        ..Default::default()
    };
    block_on(update(&w.store, &w.mfa, &org, &conn, off, NOW, &mut w.rng)).unwrap();
    let l = w.callback(&state, "good-code").unwrap();
    assert_eq!(refused(&l).as_deref(), Some("UNKNOWN_CONNECTION"));

    let mut w = World::new(true, LinkPolicy::Link);
    let id = w.add_user("pat@acme.test", true);
    let code = fragment(&w.sign_in(|_| {}), "latchkey_sso").unwrap();
    let mut u = block_on(w.store.get_user(&w.org, &id)).unwrap().unwrap();
    u.status = crate::model::UserStatus::Disabled;
    let read_at = u.updated_at;
    block_on(w.store.update_user(&u, read_at)).unwrap();
    assert_eq!(
        w.exchange(&code, VERIFIER).unwrap_err(),
        crate::Error::AccountDisabled
    );
}

#[test]
fn test_google_connection_accepts_googles_issuer_forms() {
    let mut w = World::new(true, LinkPolicy::Link);
    let mut rng = TestRng(5);
    let g = block_on(create(
        &w.store,
        &w.mfa,
        &w.org,
        CreateConnection {
            kind: ConnectionKind::Google,
            client_id: "latchkey-client".into(),
            client_secret: SECRET.into(),
            ..Default::default()
        },
        NOW,
        &mut rng,
    ))
    .unwrap();
    assert_eq!(
        (g.name.as_str(), g.issuer.as_str()),
        ("Google", GOOGLE_ISSUER)
    );
    let url = w.start_with(None, Some(&g.id)).unwrap();
    assert!(url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
    *w.idp.next.borrow_mut() = Some(token(
        json!({"iss": "accounts.google.com", "aud": "latchkey-client", "sub": "g-1",
            "exp": NOW / 1000 + 300, "iat": NOW / 1000, "nonce": query(&url, "nonce"),
            "email": "pat@gmail.test", "email_verified": true}),
    ));
    let l = w.callback(&query(&url, "state"), "good-code").unwrap();
    assert!(fragment(&l, "latchkey_sso").is_some(), "{l:?}");
}

#[test]
fn test_setup_link_makes_one_connection_for_the_organizations_domains() {
    use super::setup;
    use crate::api::SsoSetupRequest;
    let mut w = World::new(true, LinkPolicy::Link);
    let org = w.org.clone();
    let link = |w: &mut World, domains: &[&str], hours| {
        let d: Vec<String> = domains.iter().map(|s| s.to_string()).collect();
        block_on(setup::create_link(
            &w.store, &org, &d, hours, OWN, NOW, &mut w.rng,
        ))
    };
    assert_eq!(
        link(&mut w, &[], None).unwrap_err().code(),
        "INVALID_DOMAINS"
    );
    assert_eq!(
        link(&mut w, &["acme.test"], None).unwrap_err().code(),
        "DOMAIN_TAKEN"
    );
    assert_eq!(
        link(&mut w, &["globex.test"], Some(500))
            .unwrap_err()
            .code(),
        "INVALID_EXPIRES_IN_HOURS"
    );
    let made = link(&mut w, &["Globex.test"], Some(24)).unwrap();
    assert!(made.url.starts_with("https://auth.example.com/sso-setup#"));
    let token = made.url.split_once('#').unwrap().1.to_owned();
    let info = block_on(setup::info(&w.store, &token, OWN, NOW)).unwrap();
    assert_eq!(
        (info.domains.clone(), info.redirect_uri.as_str()),
        (vec!["globex.test".to_owned()], REDIRECT)
    );
    let req = |issuer: &str| SsoSetupRequest {
        token: token.clone(),
        name: "Globex".into(),
        issuer: issuer.into(),
        client_id: "globex-client".into(),
        client_secret: "globex-secret".into(),
    };
    let complete = |w: &mut World, r| {
        block_on(setup::complete(
            &w.store, &w.idp, &w.mfa, r, OWN, NOW, &mut w.rng,
        ))
    };
    // An issuer without discovery is refused, and the link stays usable.
    let e = complete(&mut w, req("https://nowhere.example")).unwrap_err();
    assert_eq!(e.code(), "ISSUER_UNREACHABLE");
    let (made_in, view) = complete(&mut w, req(IDP)).unwrap();
    assert_eq!(made_in, org);
    assert_eq!(
        view.domains,
        vec!["globex.test".to_owned()],
        "the link's domains, not the holder's"
    );
    assert!(!serde_json::to_string(&view)
        .unwrap()
        .contains("globex-secret"));
    // Spent.
    assert_eq!(
        complete(&mut w, req(IDP)).unwrap_err().code(),
        "CODE_EXPIRED"
    );
    assert_eq!(
        block_on(setup::info(&w.store, &token, OWN, NOW))
            .unwrap_err()
            .code(),
        "CODE_EXPIRED"
    );
    // Expired.
    let late = link(&mut w, &["initech.test"], Some(1)).unwrap();
    let t = late.url.split_once('#').unwrap().1.to_owned();
    let after = NOW + 3_600_001;
    assert_eq!(
        block_on(setup::info(&w.store, &t, OWN, after))
            .unwrap_err()
            .code(),
        "CODE_EXPIRED"
    );
}

#[test]
fn test_addresses_a_connection_may_not_speak_for() {
    // A provider that does not vouch for the address makes no account.
    let mut w = World::new(true, LinkPolicy::Link);
    let l = w.sign_in(|t| t.claims["email_verified"] = json!(false));
    assert_eq!(refused(&l).as_deref(), Some("EMAIL_NOT_VERIFIED"));
    assert!(block_on(w.store.find_login(&w.org, "pat@acme.test"))
        .unwrap()
        .is_none());

    // A social connection cannot sign in an address whose domain another connection routes.
    let mut w = World::new(true, LinkPolicy::Link);
    let mut rng = TestRng(8);
    let social = block_on(create(
        &w.store,
        &w.mfa,
        &w.org,
        CreateConnection {
            kind: ConnectionKind::Oidc,
            name: Some("Social".into()),
            issuer: Some(IDP.into()),
            client_id: "latchkey-client".into(),
            client_secret: SECRET.into(),
            ..Default::default()
        },
        NOW,
        &mut rng,
    ))
    .unwrap();
    assert_eq!(
        social.link_policy,
        LinkPolicy::Refuse,
        "an OIDC issuer without domains does not link by default"
    );
    let url = w.start_with(None, Some(&social.id)).unwrap();
    *w.idp.next.borrow_mut() = Some(token(
        json!({"iss": IDP, "aud": "latchkey-client", "sub": "s-1",
            "exp": NOW / 1000 + 300, "iat": NOW / 1000, "nonce": query(&url, "nonce"),
            "email": "pat@acme.test", "email_verified": true}),
    ));
    let l = w.callback(&query(&url, "state"), "good-code").unwrap();
    assert_eq!(refused(&l).as_deref(), Some("SSO_DOMAIN_MISMATCH"));

    // A Google connection with domains takes only accounts of those Workspace domains.
    let mut w = World::new(true, LinkPolicy::Link);
    let (org, conn) = (w.org.clone(), w.conn.clone());
    block_on(w.store.delete_connection(&org, &conn)).unwrap();
    let g = block_on(create(
        &w.store,
        &w.mfa,
        &org,
        CreateConnection {
            kind: ConnectionKind::Google,
            client_id: "latchkey-client".into(),
            client_secret: SECRET.into(),
            domains: vec!["acme.test".into()],
            ..Default::default()
        },
        NOW,
        &mut rng,
    ))
    .unwrap();
    for (hd, ok) in [
        (None, false),
        (Some("gmail.com"), false),
        (Some("acme.test"), true),
    ] {
        let url = w.start_with(None, Some(&g.id)).unwrap();
        let mut claims = json!({"iss": GOOGLE_ISSUER, "aud": "latchkey-client", "sub": "g-2",
            "exp": NOW / 1000 + 300, "iat": NOW / 1000, "nonce": query(&url, "nonce"),
            "email": "pat@acme.test", "email_verified": true});
        if let Some(hd) = hd {
            claims["hd"] = json!(hd);
        }
        *w.idp.next.borrow_mut() = Some(token(claims));
        let l = w.callback(&query(&url, "state"), "good-code").unwrap();
        assert_eq!(
            fragment(&l, "latchkey_sso").is_some(),
            ok,
            "hd {hd:?}: {l:?}"
        );
    }
}

#[test]
fn test_an_issuer_cannot_change_and_a_turned_off_connection_hands_off_nothing() {
    let mut w = World::new(true, LinkPolicy::Link);
    let (org, conn) = (w.org.clone(), w.conn.clone());
    let moved = UpdateConnection {
        issuer: Some("https://other.example".into()),
        ..Default::default()
    };
    let e = block_on(update(
        &w.store, &w.mfa, &org, &conn, moved, NOW, &mut w.rng,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ISSUER_IMMUTABLE");
    let code = fragment(&w.sign_in(|_| {}), "latchkey_sso").unwrap();
    let off = UpdateConnection {
        enabled: Some(false),
        ..Default::default()
    };
    block_on(update(&w.store, &w.mfa, &org, &conn, off, NOW, &mut w.rng)).unwrap();
    assert_eq!(
        w.exchange(&code, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );
}

#[test]
fn test_a_second_factor_after_single_sign_on_keeps_the_connection() {
    let mut w = World::new(true, LinkPolicy::Link);
    w.app.mfa.policy = crate::model::MfaPolicy::Required;
    let code = fragment(&w.sign_in(|_| {}), "latchkey_sso").unwrap();
    let e = w.exchange(&code, VERIFIER).unwrap_err();
    assert!(matches!(e, crate::Error::MfaRequired(_)), "{e:?}");
    let r = w.last_record();
    assert_eq!(
        r.failure_reason,
        Some(crate::model::FailureReason::MfaRequired)
    );
    assert_eq!(
        (r.method.as_str(), r.connection_id.as_deref()),
        ("sso", Some(w.conn.as_str()))
    );
}

#[test]
fn test_ask_links_only_after_the_person_signs_in_to_the_account() {
    let mut w = World::new(true, LinkPolicy::Ask);
    // Not verified here: the person proves the account by signing in to it.
    let id = w.add_user("pat@acme.test", false);
    let other = w.add_user("someone@acme.test", true);
    let l = w.sign_in(|_| {});
    let ticket = fragment(&l, flow::LINK_PARAM).expect("a link ticket");
    assert!(fragment(&l, "latchkey_sso").is_none());
    let (org, conn) = (w.org.clone(), w.conn.clone());
    let link = |w: &World, user: &str, t: &str, v: &str| {
        block_on(flow::link_identity(&w.store, &org, user, t, v, NOW + 2000))
    };
    // Another account, or another page's verifier: refused, and the ticket is spent.
    assert_eq!(
        link(&w, &other, &ticket, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );
    assert_eq!(
        link(&w, &id, &ticket, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );
    let ticket = fragment(&w.sign_in(|_| {}), flow::LINK_PARAM).unwrap();
    assert_eq!(
        link(&w, &id, &ticket, &"x".repeat(43)).unwrap_err().code(),
        "CODE_EXPIRED"
    );
    // The account's own sign-in, from the page that started: linked, once.
    let ticket = fragment(&w.sign_in(|_| {}), flow::LINK_PARAM).unwrap();
    assert_eq!(link(&w, &id, &ticket, VERIFIER).unwrap(), conn);
    assert_eq!(
        link(&w, &id, &ticket, VERIFIER).unwrap_err().code(),
        "CODE_EXPIRED"
    );
    // From now on the identity signs in to that account directly.
    let code = fragment(&w.sign_in(|_| {}), "latchkey_sso").unwrap();
    assert_eq!(w.exchange(&code, VERIFIER).unwrap().user.id, id);
}

#[test]
fn test_starts_are_capped_per_address_and_hour() {
    let mut w = World::new(true, LinkPolicy::Link);
    for _ in 0..flow::STARTS_PER_IP_PER_HOUR {
        w.start_with(Some("pat@acme.test"), None).unwrap();
    }
    let e = w.start_with(Some("pat@acme.test"), None).unwrap_err();
    assert!(
        matches!(e, crate::Error::RateLimited { retry_after_secs } if retry_after_secs <= 3600),
        "{e:?}"
    );
}

#[test]
fn test_discovery_and_keys_are_cached_and_keys_fetched_again_for_an_unknown_kid() {
    use super::id_token;
    use super::upstream::{discover, Cached};
    let idp = Provider::new();
    let cache = crate::store::memory::MemoryCache::new();
    let via = Cached {
        http: &idp,
        cache: &cache,
    };
    let d = block_on(discover(&via, IDP)).unwrap();
    block_on(discover(&via, IDP)).unwrap();
    let cached = block_on(id_token::keys(&via, &d.jwks_uri, false)).unwrap();
    block_on(id_token::keys(&via, &d.jwks_uri, false)).unwrap();
    assert_eq!(
        idp.answered.get(),
        2,
        "one discovery and one key set fetched"
    );
    block_on(id_token::keys(&via, &d.jwks_uri, true)).unwrap();
    assert_eq!(idp.answered.get(), 3, "fresh keys are fetched");
    let signed = idp.sign(&token(json!({"sub": "x"})));
    assert!(id_token::has_key_for(&cached, &signed));
    let rotated = format!(
        "{}.{}",
        b64(br#"{"alg":"ES256","kid":"k2"}"#),
        signed.split_once('.').unwrap().1
    );
    assert!(!id_token::has_key_for(&cached, &rotated));
}
