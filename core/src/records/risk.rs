//! Risk signals on successful logins, computed from the user's recent successful logins:
//! a device never seen, a country never seen, and travel faster than an airliner since the
//! previous login.

use crate::model::ClientInfo;
pub use crate::model::PastLogin;
use crate::records::ua;

/// Speed above which travel between two logins is impossible (km/h; airliners cruise
/// around 900).
pub const IMPOSSIBLE_SPEED_KMH: f64 = 1000.0;
/// Distances below this are geolocation noise, never impossible travel.
pub const MIN_TRAVEL_KM: f64 = 100.0;
/// How many recent successful logins the signals compare against.
pub const HISTORY: u32 = 200;

pub const NEW_DEVICE: &str = "new_device";
pub const NEW_COUNTRY: &str = "new_country";
pub const IMPOSSIBLE_TRAVEL: &str = "impossible_travel";

/// What identifies a device across logins: the client's own name for it when it sends one,
/// else the browser, operating system and device class its user agent names.
pub fn device_key(user_agent: Option<&str>, device_name: Option<&str>) -> String {
    if let Some(name) = device_name.filter(|n| !n.trim().is_empty()) {
        return format!("name:{}", crate::validate::case::lower(name.trim()));
    }
    let a = ua::parse(user_agent.unwrap_or(""));
    format!(
        "ua:{}|{}|{}",
        a.browser.unwrap_or_default(),
        a.os.unwrap_or_default(),
        a.device.map(|d| d.as_str()).unwrap_or_default()
    )
}

fn coords(lat: Option<i32>, lon: Option<i32>) -> Option<(f64, f64)> {
    Some((f64::from(lat?) / 1e6, f64::from(lon?) / 1e6))
}

/// Latitude and longitude, in degrees.
pub type LatLon = (f64, f64);

/// Places and the great-circle distance between them on a sphere of 6,371 km (computed
/// apart, with Python's `math`), to half a kilometre: Paris to New York, Sydney to Santiago,
/// a pole to the other, a place to its antipode across the date line.
#[doc(hidden)]
pub const DISTANCE_VECTORS: &[(LatLon, LatLon, f64)] = &[
    ((48.8566, 2.3522), (40.7128, -74.0060), 5837.2),
    ((-33.8688, 151.2093), (-33.4489, -70.6693), 11346.7),
    ((90.0, 0.0), (-90.0, 0.0), 20015.1),
    ((10.0, 170.0), (-10.0, -10.0), 20015.1),
];

/// Great-circle distance in kilometres.
pub fn haversine_km(a: LatLon, b: LatLon) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = trig::sin((la2 - la1) / 2.0).powi(2)
        + trig::cos(la1) * trig::cos(la2) * trig::sin((lo2 - lo1) / 2.0).powi(2);
    2.0 * 6371.0 * trig::asin(h.sqrt().min(1.0))
}

/// sin, cos and asin: in wasm the runtime's `Math` (so the `.wasm` carries no libm
/// kernels), natively std's. `test_risk_distance` holds them to known distances, natively and
/// (sdk/tests/browser.rs) in wasm.
mod trig {
    #[cfg(target_arch = "wasm32")]
    pub use js_sys::Math::{asin, cos, sin};

    #[cfg(not(target_arch = "wasm32"))]
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn asin(x: f64) -> f64 {
        x.asin()
    }
}

