//! The core's [`Cache`] on Workers KV.

use latchkey_core::store::{Cache, StoreResult};
use latchkey_core::Error;
use worker::kv::KvStore;

pub struct KvCache {
    kv: KvStore,
}

impl KvCache {
    pub fn new(kv: KvStore) -> Self {
        KvCache { kv }
    }
}

fn kv_err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("KV: {e}"))
}

/// KV refuses TTLs under 60 seconds.
const MIN_TTL_SECS: u32 = 60;

impl Cache for KvCache {
    async fn get(&self, key: &str) -> StoreResult<Option<String>> {
        self.kv.get(key).text().await.map_err(kv_err)
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: u32) -> StoreResult<()> {
        self.kv
            .put(key, value)
            .map_err(kv_err)?
            .expiration_ttl(u64::from(ttl_secs.max(MIN_TTL_SECS)))
            .execute()
            .await
            .map_err(kv_err)
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        self.kv.delete(key).await.map_err(kv_err)
    }
}
