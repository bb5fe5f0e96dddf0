//! The development outbox: what the worker sent, where development overrides are on.

use latchkey_core::delivery::Message;
use latchkey_core::store::StoreResult;
use serde::{Deserialize, Serialize};

use super::{n, s, D1Store};

/// One message as the outbox keeps it.
#[derive(Debug, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: f64,
    pub created_at: f64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub provider: String,
}

impl D1Store {
    pub async fn keep_sent(&self, m: &Message, provider: &str, now: i64) -> StoreResult<()> {
        let (channel, subject, text, html) = match m {
            Message::Email(e) => (
                "email",
                e.subject.as_str(),
                e.text.as_str(),
                e.html.as_str(),
            ),
            Message::Sms(x) => ("sms", "", x.body.as_str(), ""),
        };
        self.run(
            "INSERT INTO dev_outbox (created_at, channel, recipient, subject, text, html, provider) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                n(now),
                s(channel),
                s(m.to()),
                s(subject),
                s(text),
                s(html),
                s(provider),
            ],
        )
        .await?;
        Ok(())
    }

    /// The newest 50 messages, to `to` (case-insensitive) where given.
    pub async fn sent(&self, to: Option<&str>) -> StoreResult<Vec<OutboxRow>> {
        self.all(
            "SELECT id, created_at, channel, recipient, subject, text, html, provider FROM dev_outbox \
             WHERE ?1 = '' OR lower(recipient) = lower(?1) ORDER BY id DESC LIMIT 50",
            &[s(to.unwrap_or(""))],
        )
        .await
    }
}
