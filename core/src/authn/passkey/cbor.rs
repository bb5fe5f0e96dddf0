//! The CBOR (RFC 8949) a relying party reads: attestation objects and COSE keys, which
//! authenticators encode with definite lengths (CTAP2's canonical form). A strict reader of
//! one item at a time, borrowing strings from its input; it refuses indefinite lengths, the
//! reserved additional-information values, text that is not UTF-8, nesting deeper than
//! [`MAX_DEPTH`] and any length past the end of its input (so a forged length allocates
//! nothing). Nothing here writes CBOR: the tests build their inputs with `ciborium`, an
//! independent implementation.

/// Deepest nesting of arrays, maps and tags accepted. A COSE key is one map; an attestation
/// object of any registered format nests three deep (its statement's certificate array):
/// 8 leaves room for formats not read here and bounds the reader's recursion.
pub const MAX_DEPTH: usize = 8;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Major types 0 and 1: every integer from -2^64 to 2^64 - 1.
    Integer(i128),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Value<'a>>),
    Map(Vec<(Value<'a>, Value<'a>)>),
    Tag(u64, Box<Value<'a>>),
    Bool(bool),
    Null,
    Undefined,
    /// A float, kept as its bits (half, single or double precision): nothing here reads one.
    Float(u64),
    /// Another simple value (RFC 8949 §3.3).
    Simple(u8),
}

/// Why an input is not one well-formed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// The input ends inside an item.
    Truncated,
    /// An indefinite length, or additional information 28 to 30.
    Unsupported,
    /// A text string that is not UTF-8.
    NotUtf8,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A two-byte simple value below 32 (RFC 8949 §3.3).
    BadSimple,
}

impl<'a> Value<'a> {
    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value<'a>, Value<'a>)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value of the first entry whose key is the integer `key`, in a map.
    pub fn get_int(&self, key: i128) -> Option<&Value<'a>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| *k == Value::Integer(key))
            .map(|(_, v)| v)
    }

    /// The value of the first entry whose key is the text `key`, in a map.
    pub fn get_text(&self, key: &str) -> Option<&Value<'a>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| *k == Value::Text(key))
            .map(|(_, v)| v)
    }
}

/// The first item of `input` and how many bytes it took; what follows it is the caller's
/// (authenticator data carries extensions after the credential's key).
pub fn read_first(input: &[u8]) -> Result<(Value<'_>, usize), Malformed> {
    let mut r = Reader { input, pos: 0 };
    let value = r.item(0)?;
    Ok((value, r.pos))
}

/// `input` as exactly one item: bytes after it are refused as [`Malformed::Unsupported`].
pub fn read(input: &[u8]) -> Result<Value<'_>, Malformed> {
    let (value, used) = read_first(input)?;
    if used != input.len() {
        return Err(Malformed::Unsupported);
    }
    Ok(value)
}

