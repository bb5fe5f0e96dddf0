//! Identity-provider connections and users' identities at them.

use super::*;

impl ConnectionStore for MemoryStore {
    async fn insert_connection(&self, c: &Connection) -> StoreResult<()> {
        self.data.borrow_mut().connections.push(c.clone());
        Ok(())
    }

    async fn get_connection(&self, org_id: &str, id: &str) -> StoreResult<Option<Connection>> {
        let d = self.data.borrow();
        Ok(d.connections
            .iter()
            .find(|c| c.organization_id == org_id && c.id == id)
            .cloned())
    }

    async fn list_connections(&self, org_id: &str) -> StoreResult<Vec<Connection>> {
        let d = self.data.borrow();
        Ok(d.connections
            .iter()
            .filter(|c| c.organization_id == org_id)
            .cloned()
            .collect())
    }

    async fn update_connection(&self, c: &Connection) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        match d
            .connections
            .iter_mut()
            .find(|x| x.organization_id == c.organization_id && x.id == c.id)
        {
            Some(x) => {
                *x = c.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete_connection(&self, org_id: &str, id: &str) -> StoreResult<bool> {
        let mut d = self.data.borrow_mut();
        let before = d.connections.len();
        d.connections
            .retain(|c| !(c.organization_id == org_id && c.id == id));
        let removed = d.connections.len() != before;
        if removed {
            d.identities.retain(|i| i.connection_id != id);
        }
        Ok(removed)
    }

    async fn find_identity(
        &self,
        connection_id: &str,
        subject: &str,
    ) -> StoreResult<Option<Identity>> {
        let d = self.data.borrow();
        Ok(d.identities
            .iter()
            .find(|i| i.connection_id == connection_id && i.subject == subject)
            .cloned())
    }

    async fn insert_identity(&self, identity: &Identity) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        let taken = d
            .identities
            .iter()
            .any(|i| i.connection_id == identity.connection_id && i.subject == identity.subject);
        if taken {
            return Err(Error::Conflict {
                code: "IDENTITY_TAKEN",
                message: "this identity is linked to an account already".into(),
            });
        }
        d.identities.push(identity.clone());
        Ok(())
    }

    async fn touch_identity(&self, identity: &Identity) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if let Some(i) = d
            .identities
            .iter_mut()
            .find(|i| i.connection_id == identity.connection_id && i.subject == identity.subject)
        {
            i.email = identity.email.clone();
            i.last_login_at = identity.last_login_at;
        }
        Ok(())
    }

    async fn list_identities(&self, org_id: &str, user_id: &str) -> StoreResult<Vec<Identity>> {
        let d = self.data.borrow();
        Ok(d.identities
            .iter()
            .filter(|i| i.organization_id == org_id && i.user_id == user_id)
            .cloned()
            .collect())
    }
}
