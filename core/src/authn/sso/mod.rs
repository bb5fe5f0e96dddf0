//! Single sign-on: Latchkey as an OpenID Connect relying party of an organization's
//! identity providers ("Sign in with Google", any OIDC issuer, enterprise SSO routed by
//! email domain).
//!
//! - [`connections`](self): the administrators' connections, their client secrets sealed
//!   under the worker's `MFA_KEY` ([`crate::authn::mfa::seal`]), found for a sign-in by id
//!   (a social button) or by the person's email domain (home-realm discovery).
//! - [`upstream`]: the provider's discovery document, token endpoint and userinfo, over an
//!   [`upstream::Upstream`] the worker implements with `fetch`.
//! - [`id_token`]: the provider's ID token, checked (algorithm, key, issuer, audience,
//!   expiry, nonce) with signatures verified by a [`id_token::SignatureCheck`] (Web Crypto
//!   in the worker; P-256 natively).
//! - [`flow`]: `start` (state, nonce and PKCE kept as a single-use code), `callback` (the
//!   provider's answer, the account it signs in to, linked or created by policy, and a
//!   single-use hand-off code bound to the asking page's verifier) and `exchange` (the page
//!   trades the hand-off code for a session, through the same end as every login).

use crate::api::{ConnectionList, ConnectionView, CreateConnection, UpdateConnection};
use crate::authn::mfa::seal::{self, MfaKeys};
use crate::identity::config;
use crate::model::{Connection, ConnectionKind, LinkPolicy};
use crate::rand::{uuid_v7, Rng};
use crate::store::{AppStore, Cache, ConnectionStore, OrgStore};
use crate::time::rfc3339;
use crate::{validate, Error};

pub mod flow;
pub mod id_token;
pub mod setup;
#[cfg(test)]
mod tests;
pub mod upstream;

/// Google's issuer (its ID tokens say this, or the same without the scheme).
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Scopes asked for when a connection names none.
pub const DEFAULT_SCOPES: &str = "openid email profile";
/// Connections an organization may have.
pub const MAX_CONNECTIONS: usize = 50;
/// Domains one connection may route.
pub const MAX_DOMAINS: usize = 50;
/// The path of the callback every connection's provider redirects to.
pub const CALLBACK_PATH: &str = "/api/v1/auth/sso/callback";

/// The redirect URI to register at an identity provider for this deployment.
pub fn redirect_uri(issuer: &str) -> String {
    format!("{}{CALLBACK_PATH}", issuer.trim_end_matches('/'))
}

/// The additional data a connection's sealed secret is bound to.
fn secret_aad(c: &Connection) -> Vec<u8> {
    format!("connection\n{}\n{}", c.organization_id, c.id).into_bytes()
}

/// The connection's client secret, opened.
pub async fn client_secret(keys: &impl MfaKeys, c: &Connection) -> Result<String, Error> {
    let opened = seal::open(keys, &c.client_secret_sealed, &secret_aad(c)).await?;
    String::from_utf8(opened.plain).map_err(|_| Error::Internal("connection secret".into()))
}

pub fn view(c: &Connection, issuer: &str) -> ConnectionView {
    ConnectionView {
        id: c.id.clone(),
        kind: c.kind,
        name: c.name.clone(),
        issuer: c.issuer.clone(),
        client_id: c.client_id.clone(),
        scopes: c.scopes.clone(),
        domains: c.domains.clone(),
        link_policy: c.link_policy,
        enabled: c.enabled,
        redirect_uri: redirect_uri(issuer),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
    }
}

pub(crate) fn issuer_url(raw: &str) -> Result<String, Error> {
    let v = raw.trim().trim_end_matches('/');
    let ok = validate::url_origin(v).is_some()
        && !v.contains(['?', '#'])
        && v.len() <= 512
        && !v.chars().any(char::is_whitespace);
    if ok {
        Ok(v.to_owned())
    } else {
        Err(Error::invalid_field(
            "INVALID_ISSUER",
            "issuer must be an https URL without a query or fragment",
        ))
    }
}

fn client_field(code: &'static str, field: &str, raw: &str) -> Result<String, Error> {
    let v = raw.trim();
    if v.is_empty() || v.len() > 512 || v.chars().any(char::is_control) {
        return Err(Error::invalid_field(
            code,
            format!("{field} is required (at most 512 characters)"),
        ));
    }
    Ok(v.to_owned())
}

