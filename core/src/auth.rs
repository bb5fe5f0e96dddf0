//! Who is calling, and what they may do. Every route names its [`Access`]; the worker
//! authenticates the caller into a [`Principal`] and asks [`authorize`] before any handler
//! runs, so a route is closed unless it says otherwise.

use crate::Error;

/// Administrative permissions. An access token's roles grant them by name; an organization
/// API key holds all of them within its organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    OrganizationsRead,
    OrganizationsWrite,
    ApplicationsRead,
    ApplicationsWrite,
    UsersRead,
    UsersWrite,
    RolesRead,
    RolesWrite,
    ApiKeysRead,
    ApiKeysWrite,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OrganizationsRead => "organizations:read",
            Permission::OrganizationsWrite => "organizations:write",
            Permission::ApplicationsRead => "applications:read",
            Permission::ApplicationsWrite => "applications:write",
            Permission::UsersRead => "users:read",
            Permission::UsersWrite => "users:write",
            Permission::RolesRead => "roles:read",
            Permission::RolesWrite => "roles:write",
            Permission::ApiKeysRead => "api_keys:read",
            Permission::ApiKeysWrite => "api_keys:write",
        }
    }
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Public by design (health, discovery, public configuration).
    Public,
    /// Only the platform operator (the `PLATFORM_ADMIN_KEY` secret).
    Platform,
    /// A credential of one organization holding this permission.
    Org(Permission),
    /// The platform operator, or an organization credential with this permission (which then
    /// sees only its own organization).
    PlatformOrOrg(Permission),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Platform,
    ApiKey {
        organization_id: String,
        key_id: String,
    },
}

/// The scope a handler acts in once authorised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No caller (public route).
    Public,
    /// The platform operator: all organizations.
    Platform,
    /// One organization.
    Org(String),
}

impl Scope {
    /// The organization this scope is confined to, for routes that need one.
    pub fn org_id(&self) -> Result<&str, Error> {
        match self {
            Scope::Org(id) => Ok(id),
            Scope::Public | Scope::Platform => Err(Error::Forbidden),
        }
    }

    /// Whether this scope may see organization `org_id`.
    pub fn sees(&self, org_id: &str) -> bool {
        match self {
            Scope::Platform => true,
            Scope::Org(id) => id == org_id,
            Scope::Public => false,
        }
    }
}

/// Decides whether `principal` may use a route requiring `access`.
pub fn authorize(access: Access, principal: Option<&Principal>) -> Result<Scope, Error> {
    let org_scope = |p: &Principal, _perm: Permission| match p {
        // API keys hold every permission within their organization.
        Principal::ApiKey {
            organization_id, ..
        } => Ok(Scope::Org(organization_id.clone())),
        Principal::Platform => Err(Error::Forbidden),
    };
    match (access, principal) {
        (Access::Public, _) => Ok(Scope::Public),
        (_, None) => Err(Error::Unauthorized),
        (Access::Platform, Some(Principal::Platform)) => Ok(Scope::Platform),
        (Access::Platform, Some(_)) => Err(Error::Forbidden),
        (Access::Org(perm), Some(p)) => org_scope(p, perm),
        (Access::PlatformOrOrg(_), Some(Principal::Platform)) => Ok(Scope::Platform),
        (Access::PlatformOrOrg(perm), Some(p)) => org_scope(p, perm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(org: &str) -> Principal {
        Principal::ApiKey {
            organization_id: org.into(),
            key_id: "k".into(),
        }
    }

    #[test]
    fn test_auth_closed_unless_public() {
        for access in [
            Access::Platform,
            Access::Org(Permission::UsersRead),
            Access::PlatformOrOrg(Permission::OrganizationsRead),
        ] {
            assert_eq!(authorize(access, None), Err(Error::Unauthorized));
        }
        assert_eq!(authorize(Access::Public, None), Ok(Scope::Public));
    }

    #[test]
    fn test_auth_platform_and_org_keys() {
        assert_eq!(
            authorize(Access::Platform, Some(&Principal::Platform)),
            Ok(Scope::Platform)
        );
        assert_eq!(
            authorize(Access::Platform, Some(&key("a"))),
            Err(Error::Forbidden)
        );
        assert_eq!(
            authorize(Access::Org(Permission::UsersWrite), Some(&key("a"))),
            Ok(Scope::Org("a".into()))
        );
        assert_eq!(
            authorize(
                Access::Org(Permission::UsersWrite),
                Some(&Principal::Platform)
            ),
            Err(Error::Forbidden)
        );
        assert_eq!(
            authorize(
                Access::PlatformOrOrg(Permission::OrganizationsRead),
                Some(&key("a"))
            ),
            Ok(Scope::Org("a".into()))
        );
    }

    #[test]
    fn test_auth_scope_visibility() {
        assert!(Scope::Platform.sees("x"));
        assert!(Scope::Org("a".into()).sees("a"));
        assert!(!Scope::Org("a".into()).sees("b"));
        assert_eq!(Scope::Platform.org_id(), Err(Error::Forbidden));
    }
}
