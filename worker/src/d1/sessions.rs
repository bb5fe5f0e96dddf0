use latchkey_core::model::{LoginRecord, Outcome, RefreshToken, Session, DEFAULT_REFRESH_TTL_SECS};
use latchkey_core::records::chain::ChainKey;
use latchkey_core::records::risk::PastLogin;
use latchkey_core::store::{
    LoginWrite, RefreshContext, RefreshStore, Rotation, SessionStore, StoreResult, Turn, Turned,
};
use latchkey_core::Error;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1PreparedStatement, D1Result};

use super::client::{client_args, placeholders, ClientRow, CLIENT_COLS};
use super::{changes, first_row, json, n, opt, opt_n, parse_json_col, s, Check, D1Store};

#[derive(Deserialize)]
struct Row {
    id: String,
    organization_id: String,
    user_id: String,
    application_id: Option<String>,
    created_at: f64,
    last_active_at: f64,
    expires_at: f64,
    revoked_at: Option<f64>,
    idle_timeout_ms: f64,
    methods: String,
    scope: Option<String>,
    parent_id: Option<String>,
    connection_id: Option<String>,
    #[serde(flatten)]
    client: ClientRow,
}

impl TryFrom<Row> for Session {
    type Error = latchkey_core::Error;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Session {
            methods: parse_json_col("sessions.methods", &r.methods)?,
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            application_id: r.application_id,
            created_at: r.created_at as i64,
            last_active_at: r.last_active_at as i64,
            expires_at: r.expires_at as i64,
            revoked_at: r.revoked_at.map(|t| t as i64),
            idle_timeout_ms: r.idle_timeout_ms as i64,
            client: r.client.into(),
            scope: r.scope,
            parent_id: r.parent_id,
            connection_id: r.connection_id,
        })
    }
}

/// Whether a deferred session check's answer shows an active session of `user_id`.
pub(super) fn active_session_of(
    answer: worker::D1Result,
    user_id: &str,
    now: i64,
) -> StoreResult<bool> {
    Ok(
        match first_row::<Row>(answer)?
            .map(Session::try_from)
            .transpose()?
        {
            Some(s) => s.user_id == user_id && s.is_active(now),
            None => false,
        },
    )
}

/// A user's recent successful logins (the risk signals' history): the columns, then the
/// order after the caller's `WHERE`.
pub(super) const RECENT: &str =
    "SELECT created_at, user_agent, device_name, country, latitude_e6, longitude_e6 \
     FROM login_records";
pub(super) const RECENT_ORDER: &str = "AND outcome = 'success' ORDER BY id DESC";

/// The rows of a [`RECENT`] read.
pub(super) fn past_logins(answer: worker::D1Result) -> StoreResult<Vec<PastLogin>> {
    #[derive(Deserialize)]
    struct R {
        created_at: f64,
        user_agent: Option<String>,
        device_name: Option<String>,
        country: Option<String>,
        latitude_e6: Option<f64>,
        longitude_e6: Option<f64>,
    }
    Ok(super::rows::<R>(answer)?
        .into_iter()
        .map(|r| PastLogin {
            created_at: r.created_at as i64,
            user_agent: r.user_agent,
            device_name: r.device_name,
            country: r.country,
            latitude_e6: r.latitude_e6.map(|v| v as i32),
            longitude_e6: r.longitude_e6.map(|v| v as i32),
        })
        .collect())
}

fn cols() -> String {
    format!(
        "id, organization_id, user_id, application_id, created_at, last_active_at, expires_at, revoked_at, idle_timeout_ms, methods, scope, parent_id, connection_id, {CLIENT_COLS}"
    )
}

