//! Sign-in by a single-use link sent by email (seed 000's "magic link"), across devices.
//!
//! Asking for a link gives the asking page a secret `pending_id`; the email carries another
//! secret, the link's token (after `#`, so it reaches no server log). Whoever opens the link
//! sees which device and place asked ([`inspect`]) and approves or refuses it ([`verify`]),
//! once. The asking page polls ([`status`]) and is signed in once the link is approved:
//! the session is the asking device's, wherever the link was opened. A link lasts
//! [`TTL_MS`].
//!
//! Rows (one-time codes, stored as SHA-256 hashes): the link's ([`MAGIC_LINK`], keyed by
//! the token's hash, naming the pending id's hash), the asking page's ([`LINK_WAIT`], keyed
//! by the pending id's hash), and the holder's answer ([`LINK_DONE`], keyed by the hash of
//! the pending id's hash), which the page's poll consumes: one poll signs in.

use serde::{Deserialize, Serialize};

use super::{
    account, address, charge_send, enabled, failure, finish, gone, spent_marker, LinkRequest,
    PasswordlessStores, Proven, RESEND_AFTER_SECS,
};
use crate::api::{MagicLinkInfo, MagicLinkSent, MagicLinkVerified};
use crate::delivery::templates::{Kind, Vars};
use crate::delivery::Draft;
use crate::login::{LoginEnv, LoginSuccess};
use crate::model::{Application, ClientInfo, FailureReason, LoginMethod, OneTimeCode, User};
use crate::rand::{hex, Rng};
use crate::secrets::sha256;
use crate::store::{AppStore, CodeStore, SessionStore};
use crate::Error;

/// The purpose of a link's row.
pub const MAGIC_LINK: &str = "magic_link";
/// The purpose of the asking page's row.
pub const LINK_WAIT: &str = "magic_link_wait";
/// The purpose of the holder's answer.
pub const LINK_DONE: &str = "magic_link_done";
/// A link works for fifteen minutes.
pub const TTL_MS: i64 = 15 * 60 * 1000;
const METHOD: &str = "magic_link";

/// What the link's and the asking page's rows keep.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Asked {
    application_id: String,
    /// The address as typed.
    email: String,
    /// The hash of the asking page's pending id (on the link's row).
    #[serde(default)]
    wait: String,
    /// The asking device, as the email and the link's page describe it.
    device: String,
    location: String,
    ip: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Answer {
    approved: bool,
    application_id: String,
    email: String,
}

fn hash(s: &str) -> String {
    hex(&sha256(s.trim().as_bytes()))
}

fn data<T: for<'de> Deserialize<'de>>(row: &OneTimeCode) -> Result<T, Error> {
    row.data
        .as_deref()
        .and_then(|d| crate::api::from_json(d.as_bytes()).ok())
        .ok_or_else(|| Error::Internal(format!("{} row without its data", row.purpose)))
}

