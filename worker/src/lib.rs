//! Latchkey's Cloudflare Worker. Every request is matched against the core route table,
//! authenticated and authorised as its route requires, handed to a core service, and
//! rendered; errors take the common shape and every response carries `x-request-id`.
//!
//! Built twice (see `Cargo.toml`'s features): the edge Worker (`signin`) and the
//! administration Worker (`admin`). Built with both, as `cargo` checks and tests it, nothing
//! is unused; each Worker alone leaves the other's helpers unused, and LTO drops them.
#![cfg_attr(
    not(all(feature = "signin", feature = "admin")),
    allow(dead_code, unused_imports)
)]

#[cfg(not(feature = "admin"))]
mod admin;
mod bot;
mod breach;
mod client;
mod ctx;
mod d1;
mod delivery;
mod error;

mod handlers;

mod http;
mod kept;
mod keys;
mod kv;
mod mfa_keys;
mod signatures;
mod sso;
mod webhook;
#[cfg(feature = "admin")]
mod zones;

use std::cell::Cell;
use std::rc::Rc;

use futures_util::StreamExt;
use latchkey_core::access::{authorize, Access, Grants, Principal};
use latchkey_core::api;
use latchkey_core::http::caller::{self, Authn};
use latchkey_core::http::cors;
use latchkey_core::http::headers::{self, Security};
use latchkey_core::http::routes::{self, RouteMatch};
use latchkey_core::http::url::RequestUrl;
use latchkey_core::sessions::jwt;
use latchkey_core::sessions::verdicts::{Remembering, Verdicts};
use latchkey_core::store::{AppStore, AttemptStore, CodeStore};
use latchkey_core::Error as CoreError;
use worker::{
    console_error, console_log, event, Context, Env, Request, Response, ScheduleContext,
    ScheduledEvent,
};

use crate::ctx::Ctx;
use crate::d1::D1Store;
use crate::error::AppResult;
use crate::kv::KvCache;

/// Binding names, as declared in `wrangler.toml`.
pub(crate) const DB_BINDING: &str = "DB";
pub(crate) const KV_BINDING: &str = "CACHE";
pub(crate) const ASSETS_BINDING: &str = "ASSETS";
/// Secret holding the platform operator's key (creates and deletes organizations).
const PLATFORM_KEY_SECRET: &str = "PLATFORM_ADMIN_KEY";
/// Variable fixing the token issuer; required outside local development (see
/// [`jwt::issuer`]).
const ISSUER_VAR: &str = "ISSUER";

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let request_id = http::new_request_id();
    // The raw method: the `worker` crate reads any method it does not know as GET.
    let method = req.inner().method();
    let path = req.path();
    // The runtime's serialization of the request's URL, absolute by construction.
    let raw_url = req.inner().url();
    let url = RequestUrl::parse(&raw_url);
    let matched = routes::match_request(&method, &path);
    // Seed 003's routes answer errors in that seed's shapes; everything else, unknown
    // paths included, in the native error body.
    let login_api =
        matches!(&matched, RouteMatch::Found { spec, .. } if routes::is_login_api(spec.path));
    let oauth = matches!(&matched, RouteMatch::Found { spec, .. } if routes::is_oauth(spec.path));
    // A refresh by cookie checks the origin after finding the session: its refusal would
    // tell another origin that this browser is signed in, so it stays unreadable there.
    let refresh =
        matches!(&matched, RouteMatch::Found { spec, .. } if spec.route == routes::Route::Refresh);
    let security = Security {
        kind: headers::response_kind(
            match &matched {
                RouteMatch::Found { spec, .. } => Some(spec.route),
                _ => None,
            },
            !matches!(matched, RouteMatch::NotFound) || routes::is_api_path(&path),
        ),
        https: url.as_ref().is_some_and(|u| u.scheme == "https"),
    };
    // The edge Worker passes the administration API's requests on, untouched: the
    // administration Worker answers them whole (checks, headers, errors).
    #[cfg(not(feature = "admin"))]
    if matches!(&matched, RouteMatch::Found { spec, .. } if handlers::area(spec.route).is_admin()) {
        return match admin::forward(req, &env).await {
            Ok(resp) => Ok(resp),
            Err(e) => {
                console_error!("{request_id}: the administration Worker: {e}");
                let err = CoreError::Internal("the administration Worker did not answer".into());
                http::finish(
                    error::render(err.into(), &request_id)?,
                    &request_id,
                    security,
                    &[],
                )
            }
        };
    }
    // Cross-origin calls from the SDK: only to its routes, only from allowed origins.
    let own_origin = url.as_ref().map(|u| u.origin.as_str());
    let cors_origin = match cross_origin(&req, own_origin) {
        Ok(o) => o,
        Err(err) => {
            let resp = error::render(err, &request_id)?;
            return http::finish(resp, &request_id, security, &[]);
        }
    };
    if let ("OPTIONS", Some(o)) = (method.as_str(), &cors_origin) {
        // A preflight carries no credentials: any application's origin may ask.
        match any_app_allows(&env, o).await {
            Ok(true) => {
                let resp = Response::empty()?.with_status(204);
                return http::finish(resp, &request_id, security, &cors::preflight_headers(o));
            }
            Ok(false) => {}
            Err(err) => {
                let resp = error::render(err, &request_id)?;
                return http::finish(resp, &request_id, security, &[]);
            }
        }
    }
    let vouched = Rc::new(Cell::new(false));
    let cors = (cors_origin.clone(), vouched.clone());
    let outbox = delivery::Outbox::default();
    let resp = match handle(
        req,
        &method,
        matched,
        url.as_ref(),
        &env,
        cors,
        outbox.clone(),
    )
    .await
    {
        Ok(resp) => resp,
        // A page refused for its origin may read why: the answer names only that origin and
        // the fix, so the widget can say it rather than "network error".
        Err(err @ error::AppError::Api(latchkey_core::Error::OriginNotAllowed(_))) => {
            vouched.set(!refresh);
            error::render(err, &request_id)?
        }
        Err(err) if login_api => error::render_login_api(err, &request_id)?,
        Err(err) if oauth => error::render_oauth(err, &request_id)?,
        Err(err) => error::render(err, &request_id)?,
    };
    // Messages go out after the answer, whatever it was: neither a provider's latency nor
    // whether anything was sent shows in it.
    let queued = outbox.take();
    if !queued.is_empty() {
        let now = worker::Date::now().as_millis() as i64;
        ctx.wait_until(delivery::deliver_all(env.clone(), queued, now));
    }
    let extra = match cors_origin.as_deref() {
        Some(o) if vouched.get() => cors::response_headers(o),
        _ => Vec::new(),
    };
    http::finish(resp, &request_id, security, &extra)
}

