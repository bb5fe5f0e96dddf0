//! Date formatting with the `java.time` pattern letters seed 003's export takes
//! (`dateTimeSecondsFormat`, default `M/d/yyyy hh:mm:ss a z`), in an IANA time zone
//! (`zoneId`).

use chrono::{DateTime, Datelike, Offset, TimeZone, Timelike};
use chrono_tz::{OffsetName, Tz};

use crate::Error;

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

    /// Formats epoch milliseconds in `tz`.
    pub fn format(&self, ms: i64, tz: Tz) -> String {
        let Some(utc) = DateTime::from_timestamp_millis(ms) else {
            return String::new();
        };
        let t = tz.from_utc_datetime(&utc.naive_utc());
        let mut s = String::new();
        for tok in &self.0 {
            match tok {
                Token::Literal(l) => s.push_str(l),
                Token::Field(c, n) => s.push_str(&field(&t, *c, *n)),
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

fn field(t: &DateTime<Tz>, c: char, n: usize) -> String {
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
            let millis = format!("{:03}", t.timestamp_subsec_millis());
            let mut f: String = millis.chars().take(n).collect();
            while f.len() < n {
                f.push('0');
            }
            f
        }
        'a' => (if t.hour12().0 { "PM" } else { "AM" }).to_owned(),
        'z' => t.offset().abbreviation().unwrap_or("UTC").to_owned(),
        'Z' => {
            let secs = t.offset().fix().local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let m = secs.unsigned_abs() / 60;
            format!("{sign}{:02}{:02}", m / 60, m % 60)
        }
        'E' if n >= 4 => DAYS[t.weekday().num_days_from_monday() as usize].to_owned(),
        'E' => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_owned(),
        _ => String::new(),
    }
}

/// Parses an IANA zone id (`America/Denver`, `US/Mountain`, `UTC`).
pub fn zone(id: &str) -> Result<Tz, Error> {
    id.trim()
        .parse::<Tz>()
        .map_err(|_| invalid("zoneId", format!("{id:?} is not an IANA time zone")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_562_608_320_303; // 2019-07-08T17:52:00.303Z

    #[test]
    fn test_datefmt_default_pattern() {
        let p = Pattern::parse(DEFAULT_PATTERN).unwrap();
        assert_eq!(p.format(T, Tz::UTC), "7/8/2019 05:52:00 PM UTC");
        assert_eq!(
            p.format(T, zone("America/Denver").unwrap()),
            "7/8/2019 11:52:00 AM MDT"
        );
        assert_eq!(
            p.format(T, zone("US/Mountain").unwrap()),
            "7/8/2019 11:52:00 AM MDT"
        );
    }

    #[test]
    fn test_datefmt_iso_like_and_literals() {
        let p = Pattern::parse("yyyy-MM-dd'T'HH:mm:ss.SSSZ").unwrap();
        assert_eq!(
            p.format(T, zone("Asia/Kolkata").unwrap()),
            "2019-07-08T23:22:00.303+0530"
        );
        let p = Pattern::parse("EEEE, MMMM d, yy 'at' h a ''").unwrap();
        assert_eq!(p.format(T, Tz::UTC), "Monday, July 8, 19 at 5 PM '");
        assert_eq!(Pattern::parse("MMM").unwrap().format(T, Tz::UTC), "Jul");
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
        assert!(zone("Mars/Olympus").is_err());
    }
}
