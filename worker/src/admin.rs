//! The edge Worker's way to the administration Worker (`wrangler.admin.toml`), bound as
//! `ADMIN` (a service binding: in production the call stays on the same machine and thread).
//! The request goes on as it came, headers and body untouched.

use worker::{Env, Request, Response};

/// The service binding's name, as declared in `wrangler.toml`.
pub const ADMIN_BINDING: &str = "ADMIN";

pub async fn forward(req: Request, env: &Env) -> worker::Result<Response> {
    env.service(ADMIN_BINDING)?.fetch_request(req).await
}
