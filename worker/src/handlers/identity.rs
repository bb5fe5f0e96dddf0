//! Tenancy and user management: organizations, API keys, applications, public
//! configuration, users, roles and permissions, registrations.

use latchkey_core::api::{CreateUser, UpdateUser};
use latchkey_core::identity::{
    api_keys, applications, config, organizations, registrations, roles, users,
};
use worker::{Env, Response};

use super::*;

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, c, now, rng) = (&cx.store, &cx.cache, cx.now, &mut WorkerRng);
    match route {
        Route::ConfigByClientId => {
            let found = config::by_client_id(s, c, cx.param("client_id")).await?;
            ok(&config::for_origin(found, cx.cors_origin.as_deref())?)
        }
        Route::ConfigByDomain => ok(&config::by_domain(s, c, cx.param("domain")).await?),

        Route::ListOrganizations => ok(&organizations::list(s, &cx.scope, page(cx)?).await?),
        Route::CreateOrganization => {
            let done = organizations::create(s, cx.json()?, now, rng).await?;
            let org = &done.organization.id;
            audit_in(cx, org, "organization.created", org).await?;
            created(&done)
        }
        Route::GetOrganization => {
            ok(&organizations::get(s, &cx.scope, cx.param("organization_id")).await?)
        }
        Route::UpdateOrganization => {
            let id = cx.param("organization_id");
            let view = organizations::update(s, c, &cx.scope, id, cx.json()?, now).await?;
            audit_in(cx, &view.id, "organization.updated", &view.id).await?;
            ok(&view)
        }
        Route::DeleteOrganization => {
            organizations::delete(s, c, cx.param("organization_id")).await?;
            no_content()
        }

        Route::ListApiKeys => ok(&api_keys::list(s, cx.org_id()?).await?),
        Route::CreateApiKey => {
            let key =
                api_keys::create(s, cx.org_id()?, &cx.grants, &cx.actor, cx.json()?, now, rng)
                    .await?;
            audit(cx, "api_key.created", &key.id).await?;
            created(&key)
        }
        Route::RevokeApiKey => {
            api_keys::revoke(s, cx.org_id()?, &cx.grants, cx.param("key_id"), now).await?;
            audit(cx, "api_key.revoked", cx.param("key_id")).await?;
            no_content()
        }

        Route::ListApplications => ok(&applications::list(s, cx.org_id()?, page(cx)?).await?),
        Route::CreateApplication => {
            let app = applications::create(s, c, cx.org_id()?, cx.json()?, now, rng).await?;
            audit(cx, "application.created", &app.id).await?;
            created(&app)
        }
        Route::GetApplication => {
            ok(&applications::get(s, cx.org_id()?, cx.param("application_id")).await?)
        }
        Route::UpdateApplication => {
            let id = cx.param("application_id");
            let app = applications::update(s, c, cx.org_id()?, id, cx.json()?, now).await?;
            audit(cx, "application.updated", &app.id).await?;
            ok(&app)
        }
        Route::DeleteApplication => {
            applications::delete(s, c, cx.org_id()?, cx.param("application_id")).await?;
            audit(cx, "application.deleted", cx.param("application_id")).await?;
            no_content()
        }

        Route::ListUsers => {
            let (email, text, status) = (cx.query("email"), cx.query("q"), cx.query("status"));
            ok(&users::list(s, cx.org_id()?, email, text, status, page(cx)?).await?)
        }
        Route::CreateUser => {
            let input: CreateUser = cx.json()?;
            if let Some(p) = &input.password {
                check_new_password(cx, env, Some(cx.org_id()?), None, p).await?;
            }
            let user = users::create(s, cx.org_id()?, input, OWASP, now, rng).await?;
            audit(cx, "user.created", &user.id).await?;
            created(&user)
        }
        Route::GetUserByEmail => {
            ok(&users::get_by_email(s, cx.org_id()?, cx.query("email")).await?)
        }
        Route::GetUser => ok(&users::get(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::UpdateUser => {
            let (id, input): (_, UpdateUser) = (cx.param("user_id"), cx.json()?);
            if let Some(p) = &input.password {
                check_new_password(cx, env, Some(cx.org_id()?), Some(id), p).await?;
            }
            let user = users::update(s, cx.org_id()?, id, input, OWASP, now, rng).await?;
            audit(cx, "user.updated", &user.id).await?;
            ok(&user)
        }
        Route::UnlockUser => {
            users::unlock(s, cx.org_id()?, cx.param("user_id")).await?;
            audit(cx, "user.unlocked", cx.param("user_id")).await?;
            no_content()
        }
        Route::DeleteUser => {
            users::delete(s, cx.org_id()?, cx.param("user_id")).await?;
            audit(cx, "user.deleted", cx.param("user_id")).await?;
            no_content()
        }
        Route::VerifyUserEmail => {
            let (org, id) = (cx.org_id()?, cx.param("user_id"));
            let user = users::set_email_verified(s, org, id, cx.json()?, now).await?;
            audit(cx, "user.updated", &user.id).await?;
            ok(&user)
        }
        Route::GetUserRoles => ok(&users::roles(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::SetUserRoles => {
            let (org, id) = (cx.org_id()?, cx.param("user_id"));
            let roles = users::set_roles(s, org, &cx.grants, id, cx.json()?).await?;
            audit(cx, "user.roles_changed", id).await?;
            ok(&roles)
        }
        Route::GetUserOrganizations => {
            ok(&organizations::of_user(s, cx.org_id()?, cx.param("user_id")).await?)
        }

        Route::ListRoles => ok(&roles::list_roles(s, cx.org_id()?).await?),
        Route::CreateRole => {
            let role =
                roles::create_role(s, cx.org_id()?, &cx.grants, cx.json()?, now, rng).await?;
            audit(cx, "role.created", &role.id).await?;
            created(&role)
        }
        Route::GetRole => ok(&roles::get_role(s, cx.org_id()?, cx.param("role_id")).await?),
        Route::UpdateRole => {
            let id = cx.param("role_id");
            let role = roles::update_role(s, cx.org_id()?, &cx.grants, id, cx.json()?, now).await?;
            audit(cx, "role.updated", &role.id).await?;
            ok(&role)
        }
        Route::DeleteRole => {
            roles::delete_role(s, cx.org_id()?, &cx.grants, cx.param("role_id")).await?;
            audit(cx, "role.deleted", cx.param("role_id")).await?;
            no_content()
        }
        Route::ListPermissions => ok(&roles::list_permissions(s, cx.org_id()?).await?),
        Route::CreatePermission => {
            let p =
                roles::create_permission(s, cx.org_id()?, &cx.grants, cx.json()?, now, rng).await?;
            audit(cx, "permission.created", &p.id).await?;
            created(&p)
        }
        Route::GetPermission => {
            ok(&roles::get_permission(s, cx.org_id()?, cx.param("permission_id")).await?)
        }
        Route::UpdatePermission => {
            let id = cx.param("permission_id");
            let p =
                roles::update_permission(s, cx.org_id()?, &cx.grants, id, cx.json()?, now).await?;
            audit(cx, "permission.updated", &p.id).await?;
            ok(&p)
        }
        Route::DeletePermission => {
            let id = cx.param("permission_id");
            roles::delete_permission(s, cx.org_id()?, &cx.grants, id).await?;
            audit(cx, "permission.deleted", id).await?;
            no_content()
        }

        Route::ListRegistrations => {
            ok(&registrations::list(s, cx.org_id()?, cx.param("user_id")).await?)
        }
        Route::Register => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            registrations::register(s, cx.org_id()?, user, app, now).await?;
            audit(cx, "user.registered", user).await?;
            no_content()
        }
        Route::Unregister => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            registrations::unregister(s, cx.org_id()?, user, app).await?;
            audit(cx, "user.unregistered", user).await?;
            no_content()
        }
        _ => Err(misrouted(route)),
    }
}
