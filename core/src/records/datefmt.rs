//! Date formatting with the `java.time` pattern letters seed 003's export takes
//! (`dateTimeSecondsFormat`, default `M/d/yyyy hh:mm:ss a z`), in an IANA time zone
//! (`zoneId`).
//!
//! The zone's rules come from the runtime ([`Zones`]): the worker asks the `Intl` of workerd,
//! whose ICU already carries the time-zone database, so the `.wasm` carries none; native
//! tests use the `chrono-tz` database.

use std::fmt;
use std::rc::Rc;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike};

use crate::Error;

/// A time zone, as a date format needs it.
pub trait Zone {
    /// The offset east of UTC in seconds at `ms` (epoch milliseconds), and the zone's short
    /// name then ("MDT", "CEST"), or `None` where it has none (the format then writes the
    /// offset: "GMT+4", "GMT+5:30").
    fn at(&self, ms: i64) -> (i32, Option<String>);
}

/// Where IANA zone ids are looked up.
pub trait Zones {
    /// The zone `id` names (`America/Denver`, `US/Mountain`, `UTC`), or `None` if unknown.
    fn find(&self, id: &str) -> Option<Rc<dyn Zone>>;
}

/// UTC, the export's zone when none is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Utc;

impl Zone for Utc {
    fn at(&self, _ms: i64) -> (i32, Option<String>) {
        (0, Some("UTC".to_owned()))
    }
}

/// A zone found by its id, as a validated request holds it.
#[derive(Clone)]
pub struct FoundZone {
    pub id: String,
    pub zone: Rc<dyn Zone>,
}

impl fmt::Debug for FoundZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FoundZone").field(&self.id).finish()
    }
}

impl FoundZone {
    pub fn utc() -> FoundZone {
        FoundZone {
            id: "UTC".to_owned(),
            zone: Rc::new(Utc),
        }
    }
}

/// The short localized GMT form of an offset: "GMT", "GMT+4", "GMT-3:30".
fn gmt(offset: i32) -> String {
    if offset == 0 {
        return "GMT".to_owned();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let m = offset.unsigned_abs() / 60;
    match m % 60 {
        0 => format!("GMT{sign}{}", m / 60),
        r => format!("GMT{sign}{}:{r:02}", m / 60),
    }
}

pub const DEFAULT_PATTERN: &str = "M/d/yyyy hh:mm:ss a z";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field(char, usize),
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Token>);

const LETTERS: &str = "yMdHhmsSazZE";

fn invalid(field: &'static str, why: String) -> Error {
    Error::Fields(vec![crate::error::FieldError {
        field: field.to_owned(),
        code: format!("[invalid]{field}"),
        message: why,
    }])
}

