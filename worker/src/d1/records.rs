use latchkey_core::model::{
    FailureReason, LoginRecord, Outcome, Page, PlaceTally, RecordCounter, RecordQuery,
    RecordTallies, Tally,
};
use latchkey_core::records::chain::{ChainRow, Checkpoint};
use latchkey_core::records::{Criteria, StoredRecord};
use latchkey_core::store::{RecordStore, StoreResult};
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::client::ClientRow;
use super::{n, s, total_of, D1Store};

#[derive(Deserialize)]
struct Row {
    id: f64,
    organization_id: String,
    application_id: Option<String>,
    application_name: Option<String>,
    created_at: f64,
    outcome: String,
    method: String,
    failure_reason: Option<String>,
    user_id: Option<String>,
    login_id: String,
    session_id: Option<String>,
    flags: String,
    connection_id: Option<String>,
    chain_seq: Option<f64>,
    row_hash: Option<String>,
    #[serde(flatten)]
    client: ClientRow,
}

fn reason(s: &str) -> Option<FailureReason> {
    FailureReason::parse(s)
}

impl From<Row> for StoredRecord {
    fn from(r: Row) -> Self {
        StoredRecord {
            id: r.id as i64,
            application_name: r.application_name,
            chain_seq: r.chain_seq.map(|v| v as i64),
            row_hash: r.row_hash,
            record: LoginRecord {
                organization_id: r.organization_id,
                application_id: r.application_id,
                created_at: r.created_at as i64,
                outcome: if r.outcome == "success" {
                    Outcome::Success
                } else {
                    Outcome::Failure
                },
                method: r.method,
                failure_reason: r.failure_reason.as_deref().and_then(reason),
                user_id: r.user_id,
                login_id: r.login_id,
                session_id: r.session_id,
                client: r.client.into(),
                flags: latchkey_core::api::from_json(r.flags.as_bytes()).unwrap_or_default(),
                connection_id: r.connection_id,
            },
        }
    }
}

const COLS: &str = "r.id, r.organization_id, r.application_id, a.name AS application_name, r.created_at, \
                    r.outcome, r.method, r.failure_reason, r.user_id, r.login_id, r.session_id, r.flags, r.connection_id, r.chain_seq, r.row_hash, r.ip, \
                    r.country, r.region, r.city, r.timezone, r.user_agent, r.device_name, r.device_type, \
                    r.device_description, r.asn, r.latitude_e6, r.longitude_e6";
const FROM: &str = "FROM login_records r LEFT JOIN applications a ON a.id = r.application_id";

fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Success => "success",
        Outcome::Failure => "failure",
    }
}

/// WHERE clauses built from the criteria that are present, so each query can use its index.
struct Filter {
    clauses: Vec<String>,
    args: Vec<JsValue>,
}

impl Filter {
    fn new(org_id: &str) -> Self {
        Filter {
            clauses: vec!["r.organization_id = ?1".to_owned()],
            args: vec![s(org_id)],
        }
    }
    fn add(&mut self, clause: &str, v: JsValue) {
        self.args.push(v);
        self.clauses
            .push(clause.replace('?', &format!("?{}", self.args.len())));
    }
    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }
}

impl Filter {
    /// The count of the records these clauses select, and its values.
    fn counted(&self) -> (String, Vec<JsValue>) {
        (
            format!(
                "SELECT COUNT(*) AS n FROM login_records r WHERE {}",
                self.sql()
            ),
            self.args.clone(),
        )
    }

    /// An administrator's query as clauses (the memory store's `RecordQuery::matches`).
    fn of_query(org_id: &str, q: &RecordQuery) -> Filter {
        let mut f = Filter::new(org_id);
        if let Some(a) = &q.application_id {
            f.add("r.application_id = ?", s(a));
        }
        if let Some(u) = &q.user_id {
            f.add("r.user_id = ?", s(u));
        }
        if let Some(o) = q.outcome {
            f.add("r.outcome = ?", s(outcome_str(o)));
        }
        if let Some(m) = &q.method {
            f.add("r.method = ?", s(m));
        }
        if let Some(c) = &q.country {
            f.add("r.country = ?", s(c));
        }
        if let Some(t) = q.start {
            f.add("r.created_at >= ?", n(t));
        }
        if let Some(t) = q.end {
            f.add("r.created_at <= ?", n(t));
        }
        f
    }
}

/// A group's count of successes and failures, as the tallies' queries name them.
#[derive(Deserialize)]
struct Counts {
    ok: Option<f64>,
    bad: Option<f64>,
}