/// Elements reserved ahead for an array or a map: a length is believed only as far as the
/// elements actually read (a value is 32 bytes or more, so reserving what a length claims
/// would let each input byte reserve dozens).
const RESERVED: usize = 16;

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.pos.checked_add(n).ok_or(Malformed::Truncated)?;
        let bytes = self.input.get(self.pos..end).ok_or(Malformed::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    /// The argument that additional information `info` announces (RFC 8949 §3).
    fn argument(&mut self, info: u8) -> Result<u64, Malformed> {
        let width = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            // 28-30 are reserved; 31 is an indefinite length or a break.
            _ => return Err(Malformed::Unsupported),
        };
        Ok(self
            .take(width)?
            .iter()
            .fold(0u64, |n, b| (n << 8) | u64::from(*b)))
    }

    /// A length no larger than what is left of the input: each element takes a byte at
    /// least, so a longer one cannot be honest, and nothing is reserved for it.
    fn length(&mut self, info: u8) -> Result<usize, Malformed> {
        let n = self.argument(info)?;
        let left = self.input.len() - self.pos;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= left)
            .ok_or(Malformed::Truncated)
    }

    fn item(&mut self, depth: usize) -> Result<Value<'a>, Malformed> {
        let head = self.take(1)?[0];
        let (major, info) = (head >> 5, head & 0x1f);
        let nested = |depth: usize| {
            if depth >= MAX_DEPTH {
                Err(Malformed::TooDeep)
            } else {
                Ok(depth + 1)
            }
        };
        Ok(match major {
            0 => Value::Integer(i128::from(self.argument(info)?)),
            1 => Value::Integer(-1 - i128::from(self.argument(info)?)),
            2 => {
                let n = self.length(info)?;
                Value::Bytes(self.take(n)?)
            }
            3 => {
                let n = self.length(info)?;
                Value::Text(std::str::from_utf8(self.take(n)?).map_err(|_| Malformed::NotUtf8)?)
            }
            4 => {
                let inner = nested(depth)?;
                let n = self.length(info)?;
                let mut items = Vec::with_capacity(n.min(RESERVED));
                for _ in 0..n {
                    items.push(self.item(inner)?);
                }
                Value::Array(items)
            }
            5 => {
                let inner = nested(depth)?;
                let n = self.length(info)?;
                let mut entries = Vec::with_capacity(n.min(RESERVED));
                for _ in 0..n {
                    let key = self.item(inner)?;
                    entries.push((key, self.item(inner)?));
                }
                Value::Map(entries)
            }
            6 => {
                let tag = self.argument(info)?;
                Value::Tag(tag, Box::new(self.item(nested(depth)?)?))
            }
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 => Value::Null,
                23 => Value::Undefined,
                24 => match self.take(1)?[0] {
                    n if n < 32 => return Err(Malformed::BadSimple),
                    n => Value::Simple(n),
                },
                25..=27 => Value::Float(self.argument(info)?),
                0..=19 => Value::Simple(info),
                _ => return Err(Malformed::Unsupported),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn int(i: i128) -> Value<'static> {
        Value::Integer(i)
    }

    /// RFC 8949 Appendix A's examples with definite lengths, as data.
    #[test]
    fn test_cbor_reads_rfc8949_appendix_a() {
        let cases: Vec<(&str, Value<'static>)> = vec![
            ("00", int(0)),
            ("17", int(23)),
            ("1818", int(24)),
            ("1903e8", int(1000)),
            ("1a000f4240", int(1_000_000)),
            ("1b000000e8d4a51000", int(1_000_000_000_000)),
            ("1bffffffffffffffff", int(18_446_744_073_709_551_615)),
            ("3bffffffffffffffff", int(-18_446_744_073_709_551_616)),
            ("20", int(-1)),
            ("29", int(-10)),
            ("3863", int(-100)),
            ("3903e7", int(-1000)),
            ("f90000", Value::Float(0)),
            ("fa47c35000", Value::Float(0x47c3_5000)),
            ("fb3ff199999999999a", Value::Float(0x3ff1_9999_9999_999a)),
            ("f4", Value::Bool(false)),
            ("f5", Value::Bool(true)),
            ("f6", Value::Null),
            ("f7", Value::Undefined),
            ("f0", Value::Simple(16)),
            ("f8ff", Value::Simple(255)),
            (
                "c074323031332d30332d32315432303a30343a30305a",
                Value::Tag(0, Box::new(Value::Text("2013-03-21T20:04:00Z"))),
            ),
            ("4401020304", Value::Bytes(&[1, 2, 3, 4])),
            ("40", Value::Bytes(&[])),
            ("60", Value::Text("")),
            ("6161", Value::Text("a")),
            ("62c3bc", Value::Text("\u{fc}")),
            ("64f0908591", Value::Text("\u{10151}")),
            ("80", Value::Array(vec![])),
            ("83010203", Value::Array(vec![int(1), int(2), int(3)])),
            (
                "8301820203820405",
                Value::Array(vec![
                    int(1),
                    Value::Array(vec![int(2), int(3)]),
                    Value::Array(vec![int(4), int(5)]),
                ]),
            ),
            ("a0", Value::Map(vec![])),
            (
                "a201020304",
                Value::Map(vec![(int(1), int(2)), (int(3), int(4))]),
            ),
            (
                "a26161016162820203",
                Value::Map(vec![
                    (Value::Text("a"), int(1)),
                    (Value::Text("b"), Value::Array(vec![int(2), int(3)])),
                ]),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(read(&hex(input)), Ok(want), "{input}");
        }
    }

    #[test]
    fn test_cbor_refuses_what_it_does_not_read() {
        let cases = [
            // Indefinite-length byte string, array and map (RFC 8949 Appendix A), and a
            // lone break.
            ("5f42010243030405ff", Malformed::Unsupported),
            ("9fff", Malformed::Unsupported),
            ("bf6161f5ff", Malformed::Unsupported),
            ("ff", Malformed::Unsupported),
            // Reserved additional information.
            ("1c", Malformed::Unsupported),
            ("fe", Malformed::Unsupported),
            // Cut short: in a head's argument, a string, an array and a map.
            ("19 03", Malformed::Truncated),
            ("44010203", Malformed::Truncated),
            ("830102", Malformed::Truncated),
            ("a2010203", Malformed::Truncated),
            ("", Malformed::Truncated),
            // Lengths past the end of the input, up to 2^64 - 1.
            ("5bffffffffffffffff00", Malformed::Truncated),
            ("9bffffffffffffffff00", Malformed::Truncated),
            ("bb7fffffffffffffff00", Malformed::Truncated),
            // Text that is not UTF-8.
            ("62c328", Malformed::NotUtf8),
            // A two-byte simple value below 32.
            ("f818", Malformed::BadSimple),
            // Bytes after the item.
            ("0000", Malformed::Unsupported),
        ];
        for (input, want) in cases {
            let input: String = input.split_whitespace().collect();
            assert_eq!(read(&hex(&input)), Err(want), "{input}");
        }
    }

    #[test]
    fn test_cbor_bounds_nesting() {
        // [[[[[[[[1]]]]]]]] is eight deep: accepted; a ninth level, or a tag on the eighth,
        // is not.
        assert!(read(&hex("818181818181818101")).is_ok());
        assert_eq!(read(&hex("81818181818181818101")), Err(Malformed::TooDeep));
        assert_eq!(read(&hex("8181818181818181c101")), Err(Malformed::TooDeep));
        // Deep nesting anywhere fails the same way, however long the input.
        let deep = vec![0x81; 100_000];
        assert_eq!(read(&deep), Err(Malformed::TooDeep));
    }

    #[test]
    fn test_cbor_read_first_leaves_what_follows() {
        let input = hex("a1010261ff");
        let (value, used) = read_first(&input).unwrap();
        assert_eq!(used, 3);
        assert_eq!(value.get_int(1), Some(&int(2)));
        assert_eq!(value.get_int(2), None);
        assert_eq!(value.get_text("a"), None);
    }

    /// Values written by ciborium (an independent implementation) read back as written.
    #[test]
    fn test_cbor_reads_what_ciborium_writes() {
        use ciborium::Value as C;
        fn same(ours: &Value<'_>, theirs: &C) -> bool {
            match (ours, theirs) {
                (Value::Integer(a), C::Integer(b)) => *a == i128::from(*b),
                (Value::Bytes(a), C::Bytes(b)) => *a == b.as_slice(),
                (Value::Text(a), C::Text(b)) => *a == b.as_str(),
                (Value::Bool(a), C::Bool(b)) => a == b,
                (Value::Null, C::Null) => true,
                (Value::Tag(a, x), C::Tag(b, y)) => a == b && same(x, y),
                (Value::Array(a), C::Array(b)) => {
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
                }
                (Value::Map(a), C::Map(b)) => {
                    a.len() == b.len()
                        && a.iter()
                            .zip(b)
                            .all(|((k, v), (l, w))| same(k, l) && same(v, w))
                }
                _ => false,
            }
        }
        use crate::rand::{Rng, TestRng};
        let mut rng = TestRng(0x2545_f491);
        let mut next = move || u64::from_le_bytes(rng.bytes());
        fn gen(next: &mut impl FnMut() -> u64, depth: usize) -> C {
            let pick = next() % if depth < 4 { 9 } else { 6 };
            match pick {
                0 => C::Integer((next() >> (next() % 64)).into()),
                1 => C::Integer(
                    (-1 - i128::from(next() >> (next() % 64)))
                        .try_into()
                        .unwrap(),
                ),
                2 => C::Bytes((0..next() % 300).map(|_| next() as u8).collect()),
                3 => C::Text(
                    (0..next() % 40)
                        .map(|_| ['a', 'é', '€', '𐅑', ' '][(next() % 5) as usize])
                        .collect(),
                ),
                4 => C::Bool(next().is_multiple_of(2)),
                5 => C::Null,
                6 => C::Array((0..next() % 5).map(|_| gen(next, depth + 1)).collect()),
                7 => C::Map(
                    (0..next() % 5)
                        .map(|_| (gen(next, depth + 1), gen(next, depth + 1)))
                        .collect(),
                ),
                _ => C::Tag(next() % 100_000, Box::new(gen(next, depth + 1))),
            }
        }
        for _ in 0..2_000 {
            let theirs = gen(&mut next, 0);
            let mut bytes = Vec::new();
            ciborium::ser::into_writer(&theirs, &mut bytes).unwrap();
            let ours = read(&bytes).unwrap();
            assert!(same(&ours, &theirs), "{theirs:?}");
            // Every proper prefix is refused, never read as something else.
            for cut in [0, bytes.len() / 2, bytes.len() - 1] {
                assert!(read(&bytes[..cut]).is_err());
            }
        }
    }
}