impl Pattern {
    /// Parses letters (`yMdHhmsSazZE`), quoted literals (`'at'`, `''` for a quote) and
    /// other characters as themselves. Other letters are refused.
    pub fn parse(p: &str) -> Result<Pattern, Error> {
        if p.is_empty() || p.len() > 100 {
            return Err(invalid(
                "dateTimeSecondsFormat",
                "must have 1 to 100 characters".into(),
            ));
        }
        let mut out = Vec::new();
        let chars: Vec<char> = p.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                let mut lit = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(invalid(
                                "dateTimeSecondsFormat",
                                "unterminated quote".into(),
                            ))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            lit.push(*ch);
                            i += 1;
                        }
                    }
                }
                if lit.is_empty() {
                    lit.push('\'');
                }
                out.push(Token::Literal(lit));
            } else if c.is_ascii_alphabetic() {
                if !LETTERS.contains(c) {
                    return Err(invalid(
                        "dateTimeSecondsFormat",
                        format!("unsupported pattern letter {c:?}"),
                    ));
                }
                let start = i;
                while chars.get(i) == Some(&c) {
                    i += 1;
                }
                out.push(Token::Field(c, i - start));
            } else {
                out.push(Token::Literal(c.to_string()));
                i += 1;
            }
        }
        Ok(Pattern(out))
    }

    /// Formats epoch milliseconds in `zone`.
    pub fn format(&self, ms: i64, zone: &dyn Zone) -> String {
        let (offset, name) = zone.at(ms);
        let Some(t) = DateTime::from_timestamp_millis(ms + i64::from(offset) * 1000) else {
            return String::new();
        };
        let local = Local {
            t: t.naive_utc(),
            offset,
            name,
        };
        let mut s = String::new();
        for tok in &self.0 {
            match tok {
                Token::Literal(l) => s.push_str(l),
                Token::Field(c, n) => s.push_str(&field(&local, *c, *n)),
            }
        }
        s
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn num(v: u32, width: usize) -> String {
    format!("{v:0width$}")
}

/// A local time with its zone's offset and name.
struct Local {
    t: NaiveDateTime,
    offset: i32,
    name: Option<String>,
}

fn field(l: &Local, c: char, n: usize) -> String {
    let t = &l.t;
    match c {
        'y' if n == 2 => num(t.year().rem_euclid(100) as u32, 2),
        'y' => format!("{:0n$}", t.year()),
        'M' if n >= 4 => MONTHS[t.month0() as usize].to_owned(),
        'M' if n == 3 => MONTHS[t.month0() as usize][..3].to_owned(),
        'M' => num(t.month(), n),
        'd' => num(t.day(), n),
        'H' => num(t.hour(), n),
        'h' => num(if t.hour12().1 == 0 { 12 } else { t.hour12().1 }, n),
        'm' => num(t.minute(), n),
        's' => num(t.second(), n),
        'S' => {
            let millis = format!("{:03}", t.and_utc().timestamp_subsec_millis());
            let mut f: String = millis.chars().take(n).collect();
            while f.len() < n {
                f.push('0');
            }
            f
        }
        'a' => (if t.hour12().0 { "PM" } else { "AM" }).to_owned(),
        'z' => l.name.clone().unwrap_or_else(|| gmt(l.offset)),
        'Z' => {
            let secs = l.offset;
            let sign = if secs < 0 { '-' } else { '+' };
            let m = secs.unsigned_abs() / 60;
            format!("{sign}{:02}{:02}", m / 60, m % 60)
        }
        'E' if n >= 4 => DAYS[t.weekday().num_days_from_monday() as usize].to_owned(),
        'E' => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_owned(),
        _ => String::new(),
    }
}

/// Finds an IANA zone id (`America/Denver`, `US/Mountain`, `UTC`) in `zones`.
pub fn zone(zones: &dyn Zones, id: &str) -> Result<FoundZone, Error> {
    let id = id.trim();
    let unknown = || invalid("zoneId", format!("{id:?} is not an IANA time zone"));
    // Ids are ASCII names joined by '/': nothing else reaches the runtime's lookup.
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
    {
        return Err(unknown());
    }
    zones
        .find(id)
        .map(|zone| FoundZone {
            id: id.to_owned(),
            zone,
        })
        .ok_or_else(unknown)
}

/// The time-zone database of `chrono-tz`, for native tests.
#[cfg(test)]
pub struct TzDb;

#[cfg(test)]
impl Zones for TzDb {
    fn find(&self, id: &str) -> Option<Rc<dyn Zone>> {
        struct TzZone(chrono_tz::Tz);
        impl Zone for TzZone {
            fn at(&self, ms: i64) -> (i32, Option<String>) {
                use chrono::{Offset, TimeZone};
                use chrono_tz::OffsetName;
                let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
                let offset = self.0.offset_from_utc_datetime(&utc.naive_utc());
                (
                    offset.fix().local_minus_utc(),
                    offset.abbreviation().map(str::to_owned),
                )
            }
        }
        let tz = id.parse::<chrono_tz::Tz>().ok()?;
        Some(Rc::new(TzZone(tz)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_562_608_320_303; // 2019-07-08T17:52:00.303Z

    /// The tz database's zone `id`, found as a request's would be.
    fn tz(id: &str) -> Rc<dyn Zone> {
        zone(&TzDb, id).unwrap().zone
    }

    #[test]
    fn test_datefmt_default_pattern() {
        let p = Pattern::parse(DEFAULT_PATTERN).unwrap();
        assert_eq!(p.format(T, &Utc), "7/8/2019 05:52:00 PM UTC");
        assert_eq!(
            p.format(T, &*tz("America/Denver")),
            "7/8/2019 11:52:00 AM MDT"
        );
        assert_eq!(p.format(T, &*tz("US/Mountain")), "7/8/2019 11:52:00 AM MDT");
    }

    #[test]
    fn test_datefmt_iso_like_and_literals() {
        let p = Pattern::parse("yyyy-MM-dd'T'HH:mm:ss.SSSZ").unwrap();
        assert_eq!(
            p.format(T, &*tz("Asia/Kolkata")),
            "2019-07-08T23:22:00.303+0530"
        );
        let p = Pattern::parse("EEEE, MMMM d, yy 'at' h a ''").unwrap();
        assert_eq!(p.format(T, &Utc), "Monday, July 8, 19 at 5 PM '");
        assert_eq!(Pattern::parse("MMM").unwrap().format(T, &Utc), "Jul");
    }

    #[test]
    fn test_datefmt_a_zone_without_a_name_writes_its_offset_never_utc() {
        // The tz database names São Paulo's and Dubai's offsets only by number ("-03",
        // "+04"); the format writes the offset, as Java does for zones without a name.
        let p = Pattern::parse("HH:mm z").unwrap();
        assert_eq!(p.format(T, &*tz("America/Sao_Paulo")), "14:52 GMT-3");
        assert_eq!(p.format(T, &*tz("Asia/Dubai")), "21:52 GMT+4");
        assert_eq!(gmt(0), "GMT");
        assert_eq!(gmt(-(3 * 3600 + 1800)), "GMT-3:30");
        assert_eq!(gmt(12 * 3600 + 45 * 60), "GMT+12:45");
        // A zone that names its offset keeps the name, on either side of a change.
        let paris = tz("Europe/Paris");
        assert_eq!(p.format(T, &*paris), "19:52 CEST");
        assert_eq!(p.format(1_547_000_000_000, &*paris), "03:13 CET");
    }

    #[test]
    fn test_datefmt_rejects_bad_patterns_and_zones() {
        for bad in ["", "yyyy-QQ", "'open"] {
            assert_eq!(
                Pattern::parse(bad).unwrap_err().code(),
                "INVALID_REQUEST",
                "{bad:?}"
            );
        }
        for bad in [
            "Mars/Olympus",
            "",
            "../etc",
            "America/Denver\u{0}",
            &"A".repeat(65),
        ] {
            assert!(zone(&TzDb, bad).is_err(), "{bad:?}");
        }
        assert_eq!(zone(&TzDb, " UTC ").unwrap().id, "UTC");
    }
}
