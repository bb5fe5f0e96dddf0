//! The OpenID provider against the in-memory stores: the request's checks, the code's
//! single use and bindings, client authentication, refresh, the ID token and userinfo.
#![allow(clippy::unwrap_used)]

use base64ct::{Base64UrlUnpadded, Encoding};
use pollster::block_on;

use super::authorize::{self, Prompt, Refusal};
use super::claims::{at_hash, ACR_ONE_FACTOR};
use super::{discovery, lifecycle, new_client_secret, token};
use crate::api::{CreateApplication, CreateUser, OAuthTokens};
use crate::authn::password::breach::Off;
use crate::authn::password::{password_login, PasswordLogin};
use crate::login::LoginEnv;
use crate::model::{Application, ClientInfo, Session};
use crate::rand::TestRng;
use crate::sessions::jwt::KeyRing;
use crate::sessions::jwt::P256Check;
use crate::sessions::refresh::refresh_checked;
use crate::store::memory::MemoryStore;
use crate::store::{AppStore, SessionStore};
use crate::test_fixtures::{key_ring, org_and_app, user, FAST, ISS, NOW};
use crate::Error;

const CB: &str = "https://rp.example/callback";
/// RFC 7636 appendix B's verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct World {
    store: MemoryStore,
    keys: KeyRing,
    rng: TestRng,
    org: String,
    app: Application,
}

fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
    q.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn error_of(e: &Error) -> &'static str {
    e.code()
}

/// The query parameter `name` of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    crate::validate::form_decode(query.as_bytes())?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The client's own session: the `sid` of its ID token.
fn sid(t: &OAuthTokens) -> String {
    payload(t.id_token.as_deref().unwrap())["sid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A JWT's payload as JSON, unchecked.
fn payload(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).unwrap()).unwrap()
}

impl World {
    fn new() -> Self {
        let store = MemoryStore::new();
        let mut rng = TestRng(11);
        let web = CreateApplication {
            name: "rp".into(),
            redirect_uris: vec![CB.into()],
            ..Default::default()
        };
        let (org, app) = org_and_app(&store, &mut rng, "A", web);
        let input = CreateUser {
            email: "ann@example.com".into(),
            name: Some("Ann Example".into()),
            username: Some("ann".into()),
            ..Default::default()
        };
        user(&store, &org, input, &mut rng);
        World {
            store,
            keys: key_ring(),
            rng,
            org,
            app,
        }
    }

    /// A password sign-in to the application (what the hosted page's widget does).
    fn password_sign_in(&mut self, now: i64) -> crate::login::LoginSuccess {
        let app = self.app.clone();
        let org = self.org.clone();
        let req = PasswordLogin {
            organization_id: &org,
            application: Some(&app),
            login_id: "ann@example.com",
            password: "correct horse",
            client: ClientInfo::default(),
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
        block_on(password_login(&self.store, req, &Off, env)).unwrap()
    }

    fn sign_in(&mut self, now: i64) -> Session {
        self.password_sign_in(now).session
    }

    fn check(
        &self,
        q: &[(&str, &str)],
    ) -> Result<(Application, authorize::AuthorizationRequest), Refusal> {
        block_on(authorize::check(&self.store, &pairs(q), ISS))
    }

    /// The redirect with a code for `q`, signed in on `session`.
    fn code_for(
        &mut self,
        q: &[(&str, &str)],
        session: &Session,
        now: i64,
    ) -> Result<String, Error> {
        let (app, req) = self.check(q).unwrap();
        block_on(authorize::grant(
            &self.store,
            &app,
            &req,
            &session.id,
            ISS,
            now,
            &mut self.rng,
        ))
    }

    fn token(
        &mut self,
        form: &[(&str, &str)],
        basic: Option<&str>,
        now: i64,
    ) -> Result<OAuthTokens, Error> {
        let p = pairs(form);
        let env = LoginEnv {
            keys: &self.keys,
            issuer: ISS,
            params: FAST,
            now,
            rng: &mut self.rng,
        };
        block_on(token::token(&self.store, &p, basic, env))
    }

    fn request(&self, extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
        let mut q: Vec<(&str, String)> = vec![
            ("client_id", self.app.client_id.clone()),
            ("redirect_uri", CB.into()),
            ("response_type", "code".into()),
            ("scope", "openid email profile offline_access".into()),
            ("state", "st-1".into()),
            ("nonce", "n-1".into()),
            ("code_challenge", CHALLENGE.into()),
            ("code_challenge_method", "S256".into()),
        ];
        for (k, v) in extra {
            q.retain(|(n, _)| n != k);
            if !v.is_empty() {
                q.push((k, (*v).to_owned()));
            }
        }
        q
    }
}

fn borrowed<'a>(q: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    q.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Signs in, gets a code for the default request and exchanges it.
fn full_flow(w: &mut World) -> (Session, OAuthTokens) {
    let session = w.sign_in(NOW);
    let q = w.request(&[]);
    let redirect = w.code_for(&borrowed(&q), &session, NOW).unwrap();
    let code = param(&redirect, "code").unwrap();
    let cid = w.app.client_id.clone();
    let tokens = w
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CB),
                ("client_id", &cid),
                ("code_verifier", VERIFIER),
            ],
            None,
            NOW + 1000,
        )
        .unwrap();
    (session, tokens)
}

