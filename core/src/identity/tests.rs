//! Service tests against the in-memory stores, with pinned time and randomness.

use pollster::block_on;

use super::*;
use crate::access::{Grants, Permission, Principal, Scope};
use crate::api::*;
use crate::authn::password::{self, HashParams, Verified};
use crate::model::Page;
use crate::rand::TestRng;
use crate::store::memory::{MemoryCache, MemoryStore};
use crate::store::UserStore;
use crate::Error;

const NOW: i64 = 1_760_000_000_000;
const PLATFORM_KEY: &str = "platform-admin-key-0123456789abcdef";
const FAST: HashParams = HashParams {
    m_cost_kib: 64,
    t_cost: 1,
    p_cost: 1,
};
const PAGE: Page = Page {
    limit: 50,
    offset: 0,
};

struct World {
    store: MemoryStore,
    cache: MemoryCache,
    rng: TestRng,
}

impl World {
    fn new() -> Self {
        World {
            store: MemoryStore::new(),
            cache: MemoryCache::new(),
            rng: TestRng(42),
        }
    }

    fn org(&mut self, name: &str, domain: Option<&str>) -> CreatedOrganization {
        let input = CreateOrganization {
            name: name.into(),
            custom_domain: domain.map(Into::into),
        };
        block_on(organizations::create(
            &self.store,
            input,
            NOW,
            &mut self.rng,
        ))
        .unwrap()
    }

    fn user(&mut self, org: &str, email: &str) -> Result<UserView, Error> {
        let input = CreateUser {
            email: email.into(),
            password: Some("hunter2hunter2".into()),
            ..Default::default()
        };
        block_on(users::create(
            &self.store,
            org,
            input,
            FAST,
            NOW,
            &mut self.rng,
        ))
    }

    fn app(&mut self, org: &str) -> ApplicationView {
        let input = CreateApplication {
            name: "web".into(),
            ..Default::default()
        };
        block_on(applications::create(
            &self.store,
            &self.cache,
            org,
            input,
            NOW,
            &mut self.rng,
        ))
        .unwrap()
    }
}

#[test]
fn test_identity_org_create_returns_working_key() {
    let mut w = World::new();
    let created = w.org("Acme", Some("login.acme.test"));
    assert_eq!(created.organization.name, "Acme");
    assert_eq!(
        created.organization.custom_domain.as_deref(),
        Some("login.acme.test")
    );
    assert_eq!(created.organization.created_at, "2025-10-09T08:53:20.000Z");
    let p = block_on(api_keys::authenticate(
        &w.store,
        &format!("Bearer {}", created.api_key.key),
        Some(PLATFORM_KEY),
        NOW,
    ))
    .unwrap();
    assert_eq!(
        p,
        Principal::ApiKey {
            organization_id: created.organization.id.clone(),
            key_id: created.api_key.id.clone(),
            grants: Grants::All,
        }
    );
    // The bare key (seed 003 style) works too.
    assert!(block_on(api_keys::authenticate(
        &w.store,
        &created.api_key.key,
        None,
        NOW
    ))
    .is_ok());
}

#[test]
fn test_identity_authentication_failures_read_the_same() {
    let mut w = World::new();
    let created = w.org("Acme", None);
    let mut wrong = created.api_key.key.clone();
    wrong.replace_range(wrong.len() - 4.., "0000");
    for bad in [
        wrong.as_str(),
        "lk_000000000000_0000000000000000000000000000000000000000000000000000000000000000",
        "garbage",
        "",
        "Bearer ",
    ] {
        assert_eq!(
            block_on(api_keys::authenticate(
                &w.store,
                bad,
                Some(PLATFORM_KEY),
                NOW
            )),
            Err(Error::Unauthorized),
            "{bad}"
        );
    }
    assert_eq!(
        block_on(api_keys::authenticate(
            &w.store,
            PLATFORM_KEY,
            Some(PLATFORM_KEY),
            NOW
        )),
        Ok(Principal::Platform)
    );
    // A platform key too short to be safe is never accepted.
    assert_eq!(
        block_on(api_keys::authenticate(
            &w.store,
            "short",
            Some("short"),
            NOW
        )),
        Err(Error::Unauthorized)
    );
    assert_eq!(
        block_on(api_keys::authenticate(&w.store, PLATFORM_KEY, None, NOW)),
        Err(Error::Unauthorized)
    );
}

