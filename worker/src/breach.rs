//! Pwned Passwords' range API for [`RangeSource`]: `BREACHED_PASSWORDS_URL` (the API's base,
//! `https://api.pwnedpasswords.com` by default; `off` to use only the embedded list). Any
//! failure is logged and answers `None`, so the check fails open.

use latchkey_core::authn::password::breach::RangeSource;
use worker::{console_error, Env, Fetch, Headers, Method, Request, RequestInit};

const URL_VAR: &str = "BREACHED_PASSWORDS_URL";
const DEFAULT_URL: &str = "https://api.pwnedpasswords.com";

pub struct PwnedPasswords {
    base: Option<String>,
}

impl PwnedPasswords {
    pub fn from_env(env: &Env) -> Self {
        let configured = env.var(URL_VAR).ok().map(|v| v.to_string());
        let base = match configured.as_deref().map(str::trim) {
            Some("off") => None,
            Some(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
            _ => Some(DEFAULT_URL.to_owned()),
        };
        PwnedPasswords { base }
    }

    async fn fetch(&self, base: &str, prefix: &str) -> worker::Result<Option<String>> {
        let headers = Headers::new();
        // Padded answers all have about the same size, whatever the prefix.
        headers.set("add-padding", "true")?;
        headers.set("user-agent", "latchkey")?;
        let mut init = RequestInit::new();
        init.with_method(Method::Get).with_headers(headers);
        let req = Request::new_with_init(&format!("{base}/range/{prefix}"), &init)?;
        let mut resp = Fetch::Request(req).send().await?;
        if resp.status_code() != 200 {
            console_error!("breached passwords: {base} answered {}", resp.status_code());
            return Ok(None);
        }
        Ok(Some(resp.text().await?))
    }
}

impl RangeSource for PwnedPasswords {
    async fn range(&self, prefix: &str) -> Option<String> {
        let base = self.base.as_deref()?;
        match self.fetch(base, prefix).await {
            Ok(body) => body,
            Err(e) => {
                console_error!("breached passwords: {base} unreachable ({e}); failing open");
                None
            }
        }
    }
}
