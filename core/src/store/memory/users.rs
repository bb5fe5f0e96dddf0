//! Users, their roles and their last login.

use super::*;

impl UserStore for MemoryStore {
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(e) = d.user_conflict(user) {
            return Err(e);
        }
        d.users.push(user.clone());
        Ok(())
    }

    async fn get_user(&self, org_id: &str, id: &str) -> StoreResult<Option<User>> {
        let d = self.data.borrow();
        Ok(d.users
            .iter()
            .find(|u| u.organization_id == org_id && u.id == id)
            .cloned())
    }

    async fn get_user_by_email(
        &self,
        org_id: &str,
        email_normalized: &str,
    ) -> StoreResult<Option<User>> {
        let d = self.data.borrow();
        Ok(d.users
            .iter()
            .find(|u| u.organization_id == org_id && u.email_normalized == email_normalized)
            .cloned())
    }

    async fn list_users(
        &self,
        org_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<(Vec<User>, u64)> {
        let d = self.data.borrow();
        let rows = d.users.iter().filter(|u| {
            u.organization_id == org_id
                && filter
                    .email
                    .as_ref()
                    .is_none_or(|e| *e == u.email_normalized)
                && filter.status.is_none_or(|s| s == u.status)
                && filter.has_text(u)
        });
        Ok(paged(rows.cloned(), page))
    }

    async fn update_user(&self, user: &User, read_at: i64) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if let Some(e) = d.user_conflict(user) {
            return Err(e);
        }
        Ok(replace(
            &mut d.users,
            |u| {
                u.id == user.id
                    && u.organization_id == user.organization_id
                    && u.updated_at == read_at
            },
            user.clone(),
        ))
    }

    async fn complete_password_change(
        &self,
        org_id: &str,
        user_id: &str,
        current_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let Some(u) = d.users.iter_mut().find(|u| {
            u.organization_id == org_id
                && u.id == user_id
                && u.password_change_required
                && u.password_hash.as_deref() == Some(current_hash)
        }) else {
            return Ok(false);
        };
        u.password_hash = Some(password_hash.to_owned());
        u.password_change_required = false;
        u.updated_at = now.max(u.updated_at + 1);
        Ok(true)
    }

    async fn delete_user(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let removed = remove(&mut d.users, |u| u.organization_id == org_id && u.id == id);
        if removed {
            d.user_roles.retain(|(u, _)| u != id);
            d.registrations.retain(|(u, _)| u != id);
            d.passkeys.retain(|p| p.user_id != id);
            d.mfa_factors.retain(|f| f.user_id != id);
            d.backup_codes.retain(|(_, u, _)| u != id);
            d.identities.retain(|i| i.user_id != id);
            let sessions: Vec<String> = d
                .sessions
                .iter()
                .filter(|s| s.user_id == id)
                .map(|s| s.id.clone())
                .collect();
            d.refresh_tokens
                .retain(|t| !sessions.contains(&t.token.session_id));
            d.sessions.retain(|s| s.user_id != id);
        }
        Ok(removed)
    }

    async fn user_role_ids(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        let d = self.data.borrow();
        let role_names: HashMap<&str, &str> = d
            .roles
            .iter()
            .filter(|r| r.organization_id == org_id)
            .map(|r| (r.id.as_str(), r.name.as_str()))
            .collect();
        let mut ids: Vec<&String> = d
            .user_roles
            .iter()
            .filter(|(u, r)| u == user_id && role_names.contains_key(r.as_str()))
            .map(|(_, r)| r)
            .collect();
        ids.sort_by_key(|r| role_names.get(r.as_str()).copied());
        Ok(ids.into_iter().cloned().collect())
    }

    async fn set_user_roles(
        &self,
        _org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.user_roles.retain(|(u, _)| u != user_id);
        d.user_roles
            .extend(role_ids.iter().map(|r| (user_id.to_owned(), r.clone())));
        Ok(())
    }

    async fn user_role_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        let ids = self.user_role_ids(org_id, user_id).await?;
        let d = self.data.borrow();
        let mut names: Vec<String> = d
            .roles
            .iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| r.name.clone())
            .collect();
        names.sort();
        Ok(names)
    }

    async fn user_permission_names(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
        let ids = self.user_role_ids(org_id, user_id).await?;
        let d = self.data.borrow();
        let perm_ids: Vec<&String> = d
            .roles
            .iter()
            .filter(|r| ids.contains(&r.id))
            .flat_map(|r| &r.permission_ids)
            .collect();
        let mut names: Vec<String> = d
            .permissions
            .iter()
            .filter(|p| p.organization_id == org_id && perm_ids.contains(&&p.id))
            .map(|p| p.name.clone())
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    async fn find_by_phone(&self, org_id: &str, phone: &str) -> StoreResult<Option<User>> {
        let d = self.data.borrow();
        Ok(d.users
            .iter()
            .find(|u| u.organization_id == org_id && u.phone.as_deref() == Some(phone))
            .cloned())
    }

    async fn find_login(&self, org_id: &str, login_id: &str) -> StoreResult<Option<User>> {
        let d = self.data.borrow();
        Ok(d.users
            .iter()
            .find(|u| {
                u.organization_id == org_id
                    && (u.email_normalized == login_id || u.username.as_deref() == Some(login_id))
            })
            .cloned())
    }
}
