//! Cloudflare Turnstile's `siteverify` for [`Siteverify`]: `TURNSTILE_SECRET` (the secret key)
//! and `TURNSTILE_VERIFY_URL` (Cloudflare's endpoint by default). Without the secret, or when
//! the endpoint fails, a token cannot be verified, and the check fails closed.

use latchkey_core::authn::bot::Siteverify;
use serde::Deserialize;
use worker::{console_error, Env, Fetch, Headers, Method, Request, RequestInit};

const SECRET_VAR: &str = "TURNSTILE_SECRET";
const URL_VAR: &str = "TURNSTILE_VERIFY_URL";
const DEFAULT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

pub struct Turnstile {
    secret: Option<String>,
    url: String,
}

#[derive(Deserialize)]
struct Answer {
    success: bool,
}

impl Turnstile {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        Turnstile {
            secret: var(SECRET_VAR).filter(|s| !s.trim().is_empty()),
            url: var(URL_VAR)
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_URL.to_owned()),
        }
    }

    async fn ask(&self, secret: &str, token: &str, ip: Option<&str>) -> worker::Result<bool> {
        let body = serde_json::json!({ "secret": secret, "response": token, "remoteip": ip });
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.to_string().into()));
        let mut resp = Fetch::Request(Request::new_with_init(&self.url, &init)?)
            .send()
            .await?;
        Ok(resp.json::<Answer>().await?.success)
    }
}

impl Siteverify for Turnstile {
    async fn verify(&self, token: &str, ip: Option<&str>) -> Option<bool> {
        let Some(secret) = self.secret.as_deref() else {
            console_error!("bot protection: {SECRET_VAR} is not set; refusing");
            return None;
        };
        match self.ask(secret, token, ip).await {
            Ok(ok) => Some(ok),
            Err(e) => {
                console_error!("bot protection: {} failed ({e}); refusing", self.url);
                None
            }
        }
    }
}
