//! Seed 003's login-record search (section 6).

use super::*;

/// Largest page a search answers.
pub const MAX_RESULTS: i64 = 500;
pub const DEFAULT_RESULTS: i64 = 25;
/// Largest `startRow`.
pub const MAX_START_ROW: i64 = u32::MAX as i64;

/// The criteria, as the POST body's `search` object carries them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SearchCriteria {
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub end: Option<i64>,
    #[serde(default)]
    pub number_of_results: Option<i64>,
    #[serde(default)]
    pub start_row: Option<i64>,
}

/// `POST /api/system/login-record/search`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default)]
    pub search: SearchCriteria,
    #[serde(default)]
    pub retrieve_total: bool,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSearch {
    pub criteria: crate::records::Criteria,
    pub start_row: u32,
    pub number_of_results: u32,
    pub retrieve_total: bool,
}

impl SearchRequest {
    /// From the GET form's query parameters; a value that does not parse is a field error.
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let mut number = |name: &str| -> Option<i64> {
            let raw = get(name)?;
            match raw.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(invalid(name, "not an integer"));
                    None
                }
            }
        };
        let search = SearchCriteria {
            start: number("start"),
            end: number("end"),
            number_of_results: number("numberOfResults"),
            start_row: number("startRow"),
            application_id: get("applicationId").map(str::to_owned),
            user_id: get("userId").map(str::to_owned),
        };
        let retrieve_total = match get("retrieveTotal").map(str::trim) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => {
                errors.push(invalid("retrieveTotal", "not a boolean"));
                false
            }
        };
        if errors.is_empty() {
            Ok(SearchRequest {
                search,
                retrieve_total,
            })
        } else {
            Err(Error::Fields(errors))
        }
    }

    pub fn validate(self) -> Result<ValidSearch, Error> {
        let s = self.search;
        let mut errors = Vec::new();
        for (name, v) in [("applicationId", &s.application_id), ("userId", &s.user_id)] {
            if v.as_deref().is_some_and(|v| !is_uuid(v)) {
                errors.push(invalid(name, "not a UUID"));
            }
        }
        let n = s.number_of_results.unwrap_or(DEFAULT_RESULTS);
        if !(1..=MAX_RESULTS).contains(&n) {
            errors.push(invalid(
                "numberOfResults",
                &format!("must be between 1 and {MAX_RESULTS}"),
            ));
        }
        let row = s.start_row.unwrap_or(0);
        if !(0..=MAX_START_ROW).contains(&row) {
            errors.push(invalid(
                "startRow",
                &format!("must be between 0 and {MAX_START_ROW}"),
            ));
        }
        if let (Some(a), Some(b)) = (s.start, s.end) {
            if a > b {
                errors.push(invalid("end", "must not be before start"));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(ValidSearch {
            criteria: crate::records::Criteria {
                application_id: s.application_id.map(|a| a.to_ascii_lowercase()),
                user_id: s.user_id.map(|u| u.to_ascii_lowercase()),
                start: s.start,
                end: s.end,
                after_id: None,
            },
            start_row: u32::try_from(row).unwrap_or(0),
            number_of_results: u32::try_from(n).unwrap_or(DEFAULT_RESULTS as u32),
            retrieve_total: self.retrieve_total,
        })
    }
}

/// One login record, as section 6 shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginRecord003 {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    pub login_id: String,
    pub instant: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SearchResponse {
    pub logins: Vec<LoginRecord003>,
    /// Only when `retrieveTotal` was true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

pub async fn search(
    store: &impl crate::store::RecordStore,
    org_id: &str,
    v: ValidSearch,
) -> Result<SearchResponse, Error> {
    let (rows, total) = store
        .search(
            org_id,
            &v.criteria,
            v.start_row,
            v.number_of_results,
            v.retrieve_total,
        )
        .await?;
    Ok(SearchResponse {
        logins: rows
            .into_iter()
            .map(|s| LoginRecord003 {
                application_id: s.record.application_id,
                application_name: s.application_name,
                login_id: s.record.login_id,
                instant: s.record.created_at,
                ip_address: s.record.client.ip,
                user_id: s.record.user_id,
            })
            .collect(),
        total,
    })
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn test_login_api_search_query_and_validation() {
        let q = |k: &str| match k {
            "start" => Some("10"),
            "end" => Some("5"),
            "numberOfResults" => Some("0"),
            "startRow" => Some("-1"),
            "userId" => Some("nope"),
            _ => None,
        };
        let err = SearchRequest::from_query(q)
            .unwrap()
            .validate()
            .unwrap_err();
        let body = errors_body(&err);
        for f in ["end", "numberOfResults", "startRow", "userId"] {
            assert_eq!(
                body["fieldErrors"][f][0]["code"],
                format!("[invalid]{f}"),
                "{f}"
            );
        }
        let bad = SearchRequest::from_query(|k| (k == "start").then_some("yesterday")).unwrap_err();
        assert_eq!(
            errors_body(&bad)["fieldErrors"]["start"][0]["code"],
            "[invalid]start"
        );
        let ok = SearchRequest::from_query(|k| (k == "retrieveTotal").then_some("true"))
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(
            (ok.number_of_results, ok.start_row, ok.retrieve_total),
            (25, 0, true)
        );
    }
}