#[test]
fn test_oauth_discovery_names_standard_endpoints_and_no_password_grant() {
    let d = discovery(ISS);
    assert_eq!(d["issuer"], ISS);
    assert_eq!(
        d["authorization_endpoint"],
        format!("{ISS}/oauth2/authorize")
    );
    assert_eq!(d["token_endpoint"], format!("{ISS}/oauth2/token"));
    assert_eq!(d["userinfo_endpoint"], format!("{ISS}/oauth2/userinfo"));
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let grants = d["grant_types_supported"].as_array().unwrap();
    assert!(!grants.iter().any(|g| g == "password"));
    assert!(grants.iter().any(|g| g == "authorization_code"));
}

#[test]
fn test_oauth_unknown_client_or_redirect_is_shown_never_redirected() {
    let w = World::new();
    let cid = w.app.client_id.clone();
    for (q, why) in [
        (
            vec![("client_id", "nope"), ("redirect_uri", CB)],
            "unknown client",
        ),
        (
            vec![
                ("client_id", cid.as_str()),
                ("redirect_uri", "https://rp.example/callback/"),
            ],
            "trailing slash",
        ),
        (
            vec![
                ("client_id", cid.as_str()),
                ("redirect_uri", "https://rp.example/callback?x=1"),
            ],
            "extra query",
        ),
        (
            vec![
                ("client_id", cid.as_str()),
                ("redirect_uri", "https://evil.example/callback"),
            ],
            "other host",
        ),
        (vec![("client_id", cid.as_str())], "no redirect_uri"),
        (
            vec![
                ("client_id", cid.as_str()),
                ("client_id", cid.as_str()),
                ("redirect_uri", CB),
            ],
            "repeated",
        ),
    ] {
        match w.check(&q) {
            Err(Refusal::Shown(e)) => assert_eq!(error_of(&e), "invalid_request", "{why}"),
            other => panic!("{why}: {other:?}"),
        }
    }
}

#[test]
fn test_oauth_bad_requests_go_back_to_the_client_with_state_and_iss() {
    let w = World::new();
    for (extra, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("response_type", "")], "invalid_request"),
        (vec![("scope", "openid admin")], "invalid_scope"),
        (vec![("scope", "")], "invalid_scope"),
        // A public client must use PKCE, with S256 only.
        (
            vec![("code_challenge", ""), ("code_challenge_method", "")],
            "invalid_request",
        ),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("max_age", "-1")], "invalid_request"),
        (vec![("request", "eyJ")], "request_not_supported"),
    ] {
        let q = w.request(&extra);
        match w.check(&borrowed(&q)) {
            Err(Refusal::Redirect(url)) => {
                assert!(url.starts_with(&format!("{CB}?")), "{url}");
                assert_eq!(param(&url, "error").as_deref(), Some(error), "{extra:?}");
                assert_eq!(param(&url, "state").as_deref(), Some("st-1"));
                assert_eq!(param(&url, "iss").as_deref(), Some(ISS));
            }
            other => panic!("{extra:?}: {other:?}"),
        }
    }
    let q = w.request(&[("prompt", "login"), ("max_age", "60")]);
    let (_, req) = w.check(&borrowed(&q)).unwrap();
    assert_eq!((req.prompt, req.max_age), (Prompt::Login, Some(60)));
}

