//! Login records: the user's history, an administrator's login logs and search (failures
//! included) with the dashboard's counts, seed 003's search and export, and the chain's
//! verification.

use latchkey_core::compat::login_api::{ExportRequest, SearchRequest};
use latchkey_core::records::{self, search, verification};
use worker::{Env, Response};

use crate::zones::IntlZones;

use super::*;

pub(super) async fn handle(route: Route, cx: &Ctx, env: &Env) -> AppResult<Response> {
    let (s, now) = (&cx.store, cx.now);
    match route {
        Route::LoginHistory => {
            let (org, user, _) = cx.user()?;
            let (limit, offset, filter) =
                (cx.query("limit"), cx.query("offset"), cx.query("filter"));
            ok(&records::history(s, org, user, limit, offset, filter).await?)
        }
        Route::UserLoginLogs => {
            ok(
                &records::login_logs(s, cx.org_id()?, cx.param("user_id"), cx.query("client_id"))
                    .await?,
            )
        }
        Route::LoginRecordSearchGet => {
            let v = SearchRequest::from_query(|k| cx.query(k))?.validate()?;
            ok(&latchkey_core::compat::login_api::search(s, cx.org_id()?, v).await?)
        }
        Route::LoginRecordSearchPost => {
            let v = cx.json::<SearchRequest>()?.validate()?;
            ok(&latchkey_core::compat::login_api::search(s, cx.org_id()?, v).await?)
        }
        Route::LoginRecordExportGet => {
            let v = ExportRequest::from_query(|k| cx.query(k))?.validate(&IntlZones)?;
            export::respond(env, cx.org_id()?, export::Source::LoginApi(v), now)
        }
        Route::LoginRecordExportPost => {
            let v = cx.json::<ExportRequest>()?.validate(&IntlZones)?;
            export::respond(env, cx.org_id()?, export::Source::LoginApi(v), now)
        }
        Route::SearchRecords => {
            let q = search::query(|k| cx.query(k))?;
            let (limit, offset) = (cx.query("limit"), cx.query("offset"));
            ok(&search::search(s, cx.org_id()?, &q, limit, offset).await?)
        }
        Route::ExportRecords => {
            let q = search::query(|k| cx.query(k))?;
            export::respond(env, cx.org_id()?, export::Source::attempts(q), now)
        }
        Route::RecordStats => {
            let q = search::query(|k| cx.query(k))?;
            ok(&search::stats(s, cx.org_id()?, q, now).await?)
        }
        Route::VerifyLoginRecords => {
            let from = match cx.query("from") {
                Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    Error::invalid_field("INVALID_FROM", "from must be a positive sequence number")
                })?),
                None => None,
            };
            ok(&verification::verify(s, cx.org_id()?, from, records::chain::VERIFY_MAX).await?)
        }
        _ => Err(misrouted(route)),
    }
}