/// The signals for a login from `client` at `at`, given the user's previous successful
/// logins, newest first. A user's first login has nothing to compare with and raises none.
pub fn flags(previous: &[PastLogin], client: &ClientInfo, at: i64) -> Vec<String> {
    let mut out = Vec::new();
    let Some(last) = previous.first() else {
        return out;
    };
    let key = device_key(client.user_agent.as_deref(), client.device_name.as_deref());
    if !previous
        .iter()
        .any(|p| device_key(p.user_agent.as_deref(), p.device_name.as_deref()) == key)
    {
        out.push(NEW_DEVICE.to_owned());
    }
    if let Some(country) = client.country.as_deref() {
        if !previous
            .iter()
            .any(|p| p.country.as_deref() == Some(country))
        {
            out.push(NEW_COUNTRY.to_owned());
        }
    }
    if let (Some(here), Some(there)) = (
        coords(client.latitude_e6, client.longitude_e6),
        coords(last.latitude_e6, last.longitude_e6),
    ) {
        let km = haversine_km(here, there);
        // At least one second apart, so simultaneous logins still compare.
        let hours = ((at - last.created_at).max(1000) as f64) / 3_600_000.0;
        if km >= MIN_TRAVEL_KM && km / hours > IMPOSSIBLE_SPEED_KMH {
            out.push(IMPOSSIBLE_TRAVEL.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36";
    const SAFARI_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    const HOUR: i64 = 3_600_000;

    fn at(country: &str, lat: f64, lon: f64, ua: &str, t: i64) -> PastLogin {
        PastLogin {
            created_at: t,
            user_agent: Some(ua.into()),
            device_name: None,
            country: Some(country.into()),
            latitude_e6: Some((lat * 1e6) as i32),
            longitude_e6: Some((lon * 1e6) as i32),
        }
    }

    fn client(p: &PastLogin) -> ClientInfo {
        ClientInfo {
            user_agent: p.user_agent.clone(),
            country: p.country.clone(),
            latitude_e6: p.latitude_e6,
            longitude_e6: p.longitude_e6,
            ..Default::default()
        }
    }

    #[test]
    fn test_risk_distance() {
        for (a, b, km) in DISTANCE_VECTORS {
            let d = haversine_km(*a, *b);
            assert!((d - km).abs() < 0.5, "{a:?} {b:?}: {d}");
        }
        assert!(haversine_km((1.0, 1.0), (1.0, 1.0)) < 1e-9);
    }

    #[test]
    fn test_risk_first_login_raises_nothing() {
        let p = at("FR", 48.85, 2.35, CHROME_WIN, 0);
        assert!(flags(&[], &client(&p), 0).is_empty());
    }

    #[test]
    fn test_risk_same_device_same_place() {
        let prev = [at("FR", 48.85, 2.35, CHROME_WIN, 0)];
        let now = at("FR", 48.86, 2.34, CHROME_WIN, HOUR);
        assert!(flags(&prev, &client(&now), HOUR).is_empty());
    }

    #[test]
    fn test_risk_new_device_and_country_and_impossible_travel() {
        let prev = [at("FR", 48.8566, 2.3522, CHROME_WIN, 0)];
        let now = at("US", 40.7128, -74.0060, SAFARI_IOS, HOUR);
        assert_eq!(
            flags(&prev, &client(&now), HOUR),
            [NEW_DEVICE, NEW_COUNTRY, IMPOSSIBLE_TRAVEL]
        );
        // Twelve hours later the same trip is possible.
        let later = at("US", 40.7128, -74.0060, CHROME_WIN, 12 * HOUR);
        assert_eq!(flags(&prev, &client(&later), 12 * HOUR), [NEW_COUNTRY]);
    }

    #[test]
    fn test_risk_device_name_identifies_the_device() {
        let mut prev = at("FR", 48.85, 2.35, CHROME_WIN, 0);
        prev.device_name = Some("Ann's laptop".into());
        let mut c = client(&at("FR", 48.85, 2.35, SAFARI_IOS, HOUR));
        c.device_name = Some("ann's LAPTOP".into());
        assert!(flags(&[prev], &c, HOUR).is_empty());
    }
}

#[cfg(test)]
mod dev_geo_tests {
    use crate::model::ClientInfo;

    #[test]
    fn test_dev_geo_override_parses() {
        let mut c = ClientInfo::default();
        c.apply_dev_geo(
            "country=FR; city=Paris;lat=48.8566;lon=2.3522;tz=Europe/Paris;asn=3215;bogus=1;lat2",
        );
        assert_eq!(c.country.as_deref(), Some("FR"));
        assert_eq!(c.city.as_deref(), Some("Paris"));
        assert_eq!(
            (c.latitude_e6, c.longitude_e6),
            (Some(48_856_600), Some(2_352_200))
        );
        assert_eq!(
            (c.timezone.as_deref(), c.asn),
            (Some("Europe/Paris"), Some(3215))
        );
        c.apply_dev_geo("lat=999");
        assert_eq!(c.latitude_e6, None, "out of range");
    }
}
