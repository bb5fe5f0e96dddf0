//! The login-record chain and its checkpoints, and tampering for tests.

use super::*;

impl Data {
    /// Where record `seq` of `org_id` is stored, if anywhere.
    fn record_index(&self, seq: i64, org_id: &str) -> Option<usize> {
        self.records
            .iter()
            .zip(&self.chain)
            .position(|(r, (s, _))| r.organization_id == org_id && *s == seq)
    }
}

impl MemoryStore {
    /// Rewrites a stored record in place, as an attacker with database access might (tests
    /// of tamper evidence only).
    pub fn tamper_record(&self, seq: i64, org_id: &str, edit: impl FnOnce(&mut LoginRecord)) {
        let mut d = self.data.borrow_mut();
        if let Some(i) = d.record_index(seq, org_id) {
            edit(&mut d.records[i]);
        }
    }

    /// Deletes a stored record outright (tests of tamper evidence only).
    pub fn delete_record(&self, seq: i64, org_id: &str) {
        let mut d = self.data.borrow_mut();
        let keep: Vec<bool> = d
            .records
            .iter()
            .zip(&d.chain)
            .map(|(r, (s, _))| !(r.organization_id == org_id && *s == seq))
            .collect();
        d.retain_records(|i, _| keep[i]);
    }

    /// Edits a stored record and stores the unkeyed SHA-256 of the edit as its row hash, as
    /// an attacker who can write the database but not read the chain key might (tests of
    /// tamper evidence only).
    pub fn tamper_record_rehashed(
        &self,
        seq: i64,
        org_id: &str,
        edit: impl FnOnce(&mut LoginRecord),
    ) {
        self.tamper_record(seq, org_id, edit);
        let mut d = self.data.borrow_mut();
        if let Some(i) = d.record_index(seq, org_id) {
            let forged = crate::records::chain::legacy_row_hash(&d.records[i]);
            d.chain[i].1 = forged;
        }
    }

    /// Overwrites an organization's counter, as an attacker with database access might
    /// (tests of tamper evidence only).
    pub fn tamper_counter(&self, org_id: &str, counter: RecordCounter) {
        self.data
            .borrow_mut()
            .counters
            .insert(org_id.to_owned(), counter);
    }
}

impl ChainStore for MemoryStore {
    fn chain_key(&self) -> &[u8] {
        MEMORY_CHAIN_KEY
    }

    async fn counter(&self, org_id: &str) -> StoreResult<Option<RecordCounter>> {
        Ok(self.data.borrow().counters.get(org_id).copied())
    }

    async fn first_seq(&self, org_id: &str) -> StoreResult<Option<i64>> {
        let d = self.data.borrow();
        Ok(d.records
            .iter()
            .zip(&d.chain)
            .filter(|(r, _)| r.organization_id == org_id)
            .map(|(_, (s, _))| *s)
            .min())
    }

    async fn chain_rows(
        &self,
        org_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainRow>> {
        let d = self.data.borrow();
        let mut rows: Vec<ChainRow> = d
            .records
            .iter()
            .zip(&d.chain)
            .filter(|(r, (s, _))| r.organization_id == org_id && *s > after_seq)
            .map(|(r, (s, h))| ChainRow {
                seq: *s,
                row_hash: h.clone(),
                record: r.clone(),
            })
            .collect();
        rows.sort_by_key(|r| r.seq);
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn checkpoints(
        &self,
        org_id: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> StoreResult<Vec<Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq >= from_seq && c.seq <= to_seq)
            .map(|(_, c)| c.clone())
            .collect())
    }

    async fn checkpoint_at_or_before(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq <= seq)
            .map(|(_, c)| c.clone())
            .max_by_key(|c| c.seq))
    }

    async fn checkpoint_at_or_after(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<Checkpoint>> {
        let d = self.data.borrow();
        Ok(d.checkpoints
            .iter()
            .filter(|(o, c)| o == org_id && c.seq >= seq)
            .map(|(_, c)| c.clone())
            .min_by_key(|c| c.seq))
    }

    async fn insert_checkpoint(&self, org_id: &str, cp: &Checkpoint, _now: i64) -> StoreResult<()> {
        let mut d = self.data.borrow_mut();
        if !d
            .checkpoints
            .iter()
            .any(|(o, c)| o == org_id && c.seq == cp.seq)
        {
            d.checkpoints.push((org_id.to_owned(), cp.clone()));
        }
        Ok(())
    }
}
