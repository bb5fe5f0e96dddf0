//! Sends security events to organizations' webhooks for [`Sender`]: a POST that follows no
//! redirect (a webhook answers where it was registered, or fails) and gives up after ten
//! seconds (`crate::http::post_out`). `WEBHOOK_KEY` is the secret every webhook's signing
//! secret derives from.

use latchkey_core::events::webhook::Sender;
use latchkey_core::Error;
use worker::Env;

const KEY_VAR: &str = "WEBHOOK_KEY";

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

impl Sender for FetchSender {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String> {
        crate::http::post_out(url, headers, body)
            .await
            .map_err(|e| e.to_string())
    }
}
