//! Delivers what flows ask to send (see `latchkey_core::delivery`), after the response:
//! handlers queue messages on the request's [`Outbox`], and the fetch entry point hands
//! them to the runtime's `waitUntil`, so neither a provider's latency nor whether anything
//! was sent shows in the answer.
//!
//! Senders, chosen per organization (`messaging`):
//! - email: Cloudflare's `send_email` binding `EMAIL` (from `EMAIL_FROM`), or Resend's HTTP
//!   API (`RESEND_API_KEY`, `RESEND_BASE_URL`);
//! - SMS: a Twilio-compatible Messages API (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
//!   `TWILIO_FROM`, `TWILIO_BASE_URL`).
//!
//! Where development overrides are on, every message is also kept in the development
//! outbox (`GET /api/v1/dev/outbox`, `www/dev/outbox.html`).

use std::cell::RefCell;
use std::rc::Rc;

use base64ct::{Base64, Encoding};
use latchkey_core::delivery::{custom, Draft, Email, EmailSender, Message, Sms, SmsSender};
use latchkey_core::model::{EmailProvider, Messaging, SmsProvider};
use latchkey_core::store::OrgStore;
use latchkey_core::validate::percent_encode;
use latchkey_core::Error;
use worker::{console_error, Env, SendEmail, SendEmailBuilder};

use crate::d1::D1Store;

/// A message to deliver for an organization.
pub struct Outgoing {
    pub organization_id: String,
    /// Rendered at delivery, with the organization's own template for its kind if any.
    pub draft: Draft,
}

/// The messages a request queued, delivered once it has answered.
pub type Outbox = Rc<RefCell<Vec<Outgoing>>>;

const EMAIL_BINDING: &str = "EMAIL";

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

fn not_configured(what: &str) -> Error {
    Error::InternalCoded {
        code: "DELIVERY_NOT_CONFIGURED",
        detail: format!("{what} is not configured"),
    }
}

/// Cloudflare's `send_email` binding.
pub struct BindingEmail {
    binding: SendEmail,
    from: String,
}

impl BindingEmail {
    pub fn from_env(env: &Env) -> Result<Self, Error> {
        let binding = env
            .send_email(EMAIL_BINDING)
            .map_err(|_| not_configured("the EMAIL send_email binding"))?;
        let from = var(env, "EMAIL_FROM").ok_or_else(|| not_configured("EMAIL_FROM"))?;
        Ok(BindingEmail { binding, from })
    }
}

impl EmailSender for BindingEmail {
    async fn send_email(&self, e: &Email) -> Result<(), Error> {
        let message = SendEmailBuilder::builder(&self.from, &e.to, &e.subject)
            .text(&e.text)
            .html(&e.html)
            .build();
        self.binding
            .send_with_builder(&message)
            .await
            .map(|_| ())
            .map_err(|err| Error::Internal(format!("send_email: {err:?}")))
    }
}

/// POSTs to a provider; errors unless the answer is 2xx.
async fn post(url: &str, headers: &[(&str, String)], body: String) -> Result<(), Error> {
    match crate::http::post_out(url, headers, &body).await {
        Ok(status) if (200..300).contains(&status) => Ok(()),
        Ok(status) => Err(Error::Internal(format!("{url} answered {status}"))),
        Err(e) => Err(Error::Internal(format!("{url}: {e}"))),
    }
}

/// Resend's email API (`POST /emails`).
pub struct Resend {
    base: String,
    key: String,
    from: String,
}

impl Resend {
    pub fn from_env(env: &Env) -> Result<Self, Error> {
        Ok(Resend {
            base: var(env, "RESEND_BASE_URL").unwrap_or_else(|| "https://api.resend.com".into()),
            key: var(env, "RESEND_API_KEY").ok_or_else(|| not_configured("RESEND_API_KEY"))?,
            from: var(env, "EMAIL_FROM").ok_or_else(|| not_configured("EMAIL_FROM"))?,
        })
    }
}