impl D1Store {
    /// The three statements that write a login record, to run in one batch: bump the
    /// organization's counter, insert the record with the counter's new number, and count
    /// it in the record totals.
    fn insert_record_stmts(&self, r: &LoginRecord) -> StoreResult<[D1PreparedStatement; 3]> {
        // The counter only grows: deleting records never frees their numbers.
        let bump = self.stmt(
            "INSERT INTO record_counters (organization_id, last_seq, keyed_from) VALUES (?1, 1, 1) \
             ON CONFLICT(organization_id) DO UPDATE SET last_seq = last_seq + 1",
            &[s(&r.organization_id)],
        )?;
        let mut args = vec![
            s(&r.organization_id),
            opt(r.application_id.as_deref()),
            n(r.created_at),
            s(match r.outcome {
                Outcome::Success => "success",
                Outcome::Failure => "failure",
            }),
            s(&r.method),
            opt(r.failure_reason.map(|f| f.as_str())),
            opt(r.user_id.as_deref()),
            s(&r.login_id),
            opt(r.session_id.as_deref()),
        ];
        args.push(json(&r.flags)?);
        args.push(opt(r.connection_id.as_deref()));
        // New rows are always keyed (their number is at least the counter's keyed_from).
        let key = ChainKey {
            key: &self.chain_key,
            keyed_from: 1,
        };
        args.push(s(&key.row_hash(1, r)));
        args.extend(client_args(&r.client));
        // The number is the counter's, bumped in the same transaction, so concurrent logins
        // can never share or skip one (the unique index backs it up).
        let sql = format!(
            "INSERT INTO login_records (organization_id, application_id, created_at, outcome, method, failure_reason, \
             user_id, login_id, session_id, flags, connection_id, row_hash, {CLIENT_COLS}, chain_seq) VALUES ({}, \
             (SELECT last_seq FROM record_counters WHERE organization_id = ?1))",
            placeholders(1, args.len())
        );
        let totals = self.stmt(
            &super::records::totals_change(
                "SELECT id FROM login_records WHERE organization_id = ?1 \
                 AND chain_seq = (SELECT last_seq FROM record_counters WHERE organization_id = ?1)",
                1,
            ),
            &[s(&r.organization_id)],
        )?;
        Ok([bump, self.stmt(&sql, &args)?, totals])
    }

    fn insert_session_stmt(&self, se: &Session) -> StoreResult<D1PreparedStatement> {
        let mut args = vec![
            s(&se.id),
            s(&se.organization_id),
            s(&se.user_id),
            opt(se.application_id.as_deref()),
            n(se.created_at),
            n(se.last_active_at),
            n(se.expires_at),
            opt_n(se.revoked_at),
            n(se.idle_timeout_ms),
            json(&se.methods)?,
            opt(se.scope.as_deref()),
            opt(se.parent_id.as_deref()),
            opt(se.connection_id.as_deref()),
        ];
        args.extend(client_args(&se.client));
        let sql = format!(
            "INSERT INTO sessions ({}) VALUES ({})",
            cols(),
            placeholders(1, args.len())
        );
        self.stmt(&sql, &args)
    }

    fn insert_refresh_stmt(&self, t: &RefreshToken) -> StoreResult<D1PreparedStatement> {
        self.stmt(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            &[s(&t.token_hash), s(&t.session_id), n(t.created_at), n(t.expires_at)],
        )
    }
}

/// The session a refresh token (`?1`) belongs to.
const SESSION_OF_TOKEN: &str = "(SELECT session_id FROM refresh_tokens WHERE token_hash = ?1)";

/// The four reads of a refresh's context, each finding the session through the token (`?1`).
fn context_reads(store: &D1Store, args: &[JsValue]) -> StoreResult<[D1PreparedStatement; 4]> {
    let session = format!(
        "SELECT {} FROM sessions WHERE id = {SESSION_OF_TOKEN}",
        cols()
    );
    let app = format!(
        "SELECT {} FROM applications WHERE (organization_id, id) = \
         (SELECT organization_id, application_id FROM sessions WHERE id = {SESSION_OF_TOKEN})",
        super::apps::COLS
    );
    let user = format!(
        "SELECT {} FROM users WHERE (organization_id, id) = \
         (SELECT organization_id, user_id FROM sessions WHERE id = {SESSION_OF_TOKEN})",
        super::users::COLS
    );
    let roles = super::users::role_names(
        &format!("(SELECT user_id FROM sessions WHERE id = {SESSION_OF_TOKEN})"),
        &format!("(SELECT organization_id FROM sessions WHERE id = {SESSION_OF_TOKEN})"),
    );
    Ok([
        store.stmt(&session, args)?,
        store.stmt(&app, args)?,
        store.stmt(&user, args)?,
        store.stmt(&roles, args)?,
    ])
}

