//! Storage traits the services are written against. The worker implements them on D1 and
//! KV; [`crate::memory`] implements them in memory for tests.
//!
//! Contract for every implementation: organization-scoped methods never return or touch a
//! row of another organization; inserts that collide with a unique key return
//! [`Error::Conflict`] with the code named on the method; storage failures are
//! [`Error::Internal`].
// The futures are not required to be Send: Workers and browsers are single-threaded.
#![allow(async_fn_in_trait)]

use crate::model::{ApiKey, Application, Organization, Page, Permission, Role, User, UserStatus};
use crate::Error;

pub type StoreResult<T> = Result<T, Error>;

pub trait OrgStore {
    /// Inserts an organization and its first API key together (both or neither).
    /// Conflict: `DOMAIN_TAKEN`.
    async fn insert_org(&self, org: &Organization, first_key: &ApiKey) -> StoreResult<()>;
    async fn get_org(&self, id: &str) -> StoreResult<Option<Organization>>;
    async fn get_org_by_domain(&self, domain: &str) -> StoreResult<Option<Organization>>;
    /// Oldest first, with the total count.
    async fn list_orgs(&self, page: Page) -> StoreResult<(Vec<Organization>, u64)>;
    /// Conflict: `DOMAIN_TAKEN`. Returns false if the organization does not exist.
    async fn update_org(&self, org: &Organization) -> StoreResult<bool>;
    /// Deletes the organization and everything in it.
    async fn delete_org(&self, id: &str) -> StoreResult<bool>;
}

pub trait AppStore {
    async fn insert_app(&self, app: &Application) -> StoreResult<()>;
    async fn get_app(&self, org_id: &str, id: &str) -> StoreResult<Option<Application>>;
    async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<Application>>;
    async fn list_apps(&self, org_id: &str, page: Page) -> StoreResult<(Vec<Application>, u64)>;
    async fn update_app(&self, app: &Application) -> StoreResult<bool>;
    async fn delete_app(&self, org_id: &str, id: &str) -> StoreResult<bool>;
}

/// Filters of the user list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Normalised email, exact match.
    pub email: Option<String>,
    pub status: Option<UserStatus>,
}

pub trait UserStore {
    /// Conflicts: `EMAIL_TAKEN`, `USERNAME_TAKEN`.
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org_id: &str, id: &str) -> StoreResult<Option<User>>;
    async fn get_user_by_email(
        &self,
        org_id: &str,
        email_normalized: &str,
    ) -> StoreResult<Option<User>>;
    /// Oldest first, with the total count.
    async fn list_users(
        &self,
        org_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<(Vec<User>, u64)>;
    /// Conflicts: `EMAIL_TAKEN`, `USERNAME_TAKEN`.
    async fn update_user(&self, user: &User) -> StoreResult<bool>;
    /// Deletes the user and their credentials and role assignments. Login records keep the
    /// user's id.
    async fn delete_user(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    async fn user_role_ids(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<String>>;
    /// Replaces the user's roles (all or nothing). The ids are already checked to be roles
    /// of the organization.
    async fn set_user_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> StoreResult<()>;
}

pub trait RoleStore {
    /// Conflict: `ROLE_EXISTS`.
    async fn insert_role(&self, role: &Role) -> StoreResult<()>;
    async fn get_role(&self, org_id: &str, id: &str) -> StoreResult<Option<Role>>;
    /// By name.
    async fn list_roles(&self, org_id: &str) -> StoreResult<Vec<Role>>;
    /// Conflict: `ROLE_EXISTS`.
    async fn update_role(&self, role: &Role) -> StoreResult<bool>;
    async fn delete_role(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    /// Conflict: `PERMISSION_EXISTS`.
    async fn insert_permission(&self, p: &Permission) -> StoreResult<()>;
    async fn get_permission(&self, org_id: &str, id: &str) -> StoreResult<Option<Permission>>;
    /// By name.
    async fn list_permissions(&self, org_id: &str) -> StoreResult<Vec<Permission>>;
    /// Conflict: `PERMISSION_EXISTS`.
    async fn update_permission(&self, p: &Permission) -> StoreResult<bool>;
    /// Also removes the permission from every role.
    async fn delete_permission(&self, org_id: &str, id: &str) -> StoreResult<bool>;
}

pub trait ApiKeyStore {
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn get_api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>>;
    /// Newest first.
    async fn list_api_keys(&self, org_id: &str) -> StoreResult<Vec<ApiKey>>;
    /// Marks the key revoked; false if unknown or already revoked.
    async fn revoke_api_key(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool>;
}

/// A read-mostly cache (KV in the worker). Eventually consistent: never used for anything
/// whose correctness needs read-after-write.
pub trait Cache {
    async fn get(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put(&self, key: &str, value: &str, ttl_secs: u32) -> StoreResult<()>;
    async fn delete(&self, key: &str) -> StoreResult<()>;
}
