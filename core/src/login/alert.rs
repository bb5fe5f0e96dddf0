//! "Was this you?": a successful login that a risk signal flagged (a new device, a new
//! country, impossible travel) is emailed to its user, where the organization's
//! `messaging.login_alerts` is on, naming the device, browser, place and time, with a
//! single-use link that signs that session out ([`disown`]) and offers a password reset.
//! The click is a security event (`login.disowned`).

use serde::{Deserialize, Serialize};

use crate::api::LoginDisowned;
use crate::delivery::templates::{Kind, Vars};
use crate::delivery::Draft;
use crate::events::{self, kinds};
use crate::model::{Application, ClientInfo, OneTimeCode, Session, User};
use crate::rand::{hex, Rng};
use crate::records::risk;
use crate::secrets::sha256;
use crate::store::{AppStore, CodeStore, EventStore, OrgStore, SessionStore};
use crate::Error;

/// The purpose of alert links' rows.
pub const LOGIN_ALERT: &str = "login_alert";
/// An alert's link works for a week.
pub const TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// The page alert links open.
pub const PAGE: &str = "/not-me";

#[derive(Debug, Serialize, Deserialize)]
struct Alerted {
    session_id: String,
}

fn hash(token: &str) -> String {
    hex(&sha256(token.trim().as_bytes()))
}

/// The words of a flag, for the email.
fn why(flags: &[String]) -> String {
    let words: Vec<&str> = flags
        .iter()
        .filter_map(|f| match f.as_str() {
            risk::NEW_DEVICE => Some("a device not seen before"),
            risk::NEW_COUNTRY => Some("a country not seen before"),
            risk::IMPOSSIBLE_TRAVEL => Some("too far from the last sign-in to have travelled"),
            _ => None,
        })
        .collect();
    words.join(", ")
}

/// The alert of a login with `flags`, if any of them is a risk signal and the organization
/// wants alerts: its link's row is stored, and the email returned.
#[allow(clippy::too_many_arguments)]
pub async fn alert(
    store: &(impl CodeStore + OrgStore),
    user: &User,
    application: Option<&Application>,
    session: &Session,
    flags: &[String],
    issuer: &str,
    now: i64,
    rng: &mut impl Rng,
) -> Result<Option<Draft>, Error> {
    let reasons = why(flags);
    if reasons.is_empty() {
        return Ok(None);
    }
    let wanted = store
        .get_org(&user.organization_id)
        .await?
        .is_none_or(|o| o.messaging.login_alerts);
    if !wanted {
        return Ok(None);
    }
    let token = hex(&rng.bytes::<32>());
    let data = Alerted {
        session_id: session.id.clone(),
    };
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&token),
            purpose: LOGIN_ALERT.to_owned(),
            organization_id: user.organization_id.clone(),
            user_id: user.id.clone(),
            data: Some(serde_json::to_string(&data).map_err(|e| Error::Internal(e.to_string()))?),
            created_at: now,
            expires_at: now + TTL_MS,
        })
        .await?;
    let vars = Vars::new()
        .set(
            "application",
            application.map_or("your account", |a| a.name.as_str()),
        )
        .set(
            "link",
            format!("{}{PAGE}#{token}", issuer.trim_end_matches('/')),
        )
        .set("time", crate::time::rfc3339(now))
        .set("reasons", reasons)
        .client(&session.client);
    Ok(Some(Draft::new(Kind::LoginAlert, &user.email, vars)))
}

/// "This was not me": signs out the session the alert was about (once), and raises
/// `login.disowned`. Answers the account's email and its application's client id, so the
/// page can offer a password reset.
pub async fn disown(
    store: &(impl CodeStore + SessionStore + EventStore + AppStore),
    token: &str,
    client: &ClientInfo,
    now: i64,
) -> Result<LoginDisowned, Error> {
    let h = hash(token);
    let Some(row) = store.consume_code(&h, LOGIN_ALERT, now).await? else {
        return Err(Error::CodeRejected("CODE_EXPIRED"));
    };
    let alerted: Alerted = row
        .data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(|| Error::Internal("login alert row without its data".into()))?;
    let org = row.organization_id.as_str();
    let session = store.get_session(org, &alerted.session_id).await?;
    let revoked = store.revoke_session(org, &alerted.session_id, now).await?;
    let e = events::event(org, kinds::LOGIN_DISOWNED, now)
        .user(Some(&row.user_id))
        .client(client)
        .detail("session_id", alerted.session_id.as_str())
        .detail("session_revoked", revoked);
    events::emit(store, e).await?;
    let app = match session.and_then(|s| s.application_id) {
        Some(id) => store.get_app(org, &id).await?,
        None => None,
    };
    Ok(LoginDisowned {
        session_revoked: revoked,
        client_id: app.map(|a| a.client_id),
    })
}
