//! The login-record exports: a zip holding one CSV, streamed page by page (keyset paging on
//! the record id), so an export of a million rows never sits in memory whole. Seed 003's
//! export (successful logins, oldest first, in the format and zone asked) and the
//! administrators' (every attempt the search shows, failures included, newest first).

use futures_util::stream;
use latchkey_core::compat::login_api::{export_lines, ValidExport, EXPORT_HEADER, EXPORT_PAGE};
use latchkey_core::model::{RecordQuery, StoredRecord};
use latchkey_core::records::search;
use latchkey_core::records::zip::ZipStream;
use latchkey_core::store::{RecordStore, StoreResult};
use worker::{console_error, Env, Headers, Response};

use crate::d1::D1Store;
use crate::error::AppResult;

/// What an export holds, and where its next page starts.
pub enum Source {
    /// Seed 003's, in `login_records.zip`.
    LoginApi(ValidExport),
    /// The administrators' search, in `login_attempts.zip`: below the last id sent.
    Attempts {
        query: RecordQuery,
        before: Option<i64>,
    },
}

impl Source {
    pub fn attempts(query: RecordQuery) -> Source {
        Source::Attempts {
            query,
            before: None,
        }
    }

    /// The zip's name and the CSV's name in it.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Source::LoginApi(_) => ("login_records.zip", "login_records.csv"),
            Source::Attempts { .. } => ("login_attempts.zip", search::EXPORT_FILE),
        }
    }

    fn header(&self) -> &'static str {
        match self {
            Source::LoginApi(_) => EXPORT_HEADER,
            Source::Attempts { .. } => search::EXPORT_HEADER,
        }
    }

    /// The next page (shorter than a full one at the end), moving past it.
    async fn next_page(
        &mut self,
        store: &D1Store,
        org_id: &str,
    ) -> StoreResult<(Vec<StoredRecord>, bool)> {
        match self {
            Source::LoginApi(v) => {
                let (rows, _) = store
                    .search(org_id, &v.criteria, 0, EXPORT_PAGE, false)
                    .await?;
                v.criteria.after_id = rows.last().map(|r| r.id);
                let last = rows.len() < EXPORT_PAGE as usize;
                Ok((rows, last))
            }
            Source::Attempts { query, before } => {
                let rows = store
                    .records_before(org_id, query, *before, search::EXPORT_PAGE)
                    .await?;
                *before = rows.last().map(|r| r.id);
                let last = rows.len() < search::EXPORT_PAGE as usize;
                Ok((rows, last))
            }
        }
    }

    fn lines(&self, rows: &[StoredRecord]) -> String {
        match self {
            Source::LoginApi(v) => export_lines(rows, v),
            Source::Attempts { .. } => search::export_lines(rows),
        }
    }
}

enum Phase {
    Start,
    Rows,
    End,
    Done,
}

struct State {
    store: D1Store,
    org_id: String,
    source: Source,
    zip: ZipStream,
    phase: Phase,
}

/// One step of the stream: the next chunk of bytes, or `None` at the end.
async fn next(mut st: State) -> Option<(worker::Result<Vec<u8>>, State)> {
    match st.phase {
        Phase::Start => {
            let mut out = st.zip.start();
            let header = st.source.header().as_bytes();
            st.zip.data(header);
            out.extend_from_slice(header);
            st.phase = Phase::Rows;
            Some((Ok(out), st))
        }
        Phase::Rows => match st.source.next_page(&st.store, &st.org_id).await {
            Ok((rows, _)) if rows.is_empty() => {
                st.phase = Phase::Done;
                Some((Ok(st.zip.finish()), st))
            }
            Ok((rows, last)) => {
                if last {
                    st.phase = Phase::End;
                }
                let chunk = st.source.lines(&rows).into_bytes();
                st.zip.data(&chunk);
                Some((Ok(chunk), st))
            }
            Err(e) => {
                // The status is already sent: end the stream with an error so the client
                // sees a broken download rather than a truncated file.
                console_error!("export failed: {e}");
                st.phase = Phase::Done;
                Some((
                    Err(worker::Error::RustError(format!("export failed: {e}"))),
                    st,
                ))
            }
        },
        Phase::End => {
            st.phase = Phase::Done;
            Some((Ok(st.zip.finish()), st))
        }
        Phase::Done => None,
    }
}

pub fn respond(env: &Env, org_id: &str, source: Source, now: i64) -> AppResult<Response> {
    let (zip_name, csv_name) = source.names();
    let state = State {
        store: D1Store::from_env(env)?,
        org_id: org_id.to_owned(),
        source,
        zip: ZipStream::new(csv_name, now),
        phase: Phase::Start,
    };
    let body = stream::unfold(state, next);
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    headers.set(
        "content-disposition",
        &format!("attachment; filename=\"{zip_name}\""),
    )?;
    Ok(Response::from_stream(body)?.with_headers(headers))
}
