//! What a caller may do. Every route names its [`Access`]; the worker authenticates the
//! caller into a [`Principal`] ([`crate::http::caller`]) and asks [`authorize`] before any
//! handler runs, so a route is closed unless it says otherwise.

use crate::Error;

/// Administrative permissions. An organization API key holds all of them or a listed
/// subset; an access token's roles grant them by name (issue: password login).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// Call the Login API of seed 003 on behalf of users.
    Login,
    /// Read and export login records across users.
    LoginRecordsRead,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::OrganizationsRead,
        Permission::OrganizationsWrite,
        Permission::ApplicationsRead,
        Permission::ApplicationsWrite,
        Permission::UsersRead,
        Permission::UsersWrite,
        Permission::RolesRead,
        Permission::RolesWrite,
        Permission::ApiKeysRead,
        Permission::ApiKeysWrite,
        Permission::Login,
        Permission::LoginRecordsRead,
    ];

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
            Permission::Login => "login",
            Permission::LoginRecordsRead => "login_records:read",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The permissions a credential holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grants {
    /// Every administrative permission (an unrestricted API key).
    All,
    /// Only these.
    Only(Vec<Permission>),
}

impl Grants {
    pub fn allows(&self, p: Permission) -> bool {
        match self {
            Grants::All => true,
            Grants::Only(list) => list.contains(&p),
        }
    }

    /// Whether every permission of `other` is held here (so a key cannot mint a stronger one).
    pub fn covers(&self, other: &Grants) -> bool {
        match (self, other) {
            (Grants::All, _) => true,
            (Grants::Only(_), Grants::All) => false,
            (Grants::Only(_), Grants::Only(wanted)) => wanted.iter().all(|p| self.allows(*p)),
        }
    }