/// The request's `Origin`, when it calls a path the SDK uses from another origin.
fn cross_origin(req: &Request, own_origin: Option<&str>) -> AppResult<Option<String>> {
    let Some(origin) = req
        .headers()
        .get("origin")?
        .as_deref()
        .and_then(cors::normalize)
    else {
        return Ok(None);
    };
    // Same-origin requests need no CORS answer.
    if !cors::is_cors_path(&req.path()) || own_origin == Some(origin.as_str()) {
        return Ok(None);
    }
    Ok(Some(origin))
}

/// Whether any application of this deployment allows `origin`.
async fn any_app_allows(env: &Env, origin: &str) -> AppResult<bool> {
    let store = D1Store::from_env(env)?;
    Ok(store.origin_allowed(origin).await?)
}

/// `cors`: the request's cross-origin `Origin`, if any, and the flag that something vouched
/// for it (see [`Ctx::vouch`]).
async fn handle(
    mut req: Request,
    method: &str,
    matched: RouteMatch,
    url: Option<&RequestUrl<'_>>,
    env: &Env,
    (cors_origin, cors_vouched): (Option<String>, Rc<Cell<bool>>),
    outbox: delivery::Outbox,
) -> AppResult<Response> {
    let path = req.path();
    let (spec, params) = match matched {
        RouteMatch::Found { spec, params } => (spec, params),
        RouteMatch::MethodNotAllowed => return Err(CoreError::MethodNotAllowed.into()),
        RouteMatch::NotFound if routes::is_api_path(&path) => {
            return Err(CoreError::RouteNotFound.into())
        }
        RouteMatch::NotFound => return static_asset(req, method, env).await,
    };

    let has_body = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
    if has_body {
        // Before anything else: a declared body over the limit is never read.
        let declared = req.headers().get("content-length")?;
        match api::check_content_length(declared.as_deref()) {
            Ok(api::Declared::Fits) => {}
            // Small enough to read and throw away, which keeps the connection usable.
            Ok(api::Declared::TooLarge { drain: true }) => {
                read_body(&mut req).await?;
                return Err(CoreError::PayloadTooLarge.into());
            }
            Ok(api::Declared::TooLarge { drain: false }) => {
                discard_body(&req);
                return Err(CoreError::PayloadTooLarge.into());
            }
            Err(e) => {
                discard_body(&req);
                return Err(e.into());
            }
        }
    }

    let store = D1Store::from_env(env)?;
    let dev = client::dev_overrides(env);
    if dev {
        store.meter();
    }
    // The request's clock: the development override, where enabled, applies to everything,
    // token checks included.
    let now = worker::Date::now().as_millis() as i64;
    let now = match req.headers().get(client::DEV_NOW_HEADER)? {
        Some(t) if dev => t.trim().parse().unwrap_or(now),
        _ => now,
    };
    let configured = env.var(ISSUER_VAR).ok().map(|v| v.to_string());
    let url = url.ok_or_else(|| CoreError::Internal("the request's URL is not absolute".into()))?;
    let own_origin = url.origin.clone();
    let issuer = jwt::issuer(configured.as_deref(), &own_origin)?;
    let principal = if spec.access == Access::Public {
        None
    } else {
        let header = req
            .headers()
            .get("authorization")?
            .ok_or(CoreError::Unauthorized)?;
        let platform_key = env.var(PLATFORM_KEY_SECRET).ok().map(|v| v.to_string());
        // The key ring is parsed only when a token is presented.
        let keys = if caller::looks_like_jwt(caller::credential(&header)) {
            Some(keys::ring(env).await?)
        } else {
            None
        };
        let cfg = Authn {
            platform_key: platform_key.as_deref(),
            keys: keys.as_deref(),
            issuer: &issuer,
            now,
            want_grants: spec.access != Access::User,
        };
        // A token presented again is not checked again: its signature's verdict is kept.
        let check = signatures::token_check();
        let principal = caller::authenticate(&store, &header, cfg, &check).await?;
        if dev {
            // Development only: the access token verified again, `n` times, by Web Crypto,
            // for `make bench`'s per-verify cost.
            bench_verify(&req, keys.as_deref(), &header, &issuer, now).await?;
        }
        Some(principal)
    };
    let scope = authorize(spec.access, principal.as_ref())?;
    if let Some(origin) = &cors_origin {
        let readable = match &principal {
            // Public reads carry no credentials: any application's origin may read them.
            None if spec.method == routes::Method::Get => store.origin_allowed(origin).await?,
            // A signed-in user's answers: only their token's own application's origins.
            Some(Principal::User {
                organization_id,
                audience,
                ..
            }) => cors::caller_allows(&store, organization_id, audience, &issuer, origin).await?,
            // Logins, sign-ups, refreshes and codes: their handler vouches for the
            // application they name; administrative keys are not for browsers.
            _ => false,
        };
        cors_vouched.set(readable);
    }
    let actor = principal.as_ref().map(|p| p.actor()).unwrap_or_default();
    let grants = principal.map_or(Grants::Only(Vec::new()), |p| p.grants());

    let client = client::client_info(&req, None, dev);
    let headers = req
        .headers()
        .entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let body = if has_body {
        read_body(&mut req).await?
    } else {
        Vec::new()
    };
    let query = url.query_pairs();
    let cx = Ctx {
        store,
        cache: KvCache::new(env.kv(KV_BINDING)?),
        scope,
        grants,
        actor,
        now,
        issuer,
        own_origin,
        client,
        headers,
        params,
        query,
        body,
        cors_origin,
        cors_vouched,
        outbox,
        dev,
    };
    let mut answer = handlers::handle(spec.route, &cx, env).await;
    // The access token's session check rides with the request's first read; when nothing
    // read, it runs now. Nothing goes out before it passed: not the answer (an error answer
    // stays as it was), not a message.
    if let Err(e) = cx.store.settle().await {
        cx.outbox.borrow_mut().clear();
        // A session that is over is said as such, whatever the handler made of it; any
        // other failure replaces only a success.
        if answer.is_ok() || e == CoreError::Unauthorized {
            answer = Err(e.into());
        }
    }
    // Development only: how many round trips to D1 the request made (authentication
    // included), and what D1 said its statements cost, for `make bench`'s tables.
    if let (true, Ok(resp)) = (cx.dev, &mut answer) {
        let trips = cx.store.round_trips().to_string();
        let headers = resp.headers_mut();
        // Best effort: a static file's answer (the OpenAPI document) has immutable headers.
        let _ = headers.set("x-latchkey-d1-round-trips", &trips);
        if let Some(m) = cx.store.metered() {
            let _ = headers.set("x-latchkey-d1-sql-ms", &format!("{:.3}", m.sql_ms));
            let _ = headers.set("x-latchkey-d1-rows-read", &m.rows_read.to_string());
        }
    }
    answer
}