/// The context [`context_reads`] answered, if the token is known.
fn context_of(answers: [D1Result; 4]) -> StoreResult<Option<RefreshContext>> {
    let [session, app, user, roles] = answers;
    let Some(session) = first_row::<Row>(session)? else {
        return Ok(None);
    };
    Ok(Some(RefreshContext {
        session: session.try_into()?,
        application: first_row::<super::apps::Row>(app)?
            .map(TryInto::try_into)
            .transpose()?,
        user: super::users::one(first_row(user)?)?,
        roles: super::strings_of(roles)?,
    }))
}

/// True when session `{session}` may refresh: `RefreshContext::for_client` (client id `?4`,
/// or any when null) and `RefreshContext::user_may_refresh` at `?2`, in SQL.
fn may_refresh(session: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM sessions ms \
           JOIN users mu ON mu.organization_id = ms.organization_id AND mu.id = ms.user_id \
           LEFT JOIN applications ma ON ma.organization_id = ms.organization_id \
             AND ma.id = ms.application_id \
           WHERE ms.id = {session} AND mu.status = 'active' \
           AND (mu.expires_at IS NULL OR mu.expires_at > ?2) \
           AND (?4 IS NULL OR ma.client_id = ?4))"
    )
}

impl RefreshStore for D1Store {
    /// One round trip: four reads in one batch, each finding the session through the token.
    async fn refresh_context(&self, token_hash: &str) -> StoreResult<Option<RefreshContext>> {
        let answers = self.read_n(context_reads(self, &[s(token_hash)])?).await?;
        context_of(answers)
    }

    /// One round trip: the context as it stands, then, in the same transaction, the reuse
    /// check, the spend (with every check of the trait in its `WHERE`), the new token, the
    /// session's activity and the session as it then stands.
    async fn turn_refresh_token(&self, t: Turn<'_>) -> StoreResult<Turned> {
        let args = [
            s(t.old_hash),
            n(t.now),
            s(t.new_hash),
            opt(t.client_id),
            n(i64::from(DEFAULT_REFRESH_TTL_SECS) * 1000),
        ];
        let mut stmts = Vec::from(context_reads(self, &args[..1])?);
        stmts.push(self.stmt(
            "SELECT used_at FROM refresh_tokens WHERE token_hash = ?1",
            &args[..1],
        )?);
        // A spent token again, for its own client and a user who may refresh: reuse, which
        // ends the session (RFC 9700). Before the spend, which would make the token spent.
        stmts.push(self.stmt(
            &format!(
                "UPDATE sessions SET revoked_at = ?2 WHERE revoked_at IS NULL AND id = \
                 (SELECT session_id FROM refresh_tokens WHERE token_hash = ?1 \
                  AND used_at IS NOT NULL) AND {}",
                may_refresh("sessions.id")
            ),
            &args[..4],
        )?);
        stmts.push(self.stmt(
            &format!(
                "UPDATE refresh_tokens SET used_at = ?2, replaced_by = ?3 \
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 \
                 AND session_id IN (SELECT id FROM sessions WHERE revoked_at IS NULL \
                   AND expires_at > ?2 \
                   AND (idle_timeout_ms = 0 OR last_active_at + idle_timeout_ms > ?2)) \
                 AND {}",
                may_refresh("refresh_tokens.session_id")
            ),
            &args[..4],
        )?);
        // `RefreshContext::next_token_expiry`, in SQL.
        stmts.push(self.stmt(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
             SELECT ?3, t.session_id, ?2, \
               MIN(?2 + COALESCE(a.refresh_token_ttl_secs * 1000, ?5), s.expires_at) \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             LEFT JOIN applications a ON a.organization_id = s.organization_id \
               AND a.id = s.application_id \
             WHERE t.token_hash = ?1 AND t.replaced_by = ?3",
            &args,
        )?);
        stmts.push(self.stmt(
            "UPDATE sessions SET last_active_at = ?2 \
             WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = ?3)",
            &args[..3],
        )?);
        stmts.push(self.stmt(
            &format!(
                "SELECT {} FROM sessions WHERE id = \
                 (SELECT session_id FROM refresh_tokens WHERE token_hash = ?3)",
                cols()
            ),
            &args[..3],
        )?);
        let results = self.batch(stmts).await?;
        let Ok([session, app, user, roles, old, _reuse, spend, _insert, _touch, after]) =
            <[D1Result; 10]>::try_from(results)
        else {
            return Err(Error::Internal(
                "a refresh's batch answered otherwise".into(),
            ));
        };
        let Some(context) = context_of([session, app, user, roles])? else {
            return Ok(Turned {
                context: None,
                rotation: Rotation::Invalid,
            });
        };
        let rotation = if changes(&spend) == 1 {
            match first_row::<Row>(after)? {
                Some(session) => Rotation::Rotated(Box::new(session.try_into()?)),
                None => Rotation::Invalid,
            }
        } else {
            #[derive(Deserialize)]
            struct Old {
                used_at: Option<f64>,
            }
            let spent = first_row::<Old>(old)?.is_some_and(|o| o.used_at.is_some());
            if spent && context.for_client(t.client_id) && context.user_may_refresh(t.now) {
                Rotation::Reused {
                    session_id: context.session.id.clone(),
                }
            } else {
                Rotation::Invalid
            }
        };
        Ok(Turned {
            context: Some(context),
            rotation,
        })
    }
}