#[test]
fn test_identity_revoked_key_stops_working() {
    let mut w = World::new();
    let created = w.org("Acme", None);
    let org = created.organization.id.clone();
    let second = block_on(api_keys::create(
        &w.store,
        &org,
        &Grants::All,
        "api_key:test",
        CreateApiKey {
            name: "ci".into(),
            permissions: None,
            expires_at: None,
        },
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    block_on(api_keys::revoke(
        &w.store,
        &org,
        &Grants::All,
        &created.api_key.id,
        NOW + 1,
    ))
    .unwrap();
    assert_eq!(
        block_on(api_keys::authenticate(
            &w.store,
            &created.api_key.key,
            None,
            NOW
        )),
        Err(Error::Unauthorized)
    );
    assert!(block_on(api_keys::authenticate(&w.store, &second.key, None, NOW)).is_ok());
    assert_eq!(
        block_on(api_keys::revoke(
            &w.store,
            &org,
            &Grants::All,
            &created.api_key.id,
            NOW + 2
        )),
        Err(Error::NotFound)
    );
    let listed = block_on(api_keys::list(&w.store, &org)).unwrap();
    assert_eq!(listed.api_keys.len(), 2);
    assert!(listed.api_keys.iter().any(|k| k.revoked_at.is_some()));
    assert!(
        !format!("{listed:?}").contains(&second.key),
        "secrets are never listed"
    );
}

#[test]
fn test_identity_org_scope_isolation() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let b = w.org("B", None).organization.id;
    let scope_a = Scope::Org(a.clone());
    assert_eq!(
        block_on(organizations::get(&w.store, &scope_a, &b)),
        Err(Error::NotFound)
    );
    assert!(block_on(organizations::get(&w.store, &scope_a, &a)).is_ok());
    let listed = block_on(organizations::list(&w.store, &scope_a, PAGE)).unwrap();
    assert_eq!(listed.organizations.len(), 1);
    assert_eq!(listed.total_count, 1);
    let all = block_on(organizations::list(&w.store, &Scope::Platform, PAGE)).unwrap();
    assert_eq!(all.total_count, 2);
    let upd = UpdateOrganization {
        name: Some("Hijacked".into()),
        ..Default::default()
    };
    assert_eq!(
        block_on(organizations::update(
            &w.store, &w.cache, &scope_a, &b, upd, NOW
        )),
        Err(Error::NotFound)
    );

    let ub = w.user(&b, "bob@example.com").unwrap();
    assert_eq!(
        block_on(users::get(&w.store, &a, &ub.id)),
        Err(Error::NotFound)
    );
    assert_eq!(
        block_on(users::delete(&w.store, &a, &ub.id)),
        Err(Error::NotFound)
    );
    assert!(
        block_on(users::get(&w.store, &b, &ub.id)).is_ok(),
        "still there"
    );
}

#[test]
fn test_identity_org_domain_unique_and_clearable() {
    let mut w = World::new();
    let a = w.org("A", Some("a.example.com")).organization.id;
    let input = CreateOrganization {
        name: "B".into(),
        custom_domain: Some("A.Example.com".into()),
    };
    let err = block_on(organizations::create(&w.store, input, NOW, &mut w.rng)).unwrap_err();
    assert_eq!(err.code(), "DOMAIN_TAKEN");
    let upd: UpdateOrganization = parse_json(br#"{"custom_domain": null}"#).unwrap();
    let org = block_on(organizations::update(
        &w.store,
        &w.cache,
        &Scope::Platform,
        &a,
        upd,
        NOW + 5,
    ))
    .unwrap();
    assert_eq!(org.custom_domain, None);
    assert_eq!(org.name, "A", "absent fields unchanged");
}

#[test]
fn test_identity_org_delete_cascades() {
    let mut w = World::new();
    let created = w.org("A", None);
    let a = created.organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    block_on(organizations::delete(&w.store, &w.cache, &a)).unwrap();
    assert_eq!(block_on(w.store.get_user(&a, &u.id)).unwrap(), None);
    assert_eq!(
        block_on(api_keys::authenticate(
            &w.store,
            &created.api_key.key,
            None,
            NOW
        )),
        Err(Error::Unauthorized)
    );
    assert_eq!(
        block_on(organizations::delete(&w.store, &w.cache, &a)),
        Err(Error::NotFound)
    );
}

#[test]
fn test_identity_user_email_unique_per_org_case_and_unicode_insensitive() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let b = w.org("B", None).organization.id;
    w.user(&a, "Zoë@Example.com").unwrap();
    for dup in [
        "zoë@example.com",
        "ZOË@EXAMPLE.COM",
        "zoe\u{308}@example.com",
    ] {
        assert_eq!(w.user(&a, dup).unwrap_err().code(), "EMAIL_TAKEN", "{dup}");
    }
    assert!(
        w.user(&b, "zoë@example.com").is_ok(),
        "another organization may have the same email"
    );
    let by_email = block_on(users::get_by_email(&w.store, &a, Some("ZOË@example.com"))).unwrap();
    assert_eq!(by_email.email, "Zoë@Example.com");
}

#[test]
fn test_identity_user_password_hashed_never_shown() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    assert!(u.has_password);
    let stored = block_on(w.store.get_user(&a, &u.id)).unwrap().unwrap();
    let hash = stored.password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert_eq!(
        password::verify("hunter2hunter2", &hash, FAST, &mut w.rng).unwrap(),
        Verified::Yes
    );
    assert!(!serde_json::to_string(&u).unwrap().contains("argon2"));
}