impl From<&Counts> for Tally {
    fn from(c: &Counts) -> Tally {
        Tally {
            success: c.ok.unwrap_or(0.0) as u64,
            failure: c.bad.unwrap_or(0.0) as u64,
        }
    }
}

const COUNTS: &str = "SUM(r.outcome = 'success') AS ok, SUM(r.outcome = 'failure') AS bad";

/// The statement that moves `record_totals` (migration 0019) by the records whose ids `ids`
/// selects: `+1` for records just inserted, `-1` for records about to be deleted. It runs in
/// the insert's or the delete's batch, so the totals are exact. Each record counts under
/// four keys: its organization, with its user, with its application, and with both.
pub(super) fn totals_change(ids: &str, sign: i8) -> String {
    format!(
        "INSERT INTO record_totals (organization_id, user_id, application_id, outcome, n) \
         SELECT r.organization_id, CASE WHEN k.by_user THEN r.user_id ELSE '' END, \
         CASE WHEN k.by_app THEN r.application_id ELSE '' END, r.outcome, {sign} * COUNT(*) \
         FROM login_records r, (SELECT 0 AS by_user, 0 AS by_app UNION ALL SELECT 1, 0 \
         UNION ALL SELECT 0, 1 UNION ALL SELECT 1, 1) k \
         WHERE r.id IN ({ids}) AND (NOT k.by_user OR r.user_id IS NOT NULL) \
         AND (NOT k.by_app OR r.application_id IS NOT NULL) \
         GROUP BY 1, 2, 3, 4 \
         ON CONFLICT (organization_id, user_id, application_id, outcome) DO UPDATE SET n = n + excluded.n"
    )
}

/// A total that `record_totals` keeps, read as one row or two instead of counting records:
/// only when nothing but the user, the application and the outcome narrows the records.
fn kept_total(
    org_id: &str,
    user_id: Option<&str>,
    application_id: Option<&str>,
    outcome: Option<Outcome>,
) -> (String, Vec<JsValue>) {
    let outcomes = match outcome {
        Some(o) => [outcome_str(o); 2],
        None => ["success", "failure"],
    };
    (
        "SELECT COALESCE(SUM(n), 0) AS n FROM record_totals WHERE organization_id = ?1 \
         AND user_id = ?2 AND application_id = ?3 AND outcome IN (?4, ?5)"
            .to_owned(),
        vec![
            s(org_id),
            s(user_id.unwrap_or("")),
            s(application_id.unwrap_or("")),
            s(outcomes[0]),
            s(outcomes[1]),
        ],
    )
}

