//! What a request says about its client: IP, location from the edge's `cf` data, user agent,
//! and the device metadata the client sent.

use latchkey_core::api::DeviceMeta;
use latchkey_core::model::ClientInfo;
use wasm_bindgen::JsValue;
use worker::Request;

fn bounded(v: Option<String>, max: usize) -> Option<String> {
    v.map(|s| s.trim().chars().take(max).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// A field of the request's `cf` object, read defensively (some of workers-rs's typed
/// accessors unwrap internally).
fn cf_field(req: &Request, name: &str) -> Option<JsValue> {
    let cf = js_sys::Reflect::get(req.inner(), &JsValue::from_str("cf")).ok()?;
    if cf.is_undefined() || cf.is_null() {
        return None;
    }
    js_sys::Reflect::get(&cf, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn cf_str(req: &Request, name: &str, max: usize) -> Option<String> {
    bounded(cf_field(req, name)?.as_string(), max)
}

fn cf_num(req: &Request, name: &str) -> Option<f64> {
    let v = cf_field(req, name)?;
    v.as_f64().or_else(|| v.as_string()?.trim().parse().ok())
}

/// The client as the edge sees it. `ip` overrides the connecting address (seed 003's
/// `ipAddress` / `X-Forwarded-For`, trusted from API-key callers only). With
/// `dev_geo` (development only), the `x-latchkey-dev-geo` header sets the location.
pub fn client_info(req: &Request, ip: Option<String>, dev_geo: bool) -> ClientInfo {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let e6 = |v: f64| (v.abs() <= 180.0).then(|| (v * 1e6).round() as i32);
    let mut c = ClientInfo {
        ip: bounded(ip.or_else(|| header("cf-connecting-ip")), 64),
        country: cf_str(req, "country", 64),
        region: cf_str(req, "region", 128),
        city: cf_str(req, "city", 128),
        timezone: cf_str(req, "timezone", 64),
        asn: cf_num(req, "asn")
            .filter(|v| *v >= 0.0 && *v <= f64::from(u32::MAX))
            .map(|v| v as u32),
        latitude_e6: cf_num(req, "latitude").and_then(e6),
        longitude_e6: cf_num(req, "longitude").and_then(e6),
        user_agent: bounded(header("user-agent"), 512),
        ..ClientInfo::default()
    };
    if dev_geo {
        if let Some(spec) = header(DEV_GEO_HEADER) {
            c.apply_dev_geo(&spec);
        }
    }
    c
}

/// Development-only overrides, honoured when the `LATCHKEY_DEV_OVERRIDES` variable is
/// `enabled` (set by the test harness and `.dev.vars`, never by `wrangler.toml`): the
/// request's location, and the instant it happens at (epoch milliseconds).
pub const DEV_GEO_HEADER: &str = "x-latchkey-dev-geo";
pub const DEV_NOW_HEADER: &str = "x-latchkey-dev-now";
pub const DEV_OVERRIDES_VAR: &str = "LATCHKEY_DEV_OVERRIDES";

/// Whether the development-only overrides are on.
pub fn dev_overrides(env: &worker::Env) -> bool {
    env.var(DEV_OVERRIDES_VAR)
        .is_ok_and(|v| v.to_string() == "enabled")
}

/// Adds the device metadata a client sent, bounded.
pub fn add_device(c: &mut ClientInfo, device: Option<&DeviceMeta>) {
    c.device_name = bounded(device.and_then(|d| d.name.clone()), 200);
    c.device_type = bounded(device.and_then(|d| d.device_type.clone()), 32);
    c.device_description = bounded(device.and_then(|d| d.description.clone()), 500);
}
