//! Applications.

use super::*;

impl AppStore for MemoryStore {
    async fn insert_app(&self, app: &Application) -> StoreResult<()> {
        self.data.borrow_mut().apps.push(app.clone());
        Ok(())
    }

    async fn get_app(&self, org_id: &str, id: &str) -> StoreResult<Option<Application>> {
        let d = self.data.borrow();
        Ok(d.apps
            .iter()
            .find(|a| a.organization_id == org_id && a.id == id)
            .cloned())
    }

    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool> {
        Ok(self
            .data
            .borrow()
            .apps
            .iter()
            .any(|a| a.allowed_origins.iter().any(|o| o == origin)))
    }

    async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<Application>> {
        Ok(self
            .data
            .borrow()
            .apps
            .iter()
            .find(|a| a.client_id == client_id)
            .cloned())
    }

    async fn list_apps(&self, org_id: &str, page: Page) -> StoreResult<(Vec<Application>, u64)> {
        let d = self.data.borrow();
        Ok(paged(
            d.apps
                .iter()
                .filter(|a| a.organization_id == org_id)
                .cloned(),
            page,
        ))
    }

    async fn update_app(&self, app: &Application) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        Ok(replace(
            &mut d.apps,
            |a| a.id == app.id && a.organization_id == app.organization_id,
            app.clone(),
        ))
    }

    async fn delete_app(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        Ok(remove(&mut self.data.borrow_mut().apps, |a| {
            a.organization_id == org_id && a.id == id
        }))
    }

    async fn set_client_secret(
        &self,
        org_id: &str,
        id: &str,
        hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let found = d
            .apps
            .iter_mut()
            .find(|a| a.organization_id == org_id && a.id == id);
        Ok(found
            .map(|a| {
                a.client_secret_hash = hash.map(str::to_owned);
                a.updated_at = now;
            })
            .is_some())
    }
}
