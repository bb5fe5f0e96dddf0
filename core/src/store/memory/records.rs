//! Login records and their views.

use super::*;

impl MemoryStore {
    fn stored(&self, org_id: &str, keep: impl Fn(&LoginRecord) -> bool) -> Vec<StoredRecord> {
        let d = self.data.borrow();
        d.records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.organization_id == org_id && keep(r))
            .map(|(i, r)| StoredRecord {
                id: i as i64 + 1,
                chain_seq: d.chain.get(i).map(|c| c.0),
                row_hash: d.chain.get(i).map(|c| c.1.clone()),
                record: r.clone(),
                application_name: r
                    .application_id
                    .as_ref()
                    .and_then(|a| d.apps.iter().find(|x| &x.id == a))
                    .map(|a| a.name.clone()),
            })
            .collect()
    }
}

impl RecordStore for MemoryStore {
    async fn prune(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32> {
        let mut d = self.data.borrow_mut();
        let mut left = limit;
        // The newest record always stays: the chain's tail keeps its anchor.
        let newest = d.counters.get(org_id).map_or(0, |c| c.last_seq);
        let seqs: Vec<i64> = d.chain.iter().map(|(s, _)| *s).collect();
        d.retain_records(|i, r| {
            let old = left > 0
                && r.organization_id == org_id
                && r.created_at < before
                && seqs.get(i).is_some_and(|s| *s < newest);
            if old {
                left -= 1;
            }
            !old
        });
        Ok(limit - left)
    }

    async fn user_records(
        &self,
        org_id: &str,
        user_id: &str,
        outcome: Option<Outcome>,
        page: Page,
    ) -> StoreResult<(Vec<StoredRecord>, u64)> {
        let mut rows = self.stored(org_id, |r| {
            r.user_id.as_deref() == Some(user_id) && outcome.is_none_or(|o| r.outcome == o)
        });
        rows.reverse();
        Ok(paged(rows.into_iter(), page))
    }

    async fn user_logins(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<StoredRecord>> {
        let mut rows = self.stored(org_id, |r| {
            r.user_id.as_deref() == Some(user_id)
                && r.outcome == Outcome::Success
                && application_id.is_none_or(|a| r.application_id.as_deref() == Some(a))
        });
        rows.reverse();
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn search(
        &self,
        org_id: &str,
        c: &Criteria,
        start_row: u32,
        number_of_results: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<StoredRecord>, Option<u64>)> {
        let rows = self.stored(org_id, |r| {
            r.outcome == Outcome::Success
                && c.application_id
                    .as_ref()
                    .is_none_or(|a| r.application_id.as_ref() == Some(a))
                && c.user_id
                    .as_ref()
                    .is_none_or(|u| r.user_id.as_ref() == Some(u))
                && c.start.is_none_or(|s| r.created_at >= s)
                && c.end.is_none_or(|e| r.created_at <= e)
        });
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|s| c.after_id.is_none_or(|a| s.id > a))
            .collect();
        let (page, total) = paged(
            rows.into_iter(),
            Page {
                limit: number_of_results,
                offset: start_row,
            },
        );
        Ok((page, with_total.then_some(total)))
    }
}
