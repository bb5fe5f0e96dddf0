//! Organizations: the tenants. Created by the platform operator together with a first API
//! key; an organization's own key sees and updates only its organization.

use crate::access::{Grants, Scope};
use crate::api::{
    CreateOrganization, CreatedOrganization, OrganizationList, OrganizationView,
    UpdateOrganization, UserOrganizations,
};
use crate::model::{Organization, Page};
use crate::rand::{uuid_v7, Rng};
use crate::store::{AppStore, Cache, OrgStore, UserStore};
use crate::{validate, Error};

use super::{api_keys, changed, config, found};

const NAME_MAX: usize = 200;
/// Days login records are kept unless an organization says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
const RETENTION_DAYS: (u32, u32) = (1, 3650);

fn custom_domain(raw: Option<String>) -> Result<Option<String>, Error> {
    raw.map(|d| validate::domain(&d)).transpose()
}

pub async fn create(
    store: &impl OrgStore,
    input: CreateOrganization,
    now: i64,
    rng: &mut impl Rng,
) -> Result<CreatedOrganization, Error> {
    let org = Organization {
        id: uuid_v7(now, rng),
        name: validate::name("INVALID_NAME", &input.name, NAME_MAX)?,
        custom_domain: custom_domain(input.custom_domain)?,
        retention_days: DEFAULT_RETENTION_DAYS,
        attack_protection: Default::default(),
        messaging: Default::default(),
        created_at: now,
        updated_at: now,
    };
    let first = api_keys::NewKey {
        name: "default",
        grants: &Grants::All,
        created_by: "platform",
        expires_at: None,
    };
    let (key, key_view) = api_keys::new_key(&org.id, first, now, rng)?;
    store.insert_org(&org, &key).await?;
    Ok(CreatedOrganization {
        organization: OrganizationView::from(&org),
        api_key: key_view,
    })
}

/// The organization, if the scope may see it; another organization reads as `NOT_FOUND`.
async fn visible(store: &impl OrgStore, scope: &Scope, id: &str) -> Result<Organization, Error> {
    if !scope.sees(id) {
        return Err(Error::NotFound);
    }
    found(store.get_org(id).await)
}

pub async fn get(
    store: &impl OrgStore,
    scope: &Scope,
    id: &str,
) -> Result<OrganizationView, Error> {
    Ok(OrganizationView::from(&visible(store, scope, id).await?))
}

pub async fn list(
    store: &impl OrgStore,
    scope: &Scope,
    page: Page,
) -> Result<OrganizationList, Error> {
    let (orgs, total) = match scope {
        Scope::Platform => store.list_orgs(page).await?,
        Scope::Org(id) => {
            let own = found(store.get_org(id).await)?;
            let rows = if page.offset == 0 {
                vec![own]
            } else {
                Vec::new()
            };
            (rows, 1)
        }
        Scope::Public | Scope::User { .. } => return Err(Error::Forbidden),
    };
    Ok(OrganizationList {
        organizations: orgs.iter().map(OrganizationView::from).collect(),
        total_count: total,
        limit: page.limit,
        offset: page.offset,
    })
}

pub async fn update(
    store: &(impl OrgStore + AppStore),
    cache: &impl Cache,
    scope: &Scope,
    id: &str,
    input: UpdateOrganization,
    now: i64,
) -> Result<OrganizationView, Error> {
    let old = visible(store, scope, id).await?;
    let mut org = old.clone();
    if let Some(name) = input.name {
        org.name = validate::name("INVALID_NAME", &name, NAME_MAX)?;
    }
    if let Some(domain) = input.custom_domain {
        org.custom_domain = custom_domain(domain)?;
    }
    if let Some(days) = input.retention_days {
        if !(RETENTION_DAYS.0..=RETENTION_DAYS.1).contains(&days) {
            return Err(Error::invalid_field(
                "INVALID_RETENTION_DAYS",
                format!(
                    "retention_days must be between {} and {}",
                    RETENTION_DAYS.0, RETENTION_DAYS.1
                ),
            ));
        }
        org.retention_days = days;
    }
    if let Some(policy) = input.attack_protection {
        crate::authn::guard::validate(&policy)?;
        org.attack_protection = policy;
    }
    if let Some(messaging) = input.messaging {
        org.messaging = messaging;
    }
    org.updated_at = now;
    changed(store.update_org(&org).await)?;
    let mut keys = config::org_keys(store, &old).await?;
    keys.extend(org.custom_domain.as_deref().map(config::domain_key));
    config::evict(cache, &keys).await;
    Ok(OrganizationView::from(&org))
}

pub async fn delete(
    store: &(impl OrgStore + AppStore),
    cache: &impl Cache,
    id: &str,
) -> Result<(), Error> {
    let org = found(store.get_org(id).await)?;
    let keys = config::org_keys(store, &org).await?;
    changed(store.delete_org(id).await)?;
    config::evict(cache, &keys).await;
    Ok(())
}

/// The organizations a user belongs to. A user is an identity within one organization (the
/// identity store), so this is that one organization.
pub async fn of_user(
    store: &(impl OrgStore + UserStore),
    org_id: &str,
    user_id: &str,
) -> Result<UserOrganizations, Error> {
    let user = found(store.get_user(org_id, user_id).await)?;
    let org = found(store.get_org(&user.organization_id).await)?;
    Ok(UserOrganizations {
        organizations: vec![OrganizationView::from(&org)],
    })
}
