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
    async fn query_records(
        &self,
        org_id: &str,
        query: &RecordQuery,
        page: Page,
    ) -> StoreResult<(Vec<StoredRecord>, u64)> {
        let mut rows = self.stored(org_id, |r| query.matches(r));
        rows.reverse();
        Ok(paged(rows.into_iter(), page))
    }

    async fn records_before(
        &self,
        org_id: &str,
        query: &RecordQuery,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<StoredRecord>> {
        let rows = self.stored(org_id, |r| query.matches(r));
        Ok(rows
            .into_iter()
            .rev()
            .filter(|s| before_id.is_none_or(|b| s.id < b))
            .take(limit as usize)
            .collect())
    }

    async fn tally_records(
        &self,
        org_id: &str,
        query: &RecordQuery,
        places_limit: u32,
    ) -> StoreResult<RecordTallies> {
        const HOUR: i64 = 3_600_000;
        let rows = self.stored(org_id, |r| query.matches(r));
        let mut hours = std::collections::BTreeMap::<i64, Tally>::new();
        let mut reasons = std::collections::BTreeMap::<String, u64>::new();
        // (country, city) -> (sum of latitudes, of longitudes, tally)
        let mut at =
            std::collections::BTreeMap::<(Option<String>, Option<String>), (i64, i64, Tally)>::new(
            );
        for s in &rows {
            let r = &s.record;
            hours
                .entry(r.created_at.div_euclid(HOUR) * HOUR)
                .or_default()
                .add(r.outcome);
            if let Some(reason) = r.failure_reason {
                *reasons.entry(reason.as_str().to_owned()).or_default() += 1;
            }
            if let (Some(lat), Some(lon)) = (r.client.latitude_e6, r.client.longitude_e6) {
                let key = (r.client.country.clone(), r.client.city.clone());
                let e = at.entry(key).or_default();
                e.0 += i64::from(lat);
                e.1 += i64::from(lon);
                e.2.add(r.outcome);
            }
        }
        let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut places: Vec<PlaceTally> = at
            .into_iter()
            .map(|((country, city), (lat, lon, tally))| {
                let n = tally.total().max(1) as i64;
                PlaceTally {
                    country,
                    city,
                    latitude_e6: (lat / n) as i32,
                    longitude_e6: (lon / n) as i32,
                    tally,
                }
            })
            .collect();
        places.sort_by_key(|p| std::cmp::Reverse(p.tally.total()));
        places.truncate(places_limit as usize);
        Ok(RecordTallies {
            hours: hours.into_iter().collect(),
            reasons,
            places,
        })
    }

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