impl RecordStore for D1Store {
    async fn query_records(
        &self,
        org_id: &str,
        q: &RecordQuery,
        page: Page,
    ) -> StoreResult<(Vec<StoredRecord>, u64)> {
        let f = Filter::of_query(org_id, q);
        let (count, count_args) =
            if q.method.is_none() && q.country.is_none() && q.start.is_none() && q.end.is_none() {
                kept_total(
                    org_id,
                    q.user_id.as_deref(),
                    q.application_id.as_deref(),
                    q.outcome,
                )
            } else {
                f.counted()
            };
        let k = f.args.len();
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {} ORDER BY r.id DESC LIMIT ?{} OFFSET ?{}",
            f.sql(),
            k + 1,
            k + 2
        );
        let mut args = f.args.clone();
        args.extend([n(page.limit.into()), n(page.offset.into())]);
        // The page and the total in one round trip.
        let [total, rows] = self
            .read_n([self.stmt(&count, &count_args)?, self.stmt(&sql, &args)?])
            .await?;
        let rows = super::rows::<Row>(rows)?;
        Ok((rows.into_iter().map(Into::into).collect(), total_of(total)?))
    }

    async fn records_before(
        &self,
        org_id: &str,
        q: &RecordQuery,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<StoredRecord>> {
        let mut f = Filter::of_query(org_id, q);
        if let Some(b) = before_id {
            f.add("r.id < ?", n(b));
        }
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {} ORDER BY r.id DESC LIMIT ?{}",
            f.sql(),
            f.args.len() + 1
        );
        let mut args = f.args;
        args.push(n(limit.into()));
        let rows = self.all::<Row>(&sql, &args).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn tally_records(
        &self,
        org_id: &str,
        q: &RecordQuery,
        places: u32,
    ) -> StoreResult<RecordTallies> {
        #[derive(Deserialize)]
        struct Hour {
            h: f64,
            #[serde(flatten)]
            c: Counts,
        }
        #[derive(Deserialize)]
        struct Reason {
            reason: String,
            n: f64,
        }
        #[derive(Deserialize)]
        struct Place {
            country: Option<String>,
            city: Option<String>,
            lat: f64,
            lon: f64,
            #[serde(flatten)]
            c: Counts,
        }
        let f = Filter::of_query(org_id, q);
        let w = f.sql();
        let hours = self
            .all::<Hour>(
                &format!("SELECT (r.created_at / 3600000) * 3600000 AS h, {COUNTS} FROM login_records r WHERE {w} GROUP BY h ORDER BY h"),
                &f.args,
            )
            .await?;
        let reasons = self
            .all::<Reason>(
                &format!("SELECT r.failure_reason AS reason, COUNT(*) AS n FROM login_records r WHERE {w} AND r.failure_reason IS NOT NULL GROUP BY r.failure_reason ORDER BY n DESC, reason"),
                &f.args,
            )
            .await?;
        let k = f.args.len();
        let mut args = f.args.clone();
        args.push(n(places.into()));
        let at = self
            .all::<Place>(
                &format!("SELECT r.country, r.city, AVG(r.latitude_e6) AS lat, AVG(r.longitude_e6) AS lon, {COUNTS} FROM login_records r WHERE {w} AND r.latitude_e6 IS NOT NULL AND r.longitude_e6 IS NOT NULL GROUP BY r.country, r.city ORDER BY COUNT(*) DESC LIMIT ?{}", k + 1),
                &args,
            )
            .await?;
        Ok(RecordTallies {
            hours: hours
                .iter()
                .map(|h| (h.h as i64, Tally::from(&h.c)))
                .collect(),
            reasons: reasons
                .into_iter()
                .map(|r| (r.reason, r.n as u64))
                .collect(),
            places: at
                .iter()
                .map(|p| PlaceTally {
                    country: p.country.clone(),
                    city: p.city.clone(),
                    latitude_e6: p.lat.round() as i32,
                    longitude_e6: p.lon.round() as i32,
                    tally: Tally::from(&p.c),
                })
                .collect(),
        })
    }

    async fn prune(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32> {
        // The newest record always stays: the chain's tail keeps its anchor.
        const GONE: &str = "SELECT id FROM login_records \
             WHERE organization_id = ?1 AND created_at < ?2 AND (chain_seq IS NULL OR chain_seq < \
             (SELECT last_seq FROM record_counters WHERE organization_id = ?1)) \
             ORDER BY id LIMIT ?3";
        let args = [s(org_id), n(before), n(limit.into())];
        // The totals lose the same rows in the same transaction.
        let answers = self
            .batch(vec![
                self.stmt(&totals_change(GONE, -1), &args)?,
                self.stmt(
                    &format!("DELETE FROM login_records WHERE id IN ({GONE})"),
                    &args,
                )?,
            ])
            .await?;
        let deleted = answers.last().map_or(0, super::changes);
        Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
    }

    async fn user_logins(
        &self,
        org_id: &str,
        user_id: &str,
        application_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<StoredRecord>> {
        let mut f = Filter::new(org_id);
        f.add("r.user_id = ?", s(user_id));
        f.add("r.outcome = ?", s("success"));
        if let Some(a) = application_id {
            f.add("r.application_id = ?", s(a));
        }
        let k = f.args.len();
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {} ORDER BY r.id DESC LIMIT ?{}",
            f.sql(),
            k + 1
        );
        let mut args = f.args;
        args.push(n(limit.into()));
        Ok(self
            .all::<Row>(&sql, &args)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn search(
        &self,
        org_id: &str,
        c: &Criteria,
        start_row: u32,
        number_of_results: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<StoredRecord>, Option<u64>)> {
        let mut f = Filter::new(org_id);
        f.add("r.outcome = ?", s("success"));
        if let Some(a) = &c.application_id {
            f.add("r.application_id = ?", s(a));
        }
        if let Some(u) = &c.user_id {
            f.add("r.user_id = ?", s(u));
        }
        if let Some(t) = c.start {
            f.add("r.created_at >= ?", n(t));
        }
        if let Some(t) = c.end {
            f.add("r.created_at <= ?", n(t));
        }
        if let Some(id) = c.after_id {
            f.add("r.id > ?", n(id));
        }
        let k = f.args.len();
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {} ORDER BY r.id LIMIT ?{} OFFSET ?{}",
            f.sql(),
            k + 1,
            k + 2
        );
        let mut args = f.args.clone();
        args.extend([n(number_of_results.into()), n(start_row.into())]);
        let page = self.stmt(&sql, &args)?;
        if !with_total {
            return Ok((
                super::rows::<Row>(self.query(page).await?)?
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                None,
            ));
        }
        let (count, count_args) = if c.start.is_none() && c.end.is_none() && c.after_id.is_none() {
            kept_total(
                org_id,
                c.user_id.as_deref(),
                c.application_id.as_deref(),
                Some(Outcome::Success),
            )
        } else {
            f.counted()
        };
        // The page and its total in one round trip.
        let [total, rows] = self.read_n([self.stmt(&count, &count_args)?, page]).await?;
        let rows = super::rows::<Row>(rows)?;
        let total = Some(total_of(total)?);
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }
}

impl latchkey_core::store::ChainStore for D1Store {
    fn chain_key(&self) -> &[u8] {
        &self.chain_key
    }

    async fn counter(&self, org_id: &str) -> StoreResult<Option<RecordCounter>> {
        #[derive(Deserialize)]
        struct C {
            last_seq: f64,
            keyed_from: f64,
        }
        Ok(self
            .first::<C>(
                "SELECT last_seq, keyed_from FROM record_counters WHERE organization_id = ?1",
                &[s(org_id)],
            )
            .await?
            .map(|c| RecordCounter {
                last_seq: c.last_seq as i64,
                keyed_from: c.keyed_from as i64,
            }))
    }

    async fn first_seq(&self, org_id: &str) -> StoreResult<Option<i64>> {
        #[derive(Deserialize)]
        struct M {
            n: Option<f64>,
        }
        let m = self
            .first::<M>(
                "SELECT MIN(chain_seq) AS n FROM login_records WHERE organization_id = ?1 AND chain_seq IS NOT NULL",
                &[s(org_id)],
            )
            .await?;
        Ok(m.and_then(|m| m.n).map(|v| v as i64))
    }

    async fn chain_rows(
        &self,
        org_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainRow>> {
        let sql = format!("SELECT {COLS} {FROM} WHERE r.organization_id = ?1 AND r.chain_seq > ?2 ORDER BY r.chain_seq LIMIT ?3");
        let rows = self
            .all::<Row>(&sql, &[s(org_id), n(after_seq), n(limit.into())])
            .await?;
        Ok(rows
            .into_iter()
            .map(StoredRecord::from)
            .map(|r| ChainRow {
                seq: r.chain_seq.unwrap_or(0),
                row_hash: r.row_hash.unwrap_or_default(),
                record: r.record,
            })
            .collect())
    }

    async fn checkpoints(
        &self,
        org_id: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> StoreResult<Vec<Checkpoint>> {
        self.checkpoint_query(
            "WHERE organization_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
            &[s(org_id), n(from_seq), n(to_seq)],
        )
        .await
    }

    async fn checkpoint_at_or_before(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<Checkpoint>> {
        let sql = "WHERE organization_id = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1";
        Ok(self
            .checkpoint_query(sql, &[s(org_id), n(seq)])
            .await?
            .pop())
    }

    async fn checkpoint_at_or_after(
        &self,
        org_id: &str,
        seq: i64,
    ) -> StoreResult<Option<Checkpoint>> {
        let sql = "WHERE organization_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT 1";
        Ok(self
            .checkpoint_query(sql, &[s(org_id), n(seq)])
            .await?
            .pop())
    }

    async fn insert_checkpoint(&self, org_id: &str, cp: &Checkpoint, now: i64) -> StoreResult<()> {
        self.run(
            "INSERT OR IGNORE INTO record_checkpoints (organization_id, seq, chain_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            &[s(org_id), n(cp.seq), s(&cp.chain_hash), n(now)],
        )
        .await?;
        Ok(())
    }
}

impl D1Store {
    async fn checkpoint_query(&self, tail: &str, args: &[JsValue]) -> StoreResult<Vec<Checkpoint>> {
        #[derive(Deserialize)]
        struct C {
            seq: f64,
            chain_hash: String,
        }
        let rows = self
            .all::<C>(
                &format!("SELECT seq, chain_hash FROM record_checkpoints {tail}"),
                args,
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| Checkpoint {
                seq: c.seq as i64,
                chain_hash: c.chain_hash,
            })
            .collect())
    }
}
