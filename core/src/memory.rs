//! In-memory implementations of the storage traits, so every service runs under plain
//! `cargo test`. They honour the same contract as the D1 stores (scoping, conflicts,
//! cascades).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::model::{
    ApiKey, Application, LoginRecord, OneTimeCode, Organization, Page, Permission, RefreshToken,
    Registration, Role, Session, User,
};
use crate::store::{
    ApiKeyStore, AppStore, Cache, CodeStore, LoginWrite, OrgStore, RegistrationStore, RoleStore,
    Rotation, SessionStore, StoreResult, UserFilter, UserStore,
};
use crate::Error;

#[derive(Debug, Default)]
struct Data {
    orgs: Vec<Organization>,
    keys: Vec<ApiKey>,
    apps: Vec<Application>,
    users: Vec<User>,
    roles: Vec<Role>,
    permissions: Vec<Permission>,
    /// (user id, role id)
    user_roles: Vec<(String, String)>,
    sessions: Vec<Session>,
    refresh_tokens: Vec<StoredRefresh>,
    pub(crate) records: Vec<LoginRecord>,
    last_login: HashMap<String, i64>,
    /// (chain sequence number, row hash) of each record, index for index.
    chain: Vec<(i64, String)>,
    checkpoints: Vec<(String, crate::chain::Checkpoint)>,
    /// (user id, registration)
    registrations: Vec<(String, Registration)>,
    codes: Vec<OneTimeCode>,
}

#[derive(Debug, Clone)]
struct StoredRefresh {
    token: RefreshToken,
    used_at: Option<i64>,
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    data: RefCell<Data>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every login record written so far, oldest first (for tests).
    pub fn records(&self) -> Vec<LoginRecord> {
        self.data.borrow().records.clone()
    }

    /// The user's last successful login (for tests).
    pub fn last_login(&self, user_id: &str) -> Option<i64> {
        self.data.borrow().last_login.get(user_id).copied()
    }
}

fn paged<T: Clone>(items: impl Iterator<Item = T>, page: Page) -> (Vec<T>, u64) {
    let all: Vec<T> = items.collect();
    let total = all.len() as u64;
    let rows = all
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .collect();
    (rows, total)
}

fn replace<T>(items: &mut [T], matches: impl Fn(&T) -> bool, new: T) -> bool {
    match items.iter_mut().find(|x| matches(x)) {
        Some(slot) => {
            *slot = new;
            true
        }
        None => false,
    }
}

fn remove<T>(items: &mut Vec<T>, matches: impl Fn(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|x| !matches(x));
    items.len() != before
}

impl Data {
    /// Appends a record with the next sequence number of its organization, as the D1
    /// store's INSERT does.
    fn push_record(&mut self, r: &LoginRecord) {
        let seq = self
            .records
            .iter()
            .zip(&self.chain)
            .filter(|(x, _)| x.organization_id == r.organization_id)
            .map(|(_, (s, _))| *s)
            .max()
            .unwrap_or(0)
            + 1;
        self.chain.push((seq, crate::chain::row_hash(r)));
        self.records.push(r.clone());
    }