#[test]
fn test_identity_user_bad_input_names_the_field() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    assert_eq!(
        w.user(&a, "not-an-email").unwrap_err().code(),
        "INVALID_EMAIL"
    );
    let input = CreateUser {
        email: "a@example.com".into(),
        password: Some("short".into()),
        ..Default::default()
    };
    assert_eq!(
        block_on(users::create(&w.store, &a, input, FAST, NOW, &mut w.rng))
            .unwrap_err()
            .code(),
        "INVALID_PASSWORD"
    );
    let input = CreateUser {
        email: "a@example.com".into(),
        username: Some("no spaces".into()),
        ..Default::default()
    };
    assert_eq!(
        block_on(users::create(&w.store, &a, input, FAST, NOW, &mut w.rng))
            .unwrap_err()
            .code(),
        "INVALID_USERNAME"
    );
    assert_eq!(
        block_on(users::list(&w.store, &a, None, None, Some("gone"), PAGE))
            .unwrap_err()
            .code(),
        "INVALID_STATUS"
    );
}

#[test]
fn test_identity_user_list_filters_and_pages() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    for i in 0..5 {
        w.user(&a, &format!("u{i}@example.com")).unwrap();
    }
    let id = w.user(&a, "off@example.com").unwrap().id;
    let upd = UpdateUser {
        status: Some(UserStatus::Disabled),
        ..Default::default()
    };
    block_on(users::update(&w.store, &a, &id, upd, FAST, NOW, &mut w.rng)).unwrap();

    let page = block_on(users::list(
        &w.store,
        &a,
        None,
        None,
        None,
        Page {
            limit: 2,
            offset: 2,
        },
    ))
    .unwrap();
    assert_eq!(page.total_count, 6);
    assert_eq!(
        page.users
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        ["u2@example.com", "u3@example.com"]
    );
    let disabled = block_on(users::list(
        &w.store,
        &a,
        None,
        None,
        Some("disabled"),
        PAGE,
    ))
    .unwrap();
    assert_eq!(disabled.total_count, 1);
    assert_eq!(disabled.users[0].id, id);
    let one = block_on(users::list(
        &w.store,
        &a,
        Some("U3@EXAMPLE.COM"),
        None,
        None,
        PAGE,
    ))
    .unwrap();
    assert_eq!(one.users.len(), 1);
    // Text anywhere in the address, the username or the name, in any case.
    let named = CreateUser {
        email: "zed@elsewhere.org".into(),
        username: Some("Zorro_7".into()),
        name: Some("Ada Lovelace".into()),
        ..Default::default()
    };
    block_on(users::create(&w.store, &a, named, FAST, NOW, &mut w.rng)).unwrap();
    let found = |q: &str| {
        block_on(users::list(&w.store, &a, None, Some(q), None, PAGE))
            .unwrap()
            .users
            .into_iter()
            .map(|u| u.email)
            .collect::<Vec<_>>()
    };
    assert_eq!(found("ELSEWHERE"), ["zed@elsewhere.org"]);
    assert_eq!(found("zorro"), ["zed@elsewhere.org"]);
    assert_eq!(found("lovelace"), ["zed@elsewhere.org"]);
    assert_eq!(
        found("u"),
        [
            "u0@example.com",
            "u1@example.com",
            "u2@example.com",
            "u3@example.com",
            "u4@example.com"
        ]
    );
    assert_eq!(found("%"), Vec::<String>::new(), "no wildcard");
    assert_eq!(found("  "), found(""), "blank is no filter");
    assert_eq!(
        block_on(users::list(
            &w.store,
            &a,
            None,
            Some(&"x".repeat(101)),
            None,
            PAGE
        ))
        .unwrap_err()
        .code(),
        "INVALID_QUERY"
    );
}