    /// Parses permission names; unknown names are an `INVALID_PERMISSIONS` error. `None`
    /// means all.
    pub fn parse(names: Option<&[String]>) -> Result<Grants, Error> {
        let Some(names) = names else {
            return Ok(Grants::All);
        };
        let mut out = Vec::new();
        for n in names {
            let p = Permission::parse(n).ok_or_else(|| {
                Error::invalid_field("INVALID_PERMISSIONS", format!("unknown permission {n:?}"))
            })?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out.sort();
        Ok(Grants::Only(out))
    }

    /// The administrative permissions among `names`, ignoring the organization's own
    /// permission names that Latchkey does not know.
    pub fn known(names: &[String]) -> Grants {
        let mut out: Vec<Permission> = names.iter().filter_map(|n| Permission::parse(n)).collect();
        out.sort();
        out.dedup();
        Grants::Only(out)
    }

    /// Latchkey's own permission names are reserved: an organization permission named like
    /// one grants it (see [`Grants::known`]), so creating, renaming, granting, assigning or
    /// removing one requires that the caller already holds it. `FORBIDDEN` otherwise; names
    /// that are not Latchkey's pass.
    pub fn require_reserved<S: AsRef<str>>(
        &self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<(), Error> {
        for name in names {
            if let Some(p) = Permission::parse(name.as_ref()) {
                if !self.allows(p) {
                    return Err(Error::Forbidden);
                }
            }
        }
        Ok(())
    }

    /// Permission names, `None` for all.
    pub fn names(&self) -> Option<Vec<String>> {
        match self {
            Grants::All => None,
            Grants::Only(list) => Some(list.iter().map(|p| p.as_str().to_owned()).collect()),
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
    /// A signed-in user's access token (the user's own data).
    User,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Platform,
    ApiKey {
        organization_id: String,
        key_id: String,
        grants: Grants,
    },
    /// A user's access token, of an active session. `grants` are the administrative
    /// permissions their roles hold (loaded only for administrative routes).
    User {
        organization_id: String,
        user_id: String,
        session_id: String,
        grants: Grants,
        /// The access token's audience: the application it was issued for.
        audience: String,
    },
}

impl Principal {
    /// Who acted, for the records an action leaves (`api_key:<id>`, `user:<id>`,
    /// `platform`).
    pub fn actor(&self) -> String {
        match self {
            Principal::Platform => "platform".to_owned(),
            Principal::ApiKey { key_id, .. } => format!("api_key:{key_id}"),
            Principal::User { user_id, .. } => format!("user:{user_id}"),
        }
    }

    /// What this caller holds within its organization.
    pub fn grants(&self) -> Grants {
        match self {
            Principal::Platform => Grants::Only(Vec::new()),
            Principal::ApiKey { grants, .. } | Principal::User { grants, .. } => grants.clone(),
        }
    }
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
    /// One signed-in user.
    User {
        organization_id: String,
        user_id: String,
        session_id: String,
    },
}

impl Scope {
    /// The organization this scope is confined to, for routes that need one.
    pub fn org_id(&self) -> Result<&str, Error> {
        match self {
            Scope::Org(id) => Ok(id),
            Scope::Public | Scope::Platform | Scope::User { .. } => Err(Error::Forbidden),
        }
    }

    /// Whether this scope may see organization `org_id`.
    pub fn sees(&self, org_id: &str) -> bool {
        match self {
            Scope::Platform => true,
            Scope::Org(id) => id == org_id,
            Scope::Public | Scope::User { .. } => false,
        }
    }
}

/// Decides whether `principal` may use a route requiring `access`.
pub fn authorize(access: Access, principal: Option<&Principal>) -> Result<Scope, Error> {
    let in_org = |p: &Principal, perm: Permission| match p {
        Principal::ApiKey {
            organization_id,
            grants,
            ..
        }
        | Principal::User {
            organization_id,
            grants,
            ..
        } if grants.allows(perm) => Ok(Scope::Org(organization_id.clone())),
        Principal::ApiKey { .. } | Principal::User { .. } | Principal::Platform => {
            Err(Error::Forbidden)
        }
    };
    match (access, principal) {
        (Access::Public, _) => Ok(Scope::Public),
        (_, None) => Err(Error::Unauthorized),
        (Access::Platform, Some(Principal::Platform)) => Ok(Scope::Platform),
        (Access::Platform, Some(_)) => Err(Error::Forbidden),
        (Access::Org(perm), Some(p)) => in_org(p, perm),
        (Access::PlatformOrOrg(_), Some(Principal::Platform)) => Ok(Scope::Platform),
        (Access::PlatformOrOrg(perm), Some(p)) => in_org(p, perm),
        (
            Access::User,
            Some(Principal::User {
                organization_id,
                user_id,
                session_id,
                ..
            }),
        ) => Ok(Scope::User {
            organization_id: organization_id.clone(),
            user_id: user_id.clone(),
            session_id: session_id.clone(),
        }),
        (Access::User, Some(_)) => Err(Error::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(org: &str, grants: Grants) -> Principal {
        Principal::ApiKey {
            organization_id: org.into(),
            key_id: "k".into(),
            grants,
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
        let full = key("a", Grants::All);
        assert_eq!(
            authorize(Access::Platform, Some(&Principal::Platform)),
            Ok(Scope::Platform)
        );
        assert_eq!(
            authorize(Access::Platform, Some(&full)),
            Err(Error::Forbidden)
        );
        assert_eq!(
            authorize(Access::Org(Permission::UsersWrite), Some(&full)),
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
                Some(&full)
            ),
            Ok(Scope::Org("a".into()))
        );
    }

    #[test]
    fn test_auth_restricted_key_gets_only_its_permissions() {
        let ro = key("a", Grants::Only(vec![Permission::UsersRead]));
        assert!(authorize(Access::Org(Permission::UsersRead), Some(&ro)).is_ok());
        assert_eq!(
            authorize(Access::Org(Permission::UsersWrite), Some(&ro)),
            Err(Error::Forbidden)
        );
        assert_eq!(
            authorize(
                Access::PlatformOrOrg(Permission::OrganizationsRead),
                Some(&ro)
            ),
            Err(Error::Forbidden)
        );
    }

    #[test]
    fn test_auth_grants_parse_and_cover() {
        let names = vec![
            "users:write".to_owned(),
            "users:read".to_owned(),
            "users:read".to_owned(),
        ];
        let g = Grants::parse(Some(&names)).unwrap();
        assert_eq!(
            g,
            Grants::Only(vec![Permission::UsersRead, Permission::UsersWrite])
        );
        assert_eq!(g.names().unwrap(), ["users:read", "users:write"]);
        assert_eq!(Grants::parse(None).unwrap(), Grants::All);
        assert_eq!(
            Grants::parse(Some(&["root".to_owned()]))
                .unwrap_err()
                .code(),
            "INVALID_PERMISSIONS"
        );
        assert!(Grants::All.covers(&g));
        assert!(!g.covers(&Grants::All));
        assert!(g.covers(&Grants::Only(vec![Permission::UsersRead])));
        assert!(!g.covers(&Grants::Only(vec![Permission::RolesRead])));
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn test_auth_user_tokens() {
        let user = |grants| Principal::User {
            organization_id: "a".into(),
            user_id: "u".into(),
            session_id: "s".into(),
            grants,
            audience: "client".into(),
        };
        let plain = user(Grants::Only(Vec::new()));
        assert_eq!(
            authorize(Access::User, Some(&plain)),
            Ok(Scope::User {
                organization_id: "a".into(),
                user_id: "u".into(),
                session_id: "s".into()
            })
        );
        assert_eq!(
            authorize(Access::User, Some(&key("a", Grants::All))),
            Err(Error::Forbidden)
        );
        assert_eq!(
            authorize(Access::Org(Permission::UsersRead), Some(&plain)),
            Err(Error::Forbidden)
        );
        let admin = user(Grants::Only(vec![Permission::UsersRead]));
        assert_eq!(
            authorize(Access::Org(Permission::UsersRead), Some(&admin)),
            Ok(Scope::Org("a".into()))
        );
        assert_eq!(
            authorize(Access::Org(Permission::UsersWrite), Some(&admin)),
            Err(Error::Forbidden)
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