#[test]
fn test_oauth_code_flow_issues_an_id_token_that_standard_claims_describe() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(t.scope, "openid email profile offline_access");
    assert!(t.refresh_token.as_deref().unwrap().starts_with("lko_"));
    let id = payload(t.id_token.as_deref().unwrap());
    assert_eq!(id["iss"], ISS);
    assert_eq!(id["aud"], w.app.client_id.as_str());
    assert_eq!(id["azp"], w.app.client_id.as_str());
    assert_eq!(id["sub"], session.user_id.as_str());
    // The client's own session, begun from the hosted page's.
    let own = block_on(w.store.get_session(&w.org, &sid(&t)))
        .unwrap()
        .unwrap();
    assert_ne!(own.id, session.id);
    assert_eq!(own.parent_id.as_deref(), Some(session.id.as_str()));
    assert_eq!(
        own.created_at, session.created_at,
        "it began with that sign-in"
    );
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["auth_time"], NOW / 1000);
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert_eq!(id["acr"], ACR_ONE_FACTOR);
    assert_eq!(id["at_hash"], at_hash(&t.access_token).as_str());
    assert_eq!(id["email"], "ann@example.com");
    assert_eq!(id["name"], "Ann Example");
    assert_eq!(id["preferred_username"], "ann");
    assert!(id["exp"].as_i64().unwrap() > id["iat"].as_i64().unwrap());
    // Signed by the ring, and never taken for an access token.
    assert!(w
        .keys
        .verify(t.id_token.as_deref().unwrap(), ISS, None, NOW + 2000)
        .is_err());
    let access = w
        .keys
        .verify(&t.access_token, ISS, Some(&w.app.client_id), NOW + 2000)
        .unwrap();
    assert_eq!(
        access.claims.scope.as_deref(),
        Some("openid email profile offline_access")
    );
    // The client's session keeps its grant; the hosted page's has none.
    let hosted = block_on(w.store.get_session(&w.org, &session.id))
        .unwrap()
        .unwrap();
    assert_eq!(hosted.scope, None);
    let stored = block_on(w.store.get_session(&w.org, &sid(&t)))
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.scope.as_deref(),
        Some("openid email profile offline_access")
    );
}

