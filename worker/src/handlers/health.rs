//! `GET /healthz`: a real D1 query and a real KV read.

use latchkey_core::api::{CheckStatus, Health};
use worker::{console_error, Env, Response};

use crate::error::AppResult;
use crate::{http, DB_BINDING, KV_BINDING};

/// Key read from KV on every health check; it need not exist, the read must succeed.
const KV_PROBE_KEY: &str = "healthz:probe";

pub async fn handle(env: &Env) -> AppResult<Response> {
    let d1 = check_d1(env).await;
    let kv = check_kv(env).await;
    let health = Health::from_checks(d1, kv);
    let status = if health.status == CheckStatus::Ok {
        200
    } else {
        503
    };
    Ok(http::json(status, &health)?)
}

async fn check_d1(env: &Env) -> CheckStatus {
    let result = async {
        let db = env.d1(DB_BINDING)?;
        // Touches a real table, so it also proves the migrations were applied.
        db.prepare("SELECT COUNT(*) AS n FROM organizations")
            .first::<serde_json::Value>(Some("n"))
            .await
    }
    .await;
    match result {
        Ok(Some(_)) => CheckStatus::Ok,
        Ok(None) => CheckStatus::Error,
        Err(e) => {
            console_error!("healthz: D1 check failed: {e}");
            CheckStatus::Error
        }
    }
}

async fn check_kv(env: &Env) -> CheckStatus {
    let result = async {
        env.kv(KV_BINDING)?
            .get(KV_PROBE_KEY)
            .text()
            .await
            .map_err(worker::Error::from)
    }
    .await;
    match result {
        Ok(_) => CheckStatus::Ok,
        Err(e) => {
            console_error!("healthz: KV check failed: {e}");
            CheckStatus::Error
        }
    }
}