fn scopes(raw: Option<&str>) -> Result<String, Error> {
    let raw = raw.unwrap_or(DEFAULT_SCOPES);
    let mut out = vec!["openid"];
    for s in raw.split_whitespace() {
        let ok = s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        if !ok {
            return Err(Error::invalid_field(
                "INVALID_SCOPES",
                "scopes are space-separated scope tokens",
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.len() > 20 {
        return Err(Error::invalid_field("INVALID_SCOPES", "at most 20 scopes"));
    }
    Ok(out.join(" "))
}

pub(crate) fn domains(raw: &[String]) -> Result<Vec<String>, Error> {
    if raw.len() > MAX_DOMAINS {
        return Err(Error::invalid_field(
            "INVALID_DOMAINS",
            format!("at most {MAX_DOMAINS} domains"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for d in raw {
        let d = validate::domain(d).map_err(|_| {
            Error::invalid_field("INVALID_DOMAINS", format!("{d:?} is not a domain name"))
        })?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

fn name(kind: ConnectionKind, raw: Option<&str>) -> Result<String, Error> {
    match (raw, kind) {
        (Some(n), _) => validate::name("INVALID_NAME", n, 64),
        (None, ConnectionKind::Google) => Ok("Google".to_owned()),
        (None, ConnectionKind::Oidc) => Err(Error::invalid_field(
            "INVALID_NAME",
            "name is required (the button's words)",
        )),
    }
}

/// Refuses a domain another connection of the organization routes already: an address
/// must lead to one provider.
async fn check_domains_free(store: &impl ConnectionStore, c: &Connection) -> Result<(), Error> {
    for other in store.list_connections(&c.organization_id).await? {
        if other.id == c.id {
            continue;
        }
        if let Some(d) = c.domains.iter().find(|d| other.domains.contains(d)) {
            return Err(Error::Conflict {
                code: "DOMAIN_TAKEN",
                message: format!("{d} is routed to the connection {:?} already", other.name),
            });
        }
    }
    Ok(())
}

/// Checks what a new connection's fields say, before anything is stored or spent.
pub fn check(input: &CreateConnection) -> Result<(), Error> {
    name(input.kind, input.name.as_deref())?;
    if input.kind == ConnectionKind::Oidc {
        issuer_url(input.issuer.as_deref().unwrap_or(""))?;
    }
    client_field("INVALID_CLIENT_ID", "client_id", &input.client_id)?;
    client_field(
        "INVALID_CLIENT_SECRET",
        "client_secret",
        &input.client_secret,
    )?;
    scopes(input.scopes.as_deref())?;
    domains(&input.domains)?;
    Ok(())
}

pub async fn create(
    store: &impl ConnectionStore,
    keys: &impl MfaKeys,
    org_id: &str,
    input: CreateConnection,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Connection, Error> {
    let issuer = match input.kind {
        ConnectionKind::Google => GOOGLE_ISSUER.to_owned(),
        ConnectionKind::Oidc => issuer_url(input.issuer.as_deref().unwrap_or(""))?,
    };
    if input.kind == ConnectionKind::Google && input.issuer.is_some() {
        return Err(Error::invalid_field(
            "INVALID_ISSUER",
            "a Google connection's issuer is Google's; leave it out",
        ));
    }
    if store.list_connections(org_id).await?.len() >= MAX_CONNECTIONS {
        return Err(Error::Conflict {
            code: "TOO_MANY_CONNECTIONS",
            message: format!("an organization has at most {MAX_CONNECTIONS} connections"),
        });
    }
    let mut c = Connection {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        kind: input.kind,
        name: name(input.kind, input.name.as_deref())?,
        issuer,
        client_id: client_field("INVALID_CLIENT_ID", "client_id", &input.client_id)?,
        client_secret_sealed: String::new(),
        scopes: scopes(input.scopes.as_deref())?,
        domains: domains(&input.domains)?,
        link_policy: input.link_policy.unwrap_or(
            if input.kind == ConnectionKind::Google || !input.domains.is_empty() {
                LinkPolicy::Link
            } else {
                LinkPolicy::Refuse
            },
        ),
        enabled: input.enabled.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    let secret = client_field(
        "INVALID_CLIENT_SECRET",
        "client_secret",
        &input.client_secret,
    )?;
    c.client_secret_sealed = seal::seal(keys, secret.as_bytes(), &secret_aad(&c), rng).await?;
    check_domains_free(store, &c).await?;
    store.insert_connection(&c).await?;
    Ok(c)
}

/// The organization's connections, as administrators see them.
pub async fn list(
    store: &impl ConnectionStore,
    org_id: &str,
    issuer: &str,
) -> Result<ConnectionList, Error> {
    let all = store.list_connections(org_id).await?;
    Ok(ConnectionList {
        connections: all.iter().map(|c| view(c, issuer)).collect(),
    })
}

pub async fn get(
    store: &impl ConnectionStore,
    org_id: &str,
    id: &str,
) -> Result<Connection, Error> {
    store
        .get_connection(org_id, id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn update(
    store: &impl ConnectionStore,
    keys: &impl MfaKeys,
    org_id: &str,
    id: &str,
    input: UpdateConnection,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Connection, Error> {
    let mut c = get(store, org_id, id).await?;
    if let Some(n) = input.name.as_deref() {
        c.name = name(c.kind, Some(n))?;
    }
    if let Some(i) = input.issuer.as_deref() {
        if c.kind == ConnectionKind::Google {
            return Err(Error::invalid_field(
                "INVALID_ISSUER",
                "a Google connection's issuer is Google's",
            ));
        }
        if issuer_url(i)? != c.issuer {
            return Err(Error::invalid_field(
                "ISSUER_IMMUTABLE",
                "a connection's issuer cannot change (its identities are that issuer's): make a new connection",
            ));
        }
    }
    if let Some(v) = input.client_id.as_deref() {
        c.client_id = client_field("INVALID_CLIENT_ID", "client_id", v)?;
    }
    if let Some(v) = input.scopes.as_deref() {
        c.scopes = scopes(Some(v))?;
    }
    if let Some(v) = input.domains.as_deref() {
        c.domains = domains(v)?;
    }
    if let Some(v) = input.link_policy {
        c.link_policy = v;
    }
    if let Some(v) = input.enabled {
        c.enabled = v;
    }
    if let Some(v) = input.client_secret.as_deref() {
        let secret = client_field("INVALID_CLIENT_SECRET", "client_secret", v)?;
        c.client_secret_sealed = seal::seal(keys, secret.as_bytes(), &secret_aad(&c), rng).await?;
    }
    c.updated_at = now;
    check_domains_free(store, &c).await?;
    if !store.update_connection(&c).await? {
        return Err(Error::NotFound);
    }
    Ok(c)
}

pub async fn delete(store: &impl ConnectionStore, org_id: &str, id: &str) -> Result<(), Error> {
    if store.delete_connection(org_id, id).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Drops the cached public configuration of the organization's applications, whose
/// buttons a connection's change alters.
pub async fn evict_config(
    store: &(impl OrgStore + AppStore),
    cache: &impl Cache,
    org_id: &str,
) -> Result<(), Error> {
    if let Some(org) = store.get_org(org_id).await? {
        config::evict(cache, &config::org_keys(store, &org).await?).await;
    }
    Ok(())
}

/// The enabled connection `id` of the organization, or the one routing `email`'s domain.
pub async fn find(
    store: &impl ConnectionStore,
    org_id: &str,
    id: Option<&str>,
    email: Option<&str>,
) -> Result<Connection, Error> {
    let unknown = || {
        Error::invalid_field(
            "UNKNOWN_CONNECTION",
            "no enabled connection of this organization has this id",
        )
    };
    match (id, email) {
        (Some(id), None) => match store.get_connection(org_id, id.trim()).await? {
            Some(c) if c.enabled => Ok(c),
            _ => Err(unknown()),
        },
        (None, Some(email)) => {
            let e = validate::email(email)?;
            let domain = e.normalized.rsplit_once('@').map_or("", |(_, d)| d);
            store
                .list_connections(org_id)
                .await?
                .into_iter()
                .find(|c| c.enabled && c.domains.iter().any(|d| d == domain))
                .ok_or_else(|| {
                    Error::invalid_field(
                        "SSO_NOT_CONFIGURED",
                        "no single sign-on is set up for this address's domain",
                    )
                })
        }
        _ => Err(Error::invalid_field(
            "INVALID_REQUEST",
            "name either connection_id or email",
        )),
    }
}