/// `x-latchkey-dev-verify-repeat: n`: verifies the request's access token `n` more times
/// (Web Crypto), so that the wall time of requests with and without it gives the cost of one
/// verification; with `x-latchkey-dev-verify-remembered` too, as an authenticated request
/// does, where the token's verdict is remembered.
async fn bench_verify(
    req: &Request,
    keys: Option<&jwt::KeyRing>,
    header: &str,
    issuer: &str,
    now: i64,
) -> AppResult<()> {
    let repeat = req.headers().get("x-latchkey-dev-verify-repeat")?;
    let (Some(keys), Some(n)) = (keys, repeat.and_then(|n| n.trim().parse::<u32>().ok())) else {
        return Ok(());
    };
    let token = caller::credential(header);
    let remembered = req.headers().has("x-latchkey-dev-verify-remembered")?;
    let kept = signatures::token_check();
    for _ in 0..n.min(10_000) {
        if remembered {
            keys.verify_with(token, issuer, None, now, &kept).await?;
        } else {
            // A first check: the same token check, with no verdict yet to find.
            let first = Remembering::new(signatures::WebCryptoCheck, Rc::new(Verdicts::new(1)));
            keys.verify_with(token, issuer, None, now, &first).await?;
        }
    }
    Ok(())
}

/// The request body, read chunk by chunk: past [`api::MAX_JSON_BODY`] nothing more is kept
/// (`PAYLOAD_TOO_LARGE`), and past [`api::DRAIN_MAX`] nothing more is read, whatever
/// `Content-Length` said.
async fn read_body(req: &mut Request) -> AppResult<Vec<u8>> {
    if req.inner().body().is_none() {
        return Ok(Vec::new());
    }
    let mut body = api::BoundedBody::new(api::MAX_JSON_BODY);
    let mut chunks = req.stream()?;
    while let Some(chunk) = chunks.next().await {
        if let Err(e) = body.push(&chunk?) {
            drop(chunks);
            discard_body(req);
            return Err(e.into());
        }
    }
    Ok(body.into_bytes()?)
}

