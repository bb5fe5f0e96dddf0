//! Roles and permissions of an organization.

use crate::access::Grants;
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

/// The names of permissions `ids` of the organization (unknown ids are skipped).
pub(crate) async fn permission_names(
    store: &impl RoleStore,
    org_id: &str,
    ids: &[String],
) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for id in ids {
        if let Some(p) = store.get_permission(org_id, id).await? {
            names.push(p.name);
        }
    }
    Ok(names)
}

/// The ids in exactly one of `a` and `b`: what a change grants or takes away.
pub(crate) fn changed_ids(a: &[String], b: &[String]) -> Vec<String> {
    a.iter()
        .filter(|x| !b.contains(x))
        .chain(b.iter().filter(|x| !a.contains(x)))
        .cloned()
        .collect()
}

pub async fn create_role(
    store: &impl RoleStore,
    org_id: &str,
    caller: &Grants,
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
    caller.require_reserved(permission_names(store, org_id, &role.permission_ids).await?)?;
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
    caller: &Grants,
    id: &str,
    input: UpdateRole,
    now: i64,
) -> Result<RoleView, Error> {
    let mut role = found(store.get_role(org_id, id).await)?;
    let before = role.permission_ids.clone();
    if let Some(name) = input.name {
        role.name = validate::slug("INVALID_NAME", &name, NAME_MAX)?;
    }
    if let Some(d) = input.description {
        role.description = description(&d)?;
    }
    if let Some(ids) = input.permission_ids {
        role.permission_ids = permission_ids(store, org_id, ids).await?;
    }
    let granted_or_taken = changed_ids(&before, &role.permission_ids);
    caller.require_reserved(permission_names(store, org_id, &granted_or_taken).await?)?;
    role.updated_at = now;
    changed(store.update_role(&role).await)?;
    Ok(RoleView::from(&role))
}

pub async fn delete_role(
    store: &impl RoleStore,
    org_id: &str,
    caller: &Grants,
    id: &str,
) -> Result<(), Error> {
    let role = found(store.get_role(org_id, id).await)?;
    caller.require_reserved(permission_names(store, org_id, &role.permission_ids).await?)?;
    changed(store.delete_role(org_id, id).await)
}

pub async fn create_permission(
    store: &impl RoleStore,
    org_id: &str,
    caller: &Grants,
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
    caller.require_reserved([&p.name])?;
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
    caller: &Grants,
    id: &str,
    input: UpdatePermission,
    now: i64,
) -> Result<PermissionView, Error> {
    let mut p = found(store.get_permission(org_id, id).await)?;
    if let Some(name) = input.name {
        let name = validate::slug("INVALID_NAME", &name, NAME_MAX)?;
        // Renaming to or from a reserved name grants or takes it from every holder.
        caller.require_reserved([&p.name, &name])?;
        p.name = name;
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
    caller: &Grants,
    id: &str,
) -> Result<(), Error> {
    let p = found(store.get_permission(org_id, id).await)?;
    caller.require_reserved([&p.name])?;
    changed(store.delete_permission(org_id, id).await)
}
