//! Latchkey's Cloudflare Worker. Every request is parsed, matched against the core route
//! table, handed to a core service, and rendered; errors take the common shape and every
//! response carries `x-request-id`.

mod error;
mod health;
mod http;

use latchkey_core::routes::{self, Route, RouteMatch};
use latchkey_core::Error as CoreError;
use worker::{
    console_log, event, Context, Env, Request, Response, ScheduleContext, ScheduledEvent,
};

use crate::error::{AppError, AppResult};

/// Binding names, as declared in `wrangler.toml`.
pub(crate) const DB_BINDING: &str = "DB";
pub(crate) const KV_BINDING: &str = "CACHE";
pub(crate) const ASSETS_BINDING: &str = "ASSETS";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let request_id = http::new_request_id();
    let resp = match handle(req, &env).await {
        Ok(resp) => resp,
        Err(err) => error::render(err, &request_id)?,
    };
    http::with_request_id(resp, &request_id)
}

async fn handle(req: Request, env: &Env) -> AppResult<Response> {
    let path = req.path();
    let method = req.method();
    match routes::match_route(method.as_ref(), &path) {
        RouteMatch::Found { spec, params: _ } => match spec.route {
            Route::Healthz => health::handle(env).await,
            Route::OpenApi => openapi(),
        },
        RouteMatch::MethodNotAllowed => Err(CoreError::MethodNotAllowed.into()),
        RouteMatch::NotFound if routes::is_api_path(&path) => Err(CoreError::RouteNotFound.into()),
        RouteMatch::NotFound => static_asset(req, env).await,
    }
}

/// The OpenAPI document, generated once per isolate.
fn openapi() -> AppResult<Response> {
    thread_local! {
        static DOC: String = latchkey_core::openapi::document().to_string();
    }
    let body = DOC.with(Clone::clone);
    let mut resp = Response::ok(body)?;
    resp.headers_mut().set("content-type", "application/json")?;
    Ok(resp)
}

/// Everything outside the API is a static file from `www/`; a miss is a JSON 404.
async fn static_asset(req: Request, env: &Env) -> AppResult<Response> {
    if !matches!(req.method(), worker::Method::Get | worker::Method::Head) {
        return Err(CoreError::RouteNotFound.into());
    }
    let resp = env.assets(ASSETS_BINDING)?.fetch_request(req).await?;
    if resp.status_code() == 404 {
        return Err(AppError::Api(CoreError::RouteNotFound));
    }
    Ok(resp)
}

/// Cron trigger. Login-record retention hooks in here; until it exists the trigger only
/// reports that it ran.
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, _env: Env, _ctx: ScheduleContext) {
    console_log!("scheduled: cron {} ran; no jobs registered", event.cron());
}