    fn retain_records(&mut self, mut keep: impl FnMut(usize, &LoginRecord) -> bool) {
        let flags: Vec<bool> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| keep(i, r))
            .collect();
        let mut it = flags.iter();
        self.records.retain(|_| *it.next().unwrap_or(&true));
        let mut it = flags.iter();
        self.chain.retain(|_| *it.next().unwrap_or(&true));
    }

    fn domain_taken(&self, domain: &Option<String>, except: &str) -> bool {
        domain.is_some()
            && self
                .orgs
                .iter()
                .any(|o| o.custom_domain == *domain && o.id != except)
    }

    fn user_conflict(&self, u: &User) -> Option<Error> {
        let same_org = self
            .users
            .iter()
            .filter(|x| x.organization_id == u.organization_id && x.id != u.id);
        for other in same_org {
            if other.email_normalized == u.email_normalized {
                return Some(Error::conflict(
                    "EMAIL_TAKEN",
                    "a user with this email already exists",
                ));
            }
            if u.username.is_some() && other.username == u.username {
                return Some(Error::conflict(
                    "USERNAME_TAKEN",
                    "a user with this username already exists",
                ));
            }
        }
        None
    }

    fn role_name_taken(&self, r: &Role) -> bool {
        self.roles
            .iter()
            .any(|x| x.organization_id == r.organization_id && x.name == r.name && x.id != r.id)
    }

    fn permission_name_taken(&self, p: &Permission) -> bool {
        self.permissions
            .iter()
            .any(|x| x.organization_id == p.organization_id && x.name == p.name && x.id != p.id)
    }
}

fn domain_taken() -> Error {
    Error::conflict(
        "DOMAIN_TAKEN",
        "this custom domain belongs to another organization",
    )
}

impl OrgStore for MemoryStore {
    async fn insert_org(&self, org: &Organization, first_key: &ApiKey) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if d.domain_taken(&org.custom_domain, &org.id) {
            return Err(domain_taken());
        }
        d.orgs.push(org.clone());
        d.keys.push(first_key.clone());
        Ok(())
    }

    async fn get_org(&self, id: &str) -> StoreResult<Option<Organization>> {
        Ok(self.data.borrow().orgs.iter().find(|o| o.id == id).cloned())
    }

    async fn get_org_by_domain(&self, domain: &str) -> StoreResult<Option<Organization>> {
        let d = self.data.borrow();
        Ok(d.orgs
            .iter()
            .find(|o| o.custom_domain.as_deref() == Some(domain))
            .cloned())
    }

    async fn list_orgs(&self, page: Page) -> StoreResult<(Vec<Organization>, u64)> {
        Ok(paged(self.data.borrow().orgs.iter().cloned(), page))
    }

    async fn update_org(&self, org: &Organization) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if d.domain_taken(&org.custom_domain, &org.id) {
            return Err(domain_taken());
        }
        Ok(replace(&mut d.orgs, |o| o.id == org.id, org.clone()))
    }

    async fn delete_org(&self, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let user_ids: Vec<String> = d
            .users
            .iter()
            .filter(|u| u.organization_id == id)
            .map(|u| u.id.clone())
            .collect();
        d.user_roles.retain(|(u, _)| !user_ids.contains(u));
        let session_ids: Vec<String> = d
            .sessions
            .iter()
            .filter(|s| s.organization_id == id)
            .map(|s| s.id.clone())
            .collect();
        d.refresh_tokens
            .retain(|t| !session_ids.contains(&t.token.session_id));
        d.sessions.retain(|s| s.organization_id != id);
        let keep: Vec<bool> = d.records.iter().map(|r| r.organization_id != id).collect();
        d.retain_records(|i, _| keep[i]);
        d.checkpoints.retain(|(o, _)| o != id);
        d.keys.retain(|k| k.organization_id != id);
        d.apps.retain(|a| a.organization_id != id);
        d.users.retain(|u| u.organization_id != id);
        d.roles.retain(|r| r.organization_id != id);
        d.permissions.retain(|p| p.organization_id != id);
        Ok(remove(&mut d.orgs, |o| o.id == id))
    }
}

impl AppStore for MemoryStore {
    async fn insert_app(&self, app: &Application) -> StoreResult<()> {
        self.data.borrow_mut().apps.push(app.clone());
        Ok(())
    }

    async fn get_app(&self, org_id: &str, id: &str) -> StoreResult<Option<Application>> {
        let d = self.data.borrow();
        Ok(d.apps
            .iter()
            .find(|a| a.organization_id == org_id && a.id == id)
            .cloned())
    }

    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool> {
        Ok(self
            .data
            .borrow()
            .apps
            .iter()
            .any(|a| a.allowed_origins.iter().any(|o| o == origin)))
    }

