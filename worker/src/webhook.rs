//! Sends security events to organizations' webhooks for [`Sender`]: a POST that follows no
//! redirect (a webhook answers where it was registered, or fails) and gives up after
//! [`TIMEOUT_MS`]. `WEBHOOK_KEY` is the secret every webhook's signing secret derives from.

use latchkey_core::events::webhook::Sender;
use latchkey_core::Error;
use worker::web_sys;
use worker::{AbortSignal, Env, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

const KEY_VAR: &str = "WEBHOOK_KEY";
/// One attempt's time limit (shorter than a claim's lease).
const TIMEOUT_MS: u32 = 10_000;

/// The secret webhook signing secrets derive from (`WEBHOOK_KEY`, at least 32 characters).
pub fn key(env: &Env) -> Result<Vec<u8>, Error> {
    match env.var(KEY_VAR).ok().map(|v| v.to_string()) {
        Some(k) if k.len() >= 32 => Ok(k.into_bytes()),
        _ => Err(Error::InternalCoded {
            code: "WEBHOOKS_NOT_CONFIGURED",
            detail: format!("{KEY_VAR} is not set or shorter than 32 characters"),
        }),
    }
}

pub struct FetchSender;

impl FetchSender {
    async fn send(url: &str, headers: &[(&str, String)], body: &str) -> worker::Result<u16> {
        let h = Headers::new();
        for (k, v) in headers {
            h.set(k, v)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(h)
            .with_redirect(RequestRedirect::Manual)
            .with_body(Some(body.into()));
        let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
        let resp = Fetch::Request(Request::new_with_init(url, &init)?)
            .send_with_signal(&signal)
            .await?;
        Ok(resp.status_code())
    }
}

impl Sender for FetchSender {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String> {
        Self::send(url, headers, body)
            .await
            .map_err(|e| e.to_string())
    }
}
