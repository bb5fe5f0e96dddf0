//! Latchkey as an OpenID provider (OAuth 2.1 authorization code with PKCE, OpenID Connect
//! Core): the discovery document, the authorization request and its code
//! ([`authorize`]), the token endpoint ([`token`]), and the ID token's and userinfo's
//! claims ([`claims`]).
//!
//! The user signs in on a hosted page that renders `<latchkey-login>`, so every method the
//! application enables works and every sign-in is a login record like any other; the page
//! then trades its session's access token for a code bound to the client, the exact
//! redirect URI, the PKCE challenge, the nonce and the scopes. Errors on these endpoints
//! are [`Error::OAuth`], answered in RFC 6749's shape.

pub mod authorize;
pub mod claims;
pub mod lifecycle;
pub mod token;

#[cfg(test)]
mod tests;

use crate::api::ClientSecretResponse;
use crate::model::Application;
use crate::rand::{hex, Rng};
use crate::secrets::{ct_eq, sha256};
use crate::store::AppStore;
use crate::Error;

/// The scopes this provider knows.
pub const SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Where the endpoints live, below the issuer.
pub const AUTHORIZE_PATH: &str = "/oauth2/authorize";
pub const TOKEN_PATH: &str = "/oauth2/token";
pub const USERINFO_PATH: &str = "/oauth2/userinfo";
pub const REVOKE_PATH: &str = "/oauth2/revoke";
pub const INTROSPECT_PATH: &str = "/oauth2/introspect";
pub const LOGOUT_PATH: &str = "/oauth2/logout";

/// A set of scopes, in the order first asked for, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// A space-separated `scope` parameter; `invalid_scope` for a scope this provider does
    /// not know.
    pub fn parse(s: &str) -> Result<Scopes, Error> {
        let mut out: Vec<String> = Vec::new();
        for part in s.split(' ').filter(|p| !p.is_empty()) {
            if !SCOPES.contains(&part) {
                return Err(Error::oauth(
                    "invalid_scope",
                    format!("unknown scope {part:?}; known: {}", SCOPES.join(" ")),
                ));
            }
            if !out.iter().any(|o| o == part) {
                out.push(part.to_owned());
            }
        }
        Ok(Scopes(out))
    }

    pub fn has(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// Whether every scope of `self` is in `other`.
    pub fn within(&self, other: &Scopes) -> bool {
        self.0.iter().all(|s| other.has(s))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// A request's parameters by name; RFC 6749 §3.1 and §3.2: a parameter sent twice is an
/// error, and an empty one counts as absent.
pub struct Params<'a>(&'a [(String, String)]);

impl<'a> Params<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Result<Self, Error> {
        let mut seen = std::collections::HashSet::with_capacity(pairs.len());
        for (k, _) in pairs {
            if !seen.insert(k.as_str()) {
                return Err(Error::oauth(
                    "invalid_request",
                    format!("the parameter {k} is repeated"),
                ));
            }
        }
        Ok(Params(pairs))
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn require(&self, name: &str) -> Result<&'a str, Error> {
        self.get(name)
            .ok_or_else(|| Error::oauth("invalid_request", format!("{name} is required")))
    }
}

/// The SHA-256 (hex) a client secret is kept as. Secrets are 256 random bits, so a fast
/// hash is enough: nothing can be guessed from it.
pub fn hash_client_secret(secret: &str) -> String {
    hex(&sha256(secret.as_bytes()))
}

/// Client secrets are `lks_` and 64 hex digits.
pub const CLIENT_SECRET_PREFIX: &str = "lks_";

/// Gives the application a new client secret (it becomes, or stays, a confidential client;
/// the previous secret stops working at once). The secret is answered once and kept only
/// as its hash.
pub async fn new_client_secret(
    store: &impl AppStore,
    org_id: &str,
    app_id: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<ClientSecretResponse, Error> {
    let app = store
        .get_app(org_id, app_id)
        .await?
        .filter(|a| !a.admin_api)
        .ok_or(Error::NotFound)?;
    let secret = format!("{CLIENT_SECRET_PREFIX}{}", hex(&rng.bytes::<32>()));
    let hash = hash_client_secret(&secret);
    if !store
        .set_client_secret(org_id, app_id, Some(&hash), now)
        .await?
    {
        return Err(Error::NotFound);
    }
    Ok(ClientSecretResponse {
        client_id: app.client_id,
        client_secret: secret,
    })
}

/// How a client authenticated at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: the `Authorization: Basic` header's id and secret (already
    /// form-decoded).
    Basic { client_id: String, secret: String },
    /// `client_secret_post` (with a secret) or `none` (a public client: only its id).
    Body {
        client_id: String,
        secret: Option<String>,
    },
}

