//! The storage traits of `latchkey-core` on D1. Plain SQL with serde rows; writes that must
//! stand or fall together go in one `batch` (one transaction).

mod apps;
mod attempts;
mod client;
mod codes;
mod connections;
mod events;
mod keys;
mod login;
mod mfa;
mod orgs;
mod outbox;
mod passkeys;
mod records;
mod roles;
mod sessions;
mod templates;
mod users;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use latchkey_core::store::StoreResult;
use latchkey_core::Error;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

pub struct D1Store {
    db: D1Database,
    /// Round trips to the database so far (each statement run alone, or one batch),
    /// reported to development requests in `x-latchkey-d1-round-trips`.
    round_trips: Rc<Cell<u32>>,
    /// Development only ([`D1Store::meter`]): the SQL time (ms) and rows read D1 reported
    /// for the statements answered so far.
    metered: Rc<Cell<Option<Metered>>>,
    /// The `CHAIN_KEY` secret login records are hashed and sealed with.
    chain_key: Rc<[u8]>,
    /// The credential's check, left to ride with the next read: an access token's session
    /// (`SessionStore::check_session`) or a known API key's revocation
    /// (`ApiKeyStore::api_key_for_request`).
    pending: Rc<RefCell<Option<Check>>>,
    /// Set once a check was taken and not passed: from then on every read and write fails
    /// too.
    refused: Rc<Cell<Refusal>>,
    /// Writes whose answers nobody reads (clearing attempt counters), left to go first in
    /// the request's next round trip, or alone when it ends (`D1Store::settle`).
    later: Rc<RefCell<Vec<D1PreparedStatement>>>,
    /// A password login's reads, made in the round trip that found its application
    /// (`D1Store::application_reading_ahead`), for `LoginReadStore::login_reads` to take.
    read_ahead: Rc<RefCell<Option<login::ReadAhead>>>,
    /// A password login's brute-force charge, made in the round trip of its reads when the
    /// client id's last login showed what it would be, for
    /// `AttemptStore::charge_behind_address` to take when asked for exactly that charge.
    charged_ahead: Rc<RefCell<Option<(attempts::Charge, attempts::Charged)>>>,
}

/// What D1 said the statements of a request cost: its own time running them, and the rows
/// they read.
#[derive(Clone, Copy, Default, PartialEq)]
pub struct Metered {
    pub sql_ms: f64,
    pub rows_read: u64,
}

/// Why the store refuses everything.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Refusal {
    #[default]
    No,
    /// A check was taken and its verdict never came (its round trip failed).
    Lost,
    /// The session is over, or not the token's; or the key was revoked.
    Failed,
}

/// A deferred check: the statement that reads what the credential stands on, and whether
/// its answer lets the request go on.
struct Check {
    stmt: D1PreparedStatement,
    passes: Box<dyn FnOnce(D1Result) -> StoreResult<bool>>,
}

impl D1Store {
    /// The store of this deployment: the `DB` binding and the chain key.
    pub fn from_env(env: &worker::Env) -> Result<Self, Error> {
        let db = env
            .d1(crate::DB_BINDING)
            .map_err(|e| Error::Internal(format!("no database: {e}")))?;
        Ok(D1Store {
            db,
            round_trips: Rc::default(),
            metered: Rc::default(),
            chain_key: crate::keys::chain_key(env)?,
            pending: Rc::default(),
            refused: Rc::default(),
            later: Rc::default(),
            read_ahead: Rc::default(),
            charged_ahead: Rc::default(),
        })
    }

    /// Round trips to the database this store made so far.
    pub fn round_trips(&self) -> u32 {
        self.round_trips.get()
    }

    fn tick(&self) {
        self.round_trips.set(self.round_trips.get() + 1);
    }

    /// Development only: from now on, what D1 reports of each statement's cost is added up
    /// (each result's metadata is read, which production requests need not pay for).
    pub fn meter(&self) {
        self.metered.set(Some(Metered::default()));
    }

    /// The cost D1 reported so far, when metered.
    pub fn metered(&self) -> Option<Metered> {
        self.metered.get()
    }

    fn add_cost(&self, results: &[D1Result]) {
        let Some(mut m) = self.metered.get() else {
            return;
        };
        for meta in results.iter().filter_map(|r| r.meta().ok().flatten()) {
            m.sql_ms += meta.duration.unwrap_or(0.0);
            m.rows_read += meta.rows_read.unwrap_or(0) as u64;
        }
        self.metered.set(Some(m));
    }

    /// Runs one statement that writes (one round trip, through [`D1Store::batch`]: once the
    /// session check passed, after the writes left for later).
    async fn exec(&self, stmt: D1PreparedStatement) -> StoreResult<D1Result> {
        self.batch(vec![stmt])
            .await?
            .pop()
            .ok_or_else(|| Error::Internal("a batch answered no result".into()))
    }

    /// Leaves writes whose answers nobody reads to go first in the next round trip.
    fn write_later(&self, stmts: Vec<D1PreparedStatement>) {
        self.later.borrow_mut().extend(stmts);
    }

