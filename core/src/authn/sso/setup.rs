//! The IT administrator's set-up link: an organization's administrator makes a single-use
//! link (for the domains they name, lasting at most a week) and hands it to the IT
//! administrator of the company whose people will sign in, who opens it, registers
//! Latchkey at their identity provider and enters the issuer, client id and secret. The
//! link can make one connection, of the organization that made it, for its domains only:
//! which addresses a provider speaks for is the organization's decision, never the link
//! holder's.

use serde::{Deserialize, Serialize};

use super::upstream::{self, Upstream};
use crate::api::{ConnectionView, CreateConnection, SetupLink, SetupLinkInfo, SsoSetupRequest};
use crate::authn::mfa::seal::MfaKeys;
use crate::model::{ConnectionKind, LinkPolicy, OneTimeCode};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{CodeStore, ConnectionStore, OrgStore};
use crate::time::rfc3339;
use crate::Error;

pub const PURPOSE: &str = "sso_setup";
/// Hours a link lasts unless its maker says otherwise, and at most.
pub const DEFAULT_HOURS: u32 = 72;
pub const MAX_HOURS: u32 = 168;
/// The page set-up links open (`www/sso-setup.html`); the token is in the fragment.
pub const PAGE: &str = "/sso-setup";

#[derive(Debug, Serialize, Deserialize)]
struct LinkData {
    domains: Vec<String>,
}

fn hash(token: &str) -> String {
    hex(&sha256(format!("sso-setup\n{token}").as_bytes()))
}

fn gone() -> Error {
    Error::CodeRejected("CODE_EXPIRED")
}

/// Makes a link for `domains` (at least one: the connection routes them).
pub async fn create_link(
    store: &(impl CodeStore + ConnectionStore),
    org_id: &str,
    domains: &[String],
    hours: Option<u32>,
    issuer: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<SetupLink, Error> {
    let domains = super::domains(domains)?;
    if domains.is_empty() {
        return Err(Error::invalid_field(
            "INVALID_DOMAINS",
            "name the email domains the connection will route",
        ));
    }
    for c in store.list_connections(org_id).await? {
        if let Some(d) = domains.iter().find(|d| c.domains.contains(d)) {
            return Err(Error::Conflict {
                code: "DOMAIN_TAKEN",
                message: format!("{d} is routed to the connection {:?} already", c.name),
            });
        }
    }
    let hours = hours.unwrap_or(DEFAULT_HOURS);
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(Error::invalid_field(
            "INVALID_EXPIRES_IN_HOURS",
            format!("expires_in_hours is 1 to {MAX_HOURS}"),
        ));
    }
    let token = hex(&rng.bytes::<32>());
    let expires_at = now + i64::from(hours) * 3_600_000;
    let data = serde_json::to_string(&LinkData {
        domains: domains.clone(),
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&token),
            purpose: PURPOSE.to_owned(),
            organization_id: org_id.to_owned(),
            user_id: String::new(),
            data: Some(data),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(SetupLink {
        url: format!("{}{PAGE}#{token}", issuer.trim_end_matches('/')),
        domains,
        expires_at: rfc3339(expires_at),
    })
}

async fn read(
    store: &impl CodeStore,
    token: &str,
    now: i64,
) -> Result<(OneTimeCode, LinkData), Error> {
    if token.len() != 64 {
        return Err(gone());
    }
    let row = store
        .find_code(&hash(token), PURPOSE, now)
        .await?
        .ok_or_else(gone)?;
    let data = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(gone)?;
    Ok((row, data))
}

/// What the page shows before the form: whose link, for which domains, the redirect URI.
pub async fn info(
    store: &(impl CodeStore + OrgStore),
    token: &str,
    issuer: &str,
    now: i64,
) -> Result<SetupLinkInfo, Error> {
    let (row, data) = read(store, token, now).await?;
    let org = store
        .get_org(&row.organization_id)
        .await?
        .ok_or_else(gone)?;
    Ok(SetupLinkInfo {
        organization_name: org.name,
        domains: data.domains,
        redirect_uri: super::redirect_uri(issuer),
        expires_at: rfc3339(row.expires_at),
    })
}

/// The IT administrator's connection: checked (fields, the issuer's discovery), then the
/// link is spent (of racing uses, one wins) and the connection made; its organization and
/// view.
pub async fn complete(
    store: &(impl CodeStore + ConnectionStore),
    up: &impl Upstream,
    keys: &impl MfaKeys,
    req: SsoSetupRequest,
    issuer: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(String, ConnectionView), Error> {
    let (_, data) = read(store, &req.token, now).await?;
    let input = CreateConnection {
        kind: ConnectionKind::Oidc,
        name: Some(req.name),
        issuer: Some(req.issuer),
        client_id: req.client_id,
        client_secret: req.client_secret,
        scopes: None,
        domains: data.domains,
        link_policy: Some(LinkPolicy::Link),
        enabled: Some(true),
    };
    super::check(&input)?;
    let issuer_url = super::issuer_url(input.issuer.as_deref().unwrap_or(""))?;
    upstream::discover(up, &issuer_url).await.map_err(|_| {
        Error::invalid_field(
            "ISSUER_UNREACHABLE",
            "the issuer's discovery document (/.well-known/openid-configuration) could not be read",
        )
    })?;
    let row = store
        .consume_code(&hash(&req.token), PURPOSE, now)
        .await?
        .ok_or_else(gone)?;
    match super::create(store, keys, &row.organization_id, input, now, rng).await {
        Ok(c) => Ok((row.organization_id, super::view(&c, issuer))),
        Err(e) => {
            // Refused after all (a domain routed elsewhere meanwhile): the link stays usable.
            store.insert_code(&row).await?;
            Err(e)
        }
    }
}