/// Tells the runtime the body will not be read, so nothing (wrangler's development
/// middleware included) waits for the rest of it before the answer goes out.
fn discard_body(req: &Request) {
    if let Some(body) = req.inner().body() {
        // The promise only settles once the stream is cancelled; nothing waits on it.
        let _ = body.cancel();
    }
}

/// Everything outside the API is a static file from `www/`; a miss is a JSON 404.
async fn static_asset(req: Request, method: &str, env: &Env) -> AppResult<Response> {
    if !matches!(method, "GET" | "HEAD") {
        return Err(CoreError::RouteNotFound.into());
    }
    let resp = env.assets(ASSETS_BINDING)?.fetch_request(req).await?;
    if resp.status_code() == 404 {
        return Err(CoreError::RouteNotFound.into());
    }
    Ok(resp)
}

/// The daily housekeeping trigger, as `wrangler.toml` declares it.
const DAILY_CRON: &str = "17 3 * * *";

/// Cron triggers: every run delivers the security events due at their webhooks and deletes
/// expired one-time codes; the daily one also applies retention (login records, and sessions
/// that ended longer ago than the records are kept), in bounded batches (the next run
/// resumes), and drops stale brute-force counters.
#[cfg(feature = "signin")]
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let store = match D1Store::from_env(&env) {
        Ok(store) => store,
        Err(e) => return console_error!("scheduled: {e}"),
    };
    let now = worker::Date::now().as_millis() as i64;
    deliver_webhooks(&store, &env, now).await;
    // Expired challenges and codes: anyone can have a passkey challenge issued, so they must
    // not pile up.
    match store.prune_codes(now).await {
        Ok(0) => {}
        Ok(n) => console_log!("scheduled: {n} expired one-time codes deleted"),
        Err(e) => console_error!("scheduled: one-time codes: {e}"),
    }
    if event.cron() == DAILY_CRON {
        housekeeping(&store, &event.cron(), now).await;
    }
}

async fn deliver_webhooks(store: &D1Store, env: &Env, now: i64) {
    let key = match crate::webhook::key(env) {
        Ok(key) => key,
        Err(e) => return console_error!("scheduled: webhooks: {e}"),
    };
    let sender = crate::webhook::FetchSender;
    match latchkey_core::events::webhook::deliver_due(store, &sender, &key, now).await {
        Ok(r) if r == Default::default() => {}
        Ok(r) => console_log!(
            "scheduled: webhooks: {} delivered, {} to retry, {} failed",
            r.delivered,
            r.retrying,
            r.failed
        ),
        Err(e) => console_error!("scheduled: webhooks: {e}"),
    }
}

async fn housekeeping(store: &D1Store, cron: &str, now: i64) {
    match latchkey_core::records::apply_retention(store, now).await {
        Ok(report) => {
            console_log!(
                "scheduled: cron {cron}: retention deleted {} login records and {} ended sessions",
                report.deleted,
                report.sessions_deleted
            );
            for (org, broken) in report.paused {
                console_error!(
                    "scheduled: login-record chain of organization {org} broken at {} ({}): its retention is paused",
                    broken.seq,
                    broken.reason
                );
            }
        }
        Err(e) => console_error!("scheduled: cron {cron}: retention failed: {e}"),
    }
    // Brute-force counters quiet for a day have nothing left to lock.
    match store.prune_attempts(now - 86_400_000).await {
        Ok(n) => console_log!("scheduled: {n} stale attempt counters deleted"),
        Err(e) => console_error!("scheduled: attempt counters: {e}"),
    }
}