    fn stmt(&self, sql: &str, args: &[JsValue]) -> StoreResult<D1PreparedStatement> {
        self.db.prepare(sql).bind(args).map_err(db_err)
    }

    /// Runs one statement whose rows are wanted: a `SELECT` as a read (with a pending
    /// session check), anything else (`… RETURNING`) as a write, which settles the check first.
    async fn answer(&self, sql: &str, args: &[JsValue]) -> StoreResult<D1Result> {
        let stmt = self.stmt(sql, args)?;
        if is_read(sql) {
            self.query(stmt).await
        } else {
            self.exec(stmt).await
        }
    }

    /// Runs one statement that reads (see [`D1Store::reads`]).
    async fn query(&self, stmt: D1PreparedStatement) -> StoreResult<D1Result> {
        self.reads(vec![stmt])
            .await?
            .pop()
            .ok_or_else(|| Error::Internal("a read answered no result".into()))
    }

    /// Runs statements that only read in one round trip (one batch), after a pending
    /// session check, whose verdict comes before the rows are handed out.
    async fn reads(&self, mut stmts: Vec<D1PreparedStatement>) -> StoreResult<Vec<D1Result>> {
        if !self.later.borrow().is_empty() {
            // Writes left for later go first, so the reads see them.
            return self.batch(stmts).await;
        }
        self.verdict()?;
        let pending = self.take_check();
        self.tick();
        let Some(Check {
            stmt: check,
            passes,
        }) = pending
        else {
            let results = match stmts.len() {
                1 => vec![stmts.remove(0).all().await.map_err(db_err)?],
                _ => self.db.batch(stmts).await.map_err(db_err)?,
            };
            self.add_cost(&results);
            return Ok(results);
        };
        let wanted = stmts.len();
        stmts.insert(0, check);
        let mut results = self.db.batch(stmts).await.map_err(db_err)?;
        self.add_cost(&results);
        if results.len() != wanted + 1 {
            return Err(Error::Internal("a batch answered fewer results".into()));
        }
        let rows = results.split_off(1);
        let answer = results.remove(0);
        self.judge(passes, answer)?;
        Ok(rows)
    }

    /// [`D1Store::reads`] of exactly `N` statements, answered as an array.
    async fn read_n<const N: usize>(
        &self,
        stmts: [D1PreparedStatement; N],
    ) -> StoreResult<[D1Result; N]> {
        <[D1Result; N]>::try_from(self.reads(stmts.into()).await?)
            .map_err(|_| Error::Internal("a batch of reads answered otherwise".into()))
    }

    /// What must happen before a request's answer goes out: a pending session check (when
    /// the request read nothing) and writes left for later, each on its own; fails if a
    /// check failed, and then the writes never happen.
    pub async fn settle(&self) -> StoreResult<()> {
        self.settle_check().await?;
        let later = std::mem::take(&mut *self.later.borrow_mut());
        if !later.is_empty() {
            self.tick();
            // What was asked has been done; counters left raised fail closed, so a failure
            // here is logged rather than answered.
            match self.db.batch(later).await {
                Ok(results) => self.add_cost(&results),
                Err(e) => worker::console_error!("deferred writes failed: {e}"),
            }
        }
        Ok(())
    }

    /// Runs a pending session check on its own, if any (before a write); fails if this or an
    /// earlier check failed.
    async fn settle_check(&self) -> StoreResult<()> {
        self.verdict()?;
        let pending = self.take_check();
        if let Some(check) = pending {
            self.tick();
            let answer = check.stmt.all().await.map_err(db_err)?;
            self.add_cost(std::slice::from_ref(&answer));
            self.judge(check.passes, answer)?;
        }
        Ok(())
    }

    /// Leaves `check` to ride with the next read (a check already pending runs first, on
    /// its own).
    async fn defer_check(&self, check: Check) -> StoreResult<()> {
        self.settle_check().await?;
        *self.pending.borrow_mut() = Some(check);
        Ok(())
    }

    /// Takes the pending check, refusing everything until its verdict passes: a check lost
    /// to a failed round trip fails closed.
    fn take_check(&self) -> Option<Check> {
        let pending = self.pending.borrow_mut().take();
        if pending.is_some() {
            self.refused.set(Refusal::Lost);
        }
        pending
    }

    fn verdict(&self) -> StoreResult<()> {
        match self.refused.get() {
            Refusal::No => Ok(()),
            Refusal::Lost => Err(Error::Internal("the session check was not made".into())),
            Refusal::Failed => Err(Error::Unauthorized),
        }
    }

    fn judge(
        &self,
        passes: Box<dyn FnOnce(D1Result) -> StoreResult<bool>>,
        answer: D1Result,
    ) -> StoreResult<()> {
        let passed = passes(answer)?;
        self.refused
            .set(if passed { Refusal::No } else { Refusal::Failed });
        self.verdict()
    }