#[test]
fn test_oauth_scopes_limit_the_claims_and_the_refresh_token() {
    let mut w = World::new();
    let session = w.sign_in(NOW);
    let q = w.request(&[("scope", "openid")]);
    let redirect = w.code_for(&borrowed(&q), &session, NOW).unwrap();
    let code = param(&redirect, "code").unwrap();
    let cid = w.app.client_id.clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("client_id", cid.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let t = w.token(&form, None, NOW).unwrap();
    assert_eq!(t.refresh_token, None, "no offline_access, no refresh token");
    let id = payload(t.id_token.as_deref().unwrap());
    assert!(
        id.get("email").is_none() && id.get("name").is_none(),
        "{id}"
    );
    let info = block_on(token::userinfo(
        &w.store,
        &w.keys,
        &P256Check,
        ISS,
        Some(&format!("Bearer {}", t.access_token)),
        NOW,
    ))
    .unwrap();
    assert_eq!(
        (info.sub.as_str(), info.email),
        (session.user_id.as_str(), None)
    );
}

#[test]
fn test_oauth_a_code_works_once_and_only_with_its_bindings() {
    let mut w = World::new();
    let session = w.sign_in(NOW);
    let cid = w.app.client_id.clone();
    let q = w.request(&[]);
    // Each of these is refused, and spends the code it was tried with.
    for (redirect, verifier, client) in [
        ("https://rp.example/other", VERIFIER, cid.as_str()),
        (
            CB,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX",
            cid.as_str(),
        ),
        (CB, "", cid.as_str()),
    ] {
        let code = param(&w.code_for(&borrowed(&q), &session, NOW).unwrap(), "code").unwrap();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("client_id", client),
        ];
        if !verifier.is_empty() {
            form.push(("code_verifier", verifier));
        }
        assert_eq!(
            error_of(&w.token(&form, None, NOW).unwrap_err()),
            "invalid_grant",
            "{redirect} {verifier}"
        );
        form.retain(|(k, _)| *k != "code_verifier" && *k != "redirect_uri");
        form.extend([("redirect_uri", CB), ("code_verifier", VERIFIER)]);
        assert_eq!(
            error_of(&w.token(&form, None, NOW).unwrap_err()),
            "invalid_grant",
            "spent"
        );
    }
    // The right exchange works once; a minute later a fresh code is expired.
    let code = param(&w.code_for(&borrowed(&q), &session, NOW).unwrap(), "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("client_id", cid.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let first = w.token(&form, None, NOW).unwrap();
    let live = |w: &World| {
        block_on(w.store.get_session(&w.org, &sid(&first)))
            .unwrap()
            .unwrap()
            .is_active(NOW)
    };
    assert!(live(&w));
    // Presented again, it is refused, and the tokens it gave stop working.
    assert_eq!(
        error_of(&w.token(&form, None, NOW).unwrap_err()),
        "invalid_grant"
    );
    assert!(!live(&w), "a replayed code revokes what it issued");
    assert!(block_on(w.store.get_session(&w.org, &session.id))
        .unwrap()
        .unwrap()
        .is_active(NOW));
    let late = param(&w.code_for(&borrowed(&q), &session, NOW).unwrap(), "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", late.as_str()),
        ("redirect_uri", CB),
        ("client_id", cid.as_str()),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(
        error_of(&w.token(&form, None, NOW + 60_001).unwrap_err()),
        "invalid_grant"
    );
}

#[test]
fn test_oauth_another_clients_code_or_session_is_refused() {
    let mut w = World::new();
    let session = w.sign_in(NOW);
    // A second application of another organization, with the same redirect URI.
    let other = CreateApplication {
        name: "other".into(),
        redirect_uris: vec![CB.into()],
        ..Default::default()
    };
    let (_, other) = org_and_app(&w.store, &mut w.rng, "B", other);
    let q = w.request(&[]);
    let code = param(&w.code_for(&borrowed(&q), &session, NOW).unwrap(), "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("client_id", other.client_id.as_str()),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(
        error_of(&w.token(&form, None, NOW).unwrap_err()),
        "invalid_grant"
    );
    // The other application's authorization request cannot use this application's session.
    let mut q2 = w.request(&[]);
    q2[0].1 = other.client_id.clone();
    let (app, req) = w.check(&borrowed(&q2)).unwrap();
    let refused = block_on(authorize::grant(
        &w.store,
        &app,
        &req,
        &session.id,
        ISS,
        NOW,
        &mut w.rng,
    ));
    assert_eq!(refused, Err(Error::Unauthorized));
}

#[test]
fn test_oauth_old_sessions_need_a_new_sign_in_for_max_age_and_prompt_login() {
    let mut w = World::new();
    let session = w.sign_in(NOW);
    let q = w.request(&[("max_age", "300")]);
    // With the leeway for the time between sign-in and the page's request.
    assert!(w.code_for(&borrowed(&q), &session, NOW + 330_000).is_ok());
    let e = w
        .code_for(&borrowed(&q), &session, NOW + 330_001)
        .unwrap_err();
    assert_eq!(error_of(&e), "login_required");
    let q = w.request(&[("prompt", "login")]);
    assert!(w.code_for(&borrowed(&q), &session, NOW + 60_000).is_ok());
    let e = w
        .code_for(&borrowed(&q), &session, NOW + 11 * 60_000)
        .unwrap_err();
    assert_eq!(error_of(&e), "login_required");
    // A revoked session gets no code.
    block_on(w.store.revoke_session(&w.org, &session.id, NOW)).unwrap();
    let q = w.request(&[]);
    assert_eq!(
        w.code_for(&borrowed(&q), &session, NOW + 1),
        Err(Error::Unauthorized)
    );
}

#[test]
fn test_oauth_confidential_clients_authenticate_by_basic_or_post() {
    let mut w = World::new();
    let secret = block_on(new_client_secret(
        &w.store, &w.org, &w.app.id, NOW, &mut w.rng,
    ))
    .unwrap();
    assert!(secret.client_secret.starts_with("lks_"));
    w.app = block_on(w.store.get_app(&w.org, &w.app.id))
        .unwrap()
        .unwrap();
    assert_ne!(
        w.app.client_secret_hash.as_deref(),
        Some(secret.client_secret.as_str()),
        "stored hashed"
    );
    let session = w.sign_in(NOW);
    // A confidential client may leave PKCE out.
    let q = w.request(&[("code_challenge", ""), ("code_challenge_method", "")]);
    let cid = w.app.client_id.clone();
    let basic = |id: &str, s: &str| {
        format!(
            "Basic {}",
            base64ct::Base64::encode_string(format!("{id}:{s}").as_bytes())
        )
    };
    // (form fields, Authorization header, outcome)
    type Attempt<'a> = (Vec<(&'a str, String)>, Option<String>, Result<(), &'a str>);
    let attempts: Vec<Attempt> = vec![
        (
            vec![("client_id", cid.clone())],
            None,
            Err("invalid_client"),
        ),
        (
            vec![
                ("client_id", cid.clone()),
                ("client_secret", "lks_wrong".into()),
            ],
            None,
            Err("invalid_client"),
        ),
        (
            vec![],
            Some(basic(&cid, "lks_wrong")),
            Err("invalid_client"),
        ),
        (vec![], Some(basic(&cid, &secret.client_secret)), Ok(())),
        (
            vec![
                ("client_id", cid.clone()),
                ("client_secret", secret.client_secret.clone()),
            ],
            None,
            Ok(()),
        ),
        (
            vec![("client_secret", secret.client_secret.clone())],
            Some(basic(&cid, &secret.client_secret)),
            Err("invalid_client"),
        ),
    ];
    for (auth, header, expect) in attempts {
        let code = param(&w.code_for(&borrowed(&q), &session, NOW).unwrap(), "code").unwrap();
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
        ];
        form.extend(auth.iter().map(|(k, v)| (*k, v.as_str())));
        let got = w
            .token(&form, header.as_deref(), NOW)
            .map(|_| ())
            .map_err(|e| error_of(&e));
        assert_eq!(got, expect, "{auth:?} {header:?}");
    }
    // A public client presenting a secret is refused too.
    let mut p = World::new();
    let pcid = p.app.client_id.clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", "x"),
        ("redirect_uri", CB),
        ("client_id", pcid.as_str()),
        ("client_secret", "lks_x"),
    ];
    assert_eq!(
        error_of(&p.token(&form, None, NOW).unwrap_err()),
        "invalid_client"
    );
}