impl SessionStore for D1Store {
    async fn record_login(&self, w: LoginWrite<'_>) -> StoreResult<()> {
        let se = w.session;
        let mut stmts = vec![self.insert_session_stmt(se)?];
        if let Some(t) = w.refresh_token {
            stmts.push(self.insert_refresh_stmt(t)?);
        }
        stmts.extend(self.insert_record_stmts(w.record)?);
        stmts.push(self.stmt(
            "UPDATE users SET last_login_at = ?3, password_hash = COALESCE(?4, password_hash), \
             updated_at = CASE WHEN ?4 IS NULL THEN updated_at ELSE MAX(?3, updated_at + 1) END \
             WHERE organization_id = ?1 AND id = ?2",
            &[
                s(&se.organization_id),
                s(&se.user_id),
                n(se.created_at),
                opt(w.rehash),
            ],
        )?);
        self.batch(stmts).await?;
        Ok(())
    }

    async fn record_failure(&self, record: &LoginRecord) -> StoreResult<()> {
        self.batch(self.insert_record_stmts(record)?.into()).await?;
        Ok(())
    }

    async fn record_ping(&self, record: &LoginRecord) -> StoreResult<()> {
        let touch = self.stmt(
            "UPDATE users SET last_login_at = ?3 WHERE organization_id = ?1 AND id = ?2",
            &[
                s(&record.organization_id),
                opt(record.user_id.as_deref()),
                n(record.created_at),
            ],
        )?;
        let mut stmts = Vec::from(self.insert_record_stmts(record)?);
        stmts.push(touch);
        self.batch(stmts).await?;
        Ok(())
    }

