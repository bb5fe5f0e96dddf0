//! What a request says about its client: IP, location from the edge's `cf` data, user agent,
//! and the device metadata the client sent.

use latchkey_core::api::DeviceMeta;
use latchkey_core::model::ClientInfo;
use worker::Request;

fn bounded(v: Option<String>, max: usize) -> Option<String> {
    v.map(|s| s.trim().chars().take(max).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// The client as the edge sees it. `ip` overrides the connecting address (seed 003's
/// `ipAddress` / `X-Forwarded-For`, trusted from API-key callers only).
pub fn client_info(req: &Request, ip: Option<String>) -> ClientInfo {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let cf = req.cf();
    ClientInfo {
        ip: bounded(ip.or_else(|| header("cf-connecting-ip")), 64),
        country: bounded(cf.and_then(|c| c.country()), 64),
        region: bounded(cf.and_then(|c| c.region()), 128),
        city: bounded(cf.and_then(|c| c.city()), 128),
        timezone: None,
        user_agent: bounded(header("user-agent"), 512),
        ..ClientInfo::default()
    }
}

/// Adds the device metadata a client sent, bounded.
pub fn add_device(c: &mut ClientInfo, device: Option<&DeviceMeta>) {
    c.device_name = bounded(device.and_then(|d| d.name.clone()), 200);
    c.device_type = bounded(device.and_then(|d| d.device_type.clone()), 32);
    c.device_description = bounded(device.and_then(|d| d.description.clone()), 500);
}
