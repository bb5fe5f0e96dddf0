//! Seed 003's login-record export: a zip holding one CSV, streamed page by page (keyset
//! paging on the record id), so an export of a million rows never sits in memory whole.

use futures_util::stream;
use latchkey_core::compat::login_api::{export_lines, ValidExport, EXPORT_HEADER, EXPORT_PAGE};
use latchkey_core::records::zip::ZipStream;
use latchkey_core::store::RecordStore;
use worker::{console_error, Env, Headers, Response};

use crate::d1::D1Store;
use crate::error::AppResult;

enum Phase {
    Start,
    Rows,
    End,
    Done,
}

struct State {
    store: D1Store,
    org_id: String,
    export: ValidExport,
    zip: ZipStream,
    phase: Phase,
}

/// One step of the stream: the next chunk of bytes, or `None` at the end.
async fn next(mut st: State) -> Option<(worker::Result<Vec<u8>>, State)> {
    match st.phase {
        Phase::Start => {
            let mut out = st.zip.start();
            st.zip.data(EXPORT_HEADER.as_bytes());
            out.extend_from_slice(EXPORT_HEADER.as_bytes());
            st.phase = Phase::Rows;
            Some((Ok(out), st))
        }
        Phase::Rows => {
            let page = st
                .store
                .search(&st.org_id, &st.export.criteria, 0, EXPORT_PAGE, false)
                .await;
            match page {
                Ok((rows, _)) if !rows.is_empty() => {
                    st.export.criteria.after_id = rows.last().map(|r| r.id);
                    if rows.len() < EXPORT_PAGE as usize {
                        st.phase = Phase::End;
                    }
                    let chunk = export_lines(&rows, &st.export).into_bytes();
                    st.zip.data(&chunk);
                    Some((Ok(chunk), st))
                }
                Ok(_) => {
                    st.phase = Phase::Done;
                    Some((Ok(st.zip.finish()), st))
                }
                Err(e) => {
                    // The status is already sent: end the stream with an error so the
                    // client sees a broken download rather than a truncated file.
                    console_error!("export failed: {e}");
                    st.phase = Phase::Done;
                    Some((
                        Err(worker::Error::RustError(format!("export failed: {e}"))),
                        st,
                    ))
                }
            }
        }
        Phase::End => {
            st.phase = Phase::Done;
            Some((Ok(st.zip.finish()), st))
        }
        Phase::Done => None,
    }
}

pub fn respond(env: &Env, org_id: &str, export: ValidExport, now: i64) -> AppResult<Response> {
    let state = State {
        store: D1Store::from_env(env)?,
        org_id: org_id.to_owned(),
        export,
        zip: ZipStream::new("login_records.csv", now),
        phase: Phase::Start,
    };
    let body = stream::unfold(state, next);
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    headers.set(
        "content-disposition",
        "attachment; filename=\"login_records.zip\"",
    )?;
    Ok(Response::from_stream(body)?.with_headers(headers))
}
