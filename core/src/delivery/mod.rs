//! Messages Latchkey sends (sign-in links and codes by email, codes by SMS), and the
//! senders that deliver them.
//!
//! Flows build a [`Draft`] (a template's kind, a recipient and the values) and hand it back
//! to their caller; they never send it themselves, so that whether a message is sent (to an
//! address no account has, nothing is) cannot show in the answer or its timing. The worker
//! renders each draft after the response, with its organization's own template for that kind
//! where it has one ([`custom`]) and the shipped one otherwise, and delivers the [`Message`]
//! through an [`EmailSender`] (Cloudflare's `send_email` binding or an HTTP email API) or an
//! [`SmsSender`] (a Twilio-compatible HTTP API).

use serde::{Deserialize, Serialize};

use crate::Error;
use templates::{Channel, Kind, Template, Vars};

pub mod custom;
pub mod templates;

/// A message a flow asks for, not yet rendered.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: Kind,
    /// An email address, or a phone number (E.164) for an SMS kind.
    pub to: String,
    pub vars: Vars,
}

impl Draft {
    pub fn new(kind: Kind, to: impl Into<String>, vars: Vars) -> Self {
        Draft {
            kind,
            to: to.into(),
            vars,
        }
    }

    /// The message, from `own` (the organization's template for this kind) or else the
    /// shipped template.
    pub fn render(&self, own: Option<&Template>) -> Message {
        let r = templates::render(
            own.unwrap_or(templates::default_template(self.kind)),
            &self.vars,
        );
        let to = self.to.clone();
        match self.kind.channel() {
            Channel::Email => Message::Email(Email {
                to,
                subject: r.subject,
                text: r.text,
                html: r.html,
            }),
            Channel::Sms => Message::Sms(Sms { to, body: r.text }),
        }
    }
}

/// An email, with a plain-text and an HTML body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A text message to a phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    pub to: String,
    pub body: String,
}

/// What a flow asks to have delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum Message {
    Email(Email),
    Sms(Sms),
}

impl Message {
    /// The recipient: an email address or a phone number.
    pub fn to(&self) -> &str {
        match self {
            Message::Email(e) => &e.to,
            Message::Sms(s) => &s.to,
        }
    }
}

/// Sends email. Errors are for logs: by the time a message is sent, its flow has answered.
#[allow(async_fn_in_trait)]
pub trait EmailSender {
    async fn send_email(&self, email: &Email) -> Result<(), Error>;
}

/// Sends text messages.
#[allow(async_fn_in_trait)]
pub trait SmsSender {
    async fn send_sms(&self, sms: &Sms) -> Result<(), Error>;
}

/// Sends `message` through the sender of its channel.
pub async fn deliver(
    email: &impl EmailSender,
    sms: &impl SmsSender,
    message: &Message,
) -> Result<(), Error> {
    match message {
        Message::Email(e) => email.send_email(e).await,
        Message::Sms(s) => sms.send_sms(s).await,
    }
}

/// Keeps what it is given: the tests' sender of both kinds.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Outbox(pub std::cell::RefCell<Vec<Message>>);

#[cfg(test)]
impl EmailSender for Outbox {
    async fn send_email(&self, email: &Email) -> Result<(), Error> {
        self.0.borrow_mut().push(Message::Email(email.clone()));
        Ok(())
    }
}

#[cfg(test)]
impl SmsSender for Outbox {
    async fn send_sms(&self, sms: &Sms) -> Result<(), Error> {
        self.0.borrow_mut().push(Message::Sms(sms.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use pollster::block_on;

    #[test]
    fn test_delivery_routes_each_message_to_its_channel() {
        let outbox = Outbox::default();
        let email = Message::Email(Email {
            to: "ann@example.com".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "<p>t</p>".into(),
        });
        let sms = Message::Sms(Sms {
            to: "+14155550100".into(),
            body: "b".into(),
        });
        block_on(deliver(&outbox, &outbox, &email)).unwrap();
        block_on(deliver(&outbox, &outbox, &sms)).unwrap();
        assert_eq!(*outbox.0.borrow(), vec![email.clone(), sms.clone()]);
        assert_eq!(email.to(), "ann@example.com");
        assert_eq!(sms.to(), "+14155550100");
    }
}
