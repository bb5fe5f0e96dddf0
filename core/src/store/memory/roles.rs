//! Roles and permissions.

use super::*;

fn role_exists() -> Error {
    Error::conflict("ROLE_EXISTS", "a role with this name already exists")
}

fn permission_exists() -> Error {
    Error::conflict(
        "PERMISSION_EXISTS",
        "a permission with this name already exists",
    )
}

impl RoleStore for MemoryStore {
    async fn insert_role(&self, role: &Role) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if d.role_name_taken(role) {
            return Err(role_exists());
        }
        d.roles.push(role.clone());
        Ok(())
    }

    async fn get_role(&self, org_id: &str, id: &str) -> StoreResult<Option<Role>> {
        let d = self.data.borrow();
        Ok(d.roles
            .iter()
            .find(|r| r.organization_id == org_id && r.id == id)
            .cloned())
    }

    async fn list_roles(&self, org_id: &str) -> StoreResult<Vec<Role>> {
        let d = self.data.borrow();
        let mut roles: Vec<Role> = d
            .roles
            .iter()
            .filter(|r| r.organization_id == org_id)
            .cloned()
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
    }

    async fn update_role(&self, role: &Role) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if d.role_name_taken(role) {
            return Err(role_exists());
        }
        Ok(replace(
            &mut d.roles,
            |r| r.id == role.id && r.organization_id == role.organization_id,
            role.clone(),
        ))
    }

    async fn delete_role(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let removed = remove(&mut d.roles, |r| r.organization_id == org_id && r.id == id);
        if removed {
            d.user_roles.retain(|(_, r)| r != id);
        }
        Ok(removed)
    }

    async fn insert_permission(&self, p: &Permission) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if d.permission_name_taken(p) {
            return Err(permission_exists());
        }
        d.permissions.push(p.clone());
        Ok(())
    }

    async fn get_permission(&self, org_id: &str, id: &str) -> StoreResult<Option<Permission>> {
        let d = self.data.borrow();
        Ok(d.permissions
            .iter()
            .find(|p| p.organization_id == org_id && p.id == id)
            .cloned())
    }

    async fn list_permissions(&self, org_id: &str) -> StoreResult<Vec<Permission>> {
        let d = self.data.borrow();
        let mut ps: Vec<Permission> = d
            .permissions
            .iter()
            .filter(|p| p.organization_id == org_id)
            .cloned()
            .collect();
        ps.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ps)
    }

    async fn update_permission(&self, p: &Permission) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if d.permission_name_taken(p) {
            return Err(permission_exists());
        }
        Ok(replace(
            &mut d.permissions,
            |x| x.id == p.id && x.organization_id == p.organization_id,
            p.clone(),
        ))
    }

    async fn delete_permission(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let removed = remove(&mut d.permissions, |p| {
            p.organization_id == org_id && p.id == id
        });
        if removed {
            for r in d.roles.iter_mut().filter(|r| r.organization_id == org_id) {
                r.permission_ids.retain(|p| p != id);
            }
        }
        Ok(removed)
    }
}