#[test]
fn test_oauth_refresh_rotates_narrows_and_stays_on_its_own_endpoint() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let cid = w.app.client_id.clone();
    let first = t.refresh_token.clone().unwrap();
    // The native refresh route does not take the provider's tokens.
    let env = LoginEnv {
        keys: &w.keys,
        issuer: ISS,
        params: FAST,
        now: NOW,
        rng: &mut w.rng,
    };
    let native = block_on(refresh_checked(&w.store, &first, None, |_, _| Ok(()), env));
    assert!(matches!(native, Err(Error::InvalidRefreshToken)));
    // Widening is refused, before the token is spent.
    let wide = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first.as_str()),
        ("client_id", cid.as_str()),
        ("scope", "openid email profile offline_access phone"),
    ];
    assert_eq!(
        error_of(&w.token(&wide, None, NOW).unwrap_err()),
        "invalid_scope"
    );
    let narrow = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first.as_str()),
        ("client_id", cid.as_str()),
        ("scope", "openid"),
    ];
    let t2 = w.token(&narrow, None, NOW + 1000).unwrap();
    assert_eq!(t2.scope, "openid");
    let second = t2.refresh_token.unwrap();
    assert!(second.starts_with("lko_") && second != first);
    let id = payload(t2.id_token.as_deref().unwrap());
    assert_eq!(
        (id["sid"].as_str(), id.get("nonce")),
        (Some(sid(&t).as_str()), None)
    );
    assert_ne!(sid(&t), session.id);
    // A native refresh token is not this endpoint's.
    let native_token = "lkr_0000000000000000000000000000000000000000000000000000000000000000";
    let f = [
        ("grant_type", "refresh_token"),
        ("refresh_token", native_token),
        ("client_id", cid.as_str()),
    ];
    assert_eq!(
        error_of(&w.token(&f, None, NOW).unwrap_err()),
        "invalid_grant"
    );
    // Replaying the spent token revokes the session: the new one stops working too.
    let replay = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first.as_str()),
        ("client_id", cid.as_str()),
    ];
    assert_eq!(
        error_of(&w.token(&replay, None, NOW + 2000).unwrap_err()),
        "invalid_grant"
    );
    let after = [
        ("grant_type", "refresh_token"),
        ("refresh_token", second.as_str()),
        ("client_id", cid.as_str()),
    ];
    assert_eq!(
        error_of(&w.token(&after, None, NOW + 3000).unwrap_err()),
        "invalid_grant"
    );
    let info = block_on(token::userinfo(
        &w.store,
        &w.keys,
        &P256Check,
        ISS,
        Some(&format!("Bearer {}", t.access_token)),
        NOW + 3000,
    ));
    assert_eq!(
        info.map_err(|e| error_of(&e)),
        Err("invalid_token"),
        "the session is over"
    );
}

