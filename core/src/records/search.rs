//! The administrators' search of login records (`GET /api/v1/login-records`), failures
//! included, and the counts behind the dashboard's charts and map (`/stats`). Seed 003's
//! search keeps successful logins only, as that seed defines it; this one is where an
//! administrator sees an attack.

use crate::api::{self, HourCount, PlaceCount, ReasonCount, RecordList, RecordStats, RecordView};
use crate::model::{Outcome, RecordQuery, StoredRecord};
use crate::records::ua;
use crate::store::RecordStore;
use crate::time::{parse_rfc3339, rfc3339};
use crate::Error;

/// The widest window the stats cover: 31 days of hourly counts.
pub const MAX_STATS_MS: i64 = 31 * 24 * 3_600_000;
/// The stats' window when `from` is not given: the day before `to`.
pub const DEFAULT_STATS_MS: i64 = 24 * 3_600_000;
/// Places on the map, at most.
pub const MAX_PLACES: u32 = 500;

/// The query's filters, from the request's query string (`param(name)`): `user_id`,
/// `application_id`, `outcome` (`success` or `failure`), `method`, `country` (two letters),
/// `from` and `to` (RFC 3339, inclusive).
pub fn query<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<RecordQuery, Error> {
    let text = |name: &str, max: usize, code: &'static str| -> Result<Option<String>, Error> {
        match param(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.len() <= max && !v.chars().any(char::is_control) => Ok(Some(v.to_owned())),
            Some(_) => Err(Error::invalid_field(
                code,
                format!("{name} must be at most {max} characters"),
            )),
        }
    };
    let time = |name: &str| -> Result<Option<i64>, Error> {
        match param(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse_rfc3339(v).map(Some).ok_or_else(|| {
                Error::invalid_field(
                    "INVALID_TIME",
                    format!("{name} must be an RFC 3339 time, like 2026-12-01T00:00:00Z"),
                )
            }),
        }
    };
    let outcome = match param("outcome").map(str::trim) {
        None | Some("") => None,
        Some("success") => Some(Outcome::Success),
        Some("failure") => Some(Outcome::Failure),
        Some(_) => {
            return Err(Error::invalid_field(
                "INVALID_OUTCOME",
                "outcome must be 'success' or 'failure'",
            ))
        }
    };
    let country = text("country", 2, "INVALID_COUNTRY")?
        .map(|c| c.to_ascii_uppercase())
        .map(|c| {
            if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(c)
            } else {
                Err(Error::invalid_field(
                    "INVALID_COUNTRY",
                    "country must be a two-letter ISO 3166 code",
                ))
            }
        })
        .transpose()?;
    let q = RecordQuery {
        user_id: text("user_id", 64, "INVALID_USER_ID")?,
        application_id: text("application_id", 64, "INVALID_APPLICATION_ID")?,
        outcome,
        method: text("method", 32, "INVALID_METHOD")?,
        country,
        start: time("from")?,
        end: time("to")?,
    };
    if let (Some(a), Some(b)) = (q.start, q.end) {
        if a > b {
            return Err(Error::invalid_field(
                "INVALID_TIME",
                "from must not be after to",
            ));
        }
    }
    Ok(q)
}

