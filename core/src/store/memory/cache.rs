//! The read-mostly cache (KV in the worker).

use super::*;

/// An in-memory [`Cache`] that also counts reads that hit, for tests.
#[derive(Debug, Default)]
pub struct MemoryCache {
    entries: RefCell<HashMap<String, String>>,
    pub hits: RefCell<u32>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.borrow().contains_key(key)
    }
}

impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> StoreResult<Option<String>> {
        let v = self.entries.borrow().get(key).cloned();
        if v.is_some() {
            *self.hits.borrow_mut() += 1;
        }
        Ok(v)
    }

    async fn put(&self, key: &str, value: &str, _ttl_secs: u32) -> StoreResult<()> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}
