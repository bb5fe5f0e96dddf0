//! An organization's message templates (administrators).

use latchkey_core::api::{PreviewTemplate, SetTemplate};
use latchkey_core::delivery::custom;
use worker::{Env, Response};

use super::*;

pub(super) async fn handle(route: Route, cx: &Ctx, _env: &Env) -> AppResult<Response> {
    let (s, org) = (&cx.store, cx.org_id()?);
    match route {
        Route::ListTemplates => ok(&custom::list(s, org).await?),
        Route::GetTemplate => {
            let kind = custom::kind(cx.param("kind"))?;
            ok(&custom::get(s, org, kind).await?)
        }
        Route::SetTemplate => {
            let kind = custom::kind(cx.param("kind"))?;
            let body: SetTemplate = cx.json()?;
            ok(&custom::set(s, org, &cx.actor, kind, body, cx.now).await?)
        }
        Route::ResetTemplate => {
            let kind = custom::kind(cx.param("kind"))?;
            custom::reset(s, org, &cx.actor, kind, cx.now).await?;
            no_content()
        }
        Route::PreviewTemplate => {
            let kind = custom::kind(cx.param("kind"))?;
            // No body: the template in use.
            let body: PreviewTemplate = cx.json_or_default()?;
            ok(&custom::preview(s, org, kind, body, cx.now).await?)
        }
        _ => Err(misrouted(route)),
    }
}
