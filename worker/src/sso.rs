//! What single sign-on needs of the runtime (core's `authn::sso`): `fetch` to identity
//! providers (no redirects followed, ten seconds at most, bodies of at most 256 KiB). Their
//! ID tokens' signatures are checked by `crate::signatures`.

use latchkey_core::authn::sso::upstream::{failed, Upstream, UpstreamRequest};
use latchkey_core::validate::percent_encode;
use latchkey_core::Error;
use serde_json::Value;

/// Largest provider answer read.
const MAX_BODY: usize = 256 * 1024;

pub struct FetchUpstream;

impl Upstream for FetchUpstream {
    async fn fetch_json(&self, req: UpstreamRequest) -> Result<(u16, Value), Error> {
        let mut headers = vec![("accept", "application/json".to_owned())];
        if let Some(a) = req.authorization {
            headers.push(("authorization", a));
        }
        let body = req.form.map(|form| {
            headers.push((
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ));
            form.iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        let (status, text) = crate::http::request_out(&req.url, &headers, body.as_deref())
            .await
            .map_err(|e| failed(format!("{}: {e}", req.url)))?;
        if text.len() > MAX_BODY {
            return Err(failed(format!("{}: the answer is too large", req.url)));
        }
        let json = latchkey_core::api::from_json(text.as_bytes())
            .map_err(|_| failed(format!("{} answered {status} without JSON", req.url)))?;
        Ok((status, json))
    }
}
