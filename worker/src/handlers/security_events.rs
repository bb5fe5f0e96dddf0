//! Security events and the organization's webhook.

use latchkey_core::api::SetWebhook;
use latchkey_core::events;
use worker::{Env, Response};

use super::*;

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, org) = (&cx.store, cx.org_id()?);
    match route {
        Route::ListSecurityEvents => ok(&events::list(s, org, cx.query("kind"), page(cx)?).await?),
        Route::GetWebhook => ok(&events::get_webhook(s, org).await?),
        Route::SetWebhook => {
            let body: SetWebhook = cx.json()?;
            let key = crate::webhook::key(env)?;
            let dev = crate::client::dev_overrides(env);
            let view = events::set_webhook(s, &key, org, &cx.actor, &body.url, dev, cx.now).await?;
            ok(&view)
        }
        Route::DeleteWebhook => {
            events::delete_webhook(s, org, &cx.actor, cx.now).await?;
            no_content()
        }
        _ => Err(misrouted(route)),
    }
}
