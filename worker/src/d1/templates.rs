//! Organizations' message templates.

use latchkey_core::model::{MessageKind, MessageTemplate};
use latchkey_core::store::{StoreResult, TemplateStore};
use latchkey_core::Error;
use serde::Deserialize;

use super::{n, s, D1Store};

const COLS: &str = "kind, subject, text, html, updated_at";

#[derive(Deserialize)]
struct Row {
    kind: String,
    subject: String,
    text: String,
    html: String,
    updated_at: f64,
}

impl TryFrom<Row> for MessageTemplate {
    type Error = Error;

    fn try_from(r: Row) -> Result<Self, Error> {
        Ok(MessageTemplate {
            kind: MessageKind::parse(&r.kind)
                .ok_or_else(|| Error::Internal(format!("unknown template kind {}", r.kind)))?,
            subject: r.subject,
            text: r.text,
            html: r.html,
            updated_at: r.updated_at as i64,
        })
    }
}

impl TemplateStore for D1Store {
    async fn list_templates(&self, org_id: &str) -> StoreResult<Vec<MessageTemplate>> {
        self.all::<Row>(
            &format!("SELECT {COLS} FROM message_templates WHERE organization_id = ?1"),
            &[s(org_id)],
        )
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
    }

    async fn get_template(
        &self,
        org_id: &str,
        kind: MessageKind,
    ) -> StoreResult<Option<MessageTemplate>> {
        self.first::<Row>(
            &format!(
                "SELECT {COLS} FROM message_templates WHERE organization_id = ?1 AND kind = ?2"
            ),
            &[s(org_id), s(kind.as_str())],
        )
        .await?
        .map(TryInto::try_into)
        .transpose()
    }

    async fn put_template(&self, org_id: &str, t: &MessageTemplate) -> StoreResult<()> {
        self.run(
            "INSERT INTO message_templates (organization_id, kind, subject, text, html, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (organization_id, kind) DO UPDATE SET \
             subject = ?3, text = ?4, html = ?5, updated_at = ?6",
            &[
                s(org_id),
                s(t.kind.as_str()),
                s(&t.subject),
                s(&t.text),
                s(&t.html),
                n(t.updated_at),
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete_template(&self, org_id: &str, kind: MessageKind) -> StoreResult<bool> {
        self.run(
            "DELETE FROM message_templates WHERE organization_id = ?1 AND kind = ?2",
            &[s(org_id), s(kind.as_str())],
        )
        .await
    }
}
