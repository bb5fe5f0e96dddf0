//! Public configuration by client id and by custom domain: what a login page needs. Served
//! from the cache (KV) with the database as the truth; every write that changes it evicts
//! the affected entries, and a short TTL bounds what an eventually consistent cache can
//! serve stale in other locations.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::{
    ClientConfig, DomainConfig, PublicApplication, PublicConnection, PublicOrganization,
};
use crate::model::{Application, LoginMethod, Organization, Page};
use crate::store::{AppStore, Cache, ConnectionStore, OrgStore};
use crate::{validate, Error};

use super::found;

/// Seconds a cached configuration may be served.
pub const CACHE_TTL_SECS: u32 = 300;
/// Applications listed in a domain's configuration.
pub const MAX_DOMAIN_APPS: u32 = 100;

pub fn client_key(client_id: &str) -> String {
    format!("config:client:{client_id}")
}

pub fn domain_key(domain: &str) -> String {
    format!("config:domain:{domain}")
}

/// Reads through the cache. A cache failure never fails the request: the database answers.
async fn cached<T, F>(cache: &impl Cache, key: &str, load: F) -> Result<T, Error>
where
    T: Serialize + DeserializeOwned,
    F: std::future::Future<Output = Result<T, Error>>,
{
    if let Ok(Some(hit)) = cache.get(key).await {
        if let Ok(v) = crate::api::from_json(hit.as_bytes()) {
            return Ok(v);
        }
    }
    let value = load.await?;
    if let Ok(text) = serde_json::to_string(&value) {
        // Best effort: a failed write only costs a later miss.
        let _ = cache.put(key, &text, CACHE_TTL_SECS).await;
    }
    Ok(value)
}

pub async fn by_client_id(
    store: &(impl OrgStore + AppStore + ConnectionStore),
    cache: &impl Cache,
    client_id: &str,
) -> Result<ClientConfig, Error> {
    if client_id.is_empty()
        || client_id.len() > 64
        || !client_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::NotFound);
    }
    cached(cache, &client_key(client_id), async {
        let app = found(store.get_app_by_client_id(client_id).await)?;
        let org = found(store.get_org(&app.organization_id).await)?;
        let (connections, sso_domains) = if app.login_methods.contains(&LoginMethod::Sso) {
            let all = store.list_connections(&org.id).await?;
            let on = all.iter().filter(|c| c.enabled);
            let buttons = on
                .clone()
                .filter(|c| c.domains.is_empty())
                .map(|c| PublicConnection {
                    id: c.id.clone(),
                    kind: c.kind,
                    name: c.name.clone(),
                })
                .collect();
            (buttons, on.clone().any(|c| !c.domains.is_empty()))
        } else {
            (Vec::new(), false)
        };
        Ok(ClientConfig {
            organization: PublicOrganization::from(&org),
            application: PublicApplication::from(&app),
            connections,
            sso_domains,
        })
    })
    .await
}

/// A page on another origin may use an application's configuration only when the
/// application lists that origin (`cross_origin`: the page's origin, normalised, when it is
/// not this server's own). Otherwise the answer says which origin to add.
pub fn for_origin(config: ClientConfig, cross_origin: Option<&str>) -> Result<ClientConfig, Error> {
    match cross_origin {
        Some(origin)
            if !config
                .application
                .allowed_origins
                .iter()
                .any(|o| o == origin) =>
        {
            Err(Error::OriginNotAllowed(origin.to_owned()))
        }
        _ => Ok(config),
    }
}

pub async fn by_domain(
    store: &(impl OrgStore + AppStore),
    cache: &impl Cache,
    raw_domain: &str,
) -> Result<DomainConfig, Error> {
    let domain = validate::domain(raw_domain).map_err(|_| Error::NotFound)?;
    cached(cache, &domain_key(&domain), async {
        let org = found(store.get_org_by_domain(&domain).await)?;
        let (apps, _) = store
            .list_apps(
                &org.id,
                Page {
                    limit: MAX_DOMAIN_APPS,
                    offset: 0,
                },
            )
            .await?;
        Ok(DomainConfig {
            organization: PublicOrganization::from(&org),
            custom_domain: domain.clone(),
            applications: apps.iter().map(PublicApplication::from).collect(),
        })
    })
    .await
}

/// Every cache key that depends on `org`: its domain and each application's client id.
pub async fn org_keys(store: &impl AppStore, org: &Organization) -> Result<Vec<String>, Error> {
    let mut keys: Vec<String> = org
        .custom_domain
        .as_deref()
        .map(domain_key)
        .into_iter()
        .collect();
    let mut offset = 0;
    loop {
        let (apps, total) = store
            .list_apps(&org.id, Page { limit: 100, offset })
            .await?;
        keys.extend(apps.iter().map(|a| client_key(&a.client_id)));
        offset += 100;
        if u64::from(offset) >= total || apps.is_empty() {
            break;
        }
    }
    Ok(keys)
}

/// Cache keys that depend on `app`: its client id and its organization's domain.
pub fn app_keys(app: &Application, org: Option<&Organization>) -> Vec<String> {
    let mut keys = vec![client_key(&app.client_id)];
    keys.extend(org.and_then(|o| o.custom_domain.as_deref()).map(domain_key));
    keys
}

/// Evicts `keys`, best effort: a failure leaves an entry to expire with its TTL.
pub async fn evict(cache: &impl Cache, keys: &[String]) {
    for key in keys {
        let _ = cache.delete(key).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{PublicApplication, PublicOrganization};

    fn config(origins: &[&str]) -> ClientConfig {
        ClientConfig {
            organization: PublicOrganization {
                id: "org".into(),
                name: "Org".into(),
            },
            application: PublicApplication {
                id: "app".into(),
                name: "App".into(),
                client_id: "lkc".into(),
                allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
                redirect_uris: Vec::new(),
                login_methods: Vec::new(),
                self_signup: false,
            },
            connections: Vec::new(),
            sso_domains: false,
        }
    }

    #[test]
    fn test_config_another_origin_is_told_which_origin_to_add() {
        // This server's own pages, and origins the application lists, get the configuration.
        assert!(for_origin(config(&[]), None).is_ok());
        assert!(for_origin(
            config(&["https://app.example.com"]),
            Some("https://app.example.com")
        )
        .is_ok());
        // Any other origin (another application's included) is told what to change.
        for origins in [&[][..], &["https://app.example.com"][..]] {
            let e = for_origin(config(origins), Some("https://evil.example.com")).unwrap_err();
            assert_eq!(e.code(), "ORIGIN_NOT_ALLOWED");
            assert!(e.to_string().contains("https://evil.example.com"), "{e}");
        }
    }
}
