//! Seed 003's login-record export (section 7): the request and the CSV lines; the worker
//! streams them into a zip.

use super::*;
#[cfg(test)]
use crate::records::csv::starts_formula;
use crate::records::csv::Cell;

/// `POST /api/system/login-record/export`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    #[serde(default)]
    pub criteria: SearchCriteria,
    #[serde(default)]
    pub date_time_seconds_format: Option<String>,
    #[serde(default)]
    pub zone_id: Option<String>,
}

/// A validated export.
#[derive(Debug, Clone)]
pub struct ValidExport {
    pub criteria: crate::records::Criteria,
    pub pattern: crate::records::datefmt::Pattern,
    pub zone: crate::records::datefmt::FoundZone,
}

/// Rows fetched per query while streaming an export.
pub const EXPORT_PAGE: u32 = 1000;

/// The CSV's columns.
pub const EXPORT_HEADER: &str = "\"Record Id\",\"User Id\",\"Login Id\",\"Time\",\"Application Id\",\"Application Name\",\"IP Address\",\"City\",\"Region\",\"Country\",\"Latitude\",\"Longitude\",\"Chain Seq\",\"Row Hash\"\r\n";

impl ExportRequest {
    /// From the GET form's query parameters.
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str> + Copy) -> Result<Self, Error> {
        let search = SearchRequest::from_query(get)?.search;
        Ok(ExportRequest {
            criteria: search,
            date_time_seconds_format: get("dateTimeSecondsFormat").map(str::to_owned),
            zone_id: get("zoneId").map(str::to_owned),
        })
    }

    /// Validates the request, finding its zone in `zones` (the runtime's time-zone database).
    pub fn validate(
        self,
        zones: &dyn crate::records::datefmt::Zones,
    ) -> Result<ValidExport, Error> {
        let search = SearchRequest {
            search: SearchCriteria {
                number_of_results: None,
                start_row: None,
                ..self.criteria
            },
            retrieve_total: false,
        }
        .validate()?;
        let pattern = crate::records::datefmt::Pattern::parse(
            self.date_time_seconds_format
                .as_deref()
                .unwrap_or(crate::records::datefmt::DEFAULT_PATTERN),
        );
        let zone = match self.zone_id.as_deref() {
            Some(z) => crate::records::datefmt::zone(zones, z),
            None => Ok(crate::records::datefmt::FoundZone::utc()),
        };
        match (pattern, zone) {
            (Ok(pattern), Ok(zone)) => Ok(ValidExport {
                criteria: search.criteria,
                pattern,
                zone,
            }),
            // Report every invalid field at once, as the seed's Errors object does.
            (p, z) => {
                let mut fields = Vec::new();
                for e in [p.err(), z.err()].into_iter().flatten() {
                    if let Error::Fields(list) = e {
                        fields.extend(list);
                    }
                }
                Err(Error::Fields(fields))
            }
        }
    }
}

/// CSV lines for `rows`.
pub fn export_lines(rows: &[crate::records::StoredRecord], v: &ValidExport) -> String {
    let mut out = String::with_capacity(rows.len() * 200);
    for s in rows {
        let r = &s.record;
        let c = &r.client;
        let text = |v: Option<&String>| Cell::Text(v.cloned().unwrap_or_default());
        let coord = |e6: Option<i32>| {
            Cell::Number(
                e6.map(|v| format!("{:.6}", f64::from(v) / 1e6))
                    .unwrap_or_default(),
            )
        };
        let cells = [
            Cell::Number(s.id.to_string()),
            text(r.user_id.as_ref()),
            Cell::Text(r.login_id.clone()),
            Cell::Text(v.pattern.format(r.created_at, &*v.zone.zone)),
            text(r.application_id.as_ref()),
            text(s.application_name.as_ref()),
            text(c.ip.as_ref()),
            text(c.city.as_ref()),
            text(c.region.as_ref()),
            text(c.country.as_ref()),
            coord(c.latitude_e6),
            coord(c.longitude_e6),
            Cell::Number(s.chain_seq.map(|n| n.to_string()).unwrap_or_default()),
            text(s.row_hash.as_ref()),
        ];
        crate::records::csv::line(&cells, &mut out);
    }
    out
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn test_login_api_export_validation_and_csv() {
        let v = ExportRequest::from_query(|k| match k {
            "zoneId" => Some("America/Denver"),
            "dateTimeSecondsFormat" => Some("yyyy-MM-dd HH:mm z"),
            _ => None,
        })
        .unwrap()
        .validate(&crate::records::datefmt::TzDb)
        .unwrap();
        let rec = crate::records::StoredRecord {
            id: 7,
            chain_seq: Some(3),
            row_hash: Some("ab".into()),
            application_name: Some("Portal, \"new\"".into()),
            record: crate::model::LoginRecord {
                organization_id: "o".into(),
                application_id: Some("a".into()),
                created_at: 1_562_608_320_303,
                outcome: crate::model::Outcome::Success,
                method: "password".into(),
                failure_reason: None,
                user_id: Some("u".into()),
                login_id: "=HYPERLINK(\"x\")".into(),
                session_id: None,
                client: crate::model::ClientInfo {
                    ip: Some("42.42.42.42".into()),
                    ..Default::default()
                },
                flags: vec![],
                connection_id: None,
            },
        };
        let line = export_lines(std::slice::from_ref(&rec), &v);
        assert_eq!(
            line,
            "\"7\",\"u\",\"'=HYPERLINK(\"\"x\"\")\",\"2019-07-08 11:52 MDT\",\"a\",\"Portal, \"\"new\"\"\",\"42.42.42.42\",\"\",\"\",\"\",\"\",\"\",\"3\",\"ab\"\r\n"
        );

        // At Austin: the negative longitude stays a number; text that could start a
        // formula, after blanks or with a tab or carriage return, is defused.
        let mut at = rec.clone();
        at.record.client.latitude_e6 = Some(30_267_200);
        at.record.client.longitude_e6 = Some(-97_742_600);
        at.record.client.city = Some("\t=cmd|' /C calc'!A0".into());
        at.record.client.region = Some("  +1+1".into());
        at.record.client.country = Some("\r@SUM(1)".into());
        at.record.login_id = "-2+3@example.com".into();
        at.application_name = Some(" x-y".into());
        let cells: Vec<String> = export_lines(&[at], &v)
            .trim_end()
            .split("\",\"")
            .map(|c| c.trim_matches('"').to_owned())
            .collect();
        assert_eq!(cells[2], "'-2+3@example.com");
        assert_eq!(cells[5], " x-y", "a '-' inside text is harmless");
        assert_eq!(cells[7], "'\t=cmd|' /C calc'!A0");
        assert_eq!(cells[8], "'  +1+1");
        assert_eq!(cells[9], "'\r@SUM(1)");
        assert_eq!(cells[10], "30.267200");
        assert_eq!(cells[11], "-97.742600");
        for plain in ["", "alice@example.com", "42.42.42.42", "Austin", "1+1"] {
            assert!(!starts_formula(plain), "{plain:?}");
        }
        for formula in [
            "=1", "+1", "-1", "@x", "\t1", "\r1", "\n1", " =1", "\u{a0}-1",
        ] {
            assert!(starts_formula(formula), "{formula:?}");
        }
        let bad = ExportRequest {
            zone_id: Some("Nowhere/Land".into()),
            ..Default::default()
        }
        .validate(&crate::records::datefmt::TzDb)
        .unwrap_err();
        assert_eq!(
            errors_body(&bad)["fieldErrors"]["zoneId"][0]["code"],
            "[invalid]zoneId"
        );
    }
}