#[test]
fn test_oauth_userinfo_needs_an_openid_token_of_a_live_session() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let bearer = format!("Bearer {}", t.access_token);
    let info = block_on(token::userinfo(
        &w.store,
        &w.keys,
        &P256Check,
        ISS,
        Some(&bearer),
        NOW,
    ))
    .unwrap();
    assert_eq!(info.email.as_deref(), Some("ann@example.com"));
    assert_eq!(info.email_verified, Some(false));
    let e = |h: Option<&str>| {
        block_on(token::userinfo(&w.store, &w.keys, &P256Check, ISS, h, NOW))
            .map_err(|e| error_of(&e))
    };
    // No bearer credentials at all: a bare challenge, no error code (RFC 6750 §3.1).
    assert_eq!(e(None).unwrap_err(), "UNAUTHORIZED");
    assert_eq!(e(Some("Basic abc")).unwrap_err(), "UNAUTHORIZED");
    assert_eq!(
        e(Some(&format!("Bearer {}", t.id_token.clone().unwrap()))).unwrap_err(),
        "invalid_token"
    );
    // A native access token (no scope) is not enough.
    let mut other = World::new();
    let native = other.password_sign_in(NOW).tokens.unwrap().access_token;
    let got = block_on(token::userinfo(
        &other.store,
        &other.keys,
        &P256Check,
        ISS,
        Some(&format!("Bearer {native}")),
        NOW,
    ));
    assert_eq!(got.map_err(|e| error_of(&e)), Err("insufficient_scope"));
    // The hosted page signed out: the client's session is its own and goes on.
    block_on(w.store.revoke_session(&w.org, &session.id, NOW)).unwrap();
    assert!(e(Some(&bearer)).is_ok());
    // The client's session over: the access token is refused at once, though unexpired.
    block_on(w.store.revoke_session(&w.org, &sid(&t), NOW)).unwrap();
    assert_eq!(e(Some(&bearer)).unwrap_err(), "invalid_token");
}

/// `app` made confidential; answers its secret and the Basic header that carries it.
fn confidential(w: &mut World) -> (String, String) {
    let made = block_on(new_client_secret(
        &w.store, &w.org, &w.app.id, NOW, &mut w.rng,
    ))
    .unwrap();
    w.app = block_on(w.store.get_app(&w.org, &w.app.id))
        .unwrap()
        .unwrap();
    let basic = format!(
        "Basic {}",
        base64ct::Base64::encode_string(
            format!("{}:{}", w.app.client_id, made.client_secret).as_bytes()
        )
    );
    (made.client_secret, basic)
}

/// A confidential client of another organization, in the same store; answers its Basic
/// header.
fn second_confidential_client(w: &mut World) -> (String, String) {
    let input = CreateApplication {
        name: "other".into(),
        ..Default::default()
    };
    let (org, other) = org_and_app(&w.store, &mut w.rng, "B", input);
    let made = block_on(new_client_secret(
        &w.store, &org, &other.id, NOW, &mut w.rng,
    ))
    .unwrap();
    let basic = format!(
        "Basic {}",
        base64ct::Base64::encode_string(
            format!("{}:{}", other.client_id, made.client_secret).as_bytes()
        )
    );
    (other.client_id, basic)
}