fn json(v: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// Stores the link and the asking page's rows and answers with the message to deliver:
/// none for an address no account has (unless the application allows sign-up). The answer
/// is the same either way.
pub async fn send(
    store: &impl PasswordlessStores,
    req: LinkRequest<'_>,
    now: i64,
    rng: &mut impl Rng,
) -> Result<(MagicLinkSent, Option<Draft>), Error> {
    let app = req.application;
    enabled(app, LoginMethod::MagicLink)?;
    let addr = address(req.email)?;
    let org = app.organization_id.as_str();
    charge_send(store, org, &addr.normalized, req.client.ip.as_deref(), now).await?;
    let user = store.find_login(org, &addr.normalized).await?;
    let token = hex(&rng.bytes::<32>());
    let pending_id = hex(&rng.bytes::<32>());
    let vars = Vars::new().client(req.client);
    let described = |name| vars.get(name).unwrap_or_default().to_owned();
    let asked = Asked {
        application_id: app.id.clone(),
        email: addr.display.clone(),
        wait: hash(&pending_id),
        device: described("device"),
        location: described("location"),
        ip: described("ip"),
    };
    let row = |code_hash: String, purpose: &str, data: String| OneTimeCode {
        code_hash,
        purpose: purpose.to_owned(),
        organization_id: org.to_owned(),
        user_id: user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
        data: Some(data),
        created_at: now,
        expires_at: now + TTL_MS,
    };
    store
        .insert_code(&row(hash(&token), MAGIC_LINK, json(&asked)?))
        .await?;
    let waiting = Asked {
        wait: String::new(),
        ..asked
    };
    store
        .insert_code(&row(hash(&pending_id), LINK_WAIT, json(&waiting)?))
        .await?;
    let message = (user.is_some() || app.self_signup).then(|| {
        let to = user
            .as_ref()
            .map_or(addr.display.as_str(), |u: &User| &u.email);
        let link = format!("{}#{token}", req.link_page);
        let vars = vars
            .set("application", app.name.as_str())
            .set("link", link)
            .set("expires_minutes", (TTL_MS / 60_000).to_string());
        Draft::new(Kind::MagicLink, to, vars)
    });
    let sent = MagicLinkSent {
        pending_id,
        expires_in: (TTL_MS / 1000) as u32,
        resend_after: RESEND_AFTER_SECS,
    };
    Ok((sent, message))
}

/// Who asked for the link `token`, for its holder to decide. Spends nothing.
pub async fn inspect(
    store: &(impl CodeStore + AppStore),
    token: &str,
    now: i64,
) -> Result<MagicLinkInfo, Error> {
    let h = hash(token);
    let Some(row) = store.find_code(&h, MAGIC_LINK, now).await? else {
        return Err(gone(store, &h, MAGIC_LINK, now).await?.error);
    };
    let asked: Asked = data(&row)?;
    let app = store
        .get_app(&row.organization_id, &asked.application_id)
        .await?
        .ok_or(Error::CodeRejected("CODE_EXPIRED"))?;
    Ok(MagicLinkInfo {
        application: app.name,
        email: asked.email,
        requested_at: crate::time::rfc3339(row.created_at),
        device: asked.device,
        location: asked.location,
        ip: asked.ip,
    })
}

/// The link's holder approves (or refuses) the sign-in: the link is spent either way, and
/// the asking page's next poll gets the answer. A refusal is recorded as a failed sign-in.
pub async fn verify(
    store: &(impl CodeStore + AppStore + SessionStore),
    token: &str,
    approve: bool,
    client: &ClientInfo,
    now: i64,
) -> Result<MagicLinkVerified, Error> {
    let h = hash(token);
    let Some(row) = store.consume_code(&h, MAGIC_LINK, now).await? else {
        let gone = gone(store, &h, MAGIC_LINK, now).await?;
        if let Some(row) = &gone.row {
            record(store, row, gone.reason, client, now).await?;
        }
        return Err(gone.error);
    };
    store.upsert_code(&spent_marker(&row)).await?;
    let asked: Asked = data(&row)?;
    let answer = Answer {
        approved: approve,
        application_id: asked.application_id.clone(),
        email: asked.email.clone(),
    };
    store
        .insert_code(&OneTimeCode {
            code_hash: hash(&asked.wait),
            purpose: LINK_DONE.to_owned(),
            data: Some(json(&answer)?),
            ..row.clone()
        })
        .await?;
    if !approve {
        record(store, &row, FailureReason::LinkDenied, client, now).await?;
    }
    let application = store
        .get_app(&row.organization_id, &asked.application_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    Ok(MagicLinkVerified {
        approved: approve,
        application,
    })
}

/// Records a failure of the link `row` (or its marker).
async fn record(
    store: &(impl AppStore + SessionStore),
    row: &OneTimeCode,
    reason: FailureReason,
    client: &ClientInfo,
    now: i64,
) -> Result<(), Error> {
    let asked: Asked = data(row)?;
    let Some(app) = store
        .get_app(&row.organization_id, &asked.application_id)
        .await?
    else {
        return Ok(());
    };
    let user = (!row.user_id.is_empty()).then_some(row.user_id.as_str());
    store
        .record_failure(&failure(
            &app,
            METHOD,
            &asked.email,
            user,
            client,
            reason,
            now,
        ))
        .await
}

/// Where a link's sign-in stands for the page that asked.
#[derive(Debug)]
pub enum LinkStatus {
    /// Not answered yet; the link works this many more seconds.
    Pending { expires_in: u32 },
    /// Approved: the asking device is signed in.
    SignedIn(Box<LoginSuccess>),
}

/// The asking page's poll.
pub struct Poll<'a> {
    pub application: &'a Application,
    pub pending_id: &'a str,
    pub client: ClientInfo,
    pub trust_token: Option<&'a str>,
}

/// The asking page's poll: pending, or (once, after the link's approval) the sign-in.
pub async fn status<R: Rng>(
    store: &impl PasswordlessStores,
    poll: Poll<'_>,
    mut env: LoginEnv<'_, R>,
) -> Result<LinkStatus, Error> {
    let app = poll.application;
    let now = env.now;
    let wait = hash(poll.pending_id);
    let done_hash = hash(&wait);
    let Some(done) = store.consume_code(&done_hash, LINK_DONE, now).await? else {
        return match store.find_code(&wait, LINK_WAIT, now).await? {
            Some(w) if w.organization_id == app.organization_id => Ok(LinkStatus::Pending {
                expires_in: ((w.expires_at - now).max(0) / 1000) as u32,
            }),
            _ => Err(gone(store, &done_hash, LINK_DONE, now).await?.error),
        };
    };
    store.upsert_code(&spent_marker(&done)).await?;
    store.consume_code(&wait, LINK_WAIT, now).await?;
    let answer: Answer = data(&done)?;
    if done.organization_id != app.organization_id || answer.application_id != app.id {
        return Err(Error::CodeRejected("CODE_EXPIRED"));
    }
    if !answer.approved {
        return Err(Error::CodeRejected("LINK_DENIED"));
    }
    let Some(user) = account(store, app, &done.user_id, &answer.email, &mut env).await? else {
        return Err(Error::CodeRejected("CODE_EXPIRED"));
    };
    let proven = Proven {
        application: app,
        user,
        method: METHOD,
        login_id: &answer.email,
        client: poll.client,
        trust_token: poll.trust_token,
        refund: &[],
        verifies_email: true,
        connection_id: None,
    };
    Ok(LinkStatus::SignedIn(Box::new(
        finish(store, proven, env).await?,
    )))
}
