//! What Latchkey asks of an identity provider: its discovery document, the token
//! endpoint's exchange of a code, and userinfo. The HTTP itself is the worker's
//! ([`Upstream`]); this module builds the requests and checks the answers.

use base64ct::{Base64, Encoding};
use serde::Deserialize;
use serde_json::Value;

use crate::model::{Connection, ConnectionKind};
use crate::rand::hex;
use crate::secrets::sha256;
use crate::store::Cache;
use crate::validate::percent_encode;
use crate::Error;

/// One request to a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamRequest {
    pub url: String,
    /// Sent as `application/x-www-form-urlencoded` (a POST); `None` for a GET.
    pub form: Option<Vec<(String, String)>>,
    /// The `Authorization` header's value.
    pub authorization: Option<String>,
    /// Seconds a 200 answer to this GET may be served from the cache ([`Cached`]); 0 to
    /// ask the provider.
    pub max_age_secs: u32,
}

/// Seconds a provider's discovery document and keys are kept.
pub const DOCUMENT_MAX_AGE_SECS: u32 = 3600;

/// An [`Upstream`] that keeps providers' 200 answers to cacheable GETs (discovery, keys) in
/// a [`Cache`] for their `max_age_secs`. A cache failure only costs a fetch.
pub struct Cached<'a, U, C> {
    pub http: &'a U,
    pub cache: &'a C,
}

impl<U: Upstream, C: Cache> Upstream for Cached<'_, U, C> {
    async fn fetch_json(&self, req: UpstreamRequest) -> Result<(u16, Value), Error> {
        let cacheable = req.max_age_secs > 0 && req.form.is_none() && req.authorization.is_none();
        let key = format!("sso:get:{}", hex(&sha256(req.url.as_bytes())));
        if cacheable {
            if let Ok(Some(hit)) = self.cache.get(&key).await {
                if let Ok(body) = crate::api::from_json::<Value>(hit.as_bytes()) {
                    return Ok((200, body));
                }
            }
        }
        let max_age = req.max_age_secs;
        let (status, body) = self.http.fetch_json(req).await?;
        if cacheable && status == 200 {
            let _ = self.cache.put(&key, &body.to_string(), max_age).await;
        }
        Ok((status, body))
    }
}

/// The worker's HTTP client (no redirects followed, a time limit).
#[allow(async_fn_in_trait)]
pub trait Upstream {
    /// The status and JSON body of the answer; `Err` when there was no answer or its body
    /// is not JSON.
    async fn fetch_json(&self, req: UpstreamRequest) -> Result<(u16, Value), Error>;
}

/// The provider failed or answered what a provider must not: a 502 with a stable code (its
/// detail is logged, never shown).
pub fn failed(detail: impl Into<String>) -> Error {
    Error::Upstream {
        code: "SSO_PROVIDER_FAILED",
        detail: detail.into(),
    }
}

/// The parts of a discovery document Latchkey uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// The issuers whose tokens a connection accepts: its own, and for Google the scheme-less
/// form Google documents.
pub fn accepted_issuers(c: &Connection, discovered: &str) -> Vec<String> {
    let mut v = vec![discovered.to_owned()];
    if c.kind == ConnectionKind::Google {
        v.push("accounts.google.com".to_owned());
    }
    v
}

fn endpoint_ok(url: &str) -> bool {
    crate::validate::url_origin(url).is_some() && !url.contains('#')
}

/// Reads `{issuer}/.well-known/openid-configuration` and checks it names this issuer and
/// usable endpoints (OpenID Connect Discovery §4.3).
pub async fn discover(up: &impl Upstream, issuer: &str) -> Result<Discovery, Error> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let (status, body) = up
        .fetch_json(UpstreamRequest {
            url,
            form: None,
            authorization: None,
            max_age_secs: DOCUMENT_MAX_AGE_SECS,
        })
        .await?;
    if status != 200 {
        return Err(failed(format!("discovery of {issuer} answered {status}")));
    }
    let d: Discovery =
        serde_json::from_value(body).map_err(|e| failed(format!("discovery of {issuer}: {e}")))?;
    if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(failed(format!(
            "discovery of {issuer} names another issuer, {}",
            d.issuer
        )));
    }
    let endpoints = [
        Some(&d.authorization_endpoint),
        Some(&d.token_endpoint),
        Some(&d.jwks_uri),
        d.userinfo_endpoint.as_ref(),
    ];
    if !endpoints.into_iter().flatten().all(|u| endpoint_ok(u)) {
        return Err(failed(format!(
            "discovery of {issuer}: an endpoint is not https"
        )));
    }
    Ok(d)
}

/// What a provider's token endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Tokens {
    pub id_token: String,
    #[serde(default)]
    pub access_token: Option<String>,
}

/// The client's credentials for the token endpoint: HTTP Basic unless the provider lists
/// only `client_secret_post` (RFC 6749 §2.3.1, each part form-encoded).
fn client_auth(
    d: &Discovery,
    client_id: &str,
    secret: &str,
    form: &mut Vec<(String, String)>,
) -> Option<String> {
    let methods = d.token_endpoint_auth_methods_supported.as_deref();
    let basic = methods.is_none_or(|m| m.iter().any(|x| x == "client_secret_basic"));
    if basic {
        let pair = format!("{}:{}", percent_encode(client_id), percent_encode(secret));
        Some(format!("Basic {}", Base64::encode_string(pair.as_bytes())))
    } else {
        form.push(("client_id".into(), client_id.to_owned()));
        form.push(("client_secret".into(), secret.to_owned()));
        None
    }
}

/// Exchanges the provider's code (with the PKCE verifier) for its tokens.
pub async fn exchange_code(
    up: &impl Upstream,
    d: &Discovery,
    c: &Connection,
    secret: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Tokens, Error> {
    let mut form = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("code".to_owned(), code.to_owned()),
        ("redirect_uri".to_owned(), redirect_uri.to_owned()),
        ("code_verifier".to_owned(), verifier.to_owned()),
    ];
    let authorization = client_auth(d, &c.client_id, secret, &mut form);
    let (status, body) = up
        .fetch_json(UpstreamRequest {
            url: d.token_endpoint.clone(),
            form: Some(form),
            authorization,
            max_age_secs: 0,
        })
        .await?;
    if status != 200 {
        let error = body.get("error").and_then(Value::as_str).unwrap_or("?");
        return Err(rejected(format!(
            "the token endpoint answered {status} {error}"
        )));
    }
    serde_json::from_value(body).map_err(|_| rejected("the token answer has no id_token"))
}

/// The provider's userinfo for its access token (claims its ID token left out).
pub async fn userinfo(
    up: &impl Upstream,
    d: &Discovery,
    access_token: &str,
) -> Result<Option<Value>, Error> {
    let Some(url) = &d.userinfo_endpoint else {
        return Ok(None);
    };
    let (status, body) = up
        .fetch_json(UpstreamRequest {
            url: url.clone(),
            form: None,
            authorization: Some(format!("Bearer {access_token}")),
            max_age_secs: 0,
        })
        .await?;
    if status != 200 || !body.is_object() {
        return Err(failed(format!("userinfo answered {status}")));
    }
    Ok(Some(body))
}

/// A provider's answer refused: `SSO_REJECTED`, with what was wrong (for the record and the
/// logs; the person is told only the code).
pub fn rejected(why: impl Into<String>) -> Error {
    Error::invalid_field("SSO_REJECTED", why)
}
