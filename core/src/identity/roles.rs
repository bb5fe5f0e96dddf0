//! Roles and permissions of an organization.

use crate::api::{
    CreatePermission, CreateRole, PermissionList, PermissionView, RoleList, RoleView,
    UpdatePermission, UpdateRole,
};
use crate::model::{Permission, Role};
use crate::rand::{uuid_v7, Rng};
use crate::store::RoleStore;
use crate::{validate, Error};

use super::{changed, found};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 1000;
const MAX_PERMISSIONS_PER_ROLE: usize = 200;

fn description(raw: &str) -> Result<String, Error> {
    let v = raw.trim();
    if v.chars().count() > DESCRIPTION_MAX || v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid_field(
            "INVALID_DESCRIPTION",
            format!("description must have at most {DESCRIPTION_MAX} characters, without control characters"),
        ));
    }
    Ok(v.to_owned())
}

async fn permission_ids(
    store: &impl RoleStore,
    org_id: &str,
    ids: Vec<String>,
) -> Result<Vec<String>, Error> {
    if ids.len() > MAX_PERMISSIONS_PER_ROLE {
        return Err(Error::invalid_field(
            "INVALID_PERMISSION_IDS",
            format!("at most {MAX_PERMISSIONS_PER_ROLE} permissions"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if store.get_permission(org_id, &id).await?.is_none() {
            return Err(Error::invalid_field(
                "INVALID_PERMISSION_IDS",
                format!("no permission {id:?} in this organization"),
            ));
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub async fn create_role(
    store: &impl RoleStore,
    org_id: &str,
    input: CreateRole,
    now: i64,
    rng: &mut impl Rng,
) -> Result<RoleView, Error> {
    let role = Role {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        name: validate::slug("INVALID_NAME", &input.name, NAME_MAX)?,
        description: description(&input.description)?,
        permission_ids: permission_ids(store, org_id, input.permission_ids).await?,
        created_at: now,
        updated_at: now,
    };
    store.insert_role(&role).await?;
    Ok(RoleView::from(&role))
}

pub async fn get_role(store: &impl RoleStore, org_id: &str, id: &str) -> Result<RoleView, Error> {
    Ok(RoleView::from(&found(store.get_role(org_id, id).await)?))
}

pub async fn list_roles(store: &impl RoleStore, org_id: &str) -> Result<RoleList, Error> {
    Ok(RoleList {
        roles: store
            .list_roles(org_id)
            .await?
            .iter()
            .map(RoleView::from)
            .collect(),
    })
}

pub async fn update_role(
    store: &impl RoleStore,
    org_id: &str,
    id: &str,
    input: UpdateRole,
    now: i64,
) -> Result<RoleView, Error> {
    let mut role = found(store.get_role(org_id, id).await)?;
    if let Some(name) = input.name {
        role.name = validate::slug("INVALID_NAME", &name, NAME_MAX)?;
    }
    if let Some(d) = input.description {
        role.description = description(&d)?;
    }
    if let Some(ids) = input.permission_ids {
        role.permission_ids = permission_ids(store, org_id, ids).await?;
    }
    role.updated_at = now;
    changed(store.update_role(&role).await)?;
    Ok(RoleView::from(&role))
}

pub async fn delete_role(store: &impl RoleStore, org_id: &str, id: &str) -> Result<(), Error> {
    changed(store.delete_role(org_id, id).await)
}

pub async fn create_permission(
    store: &impl RoleStore,
    org_id: &str,
    input: CreatePermission,
    now: i64,
    rng: &mut impl Rng,
) -> Result<PermissionView, Error> {
    let p = Permission {
        id: uuid_v7(now, rng),
        organization_id: org_id.to_owned(),
        name: validate::slug("INVALID_NAME", &input.name, NAME_MAX)?,
        description: description(&input.description)?,
        created_at: now,
        updated_at: now,
    };
    store.insert_permission(&p).await?;
    Ok(PermissionView::from(&p))
}

pub async fn get_permission(
    store: &impl RoleStore,
    org_id: &str,
    id: &str,
) -> Result<PermissionView, Error> {
    Ok(PermissionView::from(&found(
        store.get_permission(org_id, id).await,
    )?))
}

pub async fn list_permissions(
    store: &impl RoleStore,
    org_id: &str,
) -> Result<PermissionList, Error> {
    Ok(PermissionList {
        permissions: store
            .list_permissions(org_id)
            .await?
            .iter()
            .map(PermissionView::from)
            .collect(),
    })
}

pub async fn update_permission(
    store: &impl RoleStore,
    org_id: &str,
    id: &str,
    input: UpdatePermission,
    now: i64,
) -> Result<PermissionView, Error> {
    let mut p = found(store.get_permission(org_id, id).await)?;
    if let Some(name) = input.name {
        p.name = validate::slug("INVALID_NAME", &name, NAME_MAX)?;
    }
    if let Some(d) = input.description {
        p.description = description(&d)?;
    }
    p.updated_at = now;
    changed(store.update_permission(&p).await)?;
    Ok(PermissionView::from(&p))
}

pub async fn delete_permission(
    store: &impl RoleStore,
    org_id: &str,
    id: &str,
) -> Result<(), Error> {
    changed(store.delete_permission(org_id, id).await)
}
