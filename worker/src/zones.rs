//! Time zones from the runtime's `Intl` (ICU in workerd, which carries the tz database), so
//! the `.wasm` carries no zone tables of its own.
//!
//! An offset is read with `timeZoneName: "longOffset"` ("GMT-06:00"); a short name with
//! `"short"` in en-US ("MDT"), or else in en-GB where en-US has only an offset ("CEST",
//! "BST"). An hour's offset and name are kept when its two ends have the same offset (no
//! zone changes twice within an hour): an export's rows come in time order, so most rows
//! cost no call into `Intl`, and a row in an hour with a change is worked out alone.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use latchkey_core::records::datefmt::{Zone, Zones};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type Dtf;

    /// Throws a RangeError for a zone ICU does not know.
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<Dtf, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &Dtf, epoch_ms: f64) -> Array;
}

/// The runtime's zones.
pub struct IntlZones;

impl Zones for IntlZones {
    fn find(&self, id: &str) -> Option<Rc<dyn Zone>> {
        let make = |locale: &str, style: &str| {
            let options = Object::new();
            Reflect::set(&options, &"timeZone".into(), &id.into()).ok()?;
            Reflect::set(&options, &"timeZoneName".into(), &style.into()).ok()?;
            Dtf::new(locale, &options).ok()
        };
        Some(Rc::new(IntlZone {
            offset: make("en-US", "longOffset")?,
            names: [make("en-US", "short")?, make("en-GB", "short")?],
            kept: RefCell::new(None),
        }))
    }
}

const HOUR_MS: i64 = 60 * 60 * 1000;

struct IntlZone {
    offset: Dtf,
    names: [Dtf; 2],
    /// The last hour asked for, with its offset and name.
    kept: RefCell<Option<(i64, i32, Option<String>)>>,
}

impl IntlZone {
    /// The zone-name part of `dtf`'s formatting of `ms`.
    fn part(&self, dtf: &Dtf, ms: i64) -> Option<String> {
        dtf.format_to_parts(ms as f64).iter().find_map(|p| {
            let kind = Reflect::get(&p, &"type".into()).ok()?.as_string()?;
            (kind == "timeZoneName")
                .then(|| Reflect::get(&p, &"value".into()).ok()?.as_string())
                .flatten()
        })
    }

    fn offset(&self, ms: i64) -> i32 {
        self.part(&self.offset, ms)
            .and_then(|s| parse_long_offset(&s))
            .unwrap_or(0)
    }

    fn name(&self, ms: i64) -> Option<String> {
        self.names
            .iter()
            .filter_map(|dtf| self.part(dtf, ms))
            .find(|n| !is_gmt_offset(n))
    }
}

impl Zone for IntlZone {
    fn at(&self, ms: i64) -> (i32, Option<String>) {
        let hour = ms.div_euclid(HOUR_MS);
        if let Some((h, offset, name)) = &*self.kept.borrow() {
            if *h == hour {
                return (*offset, name.clone());
            }
        }
        let start = hour.saturating_mul(HOUR_MS);
        let offset = self.offset(start);
        if offset != self.offset(start.saturating_add(HOUR_MS - 1)) {
            // The offset changes within this hour: this row alone.
            return (self.offset(ms), self.name(ms));
        }
        let name = self.name(start);
        *self.kept.borrow_mut() = Some((hour, offset, name.clone()));
        (offset, name)
    }
}

/// "GMT+5", "GMT-3:30": a name that is only an offset.
fn is_gmt_offset(name: &str) -> bool {
    name.strip_prefix("GMT")
        .or_else(|| name.strip_prefix("UTC"))
        .is_some_and(|rest| rest.starts_with(['+', '-']))
}

/// Seconds east of UTC from `Intl`'s long offset: "GMT", "GMT+05:30", "GMT-00:25:21".
fn parse_long_offset(s: &str) -> Option<i32> {
    let rest = s.strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, rest) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' | 0xe2 => (-1, rest.trim_start_matches(['-', '\u{2212}'])),
        _ => return None,
    };
    let mut secs = 0i32;
    for (i, part) in rest.split(':').enumerate() {
        let v: i32 = part.parse().ok()?;
        secs += v * [3600, 60, 1].get(i)?;
    }
    Some(sign * secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_zones_long_offsets_and_offset_only_names() {
        assert_eq!(parse_long_offset("GMT"), Some(0));
        assert_eq!(parse_long_offset("GMT+05:30"), Some(19_800));
        assert_eq!(parse_long_offset("GMT-06:00"), Some(-21_600));
        assert_eq!(parse_long_offset("GMT\u{2212}03:00"), Some(-10_800));
        assert_eq!(parse_long_offset("GMT-00:25:21"), Some(-1521));
        assert_eq!(parse_long_offset("UTC"), None);
        assert_eq!(parse_long_offset("GMT+x"), None);
        for offset_only in ["GMT+4", "GMT-3:30", "UTC+1"] {
            assert!(is_gmt_offset(offset_only), "{offset_only}");
        }
        for name in ["GMT", "UTC", "MDT", "CEST"] {
            assert!(!is_gmt_offset(name), "{name}");
        }
    }
}
