//! Organizations' message templates.

use super::*;

impl TemplateStore for MemoryStore {
    async fn list_templates(&self, org_id: &str) -> StoreResult<Vec<MessageTemplate>> {
        let d = self.data.borrow();
        Ok(d.templates
            .iter()
            .filter(|((o, _), _)| o == org_id)
            .map(|(_, t)| t.clone())
            .collect())
    }

    async fn get_template(
        &self,
        org_id: &str,
        kind: MessageKind,
    ) -> StoreResult<Option<MessageTemplate>> {
        let d = self.data.borrow();
        Ok(d.templates.get(&(org_id.to_owned(), kind)).cloned())
    }

    async fn put_template(&self, org_id: &str, template: &MessageTemplate) -> StoreResult<()> {
        self.data
            .borrow_mut()
            .templates
            .insert((org_id.to_owned(), template.kind), template.clone());
        Ok(())
    }

    async fn delete_template(&self, org_id: &str, kind: MessageKind) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        Ok(d.templates.remove(&(org_id.to_owned(), kind)).is_some())
    }
}