#[test]
fn test_oauth_client_credentials_are_for_confidential_clients_and_never_a_users_token() {
    let mut w = World::new();
    let cid = w.app.client_id.clone();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cid.as_str()),
    ];
    assert_eq!(
        error_of(&w.token(&form, None, NOW).unwrap_err()),
        "unauthorized_client"
    );
    let (_, basic) = confidential(&mut w);
    let t = w
        .token(&[("grant_type", "client_credentials")], Some(&basic), NOW)
        .unwrap();
    assert_eq!(
        (t.refresh_token, t.id_token, t.scope.as_str()),
        (None, None, "")
    );
    assert_eq!(payload(&t.access_token)["sub"], cid.as_str());
    // Not a user's access token anywhere.
    assert!(w
        .keys
        .verify(&t.access_token, ISS, Some(&cid), NOW)
        .is_err());
    let info = block_on(token::userinfo(
        &w.store,
        &w.keys,
        &P256Check,
        ISS,
        Some(&format!("Bearer {}", t.access_token)),
        NOW,
    ));
    assert_eq!(info.map_err(|e| error_of(&e)), Err("invalid_token"));
    let scoped = [("grant_type", "client_credentials"), ("scope", "openid")];
    assert_eq!(
        error_of(&w.token(&scoped, Some(&basic), NOW).unwrap_err()),
        "invalid_scope"
    );
}

#[test]
fn test_oauth_introspection_answers_a_client_about_its_own_live_tokens_only() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let (_, basic) = confidential(&mut w);
    let ask = |w: &World, token: &str, auth: Option<&str>, now: i64| {
        let p = pairs(&[("token", token)]);
        block_on(lifecycle::introspect(
            &w.store, &w.keys, &P256Check, ISS, &p, auth, now,
        ))
    };
    let live = ask(&w, &t.access_token, Some(&basic), NOW).unwrap();
    assert_eq!(live["active"], true);
    assert_eq!(live["sub"], session.user_id.as_str());
    assert_eq!(live["scope"], "openid email profile offline_access");
    assert_eq!(live["client_id"], w.app.client_id.as_str());
    let cc = w
        .token(&[("grant_type", "client_credentials")], Some(&basic), NOW)
        .unwrap();
    assert_eq!(
        ask(&w, &cc.access_token, Some(&basic), NOW).unwrap()["active"],
        true
    );
    // Not a token of ours, an ID token, and a refresh token: inactive, nothing more.
    for junk in [
        "nope",
        t.id_token.as_deref().unwrap(),
        t.refresh_token.as_deref().unwrap(),
    ] {
        let v = ask(&w, junk, Some(&basic), NOW).unwrap();
        assert_eq!(v, serde_json::json!({ "active": false }), "{junk}");
    }
    let missing = ask(&w, "", Some(&basic), NOW).map_err(|e| error_of(&e));
    assert_eq!(missing, Err("invalid_request"));
    // Without the secret: refused. Another client: inactive, nothing more.
    let cid = w.app.client_id.clone();
    let p = pairs(&[("token", &t.access_token), ("client_id", &cid)]);
    let refused = block_on(lifecycle::introspect(
        &w.store, &w.keys, &P256Check, ISS, &p, None, NOW,
    ));
    assert_eq!(refused.map_err(|e| error_of(&e)), Err("invalid_client"));
    let (_, other_basic) = second_confidential_client(&mut w);
    let theirs = ask(&w, &t.access_token, Some(&other_basic), NOW).unwrap();
    assert_eq!(theirs, serde_json::json!({ "active": false }));
    // Revoked or expired: inactive.
    let _ = session;
    block_on(w.store.revoke_session(&w.org, &sid(&t), NOW)).unwrap();
    assert_eq!(
        ask(&w, &t.access_token, Some(&basic), NOW).unwrap()["active"],
        false
    );
    assert_eq!(
        ask(&w, &cc.access_token, Some(&basic), NOW + 3_600_000).unwrap()["active"],
        false
    );
}

