//! A password login's reads in one round trip (`LoginReadStore`): each statement of the
//! batch finds the account through the login id, as `find_login` does. When the client id's
//! last login in this isolate showed its organization and policy, the attempt's brute-force
//! charge goes in the same batch.

use std::cell::RefCell;

use latchkey_core::authn::guard::{self, Policy};
use latchkey_core::model::{Application, LoginMethod, MfaFactor};
use latchkey_core::store::{LoginReadStore, LoginReads, StoreResult, UserReads};
use wasm_bindgen::JsValue;
use worker::{D1PreparedStatement, D1Result};

use super::attempts::Charge;
use super::{first_row, n, rows, s, strings_of, total_of, D1Store};
use crate::kept::Kept;

thread_local! {
    /// What each client id's last password login read: its organization and that
    /// organization's brute-force policy. Only for applications that take passwords and
    /// ask for no bot check: for those, nothing that comes before the charge in a login
    /// (the bot check) can refuse the attempt, so charging it with the reads changes
    /// nothing but when.
    static CLIENTS: RefCell<Kept<String, (String, Policy)>> = const { RefCell::new(Kept::new(64)) };
}

/// Remembers what this login read of its client id, or forgets the client id when its
/// attempts may not be charged ahead.
fn remember(client_id: &str, app: Option<&Application>, reads: &LoginReads) {
    CLIENTS.with(|c| {
        let mut c = c.borrow_mut();
        match app {
            Some(app)
                if !app.bot_protection && app.login_methods.contains(&LoginMethod::Password) =>
            {
                let protection = reads
                    .organization
                    .as_ref()
                    .map(|o| o.attack_protection)
                    .unwrap_or_default();
                c.put(
                    client_id.to_owned(),
                    (app.organization_id.clone(), Policy::from(&protection)),
                );
            }
            _ => c.forget(client_id),
        }
    });
}

/// The statements of a password login's reads, the organization and the application given
/// as SQL over the placeholders (`?2` is the login id, `?4` the number of recent logins): the
/// values themselves, or what the application of a client id says of them.
fn statements(org: &str, app: &str) -> [String; 6] {
    // The account a login id names: by address first, else by username.
    let user = format!(
        "(SELECT id FROM users WHERE organization_id = {org} AND (email_normalized = ?2 OR username = ?2) \
         ORDER BY email_normalized = ?2 DESC LIMIT 1)"
    );
    [
        format!("SELECT {} FROM users WHERE id = {user}", super::users::COLS),
        format!(
            "SELECT {} FROM organizations WHERE id = {org}",
            super::orgs::COLS
        ),
        format!(
            "SELECT COUNT(*) AS n FROM registrations WHERE user_id = {user} AND application_id = {app}"
        ),
        format!(
            "SELECT {} FROM mfa_factors WHERE organization_id = {org} AND user_id = {user} \
             AND confirmed_at IS NOT NULL ORDER BY created_at, id",
            super::mfa::COLS
        ),
        super::users::role_names(&user, org),
        format!(
            "{} WHERE organization_id = {org} AND user_id = {user} {} LIMIT ?4",
            super::sessions::RECENT,
            super::sessions::RECENT_ORDER
        ),
    ]
}

/// A login's reads made ahead, with what they were made for.
pub(super) struct ReadAhead {
    org_id: String,
    login_id: String,
    application_id: String,
    history: u32,
    reads: LoginReads,
}