impl ClientAuth {
    /// From the request's `Authorization` header (if Basic) and its form parameters; a
    /// client using two methods at once is refused (RFC 6749 §2.3).
    pub fn from_request(authorization: Option<&str>, params: &Params) -> Result<Self, Error> {
        let basic = authorization
            .and_then(|h| h.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
        match basic {
            Some((_, b64)) => {
                if params.get("client_secret").is_some() {
                    return Err(invalid_client("use one way of authenticating the client"));
                }
                let (id, secret) = decode_basic(b64.trim())
                    .ok_or_else(|| invalid_client("the Basic credentials are malformed"))?;
                if params.get("client_id").is_some_and(|c| c != id) {
                    return Err(invalid_client(
                        "client_id differs from the Basic credentials",
                    ));
                }
                Ok(ClientAuth::Basic {
                    client_id: id,
                    secret,
                })
            }
            None => Ok(ClientAuth::Body {
                client_id: params
                    .get("client_id")
                    .ok_or_else(|| invalid_client("client_id is required"))?
                    .to_owned(),
                secret: params.get("client_secret").map(str::to_owned),
            }),
        }
    }

    pub fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { client_id, .. } | ClientAuth::Body { client_id, .. } => client_id,
        }
    }

    fn secret(&self) -> Option<&str> {
        match self {
            ClientAuth::Basic { secret, .. } => Some(secret),
            ClientAuth::Body { secret, .. } => secret.as_deref(),
        }
    }

    /// Checks the client against its application: a confidential client must present its
    /// secret (compared in constant time); a public client must present none.
    pub fn check(&self, app: Option<&Application>) -> Result<Application, Error> {
        let app = app
            .filter(|a| !a.admin_api)
            .ok_or_else(|| invalid_client("unknown client"))?;
        match (&app.client_secret_hash, self.secret()) {
            (Some(hash), Some(secret))
                if ct_eq(hash_client_secret(secret).as_bytes(), hash.as_bytes()) =>
            {
                Ok(app.clone())
            }
            (None, None) => Ok(app.clone()),
            (None, Some(_)) => Err(invalid_client("this client is public: it has no secret")),
            _ => Err(invalid_client("the client secret is wrong or missing")),
        }
    }
}

/// The client of a request to the token, revocation or introspection endpoint, as it
/// authenticated (`invalid_client` if it did not).
pub async fn authenticate_client(
    store: &impl AppStore,
    p: &Params<'_>,
    authorization: Option<&str>,
) -> Result<Application, Error> {
    let auth = ClientAuth::from_request(authorization, p)?;
    auth.check(store.get_app_by_client_id(auth.client_id()).await?.as_ref())
}

/// `invalid_client` (401).
pub fn invalid_client(why: &str) -> Error {
    Error::oauth(
        "invalid_client",
        format!("client authentication failed: {why}"),
    )
}

/// The id and secret of a Basic header's value: base64 of `id:secret`, each form-encoded.
fn decode_basic(b64: &str) -> Option<(String, String)> {
    use base64ct::{Base64, Encoding};
    let raw = Base64::decode_vec(b64).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        crate::validate::form_decode(format!("v={s}").as_bytes())
            .and_then(|mut p| p.pop())
            .map(|(_, v)| v)
    };
    Some((decode(id)?, decode(secret)?))
}

/// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3, RFC 8414).
pub fn discovery(issuer: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
        "userinfo_endpoint": format!("{issuer}{USERINFO_PATH}"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "revocation_endpoint": format!("{issuer}{REVOKE_PATH}"),
        "introspection_endpoint": format!("{issuer}{INTROSPECT_PATH}"),
        "end_session_endpoint": format!("{issuer}{LOGOUT_PATH}"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES,
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr", "at_hash",
            "sid", "azp", "email", "email_verified", "name", "preferred_username", "updated_at",
        ],
        "acr_values_supported": [claims::ACR_ONE_FACTOR, claims::ACR_TWO_FACTORS],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
    })
}
