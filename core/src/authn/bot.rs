//! Bot detection: applications that turn on `bot_protection` require a Cloudflare Turnstile
//! token with every sign-up and password login, verified server-side before anything else
//! happens (no account is looked up, no password checked, no counter charged). A missing,
//! invalid, spent or unverifiable token is refused: the check fails closed, since a bot
//! defence that an outage switches off is none.

use crate::model::Application;
use crate::Error;

/// Turnstile's `siteverify`, behind a trait so that the worker asks it and tests play it.
#[allow(async_fn_in_trait)]
pub trait Siteverify {
    /// Whether Turnstile accepts `token` (from the client at `ip`); `None` when it could not
    /// be asked (the reason is the implementation's to log).
    async fn verify(&self, token: &str, ip: Option<&str>) -> Option<bool>;
}

/// Refuses the request unless `app` does not ask for bot protection, or `token` verifies.
pub async fn check(
    app: &Application,
    token: Option<&str>,
    ip: Option<&str>,
    siteverify: &impl Siteverify,
) -> Result<(), Error> {
    if !app.bot_protection {
        return Ok(());
    }
    let refused = |why: &str| Error::invalid_field("BOT_CHECK_FAILED", why.to_owned());
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 2048)
        .ok_or_else(|| refused("a Turnstile token (turnstile_token) is required"))?;
    match siteverify.verify(token, ip).await {
        Some(true) => Ok(()),
        Some(false) => Err(refused("the Turnstile token was not accepted")),
        None => Err(refused(
            "the Turnstile token could not be verified; try again",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pollster::block_on;

    struct Playing(Option<bool>);

    impl Siteverify for Playing {
        async fn verify(&self, token: &str, _ip: Option<&str>) -> Option<bool> {
            self.0.map(|ok| ok && token == "good")
        }
    }

    fn app(on: bool) -> Application {
        Application {
            id: "a".into(),
            organization_id: "o".into(),
            name: "web".into(),
            client_id: "c".into(),
            allowed_origins: vec![],
            redirect_uris: vec![],
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 3600,
            login_methods: vec![],
            self_signup: false,
            require_verified_email: false,
            admin_api: false,
            idle_timeout_secs: 0,
            bot_protection: on,
            client_secret_hash: None,
            passkey_rp_id: None,
            passkey_user_verification: Default::default(),
            mfa: Default::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn test_bot_check_only_where_asked_and_fails_closed() {
        let up = Playing(Some(true));
        assert!(block_on(check(&app(false), None, None, &up)).is_ok());
        assert!(block_on(check(&app(true), Some("good"), None, &up)).is_ok());
        for token in [None, Some(""), Some("bad")] {
            assert_eq!(
                block_on(check(&app(true), token, None, &up))
                    .unwrap_err()
                    .code(),
                "BOT_CHECK_FAILED",
                "{token:?}"
            );
        }
        let down = Playing(None);
        assert_eq!(
            block_on(check(&app(true), Some("good"), None, &down))
                .unwrap_err()
                .code(),
            "BOT_CHECK_FAILED",
            "an outage does not switch the defence off"
        );
    }
}