impl EmailSender for Resend {
    async fn send_email(&self, e: &Email) -> Result<(), Error> {
        let body = serde_json::json!({
            "from": self.from,
            "to": [e.to],
            "subject": e.subject,
            "text": e.text,
            "html": e.html,
        });
        let headers = [
            ("authorization", format!("Bearer {}", self.key)),
            ("content-type", "application/json".to_owned()),
        ];
        let url = format!("{}/emails", self.base.trim_end_matches('/'));
        post(&url, &headers, body.to_string()).await
    }
}

/// A Twilio-compatible Messages API.
pub struct Twilio {
    base: String,
    sid: String,
    token: String,
    from: String,
}

impl Twilio {
    pub fn from_env(env: &Env) -> Result<Self, Error> {
        let need = |name: &str| var(env, name).ok_or_else(|| not_configured(name));
        Ok(Twilio {
            base: var(env, "TWILIO_BASE_URL").unwrap_or_else(|| "https://api.twilio.com".into()),
            sid: need("TWILIO_ACCOUNT_SID")?,
            token: need("TWILIO_AUTH_TOKEN")?,
            from: need("TWILIO_FROM")?,
        })
    }
}

impl SmsSender for Twilio {
    async fn send_sms(&self, sms: &Sms) -> Result<(), Error> {
        let body = format!(
            "To={}&From={}&Body={}",
            percent_encode(&sms.to),
            percent_encode(&self.from),
            percent_encode(&sms.body)
        );
        let credentials = Base64::encode_string(format!("{}:{}", self.sid, self.token).as_bytes());
        let headers = [
            ("authorization", format!("Basic {credentials}")),
            (
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
        ];
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base.trim_end_matches('/'),
            percent_encode(&self.sid)
        );
        post(&url, &headers, body).await
    }
}

/// Sends one message the way its organization's settings say; answers the provider's name.
async fn send(env: &Env, via: Messaging, m: &Message) -> (&'static str, Result<(), Error>) {
    match m {
        Message::Email(e) => match via.email {
            EmailProvider::SendEmail => match BindingEmail::from_env(env) {
                Ok(s) => ("send_email", s.send_email(e).await),
                Err(err) => ("send_email", Err(err)),
            },
            EmailProvider::Resend => match Resend::from_env(env) {
                Ok(s) => ("resend", s.send_email(e).await),
                Err(err) => ("resend", Err(err)),
            },
        },
        Message::Sms(s) => match via.sms {
            SmsProvider::Twilio => match Twilio::from_env(env) {
                Ok(t) => ("twilio", t.send_sms(s).await),
                Err(err) => ("twilio", Err(err)),
            },
            SmsProvider::None => ("none", Err(not_configured("an SMS provider"))),
        },
    }
}

/// Delivers the queued messages, one after another. Failures are logged (never a
/// message's content, which holds codes and links).
pub async fn deliver_all(env: Env, outgoing: Vec<Outgoing>, now: i64) {
    let store = match D1Store::from_env(&env) {
        Ok(s) => s,
        Err(e) => return console_error!("delivery: {e}"),
    };
    let dev = crate::client::dev_overrides(&env);
    for o in outgoing {
        let via = match store.get_org(&o.organization_id).await {
            Ok(org) => org.map(|org| org.messaging).unwrap_or_default(),
            Err(e) => {
                console_error!("delivery: organization {}: {e}", o.organization_id);
                continue;
            }
        };
        let message = custom::render(&store, &o.organization_id, &o.draft).await;
        let (provider, sent) = send(&env, via, &message).await;
        if let Err(e) = sent {
            console_error!("delivery: {provider} failed for {}: {e}", o.organization_id);
        }
        if dev {
            if let Err(e) = store.keep_sent(&message, provider, now).await {
                console_error!("delivery: outbox: {e}");
            }
        }
    }
}
