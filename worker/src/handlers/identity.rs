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
        Route::ConfigByClientId => ok(&config::by_client_id(s, c, cx.param("client_id")).await?),
        Route::ConfigByDomain => ok(&config::by_domain(s, c, cx.param("domain")).await?),

        Route::ListOrganizations => ok(&organizations::list(s, &cx.scope, page(cx)?).await?),
        Route::CreateOrganization => {
            created(&organizations::create(s, cx.json()?, now, rng).await?)
        }
        Route::GetOrganization => {
            ok(&organizations::get(s, &cx.scope, cx.param("organization_id")).await?)
        }
        Route::UpdateOrganization => {
            let id = cx.param("organization_id");
            ok(&organizations::update(s, c, &cx.scope, id, cx.json()?, now).await?)
        }
        Route::DeleteOrganization => {
            organizations::delete(s, c, cx.param("organization_id")).await?;
            no_content()
        }

        Route::ListApiKeys => ok(&api_keys::list(s, cx.org_id()?).await?),
        Route::CreateApiKey => created(
            &api_keys::create(s, cx.org_id()?, &cx.grants, &cx.actor, cx.json()?, now, rng).await?,
        ),
        Route::RevokeApiKey => {
            api_keys::revoke(s, cx.org_id()?, &cx.grants, cx.param("key_id"), now).await?;
            no_content()
        }

        Route::ListApplications => ok(&applications::list(s, cx.org_id()?, page(cx)?).await?),
        Route::CreateApplication => {
            created(&applications::create(s, c, cx.org_id()?, cx.json()?, now, rng).await?)
        }
        Route::GetApplication => {
            ok(&applications::get(s, cx.org_id()?, cx.param("application_id")).await?)
        }
        Route::UpdateApplication => {
            let id = cx.param("application_id");
            ok(&applications::update(s, c, cx.org_id()?, id, cx.json()?, now).await?)
        }
        Route::DeleteApplication => {
            applications::delete(s, c, cx.org_id()?, cx.param("application_id")).await?;
            no_content()
        }

        Route::ListUsers => {
            let (email, status) = (cx.query("email"), cx.query("status"));
            ok(&users::list(s, cx.org_id()?, email, status, page(cx)?).await?)
        }
        Route::CreateUser => {
            let input: CreateUser = cx.json()?;
            if let Some(p) = &input.password {
                check_new_password(env, p).await?;
            }
            created(&users::create(s, cx.org_id()?, input, OWASP, now, rng).await?)
        }
        Route::GetUserByEmail => {
            ok(&users::get_by_email(s, cx.org_id()?, cx.query("email")).await?)
        }
        Route::GetUser => ok(&users::get(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::UpdateUser => {
            let (id, input): (_, UpdateUser) = (cx.param("user_id"), cx.json()?);
            if let Some(p) = &input.password {
                check_new_password(env, p).await?;
            }
            ok(&users::update(s, cx.org_id()?, id, input, OWASP, now, rng).await?)
        }
        Route::UnlockUser => {
            users::unlock(s, cx.org_id()?, cx.param("user_id")).await?;
            no_content()
        }
        Route::DeleteUser => {
            users::delete(s, cx.org_id()?, cx.param("user_id")).await?;
            no_content()
        }
        Route::VerifyUserEmail => {
            ok(
                &users::set_email_verified(s, cx.org_id()?, cx.param("user_id"), cx.json()?, now)
                    .await?,
            )
        }
        Route::GetUserRoles => ok(&users::roles(s, cx.org_id()?, cx.param("user_id")).await?),
        Route::SetUserRoles => {
            ok(
                &users::set_roles(s, cx.org_id()?, &cx.grants, cx.param("user_id"), cx.json()?)
                    .await?,
            )
        }
        Route::GetUserOrganizations => {
            ok(&organizations::of_user(s, cx.org_id()?, cx.param("user_id")).await?)
        }

        Route::ListRoles => ok(&roles::list_roles(s, cx.org_id()?).await?),
        Route::CreateRole => {
            created(&roles::create_role(s, cx.org_id()?, &cx.grants, cx.json()?, now, rng).await?)
        }
        Route::GetRole => ok(&roles::get_role(s, cx.org_id()?, cx.param("role_id")).await?),
        Route::UpdateRole => ok(&roles::update_role(
            s,
            cx.org_id()?,
            &cx.grants,
            cx.param("role_id"),
            cx.json()?,
            now,
        )
        .await?),
        Route::DeleteRole => {
            roles::delete_role(s, cx.org_id()?, &cx.grants, cx.param("role_id")).await?;
            no_content()
        }
        Route::ListPermissions => ok(&roles::list_permissions(s, cx.org_id()?).await?),
        Route::CreatePermission => created(
            &roles::create_permission(s, cx.org_id()?, &cx.grants, cx.json()?, now, rng).await?,
        ),
        Route::GetPermission => {
            ok(&roles::get_permission(s, cx.org_id()?, cx.param("permission_id")).await?)
        }
        Route::UpdatePermission => {
            let id = cx.param("permission_id");
            ok(&roles::update_permission(s, cx.org_id()?, &cx.grants, id, cx.json()?, now).await?)
        }
        Route::DeletePermission => {
            roles::delete_permission(s, cx.org_id()?, &cx.grants, cx.param("permission_id"))
                .await?;
            no_content()
        }

        Route::ListRegistrations => {
            ok(&registrations::list(s, cx.org_id()?, cx.param("user_id")).await?)
        }
        Route::Register => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            registrations::register(s, cx.org_id()?, user, app, now).await?;
            no_content()
        }
        Route::Unregister => {
            let (user, app) = (cx.param("user_id"), cx.param("application_id"));
            registrations::unregister(s, cx.org_id()?, user, app).await?;
            no_content()
        }
        _ => Err(misrouted(route)),
    }
}
