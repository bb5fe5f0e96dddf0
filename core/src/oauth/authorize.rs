//! The authorization request (OpenID Connect Core §3.1.2.1) and its code.
//!
//! [`check`] runs twice: when the browser opens the authorization endpoint (which then
//! serves the hosted login page) and when that page, its user signed in, asks for the code
//! ([`grant`]). Until the client and its exact redirect URI are known, a refusal is shown
//! on the page ([`Refusal::Shown`]): nothing may be sent to an unchecked address. After,
//! it goes back to the client ([`Refusal::Redirect`]) with `error`, `state` and `iss`.

use serde::{Deserialize, Serialize};

use super::{Params, Scopes};
use crate::model::{Application, OneTimeCode, Session};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{AppStore, CodeStore, SessionStore};
use crate::validate::percent_encode;
use crate::Error;

/// The one-time code purpose of OpenID Connect authorization codes.
pub const OIDC_CODE: &str = "oidc_code";
/// Codes live one minute (RFC 6749 §4.1.2 recommends at most ten).
pub const CODE_TTL_MS: i64 = 60_000;
/// What a redeemed code leaves behind for ten minutes: the session its tokens belong to, so
/// that the code presented again revokes them (RFC 6749 §4.1.2).
pub const OIDC_CODE_SPENT: &str = "oidc_code_spent";
pub const SPENT_TTL_MS: i64 = 10 * 60_000;
/// `prompt=login`: the session must have begun this recently (the page signs the user out
/// first, so a fresh sign-in always passes).
pub const PROMPT_LOGIN_WINDOW_MS: i64 = 10 * 60_000;
/// What `max_age` allows beyond itself: the time from the sign-in to the page's request
/// for the code (so `max_age=0`, a sign-in now, can be met).
pub const MAX_AGE_LEEWAY_MS: i64 = 30_000;
/// The longest `state` and `nonce` accepted.
const MAX_OPAQUE: usize = 1024;

/// What the user is asked (`prompt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Sign in if there is no session, else continue with it.
    Default,
    /// Never show anything: the session the browser has, or `login_required`.
    None,
    /// Always sign in again.
    Login,
}

/// A checked authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    /// Seconds: the session must have begun at most this long ago.
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
}

/// Why a request is refused, and where that is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// On the page: the client or its redirect URI is unknown or unchecked.
    Shown(Error),
    /// At the client's redirect URI, with `error`, `error_description`, `state` and `iss`.
    Redirect(String),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Shown(e)
    }
}

/// The data a code is stored with.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CodeData {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub session_id: String,
    pub scope: String,
    pub nonce: Option<String>,
}

/// `redirect_uri` with the pairs appended to its query.
pub(super) fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = redirect_uri.to_owned();
    let mut sep = if out.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&percent_encode(v));
        sep = '&';
    }
    out
}

/// The redirect that tells the client `error` (RFC 6749 §4.1.2.1, RFC 9207's `iss`).
pub fn error_redirect(
    req_redirect_uri: &str,
    state: Option<&str>,
    issuer: &str,
    error: &Error,
) -> String {
    let code = error.code();
    let description = error.public_message();
    let mut pairs = vec![("error", code), ("error_description", description.as_str())];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", issuer));
    with_query(req_redirect_uri, &pairs)
}

fn invalid_request(why: impl Into<String>) -> Error {
    Error::oauth("invalid_request", why)
}

/// Checks an authorization request's parameters against its client.
pub async fn check(
    store: &impl AppStore,
    pairs: &[(String, String)],
    issuer: &str,
) -> Result<(Application, AuthorizationRequest), Refusal> {
    let p = Params::new(pairs)?;
    let client_id = p.require("client_id")?;
    let app = store
        .get_app_by_client_id(client_id)
        .await?
        .filter(|a| !a.admin_api)
        .ok_or_else(|| invalid_request(format!("unknown client_id {client_id:?}")))?;
    let redirect_uri = p.require("redirect_uri")?;
    // Exact, character for character (OAuth 2.1 §2.3.1): no prefix, no normalisation.
    if !app.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(Refusal::Shown(invalid_request(
            "redirect_uri is not one of the application's redirect URIs",
        )));
    }
    let state = p.get("state");
    let refuse = |e: Error| Refusal::Redirect(error_redirect(redirect_uri, state, issuer, &e));
    let req = parse(&p, &app).map_err(refuse)?;
    Ok((
        app,
        AuthorizationRequest {
            redirect_uri: redirect_uri.to_owned(),
            ..req
        },
    ))
}