fn view(s: &StoredRecord) -> RecordView {
    let r = &s.record;
    let agent = ua::parse(r.client.user_agent.as_deref().unwrap_or(""));
    let degrees = |e6: Option<i32>| e6.map(|v| f64::from(v) / 1e6);
    RecordView {
        id: s.id,
        created_at: rfc3339(r.created_at),
        outcome: match r.outcome {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
        .to_owned(),
        method: r.method.clone(),
        reason: r.failure_reason.map(|f| f.as_str().to_owned()),
        user_id: r.user_id.clone(),
        login_id: r.login_id.clone(),
        application_id: r.application_id.clone(),
        application_name: s.application_name.clone(),
        session_id: r.session_id.clone(),
        ip: r.client.ip.clone(),
        country: r.client.country.clone(),
        region: r.client.region.clone(),
        city: r.client.city.clone(),
        latitude: degrees(r.client.latitude_e6),
        longitude: degrees(r.client.longitude_e6),
        browser: agent.browser,
        os: agent.os,
        device: agent.device.map(|d| d.as_str().to_owned()),
        flags: r.flags.clone(),
        connection_id: r.connection_id.clone(),
    }
}

/// The organization's records matching `q`, newest first, a page at a time.
pub async fn search(
    store: &impl RecordStore,
    org_id: &str,
    q: &RecordQuery,
    limit: Option<&str>,
    offset: Option<&str>,
) -> Result<RecordList, Error> {
    let page = api::page(limit, offset)?;
    let (rows, total) = store.query_records(org_id, q, page).await?;
    Ok(RecordList {
        records: rows.iter().map(view).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// The counts of the records matching `q` within its window: `to` defaults to `now`, `from`
/// to a day before `to`, and the window is at most 31 days.
pub async fn stats(
    store: &impl RecordStore,
    org_id: &str,
    q: RecordQuery,
    now: i64,
) -> Result<RecordStats, Error> {
    let to = q.end.unwrap_or(now);
    let from = q.start.unwrap_or(to - DEFAULT_STATS_MS);
    if from > to {
        return Err(Error::invalid_field(
            "INVALID_TIME",
            "from must not be after to (which is now when not given)",
        ));
    }
    if to - from > MAX_STATS_MS {
        return Err(Error::invalid_field(
            "RANGE_TOO_WIDE",
            "the stats cover at most 31 days: narrow from and to",
        ));
    }
    let q = RecordQuery {
        start: Some(from),
        end: Some(to),
        ..q
    };
    let t = store.tally_records(org_id, &q, MAX_PLACES).await?;
    let degrees = |e6: i32| f64::from(e6) / 1e6;
    Ok(RecordStats {
        from: rfc3339(from),
        to: rfc3339(to),
        success: t.hours.iter().map(|(_, c)| c.success).sum(),
        failure: t.hours.iter().map(|(_, c)| c.failure).sum(),
        hours: t
            .hours
            .iter()
            .map(|(h, c)| HourCount {
                hour: rfc3339(*h),
                success: c.success,
                failure: c.failure,
            })
            .collect(),
        reasons: t
            .reasons
            .into_iter()
            .map(|(reason, count)| ReasonCount { reason, count })
            .collect(),
        places: t
            .places
            .into_iter()
            .map(|p| PlaceCount {
                country: p.country,
                city: p.city,
                latitude: degrees(p.latitude_e6),
                longitude: degrees(p.longitude_e6),
                success: p.tally.success,
                failure: p.tally.failure,
            })
            .collect(),
    })
}

/// Rows fetched per query while streaming an export of the search.
pub const EXPORT_PAGE: u32 = 500;

/// The export's file name in its zip.
pub const EXPORT_FILE: &str = "login_attempts.csv";

/// The export's columns: a record as the search shows it, failures and unknown users
/// included (times in UTC, RFC 3339; risk flags separated by spaces).
pub const EXPORT_HEADER: &str = "\"Id\",\"Time\",\"Outcome\",\"Method\",\"Reason\",\"Login Id\",\"User Id\",\"Application Id\",\"Application Name\",\"Session Id\",\"IP Address\",\"City\",\"Region\",\"Country\",\"Latitude\",\"Longitude\",\"Browser\",\"OS\",\"Device\",\"Flags\"\r\n";

/// The export's CSV lines for `rows` (what the header names, in its order).
pub fn export_lines(rows: &[StoredRecord]) -> String {
    use super::csv::{line, Cell};
    let mut out = String::with_capacity(rows.len() * 240);
    for s in rows {
        let v = view(s);
        let text = |t: Option<String>| Cell::Text(t.unwrap_or_default());
        let coord = |d: Option<f64>| Cell::Number(d.map(|d| format!("{d:.6}")).unwrap_or_default());
        let cells = [
            Cell::Number(v.id.to_string()),
            Cell::Text(v.created_at),
            Cell::Text(v.outcome),
            Cell::Text(v.method),
            text(v.reason),
            Cell::Text(v.login_id),
            text(v.user_id),
            text(v.application_id),
            text(v.application_name),
            text(v.session_id),
            text(v.ip),
            text(v.city),
            text(v.region),
            text(v.country),
            coord(v.latitude),
            coord(v.longitude),
            text(v.browser),
            text(v.os),
            text(v.device),
            Cell::Text(v.flags.join(" ")),
        ];
        line(&cells, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientInfo, FailureReason, LoginRecord};
    use crate::store::memory::MemoryStore;
    use crate::store::SessionStore;
    use pollster::block_on;
    use std::collections::HashMap;

    const T0: i64 = 1_780_000_000_000 - 1_780_000_000_000 % 3_600_000;
    const MIN: i64 = 60_000;

    fn record(
        org: &str,
        at: i64,
        failure: Option<FailureReason>,
        place: (&str, &str, f64, f64),
    ) -> LoginRecord {
        LoginRecord {
            organization_id: org.into(),
            application_id: Some("app-1".into()),
            created_at: at,
            outcome: if failure.is_some() { Outcome::Failure } else { Outcome::Success },
            method: "password".into(),
            failure_reason: failure,
            user_id: failure.is_none().then(|| "user-1".to_owned()),
            login_id: "ann@example.com".into(),
            session_id: None,
            client: ClientInfo {
                ip: Some("203.0.113.9".into()),
                country: Some(place.0.into()),
                city: Some(place.1.into()),
                latitude_e6: Some((place.2 * 1e6) as i32),
                longitude_e6: Some((place.3 * 1e6) as i32),
                user_agent: Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1".into()),
                ..Default::default()
            },
            flags: vec![],
            connection_id: None,
        }
    }

    const PARIS: (&str, &str, f64, f64) = ("FR", "Paris", 48.8566, 2.3522);
    const LAGOS: (&str, &str, f64, f64) = ("NG", "Lagos", 6.5244, 3.3792);

    /// Org A: two logins from Paris, then three failures from Lagos (two wrong passwords, one
    /// brute-force refusal) an hour later. Org B: one failure.
    fn store() -> MemoryStore {
        let s = MemoryStore::new();
        let bad = Some(FailureReason::BadPassword);
        for r in [
            record("org-a", T0 + MIN, None, PARIS),
            record("org-a", T0 + 2 * MIN, None, PARIS),
            record("org-a", T0 + 61 * MIN, bad, LAGOS),
            record("org-a", T0 + 62 * MIN, bad, LAGOS),
            record(
                "org-a",
                T0 + 63 * MIN,
                Some(FailureReason::TooManyAttempts),
                LAGOS,
            ),
            record("org-b", T0 + 64 * MIN, bad, LAGOS),
        ] {
            block_on(s.record_failure(&r)).unwrap();
        }
        s
    }

    fn q(pairs: &[(&str, &str)]) -> Result<RecordQuery, Error> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        query(|k| map.get(k).copied())
    }

    fn code(e: Error) -> &'static str {
        e.code()
    }

    #[test]
    fn test_bad_filters_are_refused_with_their_own_codes() {
        assert_eq!(
            code(q(&[("outcome", "failed")]).unwrap_err()),
            "INVALID_OUTCOME"
        );
        assert_eq!(
            code(q(&[("country", "FRA")]).unwrap_err()),
            "INVALID_COUNTRY"
        );
        assert_eq!(
            code(q(&[("country", "F1")]).unwrap_err()),
            "INVALID_COUNTRY"
        );
        assert_eq!(
            code(q(&[("from", "yesterday")]).unwrap_err()),
            "INVALID_TIME"
        );
        let backwards = [
            ("from", "2026-12-02T00:00:00Z"),
            ("to", "2026-12-01T00:00:00Z"),
        ];
        assert_eq!(code(q(&backwards).unwrap_err()), "INVALID_TIME");
        let long = "x".repeat(65);
        assert_eq!(
            code(q(&[("user_id", &long)]).unwrap_err()),
            "INVALID_USER_ID"
        );
        let fine = q(&[
            ("country", "fr"),
            ("outcome", "failure"),
            ("method", " password "),
        ])
        .unwrap();
        assert_eq!(fine.country.as_deref(), Some("FR"));
        assert_eq!(fine.method.as_deref(), Some("password"));
        assert_eq!(q(&[("outcome", "")]).unwrap(), RecordQuery::default());
    }

    #[test]
    fn test_search_shows_failures_newest_first_and_only_this_organization() {
        let s = store();
        let all = block_on(search(&s, "org-a", &RecordQuery::default(), None, None)).unwrap();
        assert_eq!(all.total, 5, "org B's record is not org A's");
        let times: Vec<&str> = all.records.iter().map(|r| r.created_at.as_str()).collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "newest first");
        let newest = &all.records[0];
        assert_eq!(newest.outcome, "failure");
        assert_eq!(newest.reason.as_deref(), Some("too_many_attempts"));
        assert_eq!(newest.user_id, None);
        assert_eq!(newest.login_id, "ann@example.com");
        assert_eq!(newest.city.as_deref(), Some("Lagos"));
        assert_eq!(newest.latitude, Some(6.5244));
        assert_eq!(newest.os.as_deref(), Some("iOS"));

        let failures = q(&[("outcome", "failure")]).unwrap();
        let f = block_on(search(&s, "org-a", &failures, None, None)).unwrap();
        assert_eq!(f.total, 3);
        assert!(f.records.iter().all(|r| r.outcome == "failure"));

        let paris = q(&[("country", "FR")]).unwrap();
        assert_eq!(
            block_on(search(&s, "org-a", &paris, None, None))
                .unwrap()
                .total,
            2
        );
        let window = q(&[
            ("from", &rfc3339(T0 + 61 * MIN)),
            ("to", &rfc3339(T0 + 62 * MIN)),
        ])
        .unwrap();
        assert_eq!(
            block_on(search(&s, "org-a", &window, None, None))
                .unwrap()
                .total,
            2,
            "inclusive"
        );
        let user = q(&[("user_id", "user-1")]).unwrap();
        assert_eq!(
            block_on(search(&s, "org-a", &user, None, None))
                .unwrap()
                .total,
            2
        );

        let page = block_on(search(
            &s,
            "org-a",
            &RecordQuery::default(),
            Some("2"),
            Some("4"),
        ))
        .unwrap();
        assert_eq!(
            (page.records.len(), page.total, page.limit, page.offset),
            (1, 5, 2, 4)
        );
        assert_eq!(
            page.records[0].created_at,
            rfc3339(T0 + MIN),
            "the oldest is last"
        );
        assert_eq!(
            code(
                block_on(search(
                    &s,
                    "org-a",
                    &RecordQuery::default(),
                    Some("0"),
                    None
                ))
                .unwrap_err()
            ),
            "INVALID_LIMIT"
        );
    }

    #[test]
    fn test_export_pages_by_id_and_writes_every_attempt_as_safe_csv() {
        let s = store();
        let failures = q(&[("outcome", "failure")]).unwrap();
        // Keyset pages of two: newest first, then the rest, then nothing; org B's never.
        let first = block_on(s.records_before("org-a", &failures, None, 2)).unwrap();
        assert_eq!(first.len(), 2);
        assert!(first[0].id > first[1].id);
        let rest = block_on(s.records_before("org-a", &failures, Some(first[1].id), 2)).unwrap();
        assert_eq!(rest.len(), 1);
        assert!(rest[0].id < first[1].id);
        let end = block_on(s.records_before("org-a", &failures, Some(rest[0].id), 2)).unwrap();
        assert!(end.is_empty());

        let mut evil = first[0].clone();
        evil.record.login_id = "=HYPERLINK(\"http://x\")".into();
        evil.record.flags = vec!["new_device".into(), "new_country".into()];
        let text = export_lines(&[evil, rest[0].clone()]);
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 2);
        let header = EXPORT_HEADER.trim_end().split(',').count();
        let cells: Vec<&str> = lines[0].split("\",\"").collect();
        assert_eq!(cells.len(), header, "{}", lines[0]);
        assert_eq!(cells[2], "failure");
        assert_eq!(cells[4], "too_many_attempts");
        assert_eq!(
            cells[5], "'=HYPERLINK(\"\"http://x\"\")",
            "defused, quotes doubled"
        );
        assert_eq!(cells[6], "", "a failure of no known user has no user id");
        assert_eq!(cells[13], "NG");
        assert_eq!(cells[15], "3.379200");
        assert_eq!(cells[19].trim_end_matches('"'), "new_device new_country");
        assert!(cells[1].ends_with('Z'), "UTC, RFC 3339: {}", cells[1]);
        assert!(lines[1].contains("\"bad_password\""));
    }

    #[test]
    fn test_stats_count_by_hour_reason_and_place() {
        let s = store();
        let st = block_on(stats(
            &s,
            "org-a",
            RecordQuery::default(),
            T0 + 2 * 60 * MIN,
        ))
        .unwrap();
        assert_eq!((st.success, st.failure), (2, 3));
        let hours: Vec<(String, u64, u64)> = st
            .hours
            .iter()
            .map(|h| (h.hour.clone(), h.success, h.failure))
            .collect();
        assert_eq!(hours, [(rfc3339(T0), 2, 0), (rfc3339(T0 + 60 * MIN), 0, 3)]);
        let reasons: Vec<(&str, u64)> = st
            .reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.count))
            .collect();
        assert_eq!(reasons, [("bad_password", 2), ("too_many_attempts", 1)]);
        assert_eq!(st.places.len(), 2);
        let lagos = &st.places[0];
        assert_eq!(
            (lagos.city.as_deref(), lagos.success, lagos.failure),
            (Some("Lagos"), 0, 3)
        );
        assert!((lagos.latitude - 6.5244).abs() < 1e-6 && (lagos.longitude - 3.3792).abs() < 1e-6);
        assert_eq!(st.to, rfc3339(T0 + 2 * 60 * MIN));
        assert_eq!(st.from, rfc3339(T0 + 2 * 60 * MIN - DEFAULT_STATS_MS));

        // The filters apply to the counts too; the window's default is the day before `to`.
        let fr = q(&[("country", "FR")]).unwrap();
        let st = block_on(stats(&s, "org-a", fr, T0 + 2 * 60 * MIN)).unwrap();
        assert_eq!((st.success, st.failure, st.places.len()), (2, 0, 1));
        let later = block_on(stats(
            &s,
            "org-a",
            RecordQuery::default(),
            T0 + DEFAULT_STATS_MS + 62 * MIN + 1,
        ))
        .unwrap();
        assert_eq!(
            (later.success, later.failure),
            (0, 1),
            "only the last day's"
        );
        let wide = q(&[
            ("from", &rfc3339(T0 - MAX_STATS_MS - 1)),
            ("to", &rfc3339(T0)),
        ])
        .unwrap();
        assert_eq!(
            code(block_on(stats(&s, "org-a", wide, T0)).unwrap_err()),
            "RANGE_TOO_WIDE"
        );
        let future = q(&[("from", &rfc3339(T0 + MIN))]).unwrap();
        assert_eq!(
            code(block_on(stats(&s, "org-a", future, T0)).unwrap_err()),
            "INVALID_TIME"
        );
    }
}