#[test]
fn test_oauth_revocation_ends_the_session_of_the_clients_token_and_says_nothing_else() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let cid = w.app.client_id.clone();
    let revoke = |w: &World, token: &str, cid: &str| {
        let p = pairs(&[("token", token), ("client_id", cid)]);
        block_on(lifecycle::revoke(
            &w.store, &w.keys, &P256Check, ISS, &p, None, NOW,
        ))
    };
    // Another client's revocation of this token changes nothing.
    let other = CreateApplication {
        name: "other".into(),
        ..Default::default()
    };
    let (_, other) = org_and_app(&w.store, &mut w.rng, "B", other);
    assert!(revoke(&w, t.refresh_token.as_deref().unwrap(), &other.client_id).is_ok());
    assert!(revoke(&w, &t.access_token, &other.client_id).is_ok());
    assert!(revoke(&w, "unknown-token", &cid).is_ok());
    let active = |w: &World, id: &str| {
        block_on(w.store.get_session(&w.org, id))
            .unwrap()
            .unwrap()
            .is_active(NOW)
    };
    assert!(active(&w, &sid(&t)));
    assert!(revoke(&w, t.refresh_token.as_deref().unwrap(), &cid).is_ok());
    assert!(!active(&w, &sid(&t)));
    // The hosted page's session is the user's, not the client's: it stays.
    assert!(active(&w, &session.id));
    // And by access token, for a second sign-in.
    let (_, t2) = full_flow(&mut w);
    assert!(revoke(&w, &t2.access_token, &cid).is_ok());
    assert!(!active(&w, &sid(&t2)));
}

#[test]
fn test_oauth_logout_needs_an_id_token_and_returns_only_to_a_registered_uri() {
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let id = t.id_token.clone().unwrap();
    let end = |w: &World, q: &[(&str, &str)], now: i64| {
        block_on(lifecycle::end_session(
            &w.store,
            &w.keys,
            &P256Check,
            ISS,
            &pairs(q),
            now,
        ))
        .map_err(|e| error_of(&e))
    };
    assert_eq!(end(&w, &[], NOW), Err("invalid_request"));
    // An access token is not an ID token.
    assert_eq!(
        end(&w, &[("id_token_hint", &t.access_token)], NOW),
        Err("invalid_request")
    );
    assert_eq!(
        end(
            &w,
            &[
                ("id_token_hint", &id),
                ("post_logout_redirect_uri", "https://evil.example/")
            ],
            NOW
        ),
        Err("invalid_request")
    );
    let active = |w: &World| {
        block_on(w.store.get_session(&w.org, &session.id))
            .unwrap()
            .unwrap()
            .is_active(NOW)
    };
    assert!(active(&w), "refused logouts end nothing");
    // Hours later, with the ID token expired, the logout still works.
    let to = end(
        &w,
        &[
            ("id_token_hint", &id),
            ("post_logout_redirect_uri", CB),
            ("state", "bye"),
        ],
        NOW + 7_200_000,
    );
    assert_eq!(to, Ok(Some(format!("{CB}?state=bye"))));
    assert!(!active(&w));
}

#[test]
fn test_oauth_a_clients_tokens_never_act_on_latchkeys_own_routes() {
    use crate::http::caller::{authenticate, Authn};
    let mut w = World::new();
    let (session, t) = full_flow(&mut w);
    let cfg = Authn {
        platform_key: None,
        keys: Some(&w.keys),
        issuer: ISS,
        now: NOW,
        want_grants: false,
    };
    // The client's access token is refused by the native routes' authentication...
    let bearer = format!("Bearer {}", t.access_token);
    assert_eq!(
        block_on(authenticate(
            &w.store,
            &bearer,
            cfg,
            &crate::sessions::jwt::P256Check
        ))
        .map(|_| ()),
        Err(Error::Unauthorized)
    );
    // ...so it cannot ask the hosted page's route for more codes either, and its refresh
    // token does not work on the native logout.
    let lko = t.refresh_token.clone().unwrap();
    block_on(crate::sessions::logout_by_refresh_token(
        &w.store, &lko, true, NOW,
    ))
    .unwrap();
    for id in [sid(&t), session.id.clone()] {
        let s = block_on(w.store.get_session(&w.org, &id)).unwrap().unwrap();
        assert!(s.is_active(NOW), "{id}");
    }
}

#[test]
fn test_oauth_a_confidential_client_without_pkce_needs_a_nonce() {
    let mut w = World::new();
    confidential(&mut w);
    let q = w.request(&[
        ("code_challenge", ""),
        ("code_challenge_method", ""),
        ("nonce", ""),
    ]);
    match w.check(&borrowed(&q)) {
        Err(Refusal::Redirect(url)) => {
            assert_eq!(param(&url, "error").as_deref(), Some("invalid_request"))
        }
        other => panic!("{other:?}"),
    }
    let q = w.request(&[("code_challenge", ""), ("code_challenge_method", "")]);
    assert!(w.check(&borrowed(&q)).is_ok());
}