#[test]
fn test_identity_user_update_and_verify() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    let v = block_on(users::set_email_verified(
        &w.store,
        &a,
        &u.id,
        SetEmailVerified {
            email_verified: true,
        },
        NOW + 1,
    ))
    .unwrap();
    assert!(v.email_verified);
    let upd = UpdateUser {
        email: Some("new@example.com".into()),
        name: Some(Some("Ann".into())),
        ..Default::default()
    };
    let v = block_on(users::update(
        &w.store,
        &a,
        &u.id,
        upd,
        FAST,
        NOW + 2,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(v.email, "new@example.com");
    assert!(!v.email_verified, "a changed email must be verified again");
    assert_eq!(v.name.as_deref(), Some("Ann"));
    w.user(&a, "other@example.com").unwrap();
    let upd = UpdateUser {
        email: Some("OTHER@example.com".into()),
        ..Default::default()
    };
    assert_eq!(
        block_on(users::update(
            &w.store, &a, &u.id, upd, FAST, NOW, &mut w.rng
        ))
        .unwrap_err()
        .code(),
        "EMAIL_TAKEN"
    );
}

#[test]
fn test_identity_roles_permissions_and_assignment() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let b = w.org("B", None).organization.id;
    let read = block_on(roles::create_permission(
        &w.store,
        &a,
        &Grants::All,
        CreatePermission {
            name: "Users:Read".into(),
            description: "".into(),
        },
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(read.name, "users:read");
    let foreign = block_on(roles::create_permission(
        &w.store,
        &b,
        &Grants::All,
        CreatePermission {
            name: "x".into(),
            description: "".into(),
        },
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    let dup = block_on(roles::create_permission(
        &w.store,
        &a,
        &Grants::All,
        CreatePermission {
            name: "users:read".into(),
            description: "".into(),
        },
        NOW,
        &mut w.rng,
    ));
    assert_eq!(dup.unwrap_err().code(), "PERMISSION_EXISTS");

    let bad = CreateRole {
        name: "admin".into(),
        description: "".into(),
        permission_ids: vec![foreign.id.clone()],
    };
    assert_eq!(
        block_on(roles::create_role(
            &w.store,
            &a,
            &Grants::All,
            bad,
            NOW,
            &mut w.rng
        ))
        .unwrap_err()
        .code(),
        "INVALID_PERMISSION_IDS"
    );
    let admin = CreateRole {
        name: "admin".into(),
        description: "Admins".into(),
        permission_ids: vec![read.id.clone(), read.id.clone()],
    };
    let admin = block_on(roles::create_role(
        &w.store,
        &a,
        &Grants::All,
        admin,
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(admin.permission_ids, vec![read.id.clone()]);

    let u = w.user(&a, "ann@example.com").unwrap();
    let b_role = block_on(roles::create_role(
        &w.store,
        &b,
        &Grants::All,
        CreateRole {
            name: "admin".into(),
            ..Default::default()
        },
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    let err = block_on(users::set_roles(
        &w.store,
        &a,
        &Grants::All,
        &u.id,
        SetUserRoles {
            role_ids: vec![b_role.id],
        },
    ))
    .unwrap_err();
    assert_eq!(err.code(), "INVALID_ROLE_IDS");
    let got = block_on(users::set_roles(
        &w.store,
        &a,
        &Grants::All,
        &u.id,
        SetUserRoles {
            role_ids: vec![admin.id.clone()],
        },
    ))
    .unwrap();
    assert_eq!(got.roles.len(), 1);

    block_on(roles::delete_permission(
        &w.store,
        &a,
        &Grants::All,
        &read.id,
    ))
    .unwrap();
    assert!(block_on(roles::get_role(&w.store, &a, &admin.id))
        .unwrap()
        .permission_ids
        .is_empty());
    block_on(roles::delete_role(&w.store, &a, &Grants::All, &admin.id)).unwrap();
    assert!(block_on(users::roles(&w.store, &a, &u.id))
        .unwrap()
        .roles
        .is_empty());
    assert_eq!(
        block_on(roles::get_role(&w.store, &b, &admin.id)),
        Err(Error::NotFound)
    );
}

#[test]
fn test_identity_user_delete_removes_roles() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    let role = block_on(roles::create_role(
        &w.store,
        &a,
        &Grants::All,
        CreateRole {
            name: "r".into(),
            ..Default::default()
        },
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    block_on(users::set_roles(
        &w.store,
        &a,
        &Grants::All,
        &u.id,
        SetUserRoles {
            role_ids: vec![role.id],
        },
    ))
    .unwrap();
    block_on(users::delete(&w.store, &a, &u.id)).unwrap();
    assert_eq!(
        block_on(users::get(&w.store, &a, &u.id)),
        Err(Error::NotFound)
    );
    assert!(block_on(w.store.user_role_ids(&a, &u.id))
        .unwrap()
        .is_empty());
    // The email is free again.
    assert!(w.user(&a, "ann@example.com").is_ok());
}

#[test]
fn test_identity_applications_validate_and_default() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let app = w.app(&a);
    assert_eq!(app.access_token_ttl_secs, 600);
    assert_eq!(app.login_methods, vec![LoginMethod::Password]);
    assert_eq!(app.client_id.len(), 32);
    let cases: [(&[u8], &str); 5] = [
        (
            br#"{"name":"x","allowed_origins":["http://evil.com"]}"#,
            "INVALID_ALLOWED_ORIGINS",
        ),
        (
            br#"{"name":"x","redirect_uris":["https://a.com/#f"]}"#,
            "INVALID_REDIRECT_URIS",
        ),
        (
            br#"{"name":"x","access_token_ttl_secs":5}"#,
            "INVALID_ACCESS_TOKEN_TTL_SECS",
        ),
        (
            br#"{"name":"x","login_methods":[]}"#,
            "INVALID_LOGIN_METHODS",
        ),
        (br#"{"name":""}"#, "INVALID_NAME"),
    ];
    for (body, code) in cases {
        let input: CreateApplication = parse_json(body).unwrap();
        let err = block_on(applications::create(
            &w.store, &w.cache, &a, input, NOW, &mut w.rng,
        ))
        .unwrap_err();
        assert_eq!(err.code(), code);
    }
    assert_eq!(
        parse_json::<CreateApplication>(br#"{"name":"x","login_methods":["telepathy"]}"#)
            .unwrap_err()
            .code(),
        "INVALID_REQUEST"
    );
}

#[test]
fn test_identity_config_cached_and_evicted_on_write() {
    let mut w = World::new();
    let a = w.org("A", Some("login.a.test")).organization.id;
    let app = w.app(&a);
    let cfg = block_on(config::by_client_id(&w.store, &w.cache, &app.client_id)).unwrap();
    assert_eq!(cfg.application.name, "web");
    assert!(w.cache.contains(&config::client_key(&app.client_id)));
    block_on(config::by_client_id(&w.store, &w.cache, &app.client_id)).unwrap();
    assert_eq!(*w.cache.hits.borrow(), 1, "second read served from cache");

    let upd = UpdateApplication {
        name: Some("renamed".into()),
        ..Default::default()
    };
    block_on(applications::update(
        &w.store, &w.cache, &a, &app.id, upd, NOW,
    ))
    .unwrap();
    assert!(
        !w.cache.contains(&config::client_key(&app.client_id)),
        "write evicts"
    );
    let cfg = block_on(config::by_client_id(&w.store, &w.cache, &app.client_id)).unwrap();
    assert_eq!(cfg.application.name, "renamed");

    let d = block_on(config::by_domain(&w.store, &w.cache, "LOGIN.a.test")).unwrap();
    assert_eq!(d.applications.len(), 1);
    w.app(&a);
    assert!(
        !w.cache.contains(&config::domain_key("login.a.test")),
        "a new app evicts the domain entry"
    );
    let upd = UpdateOrganization {
        custom_domain: Some(Some("id.a.test".into())),
        ..Default::default()
    };
    block_on(organizations::update(
        &w.store,
        &w.cache,
        &Scope::Platform,
        &a,
        upd,
        NOW,
    ))
    .unwrap();
    assert_eq!(
        block_on(config::by_domain(&w.store, &w.cache, "login.a.test")),
        Err(Error::NotFound)
    );
    assert_eq!(
        block_on(config::by_domain(&w.store, &w.cache, "id.a.test"))
            .unwrap()
            .applications
            .len(),
        2
    );

    block_on(applications::delete(&w.store, &w.cache, &a, &app.id)).unwrap();
    assert_eq!(
        block_on(config::by_client_id(&w.store, &w.cache, &app.client_id)),
        Err(Error::NotFound)
    );
    assert_eq!(
        block_on(config::by_client_id(&w.store, &w.cache, "../../etc")),
        Err(Error::NotFound)
    );
}

#[test]
fn test_identity_user_organizations() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    let orgs = block_on(organizations::of_user(&w.store, &a, &u.id)).unwrap();
    assert_eq!(orgs.organizations.len(), 1);
    assert_eq!(orgs.organizations[0].id, a);
}

#[test]
fn test_identity_restricted_keys_cannot_escalate() {
    let mut w = World::new();
    let org = w.org("A", None).organization.id;
    let ro = CreateApiKey {
        name: "ro".into(),
        permissions: Some(vec!["users:read".into(), "api_keys:write".into()]),
        expires_at: None,
    };
    let ro = block_on(api_keys::create(
        &w.store,
        &org,
        &Grants::All,
        "api_key:test",
        ro,
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(
        ro.permissions.as_deref(),
        Some(&["users:read".to_owned(), "api_keys:write".to_owned()][..])
    );
    let Principal::ApiKey { grants, .. } =
        block_on(api_keys::authenticate(&w.store, &ro.key, None, NOW)).unwrap()
    else {
        panic!("not an API key");
    };
    assert!(grants.allows(Permission::UsersRead));
    assert!(!grants.allows(Permission::UsersWrite));
    // The restricted key cannot mint a key with more than it holds...
    let wider = CreateApiKey {
        name: "x".into(),
        permissions: Some(vec!["users:write".into()]),
        expires_at: None,
    };
    assert_eq!(
        block_on(api_keys::create(
            &w.store,
            &org,
            &grants,
            "api_key:test",
            wider,
            NOW,
            &mut w.rng
        )),
        Err(Error::Forbidden)
    );
    // ...and "all" from it means all it holds.
    let all = CreateApiKey {
        name: "y".into(),
        permissions: None,
        expires_at: None,
    };
    let made = block_on(api_keys::create(
        &w.store,
        &org,
        &grants,
        "api_key:test",
        all,
        NOW,
        &mut w.rng,
    ))
    .unwrap();
    assert_eq!(made.permissions, ro.permissions);
    let bad = CreateApiKey {
        name: "z".into(),
        permissions: Some(vec!["root".into()]),
        expires_at: None,
    };
    assert_eq!(
        block_on(api_keys::create(
            &w.store,
            &org,
            &Grants::All,
            "api_key:test",
            bad,
            NOW,
            &mut w.rng
        ))
        .unwrap_err()
        .code(),
        "INVALID_PERMISSIONS"
    );
}

impl World {
    fn permission(
        &mut self,
        org: &str,
        caller: &Grants,
        name: &str,
    ) -> Result<PermissionView, Error> {
        let input = CreatePermission {
            name: name.into(),
            description: "".into(),
        };
        block_on(roles::create_permission(
            &self.store,
            org,
            caller,
            input,
            NOW,
            &mut self.rng,
        ))
    }

    fn role(
        &mut self,
        org: &str,
        caller: &Grants,
        name: &str,
        ids: &[&str],
    ) -> Result<RoleView, Error> {
        let input = CreateRole {
            name: name.into(),
            description: "".into(),
            permission_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        };
        block_on(roles::create_role(
            &self.store,
            org,
            caller,
            input,
            NOW,
            &mut self.rng,
        ))
    }

    fn key(
        &mut self,
        org: &str,
        caller: &Grants,
        permissions: Option<&[&str]>,
    ) -> Result<CreatedApiKey, Error> {
        let input = CreateApiKey {
            name: "k".into(),
            permissions: permissions.map(|p| p.iter().map(|s| (*s).to_owned()).collect()),
            expires_at: None,
        };
        block_on(api_keys::create(
            &self.store,
            org,
            caller,
            "api_key:test",
            input,
            NOW,
            &mut self.rng,
        ))
    }
}

fn only(names: &[&str]) -> Grants {
    Grants::known(&names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
}

#[test]
fn test_identity_reserved_permission_names_need_holding() {
    let mut w = World::new();
    let org = w.org("A", None).organization.id;
    let roles_admin = only(&["roles:read", "roles:write"]);
    // The escalation: a roles-only caller names permissions after Latchkey's own.
    for name in [
        "api_keys:write",
        "api_keys:read",
        "users:write",
        "USERS:WRITE",
    ] {
        assert_eq!(
            w.permission(&org, &roles_admin, name).unwrap_err(),
            Error::Forbidden,
            "{name}"
        );
    }
    // Names of its own, and the reserved ones it holds, are fine.
    let harmless = w.permission(&org, &roles_admin, "reports:view").unwrap();
    w.permission(&org, &roles_admin, "roles:read").unwrap();
    // Renaming into a reserved name grants it to every holder: refused.
    let rename = UpdatePermission {
        name: Some("users:write".into()),
        description: None,
    };
    assert_eq!(
        block_on(roles::update_permission(
            &w.store,
            &org,
            &roles_admin,
            &harmless.id,
            rename,
            NOW
        )),
        Err(Error::Forbidden)
    );
    // The unrestricted key makes the real thing; the roles-only caller cannot put it in a
    // role, add it to one, hand out or take away a role carrying it, or delete it.
    let users_write = w.permission(&org, &Grants::All, "users:write").unwrap();
    assert_eq!(
        w.role(&org, &roles_admin, "admins", &[&users_write.id])
            .unwrap_err(),
        Error::Forbidden
    );
    let mine = w.role(&org, &roles_admin, "mine", &[&harmless.id]).unwrap();
    let widen = UpdateRole {
        permission_ids: Some(vec![harmless.id.clone(), users_write.id.clone()]),
        ..Default::default()
    };
    assert_eq!(
        block_on(roles::update_role(
            &w.store,
            &org,
            &roles_admin,
            &mine.id,
            widen,
            NOW
        )),
        Err(Error::Forbidden)
    );
    let admins = w
        .role(&org, &Grants::All, "admins", &[&users_write.id])
        .unwrap();
    let u = w.user(&org, "ann@example.com").unwrap();
    let assign = |ids: Vec<String>| SetUserRoles { role_ids: ids };
    assert_eq!(
        block_on(users::set_roles(
            &w.store,
            &org,
            &roles_admin,
            &u.id,
            assign(vec![admins.id.clone()])
        )),
        Err(Error::Forbidden)
    );
    block_on(users::set_roles(
        &w.store,
        &org,
        &Grants::All,
        &u.id,
        assign(vec![admins.id.clone()]),
    ))
    .unwrap();
    assert_eq!(
        block_on(users::set_roles(
            &w.store,
            &org,
            &roles_admin,
            &u.id,
            assign(vec![mine.id.clone()])
        )),
        Err(Error::Forbidden),
        "taking a stronger role away is refused too"
    );
    assert_eq!(
        block_on(roles::delete_role(&w.store, &org, &roles_admin, &admins.id)),
        Err(Error::Forbidden)
    );
    assert_eq!(
        block_on(roles::delete_permission(
            &w.store,
            &org,
            &roles_admin,
            &users_write.id
        )),
        Err(Error::Forbidden)
    );
    // A role's description changes freely; its own roles are the caller's to assign.
    let describe = UpdateRole {
        description: Some("Administrators".into()),
        ..Default::default()
    };
    block_on(roles::update_role(
        &w.store,
        &org,
        &roles_admin,
        &admins.id,
        describe,
        NOW,
    ))
    .unwrap();
    block_on(users::set_roles(
        &w.store,
        &org,
        &roles_admin,
        &u.id,
        assign(vec![admins.id.clone(), mine.id.clone()]),
    ))
    .unwrap();
    // A caller holding users:write may do all of it.
    let holder = only(&["roles:write", "users:write"]);
    block_on(users::set_roles(
        &w.store,
        &org,
        &holder,
        &u.id,
        assign(vec![]),
    ))
    .unwrap();
    block_on(roles::delete_role(&w.store, &org, &holder, &admins.id)).unwrap();
}

#[test]
fn test_identity_keys_revoke_only_weaker_and_never_the_last_unrestricted() {
    let mut w = World::new();
    let created = w.org("A", None);
    let org = created.organization.id.clone();
    let keys_admin = only(&["api_keys:read", "api_keys:write"]);
    let revoke = |w: &World, caller: &Grants, id: &str| {
        block_on(api_keys::revoke(&w.store, &org, caller, id, NOW + 1))
    };
    // A key holding api_keys:write cannot revoke a stronger key...
    assert_eq!(
        revoke(&w, &keys_admin, &created.api_key.id),
        Err(Error::Forbidden)
    );
    let other = w.key(&org, &Grants::All, Some(&["users:read"])).unwrap();
    assert_eq!(revoke(&w, &keys_admin, &other.id), Err(Error::Forbidden));
    // ...but can revoke one within its own grants.
    let weaker = w.key(&org, &Grants::All, Some(&["api_keys:read"])).unwrap();
    revoke(&w, &keys_admin, &weaker.id).unwrap();
    // The last unrestricted key stays, whoever asks.
    assert_eq!(
        revoke(&w, &Grants::All, &created.api_key.id)
            .unwrap_err()
            .code(),
        "LAST_UNRESTRICTED_KEY"
    );
    assert!(block_on(api_keys::authenticate(
        &w.store,
        &created.api_key.key,
        None,
        NOW + 2
    ))
    .is_ok());
    let second = w.key(&org, &Grants::All, None).unwrap();
    assert_eq!(second.created_by.as_deref(), Some("api_key:test"));
    revoke(&w, &Grants::All, &created.api_key.id).unwrap();
    assert_eq!(
        revoke(&w, &Grants::All, &second.id).unwrap_err().code(),
        "LAST_UNRESTRICTED_KEY"
    );
    let listed = block_on(api_keys::list(&w.store, &org)).unwrap();
    let first = listed
        .api_keys
        .iter()
        .find(|k| k.id == created.api_key.id)
        .unwrap();
    assert_eq!(first.created_by.as_deref(), Some("platform"));
}

#[test]
fn test_identity_keys_expire() {
    let mut w = World::new();
    let created = w.org("A", None);
    let org = created.organization.id.clone();
    let hour = 3_600_000;
    let input = |expires_at: &str| CreateApiKey {
        name: "temp".into(),
        permissions: Some(vec!["users:read".into()]),
        expires_at: Some(expires_at.into()),
    };
    let make = |w: &mut World, i| {
        block_on(api_keys::create(
            &w.store,
            &org,
            &Grants::All,
            "platform",
            i,
            NOW,
            &mut w.rng,
        ))
    };
    for bad in [
        "yesterday",
        &crate::time::rfc3339(NOW - hour),
        &crate::time::rfc3339(NOW),
    ] {
        assert_eq!(
            make(&mut w, input(bad)).unwrap_err().code(),
            "INVALID_EXPIRES_AT",
            "{bad}"
        );
    }
    let temp = make(&mut w, input(&crate::time::rfc3339(NOW + hour))).unwrap();
    assert_eq!(temp.expires_at, Some(crate::time::rfc3339(NOW + hour)));
    let auth = |now| block_on(api_keys::authenticate(&w.store, &temp.key, None, now));
    assert!(auth(NOW + hour - 1).is_ok());
    assert_eq!(auth(NOW + hour), Err(Error::Unauthorized));
    // An expired unrestricted key does not count as the one that keeps the organization.
    let first = &created.api_key;
    let all_for_an_hour = CreateApiKey {
        name: "temp-all".into(),
        permissions: None,
        expires_at: Some(crate::time::rfc3339(NOW + hour)),
    };
    make(&mut w, all_for_an_hour).unwrap();
    let revoke = |now| {
        block_on(api_keys::revoke(
            &w.store,
            &org,
            &Grants::All,
            &first.id,
            now,
        ))
    };
    assert_eq!(
        revoke(NOW + 2 * hour).unwrap_err().code(),
        "LAST_UNRESTRICTED_KEY"
    );
    assert_eq!(revoke(NOW + 1), Ok(()), "while the other is still valid");
}

#[test]
fn test_identity_a_write_from_a_stale_read_never_puts_back_a_newer_password() {
    let mut w = World::new();
    let a = w.org("A", None).organization.id;
    let u = w.user(&a, "ann@example.com").unwrap();
    // An administrator's edit reads the user...
    let stale = block_on(w.store.get_user(&a, &u.id)).unwrap().unwrap();
    // ...a password change lands in the same millisecond...
    let upd = UpdateUser {
        password: Some("a brand new password".into()),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &a, &u.id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    let changed = block_on(w.store.get_user(&a, &u.id)).unwrap().unwrap();
    assert!(
        changed.updated_at > stale.updated_at,
        "every write moves the stamp"
    );
    // ...and the edit made from the stale read is refused, not written.
    let mut edit = stale.clone();
    edit.name = Some("Ann".into());
    edit.updated_at = NOW + 5;
    assert!(!block_on(w.store.update_user(&edit, stale.updated_at)).unwrap());
    let now = block_on(w.store.get_user(&a, &u.id)).unwrap().unwrap();
    assert_eq!(now.password_hash, changed.password_hash);
    // Made through the service, the edit reads again and keeps the new password.
    let upd = UpdateUser {
        name: Some(Some("Ann".into())),
        ..Default::default()
    };
    block_on(users::update(
        &w.store, &a, &u.id, upd, FAST, NOW, &mut w.rng,
    ))
    .unwrap();
    let now = block_on(w.store.get_user(&a, &u.id)).unwrap().unwrap();
    assert_eq!(
        (now.name.as_deref(), &now.password_hash),
        (Some("Ann"), &changed.password_hash)
    );
    // A change that changes nothing writes nothing.
    let (_, same) = block_on(crate::store::modify_user(
        &w.store,
        &a,
        &u.id,
        NOW + 9,
        |_| Ok(()),
    ))
    .unwrap();
    assert_eq!(same.updated_at, now.updated_at);
}