    async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<Application>> {
        Ok(self
            .data
            .borrow()
            .apps
            .iter()
            .find(|a| a.client_id == client_id)
            .cloned())
    }

    async fn list_apps(&self, org_id: &str, page: Page) -> StoreResult<(Vec<Application>, u64)> {
        let d = self.data.borrow();
        Ok(paged(
            d.apps
                .iter()
                .filter(|a| a.organization_id == org_id)
                .cloned(),
            page,
        ))
    }

    async fn update_app(&self, app: &Application) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        Ok(replace(
            &mut d.apps,
            |a| a.id == app.id && a.organization_id == app.organization_id,
            app.clone(),
        ))
    }

    async fn delete_app(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        Ok(remove(&mut self.data.borrow_mut().apps, |a| {
            a.organization_id == org_id && a.id == id
        }))
    }
}

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
        });
        Ok(paged(rows.cloned(), page))
    }

    async fn update_user(&self, user: &User) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if let Some(e) = d.user_conflict(user) {
            return Err(e);
        }
        Ok(replace(
            &mut d.users,
            |u| u.id == user.id && u.organization_id == user.organization_id,
            user.clone(),
        ))
    }

    async fn delete_user(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let removed = remove(&mut d.users, |u| u.organization_id == org_id && u.id == id);
        if removed {
            d.user_roles.retain(|(u, _)| u != id);
            d.registrations.retain(|(u, _)| u != id);
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

impl ApiKeyStore for MemoryStore {
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        self.data.borrow_mut().keys.push(key.clone());
        Ok(())
    }

    async fn get_api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self
            .data
            .borrow()
            .keys
            .iter()
            .find(|k| k.prefix == prefix)
            .cloned())
    }

    async fn list_api_keys(&self, org_id: &str) -> StoreResult<Vec<ApiKey>> {
        let d = self.data.borrow();
        Ok(d.keys
            .iter()
            .rev()
            .filter(|k| k.organization_id == org_id)
            .cloned()
            .collect())
    }

    async fn revoke_api_key(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        match d
            .keys
            .iter_mut()
            .find(|k| k.organization_id == org_id && k.id == id && k.revoked_at.is_none())
        {
            Some(k) => {
                k.revoked_at = Some(now);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// An in-memory [`Cache`] that also counts reads that hit, for tests.
#[derive(Debug, Default)]
pub struct MemoryCache {
    entries: RefCell<HashMap<String, String>>,
    pub hits: RefCell<u32>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.borrow().contains_key(key)
    }
}

impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> StoreResult<Option<String>> {
        let v = self.entries.borrow().get(key).cloned();
        if v.is_some() {
            *self.hits.borrow_mut() += 1;
        }
        Ok(v)
    }

    async fn put(&self, key: &str, value: &str, _ttl_secs: u32) -> StoreResult<()> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}

impl SessionStore for MemoryStore {
    async fn record_login(&self, w: LoginWrite<'_>) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        d.sessions.push(w.session.clone());
        if let Some(t) = w.refresh_token {
            d.refresh_tokens.push(StoredRefresh {
                token: t.clone(),
                used_at: None,
            });
        }
        d.push_record(w.record);
        d.last_login
            .insert(w.session.user_id.clone(), w.session.created_at);
        if let Some(hash) = w.rehash {
            let user_id = w.session.user_id.clone();
            if let Some(u) = d.users.iter_mut().find(|u| u.id == user_id) {
                u.password_hash = Some(hash.to_owned());
            }
        }
        Ok(())
    }

    async fn record_failure(&self, record: &LoginRecord) -> StoreResult<()> {
        self.data.borrow_mut().push_record(record);
        Ok(())
    }

    async fn record_ping(&self, record: &LoginRecord) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(user) = &record.user_id {
            d.last_login.insert(user.clone(), record.created_at);
        }
        d.push_record(record);
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &RefreshToken,
        now: i64,
    ) -> StoreResult<Rotation> {
        let mut d = self.data.borrow_mut();
        let Some(idx) = d
            .refresh_tokens
            .iter()
            .position(|t| t.token.token_hash == old_hash)
        else {
            return Ok(Rotation::Invalid);
        };
        let old = d.refresh_tokens[idx].clone();
        let session_id = old.token.session_id.clone();
        let Some(si) = d.sessions.iter().position(|s| s.id == session_id) else {
            return Ok(Rotation::Invalid);
        };
        if old.used_at.is_some() {
            if d.sessions[si].revoked_at.is_none() {
                d.sessions[si].revoked_at = Some(now);
            }
            return Ok(Rotation::Reused { session_id });
        }
        if !d.sessions[si].is_active(now) || old.token.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        d.refresh_tokens[idx].used_at = Some(now);
        d.refresh_tokens.push(StoredRefresh {
            token: new.clone(),
            used_at: None,
        });
        d.sessions[si].last_active_at = now;
        Ok(Rotation::Rotated(Box::new(d.sessions[si].clone())))
    }

    async fn session_of_refresh_token(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let d = self.data.borrow();
        let Some(t) = d
            .refresh_tokens
            .iter()
            .find(|t| t.token.token_hash == token_hash)
        else {
            return Ok(None);
        };
        Ok(d.sessions
            .iter()
            .find(|s| s.id == t.token.session_id)
            .cloned())
    }

    async fn get_session(&self, org_id: &str, id: &str) -> StoreResult<Option<Session>> {
        let d = self.data.borrow();
        Ok(d.sessions
            .iter()
            .find(|s| s.organization_id == org_id && s.id == id)
            .cloned())
    }

    async fn list_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        include_inactive: bool,
        now: i64,
    ) -> StoreResult<Vec<Session>> {
        let d = self.data.borrow();
        let mut out: Vec<Session> = d
            .sessions
            .iter()
            .filter(|s| {
                s.organization_id == org_id
                    && s.user_id == user_id
                    && (include_inactive || s.is_active(now))
            })
            .cloned()
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(out)
    }

    async fn revoke_session(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        match d
            .sessions
            .iter_mut()
            .find(|s| s.organization_id == org_id && s.id == id && s.revoked_at.is_none())
        {
            Some(s) => {
                s.revoked_at = Some(now);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn revoke_user_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let mut n = 0;
        for s in d.sessions.iter_mut().filter(|s| {
            s.organization_id == org_id && s.user_id == user_id && s.revoked_at.is_none()
        }) {
            s.revoked_at = Some(now);
            n += 1;
        }
        Ok(n)
    }

    async fn recent_logins(
        &self,
        org_id: &str,
        user_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::risk::PastLogin>> {
        let d = self.data.borrow();
        Ok(d.records
            .iter()
            .rev()
            .filter(|r| {
                r.organization_id == org_id
                    && r.user_id.as_deref() == Some(user_id)
                    && r.outcome == crate::model::Outcome::Success
            })
            .take(limit as usize)
            .map(|r| crate::risk::PastLogin {
                created_at: r.created_at,
                user_agent: r.client.user_agent.clone(),
                device_name: r.client.device_name.clone(),
                country: r.client.country.clone(),
                latitude_e6: r.client.latitude_e6,
                longitude_e6: r.client.longitude_e6,
            })
            .collect())
    }

    async fn add_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        self.data.borrow_mut().refresh_tokens.push(StoredRefresh {
            token: token.clone(),
            used_at: None,
        });
        Ok(())
    }

    async fn touch_session(&self, id: &str, now: i64) -> StoreResult<()> {
        if let Some(s) = self
            .data
            .borrow_mut()
            .sessions
            .iter_mut()
            .find(|s| s.id == id)
        {
            s.last_active_at = now;
        }
        Ok(())
    }
}

impl RegistrationStore for MemoryStore {
    async fn register(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let same_org = d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
            && d.apps
                .iter()
                .any(|a| a.id == application_id && a.organization_id == org_id);
        if !same_org
            || d.registrations
                .iter()
                .any(|(u, r)| u == user_id && r.application_id == application_id)
        {
            return Ok(false);
        }
        d.registrations.push((
            user_id.to_owned(),
            Registration {
                application_id: application_id.to_owned(),
                created_at: now,
            },
        ));
        Ok(true)
    }

    async fn unregister(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: &str,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        if !d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
        {
            return Ok(false);
        }
        Ok(remove(&mut d.registrations, |(u, r)| {
            u == user_id && r.application_id == application_id
        }))
    }

    async fn registrations(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Registration>> {
        let d = self.data.borrow();
        if !d
            .users
            .iter()
            .any(|u| u.id == user_id && u.organization_id == org_id)
        {
            return Ok(Vec::new());
        }
        Ok(d.registrations
            .iter()
            .filter(|(u, _)| u == user_id)
            .map(|(_, r)| r.clone())
            .collect())
    }

    async fn is_registered(&self, user_id: &str, application_id: &str) -> StoreResult<bool> {
        let d = self.data.borrow();
        Ok(d.registrations
            .iter()
            .any(|(u, r)| u == user_id && r.application_id == application_id))
    }
}

impl CodeStore for MemoryStore {
    async fn insert_code(&self, code: &OneTimeCode) -> StoreResult<()> {
        self.data.borrow_mut().codes.push(code.clone());
        Ok(())
    }

    async fn consume_code(
        &self,
        code_hash: &str,
        purpose: &str,
        now: i64,
    ) -> StoreResult<Option<OneTimeCode>> {
        let mut d = self.data.borrow_mut();
        let Some(i) = d
            .codes
            .iter()
            .position(|c| c.code_hash == code_hash && c.purpose == purpose && c.expires_at > now)
        else {
            return Ok(None);
        };
        Ok(Some(d.codes.remove(i)))
    }
}

impl MemoryStore {
    fn stored(
        &self,
        org_id: &str,
        keep: impl Fn(&LoginRecord) -> bool,
    ) -> Vec<crate::records::StoredRecord> {
        let d = self.data.borrow();
        d.records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.organization_id == org_id && keep(r))
            .map(|(i, r)| crate::records::StoredRecord {
                id: i as i64 + 1,
                chain_seq: d.chain.get(i).map(|c| c.0),
                row_hash: d.chain.get(i).map(|c| c.1.clone()),
                record: r.clone(),
                application_name: r
                    .application_id
                    .as_ref()
                    .and_then(|a| d.apps.iter().find(|x| &x.id == a))
                    .map(|a| a.name.clone()),
            })
            .collect()
    }
}

impl crate::store::RecordStore for MemoryStore {
    async fn prune(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let mut left = limit;
        d.retain_records(|_, r| {
            let old = left > 0 && r.organization_id == org_id && r.created_at < before;
            if old {
                left -= 1;
            }
            !old
        });
        Ok(limit - left)
    }

    async fn user_records(
        &self,
        org_id: &str,
        user_id: &str,
        outcome: Option<crate::model::Outcome>,
        page: Page,
    ) -> StoreResult<(Vec<crate::records::StoredRecord>, u64)> {
        let mut rows = self.stored(org_id, |r| {
            r.user_id.as_deref() == Some(user_id) && outcome.is_none_or(|o| r.outcome == o)
        });
        rows.reverse();
        Ok(paged(rows.into_iter(), page))
    }

    async fn user_logins(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<crate::records::StoredRecord>> {
        let mut rows = self.stored(org_id, |r| {
            r.user_id.as_deref() == Some(user_id)
                && r.outcome == crate::model::Outcome::Success
                && application_id.is_none_or(|a| r.application_id.as_deref() == Some(a))
        });
        rows.reverse();
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn search(
        &self,
        org_id: &str,
        c: &crate::records::Criteria,
        start_row: u32,
        number_of_results: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<crate::records::StoredRecord>, Option<u64>)> {
        let rows = self.stored(org_id, |r| {
            r.outcome == crate::model::Outcome::Success
                && c.application_id
                    .as_ref()
                    .is_none_or(|a| r.application_id.as_ref() == Some(a))
                && c.user_id
                    .as_ref()
                    .is_none_or(|u| r.user_id.as_ref() == Some(u))
                && c.start.is_none_or(|s| r.created_at >= s)
                && c.end.is_none_or(|e| r.created_at <= e)
        });
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|s| c.after_id.is_none_or(|a| s.id > a))
            .collect();
        let (page, total) = paged(
            rows.into_iter(),
            Page {
                limit: number_of_results,
                offset: start_row,
            },
        );
        Ok((page, with_total.then_some(total)))
    }
}

impl MemoryStore {
    /// Rewrites a stored record in place, as an attacker with database access might (tests
    /// of tamper evidence only).
    pub fn tamper_record(&self, seq: i64, org_id: &str, edit: impl FnOnce(&mut LoginRecord)) {
        let mut d = self.data.borrow_mut();
        let idx = d
            .records
            .iter()
            .zip(&d.chain)
            .position(|(r, (s, _))| r.organization_id == org_id && *s == seq);
        if let Some(i) = idx {
            edit(&mut d.records[i]);
        }
    }

    /// Deletes a stored record outright (tests of tamper evidence only).
    pub fn delete_record(&self, seq: i64, org_id: &str) {
        let mut d = self.data.borrow_mut();
        let keep: Vec<bool> = d
            .records
            .iter()
            .zip(&d.chain)
            .map(|(r, (s, _))| !(r.organization_id == org_id && *s == seq))
            .collect();
        d.retain_records(|i, _| keep[i]);
    }
}

impl crate::store::ChainStore for MemoryStore {
    async fn first_seq(&self, org_id: &str) -> StoreResult<Option<i64>> {
        let d = self.data.borrow();
        Ok(d.records
            .iter()
            .zip(&d.chain)
            .filter(|(r, _)| r.organization_id == org_id)
            .map(|(_, (s, _))| *s)
            .min())
    }

    async fn chain_rows(
        &self,
        org_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<crate::chain::ChainRow>> {
        let d = self.data.borrow();
        let mut rows: Vec<crate::chain::ChainRow> = d
            .records
            .iter()
            .zip(&d.chain)
            .filter(|(r, (s, _))| r.organization_id == org_id && *s > after_seq)
            .map(|(r, (s, h))| crate::chain::ChainRow {
                seq: *s,
                row_hash: h.clone(),
                record: r.clone(),
            })
            .collect();
        rows.sort_by_key(|r| r.seq);
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn checkpoints(
        &self,
        org_id: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> StoreResult<Vec<crate::chain::Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq >= from_seq && c.seq <= to_seq)
            .map(|(_, c)| c.clone())
            .collect())
    }

    async fn checkpoint_at_or_before(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<crate::chain::Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq <= seq)
            .map(|(_, c)| c.clone())
            .max_by_key(|c| c.seq))
    }

    async fn checkpoint_at_or_after(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<crate::chain::Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq >= seq)
            .map(|(_, c)| c.clone())
            .min_by_key(|c| c.seq))
    }

    async fn insert_checkpoint(
        &self,
        org_id: &str,
        cp: &crate::chain::Checkpoint,
        _now: i64,
    ) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if !d
            .checkpoints
            .iter()
            .any(|(o, c)| o == org_id && c.seq == cp.seq)
        {
            d.checkpoints.push((org_id.to_owned(), cp.clone()));
        }
        Ok(())
    }
}