/// The rest of the request, once the client and the redirect URI are trusted.
fn parse(p: &Params, app: &Application) -> Result<AuthorizationRequest, Error> {
    match p.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return Err(Error::oauth(
                "unsupported_response_type",
                format!("response_type {other:?} is not supported; use code"),
            ))
        }
        None => return Err(invalid_request("response_type is required")),
    }
    if let Some(mode) = p.get("response_mode").filter(|m| *m != "query") {
        return Err(invalid_request(format!(
            "response_mode {mode:?} is not supported; use query"
        )));
    }
    for unsupported in ["request", "request_uri"] {
        if p.get(unsupported).is_some() {
            return Err(Error::oauth(
                if unsupported == "request" {
                    "request_not_supported"
                } else {
                    "request_uri_not_supported"
                },
                format!("the {unsupported} parameter is not supported"),
            ));
        }
    }
    let scope = Scopes::parse(p.get("scope").unwrap_or(""))?;
    if scope.is_empty() {
        return Err(Error::oauth(
            "invalid_scope",
            "scope is required (openid, at least)",
        ));
    }
    let code_challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (Some(c), Some("S256")) if is_challenge(c) => Some(c.to_owned()),
        (Some(_), Some("S256")) => {
            return Err(invalid_request(
                "code_challenge must be the base64url SHA-256 of the verifier",
            ))
        }
        (Some(_), _) => return Err(invalid_request("code_challenge_method must be S256")),
        (None, Some(_)) => {
            return Err(invalid_request(
                "code_challenge_method without code_challenge",
            ))
        }
        (None, None) if app.client_secret_hash.is_none() => {
            return Err(invalid_request(
                "a public client must use PKCE (code_challenge, S256)",
            ))
        }
        // A confidential client without PKCE needs a nonce, which binds the code's ID token
        // to its own request (OAuth 2.1 §7.5.1).
        (None, None) if p.get("nonce").is_none() => {
            return Err(invalid_request(
                "use PKCE (code_challenge, S256), or at least a nonce",
            ))
        }
        (None, None) => None,
    };
    let prompts: Vec<&str> = p
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return Err(invalid_request(
            "prompt=none cannot be combined with another value",
        ));
    }
    if let Some(v) = prompts
        .iter()
        .find(|v| !["none", "login", "consent", "select_account"].contains(v))
    {
        return Err(invalid_request(format!("prompt {v:?} is not supported")));
    }
    let prompt = if prompts.contains(&"none") {
        Prompt::None
    } else if prompts.contains(&"login") {
        Prompt::Login
    } else {
        Prompt::Default
    };
    let max_age = match p.get("max_age") {
        Some(m) => Some(
            m.parse::<u32>()
                .map(i64::from)
                .map_err(|_| invalid_request("max_age must be a whole number of seconds"))?,
        ),
        None => None,
    };
    let opaque = |name: &str| match p.get(name) {
        Some(v) if v.len() > MAX_OPAQUE => Err(invalid_request(format!("{name} is too long"))),
        v => Ok(v.map(str::to_owned)),
    };
    Ok(AuthorizationRequest {
        client_id: app.client_id.clone(),
        // Set by `check`, which trusts it.
        redirect_uri: String::new(),
        scope,
        state: opaque("state")?,
        nonce: opaque("nonce")?,
        code_challenge,
        prompt,
        max_age,
        login_hint: p
            .get("login_hint")
            .filter(|h| h.len() <= 320)
            .map(str::to_owned),
    })
}

/// RFC 7636 §4.2: S256 challenges are 43 characters of base64url (32 bytes).
fn is_challenge(c: &str) -> bool {
    use base64ct::{Base64UrlUnpadded, Encoding};
    c.len() == 43 && Base64UrlUnpadded::decode_vec(c).is_ok_and(|d| d.len() == 32)
}

/// The code for a request whose user is signed in on the session `session_id` (the hosted
/// page's, which must be this application's and active): stored hashed, single-use, one minute. Answers the redirect to the client.
/// A session too old for `max_age` or `prompt=login` is `login_required`, said on the page
/// (which signs out and asks again), not at the client.
pub async fn grant(
    store: &(impl CodeStore + SessionStore),
    app: &Application,
    req: &AuthorizationRequest,
    session_id: &str,
    issuer: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<String, Error> {
    let session: Session = store
        .get_session(&app.organization_id, session_id)
        .await?
        .filter(|s| s.application_id.as_deref() == Some(app.id.as_str()) && s.is_active(now))
        .ok_or(Error::Unauthorized)?;
    let age = now - session.created_at;
    let too_old = req
        .max_age
        .is_some_and(|m| age > m * 1000 + MAX_AGE_LEEWAY_MS)
        || (req.prompt == Prompt::Login && age > PROMPT_LOGIN_WINDOW_MS);
    if too_old {
        return Err(Error::oauth(
            "login_required",
            "this request asks for a recent sign-in: sign in again",
        ));
    }
    let code = hex(&rng.bytes::<32>());
    let data = CodeData {
        client_id: app.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        session_id: session.id.clone(),
        scope: req.scope.to_string(),
        nonce: req.nonce.clone(),
    };
    store
        .insert_code(&OneTimeCode {
            code_hash: hex(&sha256(code.as_bytes())),
            purpose: OIDC_CODE.to_owned(),
            organization_id: app.organization_id.clone(),
            user_id: session.user_id.clone(),
            data: Some(serde_json::to_string(&data).map_err(|e| Error::Internal(e.to_string()))?),
            created_at: now,
            expires_at: now + CODE_TTL_MS,
        })
        .await?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &req.state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", issuer));
    Ok(with_query(&req.redirect_uri, &pairs))
}

/// The page shown instead of the sign-in form when the request cannot be trusted (unknown
/// client, unregistered redirect URI): says why, escaped, and links nowhere.
pub fn refusal_page(e: &Error) -> String {
    let why = crate::delivery::templates::escape_html(&e.public_message());
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign-in request refused</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\
         <body><main><h1>This sign-in request cannot be used</h1><p id=\"why\">{why}</p>\
         <p>Go back to the application you came from and try again. If this keeps happening, \
         its developers should check its client id and redirect URIs.</p></main></body></html>\n"
    )
}
