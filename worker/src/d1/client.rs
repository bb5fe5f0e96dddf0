//! The client columns that sessions and login records share.

use latchkey_core::model::ClientInfo;
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::opt;

/// Column names, in the order of [`client_args`].
pub(super) const CLIENT_COLS: &str = "ip, country, region, city, timezone, user_agent, device_name, \
                                      device_type, device_description, asn, latitude_e6, longitude_e6";

fn opt_i(v: Option<i64>) -> JsValue {
    v.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

pub(super) fn client_args(c: &ClientInfo) -> [JsValue; 12] {
    [
        opt(c.ip.as_deref()),
        opt(c.country.as_deref()),
        opt(c.region.as_deref()),
        opt(c.city.as_deref()),
        opt(c.timezone.as_deref()),
        opt(c.user_agent.as_deref()),
        opt(c.device_name.as_deref()),
        opt(c.device_type.as_deref()),
        opt(c.device_description.as_deref()),
        opt_i(c.asn.map(i64::from)),
        opt_i(c.latitude_e6.map(i64::from)),
        opt_i(c.longitude_e6.map(i64::from)),
    ]
}

/// `?from, ?from+1, ...` for `count` parameters.
pub(super) fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize)]
pub(super) struct ClientRow {
    ip: Option<String>,
    country: Option<String>,
    region: Option<String>,
    city: Option<String>,
    timezone: Option<String>,
    user_agent: Option<String>,
    device_name: Option<String>,
    device_type: Option<String>,
    device_description: Option<String>,
    asn: Option<f64>,
    latitude_e6: Option<f64>,
    longitude_e6: Option<f64>,
}

impl From<ClientRow> for ClientInfo {
    fn from(r: ClientRow) -> Self {
        ClientInfo {
            ip: r.ip,
            country: r.country,
            region: r.region,
            city: r.city,
            timezone: r.timezone,
            asn: r.asn.map(|v| v as u32),
            latitude_e6: r.latitude_e6.map(|v| v as i32),
            longitude_e6: r.longitude_e6.map(|v| v as i32),
            user_agent: r.user_agent,
            device_name: r.device_name,
            device_type: r.device_type,
            device_description: r.device_description,
        }
    }
}