    async fn session_of_refresh_token(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = ?1)",
            cols()
        );
        self.first::<Row>(&sql, &[s(token_hash)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// Deferred: the check rides with the request's next read (see `D1Store::query`).
    async fn check_session(
        &self,
        org_id: &str,
        id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE organization_id = ?1 AND id = ?2",
            cols()
        );
        let user_id = user_id.to_owned();
        self.defer_check(Check {
            stmt: self.stmt(&sql, &[s(org_id), s(id)])?,
            passes: Box::new(move |answer| active_session_of(answer, &user_id, now)),
        })
        .await
    }

    async fn get_session(&self, org_id: &str, id: &str) -> StoreResult<Option<Session>> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE organization_id = ?1 AND id = ?2",
            cols()
        );
        self.first::<Row>(&sql, &[s(org_id), s(id)])
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn list_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        include_inactive: bool,
        now: i64,
    ) -> StoreResult<Vec<Session>> {
        let sql = format!("SELECT {} FROM sessions WHERE organization_id = ?1 AND user_id = ?2 \
             AND (?3 = 1 OR (revoked_at IS NULL AND expires_at > ?4 \
               AND (idle_timeout_ms = 0 OR last_active_at + idle_timeout_ms > ?4))) ORDER BY created_at DESC, id DESC LIMIT 500",
            cols()
        );
        self.all::<Row>(
            &sql,
            &[
                s(org_id),
                s(user_id),
                n(i64::from(include_inactive)),
                n(now),
            ],
        )
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
    }

    async fn revoke_session(&self, org_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        self.run(
            "UPDATE sessions SET revoked_at = ?3 WHERE organization_id = ?1 AND id = ?2 AND revoked_at IS NULL",
            &[s(org_id), s(id), n(now)],
        )
        .await
    }

    async fn revoke_user_sessions(
        &self,
        org_id: &str,
        user_id: &str,
        except: Option<&str>,
        now: i64,
    ) -> StoreResult<u32> {
        let r = self
            .exec(self.stmt(
                "UPDATE sessions SET revoked_at = ?3 WHERE organization_id = ?1 AND user_id = ?2 AND revoked_at IS NULL \
                 AND expires_at > ?3 AND (idle_timeout_ms = 0 OR last_active_at + idle_timeout_ms > ?3) \
                 AND (?4 IS NULL OR id <> ?4)",
                &[s(org_id), s(user_id), n(now), opt(except)],
            )?)
            .await?;
        Ok(u32::try_from(changes(&r)).unwrap_or(u32::MAX))
    }

    async fn recent_logins(
        &self,
        org_id: &str,
        user_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<PastLogin>> {
        let sql =
            format!("{RECENT} WHERE organization_id = ?1 AND user_id = ?2 {RECENT_ORDER} LIMIT ?3");
        past_logins(
            self.query(self.stmt(&sql, &[s(org_id), s(user_id), n(limit.into())])?)
                .await?,
        )
    }

    async fn add_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        self.exec(self.insert_refresh_stmt(token)?).await?;
        Ok(())
    }

    async fn touch_session(&self, id: &str, now: i64) -> StoreResult<()> {
        self.run(
            "UPDATE sessions SET last_active_at = ?2 WHERE id = ?1",
            &[s(id), n(now)],
        )
        .await?;
        Ok(())
    }

    async fn insert_session(
        &self,
        session: &Session,
        token: Option<&RefreshToken>,
    ) -> StoreResult<()> {
        let mut stmts = vec![self.insert_session_stmt(session)?];
        if let Some(t) = token {
            stmts.push(self.insert_refresh_stmt(t)?);
        }
        self.batch(stmts).await?;
        Ok(())
    }

    async fn prune_sessions(&self, org_id: &str, before: i64, limit: u32) -> StoreResult<u32> {
        // The end of a session exactly as the index `sessions_by_end` (migration 0020) has it,
        // so this is a range of that index; both statements pick the same rows, in the order
        // of that index, within one transaction.
        const GONE: &str = "SELECT id FROM sessions WHERE organization_id = ?1 \
             AND MIN(COALESCE(revoked_at, expires_at), expires_at) < ?2 \
             AND NOT EXISTS (SELECT 1 FROM sessions c WHERE c.parent_id = sessions.id) \
             ORDER BY MIN(COALESCE(revoked_at, expires_at), expires_at) LIMIT ?3";
        let args = [s(org_id), n(before), n(limit.into())];
        let answers = self
            .batch(vec![
                self.stmt(
                    &format!("DELETE FROM refresh_tokens WHERE session_id IN ({GONE})"),
                    &args,
                )?,
                self.stmt(&format!("DELETE FROM sessions WHERE id IN ({GONE})"), &args)?,
            ])
            .await?;
        let deleted = answers.last().map_or(0, changes);
        Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
    }
}
