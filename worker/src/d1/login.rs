//! A password login's reads in one round trip (`LoginReadStore`): each statement of the
//! batch finds the account through the login id, as `find_login` does.

use latchkey_core::model::MfaFactor;
use latchkey_core::store::{LoginReadStore, LoginReads, StoreResult, UserReads};

use super::{first_row, rows, s, strings_of, total_of, D1Store};

/// The account a login id names: by address first, else by username.
const USER: &str = "(SELECT id FROM users WHERE organization_id = ?1 AND (email_normalized = ?2 OR username = ?2) \
     ORDER BY email_normalized = ?2 DESC LIMIT 1)";

impl LoginReadStore for D1Store {
    async fn login_reads(
        &self,
        org_id: &str,
        login_id: &str,
        application_id: Option<&str>,
        history: u32,
    ) -> StoreResult<LoginReads> {
        let user = format!("SELECT {} FROM users WHERE id = {USER}", super::users::COLS);
        let org = format!(
            "SELECT {} FROM organizations WHERE id = ?1",
            super::orgs::COLS
        );
        let registered = format!(
            "SELECT COUNT(*) AS n FROM registrations WHERE user_id = {USER} AND application_id = ?3"
        );
        let factors = format!(
            "SELECT {} FROM mfa_factors WHERE organization_id = ?1 AND user_id = {USER} \
             AND confirmed_at IS NOT NULL ORDER BY created_at, id",
            super::mfa::COLS
        );
        let roles = super::users::role_names(USER, "?1");
        let recent = format!(
            "{} WHERE organization_id = ?1 AND user_id = {USER} {} LIMIT ?4",
            super::sessions::RECENT,
            super::sessions::RECENT_ORDER
        );
        let app = application_id.map_or(worker::wasm_bindgen::JsValue::NULL, s);
        let args = [s(org_id), s(login_id), app, super::n(history.into())];
        // Each statement is given as many values as its highest placeholder.
        let [user, org, registered, factors, roles, recent] = self
            .read_n([
                self.stmt(&user, &args[..2])?,
                self.stmt(&org, &args[..1])?,
                self.stmt(&registered, &args[..3])?,
                self.stmt(&factors, &args[..2])?,
                self.stmt(&roles, &args[..2])?,
                self.stmt(&recent, &args[..4])?,
            ])
            .await?;
        let user = super::users::one(first_row(user)?)?;
        let known = match &user {
            None => None,
            Some(_) => Some(UserReads {
                registered: application_id.is_none() || total_of(registered)? > 0,
                confirmed_factors: rows::<super::mfa::Row>(factors)?
                    .into_iter()
                    .map(MfaFactor::from)
                    .collect(),
                roles: strings_of(roles)?,
                recent: super::sessions::past_logins(recent)?,
            }),
        };
        Ok(LoginReads {
            user,
            organization: first_row::<super::orgs::Row>(org)?.map(Into::into),
            known,
        })
    }
}