    async fn first<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: &[JsValue],
    ) -> StoreResult<Option<T>> {
        first_row(self.answer(sql, args).await?)
    }

    async fn all<T: DeserializeOwned>(&self, sql: &str, args: &[JsValue]) -> StoreResult<Vec<T>> {
        rows(self.answer(sql, args).await?)
    }

    async fn count(&self, sql: &str, args: &[JsValue]) -> StoreResult<u64> {
        total_of(self.query(self.stmt(sql, args)?).await?)
    }

    /// One text column, aliased `v`, of every row.
    async fn strings(&self, sql: &str, args: &[JsValue]) -> StoreResult<Vec<String>> {
        strings_of(self.answer(sql, args).await?)
    }

    /// Runs one statement; true if it changed at least one row.
    async fn run(&self, sql: &str, args: &[JsValue]) -> StoreResult<bool> {
        let result = self.exec(self.stmt(sql, args)?).await?;
        Ok(changes(&result) > 0)
    }

    /// Runs statements as one transaction; returns each statement's result.
    /// Writes left for later go first, in the same transaction; their answers are dropped.
    async fn batch(&self, stmts: Vec<D1PreparedStatement>) -> StoreResult<Vec<D1Result>> {
        self.settle_check().await?;
        let later = std::mem::take(&mut *self.later.borrow_mut());
        let skip = later.len();
        let mut all = later.clone();
        all.extend(stmts);
        self.tick();
        let mut results = match self.db.batch(all).await {
            Ok(results) => results,
            Err(e) => {
                // Rolled back with the rest: they go with the next round trip instead.
                self.later.borrow_mut().splice(0..0, later);
                return Err(db_err(e));
            }
        };
        self.add_cost(&results);
        if results.len() < skip {
            return Err(Error::Internal("a batch answered fewer results".into()));
        }
        Ok(results.split_off(skip))
    }
}

/// Whether `sql` only reads (`SELECT` or `WITH`), so it may ride with a pending session check.
fn is_read(sql: &str) -> bool {
    let head = sql.trim_start();
    ["SELECT", "WITH"].iter().any(|k| {
        head.get(..k.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(k))
    })
}

/// The rows a read answered.
pub(crate) fn rows<T: DeserializeOwned>(answer: D1Result) -> StoreResult<Vec<T>> {
    answer.results::<T>().map_err(db_err)
}

/// The first row a read answered, if any.
pub(crate) fn first_row<T: DeserializeOwned>(answer: D1Result) -> StoreResult<Option<T>> {
    Ok(rows(answer)?.into_iter().next())
}

/// The text column `v` of every row a read answered.
pub(crate) fn strings_of(answer: D1Result) -> StoreResult<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct V {
        v: String,
    }
    Ok(rows::<V>(answer)?.into_iter().map(|r| r.v).collect())
}

/// The count a `SELECT COUNT(*) AS n` answered.
pub(crate) fn total_of(answer: D1Result) -> StoreResult<u64> {
    #[derive(serde::Deserialize)]
    struct N {
        n: f64,
    }
    let n = first_row::<N>(answer)?.map_or(0.0, |r| r.n);
    Ok(n as u64)
}

pub(crate) fn changes(r: &D1Result) -> usize {
    r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0)
}

/// Maps a D1 failure: a unique-key violation becomes the conflict its column means; anything
/// else is internal.
pub(crate) fn db_err(e: worker::Error) -> Error {
    let msg = e.to_string();
    if msg.contains("UNIQUE constraint failed") {
        let conflicts = [
            (
                "users.email_normalized",
                "EMAIL_TAKEN",
                "a user with this email already exists",
            ),
            (
                "users.username",
                "USERNAME_TAKEN",
                "a user with this username already exists",
            ),
            (
                "users.phone",
                "PHONE_TAKEN",
                "a user with this phone number already exists",
            ),
            (
                "organizations.custom_domain",
                "DOMAIN_TAKEN",
                "this custom domain belongs to another organization",
            ),
            (
                "roles.",
                "ROLE_EXISTS",
                "a role with this name already exists",
            ),
            (
                "permissions.",
                "PERMISSION_EXISTS",
                "a permission with this name already exists",
            ),
            (
                "identities.",
                "IDENTITY_TAKEN",
                "this identity is linked to an account already",
            ),
        ];
        for (column, code, message) in conflicts {
            if msg.contains(column) {
                return Error::conflict(code, message);
            }
        }
    }
    Error::Internal(format!("D1: {msg}"))
}

// Argument helpers.
pub(crate) fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub(crate) fn n(v: i64) -> JsValue {
    JsValue::from_f64(v as f64)
}

pub(crate) fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

pub(crate) fn opt_n(v: Option<i64>) -> JsValue {
    v.map_or(JsValue::NULL, n)
}

/// A JSON array argument (for `json_each`).
pub(crate) fn json<T: serde::Serialize>(v: &T) -> StoreResult<JsValue> {
    serde_json::to_string(v)
        .map(|t| JsValue::from_str(&t))
        .map_err(|e| Error::Internal(format!("encode: {e}")))
}

pub(crate) fn parse_json_col<T: DeserializeOwned>(col: &str, text: &str) -> StoreResult<T> {
    latchkey_core::api::from_json(text.as_bytes())
        .map_err(|e| Error::Internal(format!("column {col}: {e}")))
}