impl D1Store {
    /// The six statements of [`statements`], with `args` (`?1` to `?4`), in the batch after
    /// `first` (if any), and what they read.
    async fn login_batch(
        &self,
        org: &str,
        app: &str,
        args: [JsValue; 4],
        first: Option<D1PreparedStatement>,
        has_app: bool,
        then: Vec<D1PreparedStatement>,
    ) -> StoreResult<(Option<D1Result>, LoginReads, Vec<D1Result>)> {
        let sql = statements(org, app);
        let has_first = first.is_some();
        // Each statement is given as many values as its highest placeholder.
        let takes = [2, 1, 3, 2, 2, 4];
        let mut stmts = Vec::with_capacity(7 + then.len());
        stmts.extend(first);
        for (sql, k) in sql.iter().zip(takes) {
            stmts.push(self.stmt(sql, &args[..k])?);
        }
        let writes = !then.is_empty();
        stmts.extend(then);
        let mut answers = if writes {
            self.batch(stmts).await?
        } else {
            self.reads(stmts).await?
        }
        .into_iter();
        let first = if has_first { answers.next() } else { None };
        let mut next = || {
            answers
                .next()
                .ok_or_else(|| latchkey_core::Error::Internal("a login read is missing".into()))
        };
        let (user, org, registered, factors, roles, recent) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        let user = super::users::one(first_row(user)?)?;
        let known = match &user {
            None => None,
            Some(_) => Some(UserReads {
                registered: !has_app || total_of(registered)? > 0,
                confirmed_factors: rows::<super::mfa::Row>(factors)?
                    .into_iter()
                    .map(MfaFactor::from)
                    .collect(),
                roles: strings_of(roles)?,
                recent: super::sessions::past_logins(recent)?,
            }),
        };
        Ok((
            first,
            LoginReads {
                user,
                organization: first_row::<super::orgs::Row>(org)?.map(Into::into),
                known,
            },
            answers.collect(),
        ))
    }

    /// The application of `client_id` and, in the same round trip, the reads of a password
    /// login into it with `login_id` (normalised), kept for `login_reads` to take when the
    /// login asks for exactly those. When the client id's last login showed its organization
    /// and policy, the attempt from `ip` at `now` is charged in the same round trip, kept
    /// for `charge_behind_address` to take when the login asks for exactly that charge (a
    /// policy changed since asks for another, which is then made as usual).
    pub async fn application_reading_ahead(
        &self,
        client_id: &str,
        login_id: &str,
        history: u32,
        ip: Option<&str>,
        now: i64,
    ) -> StoreResult<Option<Application>> {
        let known = CLIENTS.with(|c| c.borrow().get(client_id));
        let charge = known.map(|(org_id, policy)| Charge {
            address: guard::address_key(&policy, ip, now),
            keys: guard::keys(&org_id, login_id, ip).to_vec(),
            org_id,
            address_window_ms: policy.address_window_ms,
            address_limit: policy.address_failures,
            window_ms: policy.lock_ms,
            now,
        });
        let then = match &charge {
            Some(c) => c.statements(self)?,
            None => Vec::new(),
        };
        const ORG: &str = "(SELECT organization_id FROM applications WHERE client_id = ?1)";
        const APP: &str = "(SELECT id FROM applications WHERE client_id = ?3)";
        let app = self.stmt(
            &format!(
                "SELECT {} FROM applications WHERE client_id = ?1",
                super::apps::COLS
            ),
            &[s(client_id)],
        )?;
        let args = [s(client_id), s(login_id), s(client_id), n(history.into())];
        let (app, reads, charged) = self
            .login_batch(ORG, APP, args, Some(app), true, then)
            .await?;
        let app: Option<Application> = match app {
            Some(answer) => first_row::<super::apps::Row>(answer)?
                .map(TryInto::try_into)
                .transpose()?,
            None => None,
        };
        if let Some(charge) = charge {
            *self.charged_ahead.borrow_mut() = Some((charge, Charge::answer(&charged)?));
        }
        remember(client_id, app.as_ref(), &reads);
        if let Some(a) = &app {
            *self.read_ahead.borrow_mut() = Some(ReadAhead {
                org_id: a.organization_id.clone(),
                login_id: login_id.to_owned(),
                application_id: a.id.clone(),
                history,
                reads,
            });
        }
        Ok(app)
    }
}

impl LoginReadStore for D1Store {
    async fn login_reads(
        &self,
        org_id: &str,
        login_id: &str,
        application_id: Option<&str>,
        history: u32,
    ) -> StoreResult<LoginReads> {
        let ahead = self.read_ahead.borrow_mut().take();
        if let Some(a) = ahead {
            if a.org_id == org_id
                && a.login_id == login_id
                && Some(a.application_id.as_str()) == application_id
                && a.history == history
            {
                return Ok(a.reads);
            }
        }
        let app = application_id.map_or(JsValue::NULL, s);
        let args = [s(org_id), s(login_id), app, n(history.into())];
        let (_, reads, _) = self
            .login_batch("?1", "?3", args, None, application_id.is_some(), Vec::new())
            .await?;
        Ok(reads)
    }
}
